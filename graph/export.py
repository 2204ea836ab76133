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
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

from .documents import find, relation_set
from .errors import QueryError
from .lineage import REL_ID, RELATIONS, LineageIndex
from .rdf import RELATION_PROPERTY, VB
from .store import PREFIXES, GraphStore


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


def export(store: GraphStore, index: LineageIndex, fmt: str, root: str | None = None, direction: str = "down",
           depth: int = 10, relations: list[str] | None = None) -> Iterator[bytes]:
    """The export as chunks of bytes (streamed by the API, written by the CLI)."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown export format {fmt!r}: use {', '.join(FORMATS)}")
    if fmt in RDF_FORMATS and root is None:
        return _store_rdf(store, fmt)
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


def _store_rdf(store: GraphStore, fmt: str) -> Iterator[bytes]:
    """The whole store, written by Oxigraph into a temporary file and read back in chunks: memory stays
    flat whatever the store's size (a national store is tens of GB of N-Quads)."""
    rdf_format = RDF_FORMATS[fmt]
    with tempfile.TemporaryFile() as spool:
        if rdf_format in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
            store.dump(rdf_format, output=spool)
        else:  # a triple format: the union of the graphs, each triple once
            store.dump_union(rdf_format, spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk


SUBGRAPH_BATCH = 2000  # documents whose literals one query gathers


def _subgraph_rdf(store: GraphStore, index: LineageIndex, nodes: list[int], edges: list[tuple[int, int, str]],
                  fmt: str) -> Iterator[bytes]:
    """The documents' literals, gathered by one query per batch of documents, and the relations between
    them, each batch serialised as it comes (JSON-LD, one document, is serialised whole)."""
    rdf_format = RDF_FORMATS[fmt]
    iri = index.nodes.columns["iri"]
    chunks = (_literals(store, [iri[n] for n in nodes[i:i + SUBGRAPH_BATCH]])
              for i in range(0, len(nodes), SUBGRAPH_BATCH))
    relations = (sorted({ox.Triple(ox.NamedNode(iri[a]), ox.NamedNode(VB + RELATION_PROPERTY[rel]),
                                   ox.NamedNode(iri[b])) for a, b, rel in edges[i:i + SUBGRAPH_BATCH * 4]}, key=str)
                 for i in range(0, len(edges), SUBGRAPH_BATCH * 4))
    if rdf_format == ox.RdfFormat.JSON_LD:
        yield _serialized([t for chunk in (*chunks, *relations) for t in chunk], rdf_format, True)
        return
    first = True
    for chunk in (*chunks, *relations):
        if chunk:
            yield _serialized(chunk, rdf_format, first)
            first = False


def _literals(store: GraphStore, iris: list[str]) -> list[ox.Triple]:
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
