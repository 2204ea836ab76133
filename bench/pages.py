"""Search and the web pages, measured: the inverted index (build, size, p50/p95 per kind of query, with
and without facets, against the scan it replaced) and, over HTTP on a real server, time to first byte of
the pages of the most implemented document (its document page, diagram data, lineage CSV), then in a
real headless Chromium: first contentful paint and the diagram drawn.

    .venv/bin/python bench/pages.py --store var/bench/store-1000000-v2     # any built store
(`bench/run.py` calls `measure` on the store of its size.)
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from common import percentile  # noqa: E402

from graph.lineage import REL_ID, LineageIndex  # noqa: E402
from graph.places import scope_of  # noqa: E402
from graph.search import Query, SearchIndex  # noqa: E402
from graph.store import GraphStore  # noqa: E402
from graph.text import strip_marks  # noqa: E402
from graph.vocab import load  # noqa: E402

SEED = 7


def timed(f: Callable[[], Any], repeat: int) -> dict[str, float]:
    xs = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        xs.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(percentile(xs, 50), 2), "p95_ms": round(percentile(xs, 95), 2), "n": len(xs)}


def queries(idx: LineageIndex, n: int) -> dict[str, list[Query]]:
    """Queries as analysts type them, from documents of the index: a symbol typed three ways, kind name
    and number, a province and kind, a word being typed, a broad word with facets."""
    rnd = random.Random(SEED)
    vocab = load()
    c = idx.nodes.columns
    picked = [m for m in rnd.sample(range(len(idx.nodes)), min(len(idx.nodes), 20 * n)) if c["symbol"][m]][:n]
    out: dict[str, list[Query]] = {"symbol as written": [], "symbol typed another way": [], "kind name + number": [],
                                   "kind + province (facets)": [], "as you type (prefix)": [],
                                   "broad word (facets)": []}
    for m in picked:
        sym, kind, key = c["symbol"][m], c["kind"][m], c["key"][m]
        number = key.rsplit("-", 1)[-1]
        code = vocab.code(kind) if kind else None
        name = code.name if code else kind
        province = scope_of(c["iri"][m])[0]
        out["symbol as written"].append(Query(sym))
        out["symbol typed another way"].append(Query(strip_marks(sym).replace("-", " ").replace("/", " ")))
        out["kind name + number"].append(Query(f"{strip_marks(name)} {number}"))
        out["kind + province (facets)"].append(Query(f"{name} {province.replace('-', ' ')}" if province else name))
        words = strip_marks(name).split()
        out["as you type (prefix)"].append(Query(f"{words[0]} {words[-1][:2]}", prefix=True))
        out["broad word (facets)"].append(Query(rnd.choice(["cong doan", "chuyen doi so", "dan van", "ke hoach"])))
    return out


def measure_search(idx: LineageIndex, path: Path, repeat: int = 200) -> dict[str, Any]:
    """Build (or bring in step) the index at `path`, then time each kind of query."""
    fresh = not path.exists()
    t = time.perf_counter()
    s = SearchIndex(path)
    changed = s.sync(idx)
    built = time.perf_counter() - t
    out: dict[str, Any] = {"documents": len(idx.nodes), "build_s" if fresh or changed else "open_s": round(built, 2),
                           "rows_written": changed,
                           "mb": round(sum(f.stat().st_size for f in path.iterdir()) / 2**20, 1)}
    per: dict[str, Any] = {}
    every: list[float] = []
    for kind, qs in queries(idx, repeat).items():
        facets = "facets" in kind
        xs = []
        for q in qs:
            t0 = time.perf_counter()
            s.search(q, 20, 0, facets)
            xs.append((time.perf_counter() - t0) * 1000)
        every += xs
        per[kind] = {"p50_ms": round(percentile(xs, 50), 2), "p95_ms": round(percentile(xs, 95), 2)}
    out["by_kind"] = per
    out["all"] = {"p50_ms": round(percentile(every, 50), 2), "p95_ms": round(percentile(every, 95), 2),
                  "n": len(every)}
    return out


def measure_validity(idx: LineageIndex, repeat: int = 200) -> dict[str, Any]:
    """Validity of random documents and of the most acted-on ones (target p95 ≤ 5 ms at 1M)."""
    from graph.validity import validity

    rnd = random.Random(SEED)
    keys = idx.nodes.columns["key"]
    acts = {REL_ID[r] for r in ("replaces", "repeals", "amends")}
    acted = [b for a in rnd.sample(range(len(idx.nodes)), min(len(idx.nodes), 50_000))
             for b, r in idx.out[a] if r in acts][:repeat]
    picked = [keys[n] for n in rnd.sample(range(len(idx.nodes)), min(repeat, len(idx.nodes)))]
    acted_keys = [keys[n] for n in acted]
    it, on = iter(range(10**9)), iter(range(10**9))
    big = landmark(idx)  # every one of its tens of thousands of citing edges is looked at
    replaced = sum(validity(idx, k)["status"] in ("replaced", "repealed") for k in acted_keys)
    return {"documents": len(picked), "acted_on": len(acted), "replaced_or_repealed": replaced,
            **timed(lambda: validity(idx, picked[next(it) % len(picked)]), len(picked)),
            "acted": timed(lambda: validity(idx, acted_keys[next(on) % len(acted_keys)]), len(acted_keys))
            if acted_keys else None,
            "landmark": timed(lambda: validity(idx, big), 20)}


def measure_coverage(idx: LineageIndex, repeat: int = 20) -> dict[str, Any]:
    """Coverage of the landmark (target p95 ≤ 100 ms at 1M), each run walking afresh (the recorded walks
    forgotten), checked against a brute-force count: a plain breadth-first walk and one loop over what it
    reaches."""
    from graph.coverage import coverage
    from graph.places import registry

    key = landmark(idx)
    t = time.perf_counter()
    got = coverage(idx, key)
    first = (time.perf_counter() - t) * 1000
    rels = frozenset({REL_ID["implements"], REL_ID["guides"]})

    def fresh() -> object:
        idx.forget_walks()
        return coverage(idx, key)

    t = time.perf_counter()
    reached = [s.node for s in idx.walk(idx.keys[key], rels, 10**6, False)]
    bfs_ms = (time.perf_counter() - t) * 1000
    c, reg, counts = idx.nodes.columns, registry(), Counter[str]()
    for n in reached:
        province = reg.province_of(scope_of(c["iri"][n])[0])
        if province:
            counts[province] += 1
    exact = got["implementers"] == len(reached) and counts == {r["province"]: r["documents"] for r in got["provinces"]}
    return {"document": key, "implementers": got["implementers"], "provinces": len(got["provinces"]),
            "provinces_without": len(got["provinces_without"]), "first_call_ms": round(first, 1),
            "plain_bfs_ms": round(bfs_ms, 1), "exact": exact, **timed(fresh, repeat)}


def landmark(idx: LineageIndex) -> str:
    impl = {REL_ID["implements"], REL_ID["guides"]}
    inc = idx.inc
    best = max(range(len(idx.nodes)), key=lambda n: sum(1 for j in range(inc.ptr[n], inc.ptr[n + 1])
                                                        if inc.rel[j] in impl))
    return str(idx.nodes.columns["key"][best])


def ttfb(client: httpx.Client, url: str, headers: dict[str, str] | None = None) -> float:
    t = time.perf_counter()
    with client.stream("GET", url, headers=headers or {}) as r:
        r.raise_for_status()
        next(r.iter_raw())
        return (time.perf_counter() - t) * 1000


def measure_pages(store: Path, key: str, repeat: int = 10) -> dict[str, Any]:
    """Over HTTP on a real server (its own process): time to first byte of each page, then first paint
    and the diagram drawn in Chromium."""
    from run import server

    out: dict[str, Any] = {"document": key}
    html = {"accept": "text/html"}
    with server(["api.app:create_app", "--factory"], {"VANBAN_STORE": str(store)}) as (base, _), \
            httpx.Client(timeout=600) as c:
        t = time.perf_counter()
        c.get(base + f"/documents/{key}", headers=html).raise_for_status()
        out["document_page_first_ms"] = round((time.perf_counter() - t) * 1000)
        for name, url, hdr in (("document page", f"/documents/{key}", html),
                               ("diagram data", f"/documents/{key}/diagram.json", None),
                               ("lineage CSV, first byte", f"/documents/{key}/lineage.csv", None),
                               ("search page", "/search?q=nghi+quyet+02", html),
                               ("home page", "/", html)):
            xs = [ttfb(c, base + url, hdr) for _ in range(repeat)]
            out[name] = {"p50_ms": round(percentile(xs, 50), 1), "p95_ms": round(percentile(xs, 95), 1)}
        out["browser"] = browser_paint(base, key)
    return out


def browser_paint(base: str, key: str) -> dict[str, Any]:
    chromium = shutil.which("chromium")
    if chromium is None:
        return {"skipped": "no chromium"}
    from playwright.sync_api import sync_playwright

    flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run"]
    runs = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=flags)
        for _ in range(3):
            pg = b.new_page(viewport={"width": 1280, "height": 860})
            t = time.perf_counter()
            pg.goto(base + f"/documents/{key}", wait_until="commit")
            pg.wait_for_selector("#cy[data-ready=true]", timeout=120_000)
            drawn = (time.perf_counter() - t) * 1000
            fcp = pg.evaluate("(() => { const e = performance.getEntriesByName('first-contentful-paint')[0];"
                              " return e ? e.startTime : null; })()")
            nodes = pg.evaluate("window.vanbanDiagram.nodes().length")
            runs.append({"first_contentful_paint_ms": round(fcp or -1), "diagram_drawn_ms": round(drawn),
                         "diagram_nodes": nodes})
            pg.close()
        b.close()
    runs.sort(key=lambda r: r["diagram_drawn_ms"])
    return runs[len(runs) // 2] | {"runs": len(runs)}


def measure(store: Path, repeat: int = 200, pages: bool = True) -> dict[str, Any]:
    idx = LineageIndex.open(GraphStore.open_read_only(store), Path(str(store) + ".lineage"))
    out = {"search": measure_search(idx, Path(str(store) + ".search"), repeat),
           "validity": measure_validity(idx, repeat), "coverage": measure_coverage(idx)}
    if not pages:
        return out
    key = landmark(idx)
    implementers = sum(1 for _ in idx.walk(idx.keys[key], frozenset({REL_ID["implements"], REL_ID["guides"]}),
                                           10, False)) - 1
    del idx
    out["pages"] = measure_pages(store, key) | {"implementers": implementers}
    return out


def table(r: dict[str, Any]) -> str:
    s, pg = r["search"], r["pages"]
    lines = [f"search index of {s['documents']} documents: "
             + (f"built in {s['build_s']} s" if "build_s" in s else f"opened in {s['open_s']} s")
             + f", {s['mb']} MB",
             f"{'search p50/p95':<46}{s['all']['p50_ms']}/{s['all']['p95_ms']} ms  (target p95 ≤ 20 ms at 1M)"]
    for kind, d in s["by_kind"].items():
        lines.append(f"  {kind:<44}{d['p50_ms']}/{d['p95_ms']} ms")
    v = r["validity"]
    lines.append(f"{'validity p50/p95':<46}{v['p50_ms']}/{v['p95_ms']} ms  (target p95 ≤ 5 ms at 1M; "
                 f"{v['documents']} random documents)")
    if v.get("acted"):
        lines.append(f"{'validity of acted-on documents p50/p95':<46}{v['acted']['p50_ms']}/{v['acted']['p95_ms']} ms"
                     f"  ({v['acted_on']} documents something replaces, repeals or amends; "
                     f"{v['replaced_or_repealed']} replaced or repealed)")
    lines.append(f"{'validity of the landmark p50/p95':<46}{v['landmark']['p50_ms']}/{v['landmark']['p95_ms']} ms")
    cv = r["coverage"]
    lines.append(f"{'coverage of the landmark p50/p95':<46}{cv['p50_ms']}/{cv['p95_ms']} ms  (target p95 ≤ 100 ms at "
                 f"1M; {cv['document']}: {cv['implementers']} implementers, {cv['provinces']} provinces, "
                 f"{cv['provinces_without']} without; exact against a brute-force count: {cv['exact']}; "
                 f"first call {cv['first_call_ms']} ms; plain BFS {cv['plain_bfs_ms']} ms)")
    lines.append(f"pages of {pg['document']} ({pg['implementers']} implementers), time to first byte p50/p95:")
    lines.append(f"  {'document page, first request':<44}{pg['document_page_first_ms']} ms")
    for name in ("document page", "diagram data", "lineage CSV, first byte", "search page", "home page"):
        lines.append(f"  {name:<44}{pg[name]['p50_ms']}/{pg[name]['p95_ms']} ms")
    b = pg["browser"]
    if "skipped" not in b:
        lines.append(f"  {'browser: first contentful paint':<44}{b['first_contentful_paint_ms']} ms  (target ≤ 1 s)")
        lines.append(f"  {'browser: diagram drawn':<44}{b['diagram_drawn_ms']} ms ({b['diagram_nodes']} nodes)")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--search-only", action="store_true", help="search only, no server")
    a = ap.parse_args()
    result = measure(a.store, a.repeat, pages=not a.search_only)
    print(table(result) if "pages" in result else json.dumps({k: result[k] for k in ("validity",)} |
                                                             {"search": result["search"]["all"]}, indent=1))
    Path(str(a.store) + ".pages.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
