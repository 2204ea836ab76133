"""The same work on each store backend: embedded Oxigraph, an Oxigraph server, Virtuoso — ingest of the
generated texts (`vanban ingest --store …`, documents/s), then `vanban serve` over the store: the REST
first page and full list of the landmark's implementers and `/sparql` lookups, p50/p95.

    .venv/bin/python bench/backends.py [--size 10000] [--repeat 50] [--work var/bench]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "tests"))

from run import VANBAN, ms, p, run_measured, server, text_corpus  # noqa: E402
from virtuoso import binary, started  # noqa: E402

LANDMARK = "tw-ct-2011-01"  # bench/generate.py's first landmark: the most implemented document
LOOKUP = 'SELECT DISTINCT ?d ?date WHERE {{ ?d vb:symbol "{symbol}" ; vb:date ?date }}'


@contextmanager
def backend(name: str, work: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """(what --store takes, the VANBAN_* settings of a server over it) for an empty store of `name`."""
    folder = work / f"backend-{name}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    index = {"VANBAN_INDEX_DIR": str(folder / "index")}
    if name == "embedded":
        yield str(folder / "store"), {"VANBAN_STORE": str(folder / "store")}
    elif name == "oxigraph-server":
        from servers import oxigraph_server

        s = oxigraph_server(folder / "data")
        try:
            yield s.base, {"VANBAN_STORE_URL": s.base} | index
        finally:
            s.stop()
    else:
        if binary() is None:
            raise SystemExit("virtuoso-t is not installed (scripts/sysdeps)")
        with started(folder, folder, memory_gb=2) as v:
            creds = {"VANBAN_STORE_USER": "dba", "VANBAN_STORE_PASSWORD": "dba", "VANBAN_STORE_AUTH": "digest"}
            yield v.endpoint, {"VANBAN_STORE_URL": v.endpoint} | creds | index
    shutil.rmtree(folder, ignore_errors=True)


def measure(name: str, texts: Path, work: Path, repeat: int) -> dict[str, Any]:
    with backend(name, work) as (store, env):
        n = sum(1 for _ in (texts / "docs").iterdir())
        argv = [str(VANBAN), "ingest", "docs", "--quiet", "--store", store]
        if "VANBAN_INDEX_DIR" in env:
            argv += ["--index-dir", env["VANBAN_INDEX_DIR"]]
        took, peak, out = run_measured(argv, cwd=texts, env=env)
        result: dict[str, Any] = {"ingest": {"documents": n, "seconds": round(took, 1),
                                             "docs_per_s": round(n / took, 1), "peak_rss_mb": round(peak),
                                             "summary": out.strip().splitlines()[0]}}
        with server(["api.app:create_app", "--factory"], env | {"VANBAN_ROW_CAP": "100000000",
                                                                   "VANBAN_QUERY_TIMEOUT": "600"}) as (base, _), \
                httpx.Client(timeout=600) as c:
            first = c.get(f"{base}/api/documents/{LANDMARK}/implementers")  # the index is built or loaded here
            first.raise_for_status()
            symbols = [i["symbol"] for i in first.json()["items"] if i.get("symbol")]
            page = f"{base}/api/documents/{LANDMARK}/implementers"
            result["first_page"] = p(ms(lambda: c.get(page).raise_for_status(), repeat))
            full = c.get(page, params={"limit": 100000, "depth": 100, "evidence": "false"}).json()
            result["full_list_rows"] = len(full["items"])
            result["full_list"] = p(ms(lambda: c.get(page, params={"limit": 100000, "depth": 100,
                                                                   "evidence": "false"}).raise_for_status(),
                                       max(5, repeat // 10)))
            it = iter(range(10**9))
            result["sparql_lookup"] = p(ms(lambda: c.post(base + "/sparql", data={
                "query": LOOKUP.format(symbol=symbols[next(it) % len(symbols)])},
                headers={"accept": "application/sparql-results+json"}).raise_for_status(), repeat))
        return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--work", type=Path, default=ROOT / "var" / "bench")
    ap.add_argument("--backends", default="embedded,oxigraph-server,virtuoso")
    a = ap.parse_args()
    texts = text_corpus(a.work, a.size)
    out = {name: measure(name, texts, a.work, a.repeat) for name in a.backends.split(",")}
    print(json.dumps(out, indent=1))
    (a.work / f"backends-{a.size}.json").write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
