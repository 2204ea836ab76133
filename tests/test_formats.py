"""Documents as people hold them, on the real originals of ../shared/corpus/formats (skipped cleanly
where ../shared is not beside the project):

- each original whose text is also in corpus/real/ (SOURCES.tsv) gives the same citations, relations,
  links and document symbol/date/kind/issuer as that text — except the differences listed below,
  each with its reason;
- the expected results of ../shared/gold-formats: citation F1 ≥ 0.90 on the scans, 1.000 on the docx;
- OCR character accuracy on the hand-transcribed sentences of the scans ≥ 0.97.
"""

from __future__ import annotations

import csv
import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from graph.extract import Extraction, extract_path
from graph.read.ocr import _tesseract
from graph.read.word import _soffice

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
FORMATS = CORPUS / "formats"
GOLD = SHARED / "gold-formats"
sys.path.insert(0, str(ROOT / "bench"))

pytestmark = pytest.mark.skipif(not FORMATS.is_dir(), reason="../shared/corpus/formats is not beside the project")

# original file → differences from its text version that are expected, each with its reason.
EXPECTED_DIFFERENCES: dict[str, dict[str, str]] = {}


def _pairs() -> list[tuple[str, str]]:
    if not FORMATS.is_dir():
        return []
    with open(FORMATS / "SOURCES.tsv", encoding="utf-8-sig", newline="") as f:
        return [(r["file"], r["same_document_as_text"]) for r in csv.DictReader(f, delimiter="\t")
                if r["same_document_as_text"]]


def _needs_tools(name: str) -> None:
    if name.endswith(".doc") and _soffice() is None:
        pytest.skip("LibreOffice is not installed (make sysdeps): .doc files cannot be read")


def summary(ex: dict[str, Any]) -> dict[str, Any]:
    """What the comparison looks at: the document's fields, each citation's relations, the links."""
    doc = ex["document"]
    return {
        "document": {k: doc[k] for k in ("symbol", "date", "kind", "issuer")},
        "citations": {c["symbol"] or "~" + (c["title"] or "")[:50]: sorted(c["relations"]) for c in ex["citations"]},
        "links": sorted((lk["from"], lk["to"], lk["relation"]) for lk in ex["links"]),
    }


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    out = [f"document {k}: {a['document'][k]!r} (original) vs {b['document'][k]!r} (text)"
           for k in a["document"] if a["document"][k] != b["document"][k]]
    for key in sorted(set(a["citations"]) | set(b["citations"])):
        if a["citations"].get(key) != b["citations"].get(key):
            out.append(f"citation {key}: {a['citations'].get(key)} (original) vs {b['citations'].get(key)} (text)")
    out += [f"link {lk} only in the original" for lk in a["links"] if lk not in b["links"]]
    out += [f"link {lk} only in the text" for lk in b["links"] if lk not in a["links"]]
    return out


@pytest.mark.parametrize(("original", "text"), _pairs(), ids=[p[0] for p in _pairs()])
def test_original_reads_as_its_text(original: str, text: str) -> None:
    _needs_tools(original)
    a = summary(extract_path(FORMATS / original).to_json())
    b = summary(extract_path(CORPUS / text).to_json())
    assert a["citations"], "no citations read at all"
    found = differences(a, b)
    expected = EXPECTED_DIFFERENCES.get(original, {})
    assert sorted(found) == sorted(expected), "\n".join(found)


def test_every_original_is_read() -> None:
    """Every file of the folder is read (the scans once, in the fixture below), with its format."""
    for f in sorted(FORMATS.iterdir()):
        if f.suffix == ".tsv" or f.name.startswith("SCAN_") or (f.suffix == ".doc" and _soffice() is None):
            continue
        ex = extract_path(f)
        assert ex.reading is not None and ex.reading.format in ("docx", "doc", "pdf", "html")
        assert ex.to_json()["document"]["source_format"] == ex.reading.format


# -- scans ------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def gold_extractions() -> dict[str, Extraction]:
    """Every file with an expected result, extracted once (the scans' OCR is the slow part)."""
    if _tesseract() is None:
        pytest.skip("Tesseract with its Vietnamese model is not installed (make sysdeps)")
    if not GOLD.is_dir():
        pytest.skip("../shared/gold-formats is not here")
    out = {}
    for g in sorted(GOLD.glob("*.json")):
        path = CORPUS / json.loads(g.read_text(encoding="utf-8"))["file"]
        out[str(path.resolve())] = extract_path(path)
    return out


def _score(extractions: dict[str, Extraction], golds: list[Path], tmp: Path) -> dict[str, Any]:
    """score.py over some expected results, answered from the extractions already made."""
    tmp.mkdir()
    cache = tmp / "extractions.json"
    cache.write_text(json.dumps({k: ex.to_json() for k, ex in extractions.items()}, ensure_ascii=False),
                     encoding="utf-8")
    subset = tmp / "gold"
    subset.mkdir()
    for g in golds:
        (subset / g.name).write_bytes(g.read_bytes())
    answer = (f"import json, os, sys; c = json.load(open({str(cache)!r}, encoding='utf-8')); "
              "[print(json.dumps(c[os.path.realpath(f)], ensure_ascii=False)) for f in sys.argv[1:]]")
    cmd = f"{shlex.quote(sys.executable)} -c {shlex.quote(answer)}"
    done = subprocess.run([sys.executable, str(SHARED / "eval" / "score.py"), "--cmd", cmd, "--gold", str(subset),
                           "--corpus", str(CORPUS), "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_gold_formats(gold_extractions: dict[str, Extraction], tmp_path: Path) -> None:
    scans = sorted(GOLD.glob("SCAN_*.json"))
    others = sorted(set(GOLD.glob("*.json")) - set(scans))
    scanned = _score(gold_extractions, scans, tmp_path / "scans")
    assert scanned["failed"] == 0 and scanned["citation_f1"] >= 0.90, scanned
    born_digital = _score(gold_extractions, others, tmp_path / "others")
    assert born_digital["citation_f1"] == 1.0, born_digital


def test_handwritten_numbers_are_left_blank(gold_extractions: dict[str, Extraction]) -> None:
    """The scans' own numbers and days are written by hand into printed blanks; OCR reads them with
    near-zero confidence, and such a number or date is left null with a warning — never a wrong one."""
    ct07 = gold_extractions[str((FORMATS / "SCAN_QuangNgai_CT-07-CT-UBND-2018.pdf").resolve())].to_json()
    assert ct07["document"]["symbol"] is None and ct07["document"]["date"] is None
    assert ct07["document"]["kind"] == "CT" and ct07["document"]["ocr"]["pages"] == 4
    assert any("handwritten" in w for w in ct07["warnings"])
    typed = gold_extractions[str((FORMATS / "SCAN_CaoBang_QD-157-QD-ND-UB-1999.pdf").resolve())].to_json()
    assert typed["document"]["symbol"] == "157/QĐ-NĐ-UB" and typed["document"]["date"] == "1999-02-22"


def test_ocr_character_accuracy(gold_extractions: dict[str, Extraction]) -> None:
    from ocr_accuracy import Score, excerpt_lines, score_text

    total = Score(0, 0)
    for ex in sorted(GOLD.glob("*.excerpts.txt")):
        scan = FORMATS / ex.name.removesuffix(".excerpts.txt")
        s = score_text(excerpt_lines(ex), gold_extractions[str(scan.resolve())].text)
        total = Score(total.chars + s.chars, total.edits + s.edits)
    assert total.chars > 5000 and total.accuracy >= 0.97, total
