"""Services depend on each other in a cycle, through events or API calls.

## What it does
Builds the organisation's service graph: an edge from a consumer to the producer of each event
it consumes (matched as in ORG003, exact sources and SNS/SQS channels; events on a bus the
service owns are internal and make no edge, and neither does an unknown producer such as a
pipe whose source is a JSON path), and from a user to the
provider of each API it lists in `spec.consumesApis` (matched to `spec.svc.apis.provides` names
and `spec.providesApis`). Each strongly connected group of services (Tarjan's algorithm, linear
in the edges) is then reported: one finding per elementary cycle, at the first service of the
cycle in name order, on the line where that service depends on the next one. A group with more
than 20 cycles (or too large to search, as the search is bounded to stay linear) is reported
once, listing its services and a shortest example cycle.

## Why is this bad?
Services in a cycle cannot be understood, tested, deployed or retired on their own: a change in
any of them can come back around to itself, an outage in one stalls all of them, and an event
loop can amplify one message into a storm. Share-nothing services depend on each other in one
direction.

## Example
```yaml
# orders consumes payments' PaymentTaken; payments consumes orders' OrderPlaced,
# and orders also calls the payments API: orders -> payments -> orders
# payments/catalog-info.yaml
spec:
  svc:
    events:
      consumes:
        - source: orders
          detailType: OrderPlaced
```

## Use instead
```yaml
# payments/catalog-info.yaml: payments offers an API orders calls; it does not also
# react to orders' events (orders passes what payments needs in the request).
spec:
  svc:
    events:
      consumes: []
```
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

from svc_serverless.linter.config import Policy
from svc_serverless.linter.facts import ANY, EVENTS, Facts, Loc
from svc_serverless.linter.rule import OrgProblem, OrgRule
from svc_serverless.rules.org.index import (
    Producers,
    consumptions,
    in_order,
    is_aws_source,
    names,
    problem,
)

MAX_CYCLES = 20  # per group; beyond this the group is reported once
# Elementary cycles can be exponentially many: the search of a group gives up after a number
# of steps proportional to the group's edges, so the whole rule stays linear in the graph.
STEPS_PER_EDGE, MIN_STEPS = 2, 2_000


@dataclass(frozen=True)
class Edge:
    """Why one service depends on another, and where the dependent declares it."""

    reason: str
    repo: Facts
    loc: Loc


Graph = dict[str, dict[str, Edge]]

EVENT, API = "event", "api"


@dataclass(frozen=True)
class Dependency:
    """One reason `user` depends on `provider`: it consumes its event or calls its API.

    `what` is the consumed event's label or the API's name. Shared with the report's service
    graph (linter/report/graph.py), so the picture shows exactly the edges this rule judges.
    """

    user: Facts
    provider: str
    kind: str  # EVENT or API
    what: str
    loc: Loc

    @property
    def reason(self) -> str:
        if self.kind == EVENT:
            return f"{self.user.service} consumes {self.provider}'s {self.what}"
        return f"{self.user.service} uses {self.provider}'s API {self.what}"


def dependencies(facts: Sequence[Facts]) -> Iterator[Dependency]:
    """Every dependency between two services, in a stable order (repos, then events, then APIs).

    Events count when their source is pinned (exact and not AWS's) or they travel on an SNS/SQS
    channel, matched as in ORG003 (internal events of a service's own bus never count); API
    uses are matched to `apis_provided` names.
    """
    ordered = in_order(facts)
    producers = Producers(ordered)
    providers: dict[str, set[str]] = defaultdict(set)
    for f in ordered:
        for api in f.apis_provided:
            if api.name:
                providers[api.name].add(f.service)
    for f in ordered:
        for event in consumptions(f):
            pinned = event.source.is_exact and not is_aws_source(event.source)
            if event.channel == EVENTS and not pinned:
                continue
            for producer, published in producers.of(event) or ():
                # An unknown producer (a pipe whose source is a JSON path) could produce
                # anything: it is no evidence of a dependency.
                if producer.service != f.service and published.source.kind != ANY:
                    yield Dependency(f, producer.service, EVENT, event.label(), event.loc)
        for used in f.apis_used:
            for provider in sorted(providers.get(used.value, ())):
                if provider != f.service:
                    yield Dependency(f, provider, API, used.value, used.loc)


def build_graph(facts: Sequence[Facts]) -> Graph:
    """Service -> service it depends on -> the first (in a stable order) reason why."""
    graph: Graph = {f.service: {} for f in in_order(facts)}
    for dep in dependencies(facts):
        graph[dep.user.service].setdefault(dep.provider, Edge(dep.reason, dep.user, dep.loc))
    return graph


def strongly_connected(adjacency: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit); groups of 2+ services, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)

    for root in sorted(adjacency):
        if root in index:
            continue
        visit(root)
        work = [(root, iter(adjacency[root]))]
        while work:
            node, children = work[-1]
            child = next((c for c in children if c not in index or c in on_stack), None)
            if child is not None:
                if child in index:
                    low[node] = min(low[node], index[child])
                else:
                    visit(child)
                    work.append((child, iter(adjacency[child])))
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def elementary_cycles(group: list[str], adjacency: dict[str, list[str]]) -> list[list[str]] | None:
    """Every elementary cycle of a group, each once (rooted at its smallest service).

    None when there are more than MAX_CYCLES or the search exceeds its step budget.
    """
    rank = {service: i for i, service in enumerate(group)}
    found: list[list[str]] = []
    steps = 0
    budget = MIN_STEPS + STEPS_PER_EDGE * sum(len(adjacency[service]) for service in group)

    def onward(node: str, floor: int) -> Iterator[str]:
        """Next services of a search rooted at rank `floor`: only the group, never below it."""
        return (n for n in adjacency[node] if rank.get(n, -1) >= floor)

    for floor, start in enumerate(group):
        path, on_path, work = [start], {start}, [onward(start, floor)]
        while work:
            steps += 1
            if steps > budget:
                return None
            nxt = next(work[-1], None)
            if nxt is None:
                work.pop()
                on_path.discard(path.pop())
            elif nxt == start:
                found.append(list(path))
                if len(found) > MAX_CYCLES:
                    return None
            elif nxt not in on_path:
                path.append(nxt)
                on_path.add(nxt)
                work.append(onward(nxt, floor))
    return found


def shortest_cycle(start: str, members: set[str], adjacency: dict[str, list[str]]) -> list[str]:
    """A shortest cycle through start inside its group (breadth first)."""
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in adjacency[node]:
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return path[::-1]
            if nxt in members and nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    return [start]


MAX_HOPS = 8  # a longer cycle is shown by its first hops: a message is read, not parsed


def _describe(cycle: list[str], graph: Graph) -> str:
    hops = cycle + [cycle[0]]
    reasons = "; ".join(graph[a][b].reason for a, b in pairwise(hops[:MAX_HOPS + 1]))
    if len(cycle) <= MAX_HOPS:
        return f"{' -> '.join(hops)} ({reasons})"
    shown = " -> ".join(hops[:MAX_HOPS + 1])
    return f"{shown} -> ... ({len(cycle) - MAX_HOPS} more) -> {cycle[0]} ({reasons}; ...)"


def _report(cycle: list[str], graph: Graph, message: str) -> OrgProblem:
    edge = graph[cycle[0]][cycle[1 % len(cycle)]]
    return problem(edge.repo, edge.loc, message, path="dependencies",
                   subject=" -> ".join(cycle))


def check(facts: Sequence[Facts], policy: Policy) -> Iterator[OrgProblem]:
    graph = build_graph(facts)
    adjacency = {service: sorted(out) for service, out in graph.items()}
    for group in strongly_connected(adjacency):
        cycles = elementary_cycles(group, adjacency)
        if cycles is not None:
            for cycle in cycles:
                yield _report(cycle, graph, f"services form a cycle: {_describe(cycle, graph)}: "
                              "make the dependencies point one way")
            continue
        example = shortest_cycle(group[0], set(group), adjacency)
        yield _report(example, graph, (
            f"{len(group)} services depend on each other in too many cycles to list "
            f"({names(group, limit=20)}); for example {_describe(example, graph)}: "
            "make the dependencies point one way"
        ))


RULE = OrgRule(
    code="ORG005",
    name="no-service-cycle",
    severity="error",
    tags=("org", "events", "architecture"),
    doc=__doc__ or "",
    check=check,
)
