"""The reading stage, format by format, on files made here: what the format is, what text comes out,
and one clear InputError for what cannot be read. (The real originals: test_formats.py.)"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from builders import docx, para, pdf, png_header, run, scanned_page, table, zip_claiming
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from graph.errors import InputError, ToolMissing
from graph.extract import extract_reading
from graph.read import ReadLimits, read, read_file
from graph.read.html import decode_html, read_html
from graph.read.layout import render
from graph.read.legacy import from_tcvn3, from_vni, garbled_as, guess, repair_mojibake, tables
from graph.read.model import Para, Table
from graph.read.ocr import Line, PageLines, _lines_of, _tesseract, _tsv_lines, repair_line
from graph.read.pdf import clean
from graph.read.plain import decode
from graph.read.repair import repair_text
from graph.read.sniff import sniff

SAMPLE = "Thực hiện Nghị quyết số 02-NQ/TW của Bộ Chính trị"
TONES = "\u0300\u0301\u0303\u0309\u0323"
WORDS = ("thực hiện nghị quyết của tỉnh ủy ban thường vụ đảng đoàn liên lao động công văn kế hoạch "
         "hướng dẫn chỉ thị quyết định về việc tăng cường lãnh đạo người dân đặc biệt quảng ngãi").split()


# -- text files -------------------------------------------------------------------------------------

def windows_1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters precomposed, tone marks combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        d = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in d if c in TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def tcvn3(text: str) -> bytes:
    back = {v: k for k, v in tables().tcvn3.items()}
    return "".join(back.get(c, c) for c in text).encode("latin-1")


def vni(text: str) -> bytes:
    """Encode as VNI-Windows does (the reverse of the table in data/vocab/encodings.toml)."""
    t = tables()
    tone_of = {v: k for k, v in t.vni_tones.items() if k.islower()}
    circ = {v: k for k, v in t.vni_circumflex.items() if k.islower()}
    breve = {v: k for k, v in t.vni_breve.items() if k.islower()}
    single = {v: k for k, v in t.vni_single.items() if k.islower()}
    out = []
    for ch in text:
        if ch in single:
            out.append(single[ch])
            continue
        d = unicodedata.normalize("NFD", ch)
        base, marks = d[0], d[1:]
        tone = next((m for m in marks if m in TONES), "")
        if "\u0302" in marks:
            out.append(base + circ[tone])
        elif "\u0306" in marks:
            out.append(base + breve[tone])
        elif "\u031b" in marks:  # ơ ư: their own letter, then the tone
            out.append(single[unicodedata.normalize("NFC", base + "\u031b")] + tone_of.get(tone, ""))
        else:
            out.append(base + tone_of.get(tone, ""))
    return "".join(out).encode("cp1252")


@pytest.mark.parametrize(
    "data",
    [SAMPLE.encode("utf-8"), b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), SAMPLE.encode("utf-16"),
     SAMPLE.encode("utf-16-le"), SAMPLE.encode("utf-16-be")],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-le", "utf-16-be"],
)
def test_decodes(data: bytes) -> None:
    text, warnings = decode(data, "x")
    assert unicodedata.normalize("NFC", text).strip() == SAMPLE and warnings == ()


@pytest.mark.parametrize(("encode", "name"), [(windows_1258, "windows-1258"), (tcvn3, "TCVN3"), (vni, "VNI")])
def test_legacy_encodings_read_with_a_warning(encode, name) -> None:  # type: ignore[no-untyped-def]
    text, warnings = decode(encode(SAMPLE + ". " + " ".join(WORDS)), "old.txt")
    assert unicodedata.normalize("NFC", text).startswith(SAMPLE)
    assert name in warnings[0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=12, max_size=60).filter(lambda ws: len(set(ws)) >= 8))
def test_legacy_guess_round_trips(words: list[str]) -> None:
    """Text of some variety (one word forty times can be read several ways) comes back whole."""
    text = " ".join(words)
    for encode, name in ((tcvn3, "TCVN3"), (vni, "VNI"), (windows_1258, "windows-1258")):
        found = guess(encode(text))
        assert found is not None and found.encoding == name and found.text == text


def test_mojibake_repaired_and_plain_text_left_alone() -> None:
    words = " ".join(WORDS)
    repaired, enc = repair_mojibake(tcvn3(words).decode("latin-1"))
    assert enc == "TCVN3" and repaired == words
    assert repair_mojibake(words) == (words, None)
    assert repair_mojibake("Plain English text with café and naïve words " * 5)[1] is None


@pytest.mark.parametrize(
    ("data", "problem"),
    [(b"", "empty"), (b"  \n\t ", "empty"), (b"\x00\x01\x02\x03binary\x00\xff" * 10, "binary"),
     (bytes(range(0x80, 0x100)) * 20, "no Vietnamese 8-bit encoding")],
    ids=["empty", "blank", "binary", "garbled"],
)
def test_decode_errors(data: bytes, problem: str) -> None:
    with pytest.raises(InputError) as e:
        decode(data, "doc.txt")
    assert "doc.txt" in str(e.value) and problem in str(e.value)


def test_read_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_file(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="directory"):
        read_file(tmp_path)
    big = tmp_path / "big.pdf"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(InputError, match="too large"):
        read_file(big, replace(ReadLimits(), max_bytes=1000))


# -- what a file is ---------------------------------------------------------------------------------

HTML = b"<html><head><title>t</title></head><body><p>" + SAMPLE.encode() + b"</p></body></html>"


@pytest.mark.parametrize(
    ("data", "name", "fmt"),
    [(b"%PDF-1.7\n...", "a.pdf", "pdf"), (docx(para(SAMPLE)), "a.docx", "docx"),
     (docx(para(SAMPLE)), "a.doc", "docx"), (HTML, "a.doc", "html"), (HTML, "a.htm", "html"),
     (b"{\\rtf1\\ansi hello}", "a.doc", "rtf"), (png_header(10, 10), "a.png", "image"),
     (b"\xff\xd8\xff\xe0rest", "a.jpg", "image"), (b"II*\x00rest", "a.tif", "image"),
     (SAMPLE.encode(), "a.txt", "text"), (b"<p>" + SAMPLE.encode() + b"</p>", "a.txt", "html")],
)
def test_sniff_by_content(data: bytes, name: str, fmt: str) -> None:
    assert sniff(data, name) == fmt


def test_extension_only_a_hint() -> None:
    r = read(docx(para(SAMPLE)), "plan.doc")
    assert r.format == "docx" and r.warnings[0].startswith("named .doc but is a Word file (.docx)")
    with pytest.raises(InputError, match="holds plain text, not a PDF"):
        read(SAMPLE.encode(), "scan.pdf")


@pytest.mark.parametrize(
    ("data", "problem"),
    [(b"PK\x03\x04" + b"\x00garbage" * 50, "damaged zip"), (zip_claiming(4_000_000_000), "zip bomb"),
     (b"%PDF-1.4\x00\x01\x02binary" * 20, "damaged PDF"), (png_header(30000, 30000), "pixels"),
     (png_header(100, 100)[:40], "damaged or unknown image")],
    ids=["not-a-zip", "zip-bomb", "damaged-pdf", "pixel-bomb", "truncated-png"],
)
def test_bad_binary_files(data: bytes, problem: str) -> None:
    with pytest.raises(InputError) as e:
        read(data, "bad.bin")
    assert "bad.bin" in str(e.value) and problem in str(e.value)


def test_pdf_page_limit_and_empty_pdf() -> None:

    empty = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
             b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    with pytest.raises(InputError, match="a PDF with no pages"):
        read(empty, "empty.pdf")
    with pytest.raises(InputError, match="2000 pages; the limit is 500"):
        read(pdf([[]] * 2000), "long.pdf")


def test_encrypted_pdf() -> None:
    pypdf = pytest.importorskip("pypdf")

    w = pypdf.PdfWriter()
    w.add_blank_page(200, 200)
    w.encrypt("secret", algorithm="RC4-128")
    buf = io.BytesIO()
    w.write(buf)
    with pytest.raises(InputError, match="encrypted, password-protected PDF"):
        read(buf.getvalue(), "locked.pdf")


# -- Word -------------------------------------------------------------------------------------------

HEADER = table(
    [para("ỦY BAN NHÂN DÂN") + para("TỈNH QUẢNG NGÃI") + para("Số: 51/QĐ-UBND"),
     para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") + para("Độc lập - Tự do - Hạnh phúc")
     + para("Quảng Ngãi, ngày 17 tháng 01 năm 2025")])


def _lines(data: bytes) -> list[str]:
    return read(data, "x.docx").text.splitlines()


def test_docx_header_table_read_cell_by_cell() -> None:
    body = HEADER + para("QUYẾT ĐỊNH") + para("Căn cứ Quyết định số 12/2021/QĐ-TTg ngày 24/3/2021;")
    ex = extract_reading(read(docx(body), "qd.docx"), "qd.docx")
    h = ex.header
    assert (h.symbol, h.date, h.kind, h.place) == ("51/QĐ-UBND", "2025-01-17", "QĐ", "Quảng Ngãi")
    assert h.issuer is not None and "Quảng Ngãi" in h.issuer
    assert [c.symbol for c in ex.citations] == ["12/2021/QĐ-TTg"] and ex.citations[0].relations == ("based_on",)
    assert ex.reading is not None and ex.to_json()["document"]["source_format"] == "docx"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (para(run("ủy ban nhân dân", caps=True)), ["ỦY BAN NHÂN DÂN"]),
        (para(run("Căn cứ "), run("ẩn", hidden=True), run("Luật")), ["Căn cứ Luật"]),
        (para(run("Thùc hiÖn NghÞ quyÕt", font=".VnTime")), ["Thực hiện Nghị quyết"]),
        (para(run("Thöïc hieän", font="VNI-Times")), ["Thực hiện"]),
        (para(run("céng hoµ", font=".VnTimeH")), ["CỘNG HOÀ"]),
        (para("A", num=(1, 0)) + para("B", num=(1, 1)) + para("C", num=(1, 1)) + para("D", num=(1, 0))
         + para("E", num=(2, 0)), ["1. A", "a) B", "b) C", "2. D", "- E"]),
        ('<w:p><w:r><w:t>Căn cứ </w:t></w:r><w:del><w:r><w:delText>cũ </w:delText></w:r></w:del>'
         '<w:ins><w:r><w:t>Luật</w:t></w:r></w:ins></w:p>', ["Căn cứ Luật"]),
        ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
         '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
         '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>', ["3"]),
        (table(["STT", "Số, ký hiệu", "Ngày", "Trích yếu"], ["1", "Nghị quyết 02-NQ/TW", "12/6/2021", "về"]),
         ["| STT | Số, ký hiệu | Ngày | Trích yếu |", "| 1 | Nghị quyết 02-NQ/TW | 12/6/2021 | về |"]),
        ('<w:p><w:r><w:t>Dòng một</w:t><w:br/><w:t>dòng hai</w:t></w:r></w:p>', ["Dòng một", "dòng hai"]),
    ],
    ids=["caps", "hidden", "tcvn3-font", "vni-font", "tcvn3-capitals", "numbering", "tracked-changes",
         "field-code", "data-table", "line-break"],
)
def test_docx_runs_and_blocks(body: str, expected: list[str]) -> None:
    assert [ln for ln in _lines(docx(body, numbering=True)) if ln] == expected


def test_docx_footnotes_kept() -> None:
    r = read(docx(para("Căn cứ Luật Công đoàn."), footnotes=["Thay thế Nghị quyết số 12-NQ/TW."]), "x.docx")
    assert r.text.rstrip().endswith("[1] Thay thế Nghị quyết số 12-NQ/TW.")


def test_docx_text_box_read_once() -> None:
    box = ('<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
           '<w:p><w:r><w:t>Số: 12/KH-UBND</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>'
           '<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Số: 12/KH-UBND</w:t></w:r></w:p>'
           '</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>')
    assert _lines(docx(box)).count("Số: 12/KH-UBND") == 1


def test_docx_zip_bomb_by_size(tmp_path: Path) -> None:
    data = docx(para("x" * 50_000))
    with pytest.raises(InputError, match="zip bomb"):
        read(data, "x.docx", replace(ReadLimits(), max_unzipped=10_000))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Zs"),
                                               include_characters=" "), min_size=1, max_size=20),
                         min_size=1, max_size=3), min_size=1, max_size=8))
def test_docx_paragraphs_round_trip(paragraphs: list[list[str]]) -> None:
    """Whatever runs a paragraph is made of, it comes back as one line of their text (spaces run
    together) — unless it reads as an old 8-bit encoding, which is then read as such."""
    assume(garbled_as("\n".join("".join(runs) for runs in paragraphs)) is None)
    body = "".join(para(*(run(r) for r in runs)) for runs in paragraphs)
    got = [ln for ln in _lines(docx(body)) if ln]
    want = [" ".join("".join(runs).split(" ")).strip() for runs in paragraphs]
    want = [re.sub(" +", " ", w) for w in want]
    assert got == [unicodedata.normalize("NFC", w) for w in want if w]


def test_layout_tables() -> None:
    header = Table((((Para("ỦY BAN"), Para("Số: 1/KH")), (Para("CỘNG HÒA"),)),))
    grid = Table(((tuple((Para(c),) for c in "abcd")),))
    assert render([header, Para("Căn cứ")]) == "ỦY BAN\nSố: 1/KH\nCỘNG HÒA\n\nCăn cứ\n"
    assert render([grid]) == "| a | b | c | d |\n"


# -- web pages --------------------------------------------------------------------------------------

def test_html_reading_order_lists_and_skipped_parts() -> None:
    page = ("<html><head><style>p{}</style><script>var x='Nghị quyết 1-NQ/TW'</script></head><body>"
            "<table><tr><td><p>ỦY BAN</p><p>Số: 5/KH</p></td><td>CỘNG HÒA</td></tr></table>"
            "<ol><li>Căn cứ Luật</li><li>Thực hiện<br>Kế hoạch</li></ol><ul><li>một</li></ul></body></html>")
    blocks, _ = read_html(page.encode(), "x.htm")
    assert render(blocks).splitlines() == ["ỦY BAN", "Số: 5/KH", "CỘNG HÒA", "", "1. Căn cứ Luật",
                                           "2. Thực hiện", "Kế hoạch", "- một"]


@pytest.mark.parametrize(
    ("data", "warned"),
    [(b'<meta charset="windows-1252"><p>Quy&#7871;t &#273;&#7883;nh</p>', False),  # Word: entities
     (b'<meta charset="windows-1252"><p>' + windows_1258(" ".join(WORDS)) + b"</p>", True),
     (b'<meta charset="utf-8"><p>' + " ".join(WORDS).encode() + b"</p>", False),
     (b"<p>" + " ".join(WORDS).encode() + b"</p>", False)],
    ids=["entities", "declared-wrong", "utf-8", "undeclared-utf-8"],
)
def test_html_decoding(data: bytes, warned: bool) -> None:
    text, warnings = decode_html(data, "x.htm")
    assert bool(warnings) == warned
    assert "quyết" in html.unescape(text).lower()


# -- OCR output and its repairs ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "repaired"),
    [("98:CV/ĐÐĐĐ ngày", "98-CV/ĐĐ ngày"), ("số 12-CTr/T Ù ngày", "số 12-CTr/TU ngày"),
     ("Quyết định số 1 33/QD-TT1g ngày", "Quyết định số 133/QĐ-TTg ngày"),
     ("hiện Quyết định số 12/2021/0Đ- T18 ngày", "hiện Quyết định số 12/2021/QĐ-TTg ngày"),
     ("Số: 157/QĐĐ-NĐ-UB", "Số: 157/QĐ-NĐ-UB"), ("trình số I3/UB-TP, ngày I8 tháng 0I năm 1999",
                                                  "trình số 13/UB-TP, ngày 18 tháng 01 năm 1999"),
     ("QUYÉT ĐỊNH", "QUYẾT ĐỊNH"), ("CHÍ THỊ", "CHỈ THỊ")],
)
def test_ocr_repairs(line: str, repaired: str) -> None:
    text, repairs = repair_text(line)
    assert text == repaired and repairs


@pytest.mark.parametrize(
    "line",
    ["Số: 07 /CT-UBND", "Quyết định 217/QĐ-TW", "71/2016/NĐ-CP", "45/BCĐ-UBND", "5633/VPCP-KSTT",
     "102/2025/NQLT-UBTVQH15-CP-ĐCTUBTWMTTQVN", "12/KH-MTTQ-BTT", "83/2025/QH15;", "ngày |2 tháng 3",
     "Chỉ thị này", "CÔNG TY TNHH"],
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


def test_vni_and_tcvn3_tables_round_trip() -> None:
    text = " ".join(WORDS)
    assert from_tcvn3(tcvn3(text).decode("latin-1")) == text
    assert from_vni(vni(text).decode("cp1252")) == text


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
