"""A store on any SPARQL 1.1 server (Oxigraph server, Virtuoso, GraphDB, Neptune…): the same interface as
the embedded one, spoken over the SPARQL 1.1 Protocol (query and update).

Several processes write one remote store (API servers, ingest jobs), so nothing read of it is trusted
for long: the write stamp is looked at again at most every `poll` seconds, and what was kept (series,
marks) is forgotten when it moved. Every write is one update request, which the server applies in one
transaction; a batch of new sources larger than one request keeps the intent marks of graph.store.base.
vanban's graphs are those under its base IRI: what else the server holds (Virtuoso's own graphs, other
applications' data) is left out of dumps, counts and emptiness.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from ..errors import InputError, QueryError, StoreError
from ..identity import Iris, slug
from .base import PREFIXES, QUAD_FORMATS, SPARQL_PREFIXES, Store, quads_to_insert

BATCH_BYTES = 4 << 20  # the largest INSERT DATA one request carries
_FORM = re.compile(
    r"^\s*(?:(?:#[^\n]*\n\s*)|(?:PREFIX\s+\S*:\s*<[^>]*>\s*)|(?:BASE\s+<[^>]*>\s*))*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
    re.IGNORECASE)
SELECT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"


@dataclass(frozen=True)
class Remote:
    """Where a remote store answers and how to reach it (settings `store_url` and the `store_*` below it).

    `url` alone is enough for the usual layouts: a URL whose path ends in `/sparql` is one endpoint for
    queries and updates (Virtuoso: `http://host:8890/sparql`, updates through `/sparql-auth` with a
    password); any other URL is a server root with `/query` and `/update` (Oxigraph server)."""

    url: str
    query_path: str | None = None
    update_path: str | None = None
    user: str | None = None
    password: str | None = None
    auth: str = "basic"  # or "digest" (Virtuoso's /sparql-auth)
    token: str | None = None  # a bearer token, for servers behind a proxy that wants one
    timeout: float = 60.0  # seconds a request may take (a query through /sparql has its own limit)
    poll: float = 1.0  # seconds the write stamp is trusted for
    lease: float = 600.0  # seconds before a batch left pending by a writer is taken for abandoned (dropped)
    data_path: str = "auto"  # where N-Quads are POSTed to add to the dataset ("": never; auto: /store on a root)

    def endpoints(self) -> tuple[str, str]:
        parts = urlsplit(self.url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise StoreError(f"not a store URL: {self.url!r} (http://host:port/…)")
        if self.query_path or self.update_path or not parts.path.endswith("/sparql"):
            root = parts.path if not parts.path.endswith("/sparql") else parts.path[: -len("/sparql")]
            query = self.query_path or (parts.path if parts.path.endswith("/sparql") else root + "/query")
            update = self.update_path or (parts.path if parts.path.endswith("/sparql") else root + "/update")
        else:
            query = parts.path
            update = parts.path + ("-auth" if self.auth == "digest" and self.user else "")
        return (urlunsplit((parts.scheme, parts.netloc, query, "", "")),
                urlunsplit((parts.scheme, parts.netloc, update, "", "")))

    def data_endpoint(self) -> str | None:
        """Where N-Quads may be POSTed to add them to the dataset (Oxigraph server's `/store`, the Graph
        Store Protocol's endpoint taking a whole dataset): a bulk write is one parse on the server instead
        of a SPARQL update built and parsed. None: writes go through SPARQL Update only."""
        parts = urlsplit(self.url.rstrip("/"))
        if self.data_path == "auto":
            if parts.path.endswith("/sparql") or self.query_path or self.update_path:
                return None
            return urlunsplit((parts.scheme, parts.netloc, parts.path + "/store", "", ""))
        return urlunsplit((parts.scheme, parts.netloc, self.data_path, "", "")) if self.data_path else None


ENV = {"query_path": "VANBAN_STORE_QUERY_PATH", "update_path": "VANBAN_STORE_UPDATE_PATH",
       "user": "VANBAN_STORE_USER", "password": "VANBAN_STORE_PASSWORD", "auth": "VANBAN_STORE_AUTH",
       "token": "VANBAN_STORE_TOKEN", "timeout": "VANBAN_STORE_TIMEOUT", "poll": "VANBAN_STORE_POLL",
       "data_path": "VANBAN_STORE_DATA_PATH"}


def remote_from_env(url: str, environ: Mapping[str, str] | None = None) -> Remote:
    """A remote store's settings: the URL given, the rest from VANBAN_STORE_* (what the API's settings
    read too), so that credentials stay out of command lines."""
    env = os.environ if environ is None else environ
    given: dict[str, Any] = {}
    for name, var in ENV.items():
        if var in env and (env[var] or name == "data_path"):
            given[name] = float(env[var]) if name in ("timeout", "poll") else env[var]
    return Remote(url, **given)


def home_for(url: str, root: Path = Path("var/remote")) -> Path:
    """Where this machine keeps a remote store's derived files by default (its indexes and exports):
    one folder per store URL."""
    parts = urlsplit(url)
    return root / slug(f"{parts.hostname}-{parts.port or ''}-{parts.path}").strip("-")


def is_remote(location: object) -> bool:
    return isinstance(location, str) and location.startswith(("http://", "https://"))


class _Stream:
    """An HTTP body as a file that pyoxigraph's parsers read from, a chunk at a time."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._buf = chunks, b""

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self._buf) < n:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buf += chunk
        if n < 0:
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:n], self._buf[n:]
        return out


