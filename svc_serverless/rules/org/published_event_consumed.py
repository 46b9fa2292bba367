"""A service publishes an event that no service in the organisation consumes.

## What it does
For every EventBridge event a service publishes (each source and detail-type of
`spec.svc.events.publishes`, and each `events:PutEvents` source permission the manifest does
not declare), looks for a consumer: a manifest `consumes` entry or an EventBridge rule pattern
(exact, prefix, suffix, wildcard or `equals-ignore-case` source) that matches it. A published
event nobody consumes is reported, as a warning, where it is declared. Rules that match every
source, or every source but a few (`anything-but`), are catch-alls such as archives and loggers:
they do not count as consumers.

## Why is this bad?
An event is a contract the producer must keep stable. One nobody consumes is either dead
weight that still costs a schema to maintain, or a sign that the consumer it was built for is
subscribed under a different name, so the integration is silently broken on both sides.

## Example
```yaml
# orders/catalog-info.yaml
spec:
  svc:
    events:
      publishes:
        - source: orders
          detailType: OrderArchived    # no service consumes it
```

## Use instead
```yaml
# orders/catalog-info.yaml: publish what someone consumes (or drop it)
spec:
  svc:
    events:
      publishes:
        - source: orders
          detailType: OrderPlaced      # consumed by shipping
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from svc_serverless.linter.config import Policy
from svc_serverless.linter.facts import Facts
from svc_serverless.linter.rule import OrgProblem, OrgRule
from svc_serverless.rules.org.index import Consumers, in_order, is_aws_source, problem, publications


def check(facts: Sequence[Facts], policy: Policy) -> Iterator[OrgProblem]:
    consumers = Consumers(facts)
    for f in in_order(facts):
        for event in publications(f):
            if is_aws_source(event.source) or consumers.consume(event):
                continue
            yield problem(
                f, event.loc,
                f"publishes {event.label()}, which no service in the organisation consumes: "
                "remove it from the contract, or check the consumer's pattern",
                path="publishes/events", subject=event.label(),
            )


RULE = OrgRule(
    code="ORG004",
    name="published-event-consumed",
    severity="warning",
    tags=("org", "events"),
    doc=__doc__ or "",
    check=check,
)
