"""Indexes the organisation rules share: who publishes what, who consumes what, who owns what.

Every index is built in one pass over the facts (dicts keyed by source, name or prefix), so
each rule is O(n) in the size of the organisation, never a pairwise comparison of repos.

Only events on the shared bus (the default bus, or a bus the service does not define) are the
organisation's business: an event on a bus a service owns is internal and is in no index.
A consumer whose pattern pins neither its source nor its detail-type (a catch-all, or a
prefix-only source) is a listener: an archive, a logger, an auditor. It needs no producer and
does not count as consuming any particular event.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain

from svc_serverless.linter.facts import (
    ANY,
    ANYTHING_BUT,
    EVENTS,
    EXACT,
    IGNORE_CASE,
    MANIFEST,
    PREFIX,
    SUFFIX,
    Event,
    Facts,
    Loc,
    Matcher,
)
from svc_serverless.linter.rule import OrgProblem, Problem

Claim = tuple[Facts, Event]


def problem(facts: Facts, loc: Loc, message: str, path: str, subject: str) -> OrgProblem:
    """A problem in one repo, at a fact's location; `path`/`subject` identify it without lines."""
    return OrgProblem(
        facts.folder or facts.service,
        Problem(message, file=loc.file, line=loc.line, col=loc.col, path=path, subject=subject),
    )


def in_order(facts: Sequence[Facts]) -> list[Facts]:
    """Repos in a stable order, whatever order the run (pool, facts folder) delivered them in."""
    return sorted(facts, key=lambda f: (f.service, f.folder, f.template))


def names(items: Iterable[str], limit: int = 10) -> str:
    """'a, b and c' (sorted), shortened to the first `limit` with a count of the rest."""
    ordered = sorted(set(items))
    shown = ordered[:limit]
    if len(ordered) > limit:
        return ", ".join(shown) + f" and {len(ordered) - limit} more"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def is_aws_source(source: Matcher) -> bool:
    """Sources AWS itself emits (aws.s3, aws.events, ...): only AWS produces them."""
    return source.kind in (EXACT, PREFIX) and source.value.startswith("aws.")


def is_listener(event: Event) -> bool:
    """A pattern that pins neither source nor detail-type: it listens, it does not consume.

    `source: [{prefix: "acme."}]`, a pattern without `source`, `{"exists": true}`: an archive
    or logger, not a consumer waiting for a specific event.
    """
    return (event.channel == EVENTS and event.source.kind not in (EXACT, IGNORE_CASE)
            and event.detail_type.kind == ANY)


def consumptions(facts: Facts) -> list[Event]:
    """What a service consumes that the organisation must provide: no internal events, no listeners."""
    return [e for e in facts.consumes if not e.internal and not is_listener(e)]


def compatible(a: Matcher, b: Matcher) -> bool:
    """Whether two detail-type matchers can match a common value (conservatively: yes if unsure)."""
    if a.kind == ANY or b.kind == ANY:
        return True
    if b.kind == EXACT:
        return a.matches(b.value)
    if a.kind == EXACT:
        return b.matches(a.value)
    return True


def publications(facts: Facts) -> list[Event]:
    """The EventBridge events a service publishes, as precisely as its facts say.

    The manifest gives (source, detail-type) pairs; the template's PutEvents permissions give
    sources only. A source the manifest declares is known by its declared detail-types; a source
    only the template grants could carry any detail-type.
    """
    declared = {
        e.source.value for e in facts.publishes if e.channel == EVENTS and e.origin == MANIFEST
    }
    return [
        e for e in facts.publishes
        if e.channel == EVENTS and not e.internal
        and (e.origin == MANIFEST or not (e.source.is_exact and e.source.value in declared))
    ]


