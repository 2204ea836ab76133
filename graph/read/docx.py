"""Word (.docx, WordprocessingML) → blocks: the body in document order, tables as tables, text boxes,
list numbers as Word draws them, capitals where a style says `caps`, and footnotes at the end.

Legacy fonts are honoured run by run: a run in `.VnTime` is TCVN3, in `VNI-Times` is VNI (see
`legacy.py`). The archive is read within a size budget (zip bombs) and its XML parsed without DTDs or
entities (defusedxml).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from ..errors import InputError
from . import legacy
from .model import Block, Para, ReadLimits, Table

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_CONTAINERS = {W + t for t in ("hyperlink", "smartTag", "ins", "fldSimple", "customXml", "moveTo", "dir", "bdo")}
_SKIPPED = {W + t for t in ("del", "moveFrom", "pPr", "rPr", "commentRangeStart", "commentRangeEnd",
                            "bookmarkStart", "bookmarkEnd", "proofErr")}
_ON = {None, "1", "true", "on"}


def read_docx(data: bytes, name: str, limits: ReadLimits) -> tuple[list[Block], list[str]]:
    """The blocks of a .docx and the warnings of the reading."""
    parts = _Parts(data, name, limits)
    doc = parts.xml("word/document.xml")
    if doc is None:
        raise InputError(name, "a zip archive without word/document.xml, not a Word file")
    reader = _Reader(_Styles(parts.xml("word/styles.xml")), _Numbering(parts.xml("word/numbering.xml")))
    body = doc.find(W + "body")
    blocks = list(reader.blocks(body)) if body is not None else []
    for part, tag in (("word/footnotes.xml", "footnote"), ("word/endnotes.xml", "endnote")):
        notes = parts.xml(part)
        if notes is None:
            continue
        for note in notes.iter(W + tag):
            if note.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            text = "\n".join(b.text for b in reader.blocks(note) if isinstance(b, Para)).strip()
            if text:
                blocks.append(Para(f"[{note.get(W + 'id')}] {text}"))
    warnings = [f"runs in {enc} fonts were converted to Unicode" for enc in sorted(reader.legacy_seen)]
    return blocks, warnings


class _Parts:
    """The parts of the archive, read within the decompressed-size budget."""

    def __init__(self, data: bytes, name: str, limits: ReadLimits) -> None:
        self.name, self.budget = name, limits.max_unzipped
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            raise InputError(name, f"a damaged Word file ({e})") from None

    def xml(self, part: str) -> Element | None:
        try:
            info = self.zip.getinfo(part)
        except KeyError:
            return None
        if info.file_size > self.budget:
            raise InputError(self.name, f"{part} expands to {info.file_size} bytes (the limit is "
                             f"{self.budget}: a zip bomb?)")
        try:
            with self.zip.open(info) as f:
                raw = f.read(self.budget + 1)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as e:
            raise InputError(self.name, f"a damaged Word file: {part}: {e}") from None
        if len(raw) > self.budget:
            raise InputError(self.name, f"{part} expands past {self.budget} bytes (a zip bomb?)")
        self.budget -= len(raw)
        try:
            root: Element = SafeET.fromstring(raw)
        except (SafeET.ParseError, DefusedXmlException, ValueError) as e:
            raise InputError(self.name, f"a damaged Word file: {part} is not well-formed XML ({e})") from None
        return root


@dataclass(frozen=True)
class _RunStyle:
    font: str | None = None
    caps: bool | None = None
    hidden: bool | None = None

    def over(self, base: _RunStyle) -> _RunStyle:
        """These properties where set, the base's elsewhere."""
        return _RunStyle(self.font if self.font is not None else base.font,
                         self.caps if self.caps is not None else base.caps,
                         self.hidden if self.hidden is not None else base.hidden)


def _run_style(rpr: Element | None) -> _RunStyle:
    if rpr is None:
        return _RunStyle()
    fonts = rpr.find(W + "rFonts")
    font = None if fonts is None else (fonts.get(W + "ascii") or fonts.get(W + "hAnsi") or fonts.get(W + "cs"))
    return _RunStyle(font, _flag(rpr.find(W + "caps")), _flag(rpr.find(W + "vanish")))


def _flag(el: Element | None) -> bool | None:
    return None if el is None else el.get(W + "val") in _ON


