"""One self-contained HTML page: the verdict, a repos x rule-family matrix, each repo's findings
and the service graph drawn as inline SVG.

The page loads nothing (inline CSS and SVG, no script, no fonts, no images), so it can be kept
as a CI artifact and opened offline; its only links are to the rules' documentation. Everything
from a repo is untrusted and goes through `_text`. The output is deterministic (sorted, no
timestamps) and linear in the size of the run, so it stays fast for 10,000 repos.

The graph layout is a circle, services grouped by owner: deterministic, readable up to
MAX_PICTURE_SERVICES, and it needs no layout engine. Beyond that no picture is drawn; the edge
table below the picture always lists every edge.
"""

from __future__ import annotations

import math
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
from svc_serverless.linter.report.graph import EVENT, GraphEdge, Node, ServiceGraph, service_graph
from svc_serverless.linter.report.markdown import NO_EDGES, verdict
from svc_serverless.linter.report.safe import escape_controls, safe_markup
from svc_serverless.linter.report.waivers import waivers_section
from svc_serverless.linter.rule import SEVERITIES, OrgRule, Rule

if TYPE_CHECKING:
    from svc_serverless.linter.result import LintResult
    from svc_serverless.linter.rule import Finding, Severity

MAX_PICTURE_SERVICES = 150  # more cannot be read as a picture: the edge table stays
MAX_INLINE_LABELS = 40  # edges; with more, edge labels are tooltips only
MAX_LABEL_CHARS = 32  # service names and edge labels in the picture are cut to this
MAX_LEGEND_OWNERS = 12
OWNER_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f",
                 "#bab0ac")
NO_OWNER_COLOUR = "#ffffff"

