"""The store: embedded Oxigraph, on disk (default `var/store`) or in memory (tests).

One named graph per source file. Replacing a source's claims is one SPARQL update
(`DROP SILENT GRAPH …; INSERT DATA { GRAPH … }`), which Oxigraph applies in one transaction. New
sources arrive in batches through Oxigraph's bulk writer (about 3× faster than transactional inserts,
but not atomic), guarded by an intent log: the batch's graphs are recorded as pending in one
transaction before the write and cleared in one after it, and opening the store drops any graph still
pending. Either way, after a crash a source is wholly in the store or not at all. The default graph of
every query is the union of the named graphs; a query sees one consistent state (repeatable read).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import InputError, QueryError, StoreError
from .identity import Iris
from .rdf import VB

SERIES_YEARS = range(1945, 2101)  # the years a document of a series may bear (generated corpora run ahead)

PREFIXES = {
    "vb": VB,
    "vbk": "https://w3id.org/vanban/kind/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}
SPARQL_PREFIXES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


def _nt(term: Any) -> str:
    return str(term)


def quads_to_insert(graph: str, quads: Iterable[ox.Quad]) -> str:
    """The body of an INSERT DATA for one graph (terms printed in N-Triples syntax)."""
    lines = [f"{_nt(q.subject)} {_nt(q.predicate)} {_nt(q.object)} ." for q in quads]
    return f"GRAPH <{graph}> {{\n" + "\n".join(lines) + "\n}"


class GraphStore:
    """A vanban store: named graphs per source, a union default graph, typed errors."""

    def __init__(self, path: Path | None = None, iris: Iris | None = None) -> None:
        self.path = path
        self.iris = iris or Iris()
        try:
            if path is not None:
                path.mkdir(parents=True, exist_ok=True)
                self.ox = ox.Store(str(path))
            else:
                self.ox = ox.Store()
        except OSError as e:
            hint = (" (another process has it open — a running `vanban serve`? `vanban ingest` and `remove` "
                    "write through it with --server URL)") if "lock" in str(e).lower() else ""
            raise StoreError(f"cannot open the store at {path}: {e}{hint}") from None
        self.read_only = False
        self._known: dict[str, Any] = {}
        self.recovered = self._recover()

    @classmethod
    def open_read_only(cls, path: Path, iris: Iris | None = None) -> GraphStore:
        """The store at `path` as it is now, for another process to read beside the one that has it open
        (a query worker): no recovery, no writes. What it sees is fixed when it opens; open it again
        when the stamp has moved."""
        self = cls.__new__(cls)
        self.path, self.iris, self.recovered, self.read_only = path, iris or Iris(), [], True
        self._known = {}
        try:
            self.ox = ox.Store.read_only(str(path))
        except OSError as e:
            raise StoreError(f"cannot open the store at {path} for reading: {e}") from None
        return self

    # -- writing ---------------------------------------------------------------------------------

    def add_sources(self, graphs: list[str], nquads: str) -> None:
        """Write the graphs of new sources (none of them in the store yet) in one bulk write.

        Pending marks first (and the stamp removed, so derived indexes are stale from here on), then
        the quads, then the marks cleared with a new stamp. A crash in between leaves marks that the
        next open turns into dropped graphs: nothing half-written survives."""
        if not graphs:
            return
        try:
            self.mark_pending(graphs)
            self.ox.bulk_load(nquads.encode(), ox.RdfFormat.N_QUADS)
            self._update(f"DELETE DATA {{ GRAPH <{self.meta_graph}> {{ {self._marks(graphs)} }} }} ;\n"
                           + self._new_stamp())
        except (OSError, SyntaxError) as e:
            raise StoreError(f"cannot write {len(graphs)} source graphs: {e}") from None

    def mark_pending(self, graphs: list[str]) -> None:
        """Step one of a bulk write: the graphs recorded as pending, the stamp removed (one transaction)."""
        m = self.meta_graph
        self._update(f"DELETE WHERE {{ GRAPH <{m}> {{ <{m}> <{VB}stamp> ?s }} }} ;\n"
                       f"INSERT DATA {{ GRAPH <{m}> {{ {self._marks(graphs)} }} }}")

    def set_mark(self, name: str) -> None:
        """A flag in the meta graph (`vb:{name} true`): work begun that the next writer must finish."""
        m = self.meta_graph
        self._update(f'INSERT DATA {{ GRAPH <{m}> {{ <{m}> <{VB}{name}> true }} }}')

    def has_mark(self, name: str) -> bool:
        m = ox.NamedNode(self.meta_graph)
        return next(iter(self.ox.quads_for_pattern(m, ox.NamedNode(VB + name), None, m)), None) is not None

    def clear_mark(self, name: str) -> None:
        m = self.meta_graph
        self._update(f"DELETE WHERE {{ GRAPH <{m}> {{ <{m}> <{VB}{name}> ?x }} }}")

    def _update(self, sparql: str, **kwargs: Any) -> None:
        """Every SPARQL write of the store: what was read of the meta graph (the stamp, whether anything
        is marked) is read again afterwards. Only this process writes (Oxigraph's lock), so between writes
        those answers can be kept: they are asked on every request."""
        try:
            self.ox.update(sparql, **kwargs)
        finally:
            self._known.clear()

    def _marks(self, graphs: list[str]) -> str:
        m = self.meta_graph
        return " ".join(f"<{m}> <{VB}pending> <{g}> ." for g in graphs)

    def model(self) -> int:
        """The graph model the store's sources were written in (graph.rdf.MODEL): 1 for a store of
        sources written before the model was recorded, 0 for a store without sources."""
        m = ox.NamedNode(self.meta_graph)
        for q in self.ox.quads_for_pattern(m, ox.NamedNode(VB + "graphModel"), None, m):
            value = q.object.value if isinstance(q.object, ox.Literal) else ""
            return int(value) if value.isdigit() else 1
        sourced = self.ox.quads_for_pattern(None, ox.NamedNode(VB + "sourcePath"), None, None)
        return 1 if next(iter(sourced), None) is not None else 0

    def set_model(self, model: int) -> None:
        m = self.meta_graph
        self._update(f"DELETE WHERE {{ GRAPH <{m}> {{ <{m}> <{VB}graphModel> ?x }} }} ;\n"
                     f"INSERT DATA {{ GRAPH <{m}> {{ <{m}> <{VB}graphModel> {model} }} }}")

    def is_empty(self) -> bool:
        return next(iter(self.ox.quads_for_pattern(None, None, None, None)), None) is None

    def load_nquads(self, paths: list[Path]) -> None:
        """Bulk-load N-Quads files into this empty store (Oxigraph's parallel loader, not atomic).

        A `vb:loading` mark stays in the meta graph while the files load: a store whose load was cut
        short refuses to open (rather than answer from part of the data). A malformed file empties
        the store again and raises an InputError naming it."""
        if not self.is_empty():
            raise StoreError(f"cannot bulk-load into {self.path or 'this store'}: it is not empty "
                             "(bulk loads build a new store; ingest adds to one)")
        self.set_mark("loading")
        for path in paths:
            try:
                self.ox.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
            except SyntaxError as e:
                self.ox.clear()
                self._known.clear()
                raise InputError(str(path), f"not valid N-Quads: {e}") from None
            except OSError as e:
                self.ox.clear()
                self._known.clear()
                raise InputError(str(path), f"cannot load: {e.strerror or e}") from None
        self.clear_mark("loading")
        self._update(self._new_stamp())

    def _recover(self) -> list[str]:
        """Drop the graphs of a bulk write that did not finish (see add_sources); refuse a store whose
        bulk load did not finish (see load_nquads)."""
        if self.has_mark("loading"):
            raise StoreError(f"the store at {self.path} holds part of a bulk load that did not finish: "
                             "delete it and load again")
        m = ox.NamedNode(self.meta_graph)
        pending = [q.object for q in self.ox.quads_for_pattern(m, ox.NamedNode(VB + "pending"), None, m)]
        for g in pending:
            assert isinstance(g, ox.NamedNode)
            self.ox.remove_graph(g)
            self.ox.remove(ox.Quad(m, ox.NamedNode(VB + "pending"), g, m))
        return [g.value for g in pending if isinstance(g, ox.NamedNode)]

    def replace_graph(self, graph: str, ntriples: str) -> None:
        """Put these triples (N-Triples text) in place of whatever `graph` held, in one transaction
        (with a new write stamp)."""
        body = f"GRAPH <{graph}> {{\n{ntriples}}}"
        try:
            self._update(f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{\n{body}\n}} ;\n{self._new_stamp()}")
        except (OSError, SyntaxError) as e:
            raise StoreError(f"cannot write graph {graph}: {e}") from None

    def update(self, sparql: str) -> None:
        """An update from outside (an admin's SPARQL Update), applied in one transaction with a new write
        stamp: what derived indexes compare against moves with it, so none serves what it changed."""
        body = sparql.rstrip()
        while body.endswith(";"):
            body = body[:-1].rstrip()
        try:
            self._update(f"{body}\n;\n{self._new_stamp()}", prefixes=PREFIXES)
        except SyntaxError as e:
            raise QueryError(f"malformed SPARQL update: {e}") from None
        except (OSError, ValueError) as e:
            raise QueryError(f"the update failed: {e}") from None

    def update_derived(self, sparql: str) -> None:
        """Rewrite a derived graph (the conflicts), in one transaction. The stamp stays: it tells indexes
        built from the source graphs whether those changed, and these did not."""
        try:
            self._update(sparql)
        except (OSError, SyntaxError) as e:
            raise StoreError(f"cannot write a derived graph: {e}") from None

    def add_rdf(self, data: bytes, fmt: ox.RdfFormat, graph: str | None, source: str) -> int:
        """Add the triples of an RDF document (an admin's `LOAD`) to `graph` (None: the default graph), in
        one transaction with a new stamp; InputError naming `source` when it is no RDF in `fmt`."""
        try:
            quads = list(ox.parse(data, format=fmt, base_iri=source if source.startswith("http") else None))
        except (SyntaxError, ValueError) as e:
            raise InputError(source, f"not {fmt.name}: {e}") from None
        lines = " ".join(f"{_nt(q.subject)} {_nt(q.predicate)} {_nt(q.object)} ." for q in quads)
        body = f"GRAPH <{graph}> {{ {lines} }}" if graph else lines
        try:
            self._update(f"INSERT DATA {{ {body} }} ;\n{self._new_stamp()}")
        except (OSError, SyntaxError) as e:
            raise StoreError(f"cannot add {source}: {e}") from None
        return len(quads)

    def drop_graph(self, graph: str) -> None:
        try:
            self._update(f"DROP SILENT GRAPH <{graph}> ;\n{self._new_stamp()}")
        except OSError as e:
            raise StoreError(f"cannot remove graph {graph}: {e}") from None

    @property
    def meta_graph(self) -> str:
        return f"{self.iris.base}/graph/derived/meta"

    def _new_stamp(self) -> str:
        m = self.meta_graph
        return (f"DELETE WHERE {{ GRAPH <{m}> {{ <{m}> <{VB}stamp> ?s }} }} ;\n"
                f'INSERT DATA {{ GRAPH <{m}> {{ <{m}> <{VB}stamp> "{uuid.uuid4().hex}" }} }}')

    def stamp(self) -> str:
        """Changes with every write of a source graph: what derived indexes compare against."""
        if "stamp" not in self._known:
            m = ox.NamedNode(self.meta_graph)
            found = ""
            for q in self.ox.quads_for_pattern(m, ox.NamedNode(VB + "stamp"), None, m):
                found = q.object.value if isinstance(q.object, ox.Literal) else str(q.object)
                break
            self._known["stamp"] = found
        return str(self._known["stamp"])

    def flush(self) -> None:
        if self.path is not None and not self.read_only:
            self.ox.flush()

    # -- reading ---------------------------------------------------------------------------------

    def query(self, sparql: str, *, union: bool = True, **kwargs: Any) -> Any:
        """Run a SPARQL query with vanban's prefixes; QueryError on a malformed one."""
        try:
            return self.ox.query(sparql, use_default_graph_as_union=union, prefixes=PREFIXES, **kwargs)
        except SyntaxError as e:
            raise QueryError(f"malformed SPARQL: {e}") from None
        except OSError as e:
            raise StoreError(f"the store failed: {e}") from None

    def run(self, sparql: str, *, union: bool = True, default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None) -> Any:
        """A query as the SPARQL protocol gives it: dataset from the request, errors typed."""
        kwargs: dict[str, Any] = {}
        try:
            if default_graphs:
                kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
            if named_graphs:
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        except ValueError as e:
            raise QueryError(f"default-graph-uri and named-graph-uri must be absolute IRIs: {e}") from None
        try:
            return self.ox.query(sparql, use_default_graph_as_union=union and not default_graphs,
                                 prefixes=PREFIXES, **kwargs)
        except SyntaxError as e:
            raise QueryError(f"malformed SPARQL query: {e}") from None
        except (OSError, ValueError, TypeError, RuntimeError) as e:
            raise QueryError(f"the query failed: {e}") from None

    def quads(self, s: Any = None, p: str | None = None, o: Any = None, g: str | None = None) -> Iterator[ox.Quad]:
        """Quads matching a pattern (IRIs as strings for the predicate and graph), from the indexes."""
        return iter(self.ox.quads_for_pattern(s, ox.NamedNode(p) if p else None, o,
                                              ox.NamedNode(g) if g else None))

    def holds_marked(self) -> bool:
        """Whether any source carries a security marking (MẬT, TỐI MẬT, …): one index probe per write."""
        if "marked" not in self._known:
            self._known["marked"] = next(iter(self.ox.quads_for_pattern(
                None, ox.NamedNode(VB + "securityMarking"), None, None)), None) is not None
        return bool(self._known["marked"])

    def named_graphs(self) -> list[str]:
        return [g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode)]

    def dump(self, fmt: ox.RdfFormat, graph: str | None = None, output: Any = None) -> bytes | None:
        """The store (or one graph) serialised by Oxigraph; into `output` (a file) when given, so that a
        whole store need not be one bytes object."""
        kwargs: dict[str, Any] = {"format": fmt}
        if graph is not None:
            kwargs["from_graph"] = ox.NamedNode(graph)
        if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.TURTLE):
            kwargs["prefixes"] = PREFIXES
        if output is not None:
            self.ox.dump(output, **kwargs)
            return None
        return self.ox.dump(**kwargs)

    def dump_union(self, fmt: ox.RdfFormat, output: Any) -> None:
        """Every triple of every graph, each once, written by Oxigraph into `output` as it is read (no
        Python object per triple; the engine keeps the set of triples seen to drop repeats)."""
        triples: Any = self.ox.query("CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
                                     use_default_graph_as_union=True)
        if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
            ox.serialize(triples, output, fmt, prefixes=PREFIXES)
        else:
            ox.serialize(triples, output, fmt)

    def rows(self, sparql: str) -> Iterator[dict[str, str]]:
        """SELECT results as plain dicts of values (for the library's own small queries)."""
        result = self.query(sparql)
        names = [v.value for v in result.variables]
        for sol in result:
            yield {n: sol[n].value for n in names if sol[n] is not None}

    def source_hash(self, graph: str) -> str | None:
        for row in self.rows(f"SELECT ?h WHERE {{ GRAPH <{graph}> {{ <{graph}> vb:contentHash ?h }} }}"):
            return row["h"]
        return None

    def source_hashes(self) -> dict[str, str]:
        """Graph → content hash of every source, in one index scan (what an ingest compares against)."""
        return {q.subject.value: q.object.value
                for q in self.ox.quads_for_pattern(None, ox.NamedNode(VB + "contentHash"), None, None)
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)}

    def sources_with_text(self) -> set[str]:
        """Graphs of the sources stored with their text as read (those ingested before vanban kept it
        have none), in one index scan of a small property."""
        return {q.subject.value for q in self.ox.quads_for_pattern(None, ox.NamedNode(VB + "sourceFormat"), None, None)
                if isinstance(q.subject, ox.NamedNode)}

    def sources(self) -> list[dict[str, str]]:
        return list(self.rows(
            "SELECT ?g ?path ?hash ?doc WHERE { GRAPH ?g { ?g vb:sourcePath ?path ; "
            "vb:contentHash ?hash ; vb:describes ?doc } } ORDER BY ?path"
        ))

    def series(self, series: str) -> list[str]:
        """Documents already known in a series (scope/kind/number, any year): the series is the IRI
        without its year, so the IRI of every year is looked up at once (two hundred index probes, no
        scan and no triple of its own)."""
        head, _, number = series.rpartition("/")
        if not head or not all(x and "<" not in x and ">" not in x and " " not in x for x in (head, number)):
            return []
        known = self._known.get("series:" + series)  # (asked again and again between two writes)
        if isinstance(known, list):
            return known
        base = f"{self.iris.base}/doc/{head}"
        years = " ".join(f"<{base}/{y}/{number}>" for y in (*SERIES_YEARS, "_"))
        query = f"SELECT DISTINCT ?d WHERE {{ VALUES ?d {{ {years} }} ?d a vb:Document }}"
        found = self._known["series:" + series] = sorted({r["d"] for r in self.rows(query)})
        return found

    def count(self, sparql_where: str, var: str = "x") -> int:
        for row in self.rows(f"SELECT (COUNT(DISTINCT ?{var}) AS ?n) WHERE {{ {sparql_where} }}"):
            return int(row["n"])
        return 0

    def __len__(self) -> int:
        return len(self.ox)
