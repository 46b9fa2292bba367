"""The service graph behind ORG005 on shapes a real organisation can reach: huge rings, dense
clusters, many separate groups. Each must give a bounded, deterministic answer."""

from __future__ import annotations

from svc_serverless.linter.config import Policy
from svc_serverless.linter.facts import Event, Facts, Loc, exact
from svc_serverless.rules.org.no_service_cycle import (
    check,
    elementary_cycles,
    shortest_cycle,
    strongly_connected,
)

AT = Loc("catalog-info.yaml", 7, 11)


def service(name: str, consumes: list[str]) -> Facts:
    """A service publishing `<name>/Changed` and consuming that event of each service named."""
    return Facts(
        service=name, folder=name, service_loc=AT,
        publishes=(Event(exact(name), exact("Changed"), AT),),
        consumes=tuple(Event(exact(other), exact("Changed"), AT) for other in consumes),
    )


def test_tarjan_finds_each_group_and_ignores_acyclic_parts() -> None:
    adjacency = {"a": ["b"], "b": ["a", "c"], "c": ["d"], "d": ["c"], "e": ["a"]}
    assert strongly_connected(adjacency) == [["c", "d"], ["a", "b"]]


def test_each_elementary_cycle_once() -> None:
    adjacency = {"a": ["b", "c"], "b": ["a", "c"], "c": ["a"]}
    assert elementary_cycles(["a", "b", "c"], adjacency) == [["a", "b"], ["a", "b", "c"], ["a", "c"]]


def test_a_huge_ring_is_one_finding_with_a_short_message() -> None:
    size = 5000
    names = [f"s{i:05d}" for i in range(size)]
    facts = [service(n, [names[(i + 1) % size]]) for i, n in enumerate(names)]
    problems = list(check(facts, Policy()))
    assert len(problems) == 1
    message = problems[0].problem.message
    assert message.startswith(f"{size} services depend on each other in too many cycles to list")
    assert f"({size - 8} more) -> s00000" in message and len(message) < 2000


def test_a_dense_cluster_is_reported_once_among_separate_small_cycles() -> None:
    cluster = [f"c{i:02d}" for i in range(40)]
    facts = [service(n, [m for m in cluster if m != n]) for n in cluster]
    facts += [service("x1", ["x2"]), service("x2", ["x1"]), service("y1", ["y2"]),
              service("y2", ["y1"])]
    problems = list(check(facts, Policy()))
    assert [p.repo for p in problems] == ["c00", "x1", "y1"]
    assert "40 services depend on each other" in problems[0].problem.message
    assert problems[1].problem.message.startswith("services form a cycle: x1 -> x2 -> x1")


def test_shortest_cycle_prefers_the_direct_way_back() -> None:
    adjacency = {"a": ["b", "c"], "b": ["c"], "c": ["a"]}
    assert shortest_cycle("a", {"a", "b", "c"}, adjacency) == ["a", "c"]
