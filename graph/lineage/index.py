"""LineageIndex: the documents and relations of the store as columns and compressed adjacency, built,
saved, walked and searched by the package's other modules."""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

from ..store import Store
from . import persist
from .adjacency import Adjacency, Evidence
from .build import Collector, assembled, dump_values, merge, read_edges, read_evidence, read_nodes, table_of
from .columns import Lookup, NodeTable, run
from .model import WALKS_KEPT, Found, Node, Quote, Step, value_of
from .walks import Order, lazy, shortest, whole


def collect_dumps(paths: list[Path]) -> Collector:
    """What the index takes from N-Quads dumps, read in sequence (alone, or beside the bulk load reading
    the same files: `vanban load` runs both at once)."""
    got = Collector()
    for path in paths:
        for s, p, o, g in dump_values(path):
            got.add(s, p, o, g)
    return got


class LineageIndex:
    """Documents and relations as integer-indexed columns and compressed adjacency."""

    def __init__(self, nodes: NodeTable, out: Adjacency, inc: Adjacency, stamp: str,
                 ids: Lookup | None = None, keys: Lookup | None = None, evidence: Evidence | None = None) -> None:
        self.nodes = nodes
        self.out = out
        self.inc = inc
        self.stamp = stamp
        self.evidence = evidence or Evidence(array("q", [0]) * (out.count() + 1), array("i"), array("i"),
                                             array("i"), array("q", [0]), b"")
        self.ids = ids or Lookup.sorting(nodes.columns["iri"])  # IRI → node
        self.keys = keys or Lookup.sorting(nodes.columns["key"])  # key → node
        self._numbered: array[int] | None = None  # nodes sorted by the number ending their key
        self._walks: OrderedDict[tuple[int, frozenset[int], int, bool], Order] = OrderedDict()
        self._walks_lock = threading.Lock()

    @classmethod
    def from_parts(cls, nodes: list[Node], edges: list[tuple[int, int, int]], stamp: str,
                   found: Found | None = None) -> LineageIndex:
        """From Node values, (source, target, relation id) edges and the edges' quotes."""
        table, out, inc, evidence = assembled(table_of(nodes), edges, found or {})
        return cls(table, out, inc, stamp, evidence=evidence)

    # -- building ----------------------------------------------------------------------------------

    @classmethod
    def build(cls, store: Store) -> LineageIndex:
        """From the store's indexes, one scan per property (SPARQL over the union default graph would
        repeat each fact once per source that states it, and sort them all). Each phase's working set
        is freed before the next: at a million documents they would not fit together."""
        stamp = store.stamp()
        nodes, ids = read_nodes(store)
        edges = read_edges(store, ids)
        found = read_evidence(store, ids)
        del ids
        return cls.from_parts(nodes, edges, stamp, found)

    def extended(self, store: Store, graphs: list[str]) -> LineageIndex:
        """This index plus source graphs added since it was built (none replaced or removed): reads only
        those graphs, so adding a few documents to a million costs seconds, not a rebuild. Attributes
        merge by the same rule as build (the least value wins), so both give the same index."""
        got = Collector()
        for g in graphs:
            for q in store.quads(g=g):
                got.add(value_of(q.subject), q.predicate.value, value_of(q.object), g)
        return self.merged(got, store.stamp())

    @classmethod
    def from_dumps(cls, paths: list[Path], stamp: str) -> LineageIndex:
        """From the N-Quads dumps a store was bulk-loaded from: the same index as `build` on that store,
        read from text in sequence instead of from string tables at random (at a million documents the
        store no longer fits the page cache)."""
        return cls.from_parts([], [], "").merged(collect_dumps(paths), stamp)

    def merged(self, got: Collector, stamp: str) -> LineageIndex:
        """This index with what a collector read added (see build.merge)."""
        table, out, inc, evidence = merge(self.nodes, self.out, self.evidence, self.ids, got)
        return LineageIndex(table, out, inc, stamp, evidence=evidence)

    # -- persistence -------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        persist.save(self, path)

    @classmethod
    def load(cls, path: Path) -> LineageIndex | None:
        got = persist.load(path)
        if got is None:
            return None
        table, out, inc, stamp, ids, keys, evidence = got
        return cls(table, out, inc, stamp, ids, keys, evidence)

    @classmethod
    def refresh(cls, store: Store, path: Path, since: str, added: list[str], replaced: bool,
                collected: Collector | None = None, empty_before: bool = False) -> LineageIndex:
        """After an ingest: extend the saved index by the graphs it added when the index was current
        before it (`since`, the stamp then) and nothing was replaced or removed; else open (rebuild).
        `collected`, what the ingest wrote as it wrote it, spares reading those graphs back; into a
        store that was empty it is the whole index."""
        if replaced:
            return cls.open(store, path)
        idx = cls.from_parts([], [], since) if empty_before else cls.load(path)
        if idx is None or idx.stamp != since or (not since and not empty_before):
            return cls.open(store, path)
        if idx.stamp != store.stamp():
            idx = idx.merged(collected, store.stamp()) if collected is not None else idx.extended(store, added)
            idx.save(path)
        return idx

    @classmethod
    def open(cls, store: Store, path: Path | None) -> LineageIndex:
        """Load the persisted index when it matches the store's stamp; else rebuild (and save)."""
        if path is not None:
            idx = cls.load(path)
            if idx is not None and idx.stamp == store.stamp():
                return idx
        idx = cls.build(store)
        if path is not None and not store.read_only:  # (a reader beside the server leaves its file alone)
            idx.save(path)
        return idx

    # -- walking -----------------------------------------------------------------------------------


    # -- walking -----------------------------------------------------------------------------------

    def walk(self, start: int, relations: frozenset[int], depth: int, upward: bool) -> Iterator[Step]:
        """Breadth-first from `start`, lazily: down (who implements it) or up (what it rests on)."""
        return lazy(self.out if upward else self.inc, start, relations, depth, upward)

    def whole(self, start: int, relations: frozenset[int], depth: int, upward: bool) -> Order:
        """The same walk whole, as columns, computed at once with array arithmetic; the last few kept, so
        paging through a landmark's 40,000 implementers does not walk again for every page."""
        key = (start, relations, depth, upward)
        with self._walks_lock:
            order = self._walks.get(key)
            if order is not None:
                self._walks.move_to_end(key)
                return order
        order = whole(self.out if upward else self.inc, start, relations, depth)
        with self._walks_lock:
            self._walks[key] = order
            while len(self._walks) > WALKS_KEPT:
                self._walks.popitem(last=False)
        return order

    def forget_walks(self) -> None:
        """Drop the recorded walks (a benchmark measures walking, not the record)."""
        with self._walks_lock:
            self._walks.clear()

    def steps(self, start: int, relations: frozenset[int], depth: int, upward: bool, offset: int) -> Iterator[Step]:
        """The walk from its `offset`-th document on: the first page lazily, a later one from the whole."""
        if offset == 0:
            return self.walk(start, relations, depth, upward)
        return self.whole(start, relations, depth, upward).steps(offset, upward)

    def path(self, a: int, b: int, relations: frozenset[int]) -> list[tuple[int, int, str]] | None:
        """The shortest chain of relations from a to b (following citing → cited), else None."""
        return shortest(self.out, a, b, relations)

    def quotes(self, a: int, b: int, rel: int) -> list[Quote]:
        """The sentences that state a → b (relation id rel), at most PER_EDGE."""
        dst, rel_of = self.out.dst, self.out.rel
        for j in range(self.out.ptr[a], self.out.ptr[a + 1]):
            if dst[j] == b and rel_of[j] == rel:
                return self.evidence.at(j)
        return []

    # -- lookups -----------------------------------------------------------------------------------

    def numbered(self, number: str) -> list[int]:
        """Documents whose key ends in this number (leading zeros ignored): a sorted permutation of the
        number column made on first use, so reading a reference does not scan a million documents."""
        numbers = self.nodes.columns["number"]
        if self._numbered is None:
            self._numbered = array("i", sorted(range(len(numbers)), key=lambda n: numbers[n].lstrip("0")))
        want = number.lstrip("0")
        return run(self._numbered, lambda n: numbers[n].lstrip("0"), want, want.__eq__)

    def prefixed(self, prefix: str) -> list[int]:
        """Documents whose key starts with `prefix` (the keys' own sorted permutation)."""
        keys = self.keys.column
        return run(self.keys.order, keys.__getitem__, prefix, lambda k: k.startswith(prefix))
