"""The lineage REST API under /api: thin routes over graph.documents, graph.lineage and graph.export."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from graph import sources
from graph.coverage import coverage, coverage_csv, coverage_xlsx
from graph.documents import (
    DEFAULT_DOWN,
    DEFAULT_UP,
    conflicts,
    details,
    lineage_columns,
    lineage_page,
    parse_cursor,
    path_between,
    relation_set,
    resolve,
    stats,
    summary,
)
from graph.errors import QueryError, ServerBusy, UnknownDocument
from graph.export import FORMATS, cache_folder, export
from graph.search import Query as SearchQuery
from graph.validity import validity
from graph.xlsx import MEDIA_TYPE as XLSX_MEDIA

from .deps import StoreDep, current_index, current_search, per_stamp
from .errors import ERRORS

router = APIRouter(prefix="/api", tags=["lineage"], responses=ERRORS)
Shape = Annotated[Literal["rows", "columns"], Query(
    description="rows: one object per document (items); columns: one list per field (columns.key[i], "
                "columns.depth[i], columns.via[i]…), made without an object per document — a whole lineage "
                "of tens of thousands answers in a fraction of the time")]
Limit = Annotated[int, Query(ge=1, le=100_000, description="items per page (a whole lineage fits in one)")]
Citations = Annotated[int, Query(ge=0, le=100_000, description="citations listed each way (cites_total and "
                                 "cited_by_total count them all; the lineage routes page through them)")]
Evidence = Annotated[bool, Query(description="quote the evidence of each edge (false: relations only; "
                                              "much faster for long lists)")]
Depth = Annotated[int, Query(ge=1, le=100, description="how many steps to walk")]
_REL = "(?:based_on|implements|guides|amends|replaces|repeals|corrects|cites)"
Relations = Annotated[str | None, Query(pattern=f"^{_REL}(?:,{_REL})*$",
                                        description="comma-separated relations to follow")]
Cursor = Annotated[str | None, Query(pattern="^[0-9]*$", max_length=18,
                                     description="next_cursor of the previous page")]
ExportFormat = Literal["ttl", "nt", "jsonld", "trig", "nq", "graphml", "gexf", "csv", "cytoscape"]
Direction = Literal["down", "up", "both"]
SourceId = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,200}$", description="a source's id (its graph's last "
                                                                             "segment)")]


def _split(value: str | None) -> list[str] | None:
    return [v for v in value.split(",") if v.strip()] if value else None


Text = Annotated[str | None, Query(max_length=500, description="words, a symbol typed any way (57/NQ-TW, "
                                   "57 nq tw), accents optional")]


@router.get("/documents", operation_id="search_documents", summary="Search documents (accent-insensitive)")
async def search_documents(
    request: Request, q: Text = None, kind: Annotated[str | None, Query(max_length=20)] = None,
    issuer: Annotated[str | None, Query(max_length=40, description="issuer code (TW, TU, CP…)")] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    province: Annotated[str | None, Query(max_length=60, description="province slug (lai-chau)")] = None,
    limit: Limit = 50, cursor: Cursor = None,
    prefix: Annotated[bool, Query(description="the last word may be unfinished (search as you type)")] = False,
    facets: Annotated[bool, Query(description="counts by kind, issuer, year and province")] = False,
) -> dict[str, Any]:
    found = await search_page(request, SearchQuery(q or "", kind, issuer, year, province, prefix),
                              limit, parse_cursor(cursor), facets)
    return {"ok": True} | found


async def search_page(request: Request, query: SearchQuery, limit: int, offset: int,
                      facets: bool) -> dict[str, Any]:
    """One page of search results as the API and the pages show it."""
    idx = current_index(request)
    hits = await asyncio.to_thread(current_search(request).search, query, limit, offset, facets)
    items = [summary(idx, n) for n in (idx.ids.get(i) for i in hits.iris) if n is not None]
    more = offset + limit < hits.total
    out: dict[str, Any] = {"total": hits.total, "items": items,
                           "next_cursor": str(offset + limit) if more else None}
    if facets:
        out["facets"] = {k: [{"value": v, "count": n} for v, n in rows] for k, rows in hits.facets.items()}
    return out


@router.get("/resolve", operation_id="resolve_reference", summary="Read a free-text reference")
async def resolve_reference(
    request: Request, store: StoreDep, ref: Annotated[str, Query(min_length=1, max_length=2000)]
) -> dict[str, Any]:
    results = await asyncio.to_thread(resolve, current_index(request), ref, store)
    if not results:
        raise UnknownDocument(f"no document reference in {ref!r}")
    return {"ok": True, "ref": ref, "results": results}


@router.get("/documents/{key}", operation_id="get_document", summary="A document, its claims, conflicts and citations")
async def get_document(request: Request, store: StoreDep, key: str, limit: Citations = 100) -> dict[str, Any]:
    idx = current_index(request)
    return {"ok": True} | await asyncio.to_thread(details, store, idx, key, limit)


async def _walk(request: Request, key: str, upward: bool, relations: str | None, depth: int,
                limit: int, cursor: str | None, evidence: bool, shape: str = "rows") -> Response:
    idx = current_index(request)
    rels = relation_set(_split(relations), DEFAULT_UP if upward else DEFAULT_DOWN)
    root = idx.keys.get(key)
    head = {"ok": True, "document": summary(idx, root) if root is not None else key,
            "direction": "up" if upward else "down"}
    if shape == "columns":
        got = await asyncio.to_thread(lineage_columns, idx, key, upward=upward, relations=rels, depth=depth,
                                      limit=limit, cursor=cursor, evidence=evidence)
        return _fast_json(head | got)
    page = await asyncio.to_thread(lineage_page, idx, key, upward=upward, relations=rels, depth=depth,
                                   limit=limit, cursor=cursor, evidence=evidence)
    return _fast_json(head | {"items": page.items, "next_cursor": page.next_cursor})


def _fast_json(content: dict[str, Any]) -> Response:
    """A lineage answer serialised by orjson straight to bytes: tens of thousands of plain rows need no
    encoder walk (FastAPI's jsonable_encoder visits every value: seconds for a landmark's lineage)."""
    return Response(orjson.dumps(content), media_type="application/json")


@router.get("/documents/{key}/implementers", operation_id="get_implementers",
            summary="What implements a document, transitively, with the edges that bring each in")
async def get_implementers(request: Request, key: str, relations: Relations = None,
                           depth: Depth = 10, limit: Limit = 50, cursor: Cursor = None,
                           evidence: Evidence = True, format: Shape = "rows") -> Response:
    return await _walk(request, key, False, relations, depth, limit, cursor, evidence, format)


@router.get("/documents/{key}/basis", operation_id="get_basis", summary="What a document rests on, upward")
async def get_basis(request: Request, key: str, relations: Relations = None,
                    depth: Depth = 10, limit: Limit = 50, cursor: Cursor = None,
                    evidence: Evidence = True, format: Shape = "rows") -> Response:
    return await _walk(request, key, True, relations, depth, limit, cursor, evidence, format)


@router.get("/documents/{key}/validity", operation_id="get_validity",
            summary="Whether a document is in force (as of a date), and every act on it with its evidence")
async def get_validity(request: Request, key: str,
                       at: Annotated[date | None, Query(description="as of this date (YYYY-MM-DD)")] = None,
                       ) -> dict[str, Any]:
    idx, store = current_index(request), request.app.state.store
    return {"ok": True} | await asyncio.to_thread(validity, idx, key, at, store)


@router.get("/documents/{key}/coverage", operation_id="get_coverage", response_model=None,
            summary="Who has implemented a document: by level and province (as provinces stand since 2025), "
                    "lags, provinces without, timeline")
async def get_coverage(request: Request, key: str, format: Literal["json", "csv", "xlsx"] = "json") -> Any:
    found = await asyncio.to_thread(coverage, current_index(request), key)
    if format == "json":
        return {"ok": True} | found
    body, media = ((coverage_csv(found).encode(), "text/csv; charset=utf-8") if format == "csv" else
                   (coverage_xlsx(found), XLSX_MEDIA))
    return Response(body, media_type=media, headers={
        "content-disposition": f'attachment; filename="vanban-{key}-coverage.{format}"'})


@router.get("/path", operation_id="get_path", summary="The chain of relations between two documents")
async def get_path(request: Request, from_: Annotated[str, Query(alias="from")], to: str,
                   relations: Relations = None) -> dict[str, Any]:
    idx = current_index(request)
    return {"ok": True} | path_between(idx, from_, to, _split(relations))


@router.get("/documents/{key}/sources", operation_id="get_document_sources",
            summary="The source files that describe a document, and how each was read")
async def get_document_sources(request: Request, store: StoreDep, key: str) -> dict[str, Any]:
    from graph.documents import find

    idx = current_index(request)
    iri = idx.nodes.columns["iri"][find(idx, key)]
    return {"ok": True, "document": key, "items": await asyncio.to_thread(sources.sources_of, store, iri)}


@router.get("/sources/{source}", operation_id="get_source", summary="A source file: its path, hash, format, "
            "pages and OCR confidence")
async def get_source(store: StoreDep, source: SourceId) -> dict[str, Any]:
    return {"ok": True} | await asyncio.to_thread(sources.record, store, source)


@router.get("/sources/{source}/text", operation_id="get_source_text",
            summary="A source's text as read, with a quote marked (evidence offsets point into it)")
async def get_source_text(
    store: StoreDep, source: SourceId,
    start: Annotated[int | None, Query(ge=0, description="start of the span to mark")] = None,
    end: Annotated[int | None, Query(ge=0, description="end of the span to mark (exclusive)")] = None,
    evidence: Annotated[int | None, Query(ge=1, description="mark this evidence node's mention instead")] = None,
    window: Annotated[int | None, Query(ge=0, le=1_000_000, description="characters either side of the span "
                                        "to return (default: the whole text)")] = None,
    words: Annotated[bool, Query(description="each OCR word with its confidence (scans)")] = False,
) -> dict[str, Any]:
    return await asyncio.to_thread(sources.text, store, source, start, end, evidence, window, words)


@router.get("/conflicts", operation_id="get_conflicts", summary="Facts the sources disagree on")
async def get_conflicts(request: Request, store: StoreDep) -> dict[str, Any]:
    return {"ok": True, "items": await asyncio.to_thread(conflicts, store, current_index(request))}


@router.get("/stats", operation_id="get_stats", summary="Counts of documents, links, conflicts")
async def get_stats(request: Request, store: StoreDep) -> dict[str, Any]:
    counts: dict[str, Any] = await asyncio.to_thread(per_stamp, request, "stats", lambda idx: stats(store, idx))
    return {"ok": True} | counts


@router.get("/export", operation_id="export_graph", summary="The graph or a lineage subgraph, streamed",
            response_class=Response,
            responses={200: {"description": "the export as a file", "content": {
                f.media_type: {} for f in FORMATS.values()}}})
async def export_graph(
    request: Request, store: StoreDep, format: ExportFormat = "ttl", root: str | None = None,
    direction: Direction = "down", depth: Depth = 10, relations: Relations = None,
) -> Response:
    idx = current_index(request)
    if format not in FORMATS:
        raise QueryError(f"unknown export format {format!r}: use {', '.join(FORMATS)}")
    slots = _export_slots(request)
    if not slots.acquire(blocking=False):
        raise ServerBusy("every export slot is taken (setting max_concurrent_exports): try again shortly")
    try:
        cache = cache_folder(store) if request.app.state.settings.export_cache else None
        chunks = export(store, idx, format, root, direction, depth, _split(relations), cache)
        first = await asyncio.to_thread(next, chunks, b"")  # errors (an unknown root) before the 200
    except BaseException:
        slots.release()
        raise
    fmt = FORMATS[format]
    name = f"vanban-{root or 'graph'}.{fmt.extension}"
    return StreamingResponse(_streamed(first, chunks, slots), media_type=fmt.media_type,
                             headers={"content-disposition": f'attachment; filename="{name}"'})


def _export_slots(request: Request) -> threading.BoundedSemaphore:
    slots: threading.BoundedSemaphore | None = getattr(request.app.state, "export_slots", None)
    if slots is None:
        slots = threading.BoundedSemaphore(request.app.state.settings.max_concurrent_exports)
        request.app.state.export_slots = slots
    return slots


def _streamed(first: bytes, rest: Iterator[bytes], slots: threading.BoundedSemaphore) -> Iterator[bytes]:
    """The export's chunks as they are made (Starlette runs this in a thread); its slot is given back when
    the last is sent or the client goes away."""
    try:
        yield first
        yield from rest
    finally:
        close = getattr(rest, "close", None)
        if close is not None:
            close()
        slots.release()


doc_router = APIRouter(tags=["lineage"], responses=ERRORS)
RDF_MEDIA = ("text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples")


@doc_router.get("/doc/{path:path}", operation_id="dereference_document", summary="Document IRIs dereference (303)",
                response_class=Response, status_code=303)
async def dereference(request: Request, path: str) -> Response:
    idx = current_index(request)
    base = request.app.state.store.iris.base
    n = idx.ids.get(f"{base}/doc/{path}")
    if n is None:
        return JSONResponse({"ok": False, "error": f"no document at /doc/{path}", "status": 404}, status_code=404)
    node = idx.nodes[n]
    accept = request.headers.get("accept", "")
    if any(m in accept for m in RDF_MEDIA):
        fmt = next((f for m, f in (("turtle", "ttl"), ("rdf+xml", "rdfxml"), ("ld+json", "jsonld")) if m in accept),
                   "nt")
        from urllib.parse import urlencode

        return RedirectResponse("/sparql?" + urlencode({"query": f"DESCRIBE <{node.iri}>", "format": fmt}),
                                status_code=303)
    return RedirectResponse(f"/api/documents/{node.key}", status_code=303)
