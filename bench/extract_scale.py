#!/usr/bin/env python3
"""Extraction time against mentions per document (not a test): linear, or one file stalls an ingest.

    .venv/bin/python bench/extract_scale.py [--sizes 10000,50000,200000]

One document citing the same 50 resolutions again and again (`Thực hiện Nghị quyết số 1-NQ/TW; …`),
and one citing every mention a different công văn (`số 1/UBND-VX ngày 12/3/2021, …`): seconds and µs
per mention at each size. Linear means the µs per mention stay flat. Also run by bench/run.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.extract import extract_text  # noqa: E402
from graph.vocab import load  # noqa: E402

SHAPES: dict[str, tuple[str, Callable[[int], str]]] = {
    "repeated": ("; ", lambda i: f"Nghị quyết số {i % 50 + 1}-NQ/TW"),
    "distinct": (", ", lambda i: f"số {i + 1}/UBND-VX ngày 12/3/2021"),
}


def measure(sizes: list[int]) -> list[dict[str, float | int | str]]:
    vocab = load()
    rows: list[dict[str, float | int | str]] = []
    for shape, (sep, item) in SHAPES.items():
        for n in sizes:
            text = "TỈNH ỦY BẮC NINH\nSố 12-KH/TU\n\nThực hiện " + sep.join(item(i) for i in range(n)) + ".\n"
            started = time.perf_counter()
            extract_text(text, f"{shape}-{n}.txt", vocab)
            seconds = time.perf_counter() - started
            rows.append({"shape": shape, "mentions": n, "seconds": round(seconds, 2),
                         "us_per_mention": round(seconds / n * 1e6, 1)})
    return rows


def table(rows: list[dict[str, float | int | str]]) -> str:
    lines = ["extraction against mentions per document", "| shape | mentions | s | µs/mention |",
             "|---|---:|---:|---:|"]
    lines += [f"| {r['shape']} | {r['mentions']:,} | {r['seconds']} | {r['us_per_mention']} |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,50000,200000")
    args = ap.parse_args()
    print(table(measure([int(x) for x in args.sizes.split(",")])))


if __name__ == "__main__":
    main()
