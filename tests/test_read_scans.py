"""Scans and PDFs: OCR output and its repairs, the text layer without its page furniture, columns,
old fonts, mixed PDFs, images, pages scanned upside down, and a missing program (see test_read.py for
the other formats)."""

from __future__ import annotations

import io

import pytest
from builders import SAMPLE, WORDS, docx, para, pdf, scanned_page, tcvn3
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import ToolMissing
from graph.extract import extract_reading
from graph.read import read
from graph.read.ocr import Line, PageLines, _lines_of, _tesseract, _tsv_lines, repair_line
from graph.read.pdf import clean
from graph.read.repair import repair_text

# -- OCR output and its repairs ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "repaired"),
    [("98:CV/ĐÐĐĐ ngày", "98-CV/ĐĐ ngày"), ("số 12-CTr/T Ù ngày", "số 12-CTr/TU ngày"),
     ("Quyết định số 1 33/QD-TT1g ngày", "Quyết định số 133/QĐ-TTg ngày"),
     ("hiện Quyết định số 12/2021/0Đ- T18 ngày", "hiện Quyết định số 12/2021/QĐ-TTg ngày"),
     ("Số: 157/QĐĐ-NĐ-UB", "Số: 157/QĐ-NĐ-UB"), ("trình số I3/UB-TP, ngày I8 tháng 0I năm 1999",
                                                  "trình số 13/UB-TP, ngày 18 tháng 01 năm 1999"),
     ("QUYÉT ĐỊNH", "QUYẾT ĐỊNH"), ("CHÍ THỊ", "CHỈ THỊ"),
     ("số 13/UB-TP, ngày 18 tháng 01 năm I999.", "số 13/UB-TP, ngày 18 tháng 01 năm 1999."),
     ("ngày 5 tháng 3 năm 2O2l", "ngày 5 tháng 3 năm 2021")],
)
def test_ocr_repairs(line: str, repaired: str) -> None:
    text, repairs = repair_text(line)
    assert text == repaired and repairs


@pytest.mark.parametrize(
    "line",
    ["Số: 07 /CT-UBND", "Quyết định 217/QĐ-TW", "71/2016/NĐ-CP", "45/BCĐ-UBND", "5633/VPCP-KSTT",
     "102/2025/NQLT-UBTVQH15-CP-ĐCTUBTWMTTQVN", "12/KH-MTTQ-BTT", "83/2025/QH15;", "ngày |2 tháng 3",
     "Chỉ thị này", "CÔNG TY TNHH", "ngày 18 tháng 01 năm 1999", "tháng 01 năm Ino", "tháng 2 năm l7OO"],
)
def test_ocr_leaves_good_lines_alone(line: str) -> None:
    assert repair_text(line) == (line, [])


@given(st.text(alphabet="abcdefghiklmnopqrstuvxyàáảãạâầấđêềếôồốơờớưừứ ,.;:()-/", max_size=80))
def test_repairs_need_digits(line: str) -> None:
    """Words without a digit, a misread mark or a kind line are never touched."""
    assert repair_text(line)[0] == line


def test_repaired_words_keep_their_confidence() -> None:
    line, repairs = repair_line([("Quyết", 95.0), ("định", 96.0), ("98:CV/ĐÐĐĐ", 40.0), ("ngày", 90.0)])
    assert line.text == "Quyết định 98-CV/ĐĐ ngày" and repairs
    assert [(line.text[s:e], c) for s, e, c in line.words] == [("Quyết", 95.0), ("định", 96.0),
                                                               ("98-CV/ĐĐ", 40.0), ("ngày", 90.0)]


def _tsv(rows: list[tuple[int, int, int, int, int, str]]) -> str:
    """Tesseract TSV: (block, paragraph, line, left, width, text) a word."""
    head = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    return "\n".join([head] + [f"5\t1\t{b}\t{p}\t{ln}\t1\t{x}\t0\t{w}\t10\t95\t{t}" for b, p, ln, x, w, t in rows])


