#!/usr/bin/env python3
"""Reading speed per format, on the real originals of ../shared/corpus/formats (not a test).

    .venv/bin/python bench/formats.py [--corpus ../shared/corpus] [--json OUT]

- documents/s (and MB/s of original file) for .docx, .doc (LibreOffice conversion included), PDFs
  with a text layer and saved web pages: read and extracted on one core, best of three (.doc: one);
- OCR pages/s on the scans with 1 and with 2 Tesseract processes.
Also run by bench/run.py (`make bench`) as its "formats" section.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.extract import extract_reading  # noqa: E402
from graph.read import ReadLimits, read  # noqa: E402
from graph.read.sniff import sniff  # noqa: E402
from graph.vocab import load  # noqa: E402


def _groups(folder: Path) -> dict[str, list[tuple[str, bytes]]]:
    groups: dict[str, list[tuple[str, bytes]]] = {}
    for f in sorted(folder.iterdir()):
        if f.suffix.lower() not in (".docx", ".doc", ".pdf", ".htm", ".html"):
            continue
        data = f.read_bytes()
        fmt = sniff(data, f.name)
        if fmt == "pdf":
            fmt = "pdf (scan)" if f.name.startswith("SCAN_") else "pdf (text layer)"
        groups.setdefault(fmt, []).append((str(f), data))
    return groups


def reading_speed(files: list[tuple[str, bytes]], rounds: int) -> dict[str, Any]:
    v, limits = load(), ReadLimits()
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        for name, data in files:
            extract_reading(read(data, name, limits), name, v)
        best = min(best, time.perf_counter() - t)
    size = sum(len(d) for _, d in files)
    return {"documents": len(files), "docs_per_s": round(len(files) / best, 2), "mb_per_s": round(size / best / 1e6, 2)}


def ocr_speed(files: list[tuple[str, bytes]], workers: int) -> dict[str, Any]:
    limits = replace(ReadLimits(), ocr_workers=workers)
    pages = 0
    t = time.perf_counter()
    for name, data in files:
        r = read(data, name, limits)
        pages += r.ocr.pages if r.ocr else 0
    s = time.perf_counter() - t
    return {"workers": workers, "pages": pages, "seconds": round(s, 1), "pages_per_s": round(pages / s, 2)}


def measure(corpus: Path) -> dict[str, Any]:
    folder = corpus / "formats"
    if not folder.is_dir():
        return {"skipped": f"no {folder}"}
    out: dict[str, Any] = {}
    groups = _groups(folder)
    for fmt in ("docx", "doc", "pdf (text layer)", "html"):
        if fmt in groups:
            out[fmt] = reading_speed(groups[fmt], 1 if fmt == "doc" else 3)
    scans = groups.get("pdf (scan)", [])
    if scans:
        one, two = ocr_speed(scans, 1), ocr_speed(scans, min(2, os.cpu_count() or 1))
        out["ocr"] = {"1 worker": one, "2 workers": two,
                      "speedup": round(two["pages_per_s"] / one["pages_per_s"], 2) if one["pages_per_s"] else None}
    return out


def table(result: dict[str, Any]) -> str:
    if "skipped" in result:
        return f"formats: skipped ({result['skipped']})"
    lines = ["format              documents  docs/s   MB/s (original files)"]
    for fmt, r in result.items():
        if fmt != "ocr":
            lines.append(f"{fmt:<20}{r['documents']:>9}  {r['docs_per_s']:>6}  {r['mb_per_s']:>5}")
    if "ocr" in result:
        o = result["ocr"]
        for k in ("1 worker", "2 workers"):
            r = o[k]
            lines.append(f"OCR, {k:<10}  {r['pages']:>3} pages in {r['seconds']:>5} s: {r['pages_per_s']} pages/s")
        lines.append(f"OCR speed-up with 2 workers: {o['speedup']}×")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    result = measure(a.corpus)
    print(table(result))
    if a.json:
        a.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
