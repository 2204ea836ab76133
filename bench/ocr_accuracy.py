#!/usr/bin/env python3
"""OCR character accuracy on hand transcriptions of scans.

    .venv/bin/python bench/ocr_accuracy.py [--gold ../shared/gold-formats] [--corpus ../shared/corpus] [-v]

For each `NAME.excerpts.txt` (the header and every citing sentence of a scan, transcribed by hand) the
scan is read as vanban reads it, and each transcribed line is aligned with the stretch of OCR text
that matches it best (edit distance, free start and end). Accuracy = 1 − edits / characters, over all
lines; whitespace runs count as one space, line breaks as spaces. Prints per file and in total.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.read import read, read_file

GRAM = 5


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()


def excerpt_lines(path: Path) -> list[str]:
    """The transcribed lines of an excerpts file (section headings left out)."""
    return [_norm(ln) for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("===")]


def _anchor(line: str, text: str, index: dict[str, list[int]]) -> int:
    """Where in `text` the line most likely starts: the start its shared 5-grams agree on most."""
    votes: Counter[int] = Counter()
    for k in range(0, max(1, len(line) - GRAM + 1)):
        for pos in index.get(line[k : k + GRAM], ()):
            votes[pos - k] += 1
    return votes.most_common(1)[0][0] if votes else 0


def fitted_edits(line: str, window: str) -> int:
    """Edit distance between `line` and its best-matching substring of `window` (free start and end)."""
    prev = [0] * (len(window) + 1)
    for i, ch in enumerate(line, 1):
        cur = [i] + [0] * len(window)
        for j, wc in enumerate(window, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ch != wc))
        prev = cur
    return min(prev)


@dataclass(frozen=True)
class Score:
    chars: int
    edits: int

    @property
    def accuracy(self) -> float:
        return 1 - self.edits / self.chars if self.chars else 1.0


def score_text(lines: list[str], text: str, verbose: bool = False) -> Score:
    flat = _norm(text)
    index: dict[str, list[int]] = {}
    for k in range(len(flat) - GRAM + 1):
        index.setdefault(flat[k : k + GRAM], []).append(k)
    chars = edits = 0
    for line in lines:
        start = _anchor(line, flat, index)
        window = flat[max(0, start - 40) : start + len(line) + 40]
        e = min(fitted_edits(line, window), len(line))
        chars, edits = chars + len(line), edits + e
        if verbose and e:
            print(f"    {e:3d} edits  {line[:90]}")
    return Score(chars, edits)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    here = Path(__file__).resolve().parent.parent
    ap.add_argument("--gold", type=Path, default=here.parent / "shared" / "gold-formats")
    ap.add_argument("--corpus", type=Path, default=here.parent / "shared" / "corpus")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    total = Score(0, 0)
    for ex in sorted(args.gold.glob("*.excerpts.txt")):
        scan = args.corpus / "formats" / ex.name.removesuffix(".excerpts.txt")
        reading = read(read_file(scan), str(scan))
        s = score_text(excerpt_lines(ex), reading.text, args.verbose)
        conf = reading.ocr.mean_confidence if reading.ocr else float("nan")
        print(f"{scan.name:<45} chars {s.chars:5d}  edits {s.edits:4d}  accuracy {s.accuracy:.4f}  "
              f"(Tesseract's mean word confidence {conf:.1f})")
        total = Score(total.chars + s.chars, total.edits + s.edits)
    print(f"{'total':<45} chars {total.chars:5d}  edits {total.edits:4d}  accuracy {total.accuracy:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
