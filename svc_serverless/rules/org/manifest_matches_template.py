"""The manifest's declared events disagree with what the template publishes and consumes.

## What it does
For a repo with an svc manifest (`catalog-info.yaml` with `spec.svc`) and a template that
parses, compares the declared contract with the wiring:

- every source the template may publish (an `events:PutEvents` permission with an
  `events:source` condition, a pipe into the bus with a literal `Source`, a rule forwarding from
  a bus of its own to the shared bus) must be declared in `spec.svc.events.publishes`, and
  every declared published source must have such a permission, pipe or rule;
- every EventBridge rule pattern in the template (`AWS::Events::Rule`, SAM `EventBridgeRule` and
  `CloudWatchEvent` events) must match a declared `spec.svc.events.consumes` entry, and every
  declared consumed event must be matched by a pattern.

An undeclared event is reported at the template line, a declared one the template lacks at the
manifest line. Patterns on AWS sources (`aws.*`) need no declaration; patterns without a source
(archives, loggers) need none and do not count as consuming a declared event. Events on a bus
the service defines itself are internal, not part of the contract: they need no declaration.

## Why is this bad?
The manifest is the contract the organisation rules and the catalog read: ORG003/ORG004/ORG005
reason about it, and other teams subscribe to what it says. A template that publishes or consumes
something else makes those checks, the catalog and the other teams' assumptions wrong, while
every repo still passes its own gate.

## Example
```yaml
# catalog-info.yaml
spec:
  svc:
    events:
      publishes:
        - source: orders
          detailType: OrderPlaced
      consumes: []            # but template.yaml has a rule on source: [payments]
```

## Use instead
```yaml
# catalog-info.yaml
spec:
  svc:
    events:
      publishes:
        - source: orders
          detailType: OrderPlaced
      consumes:
        - source: payments
          detailType: PaymentTaken
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from svc_serverless.linter.config import Policy
from svc_serverless.linter.facts import ANY, EVENTS, MANIFEST, TEMPLATE, Event, Facts
from svc_serverless.linter.rule import OrgProblem, OrgRule
from svc_serverless.rules.org.index import compatible, in_order, is_aws_source, problem


def _events(events: tuple[Event, ...], origin: str) -> list[Event]:
    """The EventBridge events of one origin; internal events (a bus of its own) are no contract."""
    return [e for e in events if e.channel == EVENTS and e.origin == origin and not e.internal]


def _covers(pattern: Event, declared: Event) -> bool:
    """Whether a template pattern or permission matches a declared (exact) event."""
    return (pattern.source.matches(declared.source.value)
            and compatible(pattern.detail_type, declared.detail_type))


def _publishing(f: Facts) -> Iterator[OrgProblem]:
    declared, granted = _events(f.publishes, MANIFEST), _events(f.publishes, TEMPLATE)
    for permission in granted:
        if permission.source.kind == ANY:  # an unknown producer: nothing to declare by name
            continue
        if not any(permission.source.matches(d.source.value) for d in declared):
            yield problem(
                f, permission.loc,
                f"the template lets {permission.resource or 'a resource'} put events with source "
                f"{str(permission.source)!r}, which catalog-info.yaml does not declare: add it "
                "to spec.svc.events.publishes",
                path="publishes/template", subject=str(permission.source),
            )
    for event in declared:
        if not any(p.source.matches(event.source.value) for p in granted):
            yield problem(
                f, event.loc,
                f"catalog-info.yaml declares it publishes {event.label()}, but the template grants "
                f"no events:PutEvents with events:source {event.source.value!r}",
                path="publishes/manifest", subject=event.label(),
            )


def _consuming(f: Facts) -> Iterator[OrgProblem]:
    declared = _events(f.consumes, MANIFEST)
    # A pattern without a source (an archive, a logger) neither needs nor makes a declaration.
    patterns = [p for p in _events(f.consumes, TEMPLATE) if p.source.kind != ANY]
    for pattern in patterns:
        if is_aws_source(pattern.source):
            continue
        if not any(_covers(pattern, d) for d in declared):
            yield problem(
                f, pattern.loc,
                f"{pattern.resource or 'the template'} consumes {pattern.label()}, which "
                "catalog-info.yaml does not declare: add it to spec.svc.events.consumes",
                path="consumes/template", subject=pattern.label(),
            )
    for event in declared:
        if not any(_covers(p, event) for p in patterns):
            yield problem(
                f, event.loc,
                f"catalog-info.yaml declares it consumes {event.label()}, but no EventBridge rule "
                "in the template matches it",
                path="consumes/manifest", subject=event.label(),
            )


def check(facts: Sequence[Facts], policy: Policy) -> Iterator[OrgProblem]:
    for f in in_order(facts):
        if f.manifest == "svc" and f.template_ok:
            yield from _publishing(f)
            yield from _consuming(f)


RULE = OrgRule(
    code="ORG007",
    name="manifest-matches-template",
    severity="error",
    tags=("org", "events", "manifest"),
    doc=__doc__ or "",
    check=check,
    min_repos=1,
)
