"""Symbols and dates as OCR breaks them, repaired — conservatively: a repair must give codes the
vocabulary knows (`data/vocab`), and every repair is reported.

What OCR does to them: a separator misread (`98:CV/ĐĐ`), a letter doubled (`ĐÐĐĐ`, `QĐĐ`) or dropped
a bar (`QD`), a capital marked (`T Ù`), digits for letters and letters for digits (`0Đ-T18` for
`QĐ-TTg`, `I3/UB` for `13/UB`, `ngày I8`, `năm I999`), spaces inside (`số 1 2/2021`, `QĐ- TTg`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache

from ..text import strip_marks
from ..vocab import load

# What OCR reads for a letter of a code, and for a digit of a number.
_AS_LETTER = {"0": "OQD", "1": "ITl", "8": "gB", "5": "S", "2": "Z", "6": "G", "D": "Đ", "Ð": "Đ", "l": "I",
              "I": "T", "d": "đ"}
_AS_DIGIT = {"I": "1", "l": "1", "O": "0", "o": "0"}
_CODE = r"[A-ZĐÐa-zđ0-9À-Ỹ]"

# Party: NUMBER, a separator misread, KIND / ISSUER (letters possibly spaced or marked)
_PARTY = re.compile(
    rf"(?<![\w/])(?P<num>\d{{1,5}})[ ]?(?P<sep>[:;,.\-–])[ ]?(?P<kind>[A-ZĐÐ]{_CODE}{{0,4}})[ ]?/[ ]?"
    r"(?P<issuer>[A-ZĐÐÀ-Ỹ](?:[ ]?[A-ZĐÐÀ-Ỹ]){0,7})(?![\w])"
)
# State: NUMBER / [YEAR /] KIND - ISSUER [- ISSUER…], spaces where OCR put them
_STATE = re.compile(
    rf"(?<![\w/])(?P<num>[0-9IlO]{{1,5}})[ ]?/[ ]?(?:(?P<year>(?:19|20)\d\d)[ ]?/[ ]?)?"
    rf"(?P<kind>{_CODE}{{1,5}})(?P<issuers>(?:[ ]?[-–][ ]?{_CODE}{{1,9}}){{1,4}})(?![\w])"
)
# A symbol broken at a line's end (`71/2016/NĐ-`) and the rest of it at the start of the next (`CP`)
SYMBOL_BREAK = re.compile(r"[\w/]*\d[\w/]*/[\w.\-&/]*-$")
SYMBOL_REST = re.compile(r"^[A-ZĐ][A-ZĐa-z0-9&]{0,12}(?=[\s,.;:)]|$)")
_SPLIT_NUMBER = re.compile(r"(?P<so>\b[Ss]ố[ ]?:?[ ]?)(?P<a>\d{1,2}) (?P<b>\d{1,3})(?=[ ]?/)")
_DATE_PART = re.compile(r"(?P<w>\b(?:ngày|tháng)[ ]+)(?P<n>[0-9IlO]{1,2})(?=[ ]+(?:tháng|năm)\b)")
# the year of a written-out date, a letter for a digit in it (`tháng 01 năm I999`)
_DATE_YEAR = re.compile(r"(?P<w>\btháng[ ]+\d{1,2}[ ]+năm[ ]+)(?P<y>[12Il][09O][0-9IlO]{2})(?!\w)")


@lru_cache(maxsize=1)
def _codes() -> tuple[frozenset[str], frozenset[str]]:
    """Issuer codes and kind codes a repair may produce."""
    v = load()
    kinds = frozenset(c.code for c in v.codes) | frozenset(w.party for w in v.words) | frozenset(
        w.state for w in v.words)
    return frozenset(i.code for i in v.issuers), kinds


def _substitutions(part: str) -> list[str]:
    combos = [""]
    for ch in part:
        combos = [c + o for c in combos for o in ch + _AS_LETTER.get(ch, "")]
    return combos


def _variants(part: str) -> Iterator[str]:
    """The part with OCR's usual confusions undone, also with one stray digit or doubled letter out."""
    if len(part) > 8:
        return
    yield from _substitutions(part)
    for k, ch in enumerate(part):
        if ch.isdigit() or (k and part[k - 1] == ch):
            yield from _substitutions(part[:k] + part[k + 1 :])


def _suspicious(part: str) -> bool:
    """A code with what OCR leaves in codes: a digit among letters, a barless D, a doubled letter."""
    return bool(re.search(r"\d|[DÐdl]|(.)\1", part))


