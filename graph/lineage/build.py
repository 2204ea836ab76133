"""Building the index: from the store's property scans, from N-Quads dumps, and by merging what an
ingest collected into an index that serves."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox

from ..identity import slug
from ..rdf import VB
from ..store import Store
from ..vocab import load
from .adjacency import Adjacency, Evidence
from .columns import COLUMNS, NODE_COLUMNS, Lookup, NodeTable, columns_of, parts
from .model import PROP_REL, REL_ID, Found, K, Node, value_of


class EvidenceReader:
    """Evidence nodes read a property at a time in any order (index scans, or a graph's quads), kept as
    an ordinal per node and integer columns: a million evidence nodes must not be a million dicts. The
    document stating an evidence is the one its graph describes: the graph is kept, and `stated_by`
    turns it into that document."""

    FIELDS: ClassVar[dict[str, int]] = {
        VB + p: i for i, p in enumerate(("source", "target", "relation", "quote", "offsets"))}
    COMPLETE = (1 << 5) - 1

    def __init__(self, node_of: Callable[[str], int | None]) -> None:
        self.node_of = node_of
        self.ordinal: dict[str, int] = {}  # evidence IRI → ordinal, until all its fields are read
        self.filled = bytearray()
        self.ints = [array("i") for _ in range(6)]  # source, target, relation, stating graph → document, start, end
        self.quotes: list[bytes] = []

    def add(self, e: str, field: int, value: str, graph: str) -> None:
        k = self.ordinal.get(e)
        if k is None:
            k = self.ordinal[e] = len(self.quotes)
            for column in self.ints:
                column.append(-1)
            self.quotes.append(b"")
            self.filled.append(0)
            g = self.node_of(graph)
            self.ints[3][k] = -1 if g is None else g
        self.filled[k] |= 1 << field
        if self.filled[k] == self.COMPLETE:  # a dump gives a node's quads together, so few stay open
            del self.ordinal[e]
        if field == 3:
            self.quotes[k] = value.encode()
        elif field == 2:
            self.ints[2][k] = REL_ID.get(PROP_REL.get(value, ""), -1)
        elif field == 4:
            parts = value.split()
            if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
                self.ints[4][k], self.ints[5][k] = int(parts[0]), int(parts[1])
        else:
            n = self.node_of(value)
            self.ints[field][k] = -1 if n is None else n

    def stated_by(self, describes: dict[int, int]) -> None:
        """Stating graphs → the documents they describe (-1: a graph describing none)."""
        column = self.ints[3]
        for k, g in enumerate(column):
            if g >= 0:
                column[k] = describes.get(g, -1)

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
    """What the index takes from a stream of (subject, predicate, object, graph) values: the quads of
    the graphs an ingest added, or of a whole dump. IRIs at the ends of edges and evidence get
    provisional numbers as they come (one string kept each, not one per mention); `merged` gives them
    nodes."""

    def __init__(self) -> None:
        self.pids: dict[str, int] = {}
        self.attrs: dict[int, dict[str, str]] = {}
        self.values: dict[str, str] = {}  # one string per distinct value (dates, kinds, issuers repeat)
        self.docs: set[int] = set()
        self.own: set[int] = set()
        self.edges: set[tuple[int, int, int]] = set()
        self.describes: dict[int, int] = {}  # source graph → the document it describes
        self.reader = EvidenceReader(self._pid)

    def _pid(self, iri: str) -> int:
        n = self.pids.get(iri)
        if n is None:
            n = self.pids[iri] = len(self.pids)
        return n

    def add_nquads(self, text: str) -> None:
        """What a write just stored, as the N-Quads it wrote (an ingest hands each batch over)."""
        for s, p, o, g in _sifted(text.encode().splitlines()):
            self.add(s, p, o, g)

    def add(self, s: str, p: str, o: str, g: str) -> None:
        field = EvidenceReader.FIELDS.get(p)
        if field is not None:
            self.reader.add(s, field, o, g)
        elif p == _TYPE.value:
            if o == _DOCUMENT.value:
                self.docs.add(self._pid(s))
        elif p in _ATTRS:
            _merge(self.attrs, self._pid(s), _ATTRS[p], self.values.setdefault(o, o))
        elif p in PROP_REL:
            self.edges.add((self._pid(s), self._pid(o), REL_ID[PROP_REL[p]]))
        elif p == _DESCRIBES:  # the document a source graph describes is an ingested one
            self.describes[self._pid(s)] = doc = self._pid(o)
            self.own.add(doc)


_ATTRS = {VB + prop: name for prop, name in (
    ("key", "key"), ("symbol", "symbol"), ("kind", "kind"), ("year", "year"), ("date", "date"), ("title", "title"),
    ("subject", "title"), ("issuerName", "issuer"))}
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_DOCUMENT = ox.NamedNode(VB + "Document")
_DESCRIBES = VB + "describes"


def read_nodes(store: Store) -> tuple[list[Node], dict[str, int]]:
    attrs: dict[str, dict[str, str]] = {}
    values: dict[str, str] = {}  # one string per distinct value (dates, kinds, issuers repeat)
    for prop, name in _ATTRS.items():
        for q in store.quads(p=prop):
            v = value_of(q.object)
            _merge(attrs, value_of(q.subject), name, values.setdefault(v, v))
    del values
    own = {value_of(q.object) for q in store.quads(p=_DESCRIBES)}  # what a source graph describes
    nodes: list[Node] = []
    ids: dict[str, int] = {}
    for d in sorted({value_of(q.subject) for q in store.quads(None, _TYPE.value, _DOCUMENT)}):
        ids[d] = len(nodes)
        nodes.append(make_node(d, attrs.get(d, {}), d in own))
    return nodes, ids


def read_edges(store: Store, ids: dict[str, int]) -> list[tuple[int, int, int]]:
    seen: set[tuple[int, int, int]] = set()
    for p, rel in PROP_REL.items():
        r = REL_ID[rel]
        for q in store.quads(p=p):
            x, y = ids.get(value_of(q.subject)), ids.get(value_of(q.object))
            if x is not None and y is not None:
                seen.add((x, y, r))
    return sorted(seen)


def read_evidence(store: Store, ids: dict[str, int]) -> Found:
    """Every evidence record; the stating graph read as the document it describes."""
    describes = {value_of(q.subject): ids.get(value_of(q.object)) for q in store.quads(p=_DESCRIBES)}

    def node_of(iri: str) -> int | None:
        n = ids.get(iri)
        return describes.get(iri) if n is None else n

    reader = EvidenceReader(node_of)
    for p, field in EvidenceReader.FIELDS.items():
        for q in store.quads(p=p):
            g = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
            reader.add(value_of(q.subject), field, value_of(q.object), g)
    return reader.found()



def dump_values(path: Path) -> Iterator[tuple[str, str, str, str]]:
    with path.open("rb") as f:
        yield from _sifted(f)


def _sifted(lines: Iterable[bytes], batch: int = 20_000) -> Iterator[tuple[str, str, str, str]]:
    """(subject, predicate, object, graph) of the N-Quads lines that the index reads. Lines are sifted by their
    predicate as text (an IRI holds no '>', the subject is never a literal) and only those kept are
    parsed, in batches: most of a dump (mentions, offsets, signatures) is skipped unread."""
    wanted = {f"<{p}>".encode() for p in (*EvidenceReader.FIELDS, *_ATTRS, *PROP_REL, _DESCRIBES)}
    kinds = (f"<{_DOCUMENT.value}>".encode(),)
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


def _parsed(lines: list[bytes]) -> Iterator[tuple[str, str, str, str]]:
    for q in ox.parse(b"".join(lines), ox.RdfFormat.N_QUADS):
        g = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        yield value_of(q.subject), q.predicate.value, value_of(q.object), g



def _merge(attrs: dict[K, dict[str, str]], d: K, name: str, value: str) -> None:
    """Sources may disagree: the least value wins, whatever the order they are read in."""
    got = attrs.setdefault(d, {})
    old = got.get(name)
    if old is None or value < old:
        got[name] = value


@lru_cache(maxsize=1)
def _code_of() -> dict[str, str]:
    return {slug(c.code): c.code for c in load().codes}


def key_of(iri: str) -> str:
    """A document's key from its IRI (`…/doc/lai-chau/tu/ctr/2021/12` → `lai-chau-tu-ctr-2021-12`); the
    IRI itself where it is not a document IRI (a reference keeps a vb:key of its own)."""
    _, sep, path = iri.partition("/doc/")
    return path.replace("/", "-").replace("_", "x") if sep and path else iri  # as identity.DocKey.text


def make_node(d: str, a: dict[str, str], own: bool) -> Node:
    kind = a.get("kind")
    year = a.get("year") or a.get("date", "")  # a date's year (the year is stated only without a date)
    return Node(iri=d, key=a.get("key") or key_of(d), symbol=a.get("symbol"),
                kind=_code_of().get(kind.rsplit("/", 1)[-1], kind) if kind else None,
                year=int(year[:4]) if year[:4].isdigit() else None, date=a.get("date"), title=a.get("title"),
                issuer=a.get("issuer"), ingested=own)




def table_of(nodes: list[Node]) -> NodeTable:
    """Node values as columns (their parts read from IRIs and keys)."""
    columns = columns_of({name: [getattr(x, name) or "" for x in nodes] for name in NODE_COLUMNS})
    return NodeTable(columns, array("h", (x.year or 0 for x in nodes)), bytearray(x.ingested for x in nodes))


Parts = tuple[NodeTable, Adjacency, Adjacency, Evidence]


def assembled(table: NodeTable, edges: Iterable[tuple[int, int, int]], found: Found) -> Parts:
    """Both adjacencies of the edges (source, target, relation id), and the quotes aligned with them."""
    listed = list(edges)
    out = Adjacency.build(len(table), [(a, b, r) for a, b, r in listed])
    inc = Adjacency.build(len(table), [(b, a, r) for a, b, r in listed])
    return table, out, inc, Evidence.aligned(out, found, table.columns["iri"])


def merge(nodes: NodeTable, out: Adjacency, evidence: Evidence, ids: Lookup, got: Collector) -> Parts:
    """An index's parts with what a collector read added: new documents appended in IRI order, known ones
    keeping the least value of each attribute."""
    attrs, own, iri_of = got.attrs, got.own, list(got.pids)
    del got.values
    columns = {k: list(v) for k, v in nodes.columns.items()}  # copies: the old index may still be serving
    years, ingested = array("h", nodes.years), bytearray(nodes.ingested)
    placed: dict[str, int] = {}
    for pid in sorted(got.docs, key=iri_of.__getitem__):
        d = iri_of[pid]
        n = ids.get(d)
        fresh = make_node(d, attrs.pop(pid, {}), pid in own)
        if n is None:
            n = len(years)
            for name in NODE_COLUMNS:
                columns[name].append(getattr(fresh, name) or "")
            for name in COLUMNS[len(NODE_COLUMNS):]:
                columns[name].append("")
            years.append(fresh.year or 0)
            ingested.append(fresh.ingested)
        else:
            for name in NODE_COLUMNS[1 if fresh.key != d else 2:]:  # (a missing key is no value)
                value = getattr(fresh, name) or ""
                if value and (not columns[name][n] or value < columns[name][n]):
                    columns[name][n] = value
            if fresh.year and (not years[n] or fresh.year < years[n]):
                years[n] = fresh.year
            ingested[n] |= fresh.ingested
        for name, value in zip(COLUMNS[len(NODE_COLUMNS):], parts(d, columns["key"][n]), strict=True):
            columns[name][n] = value
        placed[d] = n
    del got.attrs, got.docs, got.own
    final = array("i", [-1]) * len(iri_of)  # provisional number → node
    for pid, iri in enumerate(iri_of):
        n = placed.get(iri)
        n = ids.get(iri) if n is None else n
        if n is not None:
            final[pid] = n
    del placed, iri_of, got.pids
    edges = {(n, int(out.dst[j]), int(out.rel[j]))
             for n in range(len(nodes)) for j in range(out.ptr[n], out.ptr[n + 1])}
    for a, b, r in got.edges:
        x, y = final[a], final[b]
        if x >= 0 and y >= 0:
            edges.add((x, y, r))
    found = evidence.found(out)
    got.reader.stated_by(got.describes)
    got.reader.renumber(final)
    for edge, recs in got.reader.found().items():
        found.setdefault(edge, []).extend(recs)
    return assembled(NodeTable(columns_of(columns), years, ingested), edges, found)
