"""Steps 1 and 2 of the layered layout: which edges to reverse, and each node's layer."""

from __future__ import annotations

from collections.abc import Sequence

from svc_serverless.rules.org.no_service_cycle import strongly_connected

Arc = tuple[int, int]


def back_edges(n: int, edges: Sequence[Arc]) -> list[bool]:
    """Which edges to lay out reversed: those inside a cycle that go against Eades' order.

    Only edges within one strongly connected group are reversed, so the edges between groups
    keep their direction and, the groups' own graph having no cycle, no cycle is left.
    """
    succ: list[set[int]] = [set() for _ in range(n)]
    pred: list[set[int]] = [set() for _ in range(n)]
    for tail, head in edges:
        succ[tail].add(head)
        pred[head].add(tail)
    groups = strongly_connected({str(v): [str(w) for w in sorted(succ[v])] for v in range(n)})
    group_of = {int(v): g for g, members in enumerate(groups) for v in members}
    place = {v: i for i, v in enumerate(eades_order(succ, pred))}
    return [
        place[tail] > place[head] and group_of.get(tail, -1) == group_of.get(head, -2)
        for tail, head in edges
    ]


def eades_order(succ: Sequence[set[int]], pred: Sequence[set[int]]) -> list[int]:
    """Sinks go last, sources first, otherwise the vertex with most out- over in-edges first:
    few edges point backwards in the order (Eades, Lin and Smyth, 1993)."""
    n = len(succ)
    out_deg = [len(s) for s in succ]
    in_deg = [len(p) for p in pred]
    alive = [True] * n
    first: list[int] = []
    last: list[int] = []

    def remove(v: int, into: list[int]) -> None:
        alive[v] = False
        into.append(v)
        for u in pred[v]:
            out_deg[u] -= 1
        for w in succ[v]:
            in_deg[w] -= 1

    while True:
        progress = True
        while progress:
            progress = False
            for v in range(n):
                if alive[v] and out_deg[v] == 0:
                    remove(v, last)
                    progress = True
            for v in range(n):
                if alive[v] and in_deg[v] == 0:
                    remove(v, first)
                    progress = True
        rest = [v for v in range(n) if alive[v]]
        if not rest:
            return first + last[::-1]
        remove(max(rest, key=lambda v: (out_deg[v] - in_deg[v], -v)), first)


def layers(n: int, arcs: Sequence[Arc]) -> list[int]:
    """Longest path from the sources (the arcs form no cycle); a source then moves right, next
    to its nearest successor. The first layer is 0."""
    out: list[list[int]] = [[] for _ in range(n)]
    indegree = [0] * n
    for u, v in arcs:
        out[u].append(v)
        indegree[v] += 1
    layer = [0] * n
    waiting = list(indegree)
    ready = [v for v in range(n) if indegree[v] == 0]
    while ready:
        u = ready.pop()
        for v in out[u]:
            layer[v] = max(layer[v], layer[u] + 1)
            waiting[v] -= 1
            if waiting[v] == 0:
                ready.append(v)
    for v in range(n):
        if indegree[v] == 0 and out[v]:
            layer[v] = min(layer[w] for w in out[v]) - 1
    lowest = min(layer, default=0)
    return [each - lowest for each in layer]
