"""One benchmark run that puts every figure side by side (not a test; `make bench SIZE=…`).

    .venv/bin/python bench/run.py [--size 10000] [--text-size N] [--work var/bench] [--json OUT]

In one run, on documents from bench/generate.py (seed 7):
- extraction: documents/s and MB/s on one core (generated texts; the real corpus too when ../shared is
  there);
- reading: documents/s per format on the originals of ../shared/corpus/formats (docx, doc, text PDFs,
  web pages) and OCR pages/s with 1 and 2 Tesseract processes (bench/formats.py);
- ingest from text (`vanban ingest`, end to end, worker processes included): documents/s, peak RSS;
- bulk load of `--size` already-built documents (`vanban load` of generate.py --graph): seconds per
  phase, peak RSS; store size on disk;
- cold start: open the store and load the lineage index, then answer a first page (fresh process);
- implementers first page (50 rows + metadata) and full list, basis and path: p50/p95 in-process and
  over HTTP, next to a plain BFS on the same adjacency and the SPARQL property path on the same store;
- SPARQL lookup / 2-hop / transitive: through /sparql, plain pyoxigraph in-process, plain pyoxigraph
  behind the same HTTP server (bench/plain_server.py), rdflib's in-memory Dataset where it fits;
- export time per format (the lineage subgraph of the ~30k-descendant resolution; the whole graph as
  N-Quads up to 100k documents).

Generated corpora and stores are kept under --work and reused when the size and seed match.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

import httpx
import orjson
import pyoxigraph as ox

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from common import free_port, percentile, tree_rss_mb  # noqa: E402
from extract_scale import measure as measure_scale  # noqa: E402
from extract_scale import table as scale_table  # noqa: E402
from formats import measure as measure_formats  # noqa: E402
from formats import table as formats_table  # noqa: E402
from generate import VERSION, generate, write_graph  # noqa: E402
from load import measure as measure_load  # noqa: E402
from load import table as load_table  # noqa: E402
from pages import measure as measure_pages  # noqa: E402
from pages import table as pages_table  # noqa: E402
from virtuoso import measure as measure_virtuoso  # noqa: E402

from graph.documents import (  # noqa: E402
    DEFAULT_DOWN,
    DEFAULT_UP,
    details,
    lineage_columns,
    lineage_page,
    relation_set,
    resolve,
)
from graph.export import FORMATS, export  # noqa: E402
from graph.extract import extract_reading  # noqa: E402
from graph.lineage import REL_ID, LineageIndex  # noqa: E402
from graph.read import read  # noqa: E402
from graph.store import PREFIXES, GraphStore  # noqa: E402
from graph.vocab import load  # noqa: E402

VANBAN = str(Path(sys.executable).with_name("vanban"))
DOWN = relation_set(None, DEFAULT_DOWN)
UP = relation_set(None, DEFAULT_UP)
SEED = 7
RDFLIB_MAX_QUADS = 2_000_000  # rdflib holds ~1 KB per quad: beyond this it does not fit comfortably
FULL_TARGET = 30_000  # the full list is measured on the resolution whose descendants are nearest this


# -- helpers ---------------------------------------------------------------------------------------


def ms(f: Callable[[], Any], repeat: int, budget_s: float = 30.0) -> list[float]:
    """Timings of `repeat` calls in ms — fewer (at least 5) when they pass `budget_s` in all."""
    out: list[float] = []
    started = time.perf_counter()
    for i in range(repeat):
        t = time.perf_counter()
        f()
        out.append((time.perf_counter() - t) * 1000)
        if i >= 4 and time.perf_counter() - started > budget_s:
            break
    return out


def p(xs: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(xs, 50), 3), "p95_ms": round(percentile(xs, 95), 3), "runs": len(xs)}


def run_measured(cmd: list[str], cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run a command; its wall time, the peak RSS of its process tree (sampled every 0.1 s), stdout."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=os.environ | (env or {}))
    peak = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.1):
            peak = max(peak, tree_rss_mb(proc.pid))

    t = threading.Thread(target=sample, daemon=True)
    started = time.perf_counter()
    t.start()
    out, err = proc.communicate()
    took = time.perf_counter() - started
    stop.set()
    t.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return took, peak, out


def disk_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


@contextmanager
def server(args: list[str], env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A uvicorn server on a free loopback port, up before the block and stopped after it."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", *args, "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], cwd=ROOT, env=os.environ | env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900  # a fresh 1M store builds its search index first (about a minute)
        with httpx.Client(timeout=60) as c:
            while True:
                try:
                    c.get(base + "/")
                    break
                except httpx.HTTPError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"the server on {base} did not start") from None
                    time.sleep(0.1)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def peak_rss_of(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


# -- corpora ---------------------------------------------------------------------------------------


def text_corpus(work: Path, size: int) -> Path:
    folder = work / f"text-{size}-{SEED}-v{VERSION}"
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        docs = folder / "docs"
        docs.mkdir(parents=True)
        for doc, text in generate(size, SEED):
            (docs / f"{doc.n:07d}.txt").write_text(text, encoding="utf-8")
        (folder / "done").write_text("")
    return folder


def graph_dump(work: Path, size: int) -> Path:
    folder = work / f"graph-{size}-{SEED}-v{VERSION}"
    if not (folder / "graph.nq").exists():
        write_graph(folder, size, SEED, os.cpu_count() or 1)
    return folder / "graph.nq"


# -- measurements ----------------------------------------------------------------------------------


def extraction(texts: Path, sample: int) -> dict[str, Any]:
    v = load()
    out: dict[str, Any] = {}
    corpora = {"generated": sorted((texts / "docs").glob("*.txt"))[:sample]}
    real = ROOT.parent / "shared" / "corpus" / "real"
    if real.is_dir():
        corpora["real corpus"] = sorted(x for x in real.rglob("*") if x.suffix in (".txt", ".md"))
    for name, files in corpora.items():
        data = [(f.read_bytes(), str(f)) for f in files]
        size = sum(len(b) for b, _ in data)
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            for raw, path in data:
                extract_reading(read(raw, path), path, v)
            best = min(best, time.perf_counter() - t)
        out[name] = {"documents": len(data), "docs_per_s": round(len(data) / best, 1),
                     "mb_per_s": round(size / best / 1e6, 2)}
    return out


def cached(store: Path, measure: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A store built by an earlier run is reused, with the figures measured when it was built
    (`--fresh` rebuilds): building 1M documents takes longer than everything else together."""
    record = Path(str(store) + ".result.json")
    if record.exists() and store.exists():
        return json.loads(record.read_text()) | {"reused": True}
    result = measure()
    record.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return result


