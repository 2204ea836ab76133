"""Writing to a store and keeping its indexes in step: the one path the CLI and the server's admin routes
both take (ingest, remove → lineage index → search index), and the file by which a running server
says it holds a store, so that the CLI sends its writes there instead of failing on the store's lock.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .ingest import IngestReport, PagesSeen, Progress, ingest, remove, source_name
from .lineage import Collector, LineageIndex
from .read import ReadLimits
from .search import SearchIndex
from .store import Store
from .validity import write_validity_graph


def lineage_path(store: Path) -> Path:
    return Path(str(store) + ".lineage")


def search_path(store: Path) -> Path:
    return Path(str(store) + ".search")


def server_file(store: Path) -> Path:
    return Path(str(store) + ".server.json")


@dataclass(frozen=True)
class Indexes:
    """Where a store's derived indexes live (None: in memory, rebuilt on open)."""

    lineage: Path | None
    search: SearchIndex

    @classmethod
    def beside(cls, store: Store) -> Indexes:
        if store.home is None:
            return cls(None, SearchIndex(None))
        return cls(lineage_path(store.home), SearchIndex(search_path(store.home)))


def ingest_files(
    paths: Iterable[Path], store: Store, indexes: Indexes, *, progress: Progress | None = None,
    workers: int | None = None, limits: ReadLimits | None = None, on_pages: PagesSeen | None = None,
    allow_marked: bool = False, name_of: Callable[[Path], str] = source_name, cluster: str | None = None,
    cluster_files: str = "bytes",
) -> tuple[IngestReport, LineageIndex]:
    """Ingest, then extend the lineage index by what was written (rebuilt when something was replaced)
    and bring the search index in step."""
    empty_before, collected = store.is_empty(), Collector()
    report = ingest(paths, store, progress=progress, workers=workers, collect=collected.add_nquads, limits=limits,
                    on_pages=on_pages, allow_marked=allow_marked, name_of=name_of, cluster=cluster,
                    cluster_files=cluster_files)
    t0 = time.perf_counter()
    if indexes.lineage is not None:
        idx = LineageIndex.refresh(store, indexes.lineage, report.since, report.added,
                                   replaced=bool(report.replaced), collected=collected, empty_before=empty_before)
    else:
        idx = LineageIndex.open(store, None)
    report.seconds["lineage index"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    indexes.search.sync(idx)
    report.seconds["search index"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_validity_graph(store, idx)
    report.seconds["validity graph"] = time.perf_counter() - t0
    return report, idx


def remove_files(paths: Iterable[Path], store: Store, indexes: Indexes) -> tuple[list[str], LineageIndex]:
    removed = remove(paths, store)
    idx = LineageIndex.open(store, indexes.lineage)
    indexes.search.sync(idx)
    write_validity_graph(store, idx)
    return removed, idx


# -- the running server ------------------------------------------------------------------------------


def announce(store: Path, url: str, token: str) -> Path:
    """Say that this process serves `store` at `url` (removed by `withdraw` when it stops), with a token
    for local admin writes readable by this user only: the CLI on this machine writes through the server
    without a configured admin token, and nobody else learns it."""
    path = server_file(store)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"url": url, "pid": os.getpid(), "token": token}, f)
    tmp.replace(path)
    return path


def local_token(store: Path) -> str | None:
    try:
        token = json.loads(server_file(store).read_text(encoding="utf-8")).get("token")
    except (OSError, ValueError, AttributeError):
        return None
    return str(token) if token else None


def withdraw(store: Path) -> None:
    path = server_file(store)
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def running_server(store: Path) -> str | None:
    """The URL of the server that holds `store`, when one is running (a stale file is ignored)."""
    try:
        info = json.loads(server_file(store).read_text(encoding="utf-8"))
        pid, url = int(info["pid"]), str(info["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return url
