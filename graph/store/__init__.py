"""The store: one interface (`Store`, graph.store.base), two engines — Oxigraph embedded in this process
(`GraphStore`, the default) and any SPARQL 1.1 server (`RemoteStore`). Everything above it (ingest, the
indexes, the API, the pages, the exports) asks the interface only."""

from __future__ import annotations

from pathlib import Path

from ..identity import Iris
from .base import PREFIXES, SERIES_YEARS, SPARQL_PREFIXES, Store, quads_to_insert
from .embedded import GraphStore
from .pipe import piped
from .remote import Remote, RemoteStore, home_for, is_remote, remote_from_env

__all__ = [
    "PREFIXES",
    "SERIES_YEARS",
    "SPARQL_PREFIXES",
    "GraphStore",
    "Remote",
    "RemoteStore",
    "Store",
    "home_for",
    "is_remote",
    "open_store",
    "piped",
    "quads_to_insert",
    "remote_from_env",
]


def open_store(location: str | Path | None, iris: Iris | None = None, *, remote: Remote | None = None,
               home: Path | None = None, read_only: bool = False) -> Store:
    """The store at `location`: a folder (embedded Oxigraph), an http(s) URL (a SPARQL 1.1 server, with
    `remote` giving its settings; derived files under `home`), or None (in memory)."""
    if remote is not None or is_remote(location):
        settings = remote or remote_from_env(str(location))
        return RemoteStore(settings, iris, home or home_for(settings.url))
    path = Path(location) if location is not None else None
    if read_only and path is not None:
        return GraphStore.open_read_only(path, iris)
    return GraphStore(path, iris)
