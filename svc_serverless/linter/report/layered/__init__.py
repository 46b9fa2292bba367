"""A layered drawing of a directed graph, flowing left to right (Sugiyama's method).

The service graph's picture must put each edge's label on that edge, at its middle, and never
on a node or on another label. Labels placed after the nodes cannot promise that, so, much as
Graphviz's dot does, labels take part in the layout:

1. Cycle breaking (`acyclic.py`): a vertex order by Eades, Lin and Smyth's greedy heuristic; an
   edge inside a cycle that goes against it is laid out reversed (a back-edge, drawn right to
   left). An edge between two different strongly connected groups is never reversed.
2. Layers by longest path from the sources; a source then moves right, next to its nearest
   successor, so that it does not drag a long edge across the picture.
3. Ranks (`grid.py`): layer l is rank 2l, and an edge from rank r0 to r1 gets one item in every
   rank between. Each item of a labelled edge is as tall as its label, so the label can sit on
   any of them: every label has a row of its own in a column of its own.
4. Crossing reduction: barycenter sweeps down and up, keeping the order with fewest crossings.
5. Coordinates: each rank is a column. Inside a column the items keep their order and a minimum
   gap and otherwise sit where the total squared vertical length of the edges is least; each
   sweep solves one column exactly (isotonic regression, linear time).
6. Routes (`routes.py`): a straight run across each column at the height of the edge's own item
   there, and a cubic S-curve across the gap between two columns. Curves stay in the gaps and
   runs in their own item's row, so no edge crosses a node's or a label's box. A label sits on
   the run that holds its edge's arc-length midpoint, centred on that midpoint; columns widen
   (boundedly) until the label fits there.

Everything is deterministic (every tie falls to index order) and bounded: `layout` returns None
when the ranked graph has more than `max_items` items, before any costly step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[float, float]
Piece = tuple[Point, ...]  # (end,): a line to end; (c1, c2, end): a cubic Bézier to end


@dataclass(frozen=True)
class Box:
    x: float  # left
    y: float  # top
    w: float
    h: float

    @property
    def centre(self) -> Point:
        return self.x + self.w / 2, self.y + self.h / 2

    def overlaps(self, other: Box) -> bool:
        """True when the two boxes share more than an edge."""
        return (self.x < other.x + other.w and other.x < self.x + self.w
                and self.y < other.y + other.h and other.y < self.y + self.h)


@dataclass(frozen=True)
class LayoutEdge:
    tail: int
    head: int
    label: tuple[float, float] | None = None  # the label's width and height; None: no label


@dataclass(frozen=True)
class Route:
    """An edge's path from its tail's box to its head's box, and its label's box."""

    start: Point
    pieces: tuple[Piece, ...]
    label: Box | None
    back: bool  # laid out against its direction: it closes a cycle


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    nodes: tuple[Box, ...]
    routes: tuple[Route, ...]  # in the order of the edges given


def layout(
    sizes: Sequence[tuple[float, float]], edges: Sequence[LayoutEdge], *, max_items: int
) -> Layout | None:
    """Nodes of the given (width, height), in that order, and the edges between them.

    None when the drawing would need more than `max_items` items (nodes, plus one per column
    each edge passes). An edge must join two different nodes.
    """
    from svc_serverless.linter.report.layered.acyclic import back_edges, layers
    from svc_serverless.linter.report.layered.grid import Grid
    from svc_serverless.linter.report.layered.routes import draw

    back = back_edges(len(sizes), [(e.tail, e.head) for e in edges])
    arcs = [(e.head, e.tail) if flip else (e.tail, e.head) for e, flip in zip(edges, back)]
    layer = layers(len(sizes), arcs)
    if len(sizes) + sum(2 * (layer[v] - layer[u]) - 1 for u, v in arcs) > max_items:
        return None
    grid = Grid(sizes, [e.label for e in edges], arcs, layer)
    grid.order()
    grid.place()
    return draw(grid, back)
