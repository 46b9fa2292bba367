"""A service consumes an event that no service in the organisation publishes.

## What it does
For every event a service consumes (`spec.svc.events.consumes`, EventBridge rule patterns of
`AWS::Events::Rule` and of SAM `EventBridgeRule`/`CloudWatchEvent` events, and subscriptions to
SNS topics or SQS queues given by ARN), looks for a service that publishes it: one that declares
the source and detail-type in `spec.svc.events.publishes`, holds an `events:PutEvents`
permission for the source, has a pipe (`AWS::Pipes::Pipe`) whose target is the bus and whose
`EventBridgeEventBusParameters` set the source, forwards the event from a bus of its own to the
shared bus with a rule, or owns the topic or queue. A consumed event without a producer is
reported where it is consumed.

Only the organisation's shared events are judged: those on the default bus, or on a bus the
service names but does not define (the organisation's shared bus). A rule on an
`AWS::Events::EventBus` of the service's own template (its `EventBusName` a `Ref`, `GetAtt` or
`Sub` of that bus, or its name or ARN) consumes the service's internal events, which no other
service needs to produce.

Listeners need no producer: a pattern that pins neither its source nor its detail-type
(`source: [{prefix: ""}]`, `source: [{prefix: "acme."}]`, `{"exists": true}`, or no `source`
at all) is an archive, a logger or an auditor, not a consumer waiting for a specific event.
Events from AWS (`aws.*` sources such as `aws.s3`) are produced by AWS. Patterns that match by
suffix, wildcard or `anything-but` cannot be pinned to a producer and are not judged; prefixes
with a detail-type are.

A pipe whose source is not literal (a JSON path such as `$.body.source`, or none) is an unknown
producer on its bus: it could produce any source, so it counts as a producer of every source
with its detail-type (of every event, when its detail-type is unknown too). Give the pipe a
literal `Source` to keep this rule precise.

## Why is this bad?
The consumer waits for an event that never comes: a typo in a source or detail-type, a
producer that renamed or retired its event, or a dependency on a service that was never built.
Nothing fails at deploy time, so the feature is silently dead until someone notices missing data.

## Example
```yaml
# shipping/catalog-info.yaml
spec:
  svc:
    events:
      consumes:
        - source: orders
          detailType: OrderPlace     # orders publishes OrderPlaced
```

## Use instead
```yaml
# shipping/catalog-info.yaml
spec:
  svc:
    events:
      consumes:
        - source: orders
          detailType: OrderPlaced
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from svc_serverless.linter.config import Policy
from svc_serverless.linter.facts import EVENTS, Event, Facts
from svc_serverless.linter.rule import OrgProblem, OrgRule
from svc_serverless.rules.org.index import (
    Producers,
    consumptions,
    in_order,
    is_aws_source,
    problem,
)


def _message(event: Event) -> str:
    if event.channel != EVENTS:
        return (f"consumes {event.label()}, which no service in the organisation owns: "
                "subscribe to a producer's own topic or queue, or to its events")
    where = f" ({event.resource})" if event.resource else ""
    return (f"consumes {event.label()}{where}, which no service in the organisation publishes: "
            "check the source and detail-type against the producer's catalog-info.yaml")


def check(facts: Sequence[Facts], policy: Policy) -> Iterator[OrgProblem]:
    producers = Producers(facts)
    for f in in_order(facts):
        for event in consumptions(f):
            if event.channel == EVENTS and is_aws_source(event.source):
                continue
            claims = producers.of(event)
            if claims is not None and next(claims, None) is None:
                yield problem(f, event.loc, _message(event), path=f"consumes/{event.channel}",
                              subject=event.label())


RULE = OrgRule(
    code="ORG003",
    name="consumed-event-has-producer",
    severity="error",
    tags=("org", "events"),
    doc=__doc__ or "",
    check=check,
)
