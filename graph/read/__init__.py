"""Reading: a file's bytes → its text as people see it, whatever the format.

The format comes from the content (`sniff`), the extension only names what was expected. Word
(.docx; .doc, .rtf and .odt through LibreOffice), PDF (text layer, and OCR of scanned pages), saved
web pages, images (OCR) and text (UTF-8, UTF-16, old Vietnamese 8-bit encodings). Whatever the format,
the result is one `Reading`: NFC text without carriage returns — what the extraction's offsets point
into, and what the store keeps — with the format, the page count and what OCR contributed.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path, PurePath

from ..errors import InputError
from .docx import read_docx
from .html import read_html
from .image import read_image
from .layout import render
from .legacy import repair_mojibake
from .model import Ocr, OcrWord, PageProgress, Reading, ReadLimits
from .pdf import read_pdf
from .plain import decode
from .sniff import NAMES, SUFFIXES, expected, sniff
from .word import read_word

__all__ = ["SUFFIXES", "Ocr", "OcrWord", "PageProgress", "ReadLimits", "Reading", "read", "read_file"]


def printable(name: str) -> str:
    """A file name as text that can be printed and stored: bytes that are not UTF-8 (a name written on an
    old system) shown as `\\xff` instead of breaking every line that mentions the file."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_file(path: Path, limits: ReadLimits | None = None) -> bytes:
    """A file's bytes, every OS failure turned into an InputError that names it."""
    lim = limits or ReadLimits()
    name = printable(str(path))
    if path.is_symlink() and not path.exists():
        raise InputError(name, "a symbolic link to nothing (or to itself, through a loop)")
    if not path.exists():
        raise InputError(name, "no such file")
    if path.is_dir():
        raise InputError(name, "is a directory, not a file")
    try:
        size = path.stat().st_size
        if size > lim.max_bytes:
            raise InputError(name, f"too large ({size} bytes; the limit is {lim.max_bytes})")
        return path.read_bytes()
    except PermissionError:
        raise InputError(name, "permission denied") from None
    except OSError as e:
        raise InputError(name, f"cannot read: {e.strerror or e}") from None


def read(data: bytes, name: str, limits: ReadLimits | None = None, on_page: PageProgress | None = None) -> Reading:
    """The text of a file's bytes, whatever its format; InputError (one line naming the file and the
    problem) for what cannot be read."""
    lim = limits or ReadLimits()
    if len(data) > lim.max_bytes:
        raise InputError(name, f"too large ({len(data)} bytes; the limit is {lim.max_bytes})")
    fmt, promised = sniff(data, name), expected(name)
    if fmt == "text" and promised not in (None, "text", "html"):
        raise InputError(name, f"named {PurePath(name).suffix} but holds plain text, not {NAMES[promised]} (a "
                         "saved error page? a truncated download?); rename it .txt to read it as text")
    reading = _by_format(data, name, fmt, lim, on_page)
    if promised and promised != fmt:
        note = f"named {PurePath(name).suffix} but is {NAMES[fmt]}: read as such"
        reading = Reading(reading.text, reading.format, reading.pages, reading.ocr, (note, *reading.warnings),
                          reading.page_starts)
    if not reading.text.strip():
        what = f"{reading.pages} pages read by OCR" if reading.ocr else f"{NAMES[fmt]} with no text"
        raise InputError(name, f"no text to read ({what}; a blank scan or an empty document?)")
    if len(reading.text) > lim.max_text_chars:
        raise InputError(name, f"{len(reading.text)} characters of text; the limit is {lim.max_text_chars}")
    return reading


def _by_format(data: bytes, name: str, fmt: str, lim: ReadLimits, on_page: PageProgress | None) -> Reading:
    if fmt == "pdf":
        return read_pdf(data, name, lim, on_page)
    if fmt == "image":
        return read_image(data, name, lim, on_page)
    if fmt == "text":
        text, warnings = decode(data, name)
    else:
        if fmt == "html":
            blocks, warnings = read_html(data, name)
        else:
            blocks, notes = read_docx(data, name, lim) if fmt == "docx" else read_word(data, name, fmt, lim)
            warnings = tuple(notes)
        text = render(blocks)
    text, garbled = repair_mojibake(text)  # an old font no file format named: the letters tell
    if garbled:
        warnings += (f"the text (or part of it) was {garbled}, an old Vietnamese encoding: read as {garbled}",)
    return Reading(_finish(text), fmt, None, None, warnings)


def _finish(text: str) -> str:
    """The form every reading's text takes (what `text.prepare` makes of it, unchanged): NFC, CR-LF as LF."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
