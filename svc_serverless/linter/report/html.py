"""One self-contained HTML page: the verdict, a repos x rule-family matrix, each repo's findings
and the service graph drawn as inline SVG.

The page loads nothing (inline CSS and SVG, no script, no fonts, no images), so it can be kept
as a CI artifact and opened offline; its only links are to the rules' documentation. Everything
from a repo is untrusted and goes through `_text`. The output is deterministic (sorted, no
timestamps) and linear in the size of the run, so it stays fast for 10,000 repos.

The service graph section, picture and edge table, is report/graph_svg.py.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING

from svc_serverless.linter.report.common import (
    RepoGroup,
    group_by_repo,
    location,
    plural,
    rule_doc_url,
    summary_line,
)
from svc_serverless.linter.report.graph import service_graph
from svc_serverless.linter.report.graph_svg import GRAPH_STYLE, graph_section
from svc_serverless.linter.report.markdown import verdict
from svc_serverless.linter.report.safe import escape_controls, safe_markup
from svc_serverless.linter.report.waivers import waivers_section
from svc_serverless.linter.rule import SEVERITIES, OrgRule, Rule

if TYPE_CHECKING:
    from svc_serverless.linter.result import LintResult
    from svc_serverless.linter.rule import Finding, Severity

_FAMILY = re.compile(r"[A-Za-z]+")
_CODE_SPAN = re.compile(r"`([^`\r\n]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#1f2328}
h1{margin:0 0 .3em}h2{margin-top:2em;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top}
thead th{background:#f6f8fa}
td.count{text-align:right;min-width:3em}
.sev-error{background:#ffebe9}.sev-warning{background:#fff8c5}.sev-info{background:#ddf4ff}
td.unreadable{background:#eaeef2;font-style:italic}
.verdict{font-size:1.2em;padding:.3em .6em;display:inline-block;border-radius:4px}
.verdict.passed{background:#dafbe1}.verdict.failed{background:#ffebe9}
.message{white-space:pre-wrap}.path,.note{color:#59636e}
"""


def render(result: LintResult, *, color: bool = False) -> str:
    del color  # the page has its own colours
    groups = group_by_repo(result)
    anchors = {i: f"repo-{i}" for i, g in enumerate(groups) if g.shown}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
        f"<title>svc lint</title><style>{STYLE}{GRAPH_STYLE}</style></head>",
        "<body>",
        header(result),
        matrix(result, groups, anchors),
        findings_section(groups, anchors),
        waivers_section(result),
        graph_section(service_graph(result)),
        "</body>",
        "</html>",
    ]
    # A message keeps its line breaks (pre-wrap), so printed to a CI log a line could start
    # with `::`; the browser shows the same text.
    return safe_markup("\n".join(part for part in parts if part) + "\n")


def _text(text: str) -> str:
    """Untrusted text as HTML (or SVG) text or attribute value: controls shown, markup escaped."""
    return escape(escape_controls(text), quote=True)


def _message(text: str) -> str:
    """A rule message: its `code spans` (values and fixes the rule quotes) become <code>."""
    return _CODE_SPAN.sub(r"<code>\1</code>", _text(text))


# --------------------------------------------------------------------------------------------
# Header


def header(result: LintResult) -> str:
    """The verdict as the exit code decides it (markdown.verdict), then the summary counts."""
    decided = verdict(result)
    state = "passed" if decided.startswith("**Passed**") else "failed"
    # verdict() speaks Markdown with only bold and code spans, and no text from repos.
    shown = _BOLD.sub(r"<strong>\1</strong>", _message(decided))
    return "\n".join([
        "<header>",
        "<h1>svc lint</h1>",
        f'<p class="verdict {state}">{shown}</p>',
        f'<p class="summary">{_text(summary_line(result))}</p>',
        "</header>",
    ])


# --------------------------------------------------------------------------------------------
# The repos x rule families matrix


def family(code: str) -> str:
    """A rule's family: the letters its code starts with (SN001 -> SN)."""
    match = _FAMILY.match(code)
    return match.group().upper() if match else code