def _phases(out: str) -> dict[str, float]:
    """The `seconds: a 1.0, b 2.0` line the CLI prints after its summary."""
    phases = {}
    for line in out.splitlines():
        if line.startswith("seconds: "):
            for part in line[len("seconds: "):].split(", "):
                k, _, v = part.rpartition(" ")
                phases[k] = float(v)
    return phases


def ingest_text(texts: Path, store: Path) -> dict[str, Any]:
    shutil.rmtree(store, ignore_errors=True)
    for suffix in (".lineage", ".lineage.quotes"):
        Path(str(store) + suffix).unlink(missing_ok=True)
    took, peak, out = run_measured([VANBAN, "ingest", "docs", "--quiet", "--store", str(store)], cwd=texts)
    n = sum(1 for _ in (texts / "docs").iterdir())
    return {"documents": n, "seconds": round(took, 1), "docs_per_s": round(n / took, 1), "phases_s": _phases(out),
            "peak_rss_mb": round(peak), "summary": out.strip().splitlines()[0], "store_mb": round(disk_mb(store))}


def bulk_load(dump: Path, store: Path) -> dict[str, Any]:
    shutil.rmtree(store, ignore_errors=True)
    for suffix in (".lineage", ".lineage.quotes"):
        Path(str(store) + suffix).unlink(missing_ok=True)
    took, peak, out = run_measured([VANBAN, "load", str(dump), "--store", str(store)])
    with dump.open("rb") as f:
        quads = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 24), b""))
    documents = int(out.split(" loaded", 1)[0]) if out.split(" loaded", 1)[0].isdigit() else 0
    return {"seconds": round(took, 1), "phases_s": _phases(out), "peak_rss_mb": round(peak),
            "quads": quads, "quads_per_document": round(quads / documents, 1) if documents else None,
            "dump_mb": round(disk_mb(dump)), "store_mb": round(disk_mb(store)),
            "lineage_mb": round(disk_mb(Path(str(store) + ".lineage")), 1),
            "quotes_mb": round(disk_mb(Path(str(store) + ".lineage.quotes")), 1),
            "summary": out.strip().splitlines()[0]}


