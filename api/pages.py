"""The web pages: server-rendered (Jinja2) over the same graph/ functions as the REST API, Vietnamese
first with an English switch, every asset served by vanban itself (a page never names another host)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import tomllib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path as FsPath
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from graph import diagram, sources
from graph.coverage import coverage
from graph.documents import (
    claims_of,
    conflicts,
    details,
    find,
    most_cited,
    path_between,
    stats,
    summary,
)
from graph.errors import UnknownDocument
from graph.feeds import document_feed, new_feed
from graph.lineage import RELATIONS
from graph.places import scope_of
from graph.search import FACETS
from graph.search import Query as SearchQuery
from graph.validity import validity
from graph.vocab import load

from .deps import current_index, current_search, per_stamp
from .rest import search_page
from .security import COOKIE, role_of

HERE = FsPath(__file__).parent
VERSION = "0.1.0"
# every asset a page loads, by the name templates use → the file under /static (version in its name)
ASSETS = {
    "vanban.css": f"vanban-{VERSION}.css",
    "vanban.js": f"vanban-{VERSION}.js",
    "lineage.js": f"lineage-{VERSION}.js",
    "upload.js": f"upload-{VERSION}.js",
    "cytoscape.min.js": "vendor/cytoscape-3.35.0.min.js",
    "cytoscape-dagre.min.js": "vendor/cytoscape-dagre-4.0.1.min.js",
}
LANGS = ("vi", "en")
PAGE_SIZE = 20

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(env=Environment(loader=FileSystemLoader(HERE / "templates"), undefined=StrictUndefined,
                                            autoescape=True))


@lru_cache(maxsize=len(LANGS))
def words(lang: str) -> dict[str, str]:
    """The page words of a language (api/locales/*.toml)."""
    with (HERE / "locales" / f"{lang}.toml").open("rb") as f:
        return {k: str(v) for k, v in tomllib.load(f).items()}


def lang_of(request: Request) -> str:
    lang = request.cookies.get("lang", "vi")
    return lang if lang in LANGS else "vi"


def asset(name: str, vendor: bool = False) -> str:
    return "/static/" + ASSETS[name]


def kind_namer(lang: str) -> Any:
    vocab = load()

    def kind_name(code: str) -> str:
        found = vocab.code(code)
        if found is None:
            return code
        return found.en if lang == "en" else found.name
    return kind_name


def _context(request: Request) -> dict[str, Any]:
    """What every page's template may use: the language and its words, assets, the caller's role."""
    lang = lang_of(request)
    t = words(lang)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return {"request": request, "lang": lang, "t": t, "asset": asset, "kind_name": kind_namer(lang), "here": here,
            "role": getattr(request.state, "role", None), "flush": Markup(FLUSH),
            "relation_words": json.dumps({r: t[f"relation_{r}"] for r in RELATIONS}, ensure_ascii=False)}


def render(request: Request, template: str, code: int = 200, **context: Any) -> HTMLResponse:
    response: HTMLResponse = templates.TemplateResponse(request, template, _context(request) | context,
                                                        status_code=code)
    return response


FLUSH = "<!--flush-->"


def render_streamed(request: Request, template: str, **context: Any) -> StreamingResponse:
    """A page sent in pieces: what comes before a `{{ flush }}` in the template goes out before what
    follows it is computed (Starlette iterates the pieces in a worker thread)."""
    pieces = templates.env.get_template(template).generate(_context(request) | context)

    def chunks() -> Iterator[str]:
        buf: list[str] = []
        size = 0
        for piece in pieces:
            buf.append(piece)
            size += len(piece)
            if size >= 65536 or FLUSH in piece:
                yield "".join(buf)
                buf, size = [], 0
        yield "".join(buf)

    return StreamingResponse(chunks(), media_type="text/html; charset=utf-8")


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    """An error as a page, in the API's words (a 404 for a key offers a search for it)."""
    search = None
    if status == 404 and request.url.path.startswith("/documents/"):
        search = request.url.path.split("/")[2].replace("-", " ")
    try:
        return render(request, "error.html", status, status=status, message=message, search=search)
    except Exception:  # the error page must not fail in turn
        return HTMLResponse(f"<!doctype html><title>{status}</title><p>{status}", status_code=status)


@router.get("/", response_model=None)
async def home(request: Request) -> Response:
    if "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"ok": True, "name": "vanban", "sparql": "/sparql", "docs": "/docs",
                             "openapi": "/openapi.json", "pages": "/search"})
    store = request.app.state.store
    counts = await asyncio.to_thread(per_stamp, request, "home_counts", lambda idx: stats(store, idx, quads=False))
    top = await asyncio.to_thread(per_stamp, request, "home_top", most_cited)
    search = current_search(request)
    latest = await asyncio.to_thread(per_stamp, request, "home_latest", lambda idx: [
        summary(idx, n) for n in (idx.ids.get(i) for i in search.latest(10)) if n is not None])
    return render(request, "home.html", stats=counts, top=top, latest=latest)


Text = Annotated[str, Query(max_length=500)]


@router.get("/search")
async def search(request: Request, q: Text = "", kind: Annotated[str, Query(max_length=20)] = "",
                 issuer: Annotated[str, Query(max_length=40)] = "", year: Annotated[str, Query(max_length=4)] = "",
                 province: Annotated[str, Query(max_length=60)] = "",
                 page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> HTMLResponse:
    filters = {"kind": kind, "issuer": issuer, "year": year if year.isdigit() else "", "province": province}
    query = SearchQuery(q, kind or None, issuer or None, int(year) if year.isdigit() else None, province or None)
    offset = (page - 1) * PAGE_SIZE
    found = await search_page(request, query, PAGE_SIZE, offset, facets=True)

    def link(**change: Any) -> str:
        params = {"q": q, **filters, "page": page} | change
        if "page" not in change:
            params["page"] = 1
        return "/search?" + urlencode({k: v for k, v in params.items() if v not in (None, "", 1) or k == "q"})

    lang = lang_of(request)
    kind_name = kind_namer(lang)

    def facet_label(name: str, value: str) -> str:
        return f"{kind_name(value)} ({value})" if name == "kind" else value

    return render(request, "search.html", q=q, filters=filters, found=found, offset=offset, page=page, link=link,
                  facet_label=facet_label, facets=FACETS)


Key = Annotated[str, Path(max_length=300)]


@router.get("/documents/{key}", response_model=None)
async def document(request: Request, key: Key) -> StreamingResponse:
    """Sent as it is rendered: the header, fields and diagram reach the browser (first paint) while the
    claims of a landmark (tens of thousands of sources to count) are still being read."""
    store = request.app.state.store
    idx = current_index(request)

    def gather() -> dict[str, Any]:
        doc = details(store, idx, key, 50, with_claims=False)
        iri = doc["iri"]
        status = validity(idx, key, store=store)
        quoted = {q["stated_in"] for c in doc["cites"] + doc["cited_by"] for q in c["evidence"][:1]}
        quoted |= {q["stated_in"] for a in status["acts"] for q in a["evidence"][:1]}
        return {"doc": doc, "sources": sources.sources_of(store, iri), "validity": status,
                "province": scope_of(iri)[0], "quote_sources": _sources_for(request, quoted),
                "in_conflict": store.count(f"?c a vb:Conflict ; vb:about <{iri}>") > 0,
                "load_claims": lambda: claims_of(store, idx, iri),
                "load_coverage": lambda: coverage(idx, key),
                "table_up": diagram.table_page(idx, key, True), "table_down": diagram.table_page(idx, key, False),
                "totals": {"up": diagram.lineage_size(idx, key, True), "down": diagram.lineage_size(idx, key, False)}}

    context = await asyncio.to_thread(gather)  # (an unknown key is a 404 here, before anything is sent)
    return render_streamed(request, "document.html", relations=RELATIONS, **context)


def _sources_for(request: Request, keys: set[str]) -> dict[str, str]:
    """A source id for each document key (where its quotes can be read)."""
    idx = current_index(request)
    iris = {idx.nodes.columns["iri"][n]: k for k in keys if (n := idx.keys.get(k)) is not None}
    found = sources.first_sources(request.app.state.store, list(iris))
    return {iris[d]: s for d, s in found.items()}


@router.get("/documents/{key}/diagram.json")
async def diagram_json(request: Request, key: Key,
                       expand: Annotated[str, Query(max_length=4000)] = "") -> JSONResponse:
    idx = current_index(request)
    groups = frozenset(g for g in expand.split(",") if g.startswith("g:"))

    def gather() -> dict[str, Any]:
        found = diagram.diagram(idx, key, groups)
        quoted = {q["stated_in"] for e in found["edges"] for q in e.get("quotes", [])}
        found["sources"] = _sources_for(request, quoted)
        return found

    return JSONResponse(await asyncio.to_thread(gather))


@router.get("/documents/{key}/lineage.csv")
async def lineage_csv(request: Request, key: Key, direction: str = "down") -> StreamingResponse:
    idx = current_index(request)
    find(idx, key)  # an unknown key is a 404 before the 200
    upward = direction == "up"

    def lines() -> Iterator[str]:
        buf = io.StringIO()
        out = csv.writer(buf)
        out.writerow(diagram.CSV_COLUMNS)
        for row in diagram.table(idx, key, upward):
            out.writerow([row["depth"], row["id"], row["symbol"] or "", row["kind"] or "", row["date"] or "",
                          row["issuer"] or "", row["province"] or "", row["relation"], row["via"],
                          row["title"] or ""])
            if buf.tell() > 65536:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    name = f"vanban-{key}-{'basis' if upward else 'implementers'}.csv"
    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8",
                             headers={"content-disposition": f'attachment; filename="{name}"'})


SourceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,200}$")]


@router.get("/sources/{source}")
async def source_page(request: Request, source: SourceId,
                      start: Annotated[int | None, Query(ge=0)] = None,
                      end: Annotated[int | None, Query(ge=0)] = None) -> HTMLResponse:
    store = request.app.state.store
    idx = current_index(request)

    def gather() -> dict[str, Any]:
        rec = sources.record(store, source)
        got = sources.text(store, source, start, end)
        span = (got["highlight"]["start"], got["highlight"]["end"]) if got["highlight"] else None
        n = idx.ids.get(rec["document"]) if rec.get("document") else None
        return {"record": rec, "highlight": got["highlight"], "describes": idx.nodes[n] if n is not None else None,
                "pieces": sources.marked(got["text"], sources.quote_spans(store, source), span),
                "downloadable": sources.original(store, source) is not None}

    return render(request, "source.html", **await asyncio.to_thread(gather))


@router.get("/sources/{source}/original")
async def source_original(request: Request, source: SourceId) -> FileResponse:
    path = await asyncio.to_thread(sources.original, request.app.state.store, source)
    if path is None:
        raise UnknownDocument(f"the original file of source {source!r} is no longer where it was read")
    return FileResponse(path, filename=path.name, media_type="application/octet-stream")


@router.get("/path")
async def path_page(request: Request, from_: Annotated[str, Query(alias="from", max_length=300)] = "",
                    to: Annotated[str, Query(max_length=300)] = "") -> HTMLResponse:
    chain = None
    quoted: dict[str, str] = {}
    if from_ and to:
        idx = current_index(request)
        chain = await asyncio.to_thread(path_between, idx, from_.strip(), to.strip())
        quoted = _sources_for(request, {q["stated_in"] for s in chain["steps"] for q in s["evidence"][:1]})
    chain_json = json.dumps(_chain_elements(chain), ensure_ascii=False) if chain else ""
    return render(request, "path.html", from_=from_, to=to, chain=chain, chain_json=chain_json, quote_sources=quoted)


def _chain_elements(chain: dict[str, Any]) -> dict[str, Any]:
    nodes: dict[str, dict[str, Any]] = {}
    edges = []
    for i, s in enumerate(chain["steps"]):
        for d in (s["from"], s["to"]):
            nodes.setdefault(d["key"], {"id": d["key"], "label": d["symbol"] or d["title"] or d["key"]})
        edges.append({"id": f"e{i}", "source": s["from"]["key"], "target": s["to"]["key"], "relation": s["relation"],
                      "quotes": s["evidence"]})
    return {"nodes": list(nodes.values()), "edges": edges}


ATOM_MEDIA = "application/atom+xml; charset=utf-8"


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/feeds/new.atom")
async def feed_new(request: Request) -> Response:
    idx = current_index(request)
    body = await asyncio.to_thread(new_feed, request.app.state.store, idx, current_search(request), _base(request))
    return Response(body, media_type=ATOM_MEDIA)


@router.get("/feeds/documents/{key}.atom")
async def feed_document(request: Request, key: Key) -> Response:
    idx = current_index(request)
    body = await asyncio.to_thread(document_feed, request.app.state.store, idx, current_search(request), key,
                                   _base(request))
    return Response(body, media_type=ATOM_MEDIA)


@router.get("/conflicts")
async def conflicts_page(request: Request) -> HTMLResponse:
    idx = current_index(request)
    items = await asyncio.to_thread(conflicts, request.app.state.store, idx)
    return render(request, "conflicts.html", items=items)


@router.get("/upload")
async def upload_page(request: Request) -> HTMLResponse:
    return render(request, "upload.html")


def _local(next_: str) -> str:
    """A redirect target on this server only (no `//host`, no scheme)."""
    return next_ if next_.startswith("/") and not next_.startswith("//") and "\\" not in next_ else "/"


@router.get("/login")
async def login_page(request: Request, next: Annotated[str, Query(max_length=2000)] = "/") -> HTMLResponse:
    return render(request, "login.html", next=_local(next), bad=False)


@router.post("/login", response_model=None)
async def login(request: Request, token: Annotated[str, Form(max_length=500)],
                next: Annotated[str, Form(max_length=2000)] = "/") -> Response:
    role = role_of(token, request.app.state.settings, getattr(request.app.state, "local_token", None))
    if role is None:
        return render(request, "login.html", 401, next=_local(next), bad=True)
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/logout")
async def logout(request: Request) -> RedirectResponse:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/lang")
async def switch_lang(to: str = "vi", next: Annotated[str, Query(max_length=2000)] = "/") -> RedirectResponse:
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie("lang", to if to in LANGS else "vi", max_age=365 * 86400, samesite="lax")
    return response
