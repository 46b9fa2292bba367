"""GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY` and pull-request comments.

A verdict line, a table of counts, one table per repo with findings, the repos that could not be
read, the service graph as a Mermaid flowchart (GitHub draws it) when two or more services have
facts, and the number of clean repos. Suppressed findings are counted, not listed. Every piece of
text from a repo is escaped, so a message cannot break a table or inject HTML.

Extension point: `render(result, extra_sections=[...])` appends ready-made Markdown sections
(e.g. the organisation's service graph) before the closing line; the section builders below are
public so another report can reuse them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from svc_serverless.linter.report.common import (
    RepoGroup,
    group_by_repo,
    location,
    plural,
    rule_doc_url,
)
from svc_serverless.linter.report.safe import escape_controls, neutralise_commands

if TYPE_CHECKING:
    from svc_serverless.linter.report.graph import ServiceGraph
    from svc_serverless.linter.result import LintResult
    from svc_serverless.linter.rule import Finding

TITLE = "## svc lint"
# GitHub refuses a pull-request comment over 65,536 characters (a job summary over 1 MiB);
# the rest is room for whatever a workflow wraps around the report.
MAX_CHARS = 65_000

_BACKSLASHED = re.compile(r"([\\`*_\[\]|~#])")
# What would turn a paragraph of repo text into a list item, a thematic break or a setext
# underline (`#`, `*`, `_` and `>` are escaped by `escape` already), and indentation that
# would make it a code block.
_BLOCK_START = re.compile(r"^(\d{0,9})([-+=.)])")
_INDENT = re.compile(r"^[ \t]+")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_CODE_SPAN = re.compile(r"`([^`\r\n]+)`")

# GitHub refuses to draw diagrams much past these sizes; the HTML report draws the rest.
MAX_MERMAID_SERVICES, MAX_MERMAID_EDGES = 150, 400
MAX_MERMAID_LABELS = 3  # per edge; the rest are counted
CYCLE_COLOUR = "#d1242f"
NO_EDGES = "No service consumes another's events or calls another's API."
# Everything Mermaid could read as syntax inside a quoted label, written as an entity code.
_MERMAID_SPECIAL = re.compile(r'[#"<>&|\[\](){}`;\\]')


def render(
    result: LintResult, *, color: bool = False, extra_sections: Sequence[str] = ()
) -> str:
    del color  # Markdown has no colour
    groups = group_by_repo(result)
    head = [TITLE, verdict(result), counts_table(result)]
    tables = [repo_section(g) for g in groups if g.shown]
    tail = [unreadable_section(groups)]
    graph = graph_section(result)
    tail += [graph, *(section.strip() for section in extra_sections)]
    clean = sum(1 for g in groups if g.error is None and not g.shown)
    if clean:
        tail.append(f"{plural(clean, 'repo')} clean.")
    # Printed to a CI log, a repo's path starts a line; `\:` and `\[` are Markdown escapes, so
    # the rendered page still shows the repo's text.
    text = _joined(head + tables + tail)
    if len(text) <= MAX_CHARS:
        return text
    if graph and len(_joined(head + tail)) > MAX_CHARS // 2:
        tail[tail.index(graph)] = GRAPH_CUT
    return _capped(head, [g for g in groups if g.shown], tail)


GRAPH_CUT = "### Service graph\n\nLeft out to fit a comment: `svc lint --format html` draws it."


def _joined(sections: Sequence[str]) -> str:
    return neutralise_commands("\n\n".join(s for s in sections if s) + "\n")


def _capped(head: list[str], groups: Sequence[RepoGroup], tail: list[str]) -> str:
    """The report within MAX_CHARS: findings rows are cut, never the verdict, counts or notes.

    Repos keep their order and each table its sort; rows are added while they fit, and a note
    says how many findings were left out and where the full list is.
    """
    budget = MAX_CHARS - len(_joined(head + tail)) - len(_cut_note(10**9, 10**9)) - 2
    tables: list[str] = []
    listed = 0
    for group in groups:
        table = repo_section(group).split("\n")
        rows, lines = table[-len(group.shown):], table[:-len(group.shown)]
        cost = len(neutralise_commands("\n".join(lines))) + 2
        if cost + len(rows[0]) + 1 > budget:
            break
        budget -= cost
        for row in rows:
            row_cost = len(neutralise_commands(row)) + 1
            if row_cost > budget:
                break
            lines.append(row)
            budget -= row_cost
        listed += len(lines) - (len(table) - len(rows))
        tables.append("\n".join(lines))
        if len(lines) < len(table):
            break
    total = sum(len(g.shown) for g in groups)
    return _joined(head + tables + [_cut_note(total - listed, total)] + tail)


def _cut_note(cut: int, total: int) -> str:
    return (f"**{plural(cut, 'finding')} of {total} not listed** to fit a pull-request comment "
            f"({MAX_CHARS:,} characters): `svc lint --format html` or `--format json` lists "
            "every finding.")


def verdict(result: LintResult) -> str:
    """Pass or fail as svc's exit code does: findings at or above --fail-on, or unread repos."""
    if result.fail_on == "never":
        return "**Passed**: `--fail-on never`."
    failing = len(result.failing())
    unreadable = sum(1 for repo in result.repos if repo.error is not None)
    reasons = [
        f"{plural(failing, 'finding')} at or above `{result.fail_on}`" if failing else "",
        f"{plural(unreadable, 'repo')} could not be read" if unreadable else "",
    ]
    if failing or unreadable:
        return "**Failed**: " + "; ".join(r for r in reasons if r) + "."
    return f"**Passed**: no findings at or above `{result.fail_on}`."


