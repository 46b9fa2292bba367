"""How many CloudFormation resources a SAM template becomes once the transform has run.

CloudFormation counts its resource quota on the processed template, after SAM has turned each
`AWS::Serverless::*` resource into its parts (a function with an API event: the function, its
role, a permission, and the API with its deployment and stage). This module mirrors those rules
of aws-sam-translator without importing it (its import alone costs about a second, the gate's
whole budget): one small function per SAM resource type and per event source type, plus the
resources SAM creates once per template (implicit APIs, the CodeDeploy application and role, a
shared usage plan, Route 53 record set groups). tests/rules/test_expansion.py holds the estimate
equal to the translator's output on every corpus template it can transform.

`Fn::ForEach` loops need nothing here: the model has expanded them (linter/foreach.py), and each
resource a loop generates counts like any other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from svc_serverless.linter.model import Resource, Template

IMPLICIT_REST = "ServerlessRestApi"
IMPLICIT_HTTP = "ServerlessHttpApi"
# Pull event sources: one AWS::Lambda::EventSourceMapping each.
MAPPING_EVENTS = frozenset({"SQS", "Kinesis", "DynamoDB", "MSK", "MQ", "SelfManagedKafka", "DocumentDB"})
# Push event sources that only add an AWS::Lambda::Permission (S3 and Cognito modify the bucket
# or user pool the template already declares).
PERMISSION_EVENTS = frozenset({"S3", "Cognito", "AlexaSkill"})
# A rule or filter, and the permission that lets it invoke the function.
PAIR_EVENTS = frozenset({"CloudWatchLogs", "IoTRule"})
RULE_EVENTS = frozenset({"Schedule", "CloudWatchEvent", "EventBridgeRule"})
ANY_METHOD = frozenset({"any", "x-amazon-apigateway-any-method"})


@dataclass(frozen=True)
class Part:
    """`items` resources of the template that expand to `each` resources apiece."""

    label: str  # plural noun phrase: "functions with Api events", "AWS::Logs::LogGroup"
    items: int
    each: int

    @property
    def total(self) -> int:
        return self.items * self.each

    def describe(self) -> str:
        label = self.label
        if self.items == 1 and "::" not in label and "(" not in label:
            noun, with_, detail = label.partition(" with ")  # "functions with Api events"
            label = noun.removesuffix("s") + with_ + detail
        return f"{self.items} {label} x {self.each}"


@dataclass(frozen=True)
class Estimate:
    """The estimated resource count of the processed template, and what it is made of."""

    total: int
    parts: tuple[Part, ...]  # largest contribution first


@dataclass
class _Tally:
    """What one pass over the template has counted, and what SAM creates once per template."""

    params: Mapping[str, Any]
    globals_section: Mapping[str, Any]
    counts: Counter[tuple[str, int]] = field(default_factory=Counter)
    implicit_rest: bool = False
    implicit_http: bool = False
    codedeploy: bool = False  # an enabled DeploymentPreference: the CodeDeploy application
    codedeploy_role: bool = False  # one of them names no Role: CodeDeploy's service role
    shared_usage_plan: bool = False
    record_set_groups: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)  # one DomainName however many APIs map to it
    # A resource the template itself names ServerlessRestApi or ServerlessHttpApi: the implicit
    # API takes its place.
    shadowed: dict[str, tuple[str, int]] = field(default_factory=dict)

    def add(self, label: str, each: int, items: int = 1) -> None:
        self.counts[(label, each)] += items


def estimate(template: Template) -> Estimate:
    """The estimated number of resources CloudFormation will see for this template."""
    data = template.data
    params = _section(data, "Parameters")
    tally = _Tally(params, _section(data, "Globals"))
    _count_resources(tally, template.resources)
    _count_shared(tally)
    parts = sorted((Part(label, items, each) for (label, each), items in tally.counts.items()
                    if items > 0), key=lambda p: (-p.total, p.label))
    return Estimate(sum(p.total for p in parts), tuple(parts))


def _section(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = data.get(name)
    return value if isinstance(value, dict) else {}


def _count_resources(tally: _Tally, resources: Iterable[Resource]) -> None:
    for resource in resources:
        counter = SAM_TYPES.get(resource.type)
        if counter is not None:
            label, each = counter(tally, resource.properties)
        else:
            label, each = (resource.type or "resources without a Type"), 1
        each += _embedded_connectors(resource.node)
        tally.add(label, each)
        if resource.logical_id in (IMPLICIT_REST, IMPLICIT_HTTP):
            tally.shadowed[resource.logical_id] = (label, each)


def _count_shared(tally: _Tally) -> None:
    """What SAM adds once for the whole template."""
    implicit = ((tally.implicit_rest, IMPLICIT_REST, "Api", _rest_api),
                (tally.implicit_http, IMPLICIT_HTTP, "HttpApi", _http_api))
    for created, logical_id, globals_name, counter in implicit:
        if not created:
            continue
        tally.add(f"implicit API ({logical_id})",
                  counter(tally, _with_globals(tally, globals_name, {}))[1])
        if logical_id in tally.shadowed:
            tally.counts[tally.shadowed[logical_id]] -= 1
    if tally.codedeploy:
        tally.add("shared CodeDeploy application and service role", 1 + tally.codedeploy_role)
    if tally.shared_usage_plan:
        tally.add("shared API usage plan, key and usage plan key", 3)
    if tally.record_set_groups:
        tally.add("Route 53 record set groups", 1, len(tally.record_set_groups))


# -- helpers ----------------------------------------------------------------------------------


def _as_dict(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _with_globals(tally: _Tally, section: str, properties: Mapping[str, Any]) -> dict[str, Any]:
    """Properties with the Globals of a type the model does not merge (a shallow merge is
    enough for the few properties an estimate reads)."""
    return {**_as_dict(tally.globals_section.get(section)), **properties}


def _no_value(value: object) -> bool:
    return isinstance(value, dict) and value.get("Ref") == "AWS::NoValue"


def _resolved(tally: _Tally, value: object) -> object:
    """A `Ref` to a parameter becomes its default, as the translator resolves it."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Ref"), str):
        parameter = tally.params.get(value["Ref"])
        if isinstance(parameter, dict) and "Default" in parameter:
            return parameter["Default"]
    return value


