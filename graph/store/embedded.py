"""The embedded store: Oxigraph in this process, on disk (default `var/store`) or in memory (tests).

New sources arrive in batches through Oxigraph's bulk writer (about 3× faster than transactional
inserts, but not atomic), guarded by the intent marks of graph.store.base. Only this process writes
(Oxigraph's lock), so what is read of the meta graph is kept until its own next write. A query sees one
consistent state (repeatable read).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import QueryError, StoreError
from ..identity import Iris
from .base import PREFIXES, Store


class GraphStore(Store):
    """Oxigraph in this process: the default store."""

    def __init__(self, path: Path | None = None, iris: Iris | None = None) -> None:
        self.path = self.home = path
        self.iris = iris or Iris()
        self.location = str(path) if path is not None else "memory"
        self._start()
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
        self.recovered = self._recover()

    @classmethod
    def open_read_only(cls, path: Path, iris: Iris | None = None) -> GraphStore:
        """The store at `path` as it is now, for another process to read beside the one that has it open
        (a query worker): no recovery, no writes. What it sees is fixed when it opens; open it again
        when the stamp has moved."""
        self = cls.__new__(cls)
        self.path = self.home = path
        self.iris, self.recovered, self.read_only = iris or Iris(), [], True
        self.location = str(path)
        self._start()
        try:
            self.ox = ox.Store.read_only(str(path))
        except OSError as e:
            raise StoreError(f"cannot open the store at {path} for reading: {e}") from None
        return self

    # -- writing ---------------------------------------------------------------------------------

    def _write_new(self, graphs: list[str], nquads: str) -> None:
        self.ox.bulk_load(nquads.encode(), ox.RdfFormat.N_QUADS)
        self._update(self._unmark(graphs))

    def _update(self, sparql: str, **kwargs: Any) -> None:
        try:
            self.ox.update(sparql, **kwargs)
        finally:
            self._known.clear()

    def _load_file(self, path: Path) -> None:
        self.ox.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)  # (the parallel loader)

    def _clear(self) -> None:
        self.ox.clear()

    def flush(self) -> None:
        if self.path is not None and not self.read_only:
            self.ox.flush()

    # -- reading ---------------------------------------------------------------------------------

    def query(self, sparql: str, *, union: bool = True, **kwargs: Any) -> Any:
        try:
            return self.ox.query(sparql, use_default_graph_as_union=union, prefixes=PREFIXES, **kwargs)
        except SyntaxError as e:
            raise QueryError(f"malformed SPARQL: {e}") from None
        except OSError as e:
            raise StoreError(f"the store failed: {e}") from None

    def run(self, sparql: str, *, union: bool = True, default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None, timeout: float | None = None) -> Any:
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
        return iter(self.ox.quads_for_pattern(s, ox.NamedNode(p) if p else None, o,
                                              ox.NamedNode(g) if g else None))

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

    def __len__(self) -> int:
        return len(self.ox)
