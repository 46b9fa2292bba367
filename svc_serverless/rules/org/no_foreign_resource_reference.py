"""A template refers to a resource that belongs to another service.

## What it does
Indexes the names every service owns (literal physical names such as `TableName`, `QueueName`,
`TopicName`, `FunctionName`, `BucketName`, event bus and state machine names, KMS alias names,
role names; its stack's export names; its SSM prefix) and matches every repo's references
against them: ARNs with a resource name (literal or in `!Sub`/`!Join`), `!ImportValue` names
(an export name starting with `<service>-` belongs to that service), SSM paths read through
`{{resolve:ssm:...}}`, SSM-typed parameters or `ssm` ARNs (a path under another service's
prefix, or under `/<service>/`), and literal names handed to code in environment variables or
state machine substitutions. A reference to a resource another service owns is reported where
it is written, naming that service.

Subscribing to a topic or queue another service offers is consuming its events (checked by
ORG003), so references to a channel the repo consumes are not reported here. A literal value
handed to code that reads as a setting rather than a name (shorter than four characters, or a
stage, log level, flag or format such as `test`, `prod`, `INFO`, `true`) is not matched.

## Why is this bad?
A stack that needs another service's table, key, parameter or export cannot be deployed, moved,
or deleted on its own, and the other team can no longer change its own resource without
breaking a service it does not know about. Share nothing: reach another service through its API
or its events, never through its resources.

## Example
```yaml
Resources:
  ReportFunction:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          ORDERS_TABLE: !ImportValue orders-TableName    # orders' table
          PRICES: "{{resolve:ssm:/pricing/table-name}}"  # pricing's parameter
```

## Use instead
```yaml
Resources:
  ReportFunction:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          ORDERS_API: "{{resolve:ssm:/reports/orders-api-url}}"  # own prefix: call orders' API
      Events:
        OrderPlaced:                                             # or keep a copy from its events
          Type: EventBridgeRule
          Properties:
            Pattern: {source: [orders], detail-type: [OrderPlaced]}
```
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from svc_serverless.linter.config import Policy
from svc_serverless.linter.facts import EVENTS, Facts, Reference, normalise_ssm_prefix
from svc_serverless.linter.rule import OrgProblem, OrgRule
from svc_serverless.rules.org.index import in_order, names, problem

KIND_WORDS = {"arn": "ARN of", "import": "export", "ssm": "SSM parameter", "name": "name"}


class Owners:
    """Who owns each name, export and SSM prefix in the organisation."""

    def __init__(self, facts: Sequence[Facts]) -> None:
        self.arns: dict[str, set[str]] = defaultdict(set)  # "<namespace>:<name>"
        self.names: dict[str, set[str]] = defaultdict(set)
        self.exports: dict[str, set[str]] = defaultdict(set)
        self.prefixes: dict[str, set[str]] = defaultdict(set)
        self.services = {f.service for f in facts}
        for f in facts:
            for owned in f.owned_names:
                self.arns[f"{owned.kind}:{owned.value}"].add(f.service)
                self.names[owned.value].add(f.service)
            for output in f.outputs:
                if output.kind == "export":
                    self.exports[output.value].add(f.service)
            for prefix in f.ssm_prefixes:
                self.prefixes[prefix.value].add(f.service)

    def of(self, ref: Reference) -> set[str]:
        if ref.kind == "arn":
            return self.arns.get(ref.value, set())
        if ref.kind == "name":
            return self.names.get(ref.value, set())
        if ref.kind == "import":
            return self.exports.get(ref.value) or self._by_name_prefix(ref.value)
        if ref.kind == "ssm":
            prefix = normalise_ssm_prefix(ref.value)
            segment = prefix.strip("/")
            return self.prefixes.get(prefix) or ({segment} if segment in self.services else set())
        return set()

    def _by_name_prefix(self, export: str) -> set[str]:
        """`orders-TableName` belongs to service orders: the longest service name before a '-'."""
        cuts = [i for i, char in enumerate(export) if char == "-"]
        for cut in reversed(cuts):
            if export[:cut] in self.services:
                return {export[:cut]}
        return set()


# Values handed to code that are settings, not names: a stage, a log level, a flag. Another
# service may well own a table called `test`; a `STAGE: test` variable does not refer to it.
GENERIC_VALUES = frozenset({
    "dev", "develop", "development", "test", "tests", "testing", "qa", "uat", "stage",
    "staging", "prod", "production", "preprod", "live", "local", "sandbox", "demo", "default",
    "main", "master", "latest", "none", "null", "true", "false", "yes", "no", "on", "off",
    "enabled", "disabled", "debug", "info", "warn", "warning", "error", "critical", "trace",
    "json", "text", "yaml", "csv", "utf-8", "utf8", "example", "sample",
})
MIN_NAME_LENGTH = 4


def generic(ref: Reference) -> bool:
    """A literal value in code's settings too generic to be a reference to another service."""
    value = ref.value.strip().lower()
    return ref.kind == "name" and (len(value) < MIN_NAME_LENGTH or value in GENERIC_VALUES)


def _consumed_channels(facts: Facts) -> set[str]:
    return {f"{e.channel}:{e.source.value}" for e in facts.consumes if e.channel != EVENTS}


def check(facts: Sequence[Facts], policy: Policy) -> Iterator[OrgProblem]:
    owners = Owners(facts)
    for f in in_order(facts):
        channels = _consumed_channels(f)
        for ref in f.references:
            if generic(ref):
                continue
            owned_by = owners.of(ref)
            if not owned_by or f.service in owned_by or ref.value in channels:
                continue
            yield problem(
                f, ref.loc,
                f"refers to {KIND_WORDS[ref.kind]} {ref.value!r}, which belongs to service "
                f"{names(owned_by)}: share nothing; use its API or its events instead",
                path=f"references/{ref.kind}", subject=ref.value,
            )


RULE = OrgRule(
    code="ORG006",
    name="no-foreign-resource-reference",
    severity="error",
    tags=("org", "share-nothing"),
    doc=__doc__ or "",
    check=check,
)
