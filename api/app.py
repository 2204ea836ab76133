"""The vanban web app: one core (graph/) behind the CLI and this API.

    uvicorn api.app:create_app --factory      # settings from VANBAN_* (see api/settings.py)
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

from graph.errors import VanbanError
from graph.identity import Iris
from graph.lineage import LineageIndex
from graph.query_pool import QueryPool
from graph.service import Indexes, announce, withdraw
from graph.store import Store, open_store
from graph.validity import refresh_validity_graph

from . import admin, errors, pages, rest, sparql
from .security import SecurityHeaders, authorize
from .settings import Settings, get_settings, remote_of

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("vanban")
DOCS_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>vanban — API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui-5.35.0.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui-5.35.0-bundle.js"></script>
<script src="/static/docs-0.1.0.js"></script></body></html>
"""


async def refresh_validity(app: FastAPI, today: date | None = None) -> bool:
    """The derived validity graph brought to `today` if it was written as of another day (as the one
    writer: under the write lock, with the lineage index of the store as it stands). A store that refuses
    the write is logged, not fatal: SPARQL then says the statuses of the day the graph names."""
    async with app.state.write_lock:
        store: Store = app.state.store
        idx: LineageIndex = app.state.lineage
        if idx.stamp != store.stamp():
            idx = app.state.lineage = await asyncio.to_thread(LineageIndex.open, store, app.state.indexes.lineage)
        try:
            return await asyncio.to_thread(refresh_validity_graph, store, idx, today)
        except VanbanError as e:
            log.warning("the validity graph stays as it was: %s", e)
            return False


def _until_tomorrow() -> float:
    """Seconds from now to just after the next local midnight."""
    t = datetime.now()
    return (datetime.combine(t.date() + timedelta(days=1), datetime.min.time()) - t).total_seconds() + 1


async def keep_validity_current(app: FastAPI, longest: float = 3600) -> None:
    """At start and after every local midnight (looked at least hourly: a clock that jumps is caught within
    the hour), the validity graph as of the day: an expiry between two ingests shows in SPARQL that day."""
    while True:
        try:
            await refresh_validity(app)
        except Exception:  # a failure today must not end the refreshes of the days after
            log.exception("the validity graph could not be brought to today")
        await asyncio.sleep(min(longest, _until_tomorrow()))


class VanbanApp(FastAPI):
    """FastAPI with the SPARQL protocol's fast path outermost (api/sparql.py, `FastPath`)."""

    def build_middleware_stack(self) -> ASGIApp:
        return sparql.FastPath(super().build_middleware_stack())


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the app around one store (opened here unless given: tests pass an in-memory one)."""
    cfg = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if store is None:
            remote = remote_of(cfg)
            app.state.store = open_store(cfg.store, Iris(cfg.base.rstrip("/")), remote=remote,
                                         home=cfg.index_dir if remote is not None else None)
        opened: Store = app.state.store
        # the lineage and search indexes live next to the store; a restart loads them instead of rebuilding
        app.state.indexes = Indexes.beside(opened)
        app.state.lineage = LineageIndex.open(opened, app.state.indexes.lineage)
        app.state.indexes.search.sync(app.state.lineage)
        app.state.write_lock = asyncio.Lock()
        app.state.local_token = secrets.token_urlsafe(32)
        if opened.path is not None and cfg.serve_url:
            announce(opened.path, cfg.serve_url, app.state.local_token)
        app.state.query_pool = None
        if cfg.query_processes and opened.path is not None:
            app.state.query_pool = QueryPool(opened.path, opened.iris.base, cfg.max_concurrent_queries,
                                             cfg.query_memory_mb * 2**20)
        days = asyncio.create_task(keep_validity_current(app))
        try:
            yield
        finally:
            days.cancel()
            with suppress(asyncio.CancelledError):
                await days
            if opened.path is not None and cfg.serve_url:
                withdraw(opened.path)
            if app.state.query_pool is not None:
                app.state.query_pool.close()
            app.state.indexes.search.close()
            app.state.store.flush()
            if store is None:
                app.state.store.close()

    app = VanbanApp(
        title="vanban",
        summary="A knowledge graph of Vietnamese Party, Front, union and state documents.",
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(authorize)],
        docs_url=None,  # served below from vendored files: FastAPI's own page loads them from a CDN
        redoc_url=None,
    )
    app.state.settings = cfg
    if store is not None:
        app.state.store = store
    if cfg.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=cfg.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["*"])
    app.add_middleware(SecurityHeaders)
    errors.install(app, pages.render_error)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.router.routes.append(sparql.ROUTE)
    app.include_router(rest.router)
    app.include_router(admin.router)
    app.include_router(rest.doc_router)
    app.include_router(pages.router)

    def openapi() -> dict[str, Any]:
        """FastAPI's description of its routes, and the SPARQL protocol's, written by hand (api/sparql.py)."""
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
            schema["paths"] = sparql.OPENAPI | schema["paths"]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE)

    return app
