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
from builders import SAMPLE, WORDS, docx, para, pdf, png_header, run, table, tcvn3, vni, windows_1258, zip_claiming
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from graph.errors import InputError
from graph.extract import extract_reading
from graph.read import ReadLimits, read, read_file
from graph.read.html import decode_html, read_html
from graph.read.layout import render
from graph.read.legacy import from_tcvn3, from_vni, garbled_as, guess, repair_mojibake
from graph.read.model import Para, Table
from graph.read.plain import decode
from graph.read.sniff import sniff


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
    assume(any("".join(runs).strip() for runs in paragraphs))  # a file of blank paragraphs has no text
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


def test_vni_and_tcvn3_tables_round_trip() -> None:
    text = " ".join(WORDS)
    assert from_tcvn3(tcvn3(text).decode("latin-1")) == text
    assert from_vni(vni(text).decode("cp1252")) == text
