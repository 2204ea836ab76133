"""OCR-heavy ingest on a Dask cluster: the scanned samples of ../shared/corpus/formats (SCAN_*.pdf) ingested
with `--cluster local:1` and `--cluster local:2` (one Tesseract process per task: the cluster is the
parallelism), beside a local ingest; pages per second, and from them an estimate for a national OCR job.

    .venv/bin/python bench/cluster.py [--corpus ../shared/corpus/formats] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VANBAN = ROOT / ".venv" / "bin" / "vanban"


def pages(files: list[Path]) -> int:
    import pypdfium2 as pdfium

    total = 0
    for f in files:
        doc = pdfium.PdfDocument(str(f))
        total += len(doc)
        doc.close()
    return total


def run(files: list[Path], extra: list[str]) -> float:
    with tempfile.TemporaryDirectory(prefix="vanban-cluster-") as tmp:
        folder = Path(tmp) / "scans"
        folder.mkdir()
        for f in files:
            shutil.copy(f, folder / f.name)
        t = time.perf_counter()
        done = subprocess.run([str(VANBAN), "ingest", str(folder), "--quiet", "--store", str(Path(tmp) / "store"),
                               "--ocr-workers", "1", *extra], capture_output=True, text=True, check=False)
        took = time.perf_counter() - t
        if done.returncode != 0 or f"{len(files)} ingested" not in done.stdout:
            raise RuntimeError(f"ingest {extra}: {done.stdout[-300:]} {done.stderr[-600:]}")
        return took


def measure(corpus: Path, repeat: int = 1) -> dict[str, Any]:
    files = sorted(corpus.glob("SCAN_*.pdf"))
    if not files:
        return {"skipped": f"no SCAN_*.pdf in {corpus}"}
    n_pages = pages(files)
    out: dict[str, Any] = {"files": len(files), "pages": n_pages, "cores": os.cpu_count()}
    for name, extra in (("local, one process", ["--workers", "0"]), ("--cluster local:1", ["--cluster", "local:1"]),
                        ("--cluster local:2", ["--cluster", "local:2"])):
        took = min(run(files, extra) for _ in range(repeat))
        out[name] = {"seconds": round(took, 1), "pages_per_s": round(n_pages / took, 3)}
    one, two = out["--cluster local:1"]["pages_per_s"], out["--cluster local:2"]["pages_per_s"]
    out["speedup_2_over_1"] = round(two / one, 2)
    per_worker = two / 2  # what one worker gives when all the machine's cores work
    out["estimate_1M_pages_32_workers_hours"] = round(1_000_000 / (per_worker * 32) / 3600, 1)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "formats")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    print(json.dumps(measure(a.corpus, a.repeat), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
