"""The store: embedded Oxigraph, on disk (default `var/store`) or in memory (tests).

One named graph per source file. Replacing a source's claims is one SPARQL update
(`DROP SILENT GRAPH …; INSERT DATA { GRAPH … }`), which Oxigraph applies in one transaction: after a
crash a source is either wholly in the store or not at all. The default graph of every query is the
union of the named graphs. Oxigraph's store is repeatable-read: a query sees one consistent state.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import QueryError, StoreError
from .identity import Iris
from .rdf import VB

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
            raise StoreError(f"cannot open the store at {path}: {e}") from None

    # -- writing ---------------------------------------------------------------------------------

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        """Put `quads` in place of whatever `graph` held, in one transaction (with a new write stamp)."""
        body = quads_to_insert(graph, quads)
        try:
            self.ox.update(f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{\n{body}\n}} ;\n{self._new_stamp()}")
        except (OSError, SyntaxError) as e:
            raise StoreError(f"cannot write graph {graph}: {e}") from None

    def drop_graph(self, graph: str) -> None:
        try:
            self.ox.update(f"DROP SILENT GRAPH <{graph}> ;\n{self._new_stamp()}")
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
        m = ox.NamedNode(self.meta_graph)
        for q in self.ox.quads_for_pattern(m, ox.NamedNode(VB + "stamp"), None, m):
            obj = q.object
            return obj.value if isinstance(obj, ox.Literal) else str(obj)
        return ""

    def flush(self) -> None:
        if self.path is not None:
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

    def sources(self) -> list[dict[str, str]]:
        return list(self.rows(
            "SELECT ?g ?path ?hash ?doc WHERE { GRAPH ?g { ?g a vb:SourceGraph ; vb:sourcePath ?path ; "
            "vb:contentHash ?hash ; vb:describes ?doc } } ORDER BY ?path"
        ))

    def series(self, series: str) -> list[str]:
        """Documents already known in a series (scope/kind/number, any year)."""
        lit = series.replace("\\", "\\\\").replace('"', '\\"')
        return sorted({r["d"] for r in self.rows(f'SELECT DISTINCT ?d WHERE {{ ?d vb:series "{lit}" }}')})

    def count(self, sparql_where: str, var: str = "x") -> int:
        for row in self.rows(f"SELECT (COUNT(DISTINCT ?{var}) AS ?n) WHERE {{ {sparql_where} }}"):
            return int(row["n"])
        return 0

    def __len__(self) -> int:
        return len(self.ox)
