"""The geometry of the HTML report's service graph, read back from the SVG it writes.

What a reader relies on: each edge's label sits on that edge at its middle (the arc-length
midpoint of the drawn path), no label covers a node or another label, no two services overlap,
no edge runs across a service it does not join or a label not its own, and everything is inside
the picture. Checked on the example organisation, a cycle, a chain, a star of 20 consumers and
a bidirectional pair, and (labels on their edges, nothing overlapping) on random graphs.
"""

from __future__ import annotations

import math
import random
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

from svc_serverless.cli import main
from svc_serverless.linter.facts import Api, Facts, Name
from svc_serverless.linter.report.graph import build
from svc_serverless.linter.report.graph_svg import graph_section, svg
from svc_serverless.linter.report.layered import Box, LayoutEdge, Piece, Point, layout
from tests.report.test_graph import AT, event

EXAMPLE_ORG = Path(__file__).resolve().parents[2] / "examples" / "org"
MIDPOINT_TOLERANCE = 2.0  # pixels


@dataclass(frozen=True)
class Edge:
    tail: str
    head: str
    kind: str
    classes: frozenset[str]
    points: list[Point]  # the drawn path, sampled densely
    columns: int  # how many columns it passes: 1 between neighbouring layers


@dataclass(frozen=True)
class Drawing:
    view: Box
    nodes: dict[str, Box]
    edges: list[Edge]
    labels: dict[tuple[str, str, str], Box]


def sample(start: Point, pieces: tuple[Piece, ...] | list[Piece], steps: int = 200) -> list[Point]:
    points, at = [start], start
    for piece in pieces:
        if len(piece) == 1:  # a line: a point every pixel or so
            (x0, y0), (x1, y1) = at, piece[0]
            count = max(1, math.ceil(math.dist(at, piece[0])))
            points += [(x0 + (x1 - x0) * k / count, y0 + (y1 - y0) * k / count)
                       for k in range(1, count + 1)]
        else:
            (x0, y0), (x1, y1), (x2, y2), (x3, y3) = at, *piece
            for k in range(1, steps + 1):
                t = k / steps
                u = 1 - t
                points.append((u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
                               u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3))
        at = piece[-1]
    return points


