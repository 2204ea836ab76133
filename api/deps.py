"""Dependencies: the settings and the one store of the app (opened at start-up). `async def`: FastAPI
runs a plain `def` dependency in its thread pool, a thread hop per request for a lookup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from graph.lineage import LineageIndex
from graph.search import SearchIndex
from graph.store import Store

from .settings import Settings


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def current_index(request: Request) -> LineageIndex:
    """The lineage index, rebuilt when the store was written since (an admin SPARQL update, say), and the
    search index brought in step with it."""
    store = request.app.state.store
    idx: LineageIndex | None = getattr(request.app.state, "lineage", None)
    lock = getattr(request.app.state, "write_lock", None)
    if idx is not None and lock is not None and lock.locked():
        return idx  # an ingest is writing: answer from the index as it was (the ingest brings it in step)
    if idx is None or idx.stamp != store.stamp():
        idx = LineageIndex.open(store, request.app.state.indexes.lineage)
        request.app.state.lineage = idx
    current_search(request).sync(idx)
    return idx


def current_search(request: Request) -> SearchIndex:
    found: SearchIndex = request.app.state.indexes.search
    return found


def per_stamp(request: Request, name: str, compute: Callable[[LineageIndex], Any]) -> Any:
    """A value computed once per store stamp and kept on the app under `name` (counts, most
    implemented, latest ingested: they change only when the store is written)."""
    idx = current_index(request)
    held = getattr(request.app.state, name, None)
    if held is None or held[0] != idx.stamp:
        held = (idx.stamp, compute(idx))
        setattr(request.app.state, name, held)
    return held[1]
