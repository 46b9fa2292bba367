"""The self-contained HTML page: loads nothing, escapes repo content, exact matrix counts and
the exact service graph, well-formed markup, and the cap for a big organisation."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from svc_serverless.linter.facts import Facts
from svc_serverless.linter.report import render as render_format
from svc_serverless.linter.report.graph_svg import MAX_INLINE_LABELS
from svc_serverless.linter.report.html import families, family, render
from svc_serverless.linter.result import LintResult, RepoResult
from tests.report import samples
from tests.report.test_graph import CYCLE_MESSAGE, big_org, event, org_repos

DOCS = "https://github.com/svc-dev/svc/blob/main/docs/rules.md"
HOSTILE = samples.finding("shop-repo", "template.yaml", 4, 2, "SN001", "error",
                          "<script>alert(1)</script> in `Handler`")
# Org findings name their repo by folder here (test_graph names it by service).
ORG005 = samples.finding("orders-repo", "catalog-info.yaml", 7, 11, "ORG005", "error",
                         CYCLE_MESSAGE)
ORG003 = samples.finding("payments-repo", "catalog-info.yaml", 3, 1, "ORG003", "warning",
                         "consumes an event nobody publishes")


def page_result() -> LintResult:
    """samples.mixed() (findings, suppressed ones, an unreadable and a clean repo) plus the
    organisation of test_graph (a cycle, an API user) with ORG and hostile findings."""
    base = samples.mixed()
    findings = tuple(sorted(base.findings + (ORG005, ORG003, HOSTILE)))
    return LintResult(repos=base.repos + org_repos(), findings=findings, fail_on="warning",
                      rules=samples.RULES)


PAGE = render(page_result())


class Checker(HTMLParser):
    """Counts tags left open or closed out of order (void elements need no end tag)."""

    VOID = frozenset({"meta", "br", "link", "img", "input", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else ''}>")
            return
        self.stack.pop()


def the_svg(page: str) -> ET.Element:
    match = re.search(r"<svg\b.*?</svg>", page, re.DOTALL)
    assert match is not None
    return ET.fromstring(match.group())


def matrix_rows(page: str) -> dict[str, list[str]]:
    """Repo -> its cells in the matrix: the count, or `class:text` for a coloured/odd cell."""
    rows: dict[str, list[str]] = {}
    for repo, cells in re.findall(r'<tr data-repo="([^"]*)">.*?</th>(.*?)</tr>', page):
        rows[repo] = [
            f"{cls.replace('count ', '')}:{text}"
            for cls, text in re.findall(r'<td class="([^"]*)"[^>]*>(.*?)</td>', cells)
        ]
    return rows


def test_the_page_is_well_formed() -> None:
    checker = Checker()
    checker.feed(PAGE)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    assert PAGE.startswith("<!DOCTYPE html>\n") and PAGE.endswith("</html>\n")


def test_the_page_loads_nothing_and_links_only_to_the_rules_docs() -> None:
    assert "<script" not in PAGE  # the hostile message is escaped, and the page has no script
    assert not re.search(r"<link\b|<img\b|<iframe\b|@import|\bsrc=", PAGE)
    assert not re.search(r"url\((?!#)", PAGE)  # SVG markers refer to the page itself only
    urls = re.findall(r"https?://[^\s\"'<>]*", PAGE)
    assert urls and all(u.startswith(DOCS + "#") for u in urls)
    assert all(f'<a href="{u}">' in PAGE for u in urls)


def test_hostile_text_is_escaped() -> None:
    assert ("&lt;script&gt;alert(1)&lt;/script&gt; in <code>Handler</code>") in PAGE
    hostile = LintResult(repos=(RepoResult('<img src=x onerror="a()">', "p"),), findings=())
    page = render(hostile)
    assert "<img" not in page
    assert 'data-repo="&lt;img src=x onerror=&quot;a()&quot;&gt;"' in page


def test_header_verdict_and_summary_match_the_exit_code() -> None:
    assert ('<p class="verdict failed"><strong>Failed</strong>: 5 findings at or above '
            "<code>warning</code>; 1 repo could not be read.</p>") in PAGE
    assert ('<p class="summary">3 errors, 2 warnings, 1 info in 8 repos '
            "(2 suppressed, 1 repo could not be read)</p>") in PAGE
    clean = render(LintResult(repos=(RepoResult("a", "a"),), findings=()))
    assert ('<p class="verdict passed"><strong>Passed</strong>: no findings at or above '
            "<code>error</code>.</p>") in clean


def test_families_come_from_the_rule_codes() -> None:
    assert [family(c) for c in ("SVC001", "SN010", "KMS002", "LAY009", "ORG005")] == [
        "SVC", "SN", "KMS", "LAY", "ORG",
    ]
    # the run's rules in registry order, then families only findings name
    assert families(page_result()) == ["SN", "KMS", "LAY", "ORG"]


def test_matrix_cells_count_unsuppressed_findings_by_family() -> None:
    assert matrix_rows(PAGE) == {
        #            SN             KMS       LAY              ORG
        "orders": ["sev-error:1", "clean:", "sev-info:1", "clean:"],  # KMS001 is suppressed
        "payments": ["clean:", "clean:", "sev-warning:1", "clean:"],
        "legacy": [f"unreadable:could not be read: {samples.UNREADABLE}"],
        "users": ["clean:", "clean:", "clean:", "clean:"],
        "orders-repo": ["clean:", "clean:", "clean:", "sev-error:1"],
        "payments-repo": ["clean:", "clean:", "clean:", "sev-warning:1"],
        "shop-repo": ["sev-error:1", "clean:", "clean:", "clean:"],
        "mailer-repo": ["clean:", "clean:", "clean:", "clean:"],
    }
    assert '<tr data-repo="orders-repo"><th scope="row"><a href="#repo-4">orders-repo</a>' in PAGE
    assert '<tr data-repo="users"><th scope="row">users</th>' in PAGE  # clean: no link


def test_matrix_totals_and_unreadable_row() -> None:
    assert ('<tfoot><tr><th scope="row">All repos</th>'
            '<td class="count sev-error" title="2 errors">2</td><td class="count clean"></td>'
            '<td class="count sev-warning" title="1 warning, 1 info">2</td>'
            '<td class="count sev-error" title="1 error, 1 warning">2</td></tr></tfoot>') in PAGE
    assert ('<td class="unreadable" colspan="4">could not be read: '
            f"{samples.UNREADABLE}</td>") in PAGE


def test_each_repo_with_findings_has_a_table_linking_the_rules() -> None:
    assert '<h3 id="repo-0">orders <span class="path">services/orders</span></h3>' in PAGE
    assert '<p class="note">1 suppressed, not listed.</p>' in PAGE
    assert (f'<tr class="sev-error"><td>error</td><td><a href="{DOCS}#sn001">SN001</a> '
            "no-import-value</td><td><code>template.yaml:12:7</code></td>"
            '<td class="message">Fn::ImportValue payments-TableName reads another stack&#x27;s '
            "output</td></tr>") in PAGE
    assert "<td><code>functions/refund</code></td>" in PAGE  # a whole-file finding: no line
    assert PAGE.count('<table class="findings">') == 5  # orders, payments and three org repos


def test_svg_has_one_node_per_service_and_exactly_the_edges() -> None:
    svg = the_svg(PAGE)
    nodes = svg.findall(".//g[@data-service]")
    assert [n.get("data-service") for n in nodes] == ["mailer", "orders", "payments", "shop"]
    assert all(len(n.findall("rect[@class='box']")) == 1 for n in nodes)
    edges = {
        (e.get("data-from"), e.get("data-to"), e.get("data-kind"), e.get("class"))
        for e in svg.iter("path") if e.get("data-from") is not None
    }
    assert edges == {
        ("orders", "mailer", "event", "edge event"),
        ("orders", "payments", "event", "edge event cycle"),
        ("orders", "shop", "event", "edge event"),
        ("payments", "mailer", "event", "edge event"),
        ("payments", "orders", "event", "edge event cycle back"),  # drawn right to left
        ("shop", "payments", "api", "edge api"),
    }
    arrows = {e.get("marker-end") for e in svg.iter("path") if e.get("data-from")}
    assert arrows == {"url(#arrow)", "url(#arrow-cycle)", "url(#arrow-back)"}
    assert {m.get("id") for m in svg.iter("marker")} == {"arrow", "arrow-cycle", "arrow-back"}


def test_svg_labels_tooltips_and_org_highlight() -> None:
    svg = the_svg(PAGE)
    titles = [t.text or "" for t in svg.iter("title")]
    assert "orders \u2192 payments: orders/OrderCancelled, orders/OrderPlaced (in a cycle)" in titles
    assert "orders (owner team-a): 1 ORG finding" in titles
    assert "mailer (no owner)" in titles
    flagged = [g.get("data-service") for g in svg.iter("g") if g.get("class") == "node org"]
    assert flagged == ["orders", "payments"]
    labels = {
        (g.get("data-from"), g.get("data-to"), g.get("data-kind")):
            [t.text or "" for t in g.iter("tspan")]
        for g in svg.iter("g") if "edge-label" in (g.get("class") or "").split()
    }
    assert labels == {  # one event or API a line
        ("orders", "mailer", "event"): ["orders/OrderPlaced"],
        ("orders", "payments", "event"): ["orders/OrderCancelled", "orders/OrderPlaced"],
        ("orders", "shop", "event"): ["orders/OrderPlaced"],
        ("payments", "mailer", "event"): ["payments/PaymentTaken"],
        ("payments", "orders", "event"): ["payments/PaymentTaken"],
        ("shop", "payments", "api"): ["payments-api"],
    }


def test_edge_table_lists_every_edge() -> None:
    assert ('<tr class="cycle"><td>orders</td><td>payments</td><td>events</td>'
            "<td>orders/OrderCancelled<br>orders/OrderPlaced</td><td>yes</td></tr>") in PAGE
    assert ("<tr><td>shop</td><td>payments</td><td>API call</td><td>payments-api</td>"
            "<td></td></tr>") in PAGE


def test_output_is_deterministic() -> None:
    assert render(page_result()) == PAGE
    assert render_format("html", page_result()) == PAGE  # through the registry


def test_many_edges_keep_labels_in_tooltips_only() -> None:
    names = [f"s{i:02d}" for i in range(10)]
    facts = [Facts(n, publishes=(event(n, "Changed"),),
                   consumes=tuple(event(m, "Changed") for m in names if m != n)) for n in names]
    result = LintResult(repos=tuple(RepoResult(f.service, f.service, facts=f) for f in facts),
                        findings=())
    page = render(result)
    svg = the_svg(page)
    assert len([e for e in svg.iter("path") if e.get("data-from")]) == 90 > MAX_INLINE_LABELS
    assert not [g for g in svg.iter("g") if "edge-label" in (g.get("class") or "").split()]
    assert "With 90 edges, an edge's events or API show when pointing at it." in page


def test_a_big_organisation_gets_the_edge_table_and_no_picture() -> None:
    result = LintResult(
        repos=tuple(RepoResult(f.service, f.service, facts=f) for f in big_org(200)),
        findings=(),
    )
    page = render(result)
    assert "<svg" not in page
    assert ('<p class="cap">No picture: 200 services are more than the 150 a picture can show '
            "readably; every edge is listed below.</p>") in page
    assert page.count("<td>events</td>") == 200


def test_fewer_than_two_services_have_no_graph() -> None:
    page = render(samples.mixed())
    assert "<svg" not in page
    assert ("<p>The service graph needs the facts of two or more services; this run has "
            "0 services with facts.</p>") in page


def test_services_without_edges_get_a_sentence_not_a_picture() -> None:
    result = LintResult(repos=tuple(RepoResult(n, n, facts=Facts(n)) for n in ("a", "b")),
                        findings=())
    page = render(result)
    assert "<svg" not in page and '<table class="edges">' not in page
    assert ("<p>No service consumes another's events or calls another's API. "
            "(2 services)</p>") in page
