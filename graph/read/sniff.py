"""What a file is, from its bytes: the extension is only a hint (a `.docx` may be an old `.doc`, a
`.doc` a saved web page, a `.pdf` plain text)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

import olefile

from ..errors import InputError

# The formats a reader exists for, and the extensions that usually carry them.
EXTENSIONS = {
    "text": (".txt", ".md", ".text"),
    "docx": (".docx", ".docm", ".dotx"),
    "doc": (".doc", ".dot"),
    "rtf": (".rtf",),
    "odt": (".odt",),
    "pdf": (".pdf",),
    "html": (".htm", ".html", ".xhtml"),
    "image": (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"),
}
SUFFIXES = tuple(s for group in EXTENSIONS.values() for s in group)
NAMES = {"text": "a text file", "docx": "a Word file (.docx)", "doc": "a Word 97–2003 file (.doc)",
         "rtf": "an RTF file", "odt": "an OpenDocument text", "pdf": "a PDF", "html": "a web page",
         "image": "an image"}

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"GIF87a", b"GIF89a")
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title|p|div|table|span|font)[\s>/]", re.IGNORECASE)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def expected(name: str) -> str | None:
    """The format a file's extension promises (None: no known extension)."""
    suffix = PurePath(name).suffix.lower()
    return next((fmt for fmt, group in EXTENSIONS.items() if suffix in group), None)


def sniff(data: bytes, name: str) -> str:
    """The format of `data`; InputError for what no reader takes (encrypted Office files, other
    archives, spreadsheets)."""
    head = data[:2048]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data, name)
    if head.startswith(_OLE):
        return _ole_kind(data, name)
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    body = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    if body.startswith(b"<") and (_HTML.search(data[:8192]) or _HTML.search(data[:16384].replace(b"\x00", b""))):
        return "html"
    return "text"


def _zip_kind(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "content.xml" in names and "mimetype" in names and b"opendocument.text" in z.read("mimetype")[:100]:
                return "odt"
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as e:
        raise InputError(name, f"a damaged zip archive, not a readable Word file ({e})") from None
    kinds = "a spreadsheet" if any(n.startswith("xl/") for n in names) else (
        "a presentation" if any(n.startswith("ppt/") for n in names) else "a zip archive")
    raise InputError(name, f"{kinds}, not a document vanban reads (Word, PDF, web page, image or text)")


def _ole_kind(data: bytes, name: str) -> str:
    try:
        ole = olefile.OleFileIO(data)
    except (OSError, ValueError, IndexError, TypeError) as e:
        raise InputError(name, f"a damaged Word 97–2003 (OLE) file ({e})") from None
    try:
        if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
            raise InputError(name, "a password-protected Word file: vanban cannot open it; save it without "
                             "a password")
        if ole.exists("WordDocument"):
            fib = ole.openstream("WordDocument").read(12)
            if len(fib) == 12 and int.from_bytes(fib[10:12], "little") & 0x0100:  # FIB fEncrypted
                raise InputError(name, "a password-protected Word 97–2003 file: vanban cannot open it; "
                                 "save it without a password")
            return "doc"
        if ole.exists("Workbook") or ole.exists("Book"):
            raise InputError(name, "an Excel workbook, not a document vanban reads")
        raise InputError(name, "an Office (OLE) file that is not a Word document")
    finally:
        ole.close()
