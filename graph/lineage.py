"""The lineage index: every document and every relation between documents, as integer-indexed
adjacency lists, built from the store and persisted next to it.

Why: "what implements 02-NQ/TW, and through which chain?" is a breadth-first walk. SPARQL property
paths answer it but not with depths, per-step edges and cursors; a compact in-memory adjacency does,
and its first page costs only the nodes it visits. The index records the store's write stamp, so a
restart loads it from disk instead of rebuilding, and any write makes it stale.
"""

from __future__ import annotations

import mmap
import os
import pickle
import struct
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import ClassVar, NamedTuple, TypeAlias, TypeVar, overload

import pyoxigraph as ox

from .identity import slug
from .rdf import RELATION_PROPERTY, VB
from .store import GraphStore
from .vocab import load

RELATIONS = tuple(RELATION_PROPERTY)  # based_on, implements, … cites
REL_ID = {r: i for i, r in enumerate(RELATIONS)}
PROP_REL = {VB + p: r for r, p in RELATION_PROPERTY.items()}
FORMAT_VERSION = 6
PER_EDGE = 3  # quotes kept per edge: the API shows at most this many
WALKS_KEPT = 8  # recorded walks kept for later pages


@dataclass
class Node:
    iri: str
    key: str
    symbol: str | None = None
    kind: str | None = None
    year: int | None = None
    date: str | None = None
    title: str | None = None
    issuer: str | None = None
    ingested: bool = False


class Step(NamedTuple):
    """One document reached by a walk, the depth it was reached at and the edges that bring it in.
    (A NamedTuple: a walk makes one per document, and frozen dataclasses are slow to construct.)"""

    node: int
    depth: int
    edges: tuple[tuple[int, int, str], ...]  # (from, to, relation)


class _Order:
    """A whole walk, compactly: per document its node, depth, the document that brought it in and the
    relations (a bit each) that did."""

    def __init__(self, nodes: array[int], depths: array[int], parents: array[int], rels: array[int]) -> None:
        self.nodes, self.depths, self.parents, self.rels = nodes, depths, parents, rels

    @classmethod
    def of(cls, walk: Iterable[Step], upward: bool) -> _Order:
        nodes, depths, parents, rels = array("i"), array("h"), array("i"), array("H")
        for node, depth, edges in walk:
            nodes.append(node)
            depths.append(depth)
            parents.append(edges[0][1] if not upward else edges[0][0])
            rels.append(sum(1 << REL_ID[e[2]] for e in edges))
        return cls(nodes, depths, parents, rels)

    def steps(self, offset: int, upward: bool) -> Iterator[Step]:
        for i in range(offset, len(self.nodes)):
            node, parent, mask = self.nodes[i], self.parents[i], self.rels[i]
            rels = [RELATIONS[r] for r in range(len(RELATIONS)) if mask >> r & 1]
            edges = tuple((parent, node, r) for r in rels) if upward else tuple((node, parent, r) for r in rels)
            yield Step(node, self.depths[i], edges)


class _Adjacency:
    """Compressed sparse rows: the (other, relation) pairs of node n are dst/rel[ptr[n]:ptr[n+1]]."""

    def __init__(self, ptr: array[int], dst: array[int], rel: array[int]) -> None:
        self.ptr, self.dst, self.rel = ptr, dst, rel

    @classmethod
    def build(cls, size: int, pairs: list[tuple[int, int, int]]) -> _Adjacency:
        """From (node, other, relation) triples, sorted into rows."""
        pairs.sort()
        ptr = array("q", [0]) * (size + 1)
        for a, _, _ in pairs:
            ptr[a + 1] += 1
        for i in range(size):
            ptr[i + 1] += ptr[i]
        return cls(ptr, array("i", (p[1] for p in pairs)), array("b", (p[2] for p in pairs)))

    def __getitem__(self, n: int) -> list[tuple[int, int]]:
        lo, hi = self.ptr[n], self.ptr[n + 1]
        return list(zip(self.dst[lo:hi], self.rel[lo:hi], strict=True))

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        for n in range(len(self)):
            yield self[n]

    def count(self) -> int:
        return len(self.dst)


