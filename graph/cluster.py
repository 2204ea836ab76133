"""Reading, OCR and extraction as tasks on a Dask cluster (`vanban ingest --cluster …`): what takes
seconds a page (a scan's OCR) runs on as many workers as the cluster has; this process writes the
results to the store in file order, as a local ingest does.

- `--cluster tcp://scheduler:8786` uses a running cluster (its workers have vanban installed, of the
  same version); `--cluster local:N` starts a LocalCluster of N worker processes for this ingest.
- Files reach the workers as bytes (`files="bytes"`, the default: the workers need no shared disk) or
  by their path (`files="path"`: every worker sees the same files at the same paths).
- A worker that dies mid-task: the scheduler gives its tasks to another (Dask's own recovery); the
  client still receives each file's result once, and writes it once.
- Each file's time limit is kept by the client: a file whose result has not come within
  `ReadLimits.file_seconds` of the client starting to wait for it fails with its own line (its task is
  cancelled) and the rest go on. (Workers run tasks on threads, where a SIGALRM cannot reach.)
- RDF is built in this process, as the results come in file order: a year-less reference resolves
  against the documents written before it, so the build follows the order of writing (about a
  millisecond a document, against seconds a scanned page).
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError, VanbanError
from .read import ReadLimits, printable, read_file

AHEAD = 8  # tasks in flight per worker beyond the one being written


@dataclass(frozen=True)
class Task:
    """One file, as a worker receives it: its bytes (or only its path, on a shared disk)."""

    path: str  # as the ingest names it (relative paths stay relative in messages)
    data: bytes | None
    known_hash: str | None
    limits: ReadLimits
    location: str = ""  # where a worker reads it when no bytes come: the absolute path on the shared disk


def run_task(task: Task) -> Any:
    """What a worker does with one file: the same reading and extraction as a local ingest (a `_Read`)."""
    from .ingest import _read_and_extract_now, extract_bytes  # (the worker's one entry into vanban)

    if task.data is not None:
        return extract_bytes(task.path, task.data, task.known_hash, None, task.limits)
    return _read_and_extract_now(task.path, task.known_hash, None, task.limits, None, task.location)


class ClusterError(VanbanError):
    """The cluster cannot be reached or started."""


@contextmanager
def connected(spec: str) -> Iterator[Any]:
    """A Dask client for `spec`: `local:N` (a LocalCluster of N processes, closed at the end) or the
    address of a running scheduler."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:  # pragma: no cover (a dependency of vanban)
        raise ClusterError(f"--cluster needs dask.distributed: {e}") from None
    if spec.startswith("local:"):
        try:
            n = int(spec.split(":", 1)[1])
        except ValueError:
            raise ClusterError(f"--cluster {spec!r}: local:N takes a number of workers") from None
        if n < 1:
            raise ClusterError(f"--cluster {spec!r}: at least one worker")
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
            yield client
        return
    try:
        client = Client(spec, timeout="20s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {spec}: {e}") from None
    with client:
        yield client


def cluster_reads(jobs: list[tuple[str, str | None]], spec: str, limits: ReadLimits,
                  files: str = "bytes") -> Iterator[Any]:
    """The files' results in file order, each read and extracted by a task on the cluster; at most
    AHEAD tasks per worker are in flight (memory stays bounded however many files there are)."""
    if files not in ("bytes", "path"):
        raise ClusterError(f"files={files!r}: bytes or path")
    with connected(spec) as client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        window: deque[tuple[str, Any]] = deque()
        todo = iter(jobs)

        def submit(job: tuple[str, str | None]) -> None:
            path, known = job
            data: bytes | None = None
            if files == "bytes":
                try:
                    data = read_file(Path(path), limits)
                except InputError as e:
                    window.append((path, e.problem))
                    return
            task = Task(path, data, known, limits, "" if data is not None else str(Path(path).resolve()))
            key = f"vanban-read-{uuid.uuid4().hex[:12]}-{Path(path).name}"  # (the dashboard names the file)
            window.append((path, client.submit(run_task, task, key=key, retries=2)))

        for _ in range(workers * AHEAD):
            job = next(todo, None)
            if job is None:
                break
            submit(job)
        while window:
            path, future = window.popleft()
            yield _result(path, future, limits)
            job = next(todo, None)
            if job is not None:
                submit(job)


def _result(path: str, future: Any, limits: ReadLimits) -> Any:
    from .ingest import _Read

    if isinstance(future, str):  # the client could not read the file
        return _Read(printable(path), problem=future)
    try:
        return future.result(timeout=limits.file_seconds)
    except TimeoutError:
        future.cancel()
        return _Read(printable(path), problem=f"not read within {limits.file_seconds:g} s on the cluster "
                                              "(--file-timeout); the rest go on")
    except Exception as e:  # a task that failed on every worker it was given (a worker's crash, thrice)
        return _Read(printable(path), problem=f"failed on the cluster: {type(e).__name__}: {e}")
