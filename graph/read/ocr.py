"""OCR with Tesseract and its Vietnamese model (`vie`), one process per page, pages in parallel.

Tesseract is a system program (Debian `tesseract-ocr`, `tesseract-ocr-vie`); the model ships in the
package and nothing is downloaded. Each page's words come back with their confidence; symbol-like
tokens that OCR typically breaks (`98:CV/ĐÐĐĐ`, `T Ù` for `TU`) are repaired where the repair gives
known codes (`repair.py`), and every repair is reported.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from itertools import pairwise

from PIL import Image

from ..errors import InputError, ToolMissing
from ..text import LIST_START
from .model import Ocr, OcrWord, PageProgress, ReadLimits
from .repair import SYMBOL_BREAK, SYMBOL_REST, repair_text

LANG = "vie"
PACKAGES = "tesseract-ocr tesseract-ocr-vie"


@dataclass(frozen=True)
class Line:
    """A line of a page: its text and, for OCR'd lines, each word's span in it and confidence."""

    text: str
    words: tuple[tuple[int, int, float], ...] = ()


@dataclass(frozen=True)
class PageLines:
    number: int  # 1-based
    lines: tuple[Line, ...]
    ocr: bool = False
    warnings: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _tesseract() -> str | None:
    """The Tesseract program when it and its Vietnamese model are installed."""
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return exe if LANG in langs.split() else None


def tesseract(source: str) -> str:
    """The program, or ToolMissing naming the packages to install."""
    exe = _tesseract()
    if exe is None:
        raise ToolMissing(source, "it needs OCR", "Tesseract with its Vietnamese model", PACKAGES)
    return exe


def ocr_pages(
    images: Iterable[tuple[int, Image.Image]], source: str, limits: ReadLimits, total: int,
    on_page: PageProgress | None = None,
) -> dict[int, PageLines]:
    """OCR page images (number, image) in parallel Tesseract processes; images are made lazily, so at
    most a few wait in memory. A page that fails or times out is skipped with a warning."""
    exe = tesseract(source)
    workers = max(1, limits.ocr_workers)
    done: dict[int, PageLines] = {}
    pending: list[tuple[int, Future[PageLines]]] = []

    def collect(block: bool) -> None:
        while pending and (block or pending[0][1].done()):
            n, fut = pending.pop(0)
            done[n] = fut.result()
            if on_page:
                on_page(len(done), total)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for number, image in images:
            pending.append((number, pool.submit(_ocr_one, exe, number, _pnm(image), limits.ocr_timeout, source)))
            while len(pending) >= 2 * workers:
                collect(block=True)
            collect(block=False)
        collect(block=True)
    return done


def _pnm(image: Image.Image) -> bytes:
    """A grey page as uncompressed PNM (fast to write, read by Tesseract from its standard input)."""
    buf = BytesIO()
    image.convert("L").save(buf, format="PPM")
    return buf.getvalue()


ROTATED_BELOW = 50.0  # a page read at a lower mean confidence is read again with orientation detection


def _ocr_one(exe: str, number: int, image: bytes, timeout: float, source: str) -> PageLines:
    """One page: read as it stands; when that reads badly (a page scanned sideways or upside down),
    read again with Tesseract's orientation detection (`--psm 1`) and keep the better reading."""
    upright = _tesseract_tsv(exe, number, image, timeout, "3", source)
    if isinstance(upright, str) or _mean(upright) >= ROTATED_BELOW:
        return _page(number, upright)
    turned = _tesseract_tsv(exe, number, image, timeout, "1", source)
    return _page(number, turned if not isinstance(turned, str) and _mean(turned) > _mean(upright) else upright)


def _tesseract_tsv(exe: str, number: int, image: bytes, timeout: float, psm: str, source: str
                   ) -> dict[tuple[int, int], list[_TessLine]] | str:
    """Tesseract's words of a page, by paragraph; or why it failed."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one core per page: pages run in parallel instead
    try:
        out = subprocess.run([exe, "stdin", "stdout", "-l", LANG, "--psm", psm, "tsv"], input=image,
                             capture_output=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        return f"OCR stopped after {timeout:.0f} s; page skipped"
    except OSError as e:
        raise InputError(source, f"cannot run Tesseract: {e}") from None
    if out.returncode != 0:
        err = out.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["failed"]
        return f"OCR failed ({err[0][:200]}); page skipped"
    return _tsv_lines(out.stdout.decode("utf-8", "replace"))


def _mean(pars: dict[tuple[int, int], list[_TessLine]]) -> float:
    confs = [c for lines in pars.values() for ln in lines for _, c in ln.words]
    return sum(confs) / len(confs) if confs else 0.0


def _page(number: int, read: dict[tuple[int, int], list[_TessLine]] | str) -> PageLines:
    if isinstance(read, str):
        return PageLines(number, (), True, (f"page {number}: {read}",))
    lines, notes = _lines_of(read)
    if not any(ln.text for ln in lines):
        notes = (*notes, "OCR found no text (a blank page?)")
    return PageLines(number, tuple(lines), True, tuple(f"page {number}: {n}" for n in notes))


@dataclass
class _TessLine:
    words: list[tuple[str, float]]
    left: int
    right: int


def _tsv_lines(tsv: str) -> dict[tuple[int, int], list[_TessLine]]:
    """Tesseract's TSV: (block, paragraph) → its lines, each with its words and horizontal extent."""
    lines: dict[tuple[int, int, int], _TessLine] = {}
    for row in tsv.splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5":
            continue
        word = unicodedata.normalize("NFC", f[11]).strip()
        if not word:
            continue
        try:
            conf, left, width = float(f[10]), int(f[6]), int(f[8])
        except ValueError:
            continue
        key = (int(f[2]), int(f[3]), int(f[4]))
        line = lines.setdefault(key, _TessLine([], left, left + width))
        line.words.append((word, max(conf, 0.0)))
        line.left, line.right = min(line.left, left), max(line.right, left + width)
    pars: dict[tuple[int, int], list[_TessLine]] = {}
    for (block, par, _), line in lines.items():
        pars.setdefault((block, par), []).append(line)
    return pars


