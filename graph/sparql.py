"""SPARQL 1.1 over the store with limits, and the result formats of the protocol.

Kept apart from the web layer so that the CLI, the API and the benchmarks share one code path:
`answer` runs a query under a deadline and a row cap (checked as results come; Oxigraph evaluates
lazily, so most queries stop at the limit) and lets Oxigraph write SELECT results; `serialize` writes
the SPARQL results formats (JSON, XML, CSV, TSV) and the RDF formats for CONSTRUCT/DESCRIBE (Turtle,
N-Triples, JSON-LD, RDF/XML, TriG, N-Quads). Content negotiation is a plain table.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from .errors import QueryError, QueryTimeout, RowCapExceeded
from .store import PREFIXES, Store

SELECT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "trig": ("application/trig", ox.RdfFormat.TRIG),
    "nq": ("application/n-quads", ox.RdfFormat.N_QUADS),
}
ALIASES = {
    "application/json": "json", "application/sparql-results+json": "json", "text/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
    "text/turtle": "ttl", "application/x-turtle": "ttl", "turtle": "ttl",
    "application/n-triples": "nt", "text/plain": "nt", "ntriples": "nt", "n-triples": "nt",
    "application/ld+json": "jsonld", "json-ld": "jsonld",
    "application/rdf+xml": "rdfxml", "rdf": "rdfxml", "rdf/xml": "rdfxml",
    "application/trig": "trig", "application/n-quads": "nq", "nquads": "nq", "n-quads": "nq",
}
GRAPH_ALIASES = {"xml": "rdfxml", "rdf+xml": "rdfxml", "json": "jsonld", "n3": "ttl", "text/n3": "ttl",
                 "text/rdf+n3": "ttl", "application/rdf+json": "jsonld",
                 "application/x-json+ld": "jsonld"}
_UPDATE = re.compile(
    r"^\s*(?:(?:#[^\n]*\n\s*)|(?:PREFIX\s+\S*:\s*<[^>]*>\s*)|(?:BASE\s+<[^>]*>\s*))*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)


def is_update(text: str) -> bool:
    """True for SPARQL Update requests (after any prologue)."""
    return bool(_UPDATE.match(text))


@dataclass(frozen=True)
class Limits:
    """Per-query limits: seconds of evaluation and rows (or triples) returned."""

    timeout: float = 10.0
    row_cap: int = 100_000


@dataclass
class Result:
    """A query's outcome, fully read under the limits."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    boolean: bool = False
    triples: list[Any] = field(default_factory=list)


def _run(store: Store, query: str, default_graphs: list[str] | None, named_graphs: list[str] | None,
         timeout: float) -> Any:
    """The query's raw results (a remote store is told the time limit: its request ends with it)."""
    return store.run(query, default_graphs=default_graphs, named_graphs=named_graphs, timeout=timeout)


class _Checks:
    """The limits, checked as results come: rows against the cap, and (every 256) the clock."""

    def __init__(self, limits: Limits, cancel: threading.Event | None) -> None:
        self.limits, self.cancel = limits, cancel
        self.deadline = time.monotonic() + limits.timeout

    def hit(self, n: int) -> QueryError | None:
        if n > self.limits.row_cap:
            return RowCapExceeded(f"the query returns more than {self.limits.row_cap} results; add a LIMIT")
        return self.clock() if (n & 255) == 0 else None

    def clock(self) -> QueryError | None:
        if time.monotonic() > self.deadline or (self.cancel is not None and self.cancel.is_set()):
            return QueryTimeout(f"the query ran past its {self.limits.timeout:g} s limit")
        return None


def execute(
    store: Store,
    query: str,
    limits: Limits,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
    cancel: threading.Event | None = None,
) -> Result:
    """Run a query to the end, or raise QueryTimeout / RowCapExceeded / QueryError."""
    checks = _Checks(limits, cancel)
    return _collect(_run(store, query, default_graphs, named_graphs, limits.timeout), checks)


def _collect(raw: Any, checks: _Checks) -> Result:
    error: QueryError | None = None
    limit_hit = checks.hit
    # release every reference before raising, so no traceback carries one to another thread.
    result: Result | None = None
    try:
        if isinstance(raw, ox.QueryBoolean):
            result = Result("ask", boolean=bool(raw))
        elif isinstance(raw, ox.QuerySolutions):
            names = [v.value for v in raw.variables]
            rows: list[list[Any]] = []
            it = iter(raw)
            for n, sol in enumerate(it, 1):
                error = limit_hit(n)
                if error:
                    break
                rows.append([sol[name] for name in names])
            sol = None
            del it
            error = error or limit_hit(0)
            result = Result("select", variables=names, rows=rows)
        else:
            triples: list[Any] = []
            it2 = iter(raw)
            for n, t in enumerate(it2, 1):
                error = limit_hit(n)
                if error:
                    break
                triples.append(t)
            del it2
            result = Result("graph", triples=triples)
    except (OSError, ValueError) as e:
        error = QueryError(f"the query failed: {e}")
    del raw
    if error is not None:
        raise error
    assert result is not None
    return result


