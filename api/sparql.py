"""The SPARQL 1.1 Protocol at /sparql: thin over graph.sparql.

GET and POST (form-encoded, application/sparql-query, application/sparql-update); results as JSON, XML,
CSV, TSV by Accept or `format=`; CONSTRUCT/DESCRIBE as Turtle, N-Triples, JSON-LD, RDF/XML, TriG,
N-Quads; a service description on a bare GET asking for RDF; a YASGUI page for browsers. Read-only
unless an admin token is configured. Each request is measured before it runs (size, nesting, terms,
patterns, SERVICE and LOAD targets: `graph.sparql_check`); queries on an on-disk store run in worker
processes (`graph.query_pool`: killed at the time or memory limit), at most `max_concurrent_queries`
at once; admin updates go through the store's one door (`Store.update`: a new write stamp).
"""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.parse
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.errors import QueryError, QueryRefused, QueryTimeout, ServerBusy, UpdateRefused
from graph.fetch import FetchLimits, load
from graph.query_pool import Job, QueryPool
from graph.sparql import (
    GRAPH_FORMATS,
    SELECT_FORMATS,
    Limits,
    answer,
    is_update,
    media_type,
    negotiate,
    service_description,
)
from graph.sparql_check import Bounds, check, shape_of
from graph.store import Store

from .errors import ERRORS, error_response, response_for
from .security import SecurityHeaders, authorize, require_admin
from .settings import Settings

RESULTS: dict[int | str, dict[str, Any]] = {
    200: {"description": "SPARQL results, an RDF graph, or (bare GET) the service description / YASGUI",
                 "content": {m: {} for m in (*SELECT_FORMATS.values(), *(v[0] for v in GRAPH_FORMATS.values()),
                                             "text/html")}},
           204: {"description": "update applied"}}

QUERIES = Path(__file__).resolve().parents[1] / "data" / "queries"


def _examples() -> str:
    """The example queries of data/queries as a JSON data block (never executed: the CSP holds)."""
    found = [{"name": rq.stem, "query": rq.read_text(encoding="utf-8")} for rq in sorted(QUERIES.glob("*.rq"))]
    return json.dumps(found, ensure_ascii=False).replace("</", "<\\/")


YASGUI = f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>vanban — SPARQL</title>
<link rel="icon" href="data:,">
<link href="/static/vendor/yasgui-4.5.0.min.css" rel="stylesheet" type="text/css"/>
<link href="/static/vanban-0.1.0.css" rel="stylesheet" type="text/css"/>
<script src="/static/vendor/yasgui-4.5.0.min.js"></script></head>
<body><header class="top"><a class="brand" href="/">vanban</a><span class="tagline">SPARQL</span>
<nav><a href="/search">Tìm kiếm</a><a href="/docs">API</a></nav></header>
<noscript>This page needs JavaScript; any SPARQL client works against this URL.</noscript>
<main><div id="yasgui"></div></main>
<script type="application/json" id="examples">{_examples()}</script>
<script src="/static/sparql-0.1.0.js"></script></body></html>
"""
FORM_FACTOR = 4  # a form-encoded body may be this much larger than the query it carries (percent-encoding)


def bounds(settings: Settings, isolated: bool) -> Bounds:
    """The request limits of the settings. SERVICE calls only from worker processes, where the time
    limit can stop one that never answers."""
    return Bounds(settings.sparql_max_bytes, settings.sparql_max_depth, settings.sparql_max_terms,
                  settings.sparql_max_patterns, tuple(settings.sparql_service_allow) if isolated else (),
                  tuple(settings.sparql_load_allow))


def _slots(request: Request, settings: Settings) -> threading.BoundedSemaphore:
    slots: threading.BoundedSemaphore | None = getattr(request.app.state, "query_slots", None)
    if slots is None:
        slots = threading.BoundedSemaphore(settings.max_concurrent_queries)
        request.app.state.query_slots = slots
    return slots


async def _answer(
    request: Request, store: Store, settings: Settings, query: str,
    default_graphs: list[str], named_graphs: list[str], fmt: str | None,
) -> Response:
    pool: QueryPool | None = getattr(request.app.state, "query_pool", None)
    check(query, bounds(settings, pool is not None))
    if is_update(query):
        raise UpdateRefused("this is an update: send it as update=… (POST) with the admin token")
    limits = Limits(timeout=settings.query_timeout, row_cap=settings.row_cap)
    accept = request.headers.get("accept")
    if pool is not None:
        # the store's whole state: a worker reopens after a derived graph (conflicts, validity) moved too
        job = Job(query, limits, store.state(), accept, fmt, tuple(default_graphs), tuple(named_graphs))
        body, media = await pool.answer(job, limits.timeout)
        return Response(content=body, media_type=media)
    return await _in_thread(request, store, settings, query, limits, accept, fmt, default_graphs, named_graphs)


async def _in_thread(
    request: Request, store: Store, settings: Settings, query: str, limits: Limits, accept: str | None,
    fmt: str | None, default_graphs: list[str], named_graphs: list[str],
) -> Response:
    """An in-memory store (tests, one-off tools) has no file a worker could open: its queries run in a
    thread, bounded by the request checks and the cooperative time limit only."""
    cancel = threading.Event()
    slots = _slots(request, settings)

    def work() -> tuple[bytes, str]:
        if not slots.acquire(timeout=limits.timeout):
            raise ServerBusy("the endpoint is busy; every query slot stayed taken for the time limit")
        try:
            return answer(store, query, limits, accept, fmt, default_graphs or None, named_graphs or None, cancel)
        finally:
            slots.release()

    task = asyncio.ensure_future(asyncio.to_thread(work))
    done, _ = await asyncio.wait({task}, timeout=limits.timeout + 0.25)
    if not done:
        cancel.set()
        task.add_done_callback(lambda t: t.exception())
        raise QueryTimeout(f"the query ran past its {limits.timeout:g} s limit")
    body, media = task.result()
    return Response(content=body, media_type=media)


async def _update(request: Request, store: Store, settings: Settings, update: str) -> Response:
    check(update, bounds(settings, False), update=True)
    if shape_of(update).loads:
        limits = FetchLimits(settings.load_timeout, settings.load_max_bytes)
        await asyncio.to_thread(load, store, update, settings.sparql_load_allow, limits)
    else:
        await asyncio.to_thread(store.update, update)
    return Response(status_code=204)


async def _body(request: Request, limit: int) -> bytes:
    """The request body, read no further than `limit` bytes (a 200 MB body is refused, not buffered)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise QueryRefused(f"the body is {int(declared):,} bytes; at most {limit:,} are taken "
                           "(setting sparql_max_bytes)")
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise QueryRefused(f"the body is over {limit:,} bytes (setting sparql_max_bytes)")
        parts.append(chunk)
    return b"".join(parts)


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise QueryRefused(f"the {what} is not UTF-8 (byte {e.start}): SPARQL is sent as UTF-8") from None