class _Styles:
    """Run properties of paragraph and character styles, through their `basedOn` chains."""

    def __init__(self, root: Element | None) -> None:
        self.raw: dict[str, tuple[str | None, _RunStyle, Element | None]] = {}
        self.default = _RunStyle()
        self.default_para: str | None = None
        if root is None:
            return
        defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self.default = _run_style(defaults)
        for st in root.iter(W + "style"):
            sid = st.get(W + "styleId")
            if not sid:
                continue
            based = st.find(W + "basedOn")
            self.raw[sid] = (None if based is None else based.get(W + "val"), _run_style(st.find(W + "rPr")),
                             st.find(f"{W}pPr/{W}numPr"))
            if st.get(W + "type") == "paragraph" and st.get(W + "default") in ("1", "true"):
                self.default_para = sid
        self._cache: dict[str, _RunStyle] = {}

    def run(self, style_id: str | None) -> _RunStyle:
        if not style_id or style_id not in self.raw:
            return _RunStyle()
        if style_id not in self._cache:
            self._cache[style_id] = _RunStyle()  # a cycle of basedOn ends here
            based, own, _ = self.raw[style_id]
            self._cache[style_id] = own.over(self.run(based))
        return self._cache[style_id]

    def numbering(self, style_id: str | None, depth: int = 0) -> Element | None:
        if not style_id or style_id not in self.raw or depth > 20:
            return None
        based, _, num = self.raw[style_id]
        return num if num is not None else self.numbering(based, depth + 1)


_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter",):
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


@dataclass(frozen=True)
class _Level:
    start: int
    fmt: str
    text: str