# Oxigraph writes SELECT results itself (in Rust, many times faster than building them in Python); the
# sink below counts rows by a mark that cannot occur inside a value — in JSON a binding opens with
# `[{"` or `,{"` (a quote inside a string is escaped), in XML with `<result>` (`<` is escaped), in TSV
# a row is a line (newlines are escaped) — and checks the clock as the chunks arrive. CSV may hold raw
# newlines in quoted values: it takes the Python path.
_NATIVE = {"json": (ox.QueryResultsFormat.JSON, (b'[{"', b',{"'), 0),
           "xml": (ox.QueryResultsFormat.XML, (b"<result>",), 0),
           "tsv": (ox.QueryResultsFormat.TSV, (b"\n",), 1)}


class _Sink:
    """A file-like object for pyoxigraph's serializer that enforces the limits while it writes."""

    def __init__(self, marks: tuple[bytes, ...], header_rows: int, checks: _Checks) -> None:
        self.marks, self.rows, self.checks = marks, -header_rows, checks
        self.parts: list[bytes] = []
        self.tail = b""
        self.error: QueryError | None = None

    def write(self, chunk: bytes) -> int:
        data = self.tail + chunk
        self.rows += sum(data.count(m) for m in self.marks)
        keep = max(len(m) for m in self.marks) - 1
        self.tail = data[-keep:] if keep else b""
        self.rows -= sum(self.tail.count(m) for m in self.marks)  # counted again with the next chunk
        self.parts.append(bytes(chunk))
        error = self.checks.hit(max(self.rows, 0)) or self.checks.clock()
        if error:
            self.error = error
            raise error
        return len(chunk)

    def flush(self) -> None:
        pass


def answer(
    store: Store, query: str, limits: Limits, accept: str | None, fmt: str | None,
    default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
    cancel: threading.Event | None = None,
) -> tuple[bytes, str]:
    """The protocol's answer to a query: its body in the negotiated format, and the media type."""
    checks = _Checks(limits, cancel)
    raw = _run(store, query, default_graphs, named_graphs, limits.timeout)
    kind = "select" if isinstance(raw, ox.QuerySolutions) else "ask" if isinstance(raw, ox.QueryBoolean) else "graph"
    try:
        name = negotiate(accept, fmt, kind)
    except QueryError:
        del raw  # results live on the thread that made them: no traceback may carry them away
        raise
    if kind == "select" and name in _NATIVE:
        fmt_, marks, header = _NATIVE[name]
        sink = _Sink(marks, header, checks)
        try:
            raw.serialize(output=sink, format=fmt_)
        except (OSError, QueryError) as e:
            error = sink.error or QueryError(f"the query failed: {e}")
            del raw
            raise error from None
        del raw
        late = checks.hit(max(sink.rows, 0))
        if late:
            raise late
        return xml_safe(b"".join(sink.parts), name), media_type(name)
    return xml_safe(serialize(_collect(raw, checks), name), name), media_type(name)


# Control characters other than tab and line ends cannot appear in XML 1.0, escaped or not; in UTF-8
# their bytes never occur inside another character's, so they are replaced byte for byte.
_XML_BAD = bytes(b for b in range(0x20) if b not in (0x09, 0x0A, 0x0D))
_XML_FIX = bytes.maketrans(_XML_BAD, b"?" * len(_XML_BAD))


def xml_safe(body: bytes, name: str) -> bytes:
    """XML results and RDF/XML with any control character of a literal made a `?` (well-formed XML)."""
    return body.translate(_XML_FIX) if name in ("xml", "rdfxml") else body


def negotiate(accept: str | None, fmt: str | None, kind: str) -> str:
    """The format name for a result kind, from `format=` first, then the Accept header."""
    wanted = SELECT_FORMATS if kind in ("select", "ask") else GRAPH_FORMATS
    default = "json" if kind in ("select", "ask") else "ttl"
    if fmt:
        for key in (k.strip() for k in fmt.lower().split(",")):  # some clients send a list
            if kind == "graph":  # what clients (SPARQLWrapper) send for CONSTRUCT/DESCRIBE
                key = GRAPH_ALIASES.get(key, key)
            name = ALIASES.get(key, key)
            if name in wanted:
                return name
        raise QueryError(f"format {fmt!r} is not available for this query; use one of {', '.join(wanted)}")
    for media, _q in _accepts(accept or ""):
        if media in ("*/*", ""):
            return default
        found = ALIASES.get(GRAPH_ALIASES.get(media, media) if kind == "graph" else media)
        if found in wanted:
            return str(found)
    return default