class Quote(NamedTuple):
    """One sentence stating an edge: the document that states it, the mention's offsets, the sentence."""

    stated_in: int
    start: int
    end: int
    text: str


K = TypeVar("K")
Ints: TypeAlias = "array[int] | memoryview"  # an array, or a view into a memory-mapped file
Found = dict[tuple[int, int, int], list[tuple[int, int, int, bytes]]]  # (a, b, rel) → (stated, start, end, quote)


class _Evidence:
    """The quotes of every relation edge, aligned with the out adjacency: edge j has records
    ptr[j]:ptr[j+1], each its stating document, offsets and the sentence's UTF-8 bytes at
    blob[base + offsets[k]: base + offsets[k + 1]].

    Why here and not read from the store: a page's quotes from the store are hundreds of random reads
    (evidence nodes and their strings are scattered by hash), slow as soon as the store outgrows the
    page cache. Here they are one contiguous slice per edge, and the blob is memory-mapped: a restart
    parses nothing, and only the pages read stay resident."""

    def __init__(self, ptr: Ints, stated: Ints, start: Ints, end: Ints, offsets: Ints,
                 blob: bytes | bytearray | mmap.mmap, base: int = 0) -> None:
        self.ptr, self.stated, self.start, self.end = ptr, stated, start, end
        self.offsets, self.blob, self.base = offsets, blob, base

    @classmethod
    def aligned(cls, out: _Adjacency, found: Found, iri: Sequence[str]) -> _Evidence:
        """Records per edge in out's order: the PER_EDGE least by (stating IRI, start, end, quote), so
        the choice does not depend on the order they were read in."""
        ptr, stated, start, end = array("q", [0]), array("i"), array("i"), array("i")
        offsets, blob = array("q", [0]), bytearray()
        for a in range(len(out)):
            for j in range(out.ptr[a], out.ptr[a + 1]):
                recs = found.get((a, out.dst[j], out.rel[j]))
                if recs:
                    for s, x, y, q in sorted(set(recs), key=lambda r: (iri[r[0]], r[1], r[2], r[3]))[:PER_EDGE]:
                        stated.append(s)
                        start.append(x)
                        end.append(y)
                        blob += q
                        offsets.append(len(blob))
                ptr.append(len(stated))
        return cls(ptr, stated, start, end, offsets, blob)

    def at(self, j: int) -> list[Quote]:
        blob, base, off = self.blob, self.base, self.offsets
        return [Quote(self.stated[k], self.start[k], self.end[k], blob[base + off[k]:base + off[k + 1]].decode())
                for k in range(self.ptr[j], self.ptr[j + 1])]

    def found(self, out: _Adjacency) -> Found:
        """Back to records by edge (to merge with new ones)."""
        blob, base, off = self.blob, self.base, self.offsets
        got: Found = {}
        for a in range(len(out)):
            for j in range(out.ptr[a], out.ptr[a + 1]):
                if self.ptr[j] < self.ptr[j + 1]:
                    got[(a, out.dst[j], out.rel[j])] = [
                        (self.stated[k], self.start[k], self.end[k], bytes(blob[base + off[k]:base + off[k + 1]]))
                        for k in range(self.ptr[j], self.ptr[j + 1])]
        return got


