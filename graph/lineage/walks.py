"""Walks over the adjacency: lazily, a step at a time (a first page stops early), or whole and
vectorised, a depth at a time over numpy views of the same arrays (every page after the first, coverage,
full lists), and the shortest chain between two documents."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .adjacency import Adjacency
from .model import RELATIONS, Step

Array = npt.NDArray[np.int64]
MASK_NAMES = tuple(tuple(RELATIONS[r] for r in range(len(RELATIONS)) if mask >> r & 1)
               for mask in range(1 << len(RELATIONS)))  # a step's relation bits → their names


def lazy(adj: Adjacency, start: int, relations: frozenset[int], depth: int, upward: bool) -> Iterator[Step]:
    """Breadth-first from `start` along `adj` (out: up, to what it rests on; inc: down, to who implements
    it), lazily, also within one document's row (a landmark resolution has 40,000 direct implementers: its
    first page must not wait for all of them). A row is sorted by (other, relation), so the edges that
    bring one document in are adjacent."""
    ptr, dst, rel_of = adj.ptr, adj.dst, adj.rel
    seen = {start: 0}
    queue: deque[int] = deque([start])
    while queue:
        cur = queue.popleft()
        d = seen[cur]
        if d >= depth:
            continue
        j, end = ptr[cur], ptr[cur + 1]
        while j < end:
            other = dst[j]
            edges: list[tuple[int, int, str]] = []
            while j < end and dst[j] == other:
                rel = rel_of[j]
                if rel in relations:
                    edges.append((cur, other, RELATIONS[rel]) if upward else (other, cur, RELATIONS[rel]))
                j += 1
            if edges and other not in seen:
                seen[other] = d + 1
                queue.append(other)
                yield Step(other, d + 1, tuple(edges))


@dataclass(frozen=True)
class Order:
    """A whole walk as columns, in the order the lazy walk yields it: per document its node, depth, the
    document that brought it in and the relations (a bit each) that did."""

    nodes: Array
    depths: Array
    parents: Array
    rels: Array

    def __len__(self) -> int:
        return len(self.nodes)

    def edges(self, window: slice, upward: bool) -> list[list[tuple[int, int, str]]]:
        """The edges that bring each document of a window in, as (from, to, relation)."""
        rows = zip(self.nodes[window].tolist(), self.parents[window].tolist(), self.rels[window].tolist(),
                   strict=True)
        return [[(parent, node, r) if upward else (node, parent, r) for r in MASK_NAMES[mask]]
                for node, parent, mask in rows]

    def steps(self, offset: int, upward: bool) -> Iterator[Step]:
        window = slice(offset, None)
        rows = zip(self.nodes[window].tolist(), self.depths[window].tolist(), self.edges(window, upward), strict=True)
        for node, depth, edges in rows:
            yield Step(node, depth, tuple(edges))


def whole(adj: Adjacency, start: int, relations: frozenset[int], depth: int) -> Order:
    """The whole breadth-first walk at once: per depth, the rows of the frontier gathered with array
    arithmetic, the edges of the wanted relations to documents not yet seen kept, each new document
    taken from the first edge that reaches it (so the order is the lazy walk's)."""
    ptr = np.frombuffer(adj.ptr, dtype=np.int64)
    dst = np.frombuffer(adj.dst, dtype=np.int32)
    rel = np.frombuffer(adj.rel, dtype=np.int8)
    allowed = np.zeros(128, dtype=bool)
    allowed[list(relations)] = True
    seen = np.zeros(len(ptr) - 1, dtype=bool)
    seen[start] = True
    frontier = np.array([start], dtype=np.int64)
    parts: list[tuple[Array, int, Array, Array]] = []
    level = 0
    while frontier.size and level < depth:
        level += 1
        lo = ptr[frontier]
        count = ptr[frontier + 1] - lo
        total = int(count.sum())
        if not total:
            break
        ends = np.cumsum(count)
        at = np.repeat(lo - (ends - count), count) + np.arange(total)  # every edge position of the frontier
        src = np.repeat(frontier, count)
        other, kind = dst[at].astype(np.int64), rel[at]
        keep = allowed[kind] & ~seen[other]
        src, other, kind = src[keep], other[keep], kind[keep]
        if not other.size:
            break
        found, first = np.unique(other, return_index=True)
        slot = np.searchsorted(found, other)
        chosen = src == src[first][slot]  # edges from the document that brought each one in
        bits = np.zeros(found.size, dtype=np.int64)
        np.bitwise_or.at(bits, slot[chosen], np.left_shift(1, kind[chosen].astype(np.int64)))
        order = np.sort(first)
        new = other[order]
        parts.append((new, level, src[order], bits[slot[order]]))
        seen[new] = True
        frontier = new
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Order(empty, empty, empty, empty)
    return Order(np.concatenate([p[0] for p in parts]),
                 np.concatenate([np.full(p[0].size, p[1], dtype=np.int64) for p in parts]),
                 np.concatenate([p[2] for p in parts]), np.concatenate([p[3] for p in parts]))


def shortest(out: Adjacency, a: int, b: int, relations: frozenset[int]) -> list[tuple[int, int, str]] | None:
    """The shortest chain of relations from a to b (following citing → cited), else None."""
    ptr, dst, rel_of = out.ptr, out.dst, out.rel
    prev: dict[int, tuple[int, int, str]] = {}
    seen = {a}
    queue: deque[int] = deque([a])
    while queue:
        cur = queue.popleft()
        if cur == b:
            chain = []
            while cur != a:
                edge = prev[cur]
                chain.append(edge)
                cur = edge[0]
            return chain[::-1]
        for j in range(ptr[cur], ptr[cur + 1]):
            other, rel = dst[j], rel_of[j]
            if rel in relations and other not in seen:
                seen.add(other)
                prev[other] = (cur, other, RELATIONS[rel])
                queue.append(other)
    return None
