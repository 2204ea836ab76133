"""A writer's output as chunks for a reader in another thread: how a store's dump reaches an HTTP response
while the engine is still writing it."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import StoreError

_END = object()


class _Pipe:
    """A file-like object a writer thread fills and a reader drains, a megabyte at a time; writing fails
    once the reader has gone (so the writer stops)."""

    CHUNK = 1 << 20

    def __init__(self) -> None:
        self.queue: queue.Queue[object] = queue.Queue(maxsize=8)
        self.gone = threading.Event()
        self._buf = bytearray()

    def write(self, data: bytes) -> int:
        self._buf += data
        if len(self._buf) >= self.CHUNK:
            self._put(bytes(self._buf))
            self._buf.clear()
        return len(data)

    def flush(self) -> None:
        """Oxigraph flushes at the end; chunks leave when they are full or the writer ends."""

    def _put(self, item: object) -> None:
        while True:
            if self.gone.is_set():
                raise BrokenPipeError("the reader stopped")
            try:
                self.queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def end(self, error: BaseException | None = None) -> None:
        if error is None and self._buf:
            self._put(bytes(self._buf))
        self._put(_END if error is None else error)


def piped(write: Callable[[Any], object]) -> Iterator[bytes]:
    """What `write(file)` writes, as chunks, the writing done in a thread beside the reader."""
    pipe = _Pipe()

    def run() -> None:
        error: BaseException | None = None
        try:
            write(pipe)
        except BaseException as e:  # handed to the reader, which raises it
            error = StoreError(f"the store could not be written out: {e}")
        with contextlib.suppress(BrokenPipeError):  # the reader stopped first: nothing to hand over
            pipe.end(error)

    thread = threading.Thread(target=run, name="vanban-dump", daemon=True)
    thread.start()
    try:
        while (item := pipe.queue.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, bytes)
            yield item
    finally:
        pipe.gone.set()
        thread.join()
