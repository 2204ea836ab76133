#!/usr/bin/env python3
"""Many clients at once against a real server (not a test; run by hand and by `make bench`).

    .venv/bin/python bench/load.py [--clients 50] [--requests 10000] [--rounds 2] [--corpus DIR]

The store is the real corpus (../shared/corpus/real, else data/documents) ingested once under
var/bench/load/; the server is `uvicorn api.app:create_app` as `make run` starts it (query worker
processes included). `--clients` connections send a mix of what analysts do — a document, its
implementers, its basis, a search, the counts, small SPARQL lookups and a 2-hop SPARQL join — for
`--rounds` rounds of `--requests` requests each. Prints requests/s, p50/p95/p99, errors by status and
the server's RSS (with its query workers) after each round: flat RSS and 0 errors are the point.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import free_port, tree_rss_mb  # noqa: E402

PREFIX = "PREFIX vb: <https://w3id.org/vanban/ontology#>\n"


def build_store(corpus: Path, work: Path) -> Path:
    store = work / "store"
    stamp = work / "corpus.txt"
    if store.exists() and stamp.exists() and stamp.read_text() == str(corpus.resolve()):
        return store
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    subprocess.run([sys.executable, "-m", "graph", "ingest", "--quiet", "--store", str(store), str(corpus)],
                   cwd=ROOT, check=True)
    stamp.write_text(str(corpus.resolve()))
    return store


def start(store: Path, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {"VANBAN_STORE": str(store)}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def requests_mix(base: str, n: int, seed: int) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, url, kwargs) for n requests, drawn from the documents the store holds."""
    docs = httpx.get(base + "/api/documents", params={"limit": 100000}, timeout=60).json()["items"]
    keys = [d["key"] for d in docs]
    landmarks = [d["key"] for d in sorted(docs, key=lambda d: -int(d.get("cited_by_total") or 0))[:20]]
    symbols = [d["symbol"] for d in docs if d.get("symbol")]
    words = ["nghị quyết", "nghi quyet 02", "kế hoạch", "công đoàn", "chương trình hành động", "quy chế",
             "hướng dẫn", "thông tri", "bảo hiểm", "chuyển đổi số"]
    rng = random.Random(seed)
    out: list[tuple[str, str, dict[str, Any]]] = []
    for _ in range(n):
        r = rng.random()
        if r < 0.25:
            out.append(("GET", f"{base}/api/documents/{rng.choice(keys)}", {}))
        elif r < 0.40:
            out.append(("GET", f"{base}/api/documents/{rng.choice(landmarks)}/implementers", {"params": {"limit": 50}}))
        elif r < 0.50:
            out.append(("GET", f"{base}/api/documents/{rng.choice(keys)}/basis", {}))
        elif r < 0.65:
            out.append(("GET", f"{base}/api/documents", {"params": {"q": rng.choice(words), "limit": 20}}))
        elif r < 0.70:
            out.append(("GET", f"{base}/api/stats", {}))
        elif r < 0.90:
            sym = rng.choice(symbols).replace('"', "")
            q = PREFIX + f'SELECT ?d ?date WHERE {{ ?d vb:symbol "{sym}" . OPTIONAL {{ ?d vb:date ?date }} }}'
            out.append(("GET", f"{base}/sparql", {"params": {"query": q},
                                                   "headers": {"accept": "application/sparql-results+json"}}))
        else:
            iri = f"https://w3id.org/vanban/doc/{rng.choice(landmarks).replace('-', '/')}"
            q = PREFIX + f"SELECT DISTINCT ?b WHERE {{ ?a vb:implements <{iri}> . ?b vb:implements ?a }} LIMIT 100"
            out.append(("POST", f"{base}/sparql", {"data": {"query": q},
                                                    "headers": {"accept": "application/sparql-results+json"}}))
    return out


def _wire(base: str, method: str, url: str, kwargs: dict[str, Any]) -> bytes:
    """The request as bytes on the wire (built once, before the clock starts)."""
    built = httpx.Request(method, url, params=kwargs.get("params"), data=kwargs.get("data"),
                          headers=kwargs.get("headers"))
    target = built.url.raw_path.decode()
    host = built.url.netloc.decode()
    body = built.read()
    head = [f"{method} {target} HTTP/1.1", f"host: {host}"]
    head += [f"{k}: {v}" for k, v in built.headers.items() if k.lower() not in ("host", "content-length")]
    if body:
        head.append(f"content-length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, wire: bytes) -> int:
    """One request on a kept-alive connection; the status (the body read by its content-length)."""
    writer.write(wire)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def run_round(base: str, todo: list[tuple[str, str, dict[str, Any]]], clients: int) -> dict[str, Any]:
    """`clients` connections, each sending its next request when the last is answered. The client is a
    few lines over asyncio streams: a general HTTP client costs more CPU per request than the server
    does, and on one machine it would measure itself."""
    wires = [_wire(base, m, u, kw) for m, u, kw in todo]
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    host, port = base.split("//", 1)[1].split(":")
    next_one = iter(range(len(wires)))

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for i in next_one:
                t0 = time.perf_counter()
                try:
                    key = str(await _exchange(reader, writer, wires[i]))
                except (OSError, asyncio.IncompleteReadError, ValueError) as e:
                    key = type(e).__name__
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                latencies.append(time.perf_counter() - t0)
                statuses[key] = statuses.get(key, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    seconds = time.perf_counter() - started
    latencies.sort()

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1)

    errors = sum(v for k, v in statuses.items() if k != "200")
    return {"requests": len(latencies), "seconds": round(seconds, 2), "rps": round(len(latencies) / seconds, 1),
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99), "errors": errors, "statuses": statuses}


def measure(clients: int, requests: int, rounds: int, corpus: Path, work: Path) -> dict[str, Any]:
    store = build_store(corpus, work)
    port = free_port()
    proc = start(store, port)
    base = f"http://127.0.0.1:{port}"
    try:
        warm = requests_mix(base, 500, seed=1)
        asyncio.run(run_round(base, warm, clients))
        rss = [round(tree_rss_mb(proc.pid), 1)]
        out: dict[str, Any] = {"clients": clients, "corpus": str(corpus), "rounds": []}
        for n in range(rounds):
            result = asyncio.run(run_round(base, requests_mix(base, requests, seed=100 + n), clients))
            rss.append(round(tree_rss_mb(proc.pid), 1))
            result["rss_mb_after"] = rss[-1]
            out["rounds"].append(result)
        out["rss_mb_after_warmup"] = rss[0]
        return out
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def table(result: dict[str, Any]) -> str:
    lines = [f"load: {result['clients']} clients, mixed REST + SPARQL + search on {result['corpus']} "
             f"(server RSS after warm-up {result['rss_mb_after_warmup']} MB, workers included)",
             "| round | requests | req/s | p50 ms | p95 ms | p99 ms | errors | RSS after (MB) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for i, r in enumerate(result["rounds"], 1):
        lines.append(f"| {i} | {r['requests']:,} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | "
                     f"{r['errors']} | {r['rss_mb_after']} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=2)
    real = ROOT.parent / "shared" / "corpus" / "real"
    ap.add_argument("--corpus", type=Path, default=real if real.is_dir() else ROOT / "data" / "documents")
    ap.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "load")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    result = measure(args.clients, args.requests, args.rounds, args.corpus, args.work)
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
