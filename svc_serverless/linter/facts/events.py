"""The events a template publishes and consumes: rule patterns, subscriptions, PutEvents grants."""

from __future__ import annotations

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
    SNS,
    SQS,
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


class EventReader:
    """The event side of one template's reading."""

    def __init__(self, values: Resolver, path: str, out: Collected) -> None:
        self.text = values.text
        self.literal = values.literal
        self.path = path
        self.out = out
        self.channel_nodes: set[int] = set()  # SNS/SQS ARNs read as subscriptions, not references

    def sam_events(self, props: Any, rid: str) -> None:
        events = props.get("Events")
        if not isinstance(events, dict):
            return
        for name, event in events.items():
            etype = as_str(get_in(event, "Type"))
            eprops = get_in(event, "Properties")
            if etype in ("EventBridgeRule", "CloudWatchEvent"):
                self.pattern(eprops, "Pattern", rid, f"{rid}'s event {name} Pattern")
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

    def pattern(self, props: Any, key: str, rid: str, label: str) -> None:
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