def families(result: LintResult) -> list[str]:
    """The run's rule families in registry order, then any other family a finding has."""
    known = dict.fromkeys(
        family(rule.code) for rule in result.rules if isinstance(rule, (Rule, OrgRule))
    )
    extra = sorted({family(f.rule) for f in result.findings} - known.keys())
    return [*known, *extra]


def matrix(result: LintResult, groups: Sequence[RepoGroup], anchors: dict[int, str]) -> str:
    columns = families(result)
    head = "".join(f'<th scope="col">{_text(c)}</th>' for c in columns)
    rows = [_matrix_row(i, g, columns, anchors.get(i)) for i, g in enumerate(groups)]
    totals = [f for g in groups for f in g.shown]
    return "\n".join([
        '<section id="matrix">',
        "<h2>Findings by repo and rule family</h2>",
        '<table class="matrix">',
        f'<thead><tr><th scope="col">Repo</th>{head}</tr></thead>',
        "<tbody>",
        *rows,
        "</tbody>",
        f'<tfoot><tr><th scope="row">All repos</th>{_cells(totals, columns)}</tr></tfoot>',
        "</table>",
        "</section>",
    ])


def _matrix_row(index: int, group: RepoGroup, columns: Sequence[str], anchor: str | None) -> str:
    name = _text(group.name)
    if anchor is not None:
        name = f'<a href="#{anchor}">{name}</a>'
    head = f'<tr data-repo="{_text(group.name)}"><th scope="row">{name}</th>'
    if group.error is not None:
        return (f'{head}<td class="unreadable" colspan="{len(columns)}">could not be read: '
                f"{_text(group.error)}</td></tr>")
    return f"{head}{_cells(group.shown, columns)}</tr>"


def _cells(findings: Iterable[Finding], columns: Sequence[str]) -> str:
    """One cell per family: the count, coloured by the worst severity; empty when clean."""
    by_family: dict[str, Counter[Severity]] = {c: Counter() for c in columns}
    for finding in findings:
        by_family[family(finding.rule)][finding.severity] += 1
    return "".join(_cell(by_family[c]) for c in columns)


def _cell(counts: Counter[Severity]) -> str:
    total = sum(counts.values())
    if not total:
        return '<td class="count clean"></td>'
    worst = next(s for s in SEVERITIES if counts[s])
    title = ", ".join(_severity_count(counts[s], s) for s in SEVERITIES if counts[s])
    return f'<td class="count sev-{worst}" title="{title}">{total}</td>'


def _severity_count(count: int, severity: Severity) -> str:
    return f"{count} info" if severity == "info" else plural(count, severity)


# --------------------------------------------------------------------------------------------
# Each repo's findings


def findings_section(groups: Sequence[RepoGroup], anchors: dict[int, str]) -> str:
    tables = [_repo_findings(groups[i], anchor) for i, anchor in anchors.items()]
    body = tables or ["<p>No findings.</p>"]
    return "\n".join(['<section id="findings">', "<h2>Findings</h2>", *body, "</section>"])


def _repo_findings(group: RepoGroup, anchor: str) -> str:
    path = f' <span class="path">{_text(group.path_note)}</span>' if group.path_note else ""
    suppressed = len(group.findings) - len(group.shown)
    note = f'<p class="note">{suppressed} suppressed, not listed.</p>' if suppressed else ""
    rows = [_finding_row(f) for f in group.shown]
    heading = f'<h3 id="{anchor}">{_text(group.name)}{path}</h3>{note}'
    return heading + "\n" + _table("findings", ("Severity", "Rule", "Location", "Message"), rows)


def _table(cls: str, headings: Sequence[str], rows: Sequence[str]) -> str:
    head = "".join(f"<th>{h}</th>" for h in headings)
    return "\n".join(
        [f'<table class="{cls}">', f"<thead><tr>{head}</tr></thead>", "<tbody>", *rows,
         "</tbody>", "</table>"]
    )


def _finding_row(finding: Finding) -> str:
    rule = f'<a href="{_text(rule_doc_url(finding.rule))}">{_text(finding.rule)}</a>'
    return (
        f'<tr class="sev-{finding.severity}"><td>{finding.severity}</td>'
        f"<td>{rule} {_text(finding.name)}</td><td><code>{_text(location(finding))}</code></td>"
        f'<td class="message">{_message(finding.message)}</td></tr>'
    )