def counts_table(result: LintResult) -> str:
    counts = result.counts()
    unreadable = sum(1 for repo in result.repos if repo.error is not None)
    row = (counts["error"], counts["warning"], counts["info"], result.suppressed_count,
           result.crashes, len(result.repos), unreadable)
    return "\n".join([
        "| Errors | Warnings | Info | Suppressed | Crashes | Repos | Could not be read |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| " + " | ".join(str(n) for n in row) + " |",
    ])


def repo_section(group: RepoGroup) -> str:
    """A heading, the repo's path when it says more than its name, and its findings."""
    lines = [f"### {escape(group.name)}", ""]
    if group.path_note:
        lines += [escape_paragraph(group.path_note), ""]
    lines += ["| Severity | Rule | Location | Message |", "| --- | --- | --- | --- |"]
    lines += [_finding_row(f) for f in group.shown]
    return "\n".join(lines)


def unreadable_section(groups: Sequence[RepoGroup]) -> str:
    """The repos that could not be read ("" when every repo was read)."""
    items = [
        f"- **{escape(g.name)}** ({escape(g.path)}): {escape(g.error)}"
        for g in groups
        if g.error is not None
    ]
    return "\n".join(["### Could not be read", "", *items]) if items else ""


def _finding_row(finding: Finding) -> str:
    rule = f"[{finding.rule}]({rule_doc_url(finding.rule)}) {escape(finding.name)}"
    cells = (finding.severity, rule, table_code(location(finding)), message_cell(finding.message))
    return "| " + " | ".join(cells) + " |"


def escape(text: str) -> str:
    """Plain text that renders as itself, on one line, inside a table cell or a list item."""
    text = escape_controls(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _BACKSLASHED.sub(r"\\\1", text)
    return _NEWLINES.sub("<br>", text)


def escape_paragraph(text: str) -> str:
    """Plain text that renders as itself as a paragraph of its own: never a list or code block."""
    text = _BLOCK_START.sub(r"\1\\\2", escape(text))
    return _INDENT.sub(lambda match: "".join(f"&#{ord(c)};" for c in match.group()), text)


def message_cell(text: str) -> str:
    """A message in a table cell: its `code spans` stay code, everything else is escaped text.

    Rule messages quote values and fixes in backticks; escaping those would show the backticks.
    """
    parts = _CODE_SPAN.split(text)
    # split() with one group alternates: plain text at even indices, span contents at odd ones
    return "".join(table_code(p) if i % 2 else escape(p) for i, p in enumerate(parts))


def table_code(text: str) -> str:
    """A code span inside a table cell: GFM splits cells on `|` even there, unless escaped."""
    text = escape_controls(_NEWLINES.sub(" ", text)).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def graph_section(result: LintResult) -> str:
    """The service graph as Mermaid ("" when fewer than two services have facts)."""
    if sum(1 for repo in result.repos if repo.facts is not None) < 2:
        return ""
    from svc_serverless.linter.report.graph import (
        service_graph,  # imports the org rules: only when drawn
    )

    return mermaid_section(service_graph(result))


def mermaid_section(graph: ServiceGraph) -> str:
    """`### Service graph` with a `flowchart LR`, or why it is left out.

    Event flows are solid arrows (producer --> consumer), API calls dotted (user -.-> provider);
    edges on a cycle are red, as are services with organisation findings.
    """
    nodes, edges = len(graph.nodes), len(graph.edges)
    if nodes < 2:
        return ""
    title = "### Service graph"
    if not edges:  # a picture of unconnected services says nothing
        return f"{title}\n\n{NO_EDGES} ({plural(nodes, 'service')})"
    if nodes > MAX_MERMAID_SERVICES or edges > MAX_MERMAID_EDGES:
        return (f"{title}\n\nGraph omitted: {plural(nodes, 'service')} and "
                f"{plural(edges, 'edge')} (GitHub draws up to {MAX_MERMAID_SERVICES} services and "
                f"{MAX_MERMAID_EDGES} edges); `svc lint --format html` lists every edge.")
    from svc_serverless.linter.report.graph import EVENT

    ids = graph.ids()
    lines = [title, "", "```mermaid", "flowchart LR"]
    lines += [f'  {node.id}["{mermaid_text(node.service)}"]' for node in graph.nodes]
    for edge in graph.edges:
        arrow = "-->" if edge.kind == EVENT else "-.->"
        label = mermaid_text(_shortened(edge.labels))
        lines.append(f'  {ids[edge.tail]} {arrow}|"{label}"| {ids[edge.head]}')
    cycle = [str(i) for i, edge in enumerate(graph.edges) if edge.in_cycle]
    if cycle:
        lines.append(f"  linkStyle {','.join(cycle)} stroke:{CYCLE_COLOUR},stroke-width:2px")
    flagged = [node.id for node in graph.nodes if node.org_findings]
    if flagged:
        lines.append(f"  classDef org stroke:{CYCLE_COLOUR},stroke-width:3px")
        lines.append(f"  class {','.join(flagged)} org")
    lines.append("```")
    return "\n".join(lines)


def mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label: one line, syntax characters as entity codes (#34;)."""
    text = escape_controls(_NEWLINES.sub(" ", text))
    return _MERMAID_SPECIAL.sub(lambda match: f"#{ord(match.group())};", text)


def _shortened(labels: Sequence[str]) -> str:
    shown = ", ".join(labels[:MAX_MERMAID_LABELS])
    rest = len(labels) - MAX_MERMAID_LABELS
    return f"{shown} and {rest} more" if rest > 0 else shown
