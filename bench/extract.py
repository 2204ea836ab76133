"""Extraction speed over the real corpus, one process: MB/s and documents/s (a benchmark, not a test).

    .venv/bin/python bench/extract.py [FOLDER] [--rounds N] [--json OUT]

Reads every file once into memory first (so disk speed is not measured), then extracts them all
`--rounds` times and reports the best and the median round.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.extract import extract_source  # noqa: E402
from graph.text import decode, prepare  # noqa: E402
from graph.vocab import load  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "corpus" / "real"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    a = ap.parse_args()
    files = sorted(p for p in a.folder.rglob("*") if p.is_file() and p.suffix in (".txt", ".md"))
    if not files:
        print(f"no documents under {a.folder}", file=sys.stderr)
        return 2
    raw = [(str(p), p.read_bytes()) for p in files]
    size = sum(len(b) for _, b in raw)
    vocab = load()
    extract_source(prepare(decode(raw[0][1], raw[0][0]), raw[0][0]), vocab)  # warm the pattern caches
    rounds = []
    for _ in range(a.rounds):
        t0 = time.perf_counter()
        for name, data in raw:
            extract_source(prepare(decode(data, name), name), vocab)
        rounds.append(time.perf_counter() - t0)
    best, median = min(rounds), statistics.median(rounds)
    result = {
        "documents": len(raw),
        "bytes": size,
        "rounds": a.rounds,
        "best_s": round(best, 3),
        "median_s": round(median, 3),
        "mb_per_s_best": round(size / 1e6 / best, 2),
        "mb_per_s_median": round(size / 1e6 / median, 2),
        "docs_per_s_median": round(len(raw) / median, 1),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    print(f"{len(raw)} documents, {size / 1e6:.2f} MB, {a.rounds} rounds, one process")
    print(f"  median {median:.2f} s: {result['mb_per_s_median']} MB/s, {result['docs_per_s_median']} documents/s")
    print(f"  best   {best:.2f} s: {result['mb_per_s_best']} MB/s")
    if a.json:
        a.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
