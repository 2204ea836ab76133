"""SPARQL queries in worker processes: what one query does to its process ends with that process.

A stack overflow inside the engine, a join that never yields a row, memory without bound, an outgoing
call that never answers — in a thread each of these takes the server down or holds a slot for ever; in
a worker process the time limit and the memory limit are a SIGKILL, the CPU and memory come back at
once, the query gets a clean error and a new worker takes the slot. Workers open the store read-only
(beside the server, which keeps it open for writing), see it as it was when they opened it, and open
it again when the server's write stamp has moved. They come from a fork server that has imported
vanban already, so a replacement is ready in a few tens of milliseconds, and each runs its queries on
a thread with a large stack (legitimate deep queries pass; what is too deep is refused before, by
`sparql_check`).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import queue
import signal
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .errors import (
    QueryError,
    QueryRefused,
    QueryTimeout,
    QueryTooBig,
    RowCapExceeded,
    ServerBusy,
    StoreError,
    VanbanError,
)
from .identity import Iris
from .sparql import Limits, answer
from .store import GraphStore
from .workers import anonymous_memory, leave_with

WORKER_STACK = 512 * 1024 * 1024  # address space for the query thread's stack (only what it uses is memory)
POLL = 0.02  # seconds between looks at a running query's memory
WAITERS = 64  # requests that may wait on the workers at once; more queue for a thread
GRACE = 0.5  # seconds past the time limit before the worker is killed (it stops itself when it can)
_ERRORS: dict[str, type[VanbanError]] = {c.__name__: c for c in (
    QueryError, QueryRefused, QueryTimeout, QueryTooBig, RowCapExceeded, StoreError)}


@dataclass(frozen=True)
class Job:
    """One query, as a worker receives it."""

    query: str
    limits: Limits
    stamp: str  # the store's state now (Store.state): a worker that opened it in another state reopens
    accept: str | None = None
    fmt: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


def _serve(conn: Connection, path: str, base: str) -> None:
    """A worker's life: answer jobs until the pipe closes (or the parent goes)."""
    leave_with(os.getppid())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    threading.stack_size(WORKER_STACK)
    loop = threading.Thread(target=_loop, args=(conn, Path(path), base))
    loop.start()
    loop.join()
    os._exit(0)


def _loop(conn: Connection, path: Path, base: str) -> None:
    store: GraphStore | None = None
    opened = ""
    while True:
        try:
            job: Job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if store is None or opened != job.stamp:
                store = None
                store = GraphStore.open_read_only(path, Iris(base))
                opened = job.stamp
            body, media = answer(store, job.query, job.limits, job.accept, job.fmt,
                                 list(job.default_graphs) or None, list(job.named_graphs) or None)
            reply: tuple[str, Any, Any] = ("ok", body, media)
        except VanbanError as e:
            reply = ("error", type(e).__name__, str(e))
            if not isinstance(e, QueryTimeout | RowCapExceeded | QueryRefused):
                store = None  # whatever failed, the next query starts from a fresh open
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, ctx: Any, path: Path, base: str) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, str(path), base), daemon=True, name="vanban-query")
        self.proc.start()
        child.close()

    def alive(self) -> bool:
        return bool(self.proc.is_alive())

    def kill(self) -> int | None:
        """Stop it now (SIGKILL); its exit code."""
        with contextlib.suppress(OSError, ValueError):
            self.proc.kill()
        self.proc.join(timeout=2)
        with contextlib.suppress(OSError):
            self.conn.close()
        return self.proc.exitcode  # type: ignore[no-any-return]


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _context() -> Any:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["graph.query_pool"])
    return ctx