WRAP_SLACK = 0.06  # share of the text width: a line ending this close to the right margin is full
INDENT = 0.12  # … and one starting this close to the left margin goes on from the line above


def _margins(pars: dict[tuple[int, int], list[_TessLine]]) -> tuple[float, float]:
    """The left and right margins of the page's text, from its longer lines (a stamp's or a
    signature's few marks do not move them)."""
    long = [ln for lines in pars.values() for ln in lines if len(ln.words) >= 5] or [
        ln for lines in pars.values() for ln in lines]
    lefts, rights = sorted(ln.left for ln in long), sorted(ln.right for ln in long)
    return float(lefts[len(lefts) // 10]), float(rights[(len(rights) * 9) // 10])


def _lines_of(pars: dict[tuple[int, int], list[_TessLine]]) -> tuple[list[Line], tuple[str, ...]]:
    """Tesseract's paragraphs as lines of text: a line that reaches the right margin and goes on at
    the left margin of the next is joined with it (a sentence is one line, as in a Word file; a
    centred title or a header's two columns are not), a blank line between paragraphs — except where
    Tesseract cuts a sentence (no punctuation before, lower case after)."""
    if not pars:
        return [], ()
    left, right = _margins(pars)
    full, indent = right - WRAP_SLACK * (right - left), left + INDENT * (right - left)
    out: list[list[tuple[str, float]]] = []
    for tess in pars.values():
        current: list[tuple[str, float]] = list(tess[0].words)
        if out and out[-1] and _runs_on(out[-1], current):
            current = _glue(out.pop(), current)
        elif out:
            out.append([])
        for before, line in pairwise(tess):
            if before.right >= full and line.left <= indent and _continues(before.words, line.words):
                current = _glue(current, line.words)
            else:
                out.append(current)
                current = list(line.words)
        out.append(current)
    lines: list[Line] = []
    warnings: list[str] = []
    for words in out:
        if not words:
            lines.append(Line(""))
            continue
        repaired, repairs = repair_line(words)
        lines.append(repaired)
        warnings += [f"OCR read {old!r}, repaired to {new!r}" for old, new in repairs]
    return lines, tuple(warnings)


def _continues(before: list[tuple[str, float]], after: list[tuple[str, float]]) -> bool:
    """A full line goes on in the next unless that opens an item, or the line ended a clause and the
    next begins with a capital (`…tỉnh Quảng Ngãi,` / `Căn cứ …`)."""
    last, first = before[-1][0], after[0][0]
    if LIST_START.match(first + " "):
        return False
    return first[:1].islower() or last[-1:].isalnum()


def _runs_on(before: list[tuple[str, float]], after: list[tuple[str, float]]) -> bool:
    last, first = before[-1][0], after[0][0]
    return last[-1:].isalnum() and first[:1].islower() and not LIST_START.match(first + " ")


def _glue(before: list[tuple[str, float]], after: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Two wrapped lines as one; a symbol broken at the margin (`71/2016/NĐ-` + `CP`) is one word again."""
    (last, c1), (first, c2) = before[-1], after[0]
    if SYMBOL_BREAK.search(last) and SYMBOL_REST.match(first):
        return [*before[:-1], (last + first, min(c1, c2)), *after[1:]]
    return [*before, *after]


def _join(words: list[tuple[str, float]]) -> Line:
    text: list[str] = []
    spans: list[tuple[int, int, float]] = []
    pos = 0
    for word, conf in words:
        if text:
            pos += 1
        spans.append((pos, pos + len(word), conf))
        text.append(word)
        pos += len(word)
    return Line(" ".join(text), tuple(spans))


def repair_line(words: list[tuple[str, float]]) -> tuple[Line, list[tuple[str, str]]]:
    """A line of OCR words with broken symbols repaired; each word keeps its confidence (a word made of
    several takes the lowest)."""
    line = _join(words)
    text, repairs = repair_text(line.text)
    if text == line.text:
        return line, repairs
    old_tokens, new_tokens = line.text.split(" "), text.split(" ")
    confs = [c for _, c in words]
    new_confs: list[float] = [min(confs)] * len(new_tokens)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for j in range(j1, j2):
            if tag == "equal":
                new_confs[j] = confs[i1 + (j - j1)]
            elif i2 > i1:
                new_confs[j] = min(confs[i1:i2])
    return _join(list(zip(new_tokens, new_confs, strict=True))), repairs


def assemble(pages: list[PageLines]) -> tuple[str, tuple[int, ...], Ocr | None, tuple[str, ...]]:
    """Pages of lines → the text, where each page starts, the OCR summary with each word's place."""
    parts: list[str] = []
    starts: list[int] = []
    words: list[OcrWord] = []
    pos = 0
    ocr_pages = 0
    warnings: list[str] = []
    for page in pages:
        starts.append(pos)
        ocr_pages += page.ocr
        warnings += page.warnings
        for line in page.lines:
            for s, e, conf in line.words:
                words.append(OcrWord(pos + s, pos + e, conf, page.number))
            parts.append(line.text)
            pos += len(line.text) + 1
    text = "\n".join(parts)
    ocr = None
    if ocr_pages:
        mean = sum(w.confidence for w in words) / len(words) if words else 0.0
        ocr = Ocr(ocr_pages, mean, tuple(words))
    return text, tuple(starts), ocr, tuple(warnings)

