"""Virtuoso Open Source beside vanban in the same benchmark: the system a user would pick instead.

Debian's `virtuoso-opensource-7-bin` (installed by scripts/sysdeps) is started on loopback ports with a
data directory of its own under the work folder, loads the same N-Quads dump as `vanban load` (its bulk
loader, `ld_dir` + `rdf_loader_run`, one loader per core), and answers the same SPARQL queries over its
HTTP endpoint; then it is shut down and its directory removed.

    .venv/bin/python bench/virtuoso.py DUMP.nq [--repeat 50]     # alone, on any dump
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

BUFFERS_PER_GB = 85_000  # Virtuoso's 8 KB buffers; its guide gives 680,000 for 8 GB
PREFIX = "PREFIX vb: <https://w3id.org/vanban/ontology#>\n"


def binary() -> str | None:
    return shutil.which("virtuoso-t")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Virtuoso:
    folder: Path
    isql_port: int
    endpoint: str

    def isql(self, sql: str, timeout: float = 7200) -> str:
        done = subprocess.run(["isql-vt", f"127.0.0.1:{self.isql_port}", "dba", "dba", f"exec={sql}"],
                              capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql {sql[:60]!r}: {(done.stdout + done.stderr)[-400:]}")
        return done.stdout

    def query(self, client: httpx.Client, sparql: str) -> int:
        r = client.post(self.endpoint, data={"query": PREFIX + sparql},
                        headers={"accept": "application/sparql-results+json"})
        r.raise_for_status()
        return len(r.json()["results"]["bindings"])


def _ini(folder: Path, isql_port: int, http_port: int, allowed: Path, memory_gb: int, max_rows: int) -> str:
    buffers = BUFFERS_PER_GB * memory_gb
    return f"""[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
DisableUnixSocket = 1
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {buffers * 3 // 4}
DirsAllowed = ., {folder}, {allowed}
CheckpointInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 600
"""


@contextmanager
def started(work: Path, allowed: Path, memory_gb: int = 6, max_rows: int = 100_000_000) -> Iterator[Virtuoso]:
    """A Virtuoso of its own: a fresh data directory, loopback ports, stopped and removed at the end."""
    exe = binary()
    if exe is None:
        raise RuntimeError("virtuoso-t is not installed (Debian: virtuoso-opensource-7-bin; scripts/sysdeps)")
    folder = work / "virtuoso"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    isql_port, http_port = _port(), _port()
    (folder / "virtuoso.ini").write_text(_ini(folder, isql_port, http_port, allowed, memory_gb, max_rows))
    log = (folder / "out.log").open("w")
    proc = subprocess.Popen([exe, "+foreground", "+configfile", str(folder / "virtuoso.ini")], cwd=folder,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while "Server online" not in (folder / "out.log").read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("virtuoso did not start: " + (folder / "out.log").read_text()[-400:])
            time.sleep(0.2)
        yield Virtuoso(folder, isql_port, f"http://127.0.0.1:{http_port}/sparql")
    finally:
        try:
            subprocess.run(["isql-vt", f"127.0.0.1:{isql_port}", "dba", "dba", "exec=shutdown;"],
                           capture_output=True, timeout=600, check=False)
            proc.wait(timeout=600)
        except (subprocess.TimeoutExpired, OSError):
            proc.kill()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def load(v: Virtuoso, dump: Path, loaders: int = os.cpu_count() or 1) -> dict[str, Any]:
    """The dump through Virtuoso's bulk loader (one loader per core), then a checkpoint."""
    t = time.perf_counter()
    v.isql(f"ld_dir('{dump.parent}', '{dump.name}', 'http://vanban.invalid/default');")
    with ThreadPoolExecutor(loaders) as pool:
        list(pool.map(lambda _: v.isql("rdf_loader_run();"), range(loaders)))
    v.isql("checkpoint;")
    seconds = time.perf_counter() - t
    return {"seconds": round(seconds, 1), "loaders": loaders,
            "files_failed": _scalar(v.isql("select count(*) from DB.DBA.load_list where ll_error is not null;")),
            "disk_mb": round(sum(f.stat().st_size for f in v.folder.glob("virtuoso*.db")) / 1e6)}


def _scalar(isql_output: str) -> int | None:
    """The one value an isql SELECT printed (the line after the row of underscores)."""
    lines = [x.strip() for x in isql_output.splitlines()]
    at = next((i for i, x in enumerate(lines) if x.startswith("___")), None)
    value = next((x for x in lines[at + 1:] if x), "") if at is not None else ""
    return int(value) if value.isdigit() else None


def timings(v: Virtuoso, queries: dict[str, str], repeat: int) -> dict[str, Any]:
    """p50/p95 of each query over Virtuoso's HTTP endpoint (the first run, cold, apart)."""
    out: dict[str, Any] = {}
    with httpx.Client(timeout=600) as client:
        for name, q in queries.items():
            t = time.perf_counter()
            rows = v.query(client, q)
            first = (time.perf_counter() - t) * 1000
            xs = []
            budget = time.monotonic() + 30
            for _ in range(repeat):
                t = time.perf_counter()
                v.query(client, q)
                xs.append((time.perf_counter() - t) * 1000)
                if time.monotonic() > budget:
                    break
            xs.sort()
            out[name] = {"rows": rows, "first_ms": round(first, 2), "p50_ms": round(xs[len(xs) // 2], 3),
                         "p95_ms": round(xs[min(len(xs) - 1, int(len(xs) * 0.95))], 3), "n": len(xs)}
    return out


def measure(dump: Path, queries: dict[str, str], repeat: int, work: Path) -> dict[str, Any]:
    if binary() is None:
        return {"skipped": "virtuoso-t not installed (scripts/sysdeps installs virtuoso-opensource-7-bin)"}
    with started(work, dump.parent) as v:
        loaded = load(v, dump)
        return {"load": loaded, "queries": timings(v, queries, repeat)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dump", type=Path)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--work", type=Path, default=Path(__file__).resolve().parent.parent / "var" / "bench")
    ap.add_argument("--query", action="append", default=[], help="NAME=SPARQL (vb: prefix given)")
    a = ap.parse_args()
    queries = dict(q.split("=", 1) for q in a.query) or {"count": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    print(json.dumps(measure(a.dump.resolve(), queries, a.repeat, a.work), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
