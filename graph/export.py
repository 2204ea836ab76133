"""Exports for the tools analysts use: RDF (Turtle, N-Triples, JSON-LD, TriG, N-Quads), GraphML and GEXF
(Gephi), CSV in neo4j-admin import form (a zip of nodes.csv and relationships.csv), Cytoscape.js JSON.

The whole graph, or the lineage subgraph around a root (`direction` down = what implements it, up = what
it rests on, both). RDF of the whole graph is the store itself (TriG/N-Quads keep the source graphs);
the property-graph formats come from the lineage index: one node per document, one edge per relation.
"""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

import networkx as nx
import pyoxigraph as ox

from .documents import find, relation_set
from .errors import QueryError
from .lineage import REL_ID, RELATIONS, LineageIndex
from .rdf import RELATION_PROPERTY, VB
from .store import PREFIXES, Store

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    extension: str


FORMATS = {f.name: f for f in (
    ExportFormat("ttl", "text/turtle", "ttl"),
    ExportFormat("nt", "application/n-triples", "nt"),
    ExportFormat("jsonld", "application/ld+json", "jsonld"),
    ExportFormat("trig", "application/trig", "trig"),
    ExportFormat("nq", "application/n-quads", "nq"),
    ExportFormat("graphml", "application/graphml+xml", "graphml"),
    ExportFormat("gexf", "application/gexf+xml", "gexf"),
    ExportFormat("csv", "application/zip", "csv.zip"),
    ExportFormat("cytoscape", "application/json", "cyjs.json"),
)}
RDF_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
               "trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS}
NODE_FIELDS = ("iri", "symbol", "kind", "year", "date", "title", "issuer", "ingested")


def subgraph(index: LineageIndex, root: str | None, direction: str, depth: int,
             relations: list[str] | None = None) -> tuple[list[int], list[tuple[int, int, str]]]:
    """Node ids and edges of the whole graph, or of the lineage around `root`."""
    if root is None:
        nodes = list(range(len(index.nodes)))
        edges = [(a, b, RELATIONS[r]) for a, outs in enumerate(index.out) for b, r in outs]
        return nodes, edges
    if direction not in ("down", "up", "both"):
        raise QueryError(f"direction {direction!r}: use down, up or both")
    start = find(index, root)
    rels = relation_set(relations, tuple(RELATIONS))
    keep = {start}
    for upward in ((False,) if direction == "down" else (True,) if direction == "up" else (False, True)):
        keep.update(s.node for s in index.walk(start, rels, depth, upward))
    edges = [(a, b, RELATIONS[r]) for a in sorted(keep) for b, r in index.out[a] if b in keep and r in rels]
    return sorted(keep), edges


def _attrs(index: LineageIndex, n: int) -> dict[str, object]:
    node = index.nodes[n]
    values = {"key": node.key, "iri": node.iri, "symbol": node.symbol, "kind": node.kind, "year": node.year,
              "date": node.date, "title": node.title, "issuer": node.issuer, "ingested": node.ingested}
    return {k: v for k, v in values.items() if v is not None}


def _said(index: LineageIndex, a: int, b: int, rel: str) -> dict[str, str]:
    """The first sentence stating an edge and the document it is in (the tools show one per edge)."""
    quotes = index.quotes(a, b, REL_ID[rel])
    if not quotes:
        return {"quote": "", "stated_in": ""}
    return {"quote": quotes[0].text, "stated_in": index.nodes.columns["key"][quotes[0].stated_in]}


def to_networkx(index: LineageIndex, nodes: list[int], edges: list[tuple[int, int, str]]) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for n in nodes:
        attrs = _attrs(index, n)
        g.add_node(index.nodes[n].key, label=index.nodes[n].symbol or index.nodes[n].key, **attrs)
    for i, (a, b, rel) in enumerate(edges):
        g.add_edge(index.nodes[a].key, index.nodes[b].key, key=i, relation=rel, label=rel, **_said(index, a, b, rel))
    return g