class _MatcherIndex:
    """Claims whose matcher is a pattern (wildcard, equals-ignore-case), found in O(len(value)).

    A wildcard is filed under its literal prefix (the text before the first `*` or `?`), so a
    lookup checks only the patterns whose prefix the value starts with.
    """

    def __init__(self) -> None:
        self.by_prefix: dict[str, list[Claim]] = defaultdict(list)
        self.folded: dict[str, list[Claim]] = defaultdict(list)

    def add(self, claim: Claim, matcher: Matcher) -> None:
        if matcher.kind == IGNORE_CASE:
            self.folded[matcher.value.casefold()].append(claim)
        else:
            literal = matcher.value.split("*", 1)[0].split("?", 1)[0]
            self.by_prefix[literal].append(claim)

    def __bool__(self) -> bool:
        return bool(self.by_prefix or self.folded)

    def matching(self, value: str, matcher_of: Callable[[Claim], Matcher]) -> Iterator[Claim]:
        if not self:  # the common case: nobody uses a patterned matcher
            return iter(())
        candidates = chain(
            self.folded.get(value.casefold(), ()),
            *(self.by_prefix.get(value[:end], ()) for end in range(len(value) + 1)),
        )
        return (c for c in candidates if matcher_of(c).matches(value))


def _source(claim: Claim) -> Matcher:
    return claim[1].source


class Producers:
    """Who could produce an event: by exact source, by prefix, and owners of SNS/SQS channels."""

    def __init__(self, facts: Sequence[Facts]) -> None:
        self.exact: dict[str, list[Claim]] = defaultdict(list)
        self.patterned = _MatcherIndex()  # StringLike / IgnoreCase permissions
        self.channels: dict[tuple[str, str], list[Claim]] = defaultdict(list)
        for f in in_order(facts):
            for event in publications(f):
                if event.source.is_exact:
                    self.exact[event.source.value].append((f, event))
                else:
                    self.patterned.add((f, event), event.source)
            for event in f.publishes:
                if event.channel != EVENTS:
                    self.channels[(event.channel, event.source.value)].append((f, event))
        self.sources = sorted(self.exact)

    def of(self, consumed: Event) -> Iterator[Claim] | None:
        """The publications that could produce `consumed`, lazily; None when that cannot be told.

        Exact sources and prefixes are looked up; other matchers (suffix, wildcard,
        anything-but, any) could match almost anything, so they are not judged. A prefix is
        also taken as matched by any patterned (StringLike) permission, to stay conservative.
        """
        if consumed.channel != EVENTS:
            return iter(self.channels.get((consumed.channel, consumed.source.value), ()))
        source = consumed.source
        claims: Iterable[Claim]
        if source.kind == EXACT:
            claims = chain(self.exact.get(source.value, ()),
                           self.patterned.matching(source.value, _source))
        elif source.kind == PREFIX:
            if self.patterned:
                return None
            claims = (c for s in self._with_prefix(source.value) for c in self.exact[s])
        else:
            return None
        return (c for c in claims if compatible(consumed.detail_type, c[1].detail_type))

    def _with_prefix(self, prefix: str) -> Iterator[str]:
        start = bisect_left(self.sources, prefix)
        for source in self.sources[start:]:
            if not source.startswith(prefix):
                break
            yield source


class Consumers:
    """Who consumes what, indexed so a published source finds its consumers in O(len(source)).

    Consumers that match any source (a pattern without `source`, `exists`, `anything-but`) and
    listeners (`is_listener`) are catch-alls such as archives and loggers: they do not count as
    consuming a particular event.
    """

    def __init__(self, facts: Sequence[Facts]) -> None:
        self.by_kind: dict[str, dict[str, list[Event]]] = {
            EXACT: defaultdict(list), PREFIX: defaultdict(list), SUFFIX: defaultdict(list),
        }
        self.patterned = _MatcherIndex()  # wildcard and equals-ignore-case
        for f in facts:
            for event in consumptions(f):
                if event.channel != EVENTS or event.source.kind in (ANY, ANYTHING_BUT):
                    continue
                index = self.by_kind.get(event.source.kind)
                if index is None:
                    self.patterned.add((f, event), event.source)
                else:
                    index[event.source.value].append(event)

    def _candidates(self, source: str) -> Iterator[Event]:
        yield from self.by_kind[EXACT].get(source, ())
        prefixes, suffixes = self.by_kind[PREFIX], self.by_kind[SUFFIX]
        for end in range(1, len(source) + 1) if prefixes or suffixes else ():
            yield from prefixes.get(source[:end], ())
            yield from suffixes.get(source[-end:], ())
        yield from (event for _, event in self.patterned.matching(source, _source))

    def consume(self, published: Event) -> bool:
        """Whether anyone consumes the published event (a patterned source: assume yes)."""
        if not published.source.is_exact:
            return True
        return any(
            compatible(e.detail_type, published.detail_type)
            for e in self._candidates(published.source.value)
        )