class _Numbering:
    """Word's list numbers, counted as Word counts them: per list, deeper levels restarting."""

    def __init__(self, root: Element | None) -> None:
        self.levels: dict[str, dict[int, _Level]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if root is None:
            return
        abstract: dict[str, dict[int, _Level]] = {}
        for an in root.iter(W + "abstractNum"):
            abstract[an.get(W + "abstractNumId") or ""] = {
                int(lvl.get(W + "ilvl") or 0): _Level(
                    int(_val(lvl.find(W + "start")) or 1), _val(lvl.find(W + "numFmt")) or "decimal",
                    _val(lvl.find(W + "lvlText")) or "")
                for lvl in an.findall(W + "lvl")}
        for num in root.iter(W + "num"):
            ref = _val(num.find(W + "abstractNumId"))
            levels = dict(abstract.get(ref or "", {}))
            for override in num.findall(W + "lvlOverride"):
                ilvl = int(override.get(W + "ilvl") or 0)
                start = _val(override.find(W + "startOverride"))
                if start and ilvl in levels:
                    lv = levels[ilvl]
                    levels[ilvl] = _Level(int(start), lv.fmt, lv.text)
            self.levels[num.get(W + "numId") or ""] = levels

    def marker(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counts = self.counters.setdefault(num_id, {})
        counts[ilvl] = counts.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]
        lv = levels[ilvl]
        if lv.fmt == "none":
            return ""
        if lv.fmt == "bullet":
            return lv.text if lv.text and lv.text.isprintable() and not _private(lv.text) else "-"
        text = lv.text
        for k in range(ilvl, -1, -1):
            if f"%{k + 1}" in text:
                n = counts.get(k, levels[k].start if k in levels else 1)
                fmt = levels[k].fmt if k in levels else "decimal"
                text = text.replace(f"%{k + 1}", _format_number(n, lv.fmt if k == ilvl else fmt))
        return text


def _private(s: str) -> bool:
    return any(0xE000 <= ord(c) <= 0xF8FF for c in s)


def _val(el: Element | None) -> str | None:
    return None if el is None else el.get(W + "val")


@dataclass
class _Reader:
    styles: _Styles
    numbering: _Numbering
    legacy_seen: set[str] = field(default_factory=set)

    def blocks(self, parent: Element) -> Iterator[Block]:
        for el in parent:
            if el.tag == W + "p":
                yield from self.paragraph(el)
            elif el.tag == W + "tbl":
                yield self.table(el)
            elif el.tag in (W + "sdt", W + "customXml"):
                content = el.find(W + "sdtContent") if el.tag == W + "sdt" else el
                if content is not None:
                    yield from self.blocks(content)
            elif el.tag == MC + "AlternateContent":
                choice = el.find(MC + "Choice")
                if choice is not None:
                    yield from self.blocks(choice)

    def table(self, tbl: Element) -> Table:
        rows = []
        for tr in _children(tbl, "tr"):
            cells: list[tuple[Block, ...]] = []
            for tc in _children(tr, "tc"):
                merged = tc.find(f"{W}tcPr/{W}vMerge")
                if merged is not None and merged.get(W + "val") in (None, "continue"):
                    cells.append(())
                    continue
                cells.append(tuple(self.blocks(tc)))
            rows.append(tuple(cells))
        return Table(tuple(rows))

    def paragraph(self, p: Element) -> Iterator[Block]:
        ppr = p.find(W + "pPr")
        pstyle = _val(ppr.find(W + "pStyle")) if ppr is not None else None
        base = self.styles.run(pstyle or self.styles.default_para).over(self.styles.default)
        boxes: list[Block] = []
        text = "".join(self.inline(p, base, boxes, _Field()))
        yield Para(self.marker(ppr, pstyle) + text)
        yield from boxes

    def marker(self, ppr: Element | None, pstyle: str | None) -> str:
        num = ppr.find(W + "numPr") if ppr is not None else None
        if num is None:
            num = self.styles.numbering(pstyle)
        if num is None:
            return ""
        num_id, ilvl = _val(num.find(W + "numId")), _val(num.find(W + "ilvl"))
        if not num_id or num_id == "0":
            return ""
        mark = self.numbering.marker(num_id, int(ilvl or 0))
        return mark + " " if mark else ""

    def inline(self, parent: Element, base: _RunStyle, boxes: list[Block], fld: _Field) -> Iterator[str]:
        for el in parent:
            tag = el.tag
            if tag == W + "r":
                yield from self.run(el, base, boxes, fld)
            elif tag in _CONTAINERS:
                yield from self.inline(el, base, boxes, fld)
            elif tag == W + "sdt":
                content = el.find(W + "sdtContent")
                if content is not None:
                    yield from self.inline(content, base, boxes, fld)
            elif tag == MC + "AlternateContent":
                choice = el.find(MC + "Choice")
                yield from self.inline(el if choice is None else choice, base, boxes, fld)

    def run(self, r: Element, base: _RunStyle, boxes: list[Block], fld: _Field) -> Iterator[str]:
        rpr = r.find(W + "rPr")
        style = _run_style(rpr).over(self.styles.run(_val(rpr.find(W + "rStyle")) if rpr is not None else None)
                                     ).over(base)
        for el in r:
            tag = el.tag
            if tag == W + "fldChar":
                fld.step(el.get(W + "fldCharType"))
            elif tag == W + "t" and not fld.instruction and not style.hidden:
                yield self.convert(el.text or "", style)
            elif fld.instruction or style.hidden:
                continue
            elif tag in (W + "tab", W + "ptab"):
                yield "\t"
            elif tag in (W + "br", W + "cr"):
                yield "\n"
            elif tag == W + "noBreakHyphen":
                yield "-"
            elif tag == W + "sym":
                ch = chr(int(el.get(W + "char") or "0", 16))
                yield "" if _private(ch) else ch
            elif tag in (W + "drawing", W + "pict", MC + "AlternateContent", W + "object"):
                boxes.extend(self.text_boxes(el))

    def text_boxes(self, el: Element) -> Iterator[Block]:
        """Paragraphs of the text boxes under a drawing (the first alternative only: the fallback is a
        copy of the same box)."""
        if el.tag == MC + "AlternateContent":
            choice = el.find(MC + "Choice")
            el = choice if choice is not None else el
        for box in el.iter(W + "txbxContent"):
            if _inside_box(box, el):
                continue
            yield from self.blocks(box)

    def convert(self, text: str, style: _RunStyle) -> str:
        enc = legacy.font_encoding(style.font)
        if enc:
            self.legacy_seen.add("TCVN3" if enc.startswith("tcvn3") else "VNI")
            text = legacy.convert(text, enc)
        return text.upper() if style.caps else text


@dataclass
class _Field:
    """Where a run stands in a complex field: its instruction (`PAGE`, `HYPERLINK …`) is not text."""

    instruction: bool = False
    stack: list[bool] = field(default_factory=list)

    def step(self, kind: str | None) -> None:
        if kind == "begin":
            self.stack.append(self.instruction)
            self.instruction = True
        elif kind == "separate":
            self.instruction = False
        elif kind == "end" and self.stack:
            self.instruction = self.stack.pop()


def _children(parent: Element, tag: str) -> Iterator[Element]:
    """Rows of a table or cells of a row, also those wrapped in content controls (not those of a
    nested table, which are read with it)."""
    for el in parent:
        if el.tag == W + tag:
            yield el
        elif el.tag in (W + "sdt", W + "customXml"):
            content = el.find(W + "sdtContent") if el.tag == W + "sdt" else el
            if content is not None:
                yield from _children(content, tag)


def _inside_box(box: Element, top: Element) -> bool:
    """A text box inside another text box under `top` (read with its outer box)."""
    for outer in top.iter(W + "txbxContent"):
        if outer is not box and any(inner is box for inner in outer.iter(W + "txbxContent")):
            return True
    return False
