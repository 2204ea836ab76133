"""Knowledge-graph benchmark (not a test): ingest rate on the real corpus, and SPARQL latency through
the HTTP endpoint next to plain pyoxigraph on the same store, in the same run.

    .venv/bin/python bench/store.py [FOLDER] [--repeat N] [--json OUT]

Queries: a lookup (one document by symbol), a 2-hop query (what cites what the seed letter 98-CV/ĐĐ
cites), and the transitive implementers of 02-NQ/TW (the fast subquery form). Each runs `--repeat`
times; the table gives p50/p95 in milliseconds and the endpoint/plain ratio.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import percentile  # noqa: E402

from graph.ingest import ingest  # noqa: E402
from graph.store import PREFIXES, GraphStore  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "corpus" / "real"
V = "PREFIX vb: <https://w3id.org/vanban/ontology#>\n"
QUERIES = {
    "lookup": V + 'SELECT ?d ?date WHERE { ?d vb:symbol "02-NQ/TW" . OPTIONAL { ?d vb:date ?date } }',
    "2-hop": V + "SELECT DISTINCT ?other ?t WHERE { <https://w3id.org/vanban/doc/lai-chau/dd/cv/2023/98> vb:relatesTo|"
    "vb:cites|vb:implements|vb:basedOn ?t . ?other vb:cites|vb:implements|vb:basedOn ?t }",
    "transitive": V + "SELECT ?doc ?symbol WHERE { { SELECT DISTINCT ?doc WHERE { ?doc (vb:implements|vb:guides)+ "
    "<https://w3id.org/vanban/doc/tw/nq/2021/02> } } OPTIONAL { ?doc vb:symbol ?symbol } }",
}




def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vanban-bench-"))
    out: dict[str, object] = {"python": platform.python_version(), "machine": platform.machine(),
                              "cores": os.cpu_count()}
    try:
        store = GraphStore(work / "store")
        t0 = time.perf_counter()
        report = ingest([a.folder, ROOT / "data" / "documents"], store)
        took = time.perf_counter() - t0
        out["ingest"] = {"documents": report.ingested, "seconds": round(took, 2),
                         "docs_per_s": round(report.ingested / took, 1), "quads": len(store),
                         "nodes": report.nodes, "links": report.links}
        print(f"ingest: {report.ingested} documents in {took:.2f} s = {report.ingested / took:.1f} docs/s; "
              f"{len(store)} quads, {report.nodes} nodes, {report.links} links")
        t0 = time.perf_counter()
        again = ingest([a.folder, ROOT / "data" / "documents"], store)
        print(f"re-ingest (all unchanged): {again.skipped} skipped in {time.perf_counter() - t0:.2f} s")
        store.flush()
        del store
        gc.collect()

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = os.environ | {"VANBAN_STORE": str(work / "store")}
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
                                   "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                                  cwd=ROOT, env=env)
        url = f"http://127.0.0.1:{port}/sparql"
        try:
            with httpx.Client(timeout=30) as client:
                for _ in range(100):
                    try:
                        client.get(f"http://127.0.0.1:{port}/")
                        break
                    except httpx.HTTPError:
                        time.sleep(0.1)
                http: dict[str, list[float]] = {}
                for name, q in QUERIES.items():
                    http[name] = []
                    for _ in range(a.repeat):
                        t = time.perf_counter()
                        r = client.post(url, data={"query": q}, headers={"accept": "application/sparql-results+json"})
                        r.raise_for_status()
                        http[name].append((time.perf_counter() - t) * 1000)
        finally:
            server.terminate()
            server.wait(timeout=10)
        plain_store = ox.Store.read_only(str(work / "store"))
        plain: dict[str, list[float]] = {}
        for name, q in QUERIES.items():
            plain[name] = []
            for _ in range(a.repeat):
                t = time.perf_counter()
                res = plain_store.query(q, use_default_graph_as_union=True, prefixes=PREFIXES)
                res.serialize(format=ox.QueryResultsFormat.JSON)
                plain[name].append((time.perf_counter() - t) * 1000)
        rows = {}
        print(f"\n{'query':<12}{'endpoint p50':>14}{'p95':>9}{'plain p50':>12}{'p95':>9}{'ratio p50':>11}")
        for name in QUERIES:
            hp50, hp95 = percentile(http[name], 50), percentile(http[name], 95)
            pp50, pp95 = percentile(plain[name], 50), percentile(plain[name], 95)
            rows[name] = {"endpoint_p50_ms": round(hp50, 3), "endpoint_p95_ms": round(hp95, 3),
                          "plain_p50_ms": round(pp50, 3), "plain_p95_ms": round(pp95, 3),
                          "ratio_p50": round(hp50 / pp50, 2), "mean_endpoint_ms": round(statistics.mean(http[name]), 3)}
            print(f"{name:<12}{hp50:>14.2f}{hp95:>9.2f}{pp50:>12.3f}{pp95:>9.3f}{hp50 / pp50:>11.1f}")
        out["sparql"] = rows
        if a.json:
            a.json.write_text(json.dumps(out, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
