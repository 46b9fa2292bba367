"""A service publishes an event that no service in the organisation consumes.

## What it does
For every EventBridge event a service publishes on the shared bus (each source and detail-type
of `spec.svc.events.publishes`, each `events:PutEvents` source permission the manifest does not
declare, each pipe targeting the bus with a literal `Source`, each rule forwarding from a bus of
its own), looks for a consumer: a manifest `consumes` entry or an EventBridge rule pattern that
matches it (exact, prefix, suffix, wildcard or `equals-ignore-case` source). A published event
nobody consumes is reported, as a warning, where it is declared.

Listeners do not count as consumers: a pattern that pins neither its source nor its detail-type
(no `source`, `{"exists": true}`, `anything-but`, `source: [{prefix: ""}]` or a prefix-only
`source: [{prefix: "acme."}]`) is an archive, a logger or an auditor. It receives every event
without anyone depending on a particular one, so it does not make an event consumed: this rule
asks whether some service needs the event. A pattern with a prefix source and a detail-type
does count.

Events on a bus the service defines itself (`AWS::Events::EventBus` in its own template) are
internal and not judged; neither is an unknown producer (a pipe whose source is a JSON path):
there is no name to look for.

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
