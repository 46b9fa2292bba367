"""The facts of one repo that organisation rules reason about, and their versioned JSON form.

Organisation rules never see a repo, only its `Facts`: who the service is, which events it
publishes and consumes, which APIs it provides and uses, and which names and ARNs it owns or
refers to. That split (Backstage Tech Insights' facts -> checks, research/linter-anchors.md §4)
is what lets each repo's CI publish its facts (`svc facts`) and one job run the organisation
rules over all of them (`svc lint --facts DIR`) without cloning the organisation.

Extraction runs in the per-repo worker for every repo, so it is one pass over the resources and
one walk over the document, and it never raises on an odd template: every value is checked
with isinstance before use. Everything an org rule may report on carries a `Loc` (file, line,
col in the repo) so org findings point at the exact place.

Facts are frozen dataclasses of strings, ints and tuples: picklable (they cross the process
pool), hashable, and `facts_from_json(facts_to_json(f)) == f` exactly. Bump FACTS_VERSION (and
linter/schemas/facts.schema.json) whenever the JSON shape changes.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

from svc_serverless.errors import SvcError
from svc_serverless.linter.cfnyaml import MAX_BYTES, MAX_DEPTH, position
from svc_serverless.linter.rule import Problem

if TYPE_CHECKING:
    from svc_serverless.linter.model import LoadedRepo, Resource
    from svc_serverless.linter.result import RepoResult

FACTS_VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "schemas" / "facts.schema.json"
MANIFEST_FILE = "catalog-info.yaml"
ANSWERS_FILE = ".svc/answers.json"

# Channels an event travels on: EventBridge, or a named SNS topic / SQS queue.
EVENTS, SNS, SQS = "events", "sns", "sqs"
MANIFEST, TEMPLATE, BACKSTAGE = "manifest", "template", "backstage"

# Matcher kinds, in EventBridge's own vocabulary (its JSON form mirrors an event pattern).
EXACT, PREFIX, SUFFIX, WILDCARD, IGNORE_CASE, ANYTHING_BUT, ANY = (
    "exact", "prefix", "suffix", "wildcard", "equals-ignore-case", "anything-but", "any",
)
_KEYED_KINDS = (PREFIX, SUFFIX, WILDCARD, IGNORE_CASE)


# --------------------------------------------------------------------------------------------
# The facts


@dataclass(frozen=True)
class Loc:
    """Where a fact was declared: repo-relative POSIX file, 1-based line and column (0: unknown)."""

    file: str
    line: int = 0
    col: int = 0


@dataclass(frozen=True)
class Matcher:
    """One value matcher of an event pattern: an exact value, a prefix, ..., or anything.

    `values` holds the one operand (exact, prefix, suffix, wildcard, equals-ignore-case) or the
    excluded values (anything-but; empty means "could be anything").
    """

    kind: str
    values: tuple[str, ...] = ()

    @property
    def value(self) -> str:
        return self.values[0] if self.values else ""

    @property
    def is_exact(self) -> bool:
        return self.kind == EXACT

    def matches(self, text: str) -> bool:
        """Whether an event with this value (source or detail-type) would match."""
        kind, value = self.kind, self.value
        if kind == EXACT:
            return text == value
        if kind == PREFIX:
            return text.startswith(value)
        if kind == SUFFIX:
            return text.endswith(value)
        if kind == IGNORE_CASE:
            return text.casefold() == value.casefold()
        if kind == WILDCARD:
            return fnmatchcase(text, value)
        if kind == ANYTHING_BUT:
            return text not in self.values
        return True

    def __str__(self) -> str:
        if self.kind == EXACT:
            return self.value
        if self.kind == ANY:
            return "*"
        if self.kind == ANYTHING_BUT:
            return "anything but " + ", ".join(self.values) if self.values else "*"
        return f"{{{self.kind}: {self.value}}}"


ANY_VALUE = Matcher(ANY)


def exact(value: str) -> Matcher:
    return Matcher(EXACT, (value,))


@dataclass(frozen=True)
class Event:
    """An event published or consumed: on EventBridge (source, detail-type), or an SNS/SQS channel.

    For the sns and sqs channels `source` is the topic or queue name and `detail_type` is ANY.
    `origin` says where it was declared (manifest or template); `resource` is the template's
    logical id that declares it ("" for the manifest).
    """

    source: Matcher
    detail_type: Matcher
    loc: Loc
    channel: str = EVENTS
    origin: str = MANIFEST
    resource: str = ""

    def label(self) -> str:
        """How messages name the event: `source/detail-type` (or `sns topic NAME`)."""
        if self.channel != EVENTS:
            return f"{self.channel} {'topic' if self.channel == SNS else 'queue'} {self.source}"
        if self.detail_type.kind == ANY:
            return f"{self.source} (any detail-type)"
        return f"{self.source}/{self.detail_type}"


@dataclass(frozen=True)
class Api:
    """An API this service provides: its name and its base path ("" when not declared)."""

    name: str
    base_path: str
    loc: Loc
    origin: str = MANIFEST


@dataclass(frozen=True)
class Name:
    """A named thing a repo declares: an API it uses, an output, a key, a prefix, a name it owns.

    `kind` qualifies it: for owned physical names the AWS service namespace (dynamodb, sqs, sns,
    lambda, s3, states, events, kms, logs, kinesis, secretsmanager, iam); for outputs "output" or
    "export"; for KMS keys "key" (logical id) or "alias"; for SSM prefixes the origin.
    """

    value: str
    loc: Loc
    kind: str = ""


@dataclass(frozen=True)
class Reference:
    """A value in the template that may name another service's resource.

    kind "arn": value "<namespace>:<resource name>" (e.g. "dynamodb:orders"); "import": an
    `Fn::ImportValue` export name; "ssm": an SSM parameter path; "name": a literal physical
    name handed to code (environment variables, state machine substitutions).
    """

    kind: str
    value: str
    loc: Loc


@dataclass(frozen=True)
class Facts:
    """Everything organisation rules know about one repo."""

    service: str
    folder: str = ""
    owner: str = ""
    lifecycle: str = ""
    system: str = ""
    domain: str = ""
    service_loc: Loc = Loc("")
    manifest: str = ""  # "" (none), "backstage" (no spec.svc) or "svc"
    template: str = ""  # the template's path, "" when there is none
    template_ok: bool = False  # the template parsed
    scaffold_version: str = ""  # svc version recorded in .svc/answers.json, "" if not an svc repo
    scaffold_loc: Loc = Loc("")
    publishes: tuple[Event, ...] = ()
    consumes: tuple[Event, ...] = ()
    apis_provided: tuple[Api, ...] = ()
    apis_used: tuple[Name, ...] = ()
    outputs: tuple[Name, ...] = ()
    kms_keys: tuple[Name, ...] = ()
    ssm_prefixes: tuple[Name, ...] = ()
    owned_names: tuple[Name, ...] = ()
    references: tuple[Reference, ...] = ()


# --------------------------------------------------------------------------------------------
# Small readers over marked values: never raise, whatever the document holds


def _loc(file: str, node: object) -> Loc:
    line, col = position(node)
    return Loc(file, line, col)


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _str(value: Any) -> str:
    return str(value) if isinstance(value, str) else ""


def _items(value: Any) -> list[Any]:
    """A list value as a list; a single value as a one-item list (CFN often allows both)."""
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _is_intrinsic(node: Any) -> bool:
    if not isinstance(node, dict) or len(node) != 1:
        return False
    key = next(iter(node))
    return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))


def _key_node(mapping: Any, key: str) -> Any:
    """The key object itself (it carries the key's position); the mapping if the key is absent."""
    if isinstance(mapping, dict):
        for candidate in mapping:
            if candidate == key:
                return candidate
    return mapping


def normalise_base_path(path: str) -> str:
    """'/orders/' and 'orders' are the same base path: one leading slash, no trailing one."""
    stripped = path.strip().strip("/")
    return "/" + stripped


def normalise_ssm_prefix(path: str) -> str:
    """The first segment of an SSM path as a prefix ('/orders/x/y' -> '/orders/'); '' if none."""
    segment = path.strip().lstrip("/").split("/", 1)[0]
    return f"/{segment}/" if segment and "/" in path.strip() else ""


# --------------------------------------------------------------------------------------------
# ARNs and names


_SUB_VAR = re.compile(r"\$\{([^}!${]*)\}")  # no "${" inside: linear on "${${${..."
_PSEUDO = re.compile(r"\$\{[^${}]*::[^${}]*\}")
_RESOLVE_SSM = re.compile(r"\{\{resolve:ssm(?:-secure)?:([^:}]+)")
_NAME_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{2,254}$")
_SECRET_SUFFIX = re.compile(r"-(?:[A-Za-z0-9]{6}|\?{6})$")

# Properties that give a resource a physical name others could refer to: type -> (property, ns).
OWNED_NAME_PROPERTIES: dict[str, tuple[str, str]] = {
    "AWS::DynamoDB::Table": ("TableName", "dynamodb"),
    "AWS::DynamoDB::GlobalTable": ("TableName", "dynamodb"),
    "AWS::Serverless::SimpleTable": ("TableName", "dynamodb"),
    "AWS::SQS::Queue": ("QueueName", "sqs"),
    "AWS::SNS::Topic": ("TopicName", "sns"),
    "AWS::Lambda::Function": ("FunctionName", "lambda"),
    "AWS::Serverless::Function": ("FunctionName", "lambda"),
    "AWS::S3::Bucket": ("BucketName", "s3"),
    "AWS::StepFunctions::StateMachine": ("StateMachineName", "states"),
    "AWS::Serverless::StateMachine": ("Name", "states"),
    "AWS::Events::EventBus": ("Name", "events"),
    "AWS::KMS::Alias": ("AliasName", "kms"),
    "AWS::Logs::LogGroup": ("LogGroupName", "logs"),
    "AWS::Kinesis::Stream": ("Name", "kinesis"),
    "AWS::SecretsManager::Secret": ("Name", "secretsmanager"),
    "AWS::IAM::Role": ("RoleName", "iam"),
}


def arn_resource(arn: str) -> tuple[str, str] | None:
    """(namespace, resource name) of an ARN, for the services whose names svc tracks.

    ssm parameters come back as ("ssm", "/path"). Names that are not literal (`${...}`) or are
    wildcards cannot be attributed to an owner and give None.
    """
    # `${AWS::Region}` and friends hold colons: make them colon-free placeholders that still
    # mark a name built from them as not literal.
    parts = _PSEUDO.sub("${}", arn).split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    namespace, resource = parts[2], parts[5]
    name = _resource_name(namespace, resource)
    if not name or "${" in name or "*" in name or "?" in name:
        return None
    return namespace, name


def _after(resource: str, prefix: str) -> str:
    return resource[len(prefix):] if resource.startswith(prefix) else ""


def _resource_name(namespace: str, resource: str) -> str:
    if namespace in ("sns", "sqs"):
        return resource.split(":", 1)[0]
    if namespace == "s3":
        return resource.split("/", 1)[0]
    if namespace == "dynamodb":
        return _after(resource, "table/").split("/", 1)[0]
    if namespace == "lambda":
        return _after(resource, "function:").split(":", 1)[0]
    if namespace == "states":
        rest = _after(resource, "stateMachine:") or _after(resource, "execution:")
        return rest.split(":", 1)[0]
    if namespace == "events":
        return _after(resource, "event-bus/")
    if namespace == "kms":
        return resource if resource.startswith("alias/") else ""
    if namespace == "logs":
        return _after(resource, "log-group:").split(":", 1)[0]
    if namespace == "kinesis":
        return _after(resource, "stream/").split("/", 1)[0]
    if namespace == "secretsmanager":
        return _SECRET_SUFFIX.sub("", _after(resource, "secret:"))
    if namespace == "iam":
        return _after(resource, "role/").rsplit("/", 1)[-1]
    if namespace == "ssm":
        path = _after(resource, "parameter")
        return path if path.startswith("/") else ""
    return ""


# --------------------------------------------------------------------------------------------
# Extraction


@dataclass
class _Collected:
    """What the passes over one repo gather; turned into tuples for the frozen Facts."""

    publishes: list[Event] = field(default_factory=list)
    consumes: list[Event] = field(default_factory=list)
    apis_provided: list[Api] = field(default_factory=list)
    apis_used: list[Name] = field(default_factory=list)
    outputs: list[Name] = field(default_factory=list)
    kms_keys: list[Name] = field(default_factory=list)
    ssm_prefixes: list[Name] = field(default_factory=list)
    owned_names: list[Name] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    unread: list[Problem] = field(default_factory=list)  # parts svc could not read, and why


def _unique(values: list[Any]) -> tuple[Any, ...]:
    """Drop repeats, keep first-seen order (Globals values are seen once per function)."""
    return tuple(dict.fromkeys(values))


class _TemplateReader:
    """One pass over a template's resources plus one walk over the document.

    Values are resolved as far as the template itself allows: a `Ref` to a parameter uses its
    Default, `${AWS::StackName}` is the service name (svc deploys a service as the stack of the
    same name), other pseudo parameters stay as `${...}` placeholders, and anything that depends
    on a resource of this template is local and never attributed to another service.
    """

    def __init__(self, service: str, path: str, data: dict[str, Any], out: _Collected) -> None:
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
                default = _get(spec, "Default")
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

        return _SUB_VAR.sub(replace, str(template))

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
            key = _key_node(self.data.get("Resources"), rid)
            self.out.kms_keys.append(Name(rid, _loc(self.path, key), "key"))
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
            self._name_values(_get(props, "Environment", "Variables"))
        if rtype in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
            self._name_values(props.get("DefinitionSubstitutions"))

    def _owned_name(self, props: Any, prop: str, namespace: str) -> None:
        node = _get(props, prop)
        name = self.literal(node)
        if not name:
            return
        self.out.owned_names.append(Name(name, _loc(self.path, node), namespace))
        if namespace in (SNS, SQS):  # a topic or queue it owns is a channel others may read
            self.out.publishes.append(
                Event(exact(name), ANY_VALUE, _loc(self.path, node), namespace, TEMPLATE)
            )

    def _kms_alias(self, props: Any) -> None:
        node = _get(props, "AliasName")
        alias = self.literal(node)
        if alias:
            self.out.kms_keys.append(Name(alias, _loc(self.path, node), "alias"))

    def _ssm_parameter(self, props: Any) -> None:
        node = _get(props, "Name")
        name = self.literal(node)
        prefix = normalise_ssm_prefix(name or "")
        if prefix:
            self.out.ssm_prefixes.append(Name(prefix, _loc(self.path, node), TEMPLATE))

    def _base_path(self, props: Any, prop: str) -> None:
        node = _get(props, prop)
        path = self.literal(node)
        loc = _loc(self.path, node if node is not None else props)
        self.out.apis_provided.append(Api("", normalise_base_path(path or ""), loc, TEMPLATE))

    def _sam_domain_base_paths(self, props: Any) -> None:
        """Explicit `Domain.BasePath` entries (without one SAM maps the domain's root)."""
        for node in _items(_get(props, "Domain", "BasePath")):
            path = self.literal(node)
            if path is not None:
                self.out.apis_provided.append(
                    Api("", normalise_base_path(path), _loc(self.path, node), TEMPLATE)
                )

    def _name_values(self, mapping: Any) -> None:
        """Literal physical names handed to code: the way code reaches a resource by name."""
        if not isinstance(mapping, dict):
            return
        for value in mapping.values():
            if isinstance(value, str) and _NAME_LIKE.match(value) and not value.startswith("arn:"):
                self.out.references.append(Reference("name", str(value), _loc(self.path, value)))

    # -- events -----------------------------------------------------------------------------

    def _sam_events(self, props: Any, rid: str) -> None:
        events = props.get("Events")
        if not isinstance(events, dict):
            return
        for name, event in events.items():
            etype = _str(_get(event, "Type"))
            eprops = _get(event, "Properties")
            if etype in ("EventBridgeRule", "CloudWatchEvent"):
                self._pattern(eprops, "Pattern", rid, f"{rid}'s event {name} Pattern")
            elif etype == "SNS":
                self._subscription(_get(eprops, "Topic"), SNS, rid)
            elif etype == "SQS":
                self._subscription(_get(eprops, "Queue"), SQS, rid)

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
            Event(exact(parsed[1]), ANY_VALUE, _loc(self.path, node), channel, TEMPLATE, rid)
        )

    def _pattern(self, props: Any, key: str, rid: str, label: str) -> None:
        node = _get(props, key)
        if node is None:
            return
        pattern: Any = node
        if not isinstance(node, dict) or _is_intrinsic(node):
            # A JSON string pattern (or a !Sub/!Ref of one): no positions inside, use the key's.
            text = self.literal(node) if _is_intrinsic(node) else self.text(node)
            try:
                pattern = decode_json(text) if text is not None else None
            except ValueError as err:
                # Not a crash and not a silent gap: the engine reports it (SVC002).
                self.out.unread.append(Problem(
                    f"{label} cannot be read: {err}; svc cannot tell which events this rule "
                    "consumes: give the pattern as valid JSON, or as a YAML mapping",
                    node=_key_node(props, key), path=f"Resources/{rid}/{key}", subject=str(err),
                ))
                return
        if not isinstance(pattern, dict):
            return
        at = _loc(self.path, _key_node(props, key))
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
        for item in _items(value):
            loc = _loc(self.path, item) if position(item) != (0, 0) else at
            found.append((self._matcher(item), loc))
        return found or [(ANY_VALUE, at)]

    def _matcher(self, item: Any) -> Matcher:
        literal = self.literal(item)
        if literal is not None:
            return exact(literal)
        if not isinstance(item, dict) or len(item) != 1:
            return ANY_VALUE
        kind, operand = next(iter(item.items()))
        if kind in _KEYED_KINDS:
            text = self.literal(operand)
            return Matcher(str(kind), (text,)) if text is not None else ANY_VALUE
        if kind == ANYTHING_BUT:
            excluded = [self.literal(v) for v in _items(operand) if not isinstance(v, dict)]
            return Matcher(ANYTHING_BUT, tuple(sorted(v for v in excluded if v is not None)))
        return ANY_VALUE  # exists, numeric, cidr, an unresolved intrinsic: could be anything

    # -- outputs and parameters -------------------------------------------------------------

    def _outputs(self) -> None:
        outputs = self.data.get("Outputs")
        if not isinstance(outputs, dict):
            return
        for name, spec in outputs.items():
            self.out.outputs.append(Name(str(name), _loc(self.path, name), "output"))
            node = _get(spec, "Export", "Name")
            export = self.literal(node)
            if export:
                self.out.outputs.append(Name(export, _loc(self.path, node), "export"))

    def _ssm_parameter_types(self) -> None:
        """`Type: AWS::SSM::Parameter::Value<String>` parameters read the path in their Default."""
        params = self.data.get("Parameters")
        if not isinstance(params, dict):
            return
        for spec in params.values():
            ptype, default = _str(_get(spec, "Type")), _get(spec, "Default")
            if (ptype.startswith("AWS::SSM::Parameter::Value")
                    and isinstance(default, str) and default.startswith("/")):
                self.out.references.append(Reference("ssm", str(default), _loc(self.path, default)))

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
                self.out.references.append(Reference("import", export, _loc(self.path, node)))
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
                ref = Reference("ssm", name, _loc(self.path, node)) if namespace == "ssm" else \
                    Reference("arn", f"{namespace}:{name}", _loc(self.path, node))
                self.out.references.append(ref)
        elif "{{resolve:ssm" in text:
            for match in _RESOLVE_SSM.finditer(text):
                if match.group(1).startswith("/"):
                    path = match.group(1)
                    self.out.references.append(Reference("ssm", path, _loc(self.path, node)))

    def _statement(self, statement: dict[str, Any], rid: str) -> None:
        """An IAM statement allowing events:PutEvents for a given source publishes that source."""
        if _str(statement.get("Effect")) != "Allow":
            return
        actions = [a.lower() for a in _items(statement.get("Action")) if isinstance(a, str)]
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
        for value in _items(values):
            source = self.literal(value)
            if not source:
                continue
            kind = EXACT
            if operator.endswith("IgnoreCase"):
                kind = IGNORE_CASE
            elif "Like" in operator and ("*" in source or "?" in source):
                kind = WILDCARD
            self.out.publishes.append(
                Event(Matcher(kind, (source,)), ANY_VALUE, _loc(self.path, value), EVENTS,
                      TEMPLATE, rid)
            )