def parse_path(data: str) -> tuple[Point, list[Piece]]:
    """M, L and C with absolute coordinates: all the graph writes."""
    steps = re.findall(r"([MLC])([^MLC]*)", data)
    def points(text: str) -> list[Point]:
        return [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", text)]
    assert steps and steps[0][0] == "M"
    start = points(steps[0][1])[0]
    return start, [tuple(points(text)) for _, text in steps[1:]]


def midpoint(points: list[Point]) -> Point:
    lengths = [0.0]
    for a, b in pairwise(points):
        lengths.append(lengths[-1] + math.dist(a, b))
    half = lengths[-1] / 2
    for i in range(1, len(points)):
        if lengths[i] >= half:
            f = (half - lengths[i - 1]) / ((lengths[i] - lengths[i - 1]) or 1.0)
            (ax, ay), (bx, by) = points[i - 1], points[i]
            return ax + f * (bx - ax), ay + f * (by - ay)
    return points[-1]


def distance_to(points: list[Point], p: Point) -> float:
    """From p to the nearest point of the polyline through `points`."""
    nearest = math.inf
    for (ax, ay), (bx, by) in pairwise(points):
        dx, dy = bx - ax, by - ay
        t = ((p[0] - ax) * dx + (p[1] - ay) * dy) / ((dx * dx + dy * dy) or 1.0)
        t = min(1.0, max(0.0, t))
        nearest = min(nearest, math.dist(p, (ax + t * dx, ay + t * dy)))
    return nearest


def rect(element: ET.Element) -> Box:
    return Box(*(float(element.get(k) or "nan") for k in ("x", "y", "width", "height")))


def read(svg_text: str) -> Drawing:
    root = ET.fromstring(svg_text)
    view = Box(*(float(v) for v in (root.get("viewBox") or "").split()))
    nodes = {
        g.get("data-service") or "": rect(g.find("rect[@class='box']"))  # type: ignore[arg-type]
        for g in root.iter("g") if g.get("data-service") is not None
    }
    edges = [
        Edge(p.get("data-from") or "", p.get("data-to") or "", p.get("data-kind") or "",
             frozenset((p.get("class") or "").split()), sample(*parse_path(p.get("d") or "")),
             (p.get("d") or "").count("C") - 1)
        for p in root.iter("path") if p.get("data-from") is not None
    ]
    labels = {
        (g.get("data-from") or "", g.get("data-to") or "", g.get("data-kind") or ""):
            rect(g.find("rect"))  # type: ignore[arg-type]
        for g in root.iter("g") if "edge-label" in (g.get("class") or "").split()
    }
    return Drawing(view, nodes, edges, labels)


def inside(box: Box, p: Point, margin: float = 0.5) -> bool:
    return (box.x + margin < p[0] < box.x + box.w - margin
            and box.y + margin < p[1] < box.y + box.h - margin)


def check(drawing: Drawing, *, long_midpoints: bool = True) -> None:
    """Every geometric promise of the picture; `long_midpoints=False` checks the midpoints of
    edges between neighbouring layers only (see routes.py on long edges)."""
    view = drawing.view
    boxes = list(drawing.nodes.values()) + list(drawing.labels.values())
    for box in boxes:
        assert view.x <= box.x and box.x + box.w <= view.x + view.w, box
        assert view.y <= box.y and box.y + box.h <= view.y + view.h, box
    nodes = list(drawing.nodes.items())
    for i, (a, box) in enumerate(nodes):
        assert not [b for b, other in nodes[i + 1:] if box.overlaps(other)], a
    labels = list(drawing.labels.items())
    for i, (key, box) in enumerate(labels):
        assert not [n for n, node in nodes if box.overlaps(node)], key
        assert not [k for k, other in labels[i + 1:] if box.overlaps(other)], key
    for edge in drawing.edges:
        key = (edge.tail, edge.head, edge.kind)
        assert all(view.x <= x <= view.x + view.w and view.y <= y <= view.y + view.h
                   for x, y in edge.points), key
        foreign = [name for name, box in nodes if name not in (edge.tail, edge.head)
                   and any(inside(box, p) for p in edge.points)]
        assert foreign == [], f"{key} runs across {foreign}"
        crossed = [k for k, box in labels if k != key and any(inside(box, p) for p in edge.points)]
        assert crossed == [], f"{key} runs across the labels of {crossed}"
        if key in drawing.labels:
            centre = drawing.labels[key].centre
            assert distance_to(edge.points, centre) < 0.5, f"{key}: label off its edge"
            if long_midpoints or edge.columns == 1:
                off = math.dist(midpoint(edge.points), centre)
                assert off <= MIDPOINT_TOLERANCE, f"{key}: label {off:.1f}px from the midpoint"


def flows(*pairs: tuple[str, str]) -> list[Facts]:
    """One service per name; each pair (producer, consumer) one event flow."""
    names = sorted({name for pair in pairs for name in pair})
    return [
        Facts(name, folder=name, owner=f"team-{name[0]}",
              publishes=tuple(event(name, f"{name.title()}Done") for p, _ in pairs if p == name),
              consumes=tuple(event(p, f"{p.title()}Done") for p, c in pairs if c == name))
        for name in names
    ]


def drawn(facts: list[Facts]) -> Drawing:
    picture = svg(build(facts))
    assert picture is not None
    return read(picture)


def test_the_example_organisation(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    assert main(["lint", str(EXAMPLE_ORG), "--format", "html", "-o", str(report),
                 "--no-cache"]) == 1
    page = report.read_text(encoding="utf-8")
    match = re.search(r"<svg\b.*?</svg>", page, re.DOTALL)
    assert match is not None
    drawing = read(match.group())
    assert set(drawing.nodes) == {"billing", "orders", "payments", "shipping"}
    assert {(e.tail, e.head): "back" in e.classes for e in drawing.edges} == {
        ("billing", "orders"): False, ("orders", "billing"): True, ("orders", "shipping"): False,
    }
    assert len(drawing.labels) == 3
    check(drawing)
    # Flows run left to right: billing, then orders, then shipping.
    x = {name: box.x for name, box in drawing.nodes.items()}
    assert x["billing"] < x["orders"] < x["shipping"]


def test_a_cycle() -> None:
    drawing = drawn(flows(("alpha", "beta"), ("beta", "gamma"), ("gamma", "alpha")))
    check(drawing)
    assert [(e.tail, e.head) for e in drawing.edges if "back" in e.classes] == [("gamma", "alpha")]
    assert all("cycle" in e.classes for e in drawing.edges)


def test_a_chain() -> None:
    names = [f"step{i}" for i in range(7)]
    drawing = drawn(flows(*pairwise(names)))
    check(drawing)
    x = [drawing.nodes[n].x for n in names]
    assert x == sorted(x) and len(set(x)) == len(x)  # one column each, in order
    assert len({drawing.nodes[n].centre[1] for n in names}) == 1  # on one straight line
    assert not [e for e in drawing.edges if "back" in e.classes]


def test_a_star_of_twenty_consumers() -> None:
    drawing = drawn(flows(*(("hub", f"consumer-{i:02d}") for i in range(20))))
    check(drawing)
    assert len(drawing.labels) == 20
    assert len({drawing.nodes[f"consumer-{i:02d}"].x for i in range(20)}) == 1  # one column


def test_a_bidirectional_pair_is_two_arrows_with_two_labels() -> None:
    drawing = drawn(flows(("a-service", "b-service"), ("b-service", "a-service")))
    check(drawing)
    forward, back = sorted(drawing.edges, key=lambda e: "back" in e.classes)
    assert (forward.tail, forward.head, "back" in back.classes) == ("a-service", "b-service", True)
    assert forward.points[0][0] < forward.points[-1][0]  # left to right
    assert back.points[0][0] > back.points[-1][0]  # right to left, back into a-service
    assert len(drawing.labels) == 2


def test_an_api_call_and_events_between_the_same_pair_are_two_edges() -> None:
    orders, shop = flows(("orders", "shop"))
    orders = Facts(orders.service, folder="orders", owner="team-o", publishes=orders.publishes,
                   apis_provided=(Api("orders-api", "/orders", AT),))
    shop = Facts(shop.service, folder="shop", owner="team-s", consumes=shop.consumes,
                 apis_used=(Name("orders-api", AT),))
    drawing = drawn([orders, shop])
    check(drawing)
    assert sorted((e.tail, e.head, e.kind) for e in drawing.edges) == [
        ("orders", "shop", "event"), ("shop", "orders", "api"),
    ]


def random_case(seed: int, max_nodes: int, max_edges: int) -> tuple[
        list[tuple[float, float]], list[LayoutEdge]]:
    rnd = random.Random(seed)
    n = rnd.randint(2, max_nodes)
    sizes = [(float(rnd.randint(64, 260)), 30.0) for _ in range(n)]
    edges = []
    for _ in range(rnd.randint(1, min(max_edges, n * (n - 1)))):
        tail, head = rnd.sample(range(n), 2)
        label = (float(rnd.randint(40, 220)), float(rnd.choice([18, 32, 46])))
        edges.append(LayoutEdge(tail, head, label))
    return sizes, edges


def as_drawing(sizes: list[tuple[float, float]], edges: list[LayoutEdge]) -> Drawing:
    drawing = layout(sizes, edges, max_items=100_000)
    assert drawing is not None
    kinds: dict[tuple[str, str], int] = {}
    routes, labels = [], {}
    for edge, route in zip(edges, drawing.routes):
        pair = (str(edge.tail), str(edge.head))
        kinds[pair] = kinds.get(pair, 0) + 1  # parallel edges: one "kind" each
        key = (*pair, str(kinds[pair]))
        curves = sum(1 for piece in route.pieces if len(piece) == 3)
        routes.append(Edge(*key, frozenset(), sample(route.start, route.pieces), curves - 1))
        if route.label is not None:
            labels[key] = route.label
    view = Box(0.0, 0.0, drawing.width, drawing.height)
    return Drawing(view, {str(i): box for i, box in enumerate(drawing.nodes)}, routes, labels)


@pytest.mark.parametrize(("seed", "nodes", "edges"), [
    *((seed, 8, 8) for seed in range(40)),
    *((1000 + seed, 14, 30) for seed in range(40)),
])
def test_random_graphs_keep_every_promise_but_exact_middles_of_long_edges(
        seed: int, nodes: int, edges: int) -> None:
    # Two long edges can need each other's column wider without end (routes.py): there a label
    # may sit off its edge's exact middle, but still on its edge and on nothing else.
    check(as_drawing(*random_case(seed, nodes, edges)), long_midpoints=False)


def test_the_layout_is_deterministic() -> None:
    facts = flows(("a", "b"), ("b", "c"), ("c", "a"), ("a", "d"), ("d", "c"))
    assert svg(build(facts)) == svg(build(list(reversed(facts))))


def test_a_drawing_past_the_item_cap_is_not_drawn() -> None:
    sizes = [(64.0, 30.0)] * 3
    edges = [LayoutEdge(0, 1), LayoutEdge(1, 2), LayoutEdge(0, 2)]
    assert layout(sizes, edges, max_items=8) is not None  # 3 nodes, 1 + 1 + 3 edge items
    assert layout(sizes, edges, max_items=7) is None


def test_too_large_a_drawing_gets_a_note_and_the_edge_table(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("svc_serverless.linter.report.graph_svg.MAX_PICTURE_ITEMS", 5)
    section = graph_section(build(flows(("a", "b"), ("b", "c"), ("a", "c"))))
    assert "<svg" not in section
    assert ('<p class="cap">No picture: 3 services and 3 edges make a drawing too large to '
            "read; every edge is listed below.</p>") in section
    assert section.count("<td>events</td>") == 3


def test_a_large_organisation_is_drawn_in_bounded_time() -> None:
    # 150 services (the most drawn) and about 200 event flows: no labels (more than 40 edges).
    rnd = random.Random(7)
    names = [f"svc{i:03d}" for i in range(150)]
    pairs = {(rnd.choice(names), rnd.choice(names)) for _ in range(200)}
    graph = build(flows(*sorted((a, b) for a, b in pairs if a != b)))
    started = time.perf_counter()
    picture = svg(graph)
    assert time.perf_counter() - started < 5.0  # about 0.1 s on the development machine
    assert picture is not None
    drawing = read(picture)
    assert len(drawing.nodes) == len(graph.nodes) > 140
    assert len(drawing.edges) == len(graph.edges) > 190
    assert drawing.labels == {}
    check(drawing, long_midpoints=False)


def test_repo_text_in_the_picture_is_escaped() -> None:
    hostile = '<script>x</script>"\x1b[31m'
    facts = [Facts(hostile, folder="h", publishes=(event(hostile, "E"),)),
             Facts("ok", folder="ok", consumes=(event(hostile, "E"),))]
    picture = svg(build(facts))
    assert picture is not None
    assert "<script" not in picture and "\x1b" not in picture
    assert 'data-service="&lt;script&gt;x&lt;/script&gt;&quot;\\x1b[31m"' in picture
    check(read(picture))