# Picture geometry, in SVG user units.
NODE_RADIUS = 9
NODE_SPACING = 22  # along the circle, between neighbouring services
MIN_RADIUS = 150
CHAR_WIDTH = 8  # a generous estimate for 13px sans-serif, to leave room for labels
HORIZONTAL_LABELS_UP_TO = 12  # services; more get labels along the radius so they cannot collide

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
svg.graph{max-width:100%;height:auto;border:1px solid #d0d7de;background:#fff}
svg.graph text{font:13px system-ui,sans-serif;fill:#1f2328}
svg.graph .edge{fill:none;stroke:#6e7781;stroke-width:1.4}
svg.graph .edge.api{stroke-dasharray:5 4}
svg.graph .edge.cycle{stroke:#d1242f;stroke-width:2.2}
svg.graph text.edge-label{font-size:11px;fill:#59636e;paint-order:stroke;stroke:#fff;stroke-width:3}
svg.graph circle{stroke:#1f2328;stroke-width:1.2}
svg.graph .org circle{stroke:#d1242f;stroke-width:3.5}svg.graph .org text{fill:#d1242f}
.legend span{display:inline-block;width:.9em;height:.9em;border:1px solid #1f2328;
 vertical-align:middle;margin:0 .3em 0 1em}
tr.cycle td{color:#d1242f}
"""


def render(result: LintResult, *, color: bool = False) -> str:
    del color  # the page has its own colours
    groups = group_by_repo(result)
    anchors = {i: f"repo-{i}" for i, g in enumerate(groups) if g.shown}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
        f"<title>svc lint</title><style>{STYLE}</style></head>",
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


# --------------------------------------------------------------------------------------------
# The service graph


def graph_section(graph: ServiceGraph) -> str:
    parts = ['<section id="graph">', "<h2>Service graph</h2>"]
    services = len(graph.nodes)
    if services < 2:
        parts.append(f"<p>The service graph needs the facts of two or more services; this run "
                     f"has {plural(services, 'service')} with facts.</p>")
    elif not graph.edges:
        parts.append(f"<p>{NO_EDGES} ({plural(services, 'service')})</p>")
    elif services > MAX_PICTURE_SERVICES:
        parts.append(f'<p class="cap">No picture: {plural(services, "service")} are more than '
                     f"the {MAX_PICTURE_SERVICES} a picture can show readably; every edge is "
                     "listed below.</p>")
    else:
        parts += [svg(graph), _legend(graph)]
    if graph.edges:
        parts.append(edge_table(graph))
    parts.append("</section>")
    return "\n".join(parts)


def edge_table(graph: ServiceGraph) -> str:
    rows = [
        f'<tr{_cycle_class(e)}><td>{_text(e.tail)}</td>'
        f"<td>{_text(e.head)}</td><td>{_kind(e)}</td>"
        f"<td>{'<br>'.join(_text(label) for label in e.labels)}</td>"
        f"<td>{'yes' if e.in_cycle else ''}</td></tr>"
        for e in graph.edges
    ]
    return _table("edges", ("From", "To", "Kind", "Events or API", "In a cycle"), rows)


def _cycle_class(edge: GraphEdge) -> str:
    return ' class="cycle"' if edge.in_cycle else ""


def _kind(edge: GraphEdge) -> str:
    return "events" if edge.kind == EVENT else "API call"


def _legend(graph: ServiceGraph) -> str:
    colours = _owner_colours(graph.nodes)
    owners = sorted(colours)
    swatches = "".join(
        f'<span style="background:{colours[o]}"></span>{_text(o) or "no owner"}'
        for o in owners[:MAX_LEGEND_OWNERS]
    )
    more = f" and {len(owners) - MAX_LEGEND_OWNERS} more owners" if (
        len(owners) > MAX_LEGEND_OWNERS) else ""
    labels = "" if len(graph.edges) <= MAX_INLINE_LABELS else (
        f" With {len(graph.edges)} edges, an edge's events or API show when pointing at it.")
    return (
        '<p class="legend">Solid arrows: events, from producer to consumer. Dashed arrows: '
        "API calls, from user to provider. Red arrows: dependencies in a cycle (ORG005). "
        f"Red rings: services with organisation (ORG) findings.{labels}<br>"
        f"Owners:{swatches}{more}</p>"
    )


def _owner_colours(nodes: Sequence[Node]) -> dict[str, str]:
    owners = sorted({node.owner for node in nodes if node.owner})
    colours = {o: OWNER_COLOURS[i % len(OWNER_COLOURS)] for i, o in enumerate(owners)}
    if any(not node.owner for node in nodes):
        colours[""] = NO_OWNER_COLOUR
    return colours


Point = tuple[float, float]


def _layout(nodes: Sequence[Node]) -> tuple[dict[str, float], float, Point]:
    """Each service's angle on the circle (teams side by side), the radius and the centre.

    The margins leave room for the longest label: all round when labels follow the radius,
    only left and right when they are level.
    """
    ordered = sorted(nodes, key=lambda n: (n.owner, n.service))
    radius = max(MIN_RADIUS, len(ordered) * NODE_SPACING / (2 * math.pi))
    longest = max(len(_cut(node.service)) for node in ordered)
    side = NODE_RADIUS + 20 + longest * CHAR_WIDTH
    top = 40 if len(ordered) <= HORIZONTAL_LABELS_UP_TO else side
    angles = {
        node.service: -math.pi / 2 + 2 * math.pi * i / len(ordered)
        for i, node in enumerate(ordered)
    }
    return angles, radius, (radius + side, radius + top)


def svg(graph: ServiceGraph) -> str:
    """The picture; `data-from`/`data-to`/`data-kind` on each edge and `data-service` on each
    node say what is drawn without reading coordinates."""
    angles, radius, (cx, cy) = _layout(graph.nodes)
    at = {s: (cx + radius * math.cos(a), cy + radius * math.sin(a)) for s, a in angles.items()}
    width, height = _num(2 * cx), _num(2 * cy)
    inline_labels = len(graph.edges) <= MAX_INLINE_LABELS
    horizontal = len(graph.nodes) <= HORIZONTAL_LABELS_UP_TO
    colours = _owner_colours(graph.nodes)
    return "\n".join([
        (f'<svg class="graph" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
         'role="img" aria-label="Service graph">'),
        "<defs>",
        _marker("arrow", "#6e7781"),
        _marker("arrow-cycle", "#d1242f"),
        "</defs>",
        '<g class="edges">',
        *(_edge(e, at[e.tail], at[e.head], inline_labels) for e in graph.edges),
        "</g>",
        '<g class="nodes">',
        *(_node(n, at[n.service], angles[n.service], horizontal, colours[n.owner])
          for n in graph.nodes),
        "</g>",
        "</svg>",
    ])


def _marker(name: str, colour: str) -> str:
    return (f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
            f'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')


def _edge(edge: GraphEdge, tail: Point, head: Point, inline_label: bool) -> str:
    """A quadratic curve bent to the arrow's left: a -> b and b -> a do not overlap, and an API
    call bends further than events between the same two services."""
    (x0, y0), (x2, y2) = tail, head
    dx, dy = x2 - x0, y2 - y0
    length = math.hypot(dx, dy) or 1.0
    bend = (0.12 if edge.kind == EVENT else 0.24) * length
    control = ((x0 + x2) / 2 + dy / length * bend, (y0 + y2) / 2 - dx / length * bend)
    start = _towards(tail, control, NODE_RADIUS + 2)
    end = _towards(head, control, NODE_RADIUS + 3)
    kind = "event" if edge.kind == EVENT else "api"
    cycle = " cycle" if edge.in_cycle else ""
    marker = "arrow-cycle" if edge.in_cycle else "arrow"
    what = ", ".join(edge.labels)
    title = f"{edge.tail} \u2192 {edge.head}: {what}" + (" (in a cycle)" if edge.in_cycle else "")
    path = (
        f'<path class="edge {kind}{cycle}" data-from="{_text(edge.tail)}" '
        f'data-to="{_text(edge.head)}" data-kind="{kind}" d="M{_pt(start)} Q{_pt(control)} '
        f'{_pt(end)}" marker-end="url(#{marker})"><title>{_text(title)}</title></path>'
    )
    if not inline_label:
        return path
    # The curve's midpoint (t = 1/2 of a quadratic Bezier).
    mid = ((start[0] + 2 * control[0] + end[0]) / 4, (start[1] + 2 * control[1] + end[1]) / 4)
    return f"{path}\n{_edge_label(what, mid, (dy / length, -dx / length))}"


def _edge_label(text: str, mid: Point, bend: Point) -> str:
    """The label beside the curve, on the side it bends to: a -> b and b -> a keep theirs apart."""
    x, y = mid
    if abs(bend[0]) > 0.5:  # a steep edge: label to its left or right
        anchor = "start" if bend[0] > 0 else "end"
        x, y = x + math.copysign(4, bend[0]), y + 4
    else:  # a flat one: above or below
        anchor, y = "middle", y + (-5 if bend[1] < 0 else 13)
    return (f'<text class="edge-label" x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}">'
            f"{_text(_cut(text))}</text>")


def _node(node: Node, at: Point, angle: float, horizontal: bool, colour: str) -> str:
    flagged = node.org_findings > 0
    title = node.service + (f" (owner {node.owner})" if node.owner else " (no owner)")
    if flagged:
        title += f": {plural(node.org_findings, 'ORG finding')}"
    return (
        f'<g class="node{" org" if flagged else ""}" data-service="{_text(node.service)}">'
        f"<title>{_text(title)}</title>"
        f'<circle cx="{_num(at[0])}" cy="{_num(at[1])}" r="{NODE_RADIUS}" fill="{colour}"/>'
        f"{_node_label(node.service, at, angle, horizontal)}</g>"
    )


def _node_label(service: str, at: Point, angle: float, horizontal: bool) -> str:
    """Outside the circle: level for a few services, along the radius for many (no overlap)."""
    gap = NODE_RADIUS + 6
    cos, sin = math.cos(angle), math.sin(angle)
    x, y = at[0] + gap * cos, at[1] + gap * sin
    text = _text(_cut(service))
    if horizontal:
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        y += 12 * sin if anchor == "middle" else 4  # clear of the circle, centred on the line
        return f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}">{text}</text>'
    right = cos >= 0
    degrees = math.degrees(angle) + (0 if right else 180)
    return (f'<text transform="translate({_pt((x, y))}) rotate({_num(degrees)})" '
            f'dominant-baseline="middle" text-anchor="{"start" if right else "end"}">'
            f"{text}</text>")


def _towards(origin: Point, target: Point, distance: float) -> Point:
    dx, dy = target[0] - origin[0], target[1] - origin[1]
    length = math.hypot(dx, dy) or 1.0
    return origin[0] + dx / length * distance, origin[1] + dy / length * distance


def _cut(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[:MAX_LABEL_CHARS - 1] + "\u2026"


def _num(value: float) -> str:
    """Coordinates to one decimal: short, and the same on every platform."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _pt(point: Point) -> str:
    return f"{_num(point[0])},{_num(point[1])}"
