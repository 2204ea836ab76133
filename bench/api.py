"""Implementers through the whole stack (not a test): first page in-process (index walk + evidence from
the store) and over HTTP, next to a plain BFS on the same index and the SPARQL property-path query on
the same store, in one run. Restart time (open store + load the saved index) and server RSS too.

    .venv/bin/python bench/api.py STORE [--repeat N] [--json OUT]

STORE is a folder made by `vanban ingest` (e.g. of bench/generate.py output).
"""

from __future__ import annotations

import argparse
import gc
import os
import socket
import subprocess
import sys
import time
from collections import deque
from itertools import islice
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import percentile, report, spread  # noqa: E402

from graph.documents import DEFAULT_DOWN, lineage_page, relation_set  # noqa: E402
from graph.lineage import REL_ID, LineageIndex  # noqa: E402
from graph.store import PREFIXES, GraphStore  # noqa: E402

IMPL = frozenset({REL_ID["implements"], REL_ID["guides"]})




def plain_bfs(idx: LineageIndex, start: int, limit: int) -> list[int]:
    seen, out, q = {start}, [], deque([start])
    ptr, dst, rel = idx.inc.ptr, idx.inc.dst, idx.inc.rel
    while q:
        cur = q.popleft()
        for j in range(ptr[cur], ptr[cur + 1]):
            o = dst[j]
            if rel[j] in IMPL and o not in seen:
                seen.add(o)
                out.append(o)
                if len(out) >= limit:
                    return out
                q.append(o)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store", type=Path)
    ap.add_argument("--repeat", type=int, default=100)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    lineage_path = Path(str(a.store) + ".lineage")
    t0 = time.perf_counter()
    store = GraphStore(a.store)
    idx = LineageIndex.open(store, lineage_path)
    restart = time.perf_counter() - t0
    # the documents with the most implementers
    index = idx
    roots = sorted(range(len(index.nodes)),
                   key=lambda n: -sum(1 for _, r in index.inc[n] if r in IMPL))[:20]
    big = roots[0]
    rels = relation_set(None, DEFAULT_DOWN)
    inproc, plain, sparql = [], [], []
    for i in range(a.repeat):
        key = idx.nodes[roots[i % len(roots)]].key
        t = time.perf_counter()
        lineage_page(store, idx, key, upward=False, relations=rels, depth=10, limit=50, cursor=None)
        inproc.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        plain_bfs(idx, roots[i % len(roots)], 50)
        plain.append((time.perf_counter() - t) * 1000)
        iri = idx.nodes[roots[i % len(roots)]].iri
        t = time.perf_counter()
        q = f"SELECT ?d WHERE {{ {{ SELECT DISTINCT ?d WHERE {{ ?d (vb:implements|vb:guides)+ <{iri}> }} }} }} LIMIT 50"
        list(islice(store.ox.query(q, use_default_graph_as_union=True, prefixes=PREFIXES), 50))
        sparql.append((time.perf_counter() - t) * 1000)
    descendants = sum(1 for _ in idx.walk(big, IMPL, 100, False))
    del store, idx
    gc.collect()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = os.environ | {"VANBAN_STORE": str(a.store)}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host",
                               "127.0.0.1", "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env)
    http, started = [], time.perf_counter()
    try:
        with httpx.Client(timeout=30) as client:
            while True:
                try:
                    client.get(f"http://127.0.0.1:{port}/")
                    break
                except httpx.HTTPError:
                    time.sleep(0.05)
            up = time.perf_counter() - started
            idx2 = LineageIndex.load(lineage_path)
            assert idx2 is not None
            keys = [idx2.nodes[n].key for n in roots]
            for i in range(a.repeat):
                t = time.perf_counter()
                r = client.get(f"http://127.0.0.1:{port}/api/documents/{keys[i % len(keys)]}/implementers")
                r.raise_for_status()
                http.append((time.perf_counter() - t) * 1000)
            rss = 0
            with open(f"/proc/{server.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        rss = int(line.split()[1]) // 1024
    finally:
        server.terminate()
        server.wait(timeout=10)
    out = {
        "documents": len(idx2.nodes), "root_descendants": descendants, "restart_s": round(restart, 2),
        "server_up_s": round(up, 2), "server_peak_rss_mb": rss,
        **spread("first_page_inprocess", inproc, 2), **spread("first_page_http", http, 2),
        **spread("plain_bfs", plain), **spread("sparql_path", sparql, 2),
        "ratio_http_to_inprocess_p50": round(percentile(http, 50) / percentile(inproc, 50), 2),
        "ratio_sparql_to_inprocess_p50": round(percentile(sparql, 50) / percentile(inproc, 50), 2),
    }
    report(out, a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