class _ManifestReader:
    """The manifest (a Backstage Component): identity, and svc's declarations under spec.svc."""

    def __init__(self, manifest: Any, out: _Collected) -> None:
        self.manifest = manifest if isinstance(manifest, dict) else {}
        self.out = out

    @property
    def spec(self) -> Any:
        return _get(self.manifest, "spec")

    def field(self, *keys: str) -> str:
        return _str(_get(self.spec, *keys))

    def kind(self) -> str:
        if not self.manifest:
            return ""
        return "svc" if isinstance(_get(self.spec, "svc"), dict) else BACKSTAGE

    def read(self) -> None:
        svc = _get(self.spec, "svc")
        for key, target in (("publishes", self.out.publishes), ("consumes", self.out.consumes)):
            for item in _items(_get(svc, "events", key)):
                event = self._event(item)
                if event is not None:
                    target.append(event)
        self._apis(svc)
        prefix_node = _get(svc, "ssmPrefix")
        prefix = normalise_ssm_prefix(_str(prefix_node) + "/") if prefix_node else ""
        if prefix:
            self.out.ssm_prefixes.append(Name(prefix, _loc(MANIFEST_FILE, prefix_node), MANIFEST))

    def _event(self, item: Any) -> Event | None:
        source = _str(_get(item, "source"))
        if not source:
            return None
        detail = _str(_get(item, "detailType"))
        return Event(exact(source), exact(detail) if detail else ANY_VALUE,
                     _loc(MANIFEST_FILE, item), EVENTS, MANIFEST)

    def _apis(self, svc: Any) -> None:
        declared: set[str] = set()
        for item in _items(_get(svc, "apis", "provides")):
            name, base = _str(_get(item, "name")), _str(_get(item, "basePath"))
            if name or base:
                declared.add(name)
                self.out.apis_provided.append(
                    Api(name, normalise_base_path(base) if base else "", _loc(MANIFEST_FILE, item))
                )
        for item in _items(_get(self.spec, "providesApis")):
            if isinstance(item, str) and item and item not in declared:
                loc = _loc(MANIFEST_FILE, item)
                self.out.apis_provided.append(Api(str(item), "", loc, BACKSTAGE))
        for item in _items(_get(self.spec, "consumesApis")):
            if isinstance(item, str) and item:
                self.out.apis_used.append(Name(str(item), _loc(MANIFEST_FILE, item), "api"))


