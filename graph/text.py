"""Normalising source text (reading files is `graph/read`).

Three views of one document, all of the same length so that an offset means the same character
in each: `nfc` (the source after Unicode NFC, what mention offsets point into), `work` (look-alike
letters mapped, markdown emphasis blanked, hard line breaks inside a sentence repaired) and `fold`
(`work` lower-cased with old/new tone-mark placement made equal, for matching words).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Look-alikes of Đ/đ met in real files (Icelandic eth, African D), and typographic spaces.
LOOKALIKES = str.maketrans(
    {
        "\u00d0": "\u0110",
        "\u00f0": "\u0111",
        "\u0189": "\u0110",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u200b": " ",
        "\ufeff": " ",
        "\t": " ",
        "\r": " ",
        "*": " ",
        "\u2010": "-",
        "\u2011": "-",
        "\u2212": "-",
    }
)

_LOOKALIKE_PAIRS = tuple((chr(k), v) for k, v in LOOKALIKES.items() if isinstance(v, str))
_TONED_FIRST = "òóỏõọùúủũụÒÓỎÕỌÙÚỦŨỤ"
# Only oa, oe and uy take the tone on either vowel (hòa/hoà, thủy/thuỷ); "của", "mùa" do not.
_OLD_STYLE = re.compile(r"([òóỏõọÒÓỎÕỌ])([aeAE])(?![\w])|([ùúủũụÙÚỦŨỤ])([yY])(?![\w])")
_TONE_OF = {}
for _ch in _TONED_FIRST:
    _d = unicodedata.normalize("NFD", _ch)
    _TONE_OF[_ch] = (_d[0], _d[1])


def _move_tone(m: re.Match[str]) -> str:
    first, second = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    base, tone = _TONE_OF[first]
    return base + unicodedata.normalize("NFC", second + tone)


def fold(s: str) -> str:
    """Lower-case and put the tone mark of `oa`, `oe`, `uy` on the second vowel (hòa → hoà).

    Keeps the length of `s`, so offsets into the folded text are offsets into `s`.
    """
    s = _OLD_STYLE.sub(_move_tone, s)
    low = s.lower()
    if len(low) != len(s):  # a few code points lower-case to two
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in s)
    return low


def map_lookalikes(s: str) -> str:
    """LOOKALIKES applied with str.replace (much faster than translate on long texts)."""
    for k, v in _LOOKALIKE_PAIRS:
        if k in s:
            s = s.replace(k, v)
    return s


def alternation(words: Iterable[str]) -> str:
    """Words as a regex alternation, longest first (the longest phrase wins), any run of spaces where a
    word has one space."""
    return "|".join(re.escape(w).replace(r"\ ", "[ ]+") for w in sorted(set(words), key=len, reverse=True))


def strip_marks(s: str) -> str:
    """Letters without diacritics, đ → d, lower case: for accent-insensitive comparison."""
    s = unicodedata.normalize("NFD", s.translate(LOOKALIKES).replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


# A line that ends in one of these words continues on the next line.
_CONTINUES = re.compile(
    r"(?:\b(?:của|số|số:|về|và|ngày|tại|theo|thực hiện|với|cho|các|những|năm|tháng|hoặc|kèm|"
    r"ban hành|trong|đã|được|là|bởi|triển khai|quán triệt|căn cứ|hướng dẫn|thay thế|"
    r"sửa đổi|bổ sung|bãi bỏ|khóa|khoá|nhiệm kỳ|đối với|giữa|cụ thể hóa|cụ thể hoá)|,|(?<=\w)[ ]?[-–]|[(])\s*$",
    re.IGNORECASE,
)
_ENDS_SENTENCE = re.compile(r"[.;:!?…)\]]\s*$")
LIST_START = re.compile(  # a line opening a list item: never the run-on of the one before
    r"^\s*(?:[-+•*–]\s|\d+(?:\.\d+)*[.)]\s|[a-zđ][.)]\s|[IVXLC]+\.\s|#)")


# A hard-wrapped document (a text saved at a fixed width): most lines of prose run close to one width and
# stop mid-sentence. Measured on the lines of four words or more; one paragraph per line gives widths far
# beyond WRAP_WIDTH_MAX, a list of short items ends its lines with punctuation.
WRAP_WIDTH_MAX = 110  # characters: wider "lines" are paragraphs
WRAP_NEAR = 0.8  # a line this close to the width is a wrapped one...
WRAP_SHARE = 0.5  # ...and at least this share of the prose lines are
WRAP_OPEN = 0.6  # of which at least this share stop mid-sentence
WRAP_MIN_LINES = 8


def wrap_width(lines: list[str]) -> int | None:
    """The width a document's paragraphs were broken at, if they were (decided from its own lines)."""
    longer = sorted(len(ln) for ln in lines if len(ln) >= 20)
    if len(longer) < WRAP_MIN_LINES or longer[int(0.9 * (len(longer) - 1))] > 2 * WRAP_WIDTH_MAX:
        return None  # one paragraph a line: no need to look closer
    prose = [ln.rstrip() for ln in lines if ln.count(" ") >= 3 and len(ln.split()) >= 4
             and not ln.lstrip().startswith(("|", "#"))]
    if len(prose) < WRAP_MIN_LINES:
        return None
    lengths = sorted(len(ln) for ln in prose)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if width > WRAP_WIDTH_MAX:
        return None
    near = [ln for ln in prose if len(ln) >= WRAP_NEAR * width]
    open_ = [ln for ln in near if not _ENDS_SENTENCE.search(ln)]
    return width if len(near) >= WRAP_SHARE * len(prose) and len(open_) >= WRAP_OPEN * len(near) else None