COLD = """
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from pathlib import Path
from graph.store import GraphStore
from graph.lineage import LineageIndex
from graph.documents import lineage_page, relation_set, DEFAULT_DOWN
t1 = time.perf_counter()
store = GraphStore(Path({store!r}))
t2 = time.perf_counter()
idx = LineageIndex.open(store, Path({store!r} + ".lineage"))
t3 = time.perf_counter()
lineage_page(idx, {key!r}, upward=False, relations=relation_set(None, DEFAULT_DOWN), depth=10, limit=50,
             cursor=None)
print(t1 - t0, t2 - t1, t3 - t2, time.perf_counter() - t3)
"""


def cold_start(store: Path, key: str) -> dict[str, Any]:
    """A fresh process, three times (median): imports, opening the store, loading the index, a first page."""
    runs = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", COLD.format(root=str(ROOT), store=str(store), key=key)],
                             capture_output=True, text=True, check=True).stdout.split()
        runs.append([float(x) for x in out])
    med = [sorted(r[i] for r in runs)[1] for i in range(4)]
    return {"imports_s": round(med[0], 3), "open_store_s": round(med[1], 3), "load_index_s": round(med[2], 3),
            "open_store_and_index_s": round(med[1] + med[2], 3), "first_page_s": round(med[3], 3),
            "to_first_page_s": round(sum(med), 3)}


def descendants(idx: LineageIndex, n: int, cap: int = 10**7) -> int:
    return sum(1 for _ in islice(idx.walk(n, DOWN, 100, False), cap))


def plain_bfs(idx: LineageIndex, start: int, limit: int) -> list[int]:
    """The baseline: a bare BFS on the same adjacency, no depths, edges or metadata."""
    seen, out, q = {start}, [], deque([start])
    ptr, dst, rel = idx.inc.ptr, idx.inc.dst, idx.inc.rel
    while q:
        cur = q.popleft()
        for j in range(ptr[cur], ptr[cur + 1]):
            o = dst[j]
            if rel[j] in DOWN and o not in seen:
                seen.add(o)
                out.append(o)
                if len(out) >= limit:
                    return out
                q.append(o)
    return out


def pick(idx: LineageIndex) -> dict[str, Any]:
    """The documents the queries run on: the most implemented, the one nearest 30k descendants,
    random leaves (for basis) and leaf → root pairs (for path)."""
    impl = {REL_ID["implements"], REL_ID["guides"]}
    inc = idx.inc
    fan = sorted(range(len(idx.nodes)), key=lambda n: -sum(1 for j in range(inc.ptr[n], inc.ptr[n + 1])
                                                              if inc.rel[j] in impl))[:40]
    sizes = {n: descendants(idx, n) for n in fan}
    big = max(sizes, key=lambda n: sizes[n])
    full = min(sizes, key=lambda n: abs(sizes[n] - FULL_TARGET))
    rnd = random.Random(SEED)
    ingested = [n for n in rnd.sample(range(len(idx.nodes)), min(5000, len(idx.nodes))) if idx.nodes.ingested[n]]
    leaves = [n for n in ingested if idx.out.ptr[n + 1] > idx.out.ptr[n]][:200]
    pairs = []
    for leaf in leaves:
        up = list(idx.walk(leaf, UP, 10, True))
        if up:
            pairs.append((leaf, up[-1].node))
    return {"roots": sorted(fan, key=lambda n: -sizes[n])[:20], "sizes": sizes, "big": big, "full": full,
            "leaves": leaves, "pairs": pairs}