def test_ocr_lines_wrapped_at_the_margin_are_joined() -> None:
    rows = [(1, 1, 1, 300, 400, "CHỈ THỊ"),  # a centred title
            (2, 1, 1, 100, 900, "Căn cứ Quyết định số 12/2021/QĐ-TTg của Ủy ban Quốc gia về"),
            (2, 1, 2, 100, 300, "việc triển khai thực"),
            (3, 1, 1, 100, 300, "hiện Quyết định số 71/2016/NĐ-"),  # Tesseract cut the sentence
            (3, 1, 2, 100, 900, "xx"), (4, 1, 1, 100, 900, "- Thực hiện Kế hoạch"),
            (4, 1, 2, 100, 900, "a) mục")]
    lines, _ = _lines_of(_tsv_lines(_tsv(rows)))
    assert [ln.text for ln in lines] == [
        "CHỈ THỊ", "", "Căn cứ Quyết định số 12/2021/QĐ-TTg của Ủy ban Quốc gia về việc triển khai thực "
        "hiện Quyết định số 71/2016/NĐ-", "xx", "", "- Thực hiện Kế hoạch", "a) mục"]
    for ln in lines:
        assert all(ln.text[s:e].strip() == ln.text[s:e] and ln.text[s:e] for s, e, _ in ln.words)


def test_pdf_clean_drops_page_furniture() -> None:
    def page(n: int, *body: str) -> PageLines:
        return PageLines(n, tuple(Line(t) for t in ("www.thuvienphapluat.vn - trang " + str(n), *body, f"- {n} -")))

    pages = [page(1, "ĐẢNG CỘNG SẢN VIỆT NAM", "Căn cứ Nghị định số 71/2016/NĐ-", "CP của Chính phủ"),
             page(2, "ĐẢNG CỘNG SẢN VIỆT NAM", "nội dung"), page(3, "nội dung tiếp", "Nơi nhận:")]
    out = [[ln.text for ln in p.lines] for p in clean(pages)]
    assert out == [["ĐẢNG CỘNG SẢN VIỆT NAM", "Căn cứ Nghị định số 71/2016/NĐ-CP của Chính phủ"],
                   ["ĐẢNG CỘNG SẢN VIỆT NAM", "nội dung"], ["nội dung tiếp", "Nơi nhận:"]]


# -- PDF --------------------------------------------------------------------------------------------

def test_pdf_text_layer_without_page_furniture() -> None:
    head = "Cong ty Luat ABC - www.example.vn"
    pages = [[head, "Can cu Nghi dinh so 71/2016/ND-", "CP cua Chinh phu;", "1"],
             [head, "2", "Thuc hien Ke hoach so 12/KH-UBND."], [head, "Noi nhan:", "3"]]
    r = read(pdf(pages), "doc.pdf")
    assert (r.format, r.pages, r.ocr) == ("pdf", 3, None)
    assert r.text.splitlines() == ["Can cu Nghi dinh so 71/2016/ND-CP cua Chinh phu;",
                                   "Thuc hien Ke hoach so 12/KH-UBND.", "Noi nhan:"]
    assert r.page_starts == (0, r.text.index("Thuc"), r.text.index("Noi")) and r.page_of(r.text.index("Noi")) == 3


def test_pdf_two_columns_read_one_after_the_other() -> None:
    """A page set in two columns and written line by line across the gutter is read column by column;
    a one-column page with a two-column header is left in its order."""
    title: list[tuple[float, float, str]] = [(200.0, 800.0, "BAN TIN CONG DOAN")]
    rows = [(x, 700.0 - 15 * k, f"{side} column line {k}") for k in range(12)
            for x, side in ((50.0, "left"), (320.0, "right"))]
    text = read(pdf([title + rows]), "bulletin.pdf").text.splitlines()
    assert text == ["BAN TIN CONG DOAN"] + [f"left column line {k}" for k in range(12)] + [
        f"right column line {k}" for k in range(12)]
    header = [(60.0, 800.0, "UY BAN NHAN DAN"), (330.0, 800.0, "CONG HOA XA HOI CHU NGHIA VIET NAM"),
              (60.0, 784.0, "So: 12/KH-UBND"), (330.0, 784.0, "Lai Chau, ngay 5 thang 3 nam 2024")]
    body = [(50.0, 700.0 - 15 * k, f"Can cu Luat so {k}/2015/QH13 ve to chuc chinh quyen dia phuong nam 2015")
            for k in range(20)]
    one = read(pdf([header + body]), "plan.pdf").text.splitlines()
    assert one[:2] == ["UY BAN NHAN DAN CONG HOA XA HOI CHU NGHIA VIET NAM",
                       "So: 12/KH-UBND Lai Chau, ngay 5 thang 3 nam 2024"]
    assert one[2:] == [b[2] for b in body]