def _accepts(header: str) -> list[tuple[str, float]]:
    out = []
    for part in header.split(","):
        bits = [b.strip() for b in part.split(";")]
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if bits[0]:
            out.append((bits[0].lower(), q))
    return sorted(out, key=lambda x: -x[1])


def media_type(name: str) -> str:
    return SELECT_FORMATS.get(name) or GRAPH_FORMATS[name][0]


def serialize(result: Result, name: str) -> bytes:
    """The result in format `name` (from `negotiate`)."""
    if result.kind == "graph":
        rdf_format = GRAPH_FORMATS[name][1]
        items: list[Any] = result.triples
        if rdf_format in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
            items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in result.triples]
        prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        out = ox.serialize(items, format=rdf_format, prefixes=prefixes) if prefixes else ox.serialize(
            items, format=rdf_format)
        return out or b""
    if result.kind == "ask":
        if name == "xml":
            return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                    f"<head/><boolean>{'true' if result.boolean else 'false'}</boolean></sparql>\n").encode()
        if name in ("csv", "tsv"):
            return ("_askResult\n" + ("true" if result.boolean else "false") + "\n").encode()
        return json.dumps({"head": {}, "boolean": result.boolean}).encode()
    return {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[name](result)


def _term_json(t: Any) -> dict[str, str]:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            d["datatype"] = t.datatype.value
        return d
    return {"type": "literal", "value": str(t)}


def _json(r: Result) -> bytes:
    bindings = [{v: _term_json(t) for v, t in zip(r.variables, row, strict=True) if t is not None}
                for row in r.rows]
    return json.dumps({"head": {"vars": r.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode("utf-8")


def _xml(r: Result) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    out += [f"<variable name={quoteattr(v)}/>" for v in r.variables]
    out.append("</head><results>")
    for row in r.rows:
        out.append("<result>")
        for v, t in zip(r.variables, row, strict=True):
            if t is None:
                continue
            out.append(f"<binding name={quoteattr(v)}>")
            if isinstance(t, ox.NamedNode):
                out.append(f"<uri>{escape(t.value)}</uri>")
            elif isinstance(t, ox.BlankNode):
                out.append(f"<bnode>{escape(t.value)}</bnode>")
            elif isinstance(t, ox.Literal):
                if t.language:
                    out.append(f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>")
                elif t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
                    out.append(f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>")
                else:
                    out.append(f"<literal>{escape(t.value)}</literal>")
            else:
                out.append(f"<literal>{escape(str(t))}</literal>")
            out.append("</binding>")
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out).encode("utf-8")


def _csv(r: Result) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(r.variables)
    for row in r.rows:
        w.writerow(["" if t is None else (t.value if hasattr(t, "value") else str(t)) for t in row])
    return buf.getvalue().encode("utf-8")


def _tsv_term(t: Any) -> str:
    if t is None:
        return ""
    s = str(t)  # N-Triples syntax, as the TSV results format asks
    return s.replace("\t", "\\t").replace("\n", "\\n")


def _tsv(r: Result) -> bytes:
    lines = ["\t".join("?" + v for v in r.variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in r.rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def service_description(endpoint: str, federated: bool = False, updates: bool = False) -> str:
    """SPARQL 1.1 Service Description of the endpoint, in Turtle: federation and updates only where the
    settings allow them (SERVICE endpoints on an allow-list; an admin token)."""
    features = "sd:UnionDefaultGraph" + (" , sd:BasicFederatedQuery" if federated else "")
    languages = "sd:SPARQL11Query" + (" , sd:SPARQL11Update" if updates else "")
    results = " , ".join(f"<http://www.w3.org/ns/formats/{n}>" for n in (
        "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
        "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads"))
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<{endpoint}> a sd:Service ;
    rdfs:label "vanban SPARQL endpoint" ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage {languages} ;
    sd:feature {features} ;
    sd:resultFormat {results} ;
    sd:defaultDataset <{endpoint}#dataset> .

<{endpoint}#dataset> a sd:Dataset ;
    sd:defaultGraph <{endpoint}#union> .

<{endpoint}#union> a sd:Graph ;
    rdfs:comment "the union of every source graph" .
"""
