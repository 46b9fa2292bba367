"""Step 6 of the layered layout: column widths, each edge's path and where its label sits.

A path is a straight run across every column at the height of the edge's item there, joined by
S-curves across the gaps, so the arc length to any run is known exactly. A label sits on one run
of its edge, centred on the edge's arc-length midpoint: the run that needs least widening for
that. Widening a column moves the midpoints of the edges that cross it, so widths are settled in
a few rounds; a column widens for the labels of long edges by at most its widest label, since two
long edges can each need the other's column wider without end. Where that cap or the rounds run
out, a label keeps to its run, as near the midpoint as the run allows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from svc_serverless.linter.report.layered import Box, Layout, Piece, Point, Route
from svc_serverless.linter.report.layered.grid import MARGIN, Grid, column_lefts

BALANCE_ROUNDS = 8


@dataclass(frozen=True)
class _Run:
    at: float  # arc length from the path's start to where the run starts
    length: float
    x: float  # where it starts


@dataclass(frozen=True)
class _Path:
    start: Point
    pieces: tuple[Piece, ...]
    length: float
    runs: dict[int, _Run]  # the run across each item's column, by item


def draw(grid: Grid, back: Sequence[bool]) -> Layout:
    ports = grid.ports()
    hosts = list(grid.host)
    extra = [0.0] * len(grid.ranks)
    for _ in range(BALANCE_ROUNDS):
        widths = _widths(grid, hosts, extra)
        lefts = column_lefts(widths)
        grow = [0.0] * len(widths)
        moved = False
        for e, chain in enumerate(grid.chains):
            host, label = hosts[e], grid.labels[e]
            if host is None or label is None:
                continue
            path = _path(grid, chain, ports, lefts, widths)
            best, need = _best_host(grid, chain, path, label[0], host)
            moved = moved or best != host
            hosts[e] = best
            r = grid.rank[best]
            if len(chain) > 3:  # a long edge: capped (see the module's docstring)
                need = min(need, max(0.0, label[0] - extra[r]))
            grow[r] = max(grow[r], need)
        if not moved and max(grow, default=0.0) < 0.01:
            break
        extra = [e + g for e, g in zip(extra, grow)]
    widths = _widths(grid, hosts, extra)
    lefts = column_lefts(widths)
    routes = []
    for e, (chain, flip) in enumerate(zip(grid.chains, back)):
        path = _path(grid, chain, ports, lefts, widths)
        host, label = hosts[e], grid.labels[e]
        box = None if host is None or label is None else _label_box(grid, path, host, label)
        start, pieces = _reversed(path.start, path.pieces) if flip else (path.start, path.pieces)
        routes.append(Route(start, pieces, box, flip))
    nodes = tuple(
        Box(lefts[grid.rank[v]] + (widths[grid.rank[v]] - grid.width[v]) / 2,
            grid.y[v] - grid.height[v] / 2, grid.width[v], grid.height[v])
        for v in range(grid.nodes)
    )
    right = lefts[-1] + widths[-1] if lefts else 0.0
    bottom = max((y + h / 2 for y, h in zip(grid.y, grid.height)), default=0.0)
    return Layout(right + MARGIN, bottom + MARGIN, nodes, tuple(routes))


def _widths(grid: Grid, hosts: Sequence[int | None], extra: Sequence[float]) -> list[float]:
    """Each column as wide as its widest node or hosted label, plus what balancing added."""
    widths = [max((grid.width[i] for i in items), default=0.0) for items in grid.ranks]
    for host, label in zip(hosts, grid.labels):
        if host is not None and label is not None:
            r = grid.rank[host]
            widths[r] = max(widths[r], label[0])
    return [w + e for w, e in zip(widths, extra)]


def _best_host(grid: Grid, chain: list[int], path: _Path, width: float, host: int
               ) -> tuple[int, float]:
    """The item whose run can hold the label centred on the midpoint with least widening,
    and that widening (the current host first among equals, then the earlier item)."""
    middle = path.length / 2
    best: tuple[float, int, int] | None = None
    for index, item in enumerate(chain[1:-1]):
        run = path.runs[item]
        room = max(0.0, width - run.length)  # hosting it makes the column at least this wide
        at, length, mid = run.at, run.length + room, middle + room / 2
        need = room + 2 * max(0.0, width / 2 - (mid - at), width / 2 - (at + length - mid))
        key = (round(need, 3), item != host, index)
        if best is None or key < best[:3]:
            best = key
    assert best is not None  # every edge passes at least one column
    item = chain[1 + best[2]]
    # The room a new host needs comes with its label (`_widths`); only the rest is widening.
    return item, best[0] - max(0.0, width - path.runs[item].length)


def _label_box(grid: Grid, path: _Path, host: int, size: tuple[float, float]) -> Box:
    """The label on its host's run, centred on the midpoint as far as the run allows."""
    w, h = size
    run = path.runs[host]
    at = path.length / 2
    if run.length >= w:
        at = min(max(at, run.at + w / 2), run.at + run.length - w / 2)
    else:
        at = run.at + run.length / 2
    centre = run.x + at - run.at
    return Box(centre - w / 2, grid.y[host] - h / 2, w, h)