def test_pdf_text_layer_in_an_old_font() -> None:
    """A PDF printed from a .VnTime document: its text layer is TCVN3 bytes as Latin-1 letters."""
    garbled = tcvn3(SAMPLE + ". " + " ".join(WORDS)).decode("latin-1")
    r = read(pdf([[garbled[:70], garbled[70:]]]), "old.pdf")
    assert r.text.startswith(SAMPLE) and "TCVN3" in r.warnings[0]


def test_mixed_pdf_ocrs_only_its_scanned_page() -> None:
    if _tesseract() is None:
        pytest.skip("Tesseract with its Vietnamese model is not installed (make sysdeps)")
    scan = scanned_page(["Thực hiện Nghị quyết số 02-NQ/TW của Bộ Chính trị", "về công tác dân vận."])
    body = ["Can cu Luat Cong doan;"] * 30
    r = read(pdf([body, scan]), "mixed.pdf")
    assert r.pages == 2 and r.ocr is not None and r.ocr.pages == 1 and r.ocr.mean_confidence > 60
    assert r.text.startswith("Can cu Luat Cong doan;") and "02-NQ/TW" in r.text[r.page_starts[1]:]
    assert all(r.page_of(w.start) == 2 for w in r.ocr.words)
    ex = extract_reading(r, "mixed.pdf")
    assert [c.symbol for c in ex.citations if c.symbol] == ["02-NQ/TW"]


def test_image_file_is_ocrd() -> None:
    if _tesseract() is None:
        pytest.skip("Tesseract with its Vietnamese model is not installed (make sysdeps)")
    buf = io.BytesIO()
    scanned_page(["Căn cứ Quyết định số 217-QĐ/TW ngày 12/12/2013"]).save(buf, format="PNG")
    r = read(buf.getvalue(), "scan.png")
    assert r.format == "image" and r.ocr is not None and "217-QĐ/TW" in r.text


def test_page_scanned_upside_down() -> None:
    if _tesseract() is None:
        pytest.skip("Tesseract with its Vietnamese model is not installed (make sysdeps)")
    buf = io.BytesIO()
    scanned_page(["Căn cứ Quyết định số 217-QĐ/TW ngày 12/12/2013", "của Bộ Chính trị về giám sát."]).rotate(
        180).save(buf, format="PNG")
    r = read(buf.getvalue(), "upside-down.png")
    assert "217-QĐ/TW" in r.text and r.ocr is not None and r.ocr.mean_confidence > 60


def test_a_missing_program_names_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Tesseract or LibreOffice, the files that need them fail with the package to install;
    the rest is read as before."""
    from graph.read import ocr, word

    monkeypatch.setattr(ocr, "_tesseract", lambda: None)
    monkeypatch.setattr(word, "_soffice", lambda: None)
    buf = io.BytesIO()
    scanned_page(["Căn cứ Luật Công đoàn"]).save(buf, format="PNG")
    with pytest.raises(ToolMissing, match="apt-get install tesseract-ocr tesseract-ocr-vie"):
        read(buf.getvalue(), "scan.png")
    with pytest.raises(ToolMissing, match="apt-get install libreoffice-writer-nogui"):
        read(b"{\\rtf1\\ansi Quyet dinh}", "old.rtf")
    assert read(docx(para(SAMPLE)), "plan.docx").text.strip() == SAMPLE
