"""The template reader: the facts a SAM/CloudFormation template declares."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from svc_serverless.linter.cfnyaml import position
from svc_serverless.linter.facts.arns import (
    NAME_LIKE,
    OWNED_NAME_PROPERTIES,
    RESOLVE_SSM,
    SUB_VAR,
    arn_resource,
)
from svc_serverless.linter.facts.model import (
    ANY_VALUE,
    ANYTHING_BUT,
    EVENTS,
    EXACT,
    IGNORE_CASE,
    KEYED_KINDS,
    SNS,
    SQS,
    TEMPLATE,
    WILDCARD,
    Api,
    Event,
    Loc,
    Matcher,
    Name,
    Reference,
    exact,
    normalise_base_path,
    normalise_ssm_prefix,
)
from svc_serverless.linter.facts.values import (
    as_items,
    as_str,
    decode_json,
    get_in,
    is_intrinsic,
    key_node,
    loc_of,
)
from svc_serverless.linter.rule import Problem

if TYPE_CHECKING:
    from svc_serverless.linter.facts.extract import Collected
    from svc_serverless.linter.model import Resource


class TemplateReader:
    """One pass over a template's resources plus one walk over the document.

    Values are resolved as far as the template itself allows: a `Ref` to a parameter uses its
    Default, `${AWS::StackName}` is the service name (svc deploys a service as the stack of the
    same name), other pseudo parameters stay as `${...}` placeholders, and anything that depends
    on a resource of this template is local and never attributed to another service.
    """

    def __init__(self, service: str, path: str, data: dict[str, Any], out: Collected) -> None:
        self.service = service
        self.path = path
        self.data = data
        self.out = out
        self.params = self._parameter_defaults()
        self.channel_nodes: set[int] = set()  # SNS/SQS ARNs read as subscriptions, not references

    # -- resolving values -------------------------------------------------------------------

    def _parameter_defaults(self) -> dict[str, str]:
        params = self.data.get("Parameters")
        defaults: dict[str, str] = {}
        if isinstance(params, dict):
            for name, spec in params.items():
                default = get_in(spec, "Default")
                if isinstance(default, (str, int)) and not isinstance(default, bool):
                    defaults[str(name)] = str(default)
        return defaults

    def _variable(self, name: str) -> str | None:
        if name == "AWS::StackName":
            return self.service
        if name.startswith("AWS::"):
            return None
        return self.params.get(name)

    def text(self, value: Any) -> str | None:
        """A string value with what can be resolved substituted and the rest left as `${X}`."""
        if isinstance(value, str):
            return str(value)
        if not isinstance(value, dict) or len(value) != 1:
            return None
        key, arg = next(iter(value.items()))
        if key == "Ref" and isinstance(arg, str):
            resolved = self._variable(str(arg))
            return resolved if resolved is not None else "${" + str(arg) + "}"
        if key == "Fn::Sub":
            return self._sub(arg)
        if key == "Fn::Join":
            return self._join(arg)
        return None

    def literal(self, value: Any) -> str | None:
        """A string value fully known from the template alone, else None."""
        text = self.text(value)
        return text if text is not None and "${" not in text else None

    def _sub(self, arg: Any) -> str | None:
        local: dict[str, str] = {}
        template = arg
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            template = arg[0]
            for name, value in arg[1].items():
                resolved = self.literal(value)
                if resolved is not None:
                    local[str(name)] = resolved
        if not isinstance(template, str):
            return None

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            resolved = local.get(name)
            if resolved is None:
                resolved = self._variable(name)
            return resolved if resolved is not None else match.group(0)

        return SUB_VAR.sub(replace, str(template))

    def _join(self, arg: Any) -> str | None:
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            return None
        if not isinstance(arg[1], list):
            return None
        parts = []
        for part in arg[1]:
            text = self.text(part)
            parts.append(text if text is not None else "${?}")
        return str(arg[0]).join(parts)

    # -- the pass over resources ------------------------------------------------------------

    def read(self, resources: tuple[Resource, ...]) -> None:
        for resource in resources:
            self._resource(resource)
        self._outputs()
        self._ssm_parameter_types()
        self._walk_document()

    def _resource(self, resource: Resource) -> None:
        rtype, props, rid = resource.type, resource.properties, resource.logical_id
        owned = OWNED_NAME_PROPERTIES.get(rtype)
        if owned is not None:
            self._owned_name(props, *owned)
        if rtype == "AWS::KMS::Key":
            key = key_node(self.data.get("Resources"), rid)
            self.out.kms_keys.append(Name(rid, loc_of(self.path, key), "key"))
        elif rtype == "AWS::KMS::Alias":
            self._kms_alias(props)
        elif rtype == "AWS::SSM::Parameter":
            self._ssm_parameter(props)
        elif rtype == "AWS::Events::Rule":
            self._pattern(props, "EventPattern", rid, f"{rid}'s EventPattern")
        elif rtype in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            self._sam_events(props, rid)
        elif rtype == "AWS::SNS::Subscription":
            self._subscription(props.get("TopicArn"), SNS, rid)
        elif rtype == "AWS::Lambda::EventSourceMapping":
            self._subscription(props.get("EventSourceArn"), SQS, rid)
        elif rtype == "AWS::ApiGatewayV2::ApiMapping":
            self._base_path(props, "ApiMappingKey")
        elif rtype == "AWS::ApiGateway::BasePathMapping":
            self._base_path(props, "BasePath")
        elif rtype in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi"):
            self._sam_domain_base_paths(props)
        if rtype in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            self._name_values(get_in(props, "Environment", "Variables"))
        if rtype in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
            self._name_values(props.get("DefinitionSubstitutions"))

    def _owned_name(self, props: Any, prop: str, namespace: str) -> None:
        node = get_in(props, prop)
        name = self.literal(node)
        if not name:
            return
        self.out.owned_names.append(Name(name, loc_of(self.path, node), namespace))
        if namespace in (SNS, SQS):  # a topic or queue it owns is a channel others may read
            self.out.publishes.append(
                Event(exact(name), ANY_VALUE, loc_of(self.path, node), namespace, TEMPLATE)
            )

    def _kms_alias(self, props: Any) -> None:
        node = get_in(props, "AliasName")
        alias = self.literal(node)
        if alias:
            self.out.kms_keys.append(Name(alias, loc_of(self.path, node), "alias"))

    def _ssm_parameter(self, props: Any) -> None:
        node = get_in(props, "Name")
        name = self.literal(node)
        prefix = normalise_ssm_prefix(name or "")
        if prefix:
            self.out.ssm_prefixes.append(Name(prefix, loc_of(self.path, node), TEMPLATE))

    def _base_path(self, props: Any, prop: str) -> None:
        node = get_in(props, prop)
        path = self.literal(node)
        loc = loc_of(self.path, node if node is not None else props)
        self.out.apis_provided.append(Api("", normalise_base_path(path or ""), loc, TEMPLATE))

    def _sam_domain_base_paths(self, props: Any) -> None:
        """Explicit `Domain.BasePath` entries (without one SAM maps the domain's root)."""
        for node in as_items(get_in(props, "Domain", "BasePath")):
            path = self.literal(node)
            if path is not None:
                self.out.apis_provided.append(
                    Api("", normalise_base_path(path), loc_of(self.path, node), TEMPLATE)
                )

    def _name_values(self, mapping: Any) -> None:
        """Literal physical names handed to code: the way code reaches a resource by name."""
        if not isinstance(mapping, dict):
            return
        for value in mapping.values():
            if isinstance(value, str) and NAME_LIKE.match(value) and not value.startswith("arn:"):
                self.out.references.append(Reference("name", str(value), loc_of(self.path, value)))

    # -- events -----------------------------------------------------------------------------

    def _sam_events(self, props: Any, rid: str) -> None:
        events = props.get("Events")
        if not isinstance(events, dict):
            return
        for name, event in events.items():
            etype = as_str(get_in(event, "Type"))
            eprops = get_in(event, "Properties")
            if etype in ("EventBridgeRule", "CloudWatchEvent"):
                self._pattern(eprops, "Pattern", rid, f"{rid}'s event {name} Pattern")
            elif etype == "SNS":
                self._subscription(get_in(eprops, "Topic"), SNS, rid)
            elif etype == "SQS":
                self._subscription(get_in(eprops, "Queue"), SQS, rid)

    def _subscription(self, node: Any, channel: str, rid: str) -> None:
        """A subscription to a topic or queue given by ARN: consumption of that channel.

        A `Ref`/`GetAtt` of this template's own topic resolves to nothing and is skipped.
        """
        text = self.text(node)
        if text is None:
            return
        parsed = arn_resource(text)
        if parsed is None or parsed[0] != channel:
            return
        self.channel_nodes.add(id(node))
        self.out.consumes.append(
            Event(exact(parsed[1]), ANY_VALUE, loc_of(self.path, node), channel, TEMPLATE, rid)
        )

    def _pattern(self, props: Any, key: str, rid: str, label: str) -> None:
        node = get_in(props, key)
        if node is None:
            return
        pattern: Any = node
        if not isinstance(node, dict) or is_intrinsic(node):
            # A JSON string pattern (or a !Sub/!Ref of one): no positions inside, use the key's.
            text = self.literal(node) if is_intrinsic(node) else self.text(node)
            try:
                pattern = decode_json(text) if text is not None else None
            except ValueError as err:
                # Not a crash and not a silent gap: the engine reports it (SVC002).
                self.out.unread.append(Problem(
                    f"{label} cannot be read: {err}; svc cannot tell which events this rule "
                    "consumes: give the pattern as valid JSON, or as a YAML mapping",
                    node=key_node(props, key), path=f"Resources/{rid}/{key}", subject=str(err),
                ))
                return
        if not isinstance(pattern, dict):
            return
        at = loc_of(self.path, key_node(props, key))
        sources = self._matchers(pattern.get("source"), at)
        details = self._matchers(pattern.get("detail-type"), at)
        for source, source_loc in sources:
            for detail, _ in details:
                self.out.consumes.append(
                    Event(source, detail, source_loc, EVENTS, TEMPLATE, rid)
                )

    def _matchers(self, value: Any, at: Loc) -> list[tuple[Matcher, Loc]]:
        """The matchers of one pattern field; a missing field matches anything."""
        if value is None:
            return [(ANY_VALUE, at)]
        found = []
        for item in as_items(value):
            loc = loc_of(self.path, item) if position(item) != (0, 0) else at
            found.append((self._matcher(item), loc))
        return found or [(ANY_VALUE, at)]

    def _matcher(self, item: Any) -> Matcher:
        literal = self.literal(item)
        if literal is not None:
            return exact(literal)
        if not isinstance(item, dict) or len(item) != 1:
            return ANY_VALUE
        kind, operand = next(iter(item.items()))
        if kind in KEYED_KINDS:
            text = self.literal(operand)
            return Matcher(str(kind), (text,)) if text is not None else ANY_VALUE
        if kind == ANYTHING_BUT:
            excluded = [self.literal(v) for v in as_items(operand) if not isinstance(v, dict)]
            return Matcher(ANYTHING_BUT, tuple(sorted(v for v in excluded if v is not None)))
        return ANY_VALUE  # exists, numeric, cidr, an unresolved intrinsic: could be anything

    # -- outputs and parameters -------------------------------------------------------------

    def _outputs(self) -> None:
        outputs = self.data.get("Outputs")
        if not isinstance(outputs, dict):
            return
        for name, spec in outputs.items():
            self.out.outputs.append(Name(str(name), loc_of(self.path, name), "output"))
            node = get_in(spec, "Export", "Name")
            export = self.literal(node)
            if export:
                self.out.outputs.append(Name(export, loc_of(self.path, node), "export"))

    def _ssm_parameter_types(self) -> None:
        """`Type: AWS::SSM::Parameter::Value<String>` parameters read the path in their Default."""
        params = self.data.get("Parameters")
        if not isinstance(params, dict):
            return
        for spec in params.values():
            ptype, default = as_str(get_in(spec, "Type")), get_in(spec, "Default")
            if (ptype.startswith("AWS::SSM::Parameter::Value")
                    and isinstance(default, str) and default.startswith("/")):
                self.out.references.append(Reference("ssm", str(default), loc_of(self.path, default)))

    # -- the walk over the whole document ---------------------------------------------------

    def _walk_document(self) -> None:
        resources = self.data.get("Resources")
        for key, value in self.data.items():
            if key == "Resources" and isinstance(resources, dict):
                for rid, node in resources.items():
                    self._walk(node, str(rid))
            elif key != "Parameters":  # parameter defaults are read where they are used
                self._walk(value, "")

    def _walk(self, node: Any, rid: str) -> None:
        if isinstance(node, dict):
            if len(node) == 1:
                key = next(iter(node))
                if key in ("Fn::Sub", "Fn::Join", "Fn::ImportValue"):
                    self._intrinsic(node, str(key), rid)
                    return
            if "Action" in node and "Effect" in node:
                self._statement(node, rid)
            for child in node.values():
                self._walk(child, rid)
        elif isinstance(node, list):
            for child in node:
                self._walk(child, rid)
        elif isinstance(node, str):
            self._string(node, node)

    def _intrinsic(self, node: dict[str, Any], key: str, rid: str) -> None:
        arg = node[key]
        if key == "Fn::ImportValue":
            export = self.text(arg)
            if export and not export.startswith("${"):
                self.out.references.append(Reference("import", export, loc_of(self.path, node)))
            return
        text = self.text(node)
        if text is not None:
            self._string(text, node)
        # The operands may hold further intrinsics (a Sub's variable map, a Join's parts).
        operands = arg[1] if isinstance(arg, list) and len(arg) == 2 else None
        if isinstance(operands, (dict, list)):
            children = operands.values() if isinstance(operands, dict) else operands
            for child in children:
                if isinstance(child, (dict, list)):
                    self._walk(child, rid)

    def _string(self, text: str, node: object) -> None:
        if id(node) in self.channel_nodes:
            return
        if text.startswith("arn:"):
            parsed = arn_resource(text)
            if parsed is not None:
                namespace, name = parsed
                ref = Reference("ssm", name, loc_of(self.path, node)) if namespace == "ssm" else \
                    Reference("arn", f"{namespace}:{name}", loc_of(self.path, node))
                self.out.references.append(ref)
        elif "{{resolve:ssm" in text:
            for match in RESOLVE_SSM.finditer(text):
                if match.group(1).startswith("/"):
                    path = match.group(1)
                    self.out.references.append(Reference("ssm", path, loc_of(self.path, node)))

    def _statement(self, statement: dict[str, Any], rid: str) -> None:
        """An IAM statement allowing events:PutEvents for a given source publishes that source."""
        if as_str(statement.get("Effect")) != "Allow":
            return
        actions = [a.lower() for a in as_items(statement.get("Action")) if isinstance(a, str)]
        if not any(fnmatchcase("events:putevents", action) for action in actions):
            return
        condition = statement.get("Condition")
        if not isinstance(condition, dict):
            return
        for operator, body in condition.items():
            test = str(operator).split(":")[-1]  # ForAnyValue:StringEquals -> StringEquals
            if not isinstance(body, dict) or not test.startswith("String") or "Not" in test:
                continue
            for key, values in body.items():
                if str(key).lower() == "events:source":
                    self._published_sources(str(operator), values, rid)

    def _published_sources(self, operator: str, values: Any, rid: str) -> None:
        for value in as_items(values):
            source = self.literal(value)
            if not source:
                continue
            kind = EXACT
            if operator.endswith("IgnoreCase"):
                kind = IGNORE_CASE
            elif "Like" in operator and ("*" in source or "?" in source):
                kind = WILDCARD
            self.out.publishes.append(
                Event(Matcher(kind, (source,)), ANY_VALUE, loc_of(self.path, value), EVENTS,
                      TEMPLATE, rid)
            )
