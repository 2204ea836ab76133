"""PDF → text: the text layer where a page has one (PDFium, through pypdfium2: Apache-2.0/BSD), OCR
for the pages that are scans, then what is not the document taken out — page numbers, running headers
and footers repeated on every page — symbols broken over two lines joined again, and pages set in two
columns read one column after the other.

A page is a scan when it holds almost no text of its own (a signature stamp's few characters do not
count) but an image covering much of it; only such pages go to OCR, so a signed PDF with one scanned
annex costs one page of OCR.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from ..errors import InputError
from ..text import strip_marks
from ..vocab import load
from .legacy import garbled_as, reread
from .model import PageProgress, Reading, ReadLimits
from .ocr import Line, PageLines, assemble, ocr_pages
from .repair import SYMBOL_BREAK, SYMBOL_REST

SCAN_MAX_LETTERS = 200  # a page with fewer letters of text layer may be a scan…
SCAN_MIN_IMAGE_SHARE = 0.3  # …when images cover this share of it
_LETTER = re.compile(r"[^\W\d_]")
_PAGE_NUMBER = re.compile(r"^[\s\-–—(\[]*(?:trang|page)?\s*(\d{1,4})(?:\s*/\s*\d{1,4})?[\s\-–—)\]]*$", re.IGNORECASE)
HEADING_BAND = 0.15  # the top of a page, where a title may span two columns
PROBES = 200  # points probed down the middle of a page, looking for a gutter
MAX_GUTTER_HITS = 0.02  # share of them that may meet a character on a two-column page
MIN_COLUMN_LINES = 8  # lines each column must hold
EDGE_LINES = 3  # lines at the top and at the bottom of a page where running headers and footers stand


def read_pdf(data: bytes, name: str, limits: ReadLimits, on_page: PageProgress | None = None) -> Reading:
    pdf = _open(data, name)
    try:
        n = len(pdf)
        if n == 0:
            raise InputError(name, "a PDF with no pages")
        if n > limits.max_pages:
            raise InputError(name, f"{n} pages; the limit is {limits.max_pages} (raise it with --max-pages)")
        layer: dict[int, PageLines] = {}
        scans: list[int] = []
        for i in range(n):
            page = pdf[i]
            text = _page_text(page)
            if _is_scan(page, text):
                scans.append(i)
            else:
                layer[i + 1] = PageLines(i + 1, tuple(Line(t) for t in text.split("\n")))
        ocred = ocr_pages(_renders(pdf, scans, limits, name), name, limits, len(scans), on_page) if scans else {}
    finally:
        pdf.close()
    layer, legacy_note = _legacy_fonts(layer)
    pages = [layer.get(k) or ocred.get(k) or PageLines(k, ()) for k in range(1, n + 1)]
    text, starts, ocr, warnings = assemble(clean(pages))
    return Reading(text, "pdf", n, ocr, legacy_note + warnings, starts)


def _legacy_fonts(layer: dict[int, PageLines]) -> tuple[dict[int, PageLines], tuple[str, ...]]:
    """A text layer in TCVN3 or VNI (a PDF printed from a `.VnTime` document maps its bytes to Latin-1
    letters) read again, line by line, as the whole layer says."""
    joined = "\n".join(ln.text for page in layer.values() for ln in page.lines)
    found = garbled_as(joined)
    if found is None:
        return layer, ()
    fixed = {k: PageLines(k, tuple(Line(reread(ln.text, *found)) for ln in page.lines)) for k, page in layer.items()}
    return fixed, (f"the text layer is {found[0]} (an old Vietnamese font): read as {found[0]}",)


def _open(data: bytes, name: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        msg = str(e).lower()
        if "password" in msg:
            raise InputError(name, "an encrypted, password-protected PDF: vanban cannot open it") from None
        if re.search(rb"/Count\s+0\b", data) and not re.search(rb"/Type\s*/Page\b", data):
            raise InputError(name, "a PDF with no pages") from None  # PDFium refuses such a file outright
        raise InputError(name, f"a damaged PDF that PDFium cannot open ({e})") from None


def _page_text(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    raw = _in_columns(page, textpage) or textpage.get_text_range()
    # PDFium marks a hyphen it takes for a word break at a line's end as U+FFFE: a hyphen it was
    raw = raw.replace("\ufffe", "-")
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(ln.rstrip() for ln in text.replace("\x00", "").split("\n"))


def _in_columns(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> str | None:
    """A page set in two columns, read left column first: some producers write such pages line by line
    across the gutter, and PDFium, in stream order, would give each line of the left column followed by
    the same line of the right. The gutter is found by probing the middle of the page below its heading
    band: on a one-column page most probes meet a character (the header's two columns stand in the
    band and do not count); on a two-column page almost none do, and both halves hold many lines."""
    width, height = page.get_size()
    mid, band_top = width / 2, height * (1 - HEADING_BAND)
    probes = [band_top * k / PROBES for k in range(1, PROBES)]
    hits = sum(1 for y in probes if textpage.get_index(mid, y, 2, 2) is not None)
    if hits > MAX_GUTTER_HITS * len(probes):
        return None
    left = textpage.get_text_bounded(0, 0, mid, band_top)
    right = textpage.get_text_bounded(mid, 0, width, band_top)
    if min(_filled_lines(left), _filled_lines(right)) < MIN_COLUMN_LINES:
        return None
    return "\n".join((textpage.get_text_bounded(0, band_top, width, height), left, right))


def _filled_lines(text: str) -> int:
    return sum(1 for ln in text.splitlines() if len(ln.strip()) > 3)


def _is_scan(page: pdfium.PdfPage, text: str) -> bool:
    if len(_LETTER.findall(text)) >= SCAN_MAX_LETTERS:
        return False
    width, height = page.get_size()
    area = max(width * height, 1.0)
    covered = 0.0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        w = max(0.0, min(right, width) - max(left, 0.0))
        h = max(0.0, min(top, height) - max(bottom, 0.0))
        covered += w * h
    return bool(covered / area >= SCAN_MIN_IMAGE_SHARE)


def _renders(pdf: pdfium.PdfDocument, pages: list[int], limits: ReadLimits, name: str
             ) -> Iterator[tuple[int, Image.Image]]:
    """Scanned pages as grey images at `limits.dpi`, smaller where a page is huge (the pixel cap).
    PDFium is not thread-safe: pages are rendered here, one at a time, and OCR'd in parallel."""
    for i in pages:
        page = pdf[i]
        width, height = page.get_size()
        scale = limits.dpi / 72
        pixels = width * height * scale * scale
        if pixels > limits.max_pixels:
            scale *= (limits.max_pixels / pixels) ** 0.5
        try:
            image = page.render(scale=scale).to_pil().split()[0]
        except pdfium.PdfiumError as e:
            raise InputError(name, f"cannot render page {i + 1} for OCR ({e})") from None
        yield i + 1, image