def sparql_queries(idx: LineageIndex, chosen: dict[str, Any]) -> dict[str, str]:
    root = idx.nodes[chosen["full"]]
    leaf = idx.nodes[chosen["leaves"][0]]
    # (in the union default graph a fact comes once per source stating it: DISTINCT, or a landmark
    # resolution cited by 40,000 sources joins 40,000 symbols with 40,000 dates)
    return {
        "lookup": f'SELECT DISTINCT ?d ?date WHERE {{ ?d vb:symbol "{leaf.symbol}" ; vb:date ?date }}',
        "2-hop": f"SELECT DISTINCT ?other ?t WHERE {{ <{leaf.iri}> vb:cites|vb:implements|vb:basedOn ?t . "
                 "?other vb:cites|vb:implements|vb:basedOn ?t } LIMIT 1000",
        "transitive": f"SELECT ?doc WHERE {{ {{ SELECT DISTINCT ?doc WHERE {{ ?doc (vb:implements|vb:guides)+ "
                      f"<{root.iri}> }} }} }}",
    }


def in_process(store_dir: Path, repeat: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    store = GraphStore(store_dir)
    idx = LineageIndex.open(store, Path(str(store_dir) + ".lineage"))
    chosen = pick(idx)
    roots, keys = chosen["roots"], [idx.nodes[n].key for n in chosen["roots"]]
    out: dict[str, Any] = {"documents": len(idx.nodes), "relations": idx.out.count(),
                           "biggest_root": {"key": idx.nodes[chosen["big"]].key,
                                            "descendants": chosen["sizes"][chosen["big"]]},
                           "full_list_root": {"key": idx.nodes[chosen["full"]].key,
                                              "descendants": chosen["sizes"][chosen["full"]]}}
    it = iter(range(10**9))

    def first_page() -> None:
        lineage_page(idx, keys[next(it) % len(keys)], upward=False, relations=DOWN, depth=10, limit=50,
                     cursor=None)

    out["first_page"] = p(ms(first_page, repeat))
    out["first_page_plain_bfs"] = p(ms(lambda: plain_bfs(idx, roots[next(it) % len(roots)], 50), repeat))
    full_key = idx.nodes[chosen["full"]].key
    limit = chosen["sizes"][chosen["full"]] + 1
    reps = max(3, repeat // 20)
    def full(evidence: bool) -> None:
        idx.forget_walks()  # each run walks afresh (a second read of the same lineage would not)
        lineage_page(idx, full_key, upward=False, relations=DOWN, depth=100, limit=limit, cursor=None,
                     evidence=evidence)

    out["full_list"] = p(ms(lambda: full(False), reps))
    out["full_list_with_quotes"] = p(ms(lambda: full(True), max(3, reps // 4)))
    out["full_list_json_bytes"] = len(orjson.dumps(lineage_page(
        idx, full_key, upward=False, relations=DOWN, depth=100, limit=limit, cursor=None, evidence=False).items))

    def full_serialised(evidence: bool) -> None:
        idx.forget_walks()
        orjson.dumps(lineage_page(idx, full_key, upward=False, relations=DOWN, depth=100, limit=limit, cursor=None,
                                  evidence=evidence).items)

    def full_columns(evidence: bool) -> None:
        idx.forget_walks()
        orjson.dumps(lineage_columns(idx, full_key, upward=False, relations=DOWN, depth=100, limit=limit,
                                     cursor=None, evidence=evidence))

    out["full_list_columns"] = p(ms(lambda: full_columns(False), reps))
    out["full_list_with_quotes_columns"] = p(ms(lambda: full_columns(True), max(3, reps // 4)))
    out["full_list_serialised"] = p(ms(lambda: full_serialised(False), reps))
    out["full_list_with_quotes_serialised"] = p(ms(lambda: full_serialised(True), max(3, reps // 4)))
    out["full_list_plain_bfs"] = p(ms(lambda: plain_bfs(idx, chosen["full"], limit), reps))
    full_iri = idx.nodes[chosen["full"]].iri
    path_q = ("SELECT ?d WHERE { { SELECT DISTINCT ?d WHERE { ?d (vb:implements|vb:guides)+ <{}> } } } "
              "LIMIT 50")
    out["first_page_sparql_path"] = p(ms(lambda: list(store.ox.query(
        path_q.replace("{}", idx.nodes[roots[next(it) % len(roots)]].iri), use_default_graph_as_union=True,
        prefixes=PREFIXES)), repeat))
    out["full_list_sparql_path"] = p(ms(lambda: list(store.ox.query(
        path_q.replace("{}", full_iri).replace("LIMIT 50", ""), use_default_graph_as_union=True,
        prefixes=PREFIXES)), reps))
    leaves = [idx.nodes[n].key for n in chosen["leaves"]]
    out["basis"] = p(ms(lambda: lineage_page(idx, leaves[next(it) % len(leaves)], upward=True, relations=UP,
                                             depth=10, limit=50, cursor=None), repeat))
    pairs = chosen["pairs"]
    out["path"] = p(ms(lambda: idx.path(*pairs[next(it) % len(pairs)], UP), repeat))
    big_key, reps = idx.nodes[chosen["big"]].key, max(5, repeat // 10)
    out["document_page_biggest"] = p(ms(lambda: details(store, idx, big_key), reps))
    vocab = load()
    refs = [f"{code.name} số {x.symbol}" for x in (idx.nodes[n] for n in roots)
            if x.symbol and x.kind and (code := vocab.code(x.kind)) is not None]
    out["resolve_first"] = p(ms(lambda: resolve(idx, refs[0], store), 1))
    out["resolve"] = p(ms(lambda: resolve(idx, refs[next(it) % len(refs)], store), reps))
    queries = sparql_queries(idx, chosen)
    plain: dict[str, Any] = {}
    for name, q in queries.items():
        plain[name] = p(ms(lambda q=q: store.ox.query(q, use_default_graph_as_union=True, prefixes=PREFIXES)
                           .serialize(format=ox.QueryResultsFormat.JSON), repeat))
    exports: dict[str, Any] = {}
    for fmt in FORMATS:
        t = time.perf_counter()
        size = sum(len(b) for b in export(store, idx, fmt, root=full_key, direction="down", depth=100))
        exports[f"subgraph {fmt}"] = {"seconds": round(time.perf_counter() - t, 2), "mb": round(size / 2**20, 1)}
    if len(idx.nodes) <= 150_000:
        for fmt in ("nq", "ttl"):
            t = time.perf_counter()
            size = sum(len(b) for b in export(store, idx, fmt))
            exports[f"whole {fmt}"] = {"seconds": round(time.perf_counter() - t, 2), "mb": round(size / 2**20, 1)}
    extra = {"plain_pyoxigraph": plain, "exports": exports, "quads": len(store),
             "keys": keys, "full_key": full_key, "leaves": leaves[:50],
             "pairs": [(idx.nodes[a].key, idx.nodes[b].key) for a, b in pairs[:50]]}
    return out, extra, queries


def rdflib_queries(store_dir: Path, queries: dict[str, str], repeat: int) -> dict[str, Any]:
    import rdflib

    plain = ox.Store.read_only(str(store_dir))
    t = time.perf_counter()
    ds = rdflib.Dataset(default_union=True)
    ds.parse(data=plain.dump(format=ox.RdfFormat.N_QUADS).decode(), format="nquads")
    out: dict[str, Any] = {"load_s": round(time.perf_counter() - t, 1)}
    prefix = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    for name, q in queries.items():
        out[name] = p(ms(lambda q=q: ds.query(prefix + q).serialize(format="json"), repeat))
    return out


def _ok(r: httpx.Response) -> None:
    """A benchmark request that failed stops the run with what the server said."""
    if r.status_code != 200:
        raise SystemExit(f"{r.request.method} {r.request.url} answered {r.status_code}: {r.text[:500]}")


def over_http(store_dir: Path, extra: dict[str, Any], queries: dict[str, str], repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    keys, leaves, pairs = extra["keys"], extra["leaves"], extra["pairs"]
    env = {"VANBAN_STORE": str(store_dir), "VANBAN_ROW_CAP": "100000000", "VANBAN_QUERY_TIMEOUT": "600"}
    with server(["api.app:create_app", "--factory"], env) as (base, proc), \
            httpx.Client(timeout=120) as c:
        it = iter(range(10**9))

        def get(path: str) -> None:
            c.get(base + path).raise_for_status()

        get(f"/api/documents/{keys[0]}/implementers")  # the index loads on the first request
        out["first_page"] = p(ms(lambda: get(f"/api/documents/{keys[next(it) % len(keys)]}/implementers"), repeat))
        reps = max(3, repeat // 20)
        out["full_list"] = p(ms(lambda: get(f"/api/documents/{extra['full_key']}/implementers?limit=100000&depth=100"
                                            "&evidence=false"), reps))
        out["basis"] = p(ms(lambda: get(f"/api/documents/{leaves[next(it) % len(leaves)]}/basis"), repeat))
        out["path"] = p(ms(lambda: get("/api/path?from={}&to={}".format(*pairs[next(it) % len(pairs)])), repeat))
        sparql: dict[str, Any] = {}
        for name, q in queries.items():
            sparql[name] = p(ms(lambda q=q: _ok(c.post(base + "/sparql", data={"query": q},
                                                       headers={"accept": "application/sparql-results+json"})),
                                repeat))
        out["sparql_endpoint"] = sparql
        out["server_peak_rss_mb"] = round(peak_rss_of(proc.pid))
    prefix = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    with server(["plain_server:app", "--app-dir", str(BENCH)], {"VANBAN_STORE": str(store_dir)}) as (base, _), \
            httpx.Client(timeout=120) as c:
        bare: dict[str, Any] = {}
        for name, q in queries.items():
            bare[name] = p(ms(lambda q=q: c.post(base + "/sparql", data={"query": prefix + q}).raise_for_status(),
                              repeat))
        out["sparql_plain_over_http"] = bare
    return out


# -- the run ---------------------------------------------------------------------------------------


def table(result: dict[str, Any]) -> str:
    """The figures that have targets, one line each, with the target next to them."""
    r = result
    ip, http = r["in_process"], r["http"]
    lines = [f"{'figure':<58}{'value':>16}  target"]

    def row(name: str, value: str, target: str = "") -> None:
        lines.append(f"{name:<58}{value:>16}  {target}")

    for name, e in r["extraction"].items():
        row(f"extraction, {name} (one core)", f"{e['mb_per_s']} MB/s", "≥ 2 MB/s per core")
        row(f"extraction, {name}", f"{e['docs_per_s']} docs/s")
    ing = r["ingest_text"]
    row(f"ingest from text, {ing['documents']} documents", f"{ing['seconds']} s",
        "100k ≤ 300 s" if ing["documents"] >= 100_000 else "")
    row("ingest from text", f"{ing['docs_per_s']} docs/s", "≥ 333 docs/s")
    row("ingest peak RSS (all processes)", f"{ing['peak_rss_mb']} MB", "≤ 4096 MB")
    bl = r["bulk_load"]
    row(f"bulk load {r['size']} built documents (bulk loader only)", f"{bl['phases_s'].get('bulk load', 0)} s",
        "1M ≤ 120 s")
    row("bulk load, whole command (+ conflicts, totals, index)", f"{bl['seconds']} s", "1M ≤ 300 s")
    row("quads per document", f"{bl.get('quads_per_document', '?')}", "≤ 40")
    row("bulk load peak RSS", f"{bl['peak_rss_mb']} MB", "≤ 4096 MB")
    row("store on disk (+ lineage index + its quotes)",
        f"{bl['store_mb']} + {bl['lineage_mb']} + {bl.get('quotes_mb', '?')} MB")
    row("cold start: open store + lineage index", f"{r['cold_start']['open_store_and_index_s']} s", "≤ 1 s")
    row("cold start: to the first page", f"{r['cold_start']['to_first_page_s']} s")
    for label, d, target in (("first page", ip["first_page"], "p95 ≤ 25 ms"),
                             ("first page, plain BFS", ip["first_page_plain_bfs"], ""),
                             ("first page, SPARQL property path", ip["first_page_sparql_path"], ""),
                             (f"full list ({ip['full_list_root']['descendants']} descendants)", ip["full_list"],
                              ""),
                             ("full list with quotes", ip["full_list_with_quotes"], ""),
                             ("full list, as JSON bytes", ip["full_list_serialised"], "≤ 60 ms"),
                             ("full list with quotes, as JSON bytes", ip["full_list_with_quotes_serialised"],
                              "≤ 150 ms"),
                             ("full list, format=columns, as JSON bytes", ip["full_list_columns"], "≤ 60 ms"),
                             ("full list with quotes, format=columns, as JSON bytes",
                              ip["full_list_with_quotes_columns"], "≤ 150 ms"),
                             ("full list, plain BFS", ip["full_list_plain_bfs"], ""),
                             ("full list, SPARQL property path", ip["full_list_sparql_path"], ""),
                             ("basis", ip["basis"], "≤ 5 ms"), ("path", ip["path"], "≤ 5 ms"),
                             ("document page of the most cited", ip["document_page_biggest"], ""),
                             ("resolve a reference, first call", ip["resolve_first"], ""),
                             ("resolve a reference", ip["resolve"], "")):
        row(f"in-process {label} p50/p95", f"{d['p50_ms']}/{d['p95_ms']} ms", target)
    for label, d, target in (("first page", http["first_page"], "p95 ≤ 40 ms"), ("full list", http["full_list"], ""),
                             ("basis", http["basis"], ""), ("path", http["path"], "")):
        row(f"HTTP {label} p50/p95", f"{d['p50_ms']}/{d['p95_ms']} ms", target)
    row("server peak RSS", f"{http['server_peak_rss_mb']} MB", "≤ 1024 MB")
    for name in r["sparql"]["endpoint"]:
        e, pl, bare = r["sparql"]["endpoint"][name], r["sparql"]["plain"][name], r["sparql"]["plain_http"][name]
        target = "≤ 1.5× plain" if name == "lookup" else "≤ 1.2× plain" if name == "transitive" else ""
        row(f"SPARQL {name}: /sparql p50", f"{e['p50_ms']} ms", target)
        row("  plain pyoxigraph in-process / over bare HTTP p50", f"{pl['p50_ms']} / {bare['p50_ms']} ms")
        row("  ratio /sparql ÷ plain in-process, ÷ plain over HTTP",
            f"{e['p50_ms'] / pl['p50_ms']:.2f}× / {e['p50_ms'] / bare['p50_ms']:.2f}×")
        rl = r["sparql"]["rdflib"]
        if name in rl:
            row("  rdflib in-memory p50", f"{rl[name]['p50_ms']} ms")
    vt = r.get("virtuoso", {})
    if "load" in vt:
        row(f"Virtuoso bulk load ({vt['load']['loaders']} loaders + checkpoint)", f"{vt['load']['seconds']} s",
            f"vanban: {bl['seconds']} s")
        row("Virtuoso database on disk", f"{vt['load']['disk_mb']} MB", f"vanban: {bl['store_mb']} MB")
        for name, d in vt["queries"].items():
            ours = r["sparql"]["endpoint"].get(name, {})
            row(f"Virtuoso SPARQL {name} p50/p95 ({d['rows']} rows)", f"{d['p50_ms']}/{d['p95_ms']} ms",
                f"/sparql {ours.get('p50_ms', '?')}/{ours.get('p95_ms', '?')} ms")
        row("  beside vanban's REST full list (same root) p50/p95",
            f"{http['full_list']['p50_ms']}/{http['full_list']['p95_ms']} ms")
    elif vt:
        row("Virtuoso", vt.get("skipped", "?"))
    for name, e in r["exports"].items():
        row(f"export {name}", f"{e['seconds']} s ({e['mb']} MB)")
    if "formats" in r:
        lines += ["", formats_table(r["formats"])]
    if "extract_scale" in r:
        lines += ["", scale_table(r["extract_scale"])]
    if "load" in r:
        lines += ["", load_table(r["load"])]
    if "pages" in r:
        lines += ["", pages_table(r["pages"])]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=10_000, help="documents in the store the queries run on")
    ap.add_argument("--text-size", type=int, default=None, help="documents ingested from text (default: "
                    "the size, at most 100,000)")
    ap.add_argument("--work", type=Path, default=ROOT / "var" / "bench")
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--json", type=Path, default=None, help="default: WORK/result-SIZE.json")
    ap.add_argument("--fresh", action="store_true", help="rebuild the stores even when an earlier run left them")
    ap.add_argument("--skip-reading", action="store_true", help="leave out the sections that do not depend on the "
                    "size (extraction, formats, extraction at scale, many clients): `make bench` measures them")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    text_size = a.text_size or min(a.size, 100_000)
    result: dict[str, Any] = {
        "size": a.size, "text_size": text_size, "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine(),
                    "cores": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PHYS_PAGES") *
                                                                os.sysconf("SC_PAGE_SIZE") / 2**30)},
    }
    step = time.perf_counter()
    target = a.json or a.work / f"result-{a.size}.json"

    def say(what: str) -> None:
        print(f"[{time.perf_counter() - step:7.1f} s] {what}", file=sys.stderr, flush=True)
        target.write_text(json.dumps(result, indent=1, ensure_ascii=False))  # what is measured so far

    say(f"text corpus of {text_size}")
    texts = text_corpus(a.work, text_size)
    say("extraction")
    result["extraction"] = extraction(texts, min(text_size, 5000))
    if not a.skip_reading:
        say("reading formats (the originals of ../shared/corpus/formats)")
        result["formats"] = measure_formats(ROOT.parent / "shared" / "corpus")
        say("extraction against mentions per document")
        result["extract_scale"] = measure_scale([10_000, 50_000, 200_000])
        say("many clients at once (bench/load.py)")
        real = ROOT.parent / "shared" / "corpus" / "real"
        result["load"] = measure_load(50, 10_000, 2, real if real.is_dir() else ROOT / "data" / "documents",
                                      a.work / "load")
    say("ingest from text")
    text_store = a.work / f"store-text-{text_size}-v{VERSION}"
    if a.fresh:
        Path(str(text_store) + ".result.json").unlink(missing_ok=True)
    result["ingest_text"] = cached(text_store, lambda: ingest_text(texts, text_store))
    store = a.work / f"store-{a.size}-v{VERSION}"
    if a.fresh:
        Path(str(store) + ".result.json").unlink(missing_ok=True)

    def load_it() -> dict[str, Any]:
        say(f"graph dump of {a.size}")
        dump = graph_dump(a.work, a.size)
        say("bulk load")
        return bulk_load(dump, store)

    result["bulk_load"] = cached(store, load_it)
    say("in-process queries")
    result["in_process"], extra, queries = in_process(store, a.repeat)
    result["exports"] = extra["exports"]
    gc.collect()  # the store closes: the servers below open it
    if extra["quads"] <= RDFLIB_MAX_QUADS:
        say("rdflib")
        extra["rdflib"] = rdflib_queries(store, queries, max(5, a.repeat // 10))
    else:
        extra["rdflib"] = {"skipped": f"{extra['quads']} quads do not fit rdflib's in-memory Dataset comfortably"}
    say("cold start")
    result["cold_start"] = cold_start(store, extra["keys"][0])
    say("over HTTP")
    http = over_http(store, extra, queries, a.repeat)
    result["http"] = {k: v for k, v in http.items() if not k.startswith("sparql")}
    result["sparql"] = {"queries": queries, "endpoint": http["sparql_endpoint"], "plain": extra["plain_pyoxigraph"],
                        "plain_http": http["sparql_plain_over_http"], "rdflib": extra["rdflib"]}
    say("Virtuoso: the same dump and queries (bench/virtuoso.py)")
    result["virtuoso"] = measure_virtuoso(graph_dump(a.work, a.size), queries, a.repeat, a.work)
    say("search and the web pages (bench/pages.py)")
    result["pages"] = measure_pages(store)
    say("done")
    text = table(result)
    print(text)
    target.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    (target.with_suffix(".txt")).write_text(text + "\n")
    print(f"\nwritten: {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