class QueryPool:
    """`size` worker processes over the store at `path`; `answer` waits until a worker answers, the time
    limit passes (the worker is killed) or the query takes more than `memory_bytes` (the same)."""

    def __init__(self, path: Path, base: str, size: int, memory_bytes: int | None) -> None:
        self.path, self.base, self.memory = path, base, memory_bytes
        self._ctx = _context()
        self.replaced = 0  # workers killed or lost and replaced since the start
        self.closed = False
        self._free: queue.Queue[_Worker | None] = queue.Queue()
        for _ in range(size):
            self._free.put(None)  # a slot whose worker starts when first needed
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        # threads that wait for a free worker when all are taken: their own pool, so that queries waiting
        # out their time limit never hold the threads the rest of a server needs
        self.waiting = ThreadPoolExecutor(max_workers=WAITERS, thread_name_prefix="vanban-query")
        self.waiting.submit(self._warm, size)  # the first queries need not wait for a process to start

    def _warm(self, size: int) -> None:
        for _ in range(size):
            slot = self._free.get()
            try:
                slot = slot if slot is not None else (None if self.closed else self._start())
            finally:
                self._free.put(slot)

    async def answer(self, job: Job, wait: float) -> tuple[bytes, str]:
        """The query's body and media type, or the error it earned (typed as in the worker). Waits on the
        worker's pipe in the event loop (no thread between them); a worker still running when its
        request goes away (cancelled) is killed, never handed to the next query mid-answer."""
        worker = await self._take(wait)
        keep: _Worker | None = None
        try:
            if worker is None or not worker.alive():
                if worker is not None:
                    self._retire(worker)
                worker = None
                # off the event loop: a process start is tens of milliseconds
                worker = await asyncio.get_running_loop().run_in_executor(self.waiting, self._start)
            reply = await self._exchange(worker, job)
            keep = worker
        finally:
            if keep is None and worker is not None:
                self._retire(worker)
                self._refill()
            else:
                self._free.put(keep)
        if reply[0] == "ok":
            return reply[1], reply[2]
        raise _ERRORS.get(reply[1], QueryError)(reply[2])

    async def _take(self, wait: float) -> _Worker | None:
        """A free slot: at once when there is one, else from a thread that waits for one (a slot that
        thread takes after its request went away goes back)."""
        try:
            return self._free.get_nowait()
        except queue.Empty:
            pass
        taking = self.waiting.submit(self._free.get, True, wait)
        try:
            return await asyncio.wrap_future(taking)
        except queue.Empty:
            raise ServerBusy("the endpoint is busy: every query worker stayed taken for the time limit") from None
        except asyncio.CancelledError:
            taking.add_done_callback(self._give_back)
            raise

    def _give_back(self, taking: Future[_Worker | None]) -> None:
        if not taking.cancelled() and taking.exception() is None:
            self._free.put(taking.result())

    async def _exchange(self, worker: _Worker, job: Job) -> tuple[str, Any, Any]:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = worker.conn.fileno()
        loop.add_reader(fd, _settle, ready)
        try:
            try:
                worker.conn.send(job)
            except (OSError, ValueError):
                raise self._lost(worker) from None
            deadline = time.monotonic() + job.limits.timeout + GRACE
            while not ready.done():
                left = deadline - time.monotonic()
                if left <= 0:
                    worker.kill()
                    raise QueryTimeout(f"the query ran past its {job.limits.timeout:g} s limit (its worker was "
                                       "stopped)")
                await asyncio.wait({ready}, timeout=min(POLL, left))
                used = anonymous_memory(worker.proc.pid) if self.memory and not ready.done() else None
                if used is not None and self.memory is not None and used > self.memory:
                    worker.kill()
                    raise QueryTooBig(f"the query needed more than {self.memory // 2**20:,} MB (setting "
                                      "query_memory_mb); it was stopped: narrow it, or add a LIMIT")
        finally:
            loop.remove_reader(fd)
            # an event loop may leave the pipe non-blocking (uvloop does): a reply larger than the pipe
            # would then break off mid-message
            with contextlib.suppress(OSError):
                os.set_blocking(fd, True)
        try:
            reply: tuple[str, Any, Any] = worker.conn.recv()
        except (EOFError, OSError):
            raise self._lost(worker) from None
        return reply

    def _lost(self, worker: _Worker) -> QueryError:
        code = worker.kill()
        how = f"signal {-code}" if code is not None and code < 0 else f"exit {code}"
        return QueryError(f"the query stopped the engine ({how}); nothing else was affected: it is probably "
                          "too deep or too large — simplify it")

    def _start(self) -> _Worker:
        worker = _Worker(self._ctx, self.path, self.base)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._workers.discard(worker)
            self.replaced += 1

    def _refill(self) -> None:
        """A new worker for the slot, started off the request's path (the caller answers at once)."""

        def start() -> None:
            try:
                self._free.put(None if self.closed else self._start())
            except Exception:
                self._free.put(None)

        threading.Thread(target=start, daemon=True).start()

    def close(self) -> None:
        self.closed = True
        self.waiting.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            workers, self._workers = list(self._workers), set()
        for w in workers:
            w.kill()
