"""What the benchmarks share."""

from __future__ import annotations

import os
import socket


def percentile(xs: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of a list of timings."""
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (worker processes count)."""
    total, todo = 0, [pid]
    while todo:
        cur = todo.pop()
        try:
            with open(f"/proc/{cur}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{cur}/task"):
                with open(f"/proc/{cur}/task/{task}/children") as f:
                    todo += [int(x) for x in f.read().split()]
        except (OSError, ValueError):
            continue
    return total / 2**20
