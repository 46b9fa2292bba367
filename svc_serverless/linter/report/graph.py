"""The organisation's service graph as the HTML and Markdown reports draw it.

Nodes are services (with their owner); edges are event flows (producer -> consumer, labelled
with the events) and API calls (user -> provider, labelled with the API names). The edges come
from ORG005's `dependencies` (rules/org/no_service_cycle.py), which matches consumed events to
publishers with the shared org indexes: the picture shows exactly the dependencies ORG005
judges, and an edge is marked as part of a cycle when its two services are in one strongly
connected group of that same graph (an edge lies on a cycle exactly then).

Built once per report, in one pass over the facts plus Tarjan's algorithm: linear in the size
of the organisation.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from svc_serverless.rules.org.index import in_order
from svc_serverless.rules.org.no_service_cycle import API, EVENT, dependencies, strongly_connected

if TYPE_CHECKING:
    from svc_serverless.linter.facts import Facts
    from svc_serverless.linter.result import LintResult

# API and EVENT are re-exported: the reporters name edge kinds by them.
__all__ = ["API", "EVENT", "GraphEdge", "Node", "ServiceGraph", "build", "service_graph"]

ORG_FAMILY = "ORG"


@dataclass(frozen=True)
class Node:
    """One service. `id` (s0, s1, ... in service order) is safe in any markup."""

    id: str
    service: str
    owner: str  # "" when no repo of the service names one
    org_findings: int  # unsuppressed organisation findings on the service


@dataclass(frozen=True)
class GraphEdge:
    """An arrow from `tail` to `head` (service names), with what travels along it."""

    tail: str  # the producer of the events, or the user of the API
    head: str  # the consumer of the events, or the provider of the API
    kind: str  # EVENT or API
    labels: tuple[str, ...]  # event labels or API names, sorted
    in_cycle: bool


@dataclass(frozen=True)
class ServiceGraph:
    nodes: tuple[Node, ...]  # sorted by service
    edges: tuple[GraphEdge, ...]  # sorted by (tail, head, kind)

    def ids(self) -> dict[str, str]:
        """Service name -> node id."""
        return {node.service: node.id for node in self.nodes}


def service_graph(result: LintResult) -> ServiceGraph:
    """The graph of the services in `result` that have facts."""
    facts = [repo.facts for repo in result.repos if repo.facts is not None]
    return build(facts, _org_findings(result, facts))


def build(facts: Sequence[Facts], org_findings: Counter[str] | None = None) -> ServiceGraph:
    """The graph of `facts`; `org_findings` counts ORG findings by service name."""
    counts = org_findings or Counter()
    owners: dict[str, str] = {}
    for f in in_order(facts):
        if not owners.get(f.service):  # repos sharing a service name: the first owner named
            owners[f.service] = f.owner
    labels: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    depends_on: dict[str, set[str]] = {service: set() for service in owners}
    for dep in dependencies(facts):
        user, provider = dep.user.service, dep.provider
        depends_on[user].add(provider)
        # Events are drawn the way they flow, API calls the way the call goes.
        key = (provider, user, dep.kind) if dep.kind == EVENT else (user, provider, dep.kind)
        labels[key].add(dep.what)
    group_of = _groups({service: sorted(out) for service, out in depends_on.items()})
    nodes = tuple(
        Node(f"s{i}", service, owners[service], counts[service])
        for i, service in enumerate(sorted(owners))
    )
    edges = tuple(
        GraphEdge(tail, head, kind, tuple(sorted(labels[(tail, head, kind)])),
                  _same_group(group_of, tail, head))
        for tail, head, kind in sorted(labels)
    )
    return ServiceGraph(nodes, edges)


def _groups(adjacency: dict[str, list[str]]) -> dict[str, int]:
    """Service -> index of its strongly connected group (services in no cycle are left out)."""
    return {
        service: index
        for index, group in enumerate(strongly_connected(adjacency))
        for service in group
    }


def _same_group(group_of: dict[str, int], a: str, b: str) -> bool:
    group = group_of.get(a)
    return group is not None and group == group_of.get(b)


def _org_findings(result: LintResult, facts: Sequence[Facts]) -> Counter[str]:
    """Unsuppressed ORG findings per service.

    An org finding names its repo by service or by folder, and a repo's result by its folder
    name: each of those names leads to the service.
    """
    service_of: dict[str, str] = {}
    for repo in result.repos:
        if repo.facts is not None:
            service_of.setdefault(repo.name, repo.facts.service)
    for f in facts:
        service_of.setdefault(f.service, f.service)
        if f.folder:
            service_of.setdefault(f.folder, f.service)
    return Counter(
        service_of[finding.repo]
        for finding in result.findings
        if finding.rule.startswith(ORG_FAMILY) and not finding.suppressed
        and finding.repo in service_of
    )
