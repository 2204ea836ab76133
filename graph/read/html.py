"""Saved web pages (.htm, .html; Word's "Save as Web Page" too) → blocks in reading order.

Decoding: a byte-order mark, else the charset the page declares, else what reads as Vietnamese — Word
declares windows-1252 for pages whose letters are entities, and older tools declare it for bytes that
are Windows-1258, TCVN3 or VNI. Scripts, styles and the page head are not text; list items get the
marker a browser draws.
"""

from __future__ import annotations

import codecs
import html
import re
from html.parser import HTMLParser

from ..errors import InputError
from . import legacy
from .model import Block, Para, Table

_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{1,40})""", re.IGNORECASE)
_TAGS = re.compile(r"<!--.*?-->|<[^>]{0,2000}>", re.DOTALL)
_TAGS_BYTES = re.compile(rb"<!--.*?-->|<(?:style|script)[^>]*>.*?</(?:style|script)>|<[^>]{0,2000}>",
                         re.DOTALL | re.IGNORECASE)
_SKIP = frozenset("script style head noscript template svg math object iframe xml select button".split())
_BLOCK = frozenset(
    "p div h1 h2 h3 h4 h5 h6 ul ol dl dt dd blockquote pre section article header footer nav aside main "
    "form fieldset address hr center figure figcaption caption title body html".split()
)
_VOID = frozenset("br hr img meta link input col area base wbr param source track embed".split())
_WHITESPACE = re.compile(r"\s+")


def decode_html(data: bytes, name: str) -> tuple[str, tuple[str, ...]]:
    """The page as text (markup included) and the warnings of the decoding."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), ()
    if data[:4096].count(b"\x00") > 100:
        return data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be", errors="replace"), ()
    declared = _declared(data)
    sample = _TAGS_BYTES.sub(b" ", data[:1 << 20])[: legacy.SAMPLE_BYTES]  # markup is ASCII in every encoding
    candidates: list[str] = []
    try:
        data.decode("utf-8")
        candidates.append("utf-8")
    except UnicodeDecodeError:
        pass
    if declared and declared != "utf-8":
        candidates.append(declared)
    if not candidates or (declared or "") in ("cp1252", "latin-1", "iso8859-1", "ascii"):
        candidates += list(legacy.DECODERS)
    scored = [(legacy.score(_visible(_decode(sample, enc))), enc) for enc in candidates]
    best, first = max(scored, key=lambda s: s[0]), scored[0]
    if best[0] > first[0] + 0.1:  # clearly better than what the page says (or UTF-8)
        return _decode(data, best[1]), (f"the page declares {declared or 'no charset'} but reads as {best[1]}",)
    return _decode(data, first[1]), ()


def _decode(data: bytes, encoding: str) -> str:
    if encoding in legacy.DECODERS:
        return legacy.decode_as(data, encoding)
    return data.decode(encoding, errors="replace")


def _visible(page: str) -> str:
    """Roughly the text a browser shows of (part of) a page: enough to judge its encoding by."""
    return html.unescape(_TAGS.sub(" ", page))[:40_000]


def _declared(data: bytes) -> str | None:
    m = _CHARSET.search(data[:16384])
    if m is None:
        return None
    try:
        return codecs.lookup(m.group(1).decode("ascii")).name
    except LookupError:
        return None


def read_html(data: bytes, name: str) -> tuple[list[Block], tuple[str, ...]]:
    text, warnings = decode_html(data, name)
    parser = _Parser()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError) as e:  # html.parser gives up on some broken markup
        raise InputError(name, f"a web page the HTML parser cannot read ({e})") from None
    return parser.finish(), warnings


class _Cell:
    def __init__(self) -> None:
        self.blocks: list[Block] = []


class _Table:
    def __init__(self) -> None:
        self.rows: list[list[_Cell]] = []
        self.cell: _Cell | None = None

    def freeze(self) -> Table:
        return Table(tuple(tuple(tuple(c.blocks) for c in row) for row in self.rows if row))


class _Parser(HTMLParser):
    """Paragraphs and tables in reading order; lenient about unclosed cells, rows and tables."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.top: list[Block] = []
        self.tables: list[_Table] = []
        self.buf: list[str] = []
        self.skip = 0
        self.pre = 0
        self.lists: list[list[int]] = []  # per open list: [counter] (-1 for bullets)

    # -- where blocks go ------------------------------------------------------------------------

    def _target(self) -> list[Block]:
        t = self.tables[-1] if self.tables else None
        if t is not None and t.cell is not None:
            return t.cell.blocks
        return self.top

    def _flush(self) -> None:
        text = "".join(self.buf)
        self.buf = []
        if text.strip():
            self._target().append(Para(text.strip(" ")))

    # -- events ---------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            if tag not in _VOID:
                self.skip += 1
            return
        if self.skip:
            return
        if tag == "br":
            self.buf.append("\n")
        elif tag == "table":
            self._flush()
            self.tables.append(_Table())
        elif tag == "tr" and self.tables:
            self._flush()
            self.tables[-1].rows.append([])
            self.tables[-1].cell = None
        elif tag in ("td", "th") and self.tables:
            self._flush()
            t = self.tables[-1]
            if not t.rows:
                t.rows.append([])
            t.cell = _Cell()
            t.rows[-1].append(t.cell)
        elif tag in ("ul", "ol"):
            self._flush()
            self.lists.append([0 if tag == "ol" else -1])
        elif tag == "li":
            self._flush()
            if self.lists and self.lists[-1][0] >= 0:
                self.lists[-1][0] += 1
                self.buf.append(f"{self.lists[-1][0]}. ")
            else:
                self.buf.append("- ")
        elif tag in _BLOCK:
            self._flush()
            if tag == "pre":
                self.pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not self.skip:
            self.buf.append("\n")
        elif tag in _BLOCK and not self.skip:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "table" and self.tables:
            self._flush()
            table = self.tables.pop().freeze()
            self._target().append(table)
        elif (tag in ("td", "th") and self.tables) or (tag == "tr" and self.tables):
            self._flush()
            self.tables[-1].cell = None
        elif tag in ("ul", "ol") and self.lists:
            self._flush()
            self.lists.pop()
        elif tag in _BLOCK or tag == "li":
            self._flush()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.buf.append(data if self.pre else _WHITESPACE.sub(" ", data))

    def finish(self) -> list[Block]:
        self._flush()
        while self.tables:
            table = self.tables.pop().freeze()
            self._target().append(table)
        return self.top