async def _multipart(request: Request, data: bytes) -> dict[str, list[str]]:
    """A multipart/form-data body (already read, within its limit), or QueryRefused: a missing boundary
    or a broken part is the request's fault, not the server's."""
    request._body = data  # Starlette parses the form from the body read above
    try:
        parsed = await request.form(max_files=0, max_fields=100)
        return {k: [str(v) for v in parsed.getlist(k)] for k in parsed}
    except Exception as e:  # Starlette's parser raises several kinds: all mean a bad form
        raise QueryRefused(f"malformed multipart/form-data body: {getattr(e, 'detail', None) or e}") from None


def _form(data: bytes) -> dict[str, list[str]]:
    """An application/x-www-form-urlencoded body, strictly UTF-8 (percent-encoded or, as `curl -d` sends
    it, raw)."""
    try:
        pairs = urllib.parse.parse_qsl(data.decode("utf-8"), keep_blank_values=True, errors="strict",
                                       max_num_fields=1000)
    except (UnicodeDecodeError, ValueError) as e:
        raise QueryRefused(f"the form is not valid URL-encoded UTF-8: {e}") from None
    out: dict[str, list[str]] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return out


def _description(request: Request, settings: Settings, fmt: str | None) -> Response:
    endpoint = str(request.url.replace(query=""))
    accept = request.headers.get("accept", "")
    if fmt is None and "text/html" in accept:
        return HTMLResponse(YASGUI)
    name = negotiate(accept if "*/*" not in accept else "text/turtle", fmt, "graph")
    isolated = getattr(request.app.state, "query_pool", None) is not None
    ttl = service_description(endpoint, federated=isolated and bool(settings.sparql_service_allow),
                              updates=bool(settings.admin_token or "admin" in settings.tokens.values()))
    if name == "ttl":
        return Response(ttl, media_type="text/turtle")
    triples = [q.triple for q in ox.parse(ttl, format=ox.RdfFormat.TURTLE)]
    rdf_format = GRAPH_FORMATS[name][1]
    if rdf_format in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
        data = ox.serialize([ox.Quad(t.subject, t.predicate, t.object) for t in triples], format=rdf_format)
    else:
        data = ox.serialize(triples, format=rdf_format)
    return Response(data or b"", media_type=media_type(name))


