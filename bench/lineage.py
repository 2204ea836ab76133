"""Lineage benchmark at national scale (not a test): a synthetic index of N documents shaped like the
real hierarchy (central resolutions → ministry / union guidance → 34 provincial programmes → district
plans → grassroots letters), in-process. Measures the implementers first page (50 rows) and full list,
basis and path, next to a plain BFS on the same adjacency, and the restart (load of the saved index).

    .venv/bin/python bench/lineage.py [--size 1000000] [--json OUT]

The store and HTTP layers are measured by bench/store.py; a 1M-document store comes with issue 5's
generator.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import deque
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import report, spread  # noqa: E402

from graph.lineage import REL_ID, LineageIndex, Node  # noqa: E402

IMPL = frozenset({REL_ID["implements"], REL_ID["guides"]})


def synthetic(size: int, seed: int = 7) -> tuple[LineageIndex, int]:
    """An index of `size` documents; returns it and the root with the most descendants."""
    rnd = random.Random(seed)
    levels = [max(50, size // 20000), max(500, size // 2000), max(5000, size // 200), max(50000, size // 20)]
    levels.append(size - sum(levels))
    kinds = ["NQ", "HD", "CTr", "KH", "CV"]
    nodes: list[Node] = []
    edges: list[tuple[int, int, int]] = []
    layer_ids: list[list[int]] = []
    for depth, count in enumerate(levels):
        ids = []
        for _ in range(count):
            n = len(nodes)
            key = f"x-{kinds[depth].lower()}-{2000 + n % 26}-{n}"
            nodes.append(Node(iri="https://example.org/doc/" + key, key=key, symbol=f"{n}-{kinds[depth]}/X",
                              kind=kinds[depth], year=2000 + n % 26))
            ids.append(n)
        layer_ids.append(ids)
    big_root = layer_ids[0][0]
    in_big = [[big_root]]  # the big resolution's own subtree, layer by layer
    for depth in range(1, len(levels)):
        parents = layer_ids[depth - 1]
        in_big.append([])
        for child in layer_ids[depth]:
            if rnd.random() < 0.03:
                parent = rnd.choice(in_big[depth - 1])
                in_big[depth].append(child)
            else:
                parent = parents[int(rnd.paretovariate(1.2)) % len(parents)]
            edges.append((child, parent, REL_ID["guides"] if depth == 1 else REL_ID["implements"]))
            if rnd.random() < 0.3:  # extra citations to other documents one level up
                edges.append((child, rnd.choice(parents), REL_ID["cites"]))
    idx = LineageIndex.from_parts(nodes, edges, "synthetic")
    return idx, big_root


def plain_bfs(idx: LineageIndex, start: int, limit: int | None) -> list[int]:
    seen = {start}
    out = []
    q = deque([start])
    while q:
        cur = q.popleft()
        ptr, dst, rel_of = idx.inc.ptr, idx.inc.dst, idx.inc.rel
        for j in range(ptr[cur], ptr[cur + 1]):
            other, rel = dst[j], rel_of[j]
            if rel in IMPL and other not in seen:
                seen.add(other)
                out.append(other)
                if limit is not None and len(out) >= limit:
                    return out
                q.append(other)
    return out


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    xs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        xs.append((time.perf_counter() - t) * 1000)
    return xs




def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    t0 = time.perf_counter()
    idx, big = synthetic(a.size)
    built = time.perf_counter() - t0
    rnd = random.Random(1)
    roots = [rnd.randrange(len(idx.nodes) // 20) for _ in range(a.repeat)]
    descendants = len(plain_bfs(idx, big, None))
    first = timed(lambda: list(islice(idx.walk(roots.pop() if roots else big, IMPL, 10, False), 50)), a.repeat)
    first_big = timed(lambda: list(islice(idx.walk(big, IMPL, 10, False), 50)), a.repeat)
    plain_first_big = timed(lambda: plain_bfs(idx, big, 50), a.repeat)
    full = timed(lambda: list(idx.walk(big, IMPL, 100, False)), 20)
    plain_full = timed(lambda: plain_bfs(idx, big, None), 20)
    leaf = len(idx.nodes) - 1
    basis = timed(lambda: list(idx.walk(leaf, frozenset(REL_ID.values()), 10, True)), a.repeat)
    path = timed(lambda: idx.path(leaf, big, IMPL), a.repeat)
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "bench.lineage"
        t = time.perf_counter()
        idx.save(f)
        saved = time.perf_counter() - t
        t = time.perf_counter()
        again = LineageIndex.load(f)
        loaded = time.perf_counter() - t
        assert again is not None
        t = time.perf_counter()
        list(islice(again.walk(again.keys[idx.nodes[big].key], IMPL, 10, False), 50))
        first_after_load = time.perf_counter() - t
        size_mb = f.stat().st_size / 1e6
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "documents": len(idx.nodes), "edges": idx.out.count(), "build_s": round(built, 2),
        "big_root_descendants": descendants,
        **spread("first_page_random", first), **spread("first_page_big", first_big),
        **spread("plain_bfs_first_page_big", plain_first_big), **spread("full_list_big", full, 1),
        **spread("plain_bfs_full_big", plain_full, 1), **spread("basis", basis), **spread("path", path),
        "save_s": round(saved, 2), "load_s": round(loaded, 2),
        "first_page_after_load_s": round(first_after_load, 2), "index_mb": round(size_mb, 1),
        "peak_rss_mb": round(rss), "mean_first_page_ms": round(statistics.mean(first), 3),
    }
    report(result, a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