class _EvidenceReader:
    """Evidence nodes read a property at a time in any order (index scans, or a graph's quads), kept as
    an ordinal per node and integer columns: a million evidence nodes must not be a million dicts."""

    FIELDS: ClassVar[dict[str, int]] = {
        VB + p: i for i, p in enumerate(("source", "target", "relation", "statedIn", "start", "end", "quote"))}

    def __init__(self, node_of: Callable[[str], int | None]) -> None:
        self.node_of = node_of
        self.ordinal: dict[str, int] = {}  # evidence IRI → ordinal, until all its fields are read
        self.filled = bytearray()
        self.ints = [array("i") for _ in range(6)]
        self.quotes: list[bytes] = []

    def add(self, e: str, field: int, value: str) -> None:
        k = self.ordinal.get(e)
        if k is None:
            k = self.ordinal[e] = len(self.quotes)
            for column in self.ints:
                column.append(-1)
            self.quotes.append(b"")
            self.filled.append(0)
        self.filled[k] |= 1 << field
        if self.filled[k] == 0x7F:  # complete: a dump gives a node's quads together, so few stay open
            del self.ordinal[e]
        if field == 6:
            self.quotes[k] = value.encode()
        elif field == 2:
            self.ints[2][k] = REL_ID.get(PROP_REL.get(value, ""), -1)
        elif field in (4, 5):
            self.ints[field][k] = int(value) if value.isdigit() else -1
        else:
            n = self.node_of(value)
            self.ints[field][k] = -1 if n is None else n

    def renumber(self, final: Sequence[int]) -> None:
        """Provisional numbers of documents → their nodes (-1: not a document)."""
        for column in (self.ints[0], self.ints[1], self.ints[3]):
            for k, n in enumerate(column):
                if n >= 0:
                    column[k] = final[n]

    def found(self) -> Found:
        """Complete records of edges between documents (a reference left unresolved has none). Spends
        the reader: the evidence IRIs go first, they are the bulk of it."""
        self.ordinal = {}
        got: Found = {}
        a, b, r, s, x, y = self.ints
        for k, q in enumerate(self.quotes):
            if min(a[k], b[k], r[k], s[k]) >= 0:
                got.setdefault((a[k], b[k], r[k]), []).append((s[k], max(x[k], 0), max(y[k], 0), q))
        return got


class Collector:
    """What the index takes from a stream of (subject, predicate, object) values: the quads of the
    graphs an ingest added, or of a whole dump. IRIs at the ends of edges and evidence get provisional
    numbers as they come (one string kept each, not one per mention); `merged` gives them nodes."""

    def __init__(self) -> None:
        self.pids: dict[str, int] = {}
        self.attrs: dict[int, dict[str, str]] = {}
        self.values: dict[str, str] = {}  # one string per distinct value (dates, kinds, issuers repeat)
        self.docs: set[int] = set()
        self.own: set[int] = set()
        self.edges: set[tuple[int, int, int]] = set()
        self.reader = _EvidenceReader(self._pid)

    def _pid(self, iri: str) -> int:
        n = self.pids.get(iri)
        if n is None:
            n = self.pids[iri] = len(self.pids)
        return n

    def add_nquads(self, text: str) -> None:
        """What a write just stored, as the N-Quads it wrote (an ingest hands each batch over)."""
        for s, p, o in _sifted(text.encode().splitlines()):
            self.add(s, p, o)

    def add(self, s: str, p: str, o: str) -> None:
        field = _EvidenceReader.FIELDS.get(p)
        if field is not None:
            self.reader.add(s, field, o)
        elif p == _TYPE.value:
            if o == _DOCUMENT.value:
                self.docs.add(self._pid(s))
            elif o == _INGESTED.value:
                self.own.add(self._pid(s))
        elif p in _ATTRS:
            _merge(self.attrs, self._pid(s), _ATTRS[p], self.values.setdefault(o, o))
        elif p in PROP_REL:
            self.edges.add((self._pid(s), self._pid(o), REL_ID[PROP_REL[p]]))


_COLUMNS = ("iri", "key", "symbol", "kind", "date", "title", "issuer")
_CODED = ("kind", "date", "title", "issuer")  # few distinct values among a million rows


