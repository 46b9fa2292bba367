"""The service graph the HTML and Markdown reports draw, and its Mermaid form.

`org()` is a small organisation shared with the HTML tests: orders and payments consume each
other's events (an ORG005 cycle), shop calls payments' API and consumes orders' events, mailer
consumes events from both and has no owner.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from svc_serverless.linter.facts import ANY_VALUE, Api, Event, Facts, Loc, Name, exact
from svc_serverless.linter.report.graph import API, EVENT, GraphEdge, Node, build, service_graph
from svc_serverless.linter.report.markdown import mermaid_section, mermaid_text, render
from svc_serverless.linter.result import LintResult, RepoResult
from svc_serverless.linter.rule import Finding
from tests.report import samples

AT = Loc("catalog-info.yaml", 7, 11)


def event(source: str, detail_type: str) -> Event:
    return Event(exact(source), exact(detail_type), AT)


ORDERS = Facts(
    "orders", folder="orders-repo", owner="team-a",
    publishes=(event("orders", "OrderPlaced"), event("orders", "OrderCancelled")),
    consumes=(event("payments", "PaymentTaken"),),
)
PAYMENTS = Facts(
    "payments", folder="payments-repo", owner="team-b",
    publishes=(event("payments", "PaymentTaken"),),
    consumes=(event("orders", "OrderPlaced"), event("orders", "OrderCancelled")),
    apis_provided=(Api("payments-api", "/payments", AT),),
)
SHOP = Facts(
    "shop", folder="shop-repo", owner="team-a",
    consumes=(event("orders", "OrderPlaced"),),
    apis_used=(Name("payments-api", AT),),
)
MAILER = Facts(
    "mailer", folder="mailer-repo",
    consumes=(event("orders", "OrderPlaced"), event("payments", "PaymentTaken")),
)
FACTS = (ORDERS, PAYMENTS, SHOP, MAILER)

CYCLE_MESSAGE = "services form a cycle: orders -> payments -> orders"
ORG005 = samples.finding("orders", "catalog-info.yaml", 7, 11, "ORG005", "error", CYCLE_MESSAGE)


def org_repos() -> tuple[RepoResult, ...]:
    return tuple(RepoResult(f.folder, f"services/{f.folder}", facts=f) for f in FACTS)


def org(*findings: Finding) -> LintResult:
    found = tuple(sorted((ORG005, *findings)))
    return LintResult(repos=org_repos(), findings=found, rules=samples.RULES)


def test_nodes_are_the_services_in_name_order_with_owners_and_org_findings() -> None:
    assert service_graph(org()).nodes == (
        Node("s0", "mailer", "", 0),
        Node("s1", "orders", "team-a", 1),
        Node("s2", "payments", "team-b", 0),
        Node("s3", "shop", "team-a", 0),
    )


def test_edges_follow_events_and_calls_with_every_label_and_mark_cycles() -> None:
    assert service_graph(org()).edges == (
        GraphEdge("orders", "mailer", EVENT, ("orders/OrderPlaced",), False),
        GraphEdge("orders", "payments", EVENT,
                  ("orders/OrderCancelled", "orders/OrderPlaced"), True),
        GraphEdge("orders", "shop", EVENT, ("orders/OrderPlaced",), False),
        GraphEdge("payments", "mailer", EVENT, ("payments/PaymentTaken",), False),
        GraphEdge("payments", "orders", EVENT, ("payments/PaymentTaken",), True),
        GraphEdge("shop", "payments", API, ("payments-api",), False),
    )


def test_internal_events_and_unknown_producers_draw_no_edge() -> None:
    # orders mirrors PaymentTaken on its own bus; a pipe of unknown source could produce
    # anything: neither is a dependency between services.
    mirrored = replace(ORDERS, consumes=(replace(event("payments", "PaymentTaken"), bus="Bus"),))
    pipe = Facts("legacy", publishes=(Event(ANY_VALUE, ANY_VALUE, AT, origin="template"),))
    assert build((mirrored, PAYMENTS, pipe)).edges == (
        GraphEdge("orders", "payments", EVENT,
                  ("orders/OrderCancelled", "orders/OrderPlaced"), False),
    )


def test_an_api_call_closing_a_loop_is_a_cycle() -> None:
    # payments now also calls shop's API: shop -> payments -> shop through two API calls.
    shop = replace(SHOP, apis_provided=(Api("shop-api", "/shop", AT),))
    payments = replace(PAYMENTS, apis_used=(Name("shop-api", AT),))
    edges = build([ORDERS, payments, shop, MAILER]).edges
    calls = {(e.tail, e.head): e.in_cycle for e in edges if e.kind == API}
    assert calls == {("payments", "shop"): True, ("shop", "payments"): True}


def test_org_findings_are_found_by_service_or_folder_and_suppressed_ones_do_not_count() -> None:
    by_folder = samples.finding("payments-repo", "catalog-info.yaml", 1, 1, "ORG003", "warning",
                                "consumed event has no producer")
    suppressed = samples.finding("shop", "catalog-info.yaml", 1, 1, "ORG004", "warning", "x",
                                 suppression=samples.KMS001_SUPPRESSED.suppression)
    not_org = samples.finding("mailer", "template.yaml", 1, 1, "SN001", "error", "x")
    nodes = service_graph(org(by_folder, suppressed, not_org)).nodes
    assert {n.service: n.org_findings for n in nodes} == {
        "mailer": 0, "orders": 1, "payments": 1, "shop": 0,
    }


def test_repos_sharing_a_service_name_are_one_node_with_the_first_owner_named() -> None:
    twin = Facts("orders", folder="orders-copy", owner="")
    graph = build([twin, ORDERS, PAYMENTS], Counter())
    assert [(n.service, n.owner) for n in graph.nodes] == [("orders", "team-a"),
                                                             ("payments", "team-b")]


MERMAID = """### Service graph

