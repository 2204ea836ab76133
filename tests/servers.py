"""A real vanban server for tests: uvicorn on a free loopback port over an on-disk store, as `make run`
starts it (query worker processes included)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    proc: subprocess.Popen[bytes]

    def rss(self) -> int:
        """The server process's resident memory in bytes (its query workers not counted)."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))

    def children(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True)
        return [int(x) for x in out.stdout.split()]

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it; a server that does not stop in 15 s fails the test."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail("the server did not stop within 15 s of SIGTERM")


def serve(store: Path | None, **settings: str) -> Server:
    """Start a server over `store` (None: the remote store VANBAN_STORE_URL names) with these VANBAN_*
    settings; fail the test if it does not come up."""
    port = free_port()
    env = os.environ | {"VANBAN_STORE": str(store or ""), "VANBAN_SERVE_URL": f"http://127.0.0.1:{port}"} | settings
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    _up(proc, lambda: httpx.get(base + "/", timeout=1).status_code < 500, "the server")
    return Server(base, proc)


def _up(proc: subprocess.Popen[bytes], probe: Callable[[], bool], what: str) -> None:
    """Wait until `probe` answers true (30 s at most); fail the test with the process's last words."""
    deadline = time.monotonic() + 30
    while True:
        try:
            if probe():
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            err = proc.stderr.read().decode() if proc.stderr else ""
            proc.kill()
            pytest.fail(f"{what} did not start: {err[-2000:]}")
        time.sleep(0.05)


# -- SPARQL 1.1 servers a remote store lives on -----------------------------------------------------

OXIGRAPH = Path(sys.executable).parent / "oxigraph"  # the `oxigraph` package's server binary (dev deps)


def oxigraph_server(folder: Path) -> Server:
    """`oxigraph serve` on a free loopback port over a data folder of its own (its URL is `base`)."""
    if not OXIGRAPH.exists():
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph: in the dev dependencies)")
    port = free_port()
    proc = subprocess.Popen([str(OXIGRAPH), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    _up(proc, lambda: httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=1).status_code == 200,
        "oxigraph serve")
    return Server(url, proc)


def virtuoso_started(folder: Path, max_rows: int = 100_000_000) -> Any:
    """Virtuoso Open Source on loopback ports with a data folder of its own (bench/virtuoso.py's), as a
    context manager; skipped where Debian's virtuoso-opensource-7-bin is not installed."""
    sys.path.insert(0, str(ROOT / "bench"))
    from virtuoso import binary, started

    if binary() is None:
        pytest.skip("virtuoso-t is not installed (scripts/sysdeps installs virtuoso-opensource-7-bin)")
    return started(folder, folder, memory_gb=1, max_rows=max_rows)
