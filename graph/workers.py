"""What every worker process of vanban does about its parent: leave when it is gone."""

from __future__ import annotations

import os
import threading
import time


def leave_with(parent: int) -> None:
    """In a worker: exit when the process that started it is gone. A parent killed by SIGKILL or the OOM
    killer cannot stop its workers, and they would wait on its pipes or queues for ever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def anonymous_memory(pid: int) -> int | None:
    """Bytes of private memory a process holds (Linux `RssAnon`: its heap, not the store files it maps);
    None where /proc does not say."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"RssAnon:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