def _line_chunks(path: Path, size: int) -> Iterator[bytes]:
    """A file in chunks of about `size` bytes, each ending at a line's end (N-Quads is a line a quad)."""
    with path.open("rb") as f:
        rest = b""
        while block := f.read(size):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                rest = block
                continue
            rest = block[cut:]
            yield block[:cut]
        if rest:
            yield rest


def _boolean(solutions: ox.QuerySolutions) -> ox.QueryBoolean:
    """An ASK answered as a one-column SELECT (Virtuoso's `__ASK_RETVAL`: a row of 1 for true) as the
    boolean it is."""
    value = any(term is not None and term.value in ("1", "true") for row in solutions for term in row)
    answer = ox.parse_query_results(json.dumps({"head": {}, "boolean": value}), format=ox.QueryResultsFormat.JSON)
    assert isinstance(answer, ox.QueryBoolean)
    return answer


class RemoteStore(Store):
    """A store on a SPARQL 1.1 server."""

    def __init__(self, remote: Remote, iris: Iris | None = None, home: Path | None = None) -> None:
        self.remote = remote
        self.path, self.home = None, home
        self.iris = iris or Iris()
        self.location = remote.url
        self.read_only = False
        self.poll, self.lease = remote.poll, remote.lease
        self._query_url, self._update_url = remote.endpoints()
        self._data_url = remote.data_endpoint()
        self._start()
        auth: httpx.Auth | None = None
        if remote.user is not None:
            scheme = httpx.DigestAuth if remote.auth == "digest" else httpx.BasicAuth
            auth = scheme(remote.user, remote.password or "")
        headers = {"authorization": f"Bearer {remote.token}"} if remote.token else {}
        self._http = httpx.Client(auth=auth, headers=headers, timeout=remote.timeout, trust_env=False)
        self._graphs = self.iris.base + "/"
        try:
            self.recovered = self._recover()
        except (OSError, SyntaxError) as e:  # (what _post makes of a refused connection or a bad endpoint)
            raise StoreError(f"cannot open the store at {remote.url}: {e}") from None

    def close(self) -> None:
        self._http.close()

    # -- the protocol ----------------------------------------------------------------------------

    def _post(self, url: str, data: Mapping[str, str | list[str]] | None, accept: str | None,
              timeout: float | None = None, stream: bool = False, nquads: bytes | None = None) -> httpx.Response:
        headers = {"accept": accept} if accept else {}
        if nquads is not None:
            headers["content-type"] = "application/n-quads"
        request = self._http.build_request("POST", url, data=data, content=nquads, headers=headers,
                                           timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT)
        try:
            response = self._http.send(request, stream=stream)
        except httpx.TimeoutException:
            raise OSError(f"the store at {self.remote.url} did not answer in time") from None
        except httpx.HTTPError as e:
            raise OSError(f"cannot reach the store at {self.remote.url}: {e}") from None
        capped = response.headers.get("x-sparql-maxrows")
        if capped is not None:  # Virtuoso cut the answer short (and says so only in this header)
            response.close()
            raise StoreError(f"the store at {self.remote.url} cut an answer at {capped} rows: raise its limit "
                             "(Virtuoso: [SPARQL] ResultSetMaxRows in virtuoso.ini) above the largest answer "
                             "vanban reads (one row per quad of its largest read, per source for the hashes)")
        if response.status_code >= 400:
            if stream:
                response.read()
            message = f"the store answered {response.status_code}: {response.text.strip()[:300]}"
            response.close()
            if response.status_code in (400, 422):
                raise SyntaxError(message)  # as pyoxigraph says it: the callers type it
            raise OSError(message)
        return response

    def _update(self, sparql: str, **kwargs: Any) -> None:
        prologue = SPARQL_PREFIXES if kwargs.get("prefixes") else ""
        try:
            self._post(self._update_url, {"update": prologue + sparql}, None).close()
        finally:
            self._forget()

    def _forget(self) -> None:
        """After a write: nothing read of the store is trusted, the stamp is read again at once."""
        self._known.clear()
        self._checked = 0.0

    def _ask(self, sparql: str, union: bool, data: dict[str, list[str]] | None = None,
             timeout: float | None = None) -> Any:
        """A query's results as pyoxigraph's objects, read whole (the library's own queries are small;
        big reads go through `quads`, streamed)."""
        form = _FORM.match(sparql)
        graph = form is not None and form.group(1).upper() in ("CONSTRUCT", "DESCRIBE")
        params: dict[str, str | list[str]] = {"query": SPARQL_PREFIXES + sparql, **(data or {})}
        if union:
            params["union-default-graph"] = "true"  # Oxigraph server; Virtuoso's default graph is the union
        response = self._post(self._query_url, params, GRAPH_ACCEPT if graph else SELECT_ACCEPT, timeout)
        body, media = response.content, response.headers.get("content-type", "").split(";")[0].strip()
        try:
            if graph:
                fmt = ox.RdfFormat.TURTLE if "turtle" in media else ox.RdfFormat.N_TRIPLES
                return [q.triple for q in ox.parse(body, format=fmt)]
            results = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            if form is not None and form.group(1).upper() == "ASK" and isinstance(results, ox.QuerySolutions):
                return _boolean(results)
            return results
        except (SyntaxError, ValueError) as e:
            raise OSError(f"the store's answer ({media}) could not be read: {e}") from None

    def query(self, sparql: str, *, union: bool = True, **kwargs: Any) -> Any:
        try:
            return self._ask(sparql, union)
        except SyntaxError as e:
            raise QueryError(f"malformed SPARQL: {e}") from None
        except OSError as e:
            raise StoreError(str(e)) from None

    def run(self, sparql: str, *, union: bool = True, default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None, timeout: float | None = None) -> Any:
        data: dict[str, list[str]] = {}
        if default_graphs:
            data["default-graph-uri"] = default_graphs
        if named_graphs:
            data["named-graph-uri"] = named_graphs
        try:
            return self._ask(sparql, union and not default_graphs and not named_graphs, data, timeout)
        except SyntaxError as e:
            raise QueryError(f"malformed SPARQL query: {e}") from None
        except OSError as e:
            raise QueryError(f"the query failed: {e}") from None

    def quads(self, s: Any = None, p: str | None = None, o: Any = None, g: str | None = None) -> Iterator[ox.Quad]:
        """Quads matching a pattern, streamed from one SELECT (parsed as it arrives)."""
        terms = [str(s) if s is not None else "?s", f"<{p}>" if p else "?p", str(o) if o is not None else "?o"]
        where = f"GRAPH {f'<{g}>' if g else '?g'} {{ {' '.join(terms)} }}"
        if not g:
            where += f' FILTER(STRSTARTS(STR(?g), "{self._graphs}"))'
        names = [n for n, bound in (("s", s), ("p", p), ("o", o), ("g", g)) if bound is None]
        query = f"SELECT {' '.join('?' + n for n in names) or '*'} WHERE {{ {where} }}"
        fixed = {"s": s, "p": ox.NamedNode(p) if p else None, "o": o, "g": ox.NamedNode(g) if g else None}
        if not names:
            query = f"ASK WHERE {{ {where} }}"
            found = self._ask(query, False)
            if bool(found):
                yield ox.Quad(fixed["s"], fixed["p"], fixed["o"], fixed["g"])
            return
        try:
            response = self._post(self._query_url, {"query": query}, SELECT_ACCEPT, stream=True)
        except (OSError, SyntaxError) as e:
            raise StoreError(f"cannot read the store: {e}") from None
        try:
            rows = ox.parse_query_results(cast(IO[bytes], _Stream(response.iter_bytes())),
                                          format=ox.QueryResultsFormat.JSON)
            assert isinstance(rows, ox.QuerySolutions)
            for row in rows:
                t = {n: row[n] for n in names} | {k: v for k, v in fixed.items() if v is not None}
                yield ox.Quad(t["s"], t["p"], t["o"], t["g"])
        finally:
            response.close()

    def named_graphs(self) -> list[str]:
        rows = self.rows(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
                         f'FILTER(STRSTARTS(STR(?g), "{self._graphs}")) }}')
        return sorted(r["g"] for r in rows)

    def __len__(self) -> int:
        for row in self.rows(f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
                             f'FILTER(STRSTARTS(STR(?g), "{self._graphs}")) }}'):
            return int(row["n"])
        return 0

    # -- writing ---------------------------------------------------------------------------------

    def _insert_batches(self, quads: Iterator[ox.Quad]) -> Iterator[str]:
        """INSERT DATA requests of at most BATCH_BYTES each, graph by graph."""
        by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
        size = 0
        for q in quads:
            if not isinstance(q.graph_name, ox.NamedNode):
                raise InputError("N-Quads", "a quad outside a named graph (vanban keeps every fact in one)")
            by_graph[q.graph_name.value].append(q)
            size += len(str(q))
            if size >= BATCH_BYTES:
                yield "INSERT DATA {\n" + "\n".join(quads_to_insert(g, qs) for g, qs in by_graph.items()) + "\n}"
                by_graph, size = defaultdict(list), 0
        if by_graph:
            yield "INSERT DATA {\n" + "\n".join(quads_to_insert(g, qs) for g, qs in by_graph.items()) + "\n}"

    def _add_nquads(self, data: bytes) -> None:
        """N-Quads added to the dataset in one POST to the data endpoint."""
        assert self._data_url is not None
        try:
            self._post(self._data_url, None, None, nquads=data).close()
        finally:
            self._forget()

    def _write_new(self, graphs: list[str], nquads: str) -> None:
        """The quads POSTed as N-Quads where the server takes them, then the marks cleared with a new
        stamp; else SPARQL: one request where it fits (the marks and the data in one transaction), else
        a request per batch, the marks cleared and the stamp moved by the last."""
        if self._data_url is not None:
            self._add_nquads(nquads.encode())
            self._update(self._unmark(graphs))
            return
        batches = list(self._insert_batches(iter(ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS))))
        for batch in batches[:-1]:
            self._update(batch)
        self._update((batches[-1] + " ;\n" if batches else "") + self._unmark(graphs))

    def _load_file(self, path: Path) -> None:
        """A request per few megabytes: N-Quads POSTed where the server takes them, else INSERT DATA."""
        if self._data_url is not None:
            for chunk in _line_chunks(path, BATCH_BYTES * 4):
                self._add_nquads(chunk)
            return
        for batch in self._insert_batches(iter(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))):
            self._update(batch)

    def _clear(self) -> None:
        for g in self.named_graphs():
            self._update(f"DROP SILENT GRAPH <{g}>")

    # -- dumps -----------------------------------------------------------------------------------

    def dump(self, fmt: ox.RdfFormat, graph: str | None = None, output: Any = None) -> bytes | None:
        """The store's graphs (or one) read by one streamed SELECT and written by pyoxigraph in `fmt`
        (a triple format for one graph; the quad formats keep the graphs)."""
        items: Iterator[Any]
        if graph is not None:
            items = (q.triple for q in self.quads(None, None, None, graph))
            if fmt in QUAD_FORMATS:
                items = (ox.Quad(t.subject, t.predicate, t.object) for t in items)
        else:
            items = self.quads()
        kwargs: dict[str, Any] = {"prefixes": PREFIXES} if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.TURTLE) else {}
        if output is not None:
            ox.serialize(items, output, fmt, **kwargs)
            return None
        return ox.serialize(items, None, fmt, **kwargs)

    def dump_union(self, fmt: ox.RdfFormat, output: Any) -> None:
        seen: set[ox.Triple] = set()
        triples = (t for t in (q.triple for q in self.quads()) if not (t in seen or seen.add(t)))  # type: ignore[func-returns-value]
        kwargs: dict[str, Any] = {"prefixes": PREFIXES} if fmt == ox.RdfFormat.TURTLE else {}
        ox.serialize(triples, output, fmt, **kwargs)
