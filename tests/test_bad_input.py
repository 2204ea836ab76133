"""Bad files in a batch: each gets one line naming it and its problem; every good file still goes in;
nothing half-written reaches the store."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
from builders import docx, para, png_header, table, zip_claiming
from PIL import Image

from graph.identity import Iris
from graph.read.ocr import _tesseract
from graph.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "data" / "documents").glob("*.txt"))


def _pdf(pages: int) -> bytes:
    doc = pdfium.PdfDocument.new()
    for _ in range(pages):
        doc.new_page(595, 842)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _encrypted_pdf() -> bytes:
    w = pypdf.PdfWriter()
    w.add_blank_page(200, 200)
    w.encrypt("secret", algorithm="RC4-128")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _blank_scan() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (1240, 1754), 255).save(buf, format="PNG")
    return buf.getvalue()


EMPTY_PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
             b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

# file name → (its bytes, what the line about it must say)
BAD = {
    "locked.pdf": (_encrypted_pdf, "password-protected"),
    "broken.docx": (lambda: b"PK\x03\x04" + b"\x00not a zip" * 100, "damaged zip"),
    "bomb.docx": (lambda: zip_claiming(4_000_000_000), "zip bomb"),
    "no-pages.pdf": (lambda: EMPTY_PDF, "no pages"),
    "huge.png": (lambda: png_header(30000, 30000), "an image of 900,000,000 pixels"),
    "long.pdf": (lambda: _pdf(2000), "2000 pages; the limit is 500"),
    "blank-scan.png": (_blank_scan, "no text to read"),
    "report.pdf": (lambda: "Thực hiện Nghị quyết số 02-NQ/TW.\n".encode(), "holds plain text, not a PDF"),
}
GOOD_DOCX = docx(table([para("ỦY BAN NHÂN DÂN") + para("TỈNH LAI CHÂU") + para("Số: 12/KH-UBND"),
                        para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") + para("Lai Châu, ngày 5 tháng 3 năm 2024")])
                 + para("KẾ HOẠCH") + para("Thực hiện Chương trình hành động số 12-CTr/TU ngày 28/9/2021 của "
                                           "Ban Thường vụ Tỉnh ủy."))


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    if _tesseract() is None:
        pytest.skip("Tesseract with its Vietnamese model is not installed (make sysdeps)")
    d = tmp_path / "in"
    d.mkdir()
    for name, (make, _) in BAD.items():
        (d / name).write_bytes(make())
    for seed in SEEDS:
        (d / seed.name).write_bytes(seed.read_bytes())
    (d / "plan.docx").write_bytes(GOOD_DOCX)
    return d


def test_ingest_of_a_folder_with_every_kind_of_bad_file(folder: Path, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    done = subprocess.run([sys.executable, "-m", "graph", "ingest", str(folder), "--store", str(store_dir), "--quiet"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("vanban: ")]
    assert len(lines) == len(BAD), done.stderr
    for name, (_, problem) in BAD.items():
        line = next((ln for ln in lines if f"{folder / name}:" in ln), None)
        assert line is not None and problem in line, (name, line)
    assert f"{len(SEEDS) + 1} ingested, 0 unchanged, {len(BAD)} failed" in done.stdout
    store = GraphStore(store_dir, Iris())
    stored = {Path(s["path"]).name for s in store.sources()}
    assert stored == {s.name for s in SEEDS} | {"plan.docx"}
    formats = {row["f"] for row in store.rows("SELECT ?f WHERE { GRAPH ?g { ?g vb:sourceFormat ?f } }")}
    assert formats == {"text", "docx"}
    assert store.count("?d vb:implements <https://w3id.org/vanban/doc/lai-chau/tu/ctr/2021/12>", "d") >= 1


def test_extraction_is_linear_in_mentions() -> None:
    """50,000 citations on one line (a quadratic extractor took minutes; linear takes a few seconds):
    the bound is generous, the figure per size is in `bench/extract_scale.py`."""
    import time

    from graph.extract import extract_text

    body = "; ".join(f"Nghị quyết số {i % 50 + 1}-NQ/TW" for i in range(50_000))
    text = f"TỈNH ỦY BẮC NINH\nSố 12-KH/TU\n\nThực hiện {body}.\n"
    started = time.perf_counter()
    ex = extract_text(text, "many.txt")
    assert time.perf_counter() - started < 60
    assert len(ex.citations) == 50
    assert all(c.relations == ("implements",) for c in ex.citations)


def _doc(n: int) -> str:
    return f"TỈNH ỦY BẮC NINH\nSố {n}-KH/TU\n\nThực hiện Nghị quyết số 02-NQ/TW của Bộ Chính trị.\n"


def test_a_slow_file_fails_alone_and_the_files_behind_it_are_stored(tmp_path: Path) -> None:
    """One file past its time limit among 70 (enough for the worker pool): it fails with its own line;
    every good file, those behind it included, is stored."""
    from dataclasses import replace

    from graph.ingest import ingest
    from graph.read import ReadLimits

    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(1, 71):
        (docs / f"{n:03d}.txt").write_text(_doc(n), encoding="utf-8")
    body = "; ".join(f"Nghị quyết số {i % 50 + 1}-NQ/TW" for i in range(200_000))
    (docs / "005a-huge.txt").write_text(f"TỈNH ỦY BẮC NINH\nSố 999-KH/TU\n\nThực hiện {body}.\n", encoding="utf-8")
    store = GraphStore()
    report = ingest([docs], store, workers=2, limits=replace(ReadLimits(), file_seconds=1.0))
    assert [(Path(p).name, "took more than" in why) for p, why in report.failed] == [("005a-huge.txt", True)]
    assert report.ingested == 70 and report.documents == 70


def test_odd_names_and_links_are_one_line_each(tmp_path: Path) -> None:
    """A file name that is not UTF-8 is ingested under a printable name; a link that loops fails alone."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(_doc(1), encoding="utf-8")
    odd = docs / "bad-\udcff.txt"  # the name os.fsdecode gives the bytes `bad-\xff.txt`
    odd.write_text(_doc(2), encoding="utf-8")
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    (docs / "self").symlink_to(docs)
    r = subprocess.run([sys.executable, "-m", "graph", "ingest", "--store", str(tmp_path / "store"), str(docs),
                        str(tmp_path / "loop1")], capture_output=True, text=True, cwd=tmp_path,
                       errors="replace", timeout=120)
    assert r.returncode == 2, r.stderr  # some files failed (the CLI's exit code for that)
    assert "Traceback" not in r.stderr
    assert "2 ingested" in r.stdout + r.stderr and "1 failed" in r.stdout + r.stderr
    assert "loop1: a symbolic link to nothing" in r.stderr
    assert "bad-\\xff.txt" in r.stdout + r.stderr


@pytest.mark.parametrize("codec", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_is_read_as_utf32(codec: str) -> None:
    from graph.read.plain import decode

    text = _doc(7)
    assert decode(text.encode(codec), "x.txt")[0] == text


@pytest.mark.parametrize("tail", [b"\x00" * 4, b"\x01\x02\x03\x04" * 2000])
def test_binary_past_the_first_64k_is_refused(tail: bytes) -> None:
    from graph.errors import InputError
    from graph.read.plain import decode

    data = _doc(1).encode() * 2000 + tail
    assert len(data) > 65536
    with pytest.raises(InputError, match="binary file"):
        decode(data, "x.txt")