def _service_loc(repo: LoadedRepo) -> Loc:
    """Where the service name is claimed: the manifest's metadata.name, else the template."""
    node = _get(repo.manifest, "metadata", "name")
    if isinstance(node, str):
        return _loc(MANIFEST_FILE, node)
    return Loc(repo.template.path if repo.template else "", 1, 1)


def _scaffold(repo: LoadedRepo) -> tuple[str, Loc]:
    """The svc version recorded at scaffold time, and the line that records it."""
    answers = repo.answers if isinstance(repo.answers, dict) else {}
    version = _str(answers.get("svc_version"))
    if not version:
        return "", Loc("")
    text = repo.text(ANSWERS_FILE) or ""
    for number, line in enumerate(text.splitlines(), start=1):
        col = line.find('"svc_version"')
        if col >= 0:
            return version, Loc(ANSWERS_FILE, number, col + 1)
    return version, Loc(ANSWERS_FILE, 1, 1)


def decode_json(text: str) -> Any:
    """A JSON document held in a template string (an EventPattern), bounded like the loader.

    ValueError, with the reason, if it is larger than the loader's MAX_BYTES, nests deeper than
    its MAX_DEPTH or is not JSON. json.loads recurses once per level: CPython guards that
    recursion, so a string of 100,000 `[` stops at the interpreter's limit as RecursionError,
    which is turned into the same "nests too deep" reason as anything between the two limits.
    """
    too_deep = f"it nests deeper than {MAX_DEPTH} levels"
    if len(text) > MAX_BYTES:
        raise ValueError(f"it is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(too_deep) from None
    except json.JSONDecodeError as err:
        where = f"at line {err.lineno} column {err.colno}"
        raise ValueError(f"it is not JSON ({err.msg} {where})") from None
    if _deeper_than(value, MAX_DEPTH):
        raise ValueError(too_deep)
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and mappings nest more than `limit` levels (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        children = node.values() if isinstance(node, dict) else node
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def extract_facts(repo: LoadedRepo) -> Facts:
    """The facts of one loaded repo: cheap, and never raises on an odd template or manifest."""
    return read_facts(repo)[0]


def read_facts(repo: LoadedRepo) -> tuple[Facts, tuple[Problem, ...]]:
    """The facts, and the parts of the template svc could not read for them (with the reason).

    A part that could not be read (an EventPattern string nested too deep) is missing from the
    facts: the engine reports each as SVC002, and `svc facts` refuses to print facts without it.
    """
    out = _Collected()
    manifest = _ManifestReader(repo.manifest, out)
    manifest.read()
    template = repo.template
    if template is not None and template.error is None:
        _TemplateReader(repo.service, template.path, template.data, out).read(template.resources)
    version, version_loc = _scaffold(repo)
    return Facts(
        service=repo.service,
        folder=repo.name,
        owner=manifest.field("owner"),
        lifecycle=manifest.field("lifecycle"),
        system=manifest.field("system"),
        domain=manifest.field("svc", "domain"),
        service_loc=_service_loc(repo),
        manifest=manifest.kind(),
        template=template.path if template is not None else "",
        template_ok=template is not None and template.error is None,
        scaffold_version=version,
        scaffold_loc=version_loc,
        publishes=_unique(out.publishes),
        consumes=_unique(out.consumes),
        apis_provided=_unique(out.apis_provided),
        apis_used=_unique(out.apis_used),
        outputs=_unique(out.outputs),
        kms_keys=_unique(out.kms_keys),
        ssm_prefixes=_unique(out.ssm_prefixes),
        owned_names=_unique(out.owned_names),
        references=_unique(out.references),
    ), tuple(out.unread)


# --------------------------------------------------------------------------------------------
# JSON: compact, and shaped like what it describes (matchers read like event patterns)


def _loc_json(loc: Loc) -> list[Any]:
    return [loc.file, loc.line, loc.col]


def _loc_from(data: Any) -> Loc:
    file, line, col = data
    return Loc(str(file), int(line), int(col))


def _matcher_json(matcher: Matcher) -> Any:
    if matcher.kind == EXACT:
        return matcher.value
    if matcher.kind == ANY:
        return None
    if matcher.kind == ANYTHING_BUT:
        return {ANYTHING_BUT: list(matcher.values)}
    return {matcher.kind: matcher.value}


def _matcher_from(data: Any) -> Matcher:
    if data is None:
        return ANY_VALUE
    if isinstance(data, str):
        return exact(data)
    (kind, operand), = data.items()
    if kind == ANYTHING_BUT:
        return Matcher(ANYTHING_BUT, tuple(str(v) for v in operand))
    if kind not in _KEYED_KINDS:
        raise ValueError(f"unknown matcher {kind!r}")
    return Matcher(str(kind), (str(operand),))


def _event_json(event: Event) -> dict[str, Any]:
    return {
        "source": _matcher_json(event.source),
        "detail_type": _matcher_json(event.detail_type),
        "at": _loc_json(event.loc),
        "channel": event.channel,
        "origin": event.origin,
        "resource": event.resource,
    }


def _event_from(data: dict[str, Any]) -> Event:
    return Event(_matcher_from(data["source"]), _matcher_from(data["detail_type"]),
                 _loc_from(data["at"]), str(data["channel"]), str(data["origin"]),
                 str(data["resource"]))


def _api_json(api: Api) -> dict[str, Any]:
    return {"name": api.name, "base_path": api.base_path, "at": _loc_json(api.loc),
            "origin": api.origin}


def _api_from(data: dict[str, Any]) -> Api:
    return Api(str(data["name"]), str(data["base_path"]), _loc_from(data["at"]),
               str(data["origin"]))


def _name_json(name: Name) -> dict[str, Any]:
    return {"value": name.value, "kind": name.kind, "at": _loc_json(name.loc)}


def _name_from(data: dict[str, Any]) -> Name:
    return Name(str(data["value"]), _loc_from(data["at"]), str(data["kind"]))


def _reference_json(ref: Reference) -> dict[str, Any]:
    return {"kind": ref.kind, "value": ref.value, "at": _loc_json(ref.loc)}


def _reference_from(data: dict[str, Any]) -> Reference:
    return Reference(str(data["kind"]), str(data["value"]), _loc_from(data["at"]))


_SCALARS = ("service", "folder", "owner", "lifecycle", "system", "domain", "manifest",
            "template", "template_ok", "scaffold_version")
_NAME_LISTS = ("apis_used", "outputs", "kms_keys", "ssm_prefixes", "owned_names")


def facts_to_json(facts: Facts) -> dict[str, Any]:
    """The versioned JSON form (linter/schemas/facts.schema.json)."""
    data: dict[str, Any] = {"version": FACTS_VERSION}
    data.update({key: getattr(facts, key) for key in _SCALARS})
    data["service_at"] = _loc_json(facts.service_loc)
    data["scaffold_at"] = _loc_json(facts.scaffold_loc)
    data["publishes"] = [_event_json(e) for e in facts.publishes]
    data["consumes"] = [_event_json(e) for e in facts.consumes]
    data["apis_provided"] = [_api_json(a) for a in facts.apis_provided]
    for key in _NAME_LISTS:
        data[key] = [_name_json(n) for n in getattr(facts, key)]
    data["references"] = [_reference_json(r) for r in facts.references]
    return data


def facts_from_json(data: dict[str, Any]) -> Facts:
    """Facts from their JSON form; ValueError/KeyError/TypeError if it is not that form."""
    version = data.get("version")
    if version != FACTS_VERSION:
        raise ValueError(
            f"facts version {version!r} is not {FACTS_VERSION}: produce the facts with the same "
            "svc version that lints them"
        )
    names = {key: tuple(_name_from(n) for n in data[key]) for key in _NAME_LISTS}
    return Facts(
        service=str(data["service"]),
        folder=str(data["folder"]),
        owner=str(data["owner"]),
        lifecycle=str(data["lifecycle"]),
        system=str(data["system"]),
        domain=str(data["domain"]),
        service_loc=_loc_from(data["service_at"]),
        manifest=str(data["manifest"]),
        template=str(data["template"]),
        template_ok=bool(data["template_ok"]),
        scaffold_version=str(data["scaffold_version"]),
        scaffold_loc=_loc_from(data["scaffold_at"]),
        publishes=tuple(_event_from(e) for e in data["publishes"]),
        consumes=tuple(_event_from(e) for e in data["consumes"]),
        apis_provided=tuple(_api_from(a) for a in data["apis_provided"]),
        apis_used=names["apis_used"],
        outputs=names["outputs"],
        kms_keys=names["kms_keys"],
        ssm_prefixes=names["ssm_prefixes"],
        owned_names=names["owned_names"],
        references=tuple(_reference_from(r) for r in data["references"]),
    )


# --------------------------------------------------------------------------------------------
# `svc facts PATH` and `svc lint --facts DIR`


def facts_json_for_path(path: Path) -> str:
    """The facts of the repo at path as indented JSON; SvcError if path is not a service repo."""
    from svc_serverless.linter.model import find_template, load_repo

    root = path.resolve()
    if not root.is_dir():
        raise SvcError(f"{path} is not a folder: give the path of a service repo")
    if find_template(root) is None:
        raise SvcError(
            f"{path} is not a service repo: "
            "no template.yaml, template.yml or template.json at its root"
        )
    # Incomplete facts published as complete would let the organisation rules pass this repo
    # unchecked: a crash or an unreadable part is a one-line error, never exit 0 or exit 3.
    try:
        facts, unread = read_facts(load_repo(root))
    except Exception as err:  # noqa: BLE001 - no input may produce exit 3
        from svc_serverless.linter.engine import describe_crash

        raise SvcError(f"svc crashed while extracting the facts of {path}: "
                       f"{describe_crash(err)}; no facts written (please report this)") from None
    if unread:
        first = unread[0]
        line, col = position(first.node)
        raise SvcError(f"{path}: {facts.template}:{line}:{col}: {first.message} "
                       "(`svc lint` reports it as SVC002); no facts written")
    from svc_serverless.linter.report.safe import safe_json

    # Printed to CI logs and published as an artifact: repo text must not become a command.
    return safe_json(json.dumps(facts_to_json(facts), indent=2, ensure_ascii=False)) + "\n"


def _schema_validator() -> Any:
    import jsonschema  # type: ignore[import-untyped, unused-ignore]  # lazy: only --facts pays

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _display(path: Path, cwd: Path) -> str:
    from svc_serverless.linter.files import shown

    try:
        return shown(path.relative_to(cwd).as_posix())
    except ValueError:
        return shown(str(path))


def _read_facts_file(path: Path, shown: str, validator: Any) -> RepoResult:
    from svc_serverless.linter.cfnyaml import TemplateSyntaxError, loads_json
    from svc_serverless.linter.files import MAX_FACTS_BYTES, Unreadable, decode_text, read_file
    from svc_serverless.linter.result import RepoResult

    def broken(why: str) -> RepoResult:
        return RepoResult(name=shown.rsplit("/", 1)[-1].removesuffix(".json"), path=shown,
                          error=f"{shown} is not a valid svc facts file: {why}")

    try:
        data = loads_json(decode_text(read_file(path, MAX_FACTS_BYTES)))
    except Unreadable as err:
        return broken(f"it {err.reason}")
    except TemplateSyntaxError as err:
        where = f" at line {err.line}" if err.line else ""
        return broken(f"invalid JSON{where} ({err.message})")
    if isinstance(data, dict) and data.get("version") != FACTS_VERSION:
        version = data.get("version")
        shown_version = repr(version) if isinstance(version, (str, int, float, bool)) else "?"
        return broken(f"version {shown_version[:40]}, this svc reads version {FACTS_VERSION}; "
                      "produce it with the same svc version")
    import jsonschema  # type: ignore[import-untyped, unused-ignore]

    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "top level"
        message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
        return broken(f"at {where[:200]}: {message}")
    try:
        facts = facts_from_json(data)
    except (ValueError, KeyError, TypeError) as err:
        return broken(f"{err.__class__.__name__}: {str(err)[:160]}")
    return RepoResult(name=facts.folder or facts.service, path=shown, facts=facts)


def _facts_files(folder: Path, directory: Path) -> list[Path]:
    """The `*.json` entries of folder, in name order; SvcError if it cannot be listed."""
    try:
        with os.scandir(folder) as scan:
            names = sorted(entry.name for entry in scan if entry.name.endswith(".json"))
    except OSError as err:
        raise SvcError(f"cannot list facts folder {directory}: "
                       f"{err.strerror or err.__class__.__name__}") from None
    return [folder / name for name in names]


def results_from_facts_dir(directory: Path, cwd: Path) -> list[RepoResult]:
    """One RepoResult (facts, no findings) per `*.json` in directory, in name order.

    A file that cannot be read or does not match the schema becomes a RepoResult with `error`
    (so the run reports it and goes on): a FIFO or folder named *.json too, a file over the
    size limit, one nested too deep. A missing or unlistable directory is a usage error.
    """
    folder = directory if directory.is_absolute() else cwd / directory
    try:
        is_dir = stat.S_ISDIR(os.stat(folder).st_mode)
    except (OSError, ValueError):
        is_dir = False
    if not is_dir:
        raise SvcError(
            f"facts folder {directory} does not exist: give a folder of `svc facts` JSON files"
        )
    validator = _schema_validator()
    return [_read_facts_file(path, _display(path, cwd), validator)
            for path in _facts_files(folder, directory)]