def fix_code(part: str, known: frozenset[str]) -> str | None:
    """The known code OCR meant by `part`, when exactly one is in reach; `part` itself if known."""
    plain = _plain_capitals(part)
    if plain in known:
        return plain
    if not _suspicious(plain):
        return None
    hits = {v for v in _variants(plain) if v in known}
    return hits.pop() if len(hits) == 1 else None


def _plain_capitals(s: str) -> str:
    """Capitals without marks, Đ kept (`TÙ` → `TU`: codes carry no tone marks); spaces out."""
    out = []
    for ch in s.replace("Ð", "Đ").replace(" ", ""):
        out.append(ch if ch in "Đđ" or not ch.isalpha() else unicodedata.normalize("NFD", ch)[0])
    return "".join(out)


def _collapse_doubles(s: str) -> Iterator[str]:
    yield s
    yield re.sub(r"(.)\1+", r"\1\1", s)  # ĐĐĐĐ → ĐĐ
    yield re.sub(r"(.)\1+", r"\1", s)


def _party(m: re.Match[str]) -> str | None:
    issuers, kinds = _codes()
    kind = fix_code(m["kind"], kinds)
    issuer = next((c for c in _collapse_doubles(_plain_capitals(m["issuer"])) if c in issuers), None)
    if kind is None or issuer is None:
        return None
    return f"{m['num']}-{kind}/{issuer}"


def _state(m: re.Match[str]) -> str | None:
    issuers, kinds = _codes()
    number = "".join(_AS_DIGIT.get(c, c) for c in m["num"])
    if not any(c.isdigit() for c in m["num"]):
        return None
    kind = m["kind"] if m["kind"] in kinds or m["kind"] in issuers else fix_code(m["kind"], kinds)
    if kind is None:
        return None
    parts = []
    for raw in re.split(r"[ ]?[-–][ ]?", m["issuers"].strip(" -–")):
        term = re.fullmatch(r"([A-ZĐ]+)\d{1,2}", raw)  # QH15, UBTVQH14: a body and its term
        known = raw in issuers or (term is not None and term.group(1) in issuers)
        parts.append(raw if known else (fix_code(raw, issuers) or raw))
    year = f"{m['year']}/" if m["year"] else ""
    return f"{number}/{year}{kind}-{'-'.join(parts)}"


@lru_cache(maxsize=1)
def _kind_lines() -> dict[str, str]:
    """Kind words in capitals, keyed by their letters without marks (`QUYET DINH` → `QUYẾT ĐỊNH`)."""
    return {strip_marks(w.word).upper(): w.word.upper() for w in load().words}


def repair_kind_line(text: str) -> str | None:
    """A document's kind line in capitals with a mark misread (`QUYÉT ĐỊNH`, `CHÍ THỊ`): the kind word."""
    bare = text.strip().rstrip(":").strip()
    if not bare.isupper() or len(bare) > 40:
        return None
    word = _kind_lines().get(strip_marks(bare).upper())
    return None if word is None or word == bare else text.replace(bare, word)


def _date_part(m: re.Match[str]) -> str | None:
    if not any(c.isdigit() for c in m["n"]):
        return None
    return m["w"] + "".join(_AS_DIGIT.get(c, c) for c in m["n"])


def _date_year(m: re.Match[str]) -> str | None:
    """`tháng 01 năm I999` → `tháng 01 năm 1999`: only a year of 1900–2099 once its letters are digits."""
    year = "".join(_AS_DIGIT.get(c, c) for c in m["y"])
    return m["w"] + year if year[:2] in ("19", "20") else None


def repair_text(text: str) -> tuple[str, list[tuple[str, str]]]:
    """A line of OCR text with its broken symbols and dates repaired; returns it and the repairs."""
    repairs: list[tuple[str, str]] = []

    def using(fix: Callable[[re.Match[str]], str | None], spaces: bool = False) -> Callable[[re.Match[str]], str]:
        def sub(m: re.Match[str]) -> str:
            new = fix(m)
            if new is None or new == m.group() or (
                    not spaces and new.replace(" ", "") == m.group().replace(" ", "")):
                return m.group()  # spaces around `/` and `-` are the grammar's business, not a repair
            repairs.append((m.group(), new))
            return new
        return sub

    text = _SPLIT_NUMBER.sub(using(lambda m: f"{m['so']}{m['a']}{m['b']}", spaces=True), text)
    text = _PARTY.sub(using(_party), text)
    text = _STATE.sub(using(_state), text)
    text = _DATE_PART.sub(using(_date_part), text)
    text = _DATE_YEAR.sub(using(_date_year), text)
    kind = repair_kind_line(text)
    if kind is not None:
        repairs.append((text, kind))
        text = kind
    return text.replace("Ð", "Đ").replace("ð", "đ"), repairs
