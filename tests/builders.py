"""Files made in the tests: small Word documents written as Word writes them, and images whose header
says what the test needs. (The real originals are in ../shared/corpus/formats.)"""

from __future__ import annotations

import ctypes
import io
import struct
import unicodedata
import zipfile
import zlib
from typing import Any
from xml.sax.saxutils import escape

from graph.read.legacy import tables

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'wordprocessingml.document.main+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="word/document.xml"/></Relationships>')


def run(text: str, font: str | None = None, caps: bool = False, hidden: bool = False) -> str:
    props = ""
    if font:
        props += f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}"/>'
    if caps:
        props += "<w:caps/>"
    if hidden:
        props += "<w:vanish/>"
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(*runs: str, num: tuple[int, int] | None = None) -> str:
    ppr = f'<w:pPr><w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr></w:pPr>' if num else ""
    body = "".join(r if r.startswith("<") else run(r) for r in runs)
    return f"<w:p>{ppr}{body}</w:p>"


def table(*rows: list[str]) -> str:
    """Rows of cells, each cell a paragraph's XML (or a plain string)."""
    out = "<w:tbl>"
    for row in rows:
        out += "<w:tr>" + "".join(f"<w:tc>{c if c.startswith('<') else para(c)}</w:tc>" for c in row) + "</w:tr>"
    return out + "</w:tbl>"


NUMBERING = (f'<w:numbering xmlns:w="{W_NS}">'
             '<w:abstractNum w:abstractNumId="0">'
             '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
             '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/></w:lvl>'
             '</w:abstractNum>'
             '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/>'
             '<w:lvlText w:val="-"/></w:lvl></w:abstractNum>'
             '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
             '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>')


def docx(body: str, footnotes: list[str] | None = None, numbering: bool = False) -> bytes:
    """A .docx holding `body` (paragraph and table XML), and footnotes if given."""
    doc = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}" '
           'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
           f"<w:body>{body}</w:body></w:document>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", doc)
        if numbering:
            z.writestr("word/numbering.xml", NUMBERING)
        if footnotes is not None:
            notes = "".join(f'<w:footnote w:id="{i}">{para(t)}</w:footnote>' for i, t in enumerate(footnotes, 1))
            z.writestr("word/footnotes.xml", f'<w:footnotes xmlns:w="{W_NS}">'
                       '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
                       f"{notes}</w:footnotes>")
    return buf.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` × `height` pixels (grey, 1 bit) with almost no image data: what
    a decompression bomb looks like before it is decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    data = chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + data + chunk(b"IEND", b"")


def zip_claiming(size: int) -> bytes:
    """A .docx whose document part says it expands to `size` bytes (a zip bomb, as the archive's own
    directory tells it), without holding them."""
    real = docx(para("Căn cứ Luật Công đoàn;"))
    buf = io.BytesIO(real)
    with zipfile.ZipFile(buf) as z:
        info = z.getinfo("word/document.xml")
        old = struct.pack("<I", info.file_size)
    # the uncompressed size stands in the local header and in the central directory: change both
    return real.replace(struct.pack("<I", info.CRC) + struct.pack("<I", info.compress_size) + old,
                        struct.pack("<I", info.CRC) + struct.pack("<I", info.compress_size) + struct.pack("<I", size))


def pdf(pages: list[list[str] | list[tuple[float, float, str]] | Any]) -> bytes:
    """A PDF of pages, each either lines of text (a text layer, in a standard font: Latin-1 only; a line
    may be placed at (x, y)) or an image (a scanned page)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument.new()
    for content in pages:
        page = doc.new_page(595, 842)
        if isinstance(content, list):
            y = 800.0
            for item in content:
                x, at, line = item if isinstance(item, tuple) else (50.0, y, item)
                obj = raw.FPDFPageObj_NewTextObj(doc.raw, b"Helvetica", ctypes.c_float(11))
                text = ctypes.create_string_buffer((line + "\x00").encode("utf-16-le"))
                raw.FPDFText_SetText(obj, ctypes.cast(text, ctypes.POINTER(raw.FPDF_WCHAR)))
                raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, at)
                raw.FPDFPage_InsertObject(page.raw, obj)
                y -= 16
            raw.FPDFPage_GenerateContent(page.raw)
        else:
            jpeg = io.BytesIO()
            content.save(jpeg, format="JPEG")
            jpeg.seek(0)
            image = pdfium.PdfImage.new(doc)
            image.load_jpeg(jpeg, inline=True)
            image.set_matrix(pdfium.PdfMatrix().scale(595, 842))
            page.insert_obj(image)
            page.gen_content()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def scanned_page(lines: list[str]) -> Any:
    """A white A4 page at 150 dpi with these lines printed on it (DejaVu Sans where installed)."""
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(page)
    try:
        font: Any = ImageFont.truetype("DejaVuSans.ttf", 30)
    except OSError:
        font = ImageFont.load_default(size=30)
    for k, line in enumerate(lines):
        draw.text((110, 160 + 50 * k), line, fill=0, font=font)
    return page


# -- text in the old Vietnamese 8-bit encodings ----------------------------------------------------

SAMPLE = "Thực hiện Nghị quyết số 02-NQ/TW của Bộ Chính trị"
TONES = "\u0300\u0301\u0303\u0309\u0323"
WORDS = ("thực hiện nghị quyết của tỉnh ủy ban thường vụ đảng đoàn liên lao động công văn kế hoạch "
         "hướng dẫn chỉ thị quyết định về việc tăng cường lãnh đạo người dân đặc biệt quảng ngãi").split()


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