def export(store: Store, index: LineageIndex, fmt: str, root: str | None = None, direction: str = "down",
           depth: int = 10, relations: list[str] | None = None, cache: Path | None = None) -> Iterator[bytes]:
    """The export as chunks of bytes (streamed by the API, written by the CLI). The whole graph's RDF is
    kept in `cache` (a folder), one file per format for the store's current stamp, when given."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown export format {fmt!r}: use {', '.join(FORMATS)}")
    if fmt in RDF_FORMATS and root is None:
        return _store_rdf(store, fmt, cache)
    nodes, edges = subgraph(index, root, direction, depth, relations)
    if fmt in RDF_FORMATS:
        return _subgraph_rdf(store, index, nodes, edges, fmt)
    if fmt == "graphml":
        buf = io.BytesIO()
        nx.write_graphml(to_networkx(index, nodes, edges), buf, encoding="utf-8")
        return iter([buf.getvalue()])
    if fmt == "gexf":
        buf = io.BytesIO()
        nx.write_gexf(to_networkx(index, nodes, edges), buf, encoding="utf-8")
        return iter([buf.getvalue()])
    if fmt == "csv":
        return iter([_neo4j_zip(index, nodes, edges)])
    return iter([_cytoscape(index, nodes, edges)])


CHUNK = 1 << 20


def cache_folder(store: Store) -> Path | None:
    """Where whole-graph exports of a store are kept: beside its folder (or its remote's local folder)."""
    return None if store.home is None else Path(str(store.home) + ".exports")


def _store_rdf(store: Store, fmt: str, cache: Path | None) -> Iterator[bytes]:
    """The whole store, streamed as Oxigraph writes it (the engine's pace: about 20 MB/s of N-Quads on
    one core), and kept for the store's stamp so that the next export of the same state goes at disk
    speed. Memory stays flat whatever the store's size (a national store is GB of N-Quads)."""
    state = store.state()  # read before the dump: what is kept is at least as new as its name says
    kept = cache / f"{state}.{FORMATS[fmt].extension}" if cache is not None and store.stamp() else None
    if kept is not None and kept.is_file():
        yield from _read(kept)
        return
    chunks = store.dump_stream(RDF_FORMATS[fmt])
    yield from (chunks if kept is None else _kept(chunks, kept))


def _read(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def _kept(chunks: Iterator[bytes], path: Path) -> Iterator[bytes]:
    """The chunks as they pass, written to `path` once all have passed (an export cut short, or a disk
    that refuses, keeps nothing); the files of older stamps in that format go."""
    part: IO[bytes] | None = None
    name = path.with_name(f".{uuid.uuid4().hex}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = name.open("wb")
    except OSError:
        part = None
    try:
        for chunk in chunks:
            if part is not None:
                try:
                    part.write(chunk)
                except OSError:  # a full disk: the export goes on, nothing is kept
                    part.close()
                    part = None
            yield chunk
        if part is not None:
            part.close()
            os.replace(name, path)
            for old in path.parent.glob(f"*.{path.name.split('.', 1)[1]}"):
                if old != path:
                    old.unlink(missing_ok=True)
    finally:
        if part is not None and not part.closed:
            part.close()
        name.unlink(missing_ok=True)


SUBGRAPH_BATCH = 2000  # documents whose literals one query gathers


def _subgraph_rdf(store: Store, index: LineageIndex, nodes: list[int], edges: list[tuple[int, int, str]],
                  fmt: str) -> Iterator[bytes]:
    """The documents' literals, gathered by one query per batch of documents, and the relations between
    them, each batch serialised as it comes (JSON-LD, one document, is serialised whole). Two batches
    are read at once (the store's reads overlap; the order of the output stays the batches' order)."""
    rdf_format = RDF_FORMATS[fmt]
    iri = index.nodes.columns["iri"]
    batches = [[iri[n] for n in nodes[i:i + SUBGRAPH_BATCH]] for i in range(0, len(nodes), SUBGRAPH_BATCH)]
    relations = [sorted({ox.Triple(ox.NamedNode(iri[a]), ox.NamedNode(VB + RELATION_PROPERTY[rel]),
                                   ox.NamedNode(iri[b])) for a, b, rel in edges[i:i + SUBGRAPH_BATCH * 4]}, key=str)
                 for i in range(0, len(edges), SUBGRAPH_BATCH * 4)]
    if rdf_format == ox.RdfFormat.JSON_LD:
        literals = [t for batch in batches for t in _literals(store, batch)]
        yield _serialized(literals + [t for chunk in relations for t in chunk], rdf_format, True)
        return

    def literals_of(job: tuple[int, list[str]]) -> bytes:
        return _serialized(_literals(store, job[1]), rdf_format, job[0] == 0)

    yield from (chunk for chunk in _ahead(literals_of, list(enumerate(batches)), 2) if chunk)
    for number, triples in enumerate(relations):
        if triples:
            yield _serialized(triples, rdf_format, not batches and number == 0)


def _ahead(fn: Callable[[T], R], items: list[T], workers: int) -> Iterator[R]:
    """fn over the items in threads, in order, at most `workers` of them at a time."""
    with ThreadPoolExecutor(workers) as pool:
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _literals(store: Store, iris: list[str]) -> list[ox.Triple]:
    values = " ".join(f"<{d}>" for d in iris)
    query = (f"CONSTRUCT {{ ?d ?p ?v }} WHERE {{ SELECT DISTINCT ?d ?p ?v WHERE {{ VALUES ?d {{ {values} }} "
             f"?d ?p ?v FILTER(isLiteral(?v)) }} }}")
    return sorted(store.query(query), key=str)


def _serialized(triples: list[ox.Triple], fmt: ox.RdfFormat, prefixed: bool) -> bytes:
    """Triples in `fmt` (as quads of the default graph for the quad formats); Turtle's prefixes on the
    first chunk only (later chunks spell IRIs out: still one valid document)."""
    items: list[ox.Triple] | list[ox.Quad] = triples
    if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
        items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    if prefixed and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        return ox.serialize(items, format=fmt, prefixes=PREFIXES) or b""
    return ox.serialize(items, format=fmt) or b""


def _neo4j_zip(index: LineageIndex, nodes: list[int], edges: list[tuple[int, int, str]]) -> bytes:
    nbuf = io.StringIO()
    w = csv.writer(nbuf)
    w.writerow(["key:ID", "iri", "symbol", "kind", "year:int", "date", "title", "issuer", "ingested:boolean",
                ":LABEL"])
    for n in nodes:
        x = index.nodes[n]
        w.writerow([x.key, x.iri, x.symbol or "", x.kind or "", x.year or "", x.date or "", x.title or "",
                    x.issuer or "", "true" if x.ingested else "false",
                    "Document;Ingested" if x.ingested else "Document"])
    ebuf = io.StringIO()
    w = csv.writer(ebuf)
    w.writerow([":START_ID", ":END_ID", ":TYPE", "relation", "quote", "stated_in"])
    for a, b, rel in edges:
        said = _said(index, a, b, rel)
        w.writerow([index.nodes[a].key, index.nodes[b].key, rel.upper(), rel, said["quote"], said["stated_in"]])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("nodes.csv", "\ufeff" + nbuf.getvalue())  # BOM: Excel opens UTF-8 correctly
        z.writestr("relationships.csv", "\ufeff" + ebuf.getvalue())
        z.writestr("README.txt", "neo4j-admin database import full --nodes=nodes.csv "
                                 "--relationships=relationships.csv\n")
    return out.getvalue()


def _cytoscape(index: LineageIndex, nodes: list[int], edges: list[tuple[int, int, str]]) -> bytes:
    elements = {
        "nodes": [{"data": {"id": index.nodes[n].key, "label": index.nodes[n].symbol or index.nodes[n].key}
                   | _attrs(index, n)} for n in nodes],
        "edges": [{"data": {"id": f"e{i}", "source": index.nodes[a].key, "target": index.nodes[b].key,
                            "relation": rel, "label": rel} | _said(index, a, b, rel)}
                  for i, (a, b, rel) in enumerate(edges)],
    }
    return json.dumps({"elements": elements}, ensure_ascii=False).encode("utf-8")