async def sparql_endpoint(request: Request) -> Response:
    """GET and POST /sparql. A plain Starlette route: the protocol's parameters are read here as the
    protocol defines them (repeatable graph IRIs, a body in one of three content types), with no
    per-request dependency solving — on a small query that is most of the cost. Its OpenAPI description
    is `OPENAPI` below."""
    await authorize(request)
    store: Store = request.app.state.store
    settings: Settings = request.app.state.settings
    params = request.query_params
    fmt = params.get("format")
    dgu, ngu = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    if request.method == "GET":
        query = params.get("query")
        if query is None:
            return _description(request, settings, fmt)
        return await _answer(request, store, settings, query, dgu, ngu, fmt)
    return await _post(request, store, settings, fmt, dgu, ngu)


async def _post(request: Request, store: Store, settings: Settings, format: str | None,
                default_graph_uri: list[str], named_graph_uri: list[str]) -> Response:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    limit = settings.sparql_max_bytes
    if ctype == "application/sparql-query":
        query = _text(await _body(request, limit), "query")
        return await _answer(request, store, settings, query, default_graph_uri, named_graph_uri, format)
    if ctype == "application/sparql-update":
        require_admin(request)  # who asks is settled before anything of the body is read
        return await _update(request, store, settings, _text(await _body(request, limit), "update"))
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        data = await _body(request, limit * FORM_FACTOR)
        if ctype == "multipart/form-data":
            form = await _multipart(request, data)
        else:
            form = _form(data)
        dgu = form.get("default-graph-uri") or default_graph_uri
        ngu = form.get("named-graph-uri") or named_graph_uri
        fmt = form["format"][0] if "format" in form else format
        if "update" in form:
            require_admin(request)
            return await _update(request, store, settings, form["update"][0])
        if "query" in form:
            return await _answer(request, store, settings, form["query"][0], dgu, ngu, fmt)
        raise QueryError("the form has neither query= nor update=")
    raise QueryError(f"unsupported content type {ctype or '(none)'}: use a form, application/sparql-query "
                     "or application/sparql-update")


ROUTE = Route("/sparql", sparql_endpoint, methods=["GET", "POST"], name="sparql")


class FastPath:
    """The outermost layer of the app: `/sparql` answered here, the rest passed on. A small query costs
    about as much in FastAPI's request machinery (routing, exception and exit-stack middlewares) as in
    the engine; here it meets only what it needs — the same endpoint function, the one error shape, the
    security headers. With CORS configured the request goes the long way (the CORS middleware is there)."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope.get("app")
        if (scope["type"] != "http" or scope["path"] != "/sparql" or app is None
                or app.state.settings.cors_origins):
            await self.inner(scope, receive, send)
            return
        request = Request(scope, receive)
        response: Response
        try:
            if request.method not in ("GET", "POST"):
                response = error_response(405, "Method Not Allowed")
                response.headers["allow"] = "GET, POST"
            else:
                response = await sparql_endpoint(request)
        except Exception as e:  # the one shape, as the app's own handlers give it
            response = response_for(e)
        await SecurityHeaders(response)(scope, receive, send)


def _param(name: str, what: str, many: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": {"type": "string"}} if many else {"type": "string"}
    return {"name": name, "in": "query", "required": False, "description": what, "schema": schema}


_PARAMS = [_param("format", "result format (json, xml, csv, tsv; ttl, nt, jsonld, rdfxml, trig, nq); "
                            "else the Accept header"),
           _param("default-graph-uri", "graphs whose union is the default graph", many=True),
           _param("named-graph-uri", "graphs GRAPH may name", many=True)]
_ANSWERS = {str(code): ({"description": spec["description"],
                         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
                        if "model" in spec else spec)
            for code, spec in (RESULTS | ERRORS).items()}
OPENAPI: dict[str, Any] = {"/sparql": {
    "get": {"tags": ["sparql"], "operationId": "sparql_get",
            "summary": "SPARQL query (GET), service description, YASGUI",
            "parameters": [_param("query", "the SPARQL query; none: the service description (or YASGUI "
                                           "for a browser)"), *_PARAMS],
            "responses": _ANSWERS},
    "post": {"tags": ["sparql"], "operationId": "sparql_post", "summary": "SPARQL query or update (POST)",
             "parameters": _PARAMS,
             "requestBody": {"content": {
                 "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                     "query": {"type": "string"}, "update": {"type": "string"}}}},
                 "application/sparql-query": {"schema": {"type": "string"}},
                 "application/sparql-update": {"schema": {"type": "string"}}}},
             "responses": _ANSWERS},
}}
