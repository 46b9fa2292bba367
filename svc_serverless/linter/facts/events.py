"""The events a template publishes and consumes, and the bus each travels on.

Consumers: EventBridge rule patterns (`AWS::Events::Rule`, SAM `EventBridgeRule` and
`CloudWatchEvent` events) and SNS/SQS subscriptions by ARN. Producers: `events:PutEvents`
grants pinned to a source, pipes whose target is a bus (`AWS::Pipes::Pipe`), and rules that
forward from a bus the service owns to the shared one.

Buses: an `AWS::Events::EventBus` of this template, referenced by `Ref`, `GetAtt`, a `Sub` of
it or its literal name or ARN, is the service's own; its events are internal (Event.bus holds
its logical id). The default bus, and any bus named that this template does not define (the
organisation's shared bus), are one shared space (Event.bus "").
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from svc_serverless.linter.cfnyaml import position
from svc_serverless.linter.facts.arns import arn_resource
from svc_serverless.linter.facts.model import (
    ANY_VALUE,
    ANYTHING_BUT,
    EVENTS,
    EXACT,
    IGNORE_CASE,
    KEYED_KINDS,
    PREFIX,
    SNS,
    SQS,
    SUFFIX,
    TEMPLATE,
    WILDCARD,
    Event,
    Loc,
    Matcher,
    exact,
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
    from svc_serverless.linter.facts.resolve import Resolver


_SUB_NAMES = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.(?:Arn|Name))?\}")
_MAX_REF_DEPTH = 8  # a bus reference is a Ref, a GetAtt or a Sub/Join of one: never deep
PIPE = "AWS::Pipes::Pipe"


class EventReader:
    """The event side of one template's reading."""

    def __init__(self, values: Resolver, path: str, out: Collected) -> None:
        self.text = values.text
        self.literal = values.literal
        self.path = path
        self.out = out
        self.channel_nodes: set[int] = set()  # SNS/SQS ARNs read as subscriptions, not references
        self.bus_ids, self.bus_names = self._own_buses(values.data.get("Resources"))

    # -- buses ------------------------------------------------------------------------------

    def _own_buses(self, resources: Any) -> tuple[set[str], dict[str, str]]:
        """The event buses this template defines: their logical ids, and literal name -> id."""
        ids: set[str] = set()
        names: dict[str, str] = {}
        if not isinstance(resources, dict):
            return ids, names
        for rid, spec in resources.items():
            if as_str(get_in(spec, "Type")) == "AWS::Events::EventBus":
                ids.add(str(rid))
                name = self.literal(get_in(spec, "Properties", "Name"))
                if name:
                    names.setdefault(name, str(rid))
        return ids, names

    def bus(self, node: Any) -> str:
        """The own bus (logical id) a bus name or ARN value refers to; "" for a shared bus."""
        if node is None or not self.bus_ids:
            return ""
        found = self._referenced_bus(node, 0)
        if found:
            return found
        text = self.literal(node) or ""
        if ":" in text and ":event-bus/" not in text:
            return ""  # an ARN of something else
        return self.bus_names.get(text.rsplit(":event-bus/", 1)[-1], "")

    def _referenced_bus(self, node: Any, depth: int) -> str:
        """An own bus named by a Ref, GetAtt or Sub variable anywhere in node."""
        if depth > _MAX_REF_DEPTH:
            return ""
        if isinstance(node, list):
            return next((b for b in (self._referenced_bus(n, depth + 1) for n in node) if b), "")
        if not isinstance(node, dict) or len(node) != 1:
            return ""
        key, arg = next(iter(node.items()))
        if key == "Ref" and isinstance(arg, str):
            return self._logical_bus(str(arg))
        if key == "Fn::GetAtt":
            target = arg[0] if isinstance(arg, list) and arg else arg
            return self._logical_bus(str(target).split(".", 1)[0]) if isinstance(target, str) else ""
        if key == "Fn::Sub":
            template = arg[0] if isinstance(arg, list) and arg else arg
            names = _SUB_NAMES.findall(template) if isinstance(template, str) else []
            found = next((b for b in map(self._logical_bus, names) if b), "")
            if found or not isinstance(arg, list):
                return found
        return self._referenced_bus(arg, depth + 1)

    def _logical_bus(self, rid: str) -> str:
        return rid if rid in self.bus_ids else ""

    def bus_target(self, node: Any) -> str | None:
        """For a target ARN: None if it is not an event bus, else its bus as in `bus`."""
        own = self._referenced_bus(node, 0) if self.bus_ids else ""
        if own:
            return own
        text = self.text(node)
        if text is None or ":event-bus/" not in text:
            return None
        return self.bus(node)

    # -- consumers --------------------------------------------------------------------------

    def rule(self, props: Any, rid: str) -> None:
        """An EventBridge rule: what it consumes, and what it forwards to the shared bus.

        A rule on a bus of this service whose target is the shared bus republishes what it
        matches there: it is a producer of those events for the organisation. Forwarding
        between shared buses, or into a bus of its own, produces nothing new for the others.
        """
        bus = self.bus(get_in(props, "EventBusName"))
        consumed = self.pattern(props, "EventPattern", rid, f"{rid}'s EventPattern", bus)
        if not bus:
            return
        for target in as_items(get_in(props, "Targets")):
            arn = get_in(target, "Arn")
            if self.bus_target(arn) == "":
                at = loc_of(self.path, arn)
                self.out.publishes.extend(
                    Event(e.source, e.detail_type, at, EVENTS, TEMPLATE, rid) for e in consumed
                )

    def sam_events(self, props: Any, rid: str) -> None:
        events = props.get("Events")
        if not isinstance(events, dict):
            return
        for name, event in events.items():
            etype = as_str(get_in(event, "Type"))
            eprops = get_in(event, "Properties")
            if etype in ("EventBridgeRule", "CloudWatchEvent"):
                bus = self.bus(get_in(eprops, "EventBusName"))
                self.pattern(eprops, "Pattern", rid, f"{rid}'s event {name} Pattern", bus)
            elif etype == "SNS":
                self.subscription(get_in(eprops, "Topic"), SNS, rid)
            elif etype == "SQS":
                self.subscription(get_in(eprops, "Queue"), SQS, rid)

    def subscription(self, node: Any, channel: str, rid: str) -> None:
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

    def pattern(self, props: Any, key: str, rid: str, label: str, bus: str) -> list[Event]:
        """The events a rule pattern consumes (recorded, and returned)."""
        node = get_in(props, key)
        if node is None:
            return []
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
                return []
        if not isinstance(pattern, dict):
            return []
        at = loc_of(self.path, key_node(props, key))
        sources = self._matchers(pattern.get("source"), at)
        details = self._matchers(pattern.get("detail-type"), at)
        events = [Event(source, detail, source_loc, EVENTS, TEMPLATE, rid, bus)
                  for source, source_loc in sources for detail, _ in details]
        self.out.consumes.extend(events)
        return events

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
            if text is None or _matches_everything(str(kind), text):
                return ANY_VALUE
            return Matcher(str(kind), (text,))
        if kind == ANYTHING_BUT:
            excluded = [self.literal(v) for v in as_items(operand) if not isinstance(v, dict)]
            return Matcher(ANYTHING_BUT, tuple(sorted(v for v in excluded if v is not None)))
        return ANY_VALUE  # exists, numeric, cidr, an unresolved intrinsic: could be anything

    # -- producers --------------------------------------------------------------------------

    def pipe(self, props: Any, rid: str) -> None:
        """A pipe whose target is an event bus publishes there.

        Its source and detail-type are the target parameters' `Source` and `DetailType` when
        literal. A JSON path (`$.body.source`), an unresolved value or none at all is unknown
        (ANY): an unknown producer that could put any source on its bus. (An `InputTemplate`
        shapes the event's detail, never its source or detail-type.)
        """
        target = get_in(props, "Target")
        bus = self.bus_target(target)
        if bus is None:
            return
        params = get_in(props, "TargetParameters", "EventBridgeEventBusParameters")
        source_node = get_in(params, "Source")
        source, detail = self._pipe_value(source_node), self._pipe_value(get_in(params, "DetailType"))
        at = loc_of(self.path, source_node if source_node is not None else target)
        self.out.publishes.append(Event(source, detail, at, EVENTS, TEMPLATE, rid, bus))

    def _pipe_value(self, node: Any) -> Matcher:
        text = self.literal(node)
        return exact(text) if text and not text.startswith("$") else ANY_VALUE

    def statement(self, statement: dict[str, Any], rid: str) -> None:
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
                    bus = self._statement_bus(statement.get("Resource"))
                    self._published_sources(str(operator), values, rid, bus)

    def _statement_bus(self, resource: Any) -> str:
        """The own bus a grant is limited to; "" if it reaches any bus it does not own."""
        buses = {self.bus(item) for item in as_items(resource)}
        return buses.pop() if len(buses) == 1 else ""

    def _published_sources(self, operator: str, values: Any, rid: str, bus: str) -> None:
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
                      TEMPLATE, rid, bus)
            )


def _matches_everything(kind: str, operand: str) -> bool:
    """`{prefix: ""}`, `{suffix: ""}`, `{wildcard: "*"}`: a catch-all written as a matcher."""
    if kind in (PREFIX, SUFFIX):
        return operand == ""
    return kind == WILDCARD and operand != "" and set(operand) == {"*"}
