"""The store's one interface: what ingest, the indexes, the API and the exports ask of a store, whatever
engine holds it (graph.store.embedded: Oxigraph in this process; graph.store.remote: any SPARQL 1.1
server).

One named graph per source file. Replacing a source's claims is one SPARQL update (`DROP SILENT GRAPH
…; INSERT DATA { GRAPH … }` with a new write stamp), applied in one transaction. A batch of new sources
is guarded by intent marks where the engine writes it in more than one step: its graphs are recorded as
pending (since when) in one transaction before the write and cleared in one after it, and opening the
store drops any graph still pending — at once where one process writes, after a lease where several do
(another may be writing that batch right now). Either way, after a crash a source is wholly in the
store or not at all. The
write stamp, the marks and the graph model live in the store's own meta graph, so that every process
that opens the store (several API servers, ingest jobs) reads the same. The default graph of every
query is the union of the named graphs.
"""

from __future__ import annotations

import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import QueryError, StoreError
from ..identity import Iris
from ..rdf import VB
from .pipe import piped

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
QUAD_FORMATS = (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"


def _nt(term: Any) -> str:
    return str(term)


def quads_to_insert(graph: str, quads: Iterable[ox.Quad]) -> str:
    lines = [f"{_nt(q.subject)} {_nt(q.predicate)} {_nt(q.object)} ." for q in quads]
    return f"GRAPH <{graph}> {{\n" + "\n".join(lines) + "\n}"


class Store(ABC):
    """A vanban store: named graphs per source, a union default graph, typed errors.

    Subclasses give the engine's primitives (a query, an update, a pattern of quads, a bulk write, a
    dump); everything else — stamps, marks, the graph model, replacing and dropping sources — is here,
    once, in SPARQL."""

    path: Path | None  # the folder of an embedded store on disk
    home: Path | None  # where the derived files (lineage and search indexes, kept exports) live
    iris: Iris
    read_only: bool
    recovered: list[str]
    location: str  # for messages: the folder or the URL
    poll: float | None = None  # seconds the stamp is trusted for (None: only this process writes)
    lease: float = 0.0  # seconds a pending mark belongs to a writer still at work (0: only this process writes)

    def _start(self) -> None:
        self._known: dict[str, Any] = {}
        self._checked = 0.0

    # -- what an engine provides -----------------------------------------------------------------

    @abstractmethod
    def _update(self, sparql: str, **kwargs: Any) -> None:
        """One SPARQL update request (one transaction); what was kept of the meta graph is read again."""

    @abstractmethod
    def query(self, sparql: str, *, union: bool = True, **kwargs: Any) -> Any:
        """A query with vanban's prefixes: solutions, a boolean or triples (pyoxigraph's types)."""

    @abstractmethod
    def run(self, sparql: str, *, union: bool = True, default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None, timeout: float | None = None) -> Any:
        """A query as the SPARQL protocol gives it: dataset from the request, errors typed."""

    @abstractmethod
    def quads(self, s: Any = None, p: str | None = None, o: Any = None, g: str | None = None) -> Iterator[ox.Quad]:
        """Quads matching a pattern (IRIs as strings for the predicate and graph)."""

    @abstractmethod
    def _write_new(self, graphs: list[str], nquads: str) -> None:
        """Write the quads of new graphs, with the marks cleared and a new stamp at the end."""

    @abstractmethod
    def _load_file(self, path: Path) -> None:
        """One N-Quads file into the store, as fast as the engine takes it (not atomic); SyntaxError for a
        malformed file, OSError for one that cannot be read."""

    @abstractmethod
    def _clear(self) -> None:
        """Every vanban graph gone (a bulk load that failed)."""

    @abstractmethod
    def dump(self, fmt: ox.RdfFormat, graph: str | None = None, output: Any = None) -> bytes | None:
        """The store (or one graph) serialised; into `output` (a file) when given."""

    @abstractmethod
    def dump_union(self, fmt: ox.RdfFormat, output: Any) -> None:
        """Every triple of every graph, each once, into `output`."""

    @abstractmethod
    def named_graphs(self) -> list[str]: ...

    @abstractmethod
    def __len__(self) -> int: ...

    def flush(self) -> None:  # noqa: B027 (most engines need nothing)
        """Make what was written durable (an engine that does so on each request has nothing to do)."""

    def close(self) -> None:  # noqa: B027
        """Let go of the engine's resources (connections, files)."""

    # -- writing ---------------------------------------------------------------------------------

    def add_sources(self, graphs: list[str], nquads: str) -> None:
        """Write the graphs of new sources (none of them in the store yet): pending marks first (and the
        stamp removed, so derived indexes are stale from here on), then the quads, then the marks
        cleared with a new stamp. A crash in between leaves marks that the next open turns into dropped
        graphs: nothing half-written survives."""
        if not graphs:
            return
        try:
            self.mark_pending(graphs)
            self._write_new(graphs, nquads)
        except (OSError, SyntaxError) as e:
            raise StoreError(f"cannot write {len(graphs)} source graphs: {e}") from None

    def _unmark(self, graphs: list[str]) -> str:
        """The update that ends a bulk write: its marks gone, a new stamp."""
        return self._drop_marks(graphs) + " ;\n" + self._new_stamp()

    def _drop_marks(self, graphs: list[str]) -> str:
        m, values = self.meta_graph, " ".join(f"<{g}>" for g in graphs)
        return (f"DELETE {{ GRAPH <{m}> {{ <{m}> <{VB}pending> ?g . ?g <{VB}pendingSince> ?t }} }} "
                f"WHERE {{ VALUES ?g {{ {values} }} GRAPH <{m}> {{ <{m}> <{VB}pending> ?g "
                f"OPTIONAL {{ ?g <{VB}pendingSince> ?t }} }} }}")

    def mark_pending(self, graphs: list[str]) -> None:
        """Step one of a bulk write: the graphs recorded as pending since now, the stamp removed (one
        transaction)."""
        m = self.meta_graph
        self._update(f"DELETE WHERE {{ GRAPH <{m}> {{ <{m}> <{VB}stamp> ?s }} }} ;\n"
                     f"INSERT DATA {{ GRAPH <{m}> {{ {self._marks(graphs)} }} }}")

    def set_mark(self, name: str) -> None:
        """A flag in the meta graph (`vb:{name} true`): work begun that the next writer must finish."""
        m = self.meta_graph
        self._update(f'INSERT DATA {{ GRAPH <{m}> {{ <{m}> <{VB}{name}> true }} }}')

    def has_mark(self, name: str) -> bool:
        return self._first(self.meta_graph, VB + name) is not None

    def clear_mark(self, name: str) -> None:
        m = self.meta_graph
        self._update(f"DELETE WHERE {{ GRAPH <{m}> {{ <{m}> <{VB}{name}> ?x }} }}")

    def _marks(self, graphs: list[str]) -> str:
        m, now = self.meta_graph, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return " ".join(f"<{m}> <{VB}pending> <{g}> . <{g}> <{VB}pendingSince> \"{now}\"^^<{XSD_DATETIME}> ."
                        for g in graphs)

    def _first(self, subject: str, predicate: str) -> ox.Quad | None:
        """The first quad of the meta graph with this subject and predicate."""
        return next(self.quads(ox.NamedNode(subject), predicate, None, self.meta_graph), None)

    def model(self) -> int:
        """The graph model the store's sources were written in (graph.rdf.MODEL): 1 for a store of
        sources written before the model was recorded, 0 for a store without sources."""
        q = self._first(self.meta_graph, VB + "graphModel")
        if q is not None:
            value = q.object.value if isinstance(q.object, ox.Literal) else ""
            return int(value) if value.isdigit() else 1
        return 1 if next(self.quads(None, VB + "sourcePath"), None) is not None else 0

    def set_model(self, model: int) -> None:
        m = self.meta_graph
        self._update(f"DELETE WHERE {{ GRAPH <{m}> {{ <{m}> <{VB}graphModel> ?x }} }} ;\n"
                     f"INSERT DATA {{ GRAPH <{m}> {{ <{m}> <{VB}graphModel> {model} }} }}")

    def is_empty(self) -> bool:
        return next(self.quads(), None) is None

    def load_nquads(self, paths: list[Path]) -> None:
        """Bulk-load N-Quads files into this empty store.

        A `vb:loading` mark stays in the meta graph while the files load: a store whose load was cut
        short refuses to open (rather than answer from part of the data). A malformed file empties
        the store again and raises an InputError naming it."""
        from ..errors import InputError

        if not self.is_empty():
            raise StoreError(f"cannot bulk-load into {self.location}: it is not empty "
                             "(bulk loads build a new store; ingest adds to one)")
        self.set_mark("loading")
        for path in paths:
            try:
                self._load_file(path)
            except (SyntaxError, OSError, InputError) as e:
                self._clear()
                self._known.clear()
                problem = (f"not valid N-Quads: {e}" if isinstance(e, SyntaxError)
                           else f"cannot load: {getattr(e, 'strerror', None) or e}")
                raise InputError(str(path), problem) from None
        self.clear_mark("loading")
        self._update(self._new_stamp())

    def _recover(self) -> list[str]:
        """Drop the graphs of a bulk write that did not finish (see add_sources); refuse a store whose
        bulk load did not finish (see load_nquads)."""
        if self.has_mark("loading"):
            raise StoreError(f"the store at {self.location} holds part of a bulk load that did not finish: "
                             "delete it and load again")
        m = self.meta_graph
        pending = [q.object.value for q in self.quads(ox.NamedNode(m), VB + "pending", None, m)
                   if isinstance(q.object, ox.NamedNode)]
        abandoned = [g for g in pending if self._abandoned(g)]
        for g in abandoned:
            self._update(f"DROP SILENT GRAPH <{g}> ;\n{self._drop_marks([g])}")
        return abandoned

    def _abandoned(self, graph: str) -> bool:
        """Whether a pending graph's writer is gone: always where only this process writes; on a shared
        store, once its mark is older than the lease (another process may be writing it right now)."""
        if not self.lease:
            return True
        since = self._first(graph, VB + "pendingSince")
        if since is None or not isinstance(since.object, ox.Literal):
            return True
        try:
            when = datetime.fromisoformat(since.object.value.replace("Z", "+00:00"))
        except ValueError:
            return True
        return (datetime.now(UTC) - when).total_seconds() > self.lease

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
        """Rewrite a derived graph (the conflicts, the validity), in one transaction. The stamp stays: it
        tells indexes built from the source graphs whether those changed, and these did not; the derived
        stamp moves instead (what keeps whole-graph exports asks `state`)."""
        try:
            self._update(f"{sparql} ;\n{self._new_stamp('derivedStamp')}")
        except (OSError, SyntaxError) as e:
            raise StoreError(f"cannot write a derived graph: {e}") from None

    def add_rdf(self, data: bytes, fmt: ox.RdfFormat, graph: str | None, source: str) -> int:
        """Add the triples of an RDF document (an admin's `LOAD`) to `graph` (None: the default graph), in
        one transaction with a new stamp; InputError naming `source` when it is no RDF in `fmt`."""
        from ..errors import InputError

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

    def _new_stamp(self, name: str = "stamp") -> str:
        """The update that gives the meta graph a fresh `vb:stamp` (source graphs written) or
        `vb:derivedStamp` (a derived graph rewritten)."""
        m = self.meta_graph
        return (f"DELETE WHERE {{ GRAPH <{m}> {{ <{m}> <{VB}{name}> ?s }} }} ;\n"
                f'INSERT DATA {{ GRAPH <{m}> {{ <{m}> <{VB}{name}> "{uuid.uuid4().hex}" }} }}')

    # -- what is kept between writes -------------------------------------------------------------

    def _read_stamp(self, name: str = "stamp") -> str:
        q = self._first(self.meta_graph, VB + name)
        if q is None:
            return ""
        return q.object.value if isinstance(q.object, ox.Literal) else str(q.object)

    def _kept(self) -> dict[str, Any]:
        """What was read of the store since its last write (the stamp, whether anything is marked, the
        series asked for): forgotten by each write of this process, and — where other processes write
        too (`poll`) — when a look at the stamp, at most every `poll` seconds, finds it moved."""
        if self.poll is not None and time.monotonic() - self._checked >= self.poll:
            stamp = self._read_stamp()
            self._checked = time.monotonic()
            if stamp != self._known.get("stamp"):
                self._known.clear()
                self._known["stamp"] = stamp
        return self._known

    def stamp(self) -> str:
        """Changes with every write of a source graph: what derived indexes compare against."""
        kept = self._kept()
        if "stamp" not in kept:
            kept["stamp"] = self._read_stamp()
        return str(kept["stamp"])

    def state(self) -> str:
        """The whole store's state, derived graphs included (the stamp and the derived stamp, read now):
        a kept export of the whole graph is good for one state, since a derived graph (the validity,
        rewritten when the day changes) moves without the stamp."""
        derived = self._read_stamp("derivedStamp")
        return f"{self.stamp()}-{derived}" if derived else self.stamp()

    def holds_marked(self) -> bool:
        """Whether any source carries a security marking (MẬT, TỐI MẬT, …): one index probe per write."""
        kept = self._kept()
        if "marked" not in kept:
            kept["marked"] = next(self.quads(None, VB + "securityMarking"), None) is not None
        return bool(kept["marked"])

    # -- reading ---------------------------------------------------------------------------------

    def dump_stream(self, fmt: ox.RdfFormat) -> Iterator[bytes]:
        """The whole store in `fmt` as chunks while the engine writes it (in a thread): the first bytes
        leave at once, memory stays flat, and a reader that stops early stops the writer. Quad formats
        keep the graphs; triple formats give the union, each triple once."""
        if fmt in QUAD_FORMATS:
            return piped(lambda out: self.dump(fmt, output=out))
        return piped(lambda out: self.dump_union(fmt, out))

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
        return {q.subject.value: q.object.value for q in self.quads(None, VB + "contentHash")
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)}

    def sources_with_text(self) -> set[str]:
        """Graphs of the sources stored with their text as read (those ingested before vanban kept it
        have none), in one index scan of a small property."""
        return {q.subject.value for q in self.quads(None, VB + "sourceFormat") if isinstance(q.subject, ox.NamedNode)}

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
        kept = self._kept()
        known = kept.get("series:" + series)  # (asked again and again between two writes)
        if isinstance(known, list):
            return known
        base = f"{self.iris.base}/doc/{head}"
        years = " ".join(f"<{base}/{y}/{number}>" for y in (*SERIES_YEARS, "_"))
        query = f"SELECT DISTINCT ?d WHERE {{ VALUES ?d {{ {years} }} ?d a vb:Document }}"
        found = kept["series:" + series] = sorted({r["d"] for r in self.rows(query)})
        return found

    def count(self, sparql_where: str, var: str = "x") -> int:
        for row in self.rows(f"SELECT (COUNT(DISTINCT ?{var}) AS ?n) WHERE {{ {sparql_where} }}"):
            return int(row["n"])
        return 0
