"""Steps 3 to 5 of the layered layout: the ranked items, their order and their heights."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from svc_serverless.linter.report.layered.acyclic import Arc

COLUMN_GAP = 44.0  # between two columns, where the curves run
MARGIN = 16.0
NODE_GAP = 18.0  # between a node and the next item above or below it
ITEM_GAP = 6.0  # between two edges passing through a column
DUMMY_HEIGHT = 4.0  # the room an unlabelled edge takes passing through a column
PORT_STEP = 10.0  # between the ends of two edges on one side of a node
ORDER_SWEEPS = 16
PLACE_SWEEPS = 40
NODE, LABEL, DUMMY = 0, 1, 2


class Grid:
    """The ranked graph: nodes and edge items, in ranks, with their order and heights.

    Items 0 .. n-1 are the nodes; then, for each edge, one item in every rank it passes.
    `chains[e]` lists edge e's items from its (laid out) tail to its head, and `host[e]` the
    item whose column its label is first meant for.
    """

    def __init__(self, sizes: Sequence[tuple[float, float]],
                 labels: Sequence[tuple[float, float] | None], arcs: Sequence[Arc],
                 layers: Sequence[int]) -> None:
        self.nodes = len(sizes)
        self.rank = [2 * layer for layer in layers]
        self.width = [w for w, _ in sizes]
        self.height = [h for _, h in sizes]
        self.kind = [NODE] * self.nodes
        self.labels = list(labels)
        self.chains: list[list[int]] = []
        self.host: list[int | None] = []
        for label, (u, v), middle in zip(labels, arcs, self._label_ranks(labels, arcs)):
            chain = [u]
            for r in range(self.rank[u] + 1, self.rank[v]):
                chain.append(self._item(r, label))
            chain.append(v)
            self.chains.append(chain)
            self.host.append(chain[middle - self.rank[u]] if label is not None else None)
        count = len(self.rank)
        self.up: list[list[int]] = [[] for _ in range(count)]
        self.down: list[list[int]] = [[] for _ in range(count)]
        for chain in self.chains:
            for a, b in pairwise(chain):
                self.down[a].append(b)
                self.up[b].append(a)
        self.ranks: list[list[int]] = [[] for _ in range(max(self.rank, default=0) + 1)]
        for item, r in enumerate(self.rank):
            self.ranks[r].append(item)
        self.pos = [0] * count
        self.y = [0.0] * count

    def _item(self, rank: int, label: tuple[float, float] | None) -> int:
        self.rank.append(rank)
        self.width.append(0.0)  # a label widens the column that hosts it (routes.py)
        self.height.append(label[1] if label else DUMMY_HEIGHT)
        self.kind.append(LABEL if label else DUMMY)
        return len(self.rank) - 1

    def _label_ranks(self, labels: Sequence[tuple[float, float] | None],
                     arcs: Sequence[Arc]) -> list[int]:
        """Each edge's first label rank: the one whose column is nearest its middle.

        Column widths are estimated from the nodes and from the labels of edges between
        neighbouring layers (which have one column to choose from).
        """
        width = [0.0] * (max(self.rank, default=0) + 1)
        for v, r in enumerate(self.rank):
            width[r] = max(width[r], self.width[v])
        for label, (u, v) in zip(labels, arcs):
            if label is not None and self.rank[v] - self.rank[u] == 2:
                width[self.rank[u] + 1] = max(width[self.rank[u] + 1], label[0])
        lefts = column_lefts(width)
        ranks = []
        for u, v in arcs:
            r0, r1 = self.rank[u], self.rank[v]
            middle = (lefts[r0] + width[r0] + lefts[r1]) / 2
            ranks.append(min(range(r0 + 1, r1),
                             key=lambda r: (abs(lefts[r] + width[r] / 2 - middle), r)))
        return ranks

    # 4. Crossing reduction ------------------------------------------------------------------

    def order(self) -> None:
        self._number()
        best = [list(r) for r in self.ranks]
        fewest = self._crossings()
        for sweep in range(ORDER_SWEEPS):
            if fewest == 0:
                break
            downward = sweep % 2 == 0
            last = len(self.ranks) - 1
            for r in (range(1, last + 1) if downward else range(last - 1, -1, -1)):
                self._sort(r, self.up if downward else self.down)
            count = self._crossings()
            if count < fewest:
                best, fewest = [list(r) for r in self.ranks], count
        self.ranks = best
        self._number()

    def _number(self) -> None:
        for items in self.ranks:
            for i, item in enumerate(items):
                self.pos[item] = i

    def _sort(self, r: int, neighbours: list[list[int]]) -> None:
        """Order rank r by the mean position of each item's neighbours (stable for ties)."""
        def key(item: int) -> tuple[float, int]:
            near = neighbours[item]
            centre = sum(self.pos[n] for n in near) / len(near) if near else float(self.pos[item])
            return centre, self.pos[item]

        self.ranks[r].sort(key=key)
        for i, item in enumerate(self.ranks[r]):
            self.pos[item] = i

    def _crossings(self) -> int:
        total = 0
        for items in self.ranks[:-1]:
            pairs = sorted((self.pos[a], self.pos[b]) for a in items for b in self.down[a])
            total += inversions([b for _, b in pairs])
        return total

    # 5. Heights -------------------------------------------------------------------------------

    def place(self) -> None:
        for items in self.ranks:
            self._pack(items, [0.0] * len(items), [1.0] * len(items))
        for sweep in range(PLACE_SWEEPS):
            for items in (self.ranks if sweep % 2 == 0 else self.ranks[::-1]):
                targets, weights = [], []
                for item in items:
                    near = self.up[item] + self.down[item]
                    if near:
                        targets.append(sum(self.y[n] for n in near) / len(near))
                        weights.append(float(len(near)))
                    else:  # nothing pulls it: it stays, and gives way to the others
                        targets.append(self.y[item])
                        weights.append(1e-3)
                self._pack(items, targets, weights)
        top = min(self.y[i] - self.height[i] / 2 for i in range(len(self.y)))
        self.y = [y - top + MARGIN for y in self.y]

    def _pack(self, items: list[int], targets: list[float], weights: list[float]) -> None:
        """Each item as near its target as the order and the gaps allow (least squares)."""
        offsets = [0.0]
        for a, b in pairwise(items):
            space = NODE_GAP if NODE in (self.kind[a], self.kind[b]) else ITEM_GAP
            offsets.append(offsets[-1] + (self.height[a] + self.height[b]) / 2 + space)
        # With z = y - offset the constraints say z never decreases: pool adjacent violators.
        blocks: list[tuple[float, float, int]] = []  # weighted sum, weight, items
        for target, offset, weight in zip(targets, offsets, weights):
            block = (weight * (target - offset), weight, 1)
            while blocks and blocks[-1][0] / blocks[-1][1] > block[0] / block[1]:
                s, w, c = blocks.pop()
                block = (block[0] + s, block[1] + w, block[2] + c)
            blocks.append(block)
        i = 0
        for s, w, c in blocks:
            for _ in range(c):
                self.y[items[i]] = s / w + offsets[i]
                i += 1

    def ports(self) -> dict[tuple[int, int], float]:
        """(node, neighbour item) -> the height where that edge meets the node's side.

        The edges on one side of a node spread over its height in the order of their other
        ends, so that their arrowheads stay apart and they do not cross at the node.
        """
        ports: dict[tuple[int, int], float] = {}
        for v in range(self.nodes):
            for side in (self.up[v], self.down[v]):
                ordered = sorted(side, key=lambda i: (self.y[i], self.pos[i]))
                step = min(PORT_STEP, (self.height[v] - 8) / max(1, len(ordered) - 1))
                for k, item in enumerate(ordered):
                    ports[(v, item)] = self.y[v] + (k - (len(ordered) - 1) / 2) * step
        return ports


def column_lefts(widths: Sequence[float]) -> list[float]:
    """The left edge of each column."""
    lefts, x = [], MARGIN
    for width in widths:
        lefts.append(x)
        x += width + COLUMN_GAP
    return lefts


def inversions(values: list[int]) -> int:
    """Pairs i < j with values[i] > values[j] (a Fenwick tree: n log n)."""
    size = max(values, default=0) + 2
    tree = [0] * size
    count = 0
    for seen, value in enumerate(values):
        i, not_greater = value + 1, 0
        while i > 0:
            not_greater += tree[i]
            i -= i & -i
        count += seen - not_greater
        i = value + 1
        while i < size:
            tree[i] += 1
            i += i & -i
    return count