# -- what is not the document ----------------------------------------------------------------------

def clean(pages: list[PageLines]) -> list[PageLines]:
    """Drop page numbers and running headers/footers; join symbols broken at a line's end."""
    running = _running_lines(pages)
    out = []
    for page in pages:
        lines = list(page.lines)
        edges = _edge_indexes(lines)
        keep = [ln for k, ln in enumerate(lines)
                if not (k in edges and (_is_page_number(ln.text, page.number) or _shape(ln.text) in running))]
        out.append(PageLines(page.number, tuple(_join_symbols(keep)), page.ocr, page.warnings))
    return out


def _edge_indexes(lines: list[Line]) -> set[int]:
    filled = [k for k, ln in enumerate(lines) if ln.text.strip()]
    return set(filled[:EDGE_LINES]) | set(filled[-EDGE_LINES:])


def _shape(text: str) -> str:
    """A line with its digits and spaces out: a running header numbered per page keeps one shape."""
    return re.sub(r"[\d\s]+", "", text).casefold()


def _is_page_number(text: str, page: int) -> bool:
    m = _PAGE_NUMBER.match(text)
    return m is not None and abs(int(m.group(1)) - page) <= 2


def _running_lines(pages: list[PageLines]) -> set[str]:
    """Shapes of lines that stand at the edge of most pages (an owner's notice, the symbol, a site).
    The national and Party mottos are never running lines: a bound collection of one-page documents
    opens every page with them."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for page in pages:
        lines = list(page.lines)
        seen.update({_shape(lines[k].text) for k in _edge_indexes(lines)} - {""})
    need = max(2, (len(pages) + 1) // 2)
    mottos = _motto_shapes()
    return {shape for shape, count in seen.items()
            if count >= need and len(shape) >= 3 and not any(m in _letters(shape) for m in mottos)}


@lru_cache(maxsize=1)
def _motto_shapes() -> tuple[str, ...]:
    return tuple(_letters(m) for m in load().mottos)


def _letters(s: str) -> str:
    return re.sub(r"[\W\d_]+", "", strip_marks(s))


def _join_symbols(lines: list[Line]) -> Iterator[Line]:
    """`71/2016/NĐ-` at the end of a line and `CP` at the start of the next are one symbol."""
    k = 0
    while k < len(lines):
        line = lines[k]
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        last = line.text.rsplit(" ", 1)[-1]
        if nxt is not None and SYMBOL_BREAK.search(last) and SYMBOL_REST.match(nxt.text):
            shift = len(line.text)
            words = line.words + tuple((s + shift, e + shift, c) for s, e, c in nxt.words)
            yield Line(line.text + nxt.text, words)
            k += 2
            continue
        yield line
        k += 1
