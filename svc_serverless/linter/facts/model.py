"""The records of facts: what organisation rules know about one repo.

Facts are frozen dataclasses of strings, ints and tuples: picklable (they cross the process
pool), hashable, and exactly round-tripped by the JSON codec (codec.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

# Channels an event travels on: EventBridge, or a named SNS topic / SQS queue.
EVENTS, SNS, SQS = "events", "sns", "sqs"
MANIFEST, TEMPLATE, BACKSTAGE = "manifest", "template", "backstage"

# Matcher kinds, in EventBridge's own vocabulary (its JSON form mirrors an event pattern).
EXACT, PREFIX, SUFFIX, WILDCARD, IGNORE_CASE, ANYTHING_BUT, ANY = (
    "exact", "prefix", "suffix", "wildcard", "equals-ignore-case", "anything-but", "any",
)
KEYED_KINDS = (PREFIX, SUFFIX, WILDCARD, IGNORE_CASE)



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
    logical id that declares it ("" for the manifest). `bus` is "" for the default bus or any
    bus the service does not define (the organisation's shared bus), else the logical id of the
    `AWS::Events::EventBus` of its own template the event travels on: an internal event.

    A published event whose source is ANY is an unknown producer (a pipe whose source is a JSON
    path): it could put any source on its bus.
    """

    source: Matcher
    detail_type: Matcher
    loc: Loc
    channel: str = EVENTS
    origin: str = MANIFEST
    resource: str = ""
    bus: str = ""

    @property
    def internal(self) -> bool:
        """Whether it travels on a bus the service owns: none of the organisation's business."""
        return bool(self.bus)

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



def normalise_base_path(path: str) -> str:
    """'/orders/' and 'orders' are the same base path: one leading slash, no trailing one."""
    stripped = path.strip().strip("/")
    return "/" + stripped


def normalise_ssm_prefix(path: str) -> str:
    """The first segment of an SSM path as a prefix ('/orders/x/y' -> '/orders/'); '' if none."""
    segment = path.strip().lstrip("/").split("/", 1)[0]
    return f"/{segment}/" if segment and "/" in path.strip() else ""
