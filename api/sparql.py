"""The SPARQL 1.1 Protocol at /sparql: thin over graph.sparql.

GET and POST (form-encoded, application/sparql-query, application/sparql-update); results as JSON, XML,
CSV, TSV by Accept or `format=`; CONSTRUCT/DESCRIBE as Turtle, N-Triples, JSON-LD, RDF/XML, TriG,
N-Quads; a service description on a bare GET asking for RDF; a YASGUI page for browsers. Read-only
unless an admin token is configured. Queries run in worker threads (never on the event loop), at most
`max_concurrent_queries` at once, each under the time limit and row cap of the settings.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from graph.errors import QueryError, QueryTimeout, UpdateRefused
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

from .deps import SettingsDep, StoreDep
from .errors import ERRORS
from .settings import Settings

router = APIRouter(tags=["sparql"], responses=ERRORS)
RESULTS: dict[int | str, dict[str, Any]] = {
    200: {"description": "SPARQL results, an RDF graph, or (bare GET) the service description / YASGUI",
                 "content": {m: {} for m in (*SELECT_FORMATS.values(), *(v[0] for v in GRAPH_FORMATS.values()),
                                             "text/html")}},
           204: {"description": "update applied"}}

YASGUI = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>vanban — SPARQL</title>
<link href="https://unpkg.com/@zazuko/yasgui@4.5.0/build/yasgui.min.css" rel="stylesheet" type="text/css"/>
<script src="https://unpkg.com/@zazuko/yasgui@4.5.0/build/yasgui.min.js"></script></head>
<body><h3 style="font-family:sans-serif">vanban SPARQL endpoint</h3>
<noscript>This page needs JavaScript; any SPARQL client works against this URL.</noscript>
<div id="yasgui"></div>
<script>
const endpoint = window.location.origin + window.location.pathname;
new Yasgui(document.getElementById("yasgui"), {
  requestConfig: { endpoint: endpoint, method: "POST" }, copyEndpointOnNewTab: true,
  yasqe: { value: "PREFIX vb: <https://w3id.org/vanban/ontology#>\\n" +
    "SELECT DISTINCT ?doc ?symbol WHERE {\\n  ?doc vb:implements+ <https://w3id.org/vanban/doc/tw/nq/2021/02> .\\n" +
    "  OPTIONAL { ?doc vb:symbol ?symbol }\\n}" }
});
</script></body></html>
"""


def _slots(request: Request, settings: Settings) -> threading.BoundedSemaphore:
    slots: threading.BoundedSemaphore | None = getattr(request.app.state, "query_slots", None)
    if slots is None:
        slots = threading.BoundedSemaphore(settings.max_concurrent_queries)
        request.app.state.query_slots = slots
    return slots


async def _answer(
    request: Request, store: StoreDep, settings: Settings, query: str,
    default_graphs: list[str], named_graphs: list[str], fmt: str | None,
) -> Response:
    if is_update(query):
        raise UpdateRefused("this is an update: send it as update=… (POST) with the admin token")
    limits = Limits(timeout=settings.query_timeout, row_cap=settings.row_cap)
    cancel = threading.Event()
    slots = _slots(request, settings)
    accept = request.headers.get("accept")

    def work() -> tuple[bytes, str]:
        if not slots.acquire(timeout=limits.timeout):
            raise QueryTimeout("the endpoint is busy; every query slot stayed taken for the time limit")
        try:
            return answer(store, query, limits, accept, fmt, default_graphs or None, named_graphs or None, cancel)
        finally:
            slots.release()

    task = asyncio.ensure_future(asyncio.to_thread(work))
    done, _ = await asyncio.wait({task}, timeout=limits.timeout + 0.25)
    if not done:
        # Answer now; the worker stops at its next check (or, inside a blocking operator, when that
        # ends) and its slot is freed then.
        cancel.set()
        task.add_done_callback(lambda t: t.exception())
        raise QueryTimeout(f"the query ran past its {limits.timeout:g} s limit")
    body, media = task.result()
    return Response(content=body, media_type=media)


async def _update(request: Request, store: StoreDep, settings: Settings, update: str) -> Response:
    token = settings.admin_token
    given = request.headers.get("authorization", "")
    if not token or given != f"Bearer {token}":
        raise UpdateRefused("the SPARQL endpoint is read-only: updates need the admin token")

    def work() -> None:
        try:
            store.ox.update(update)
        except SyntaxError as e:
            raise QueryError(f"malformed SPARQL update: {e}") from None

    await asyncio.to_thread(work)
    return Response(status_code=204)


def _description(request: Request, fmt: str | None) -> Response:
    endpoint = str(request.url.replace(query=""))
    accept = request.headers.get("accept", "")
    if fmt is None and "text/html" in accept:
        return HTMLResponse(YASGUI)
    name = negotiate(accept if "*/*" not in accept else "text/turtle", fmt, "graph")
    ttl = service_description(endpoint)
    if name == "ttl":
        return Response(ttl, media_type="text/turtle")
    triples = [q.triple for q in ox.parse(ttl, format=ox.RdfFormat.TURTLE)]
    rdf_format = GRAPH_FORMATS[name][1]
    if rdf_format in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
        data = ox.serialize([ox.Quad(t.subject, t.predicate, t.object) for t in triples], format=rdf_format)
    else:
        data = ox.serialize(triples, format=rdf_format)
    return Response(data or b"", media_type=media_type(name))


GraphUris = Annotated[list[str], Query(alias="default-graph-uri")]
NamedUris = Annotated[list[str], Query(alias="named-graph-uri")]


@router.get("/sparql", operation_id="sparql_get", summary="SPARQL query (GET), service description, YASGUI",
            response_class=Response, responses=RESULTS)
async def sparql_get(
    request: Request, store: StoreDep, settings: SettingsDep,
    query: str | None = None, format: str | None = None,
    default_graph_uri: GraphUris = [],  # noqa: B006 - FastAPI copies defaults
    named_graph_uri: NamedUris = [],  # noqa: B006
) -> Response:
    if query is None:
        return _description(request, format)
    return await _answer(request, store, settings, query, default_graph_uri, named_graph_uri, format)


@router.post("/sparql", operation_id="sparql_post", summary="SPARQL query or update (POST)",
             response_class=Response, responses=RESULTS)
async def sparql_post(
    request: Request, store: StoreDep, settings: SettingsDep, format: str | None = None,
    default_graph_uri: GraphUris = [],  # noqa: B006
    named_graph_uri: NamedUris = [],  # noqa: B006
) -> Response:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/sparql-query":
        return await _answer(request, store, settings, (await request.body()).decode("utf-8"),
                             default_graph_uri, named_graph_uri, format)
    if ctype == "application/sparql-update":
        return await _update(request, store, settings, (await request.body()).decode("utf-8"))
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        dgu = [str(x) for x in form.getlist("default-graph-uri")] or default_graph_uri
        ngu = [str(x) for x in form.getlist("named-graph-uri")] or named_graph_uri
        fmt = str(form["format"]) if "format" in form else format
        if "update" in form:
            return await _update(request, store, settings, str(form["update"]))
        if "query" in form:
            return await _answer(request, store, settings, str(form["query"]), dgu, ngu, fmt)
        raise QueryError("the form has neither query= nor update=")
    raise QueryError(f"unsupported content type {ctype or '(none)'}: use a form, application/sparql-query "
                     "or application/sparql-update")
