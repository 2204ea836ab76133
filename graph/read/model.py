"""Values of the reading stage: what a reader was allowed to do, and the text it read."""

from __future__ import annotations

import bisect
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# Called as pages are read (done, total): a long scan's progress, page by page.
PageProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class ReadLimits:
    """What one file may cost. Every limit names the setting a user can raise (see `vanban extract -h`)."""

    max_bytes: int = 256 * 1024 * 1024  # the file itself
    max_text_chars: int = 20 * 1024 * 1024  # the text read from it
    max_pages: int = 500  # PDF pages, TIFF frames
    max_pixels: int = 120_000_000  # one image or rendered page (A4 at 300 dpi is 8.7M)
    max_unzipped: int = 256 * 1024 * 1024  # what a .docx may expand to (zip bombs)
    ocr_workers: int = max(1, os.cpu_count() or 1)  # Tesseract processes at once
    ocr_timeout: float = 180.0  # seconds for one page
    convert_timeout: float = 180.0  # seconds for LibreOffice to convert one Word 97 file
    dpi: int = 300  # rendering of scanned PDF pages
    file_seconds: float = 900.0  # reading and extracting one file in an ingest (then it fails, the rest go on)


@dataclass(frozen=True)
class OcrWord:
    """One word Tesseract read: where it is in the text, how sure it was (0–100), on which page (1-based)."""

    start: int
    end: int
    confidence: float
    page: int


@dataclass(frozen=True)
class Ocr:
    """What OCR contributed to a text."""

    pages: int  # pages read by OCR
    mean_confidence: float  # mean word confidence, 0–100
    words: tuple[OcrWord, ...] = ()

    def summary(self) -> dict[str, float | int]:
        return {"pages": self.pages, "mean_confidence": round(self.mean_confidence, 1)}


@dataclass(frozen=True)
class Reading:
    """A document's text as read from its file, with where it came from.

    `text` is NFC and is what every offset of the extraction points into; `page_starts` are the
    offsets where each page begins (PDF and images; empty for flowing formats)."""

    text: str
    format: str  # text, docx, doc, rtf, odt, pdf, html, image
    pages: int | None = None
    ocr: Ocr | None = None
    warnings: tuple[str, ...] = ()
    page_starts: tuple[int, ...] = field(default=())

    def page_of(self, offset: int) -> int | None:
        """The 1-based page an offset falls on (None for flowing formats)."""
        return page_of(self.page_starts, offset)


def page_of(starts: Sequence[int], offset: int) -> int | None:
    """The 1-based page an offset falls on, given where each page starts (None: no pages)."""
    return max(1, bisect.bisect_right(starts, offset)) if starts else None


@dataclass(frozen=True)
class Para:
    """A paragraph of a flowing document (Word, HTML); may hold line breaks of its own."""

    text: str


@dataclass(frozen=True)
class Table:
    """Rows of cells, each cell a sequence of blocks (tables nest)."""

    rows: tuple[tuple[tuple[Block, ...], ...], ...]


Block = Para | Table