```mermaid
flowchart LR
  s0["mailer"]
  s1["orders"]
  s2["payments"]
  s3["shop"]
  s1 -->|"orders/OrderPlaced"| s0
  s1 -->|"orders/OrderCancelled, orders/OrderPlaced"| s2
  s1 -->|"orders/OrderPlaced"| s3
  s2 -->|"payments/PaymentTaken"| s0
  s2 -->|"payments/PaymentTaken"| s1
  s3 -.->|"payments-api"| s2
  linkStyle 1,4 stroke:#d1242f,stroke-width:2px
  classDef org stroke:#d1242f,stroke-width:3px
  class s1 org
```"""


def test_mermaid_section_text() -> None:
    assert mermaid_section(service_graph(org())) == MERMAID


def test_markdown_report_shows_the_graph_before_the_closing_line() -> None:
    text = render(org())
    assert MERMAID + "\n\n4 repos clean.\n" in text


def test_markdown_report_has_no_graph_for_fewer_than_two_services() -> None:
    one = LintResult(repos=org_repos()[:1], findings=())
    assert "Service graph" not in render(one)
    assert "Service graph" not in render(samples.mixed())  # no facts at all


def test_mermaid_labels_cannot_break_out_of_a_label_or_the_fence() -> None:
    assert mermaid_text('a"b|c[d]<e>&f#g`h\nnext') == (
        "a#34;b#124;c#91;d#93;#60;e#62;#38;f#35;g#96;h next"
    )
    hostile = Facts('x"] --> evil["', folder="x", consumes=(event("orders", "OrderPlaced"),))
    section = mermaid_section(build([hostile, ORDERS]))
    assert '  s1["x#34;#93; --#62; evil#91;#34;"]' in section.splitlines()
    assert section.count("```") == 2


def test_an_edge_lists_three_labels_and_counts_the_rest() -> None:
    many = tuple(event("orders", f"E{i}") for i in range(5))
    orders = Facts("orders", publishes=many)
    consumer = Facts("audit", consumes=many)
    section = mermaid_section(build([orders, consumer]))
    assert '  s1 -->|"orders/E0, orders/E1, orders/E2 and 2 more"| s0' in section


def big_org(services: int) -> list[Facts]:
    """A ring: each service consumes the next one's event."""
    names = [f"svc{i:03d}" for i in range(services)]
    return [
        Facts(name, folder=name, publishes=(event(name, "Changed"),),
              consumes=(event(names[(i + 1) % services], "Changed"),))
        for i, name in enumerate(names)
    ]


def test_mermaid_is_omitted_for_a_big_organisation() -> None:
    assert mermaid_section(build(big_org(200))) == (
        "### Service graph\n\nGraph omitted: 200 services and 200 edges (GitHub draws up to "
        "150 services and 400 edges); `svc lint --format html` lists every edge."
    )


def test_mermaid_is_omitted_for_too_many_edges() -> None:
    # 30 services, each consuming the event of every other one: 870 edges.
    names = [f"s{i:02d}" for i in range(30)]
    facts = [Facts(n, publishes=(event(n, "Changed"),),
                   consumes=tuple(event(m, "Changed") for m in names if m != n)) for n in names]
    assert "Graph omitted: 30 services and 870 edges" in mermaid_section(build(facts))


def test_services_without_edges_get_a_sentence_not_a_diagram() -> None:
    alone = [Facts("a"), Facts("b")]
    assert mermaid_section(build(alone)) == (
        "### Service graph\n\nNo service consumes another's events or calls another's API. "
        "(2 services)"
    )