def _path(grid: Grid, chain: list[int], ports: dict[tuple[int, int], float],
          lefts: Sequence[float], widths: Sequence[float]) -> _Path:
    """The chain's path, left to right: runs across columns, S-curves between them."""
    tail, head = chain[0], chain[-1]
    r0 = grid.rank[tail]
    y = ports[(tail, chain[1])]
    x = lefts[r0] + (widths[r0] + grid.width[tail]) / 2
    start = (x, y)
    pieces: list[Piece] = []
    runs: dict[int, _Run] = {}
    length = 0.0

    def line_to(end: float) -> None:
        nonlocal x, length
        if end - x > 0.05:
            pieces.append(((end, y),))
            length += end - x
        x = end

    line_to(lefts[r0] + widths[r0])
    for prev, item in pairwise(chain):
        r = grid.rank[item]
        ny = ports[(head, prev)] if item == head else grid.y[item]
        bend = (lefts[r] - x) / 2
        curve = ((x + bend, y), (lefts[r] - bend, ny), (lefts[r], ny))
        length += _length((x, y), curve)
        pieces.append(curve)
        x, y = lefts[r], ny
        if item == head:
            line_to(lefts[r] + (widths[r] - grid.width[head]) / 2)
        else:
            runs[item] = _Run(length, widths[r], x)
            line_to(lefts[r] + widths[r])
    return _Path(start, tuple(pieces), length, runs)


def _reversed(start: Point, pieces: Sequence[Piece]) -> tuple[Point, tuple[Piece, ...]]:
    """The same path walked from its end to its start."""
    points = [start] + [piece[-1] for piece in pieces]
    backwards: list[Piece] = []
    for i in range(len(pieces) - 1, -1, -1):
        piece, begin = pieces[i], points[i]
        backwards.append((begin,) if len(piece) == 1 else (piece[1], piece[0], begin))
    return points[-1], tuple(backwards)


# Gauss-Legendre nodes and weights on [0, 1], used on each quarter of a curve: well under a
# pixel off on the S-curves drawn here.
_GAUSS = ((0.0469100770, 0.1184634425), (0.2307653449, 0.2393143352), (0.5, 0.2844444444),
          (0.7692346551, 0.2393143352), (0.9530899230, 0.1184634425))


def _length(start: Point, curve: Piece) -> float:
    """The length of a cubic Bézier curve from `start`."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = start, *curve
    total = 0.0
    for quarter in range(4):
        for node, weight in _GAUSS:
            t = (quarter + node) / 4
            u = 1 - t
            dx = 3 * (u * u * (x1 - x0) + 2 * u * t * (x2 - x1) + t * t * (x3 - x2))
            dy = 3 * (u * u * (y1 - y0) + 2 * u * t * (y2 - y1) + t * t * (y3 - y2))
            total += weight / 4 * math.hypot(dx, dy)
    return total