def _runs_on(lines: list[str], i: int, width: int) -> bool:
    """In a document wrapped at `width`, whether line i (not ending a sentence) runs on into line i+1:
    it reaches the width, or it opens a paragraph (a blank line before it) whose next line does. Never
    into a title in capitals, a table row or a rule; never out of a header line in capitals."""
    cur, nxt = lines[i].rstrip(), lines[i + 1].strip()
    if not nxt[:1].isalnum() or nxt.isupper() or cur.isupper() or cur.lstrip().startswith("|"):
        return False
    if len(cur) >= WRAP_NEAR * width:
        return True
    opens = i == 0 or not lines[i - 1].strip()
    return opens and len(nxt) >= WRAP_NEAR * width


_BULLET = re.compile(r"^\s*[-+*]\s+")
_MARK = re.compile(r"\*\*|\*")


def _open_runs(lines: list[str]) -> list[bool]:
    """For each line, whether a Markdown bold or italic run is still open at its end (opened there or
    above, not yet closed: a header table cell broken mid-word by the converter). A blank line closes
    whatever was open."""
    if not any("*" in line for line in lines):
        return [False] * len(lines)
    state = {"**": False, "*": False}
    out = []
    for line in lines:
        if not line.strip():
            state = {"**": False, "*": False}
        body = _BULLET.sub("", line)
        for m in _MARK.finditer(body):
            mark = m.group()
            before = body[m.start() - 1] if m.start() else " "
            after = body[m.end()] if m.end() < len(body) else " "
            if state[mark] and (not before.isspace() or after.isspace()):
                state[mark] = False  # closes against the word before it, or standing alone
            elif not after.isspace():
                state[mark] = True  # opens against the word after it (a lone `*` is a decoration)
        out.append(state["**"] or state["*"])
    return out


def _in_cell(lines: list[str], i: int, reach: int = 4) -> bool:
    """Whether line i is in a table cell saved as text: a `|` line opens the block it is in (a header
    table converted to Markdown puts each cell under one). A signature block's bold lines are not."""
    for k in range(i, max(-1, i - reach), -1):
        line = lines[k].strip()
        if not line:
            return False
        if line.startswith("|"):
            return True
    return False


def repair_breaks(text: str, original: str | None = None) -> str:
    """Blank the hard line breaks that cut a sentence (PDF/Word copies), keeping every offset.

    `Nghị quyết số\\n02-NQ/TW` and `ngày 15/3/2022 của\\n\\nBan Thường vụ` become one line: a break is
    joined when the line before does not end a sentence and either the next line starts in lower
    case or the line before ends in a word that needs its object (của, số, về, thực hiện…). In a
    hard-wrapped document (`wrap_width`) a paragraph is the block between blank lines or list
    items: a line that does not end a sentence runs on into the next whatever that starts with
    (`Để tiếp tục thực hiện nghiêm\\nChỉ thị số 05/CT-TTg`), so the cue that opens it governs it all.
    """
    lines = text.split("\n")
    width = wrap_width(lines)
    # emphasis marks are blanked in the work text: read them where they still are (same lines, same lengths)
    marked = original.split("\n") if original is not None and len(original) == len(text) else lines
    open_runs = _open_runs(marked)
    out = list(text)
    pos = 0
    starts = []
    for ln in lines:
        starts.append(pos)
        pos += len(ln) + 1
    i = 0
    n = len(lines)
    while i < n - 1:
        cur = lines[i].rstrip()
        j = i + 1
        while j < n and not lines[j].strip():
            j += 1
        if j >= n or not any(c.isalpha() for c in cur) or j - i > 3:
            i = j
            continue
        nxt = lines[j].lstrip()
        if _ENDS_SENTENCE.search(cur) or LIST_START.match(nxt):
            i = j
            continue
        first = nxt[:1]
        join = (first.islower() and not cur.isupper()) or bool(_CONTINUES.search(cur))
        if width and j == i + 1 and not join and _runs_on(lines, i, width):
            join = True  # one paragraph, wrapped: the next line is its run-on
        if join and cur.isupper() and nxt[:1].isupper() and not nxt[:1].isdigit():
            join = False  # upper-case header blocks keep their lines
        if j == i + 1 and open_runs[i] and _in_cell(marked, i):
            join = True  # `|\n**ỦY BAN NHÂN\nDÂN**`: a table cell broken inside its bold or italic run
        if join:
            for k in range(starts[i] + len(lines[i]), starts[j]):
                if out[k] == "\n":
                    out[k] = " "
        i = j
    return "".join(out)


@dataclass(frozen=True)
class Source:
    """One document's text in its three aligned views."""

    name: str
    nfc: str
    work: str
    fold: str


def prepare(raw: str, name: str = "<text>", wrapped: bool = True) -> Source:
    """Normalise decoded text into the three aligned views. `wrapped=False` says the reader already
    made each paragraph one line (OCR joins the lines it saw wrapped): its line breaks all stand."""
    nfc = unicodedata.normalize("NFC", raw.replace("\r\n", "\n"))
    # NFC may recompose the CR-LF-free text; recompute so `nfc` is what offsets point into.
    work = map_lookalikes(nfc)
    if wrapped:
        work = repair_breaks(work, nfc)
    return Source(name=name, nfc=nfc, work=work, fold=fold(work))