def _creates_role(value: object) -> bool:
    """SAM creates a role when none is given, or for the branch of an `Fn::If` that has none."""
    if value is None:
        return True
    if isinstance(value, dict) and "Fn::If" in value:
        branches = value["Fn::If"]
        return isinstance(branches, list) and len(branches) == 3 and (
            _no_value(branches[1]) or _no_value(branches[2]))
    return False


def _count_entries(value: object) -> int:
    return len(value) if isinstance(value, (dict, list)) else 0


def _destinations(properties: Mapping[str, Any]) -> int:
    destination = properties.get("Destination")
    return max(len(destination), 1) if isinstance(destination, list) else 1


def _embedded_connectors(node: Mapping[str, Any]) -> int:
    """`Connectors:` beside a resource's Properties: one AWS::Serverless::Connector each."""
    connectors = node.get("Connectors")
    if not isinstance(connectors, dict):
        return 0
    return sum(_destinations(_as_dict(_as_dict(c).get("Properties"))) for c in connectors.values())


def _dead_letter_queue(config: object, with_policy: bool) -> int:
    """A DeadLetterConfig without an Arn makes SAM create the queue (and its queue policy)."""
    if not isinstance(config, dict) or "Arn" in config:
        return 0
    return 2 if with_policy else 1


def _events(properties: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    events = properties.get("Events")
    if not isinstance(events, dict):
        return []
    found = []
    for event in events.values():
        if isinstance(event, dict) and isinstance(event.get("Type"), str):
            found.append((str(event["Type"]), _as_dict(event.get("Properties"))))
    return found


def _with_events(noun: str, events: list[tuple[str, dict[str, Any]]]) -> str:
    kinds = sorted({kind for kind, _ in events})
    return f"{noun} with {'+'.join(kinds)} events" if kinds else noun


# -- functions --------------------------------------------------------------------------------


def _function(tally: _Tally, properties: Mapping[str, Any]) -> tuple[str, int]:
    count = 1 + _creates_role(properties.get("Role"))
    if properties.get("AutoPublishAlias"):
        count += 2  # AWS::Lambda::Version and AWS::Lambda::Alias
    url = properties.get("FunctionUrlConfig")
    if isinstance(url, dict):
        # A public URL also gets the two permissions that let anyone invoke it through the URL.
        count += 3 if url.get("AuthType") == "NONE" else 1
    count += _deployment_group(tally, properties.get("DeploymentPreference"))
    count += _event_invoke_config(properties.get("EventInvokeConfig"))
    events = _events(properties)
    # Cognito triggers share one permission per function, whatever the number of events.
    count -= max(sum(1 for kind, _ in events if kind == "Cognito") - 1, 0)
    count += sum(_function_event(tally, kind, props) for kind, props in events)
    count -= _http_permissions_covered(events)
    return _with_events("functions", events), count


def _deployment_group(tally: _Tally, preference: object) -> int:
    if not isinstance(preference, dict):
        return 0
    enabled = _resolved(tally, preference.get("Enabled", True))
    if enabled in (False, "false", "False"):
        return 0
    tally.codedeploy = True
    tally.codedeploy_role = tally.codedeploy_role or preference.get("Role") is None
    return 1


def _event_invoke_config(config: object) -> int:
    """The config, plus the queue or topic SAM creates for a destination given only a Type."""
    if not isinstance(config, dict):
        return 0
    count = 1
    destinations = _as_dict(config.get("DestinationConfig"))
    for name in ("OnSuccess", "OnFailure"):
        destination = _as_dict(destinations.get(name))
        if destination.get("Type") in ("SQS", "SNS") and _destination_created(destination.get("Destination")):
            count += 1
    return count


def _destination_created(destination: object) -> bool:
    """No destination, or an `Fn::If` with one `AWS::NoValue` branch (created on that branch)."""
    if destination is None:
        return True
    branches = _as_dict(destination).get("Fn::If")
    return isinstance(branches, list) and len(branches) == 3 and (
        _no_value(branches[1]) != _no_value(branches[2]))


def _function_event(tally: _Tally, kind: str, props: Mapping[str, Any]) -> int:
    if kind in MAPPING_EVENTS:
        return 1
    if kind in PERMISSION_EVENTS:
        return 1
    if kind in PAIR_EVENTS:
        return 2
    if kind in RULE_EVENTS:
        return 2 + _dead_letter_queue(props.get("DeadLetterConfig"), with_policy=True)
    if kind == "ScheduleV2":
        return _schedule_v2(props)
    if kind == "SNS":
        return _sns(props)
    if kind == "Api":
        tally.implicit_rest = tally.implicit_rest or "RestApiId" not in props
        return 1
    if kind == "HttpApi":
        tally.implicit_http = tally.implicit_http or "ApiId" not in props
        return 1
    return 1  # an event type this estimate does not know: at least its permission


def _sns(props: Mapping[str, Any]) -> int:
    subscription = props.get("SqsSubscription")
    if not subscription:
        return 2  # the subscription and the permission
    # The subscription, a queue policy and an event source mapping, plus the queue unless given.
    return 4 if isinstance(subscription, bool) or subscription == "true" else 3


def _schedule_v2(props: Mapping[str, Any]) -> int:
    role = 0 if props.get("RoleArn") else 1
    return 1 + role + _dead_letter_queue(props.get("DeadLetterConfig"), with_policy=False)


def _http_permissions_covered(events: list[tuple[str, dict[str, Any]]]) -> int:
    """HttpApi events whose permission a `$default` route of the same function already covers."""
    routes: dict[str, list[tuple[str, str]]] = {}
    for kind, props in events:
        if kind == "HttpApi":
            path, method = props.get("Path", "$default"), props.get("Method", "any")
            routes.setdefault(repr(props.get("ApiId")), []).append(
                (str(path), str(method).lower()))
    covered = 0
    for api_routes in routes.values():
        if any(path == "$default" and method in ANY_METHOD for path, method in api_routes):
            covered += sum(1 for path, _ in api_routes if path != "$default")
    return covered


# -- state machines ---------------------------------------------------------------------------


def _state_machine(tally: _Tally, properties: Mapping[str, Any]) -> tuple[str, int]:
    count = 1 + (0 if properties.get("Role") else 1)
    if properties.get("AutoPublishAlias"):
        count += 2  # AWS::StepFunctions::StateMachineVersion and ...Alias
    events = _events(properties)
    for kind, props in events:
        if kind in RULE_EVENTS:
            # The rule and the role it assumes to start executions; Schedule may name its own.
            role = 0 if kind == "Schedule" and props.get("RoleArn") else 1
            count += 1 + role + _dead_letter_queue(props.get("DeadLetterConfig"), with_policy=True)
        elif kind == "ScheduleV2":
            count += _schedule_v2(props)
        elif kind == "Api":
            tally.implicit_rest = tally.implicit_rest or "RestApiId" not in props
            count += 1  # the role API Gateway assumes to start executions
        else:
            count += 1
    return _with_events("state machines", events), count


# -- APIs -------------------------------------------------------------------------------------


def _rest_api(tally: _Tally, properties: Mapping[str, Any]) -> tuple[str, int]:
    count = 3  # the RestApi, its Deployment and its Stage
    auth = _as_dict(properties.get("Auth"))
    for authorizer in _as_dict(auth.get("Authorizers")).values():
        if isinstance(authorizer, dict) and authorizer.get("FunctionArn") is not None and not \
                authorizer.get("DisableFunctionDefaultPermissions"):
            count += 1
    plan = _resolved(tally, _as_dict(auth.get("UsagePlan")).get("CreateUsagePlan"))
    if plan == "PER_API":
        count += 3
    elif plan == "SHARED":
        tally.shared_usage_plan = True
    domain = properties.get("Domain")
    if isinstance(domain, dict):
        count += _domain(tally, domain)
        if domain.get("EndpointConfiguration") == "PRIVATE" and "AccessAssociation" in domain:
            count += 1  # the private domain's access association with a VPC endpoint
    return "REST APIs", count


def _http_api(tally: _Tally, properties: Mapping[str, Any]) -> tuple[str, int]:
    count = 2  # the Api and its Stage (`$default` when none is named)
    auth = _as_dict(properties.get("Auth"))
    for authorizer in _as_dict(auth.get("Authorizers")).values():
        if isinstance(authorizer, dict) and authorizer.get("FunctionArn") is not None and \
                authorizer.get("EnableFunctionDefaultPermissions"):
            count += 1
    domain = properties.get("Domain")
    if isinstance(domain, dict):
        count += _domain(tally, domain)
    return "HTTP APIs", count


def _websocket_api(tally: _Tally, local: Mapping[str, Any]) -> tuple[str, int]:
    properties = _with_globals(tally, "WebSocketApi", local)
    # The API and its stage, and a route, an integration and a permission per route.
    count = 2 + 3 * _count_entries(properties.get("Routes"))
    auth = _as_dict(properties.get("Auth"))
    if auth.get("AuthType") == "CUSTOM":
        count += 1 + (0 if auth.get("InvokeRole") else 1)
    domain = properties.get("Domain")
    if isinstance(domain, dict):
        count += _domain(tally, domain)
    return "WebSocket APIs", count


def _domain(tally: _Tally, domain: Mapping[str, Any]) -> int:
    """A custom domain, its base path mappings, and its share of a Route 53 record set group."""
    basepaths = domain.get("BasePath")
    count = max(len(basepaths), 1) if isinstance(basepaths, list) else 1
    name = repr(domain.get("DomainName"))
    if name not in tally.domains:
        tally.domains.add(name)
        count += 1
    route53 = domain.get("Route53")
    if isinstance(route53, dict):
        if route53.get("SeparateRecordSetGroup") is True:
            count += 1
        else:
            zone = route53.get("HostedZoneId") or route53.get("HostedZoneName")
            tally.record_set_groups.add(repr(zone))
    return count


# -- the other SAM types ----------------------------------------------------------------------


def _graphql_api(tally: _Tally, properties: Mapping[str, Any]) -> tuple[str, int]:
    count = 2  # the API and its schema
    auth = _as_dict(properties.get("Auth"))
    additional = auth.get("Additional")
    authorizers = [auth, *(additional if isinstance(additional, list) else [])]
    count += sum(1 for a in authorizers if isinstance(a, dict) and a.get("Type") == "AWS_LAMBDA")
    logging = properties.get("Logging")
    if logging is not False and not _as_dict(logging).get("CloudWatchLogsRoleArn"):
        count += 1  # the role AppSync logs with
    count += _count_entries(properties.get("ApiKeys"))
    count += 1 if properties.get("Cache") else 0
    for sources in _as_dict(properties.get("DataSources")).values():
        for source in _as_dict(sources).values():
            # The data source, and unless it names one, a role and the connector's policy.
            count += 1 if _as_dict(source).get("ServiceRoleArn") else 3
    count += 2 if properties.get("DomainName") else 0
    functions = [_as_dict(f) for f in _as_dict(properties.get("Functions")).values()]
    count += sum(1 for f in functions if not f.get("Id"))
    if any(str(f.get("DataSource", "")).lower() == "none" for f in functions):
        count += 1  # the NONE data source SAM creates once
    count += sum(_count_entries(r) for r in _as_dict(properties.get("Resolvers")).values())
    return "GraphQL APIs", count


def _with_role(
    label: str, section: str, role_property: str
) -> Callable[[_Tally, Mapping[str, Any]], tuple[str, int]]:
    """A type that becomes one resource, plus a role when `role_property` is not given."""
    def count(tally: _Tally, properties: Mapping[str, Any]) -> tuple[str, int]:
        return label, 1 + (0 if _with_globals(tally, section, properties).get(role_property) else 1)
    return count


def _fixed(label: str, each: int) -> Callable[[_Tally, Mapping[str, Any]], tuple[str, int]]:
    def count(tally: _Tally, properties: Mapping[str, Any]) -> tuple[str, int]:
        return label, each
    return count


def _connector(tally: _Tally, properties: Mapping[str, Any]) -> tuple[str, int]:
    return "connectors", _destinations(properties)


SAM_TYPES: dict[str, Callable[[_Tally, Mapping[str, Any]], tuple[str, int]]] = {
    "AWS::Serverless::Function": _function,
    "AWS::Serverless::StateMachine": _state_machine,
    "AWS::Serverless::Api": _rest_api,
    "AWS::Serverless::HttpApi": _http_api,
    "AWS::Serverless::WebSocketApi": _websocket_api,
    "AWS::Serverless::GraphQLApi": _graphql_api,
    "AWS::Serverless::Connector": _connector,
    "AWS::Serverless::SimpleTable": _fixed("simple tables", 1),
    "AWS::Serverless::LayerVersion": _fixed("layers", 1),
    "AWS::Serverless::Application": _fixed("nested applications", 1),
    "AWS::Serverless::WebFunction": _fixed("web functions", 3),
    "AWS::Serverless::CapacityProvider": _with_role("capacity providers", "CapacityProvider",
                                                    "OperatorRole"),
    "AWS::Serverless::NetworkConnector": _with_role("network connectors", "NetworkConnector",
                                                    "OperatorRole"),
    "AWS::Serverless::MicrovmImage": _with_role("microVM images", "MicroVMImage", "BuildRoleArn"),
}


def iter_parts(result: Estimate, most: int) -> Iterator[str]:
    """The `most` largest contributions as text, then how many resources the rest add."""
    for part in result.parts[:most]:
        yield part.describe()
    rest = sum(p.total for p in result.parts[most:])
    if rest:
        yield f"{rest} more from {len(result.parts) - most} other kinds"
