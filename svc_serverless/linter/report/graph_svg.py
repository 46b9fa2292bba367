"""The service graph section of the HTML report: a picture drawn as inline SVG, and a table.

The picture is a layered drawing (report/layered.py): events and API calls flow left to right,
each edge's label sits on the edge at its middle, in a box no node or other label touches, and
an edge that closes a cycle runs right to left with a hollow arrowhead. Up to MAX_INLINE_LABELS
edges carry their labels in the picture; with more, a label is the edge's tooltip. Beyond
MAX_PICTURE_SERVICES services, or a drawing of more than MAX_PICTURE_ITEMS items, no picture is
drawn and a note says why. The edge table below always lists every edge.

Text widths are estimated from the widths of DejaVu Sans, the widest of the usual sans-serif
fonts, so a box is never too narrow for its text; a narrower font leaves it some room. Every
string from a repo goes through `_text` (controls spelled out, markup escaped).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from svc_serverless.linter.report.common import plural
from svc_serverless.linter.report.graph import EVENT, GraphEdge, Node, ServiceGraph
from svc_serverless.linter.report.layered import Box, LayoutEdge, Piece, Route, layout
from svc_serverless.linter.report.markdown import NO_EDGES
from svc_serverless.linter.report.safe import escape_controls

MAX_PICTURE_SERVICES = 150  # more cannot be read as a picture: the edge table stays
MAX_PICTURE_ITEMS = 3000  # services plus one per column an edge crosses: bounds time and size
MAX_INLINE_LABELS = 40  # edges; with more, edge labels are tooltips only
MAX_LABEL_CHARS = 32  # service names and edge labels in the picture are cut to this
MAX_LABEL_LINES = 4  # an edge's events or APIs, one a line; more: three and "and N more"
MAX_LEGEND_OWNERS = 12
OWNER_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f",
                 "#bab0ac")
NO_OWNER_COLOUR = "#ffffff"

# Picture geometry, in SVG user units (pixels at 100%).
NODE_FONT, LABEL_FONT = 13.0, 11.0
NODE_HEIGHT = 30.0
NODE_PADDING = 12.0  # each side of a service's name
OWNER_STRIPE = 6.0  # the owner's colour, on the left of a service's box
MIN_NODE_WIDTH = 64.0
LABEL_LINE = 14.0
LABEL_PADDING = 4.0  # each side of an edge label

GRAPH_STYLE = """
.graph-frame{overflow-x:auto;max-width:100%}
svg.graph{display:block;border:1px solid #d0d7de;background:#fff}
svg.graph text{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;fill:#1f2328}
svg.graph .node text{font-size:13px}
svg.graph rect.box{fill:#fff;stroke:#6e7781;stroke-width:1.2}
svg.graph .org rect.box{stroke:#d1242f;stroke-width:3}svg.graph .org text{fill:#d1242f}
svg.graph .edge{fill:none;stroke:#6e7781;stroke-width:1.4}
svg.graph .edge.api{stroke-dasharray:5 4}
svg.graph .edge.cycle{stroke:#d1242f;stroke-width:2}
svg.graph .edge-label rect{fill:#fff;stroke:#d0d7de;stroke-width:.8}
svg.graph .edge-label text{font-size:11px;fill:#424a53}
svg.graph .edge-label.cycle text{fill:#b3121d}
.legend span{display:inline-block;width:.9em;height:.9em;border:1px solid #1f2328;
 vertical-align:middle;margin:0 .3em 0 1em}
tr.cycle td{color:#d1242f}
"""


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
        picture = svg(graph)
        if picture is None:
            parts.append(f'<p class="cap">No picture: {plural(services, "service")} and '
                         f"{plural(len(graph.edges), 'edge')} make a drawing too large to read; "
                         "every edge is listed below.</p>")
        else:
            # Full size, scrolling sideways when wider than the page: scaled down, a big
            # organisation's names would be too small to read.
            parts += [f'<div class="graph-frame">{picture}</div>', _legend(graph)]
    if graph.edges:
        parts.append(edge_table(graph))
    parts.append("</section>")
    return "\n".join(parts)


def edge_table(graph: ServiceGraph) -> str:
    rows = "\n".join(
        f'<tr{_CYCLE_ROW if e.in_cycle else ""}><td>{_text(e.tail)}</td>'
        f"<td>{_text(e.head)}</td><td>{_kind(e)}</td>"
        f"<td>{'<br>'.join(_text(label) for label in e.labels)}</td>"
        f"<td>{'yes' if e.in_cycle else ''}</td></tr>"
        for e in graph.edges
    )
    head = "".join(f"<th>{h}</th>" for h in ("From", "To", "Kind", "Events or API", "In a cycle"))
    return (f'<table class="edges">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n'
            "</tbody>\n</table>")


_CYCLE_ROW = ' class="cycle"'


def _text(text: str) -> str:
    """Untrusted text as SVG/HTML text or attribute value: controls shown, markup escaped."""
    return escape(escape_controls(text), quote=True)


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
    back = " Arrows running right to left, with hollow heads, close a cycle." if any(
        e.in_cycle for e in graph.edges) else ""
    return (
        '<p class="legend">Dependencies flow left to right. Solid arrows: events, from producer '
        "to consumer. Dashed arrows: API calls, from user to provider. Red arrows: dependencies "
        f"in a cycle (ORG005).{back} Red boxes: services with organisation (ORG) findings."
        f"{labels}<br>Owners:{swatches}{more}</p>"
    )


def _owner_colours(nodes: Sequence[Node]) -> dict[str, str]:
    owners = sorted({node.owner for node in nodes if node.owner})
    colours = {o: OWNER_COLOURS[i % len(OWNER_COLOURS)] for i, o in enumerate(owners)}
    if any(not node.owner for node in nodes):
        colours[""] = NO_OWNER_COLOUR
    return colours


# --------------------------------------------------------------------------------------------
# The picture


def svg(graph: ServiceGraph) -> str | None:
    """The picture, or None when it would be too large. `data-from`/`data-to`/`data-kind` on
    each edge and its label, and `data-service` on each node, say what is drawn."""
    index = {node.service: i for i, node in enumerate(graph.nodes)}
    with_labels = len(graph.edges) <= MAX_INLINE_LABELS
    lines = [label_lines(e) if with_labels else () for e in graph.edges]
    drawing = layout(
        [node_size(node.service) for node in graph.nodes],
        [LayoutEdge(index[e.tail], index[e.head], label_size(text) if text else None)
         for e, text in zip(graph.edges, lines)],
        max_items=MAX_PICTURE_ITEMS,
    )
    if drawing is None:
        return None
    colours = _owner_colours(graph.nodes)
    width, height = _num(drawing.width), _num(drawing.height)
    return "\n".join([
        (f'<svg class="graph" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
         'role="img" aria-label="Service graph">'),
        "<defs>",
        _marker("arrow", "#6e7781", filled=True),
        _marker("arrow-cycle", "#d1242f", filled=True),
        _marker("arrow-back", "#d1242f", filled=False),
        "</defs>",
        '<g class="edges">',
        *(_edge(e, route) for e, route in zip(graph.edges, drawing.routes)),
        "</g>",
        '<g class="edge-labels">',
        *(_edge_label(e, route.label, text)
          for e, route, text in zip(graph.edges, drawing.routes, lines) if route.label),
        "</g>",
        '<g class="nodes">',
        *(_node(n, box, colours[n.owner]) for n, box in zip(graph.nodes, drawing.nodes)),
        "</g>",
        "</svg>",
    ])


def _marker(name: str, colour: str, *, filled: bool) -> str:
    paint = f'fill="{colour}"' if filled else f'fill="#fff" stroke="{colour}" stroke-width="1.5"'
    return (f'<marker id="{name}" viewBox="0 0 12 12" refX="11" refY="6" markerWidth="11" '
            f'markerHeight="11" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M1,1.5 L11,6 L1,10.5 z" {paint}/></marker>')


def text_width(text: str, size: float) -> float:
    """A generous estimate of `text`'s width at font size `size` (DejaVu Sans, see above)."""
    return size * sum(_em(char) for char in text)


def _em(char: str) -> float:
    if char in _NARROW:
        return 0.42
    if char in _WIDE or not char.isascii():
        return 1.0
    if char.isupper():
        return 0.8
    return 0.64


_NARROW = frozenset("fijlrt.,:;'|!()[]{}/\\-` I")
_WIDE = frozenset("mwMW@%")


def node_size(service: str) -> tuple[float, float]:
    shown = escape_controls(_cut(service))
    width = text_width(shown, NODE_FONT) + 2 * NODE_PADDING + OWNER_STRIPE
    return max(MIN_NODE_WIDTH, round(width)), NODE_HEIGHT


def label_lines(edge: GraphEdge) -> tuple[str, ...]:
    """The lines of an edge's label: its events or APIs, one a line, the rest counted."""
    labels = edge.labels
    if len(labels) > MAX_LABEL_LINES:
        labels = (*labels[:MAX_LABEL_LINES - 1], f"and {len(labels) - MAX_LABEL_LINES + 1} more")
    return tuple(_cut(label) for label in labels)


def label_size(lines: Sequence[str]) -> tuple[float, float]:
    widest = max(text_width(escape_controls(line), LABEL_FONT) for line in lines)
    return round(widest + 2 * LABEL_PADDING), len(lines) * LABEL_LINE + 4


def _edge(edge: GraphEdge, route: Route) -> str:
    kind = "event" if edge.kind == EVENT else "api"
    classes = f"edge {kind}" + (" cycle" if edge.in_cycle else "") + (" back" if route.back else "")
    marker = "arrow-back" if route.back else ("arrow-cycle" if edge.in_cycle else "arrow")
    what = ", ".join(edge.labels)
    title = f"{edge.tail} \u2192 {edge.head}: {what}" + (" (in a cycle)" if edge.in_cycle else "")
    return (
        f'<path class="{classes}" {_ends(edge)} d="{path_data(route.start, route.pieces)}" '
        f'marker-end="url(#{marker})"><title>{_text(title)}</title></path>'
    )


def _ends(edge: GraphEdge) -> str:
    kind = "event" if edge.kind == EVENT else "api"
    return f'data-from="{_text(edge.tail)}" data-to="{_text(edge.head)}" data-kind="{kind}"'


def path_data(start: tuple[float, float], pieces: Sequence[Piece]) -> str:
    """SVG path data: M, then L for a line and C for a cubic Bézier, absolute coordinates."""
    steps = [f"M{_pt(start)}"]
    for piece in pieces:
        steps.append(("L" if len(piece) == 1 else "C") + " ".join(_pt(p) for p in piece))
    return " ".join(steps)


def _edge_label(edge: GraphEdge, box: Box, lines: Sequence[str]) -> str:
    cycle = " cycle" if edge.in_cycle else ""
    cx = box.x + box.w / 2
    top = box.y + (box.h - len(lines) * LABEL_LINE) / 2
    spans = "".join(
        f'<tspan x="{_num(cx)}" y="{_num(top + (i + 0.5) * LABEL_LINE + 0.35 * LABEL_FONT)}">'
        f"{_text(line)}</tspan>"
        for i, line in enumerate(lines)
    )
    return (
        f'<g class="edge-label{cycle}" {_ends(edge)}>'
        f'<rect x="{_num(box.x)}" y="{_num(box.y)}" width="{_num(box.w)}" '
        f'height="{_num(box.h)}" rx="3"/><text text-anchor="middle">{spans}</text></g>'
    )


def _node(node: Node, box: Box, colour: str) -> str:
    flagged = node.org_findings > 0
    title = node.service + (f" (owner {node.owner})" if node.owner else " (no owner)")
    if flagged:
        title += f": {plural(node.org_findings, 'ORG finding')}"
    text_x = box.x + OWNER_STRIPE + (box.w - OWNER_STRIPE) / 2
    return (
        f'<g class="node{" org" if flagged else ""}" data-service="{_text(node.service)}">'
        f"<title>{_text(title)}</title>"
        f'<rect class="box" x="{_num(box.x)}" y="{_num(box.y)}" width="{_num(box.w)}" '
        f'height="{_num(box.h)}" rx="4"/>'
        f'<rect class="owner" x="{_num(box.x)}" y="{_num(box.y)}" width="{_num(OWNER_STRIPE)}" '
        f'height="{_num(box.h)}" fill="{colour}"/>'
        f'<text x="{_num(text_x)}" y="{_num(box.y + box.h / 2 + 0.35 * NODE_FONT)}" '
        f'text-anchor="middle">{_text(_cut(node.service))}</text></g>'
    )


def _cut(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[:MAX_LABEL_CHARS - 1] + "\u2026"


def _num(value: float) -> str:
    """Coordinates to one decimal: short, and the same on every platform."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _pt(point: tuple[float, float]) -> str:
    return f"{_num(point[0])},{_num(point[1])}"