class Coded(Sequence[str]):
    """A column of repeated values, dictionary-encoded: 4 bytes a row instead of a string each (a
    million documents share a few thousand dates, issuers and subjects)."""

    def __init__(self, values: list[str], codes: array[int]) -> None:
        self.values, self.codes = values, codes

    @classmethod
    def of(cls, items: Iterable[str]) -> Coded:
        index: dict[str, int] = {}
        values: list[str] = []
        codes = array("i")
        for x in items:
            i = index.get(x)
            if i is None:
                i = index[x] = len(values)
                values.append(x)
            codes.append(i)
        return cls(values, codes)

    @overload
    def __getitem__(self, n: int) -> str: ...
    @overload
    def __getitem__(self, n: slice) -> list[str]: ...
    def __getitem__(self, n: int | slice) -> str | list[str]:
        if isinstance(n, slice):
            return [self.values[c] for c in self.codes[n]]
        return self.values[self.codes[n]]

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[str]:
        values = self.values
        return (values[c] for c in self.codes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


Columns = dict[str, Sequence[str]]


def _columns(rows: dict[str, list[str]]) -> Columns:
    return {k: Coded.of(v) if k in _CODED else v for k, v in rows.items()}


class _Nodes:
    """The documents as columns (cheap to save and load); `nodes[n]` makes a Node on demand."""

    def __init__(self, columns: Columns, years: array[int], ingested: bytearray) -> None:
        self.columns, self.years, self.ingested = columns, years, ingested

    def __len__(self) -> int:
        return len(self.years)

    def __getitem__(self, n: int) -> Node:
        c = self.columns
        return Node(iri=c["iri"][n], key=c["key"][n], symbol=c["symbol"][n] or None, kind=c["kind"][n] or None,
                    year=self.years[n] or None, date=c["date"][n] or None, title=c["title"][n] or None,
                    issuer=c["issuer"][n] or None, ingested=bool(self.ingested[n]))

    def __iter__(self) -> Iterator[Node]:
        for n in range(len(self)):
            yield self[n]


class Lookup:
    """Value → node by binary search over a sorted permutation of one column: a restart loads one array
    instead of hashing a million strings into a dict."""

    def __init__(self, column: Sequence[str], order: array[int]) -> None:
        self.column, self.order = column, order

    @classmethod
    def sorting(cls, column: Sequence[str]) -> Lookup:
        return cls(column, array("i", sorted(range(len(column)), key=column.__getitem__)))

    def get(self, value: str) -> int | None:
        at = bisect_left(self.order, value, key=self.column.__getitem__)
        if at < len(self.order) and self.column[self.order[at]] == value:
            return self.order[at]
        return None

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and self.get(value) is not None

    def __getitem__(self, value: str) -> int:
        n = self.get(value)
        if n is None:
            raise KeyError(value)
        return n


class LineageIndex:
    """Documents and relations as integer-indexed columns and compressed adjacency."""

    def __init__(self, nodes: _Nodes, out: _Adjacency, inc: _Adjacency, stamp: str,
                 ids: Lookup | None = None, keys: Lookup | None = None, evidence: _Evidence | None = None) -> None:
        self.nodes = nodes
        self.out = out
        self.inc = inc
        self.stamp = stamp
        self.evidence = evidence or _Evidence(array("q", [0]) * (out.count() + 1), array("i"), array("i"),
                                              array("i"), array("q", [0]), b"")
        self.ids = ids or Lookup.sorting(nodes.columns["iri"])  # IRI → node
        self.keys = keys or Lookup.sorting(nodes.columns["key"])  # key → node
        self._numbered: array[int] | None = None  # nodes sorted by the number ending their key
        self._walks: OrderedDict[tuple[int, frozenset[int], int, bool], _Order] = OrderedDict()
        self._walks_lock = threading.Lock()

    @classmethod
    def from_parts(cls, nodes: list[Node], edges: list[tuple[int, int, int]], stamp: str,
                   found: Found | None = None) -> LineageIndex:
        """From Node values, (source, target, relation id) edges and the edges' quotes."""
        columns = _columns({name: [getattr(x, name) or "" for x in nodes] for name in _COLUMNS})
        table = _Nodes(columns, array("h", (x.year or 0 for x in nodes)), bytearray(x.ingested for x in nodes))
        out = _Adjacency.build(len(nodes), [(a, b, r) for a, b, r in edges])
        inc = _Adjacency.build(len(nodes), [(b, a, r) for a, b, r in edges])
        return cls(table, out, inc, stamp, evidence=_Evidence.aligned(out, found or {}, columns["iri"]))

    # -- building ----------------------------------------------------------------------------------

    @classmethod
    def build(cls, store: GraphStore) -> LineageIndex:
        """From the store's indexes, one scan per property (SPARQL over the union default graph would
        repeat each fact once per source that states it, and sort them all). Each phase's working set
        is freed before the next: at a million documents they would not fit together."""
        stamp = store.stamp()
        nodes, ids = _read_nodes(store)
        edges = _read_edges(store, ids)
        found = _read_evidence(store, ids)
        del ids
        return cls.from_parts(nodes, edges, stamp, found)

    def extended(self, store: GraphStore, graphs: list[str]) -> LineageIndex:
        """This index plus source graphs added since it was built (none replaced or removed): reads only
        those graphs, so adding a few documents to a million costs seconds, not a rebuild. Attributes
        merge by the same rule as build (the least value wins), so both give the same index."""
        got = Collector()
        for g in graphs:
            for q in store.quads(g=g):
                got.add(_v(q.subject), q.predicate.value, _v(q.object))
        return self.merged(got, store.stamp())

    @classmethod
    def from_dumps(cls, paths: list[Path], stamp: str) -> LineageIndex:
        """From the N-Quads dumps a store was bulk-loaded from: the same index as `build` on that store,
        read from text in sequence instead of from string tables at random (at a million documents the
        store no longer fits the page cache)."""
        got = Collector()
        for path in paths:
            for s, p, o in _dump_values(path):
                got.add(s, p, o)
        return cls.from_parts([], [], "").merged(got, stamp)

    def merged(self, got: Collector, stamp: str) -> LineageIndex:
        """This index with what a collector read added: new documents appended in IRI order, known ones
        keeping the least value of each attribute."""
        attrs, own, iri_of = got.attrs, got.own, list(got.pids)
        del got.values
        c = self.nodes.columns
        columns = {k: list(v) for k, v in c.items()}  # copies: the old index may still be serving
        years, ingested = array("h", self.nodes.years), bytearray(self.nodes.ingested)
        ids: dict[str, int] = {}
        for pid in sorted(got.docs, key=iri_of.__getitem__):
            d = iri_of[pid]
            n = self.ids.get(d)
            fresh = _node(d, attrs.pop(pid, {}), pid in own)
            if n is None:
                n = len(years)
                for name in _COLUMNS:
                    columns[name].append(getattr(fresh, name) or "")
                years.append(fresh.year or 0)
                ingested.append(fresh.ingested)
            else:
                for name in _COLUMNS[1 if fresh.key != d else 2:]:  # (a missing key is no value)
                    value = getattr(fresh, name) or ""
                    if value and (not columns[name][n] or value < columns[name][n]):
                        columns[name][n] = value
                if fresh.year and (not years[n] or fresh.year < years[n]):
                    years[n] = fresh.year
                ingested[n] |= fresh.ingested
            ids[d] = n
        del got.attrs, got.docs, got.own
        final = array("i", [-1]) * len(iri_of)  # provisional number → node
        for pid, iri in enumerate(iri_of):
            n = ids.get(iri)
            n = self.ids.get(iri) if n is None else n
            if n is not None:
                final[pid] = n
        del ids, iri_of, got.pids
        size = len(years)
        edges = {(n, int(self.out.dst[j]), int(self.out.rel[j]))
                 for n in range(len(self.nodes)) for j in range(self.out.ptr[n], self.out.ptr[n + 1])}
        for a, b, r in got.edges:
            x, y = final[a], final[b]
            if x >= 0 and y >= 0:
                edges.add((x, y, r))
        found = self.evidence.found(self.out)
        got.reader.renumber(final)
        for edge, recs in got.reader.found().items():
            found.setdefault(edge, []).extend(recs)
        table = _Nodes(_columns(columns), years, ingested)
        out = _Adjacency.build(size, [(a, b, r) for a, b, r in edges])
        return LineageIndex(table, out, _Adjacency.build(size, [(b, a, r) for a, b, r in edges]), stamp,
                            evidence=_Evidence.aligned(out, found, table.columns["iri"]))

    # -- persistence -------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Columns as one string each and adjacency as raw arrays: loading is a few splits and copies."""
        c, ev, token = self.nodes.columns, self.evidence, os.urandom(16).hex()
        blob = {
            "version": FORMAT_VERSION, "stamp": self.stamp, "size": len(self.nodes),
            "columns": {k: "\x1f".join(c[k]) for k in _COLUMNS if k not in _CODED},
            "coded": {k: ("\x1f".join(v.values), v.codes.tobytes())
                      for k in _CODED if isinstance(v := c[k], Coded)},
            "years": self.nodes.years.tobytes(), "ingested": bytes(self.nodes.ingested),
            "out": [x.tobytes() for x in (self.out.ptr, self.out.dst, self.out.rel)],
            "inc": [x.tobytes() for x in (self.inc.ptr, self.inc.dst, self.inc.rel)],
            "order": [self.ids.order.tobytes(), self.keys.order.tobytes()],
            "quotes": token,
        }
        # The evidence goes to its own file, memory-mapped on load (a restart reads none of it, and only
        # the pages a page of results touches become resident). It opens with the token the index file
        # names: an index file never pairs with another save's evidence (each file is replaced whole).
        quotes = _quotes_path(path)
        tmp = quotes.with_name(quotes.name + ".tmp")
        parts = (ev.ptr, ev.offsets, ev.stated, ev.start, ev.end)  # 8-byte parts first: each part aligned
        with tmp.open("wb") as f:
            f.write(token.encode())
            f.write(struct.pack(f"<{len(parts)}q", *(len(x) for x in parts)))
            for x in parts:
                f.write(x.tobytes())
            f.write(ev.blob[ev.base:ev.base + ev.offsets[-1]])
        tmp.replace(quotes)
        tmp = path.with_suffix(path.suffix + ".tmp")
        with tmp.open("wb") as f:
            pickle.dump(blob, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> LineageIndex | None:
        try:
            with path.open("rb") as f:
                blob = pickle.load(f)  # the index file is the store's own, written by save()
            if blob.get("version") != FORMAT_VERSION:
                return None
            # each raw part is dropped once converted: the peak is the file plus one part, not twice the file
            size = blob["size"]
            plain = blob.pop("columns")
            columns: Columns = {k: (plain.pop(k).split("\x1f") if size else []) for k in list(plain)}
            coded = blob.pop("coded")
            for k in list(coded):
                values, raw = coded.pop(k)
                columns[k] = Coded(values.split("\x1f") if size else [], _array("i", raw))
            years = _array("h", blob.pop("years"))
            adj = []
            for part in ("out", "inc"):
                raws = blob.pop(part)
                adj.append(_Adjacency(*(_array(code, raws.pop(0)) for code in "qib")))
            order = blob.pop("order")
            by_iri, by_key = _array("i", order.pop(0)), _array("i", order.pop(0))
            evidence = _map_evidence(_quotes_path(path), blob["quotes"], adj[0].count())
            if evidence is None:
                return None
            return cls(_Nodes(columns, years, bytearray(blob["ingested"])), adj[0], adj[1], blob["stamp"],
                       Lookup(columns["iri"], by_iri), Lookup(columns["key"], by_key), evidence)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, KeyError, TypeError, AttributeError,
                IndexError):
            return None

    @classmethod
    def refresh(cls, store: GraphStore, path: Path, since: str, added: list[str], replaced: bool,
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
    def open(cls, store: GraphStore, path: Path | None) -> LineageIndex:
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

    def walk(self, start: int, relations: frozenset[int], depth: int, upward: bool) -> Iterator[Step]:
        """Breadth-first from `start`: down (who implements it) or up (what it rests on), lazily, also
        within one document's row (a landmark resolution has 40,000 direct implementers: its first page
        must not wait for all of them). A row is sorted by (other, relation), so the edges that bring one
        document in are adjacent."""
        adj = self.out if upward else self.inc
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

    def steps(self, start: int, relations: frozenset[int], depth: int, upward: bool, offset: int) -> Iterator[Step]:
        """The walk from its `offset`-th document on. The first page walks lazily; a later page reads a
        recorded order (walked once, ~11 bytes a document, the last few walks kept), so paging through
        a landmark's 40,000 implementers does not walk again from the top for every page."""
        if offset == 0:
            return self.walk(start, relations, depth, upward)
        key = (start, relations, depth, upward)
        with self._walks_lock:
            order = self._walks.get(key)
            if order is not None:
                self._walks.move_to_end(key)
        if order is None:
            order = _Order.of(self.walk(start, relations, depth, upward), upward)
            with self._walks_lock:
                self._walks[key] = order
                while len(self._walks) > WALKS_KEPT:
                    self._walks.popitem(last=False)
        return order.steps(offset, upward)

    def path(self, a: int, b: int, relations: frozenset[int]) -> list[tuple[int, int, str]] | None:
        """The shortest chain of relations from a to b (following citing → cited), else None."""
        ptr, dst, rel_of = self.out.ptr, self.out.dst, self.out.rel
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

    def quotes(self, a: int, b: int, rel: int) -> list[Quote]:
        """The sentences that state a → b (relation id rel), at most PER_EDGE."""
        dst, rel_of = self.out.dst, self.out.rel
        for j in range(self.out.ptr[a], self.out.ptr[a + 1]):
            if dst[j] == b and rel_of[j] == rel:
                return self.evidence.at(j)
        return []

    def numbered(self, number: str) -> list[int]:
        """Documents whose key ends in this number (leading zeros ignored): a sorted permutation made on
        first use, so reading a reference does not scan a million documents."""
        keys = self.keys.column
        if self._numbered is None:
            self._numbered = array("i", sorted(range(len(keys)), key=lambda n: _tail(keys[n])))
        want = number.lstrip("0")
        return _run(self._numbered, lambda n: _tail(keys[n]), want, want.__eq__)

    def prefixed(self, prefix: str) -> list[int]:
        """Documents whose key starts with `prefix` (the keys' own sorted permutation)."""
        keys = self.keys.column
        return _run(self.keys.order, keys.__getitem__, prefix, lambda k: k.startswith(prefix))


_ATTRS = {VB + prop: name for prop, name in (
    ("key", "key"), ("symbol", "symbol"), ("kind", "kind"), ("year", "year"), ("date", "date"), ("title", "title"),
    ("subject", "title"), ("issuerName", "issuer"))}
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_DOCUMENT = ox.NamedNode(VB + "Document")
_INGESTED = ox.NamedNode(VB + "IngestedDocument")


def _read_nodes(store: GraphStore) -> tuple[list[Node], dict[str, int]]:
    attrs: dict[str, dict[str, str]] = {}
    values: dict[str, str] = {}  # one string per distinct value (dates, kinds, issuers repeat)
    for prop, name in _ATTRS.items():
        for q in store.quads(p=prop):
            v = _v(q.object)
            _merge(attrs, _v(q.subject), name, values.setdefault(v, v))
    del values
    own = {_v(q.subject) for q in store.quads(None, _TYPE.value, _INGESTED)}
    nodes: list[Node] = []
    ids: dict[str, int] = {}
    for d in sorted({_v(q.subject) for q in store.quads(None, _TYPE.value, _DOCUMENT)}):
        ids[d] = len(nodes)
        nodes.append(_node(d, attrs.get(d, {}), d in own))
    return nodes, ids


def _read_edges(store: GraphStore, ids: dict[str, int]) -> list[tuple[int, int, int]]:
    seen: set[tuple[int, int, int]] = set()
    for p, rel in PROP_REL.items():
        r = REL_ID[rel]
        for q in store.quads(p=p):
            x, y = ids.get(_v(q.subject)), ids.get(_v(q.object))
            if x is not None and y is not None:
                seen.add((x, y, r))
    return sorted(seen)


def _read_evidence(store: GraphStore, ids: dict[str, int]) -> Found:
    reader = _EvidenceReader(ids.get)
    for p, field in _EvidenceReader.FIELDS.items():
        for q in store.quads(p=p):
            reader.add(_v(q.subject), field, _v(q.object))
    return reader.found()


def _tail(key: str) -> str:
    """The number ending a key, leading zeros stripped (`tw-nq-2021-02` → `2`)."""
    return key.rsplit("-", 1)[-1].lstrip("0")


def _run(order: Sequence[int], value: Callable[[int], str], probe: str, match: Callable[[str], bool]) -> list[int]:
    """The nodes of a sorted permutation whose values match, from the first not less than `probe`."""
    at = bisect_left(order, probe, key=value)
    found = []
    while at < len(order) and match(value(order[at])):
        found.append(order[at])
        at += 1
    return sorted(found)


def _quotes_path(path: Path) -> Path:
    return path.with_name(path.name + ".quotes")


def _dump_values(path: Path) -> Iterator[tuple[str, str, str]]:
    with path.open("rb") as f:
        yield from _sifted(f)


def _sifted(lines: Iterable[bytes], batch: int = 20_000) -> Iterator[tuple[str, str, str]]:
    """(subject, predicate, object) of the N-Quads lines that the index reads. Lines are sifted by their
    predicate as text (an IRI holds no '>', the subject is never a literal) and only those kept are
    parsed, in batches: most of a dump (mentions, offsets, signatures) is skipped unread."""
    wanted = {f"<{p}>".encode() for p in (*_EvidenceReader.FIELDS, *_ATTRS, *PROP_REL)}
    kinds = (f"<{_DOCUMENT.value}>".encode(), f"<{_INGESTED.value}>".encode())
    rdf_type = f"<{_TYPE.value}>".encode()
    kept: list[bytes] = []
    for line in lines:
        i = line.find(b"> <")
        j = line.find(b">", i + 3)
        if i < 0 or j < 0:
            continue
        p = line[i + 2:j + 1]
        if p in wanted or (p == rdf_type and line.startswith(kinds, j + 2)):
            kept.append(line if line.endswith(b"\n") else line + b"\n")
            if len(kept) >= batch:
                yield from _parsed(kept)
                kept = []
    yield from _parsed(kept)


def _parsed(lines: list[bytes]) -> Iterator[tuple[str, str, str]]:
    for q in ox.parse(b"".join(lines), ox.RdfFormat.N_QUADS):
        yield _v(q.subject), q.predicate.value, _v(q.object)


def _array(code: str, raw: bytes) -> array[int]:
    out = array(code)
    out.frombytes(raw)
    return out


def _map_evidence(path: Path, token: str, edges: int) -> _Evidence | None:
    """The evidence file memory-mapped, its arrays as views into it; None when it is not the one the
    index file names or its parts do not add up."""
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        if f.read(len(token)) != token.encode() or size < len(token) + 40:
            return None
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    view, at = memoryview(mm), len(token) + 40
    counts = struct.unpack_from("<5q", mm, len(token))
    if counts[0] != edges + 1:
        return None
    ends = list(accumulate((n * w for n, w in zip(counts, (8, 8, 4, 4, 4), strict=True)), initial=at))
    if ends[-1] > size:
        return None
    ptr, offsets = (view[ends[i]:ends[i + 1]].cast("q") for i in (0, 1))
    stated, start, end = (view[ends[i]:ends[i + 1]].cast("i") for i in (2, 3, 4))
    at = ends[-1]
    if size != at + offsets[-1]:
        return None
    return _Evidence(ptr, stated, start, end, offsets, mm, at)


def _merge(attrs: dict[K, dict[str, str]], d: K, name: str, value: str) -> None:
    """Sources may disagree: the least value wins, whatever the order they are read in."""
    got = attrs.setdefault(d, {})
    old = got.get(name)
    if old is None or value < old:
        got[name] = value


@lru_cache(maxsize=1)
def _code_of() -> dict[str, str]:
    return {slug(c.code): c.code for c in load().codes}


def _node(d: str, a: dict[str, str], own: bool) -> Node:
    year, kind = a.get("year", ""), a.get("kind")
    return Node(iri=d, key=a.get("key", d), symbol=a.get("symbol"),
                kind=_code_of().get(kind.rsplit("/", 1)[-1], kind) if kind else None,
                year=int(year[:4]) if year[:4].isdigit() else None, date=a.get("date"), title=a.get("title"),
                issuer=a.get("issuer"), ingested=own)


def _v(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """The lexical value of a term (an RDF-star triple as its N-Triples text)."""
    return str(term) if isinstance(term, ox.Triple) else term.value
