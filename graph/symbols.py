"""The symbol grammar (số ký hiệu): find, clean and classify document symbols.

Party symbols are NUMBER-KIND/ISSUER (`02-NQ/TW`); state, Front and union symbols are
NUMBER[/YEAR]/KIND-ISSUER (`145/2020/NĐ-CP`), a state công văn NUMBER/ISSUER (`570/LĐLĐ`), a law
NUMBER/YEAR/QHnn. A Party symbol written the state way (`217/QĐ-TW`) is put the Party way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .text import LOOKALIKES
from .vocab import Vocabulary, load

_CODE = r"[A-Za-zĐđ][A-Za-zĐđ0-9]*(?:&[A-Za-zĐđ][A-Za-zĐđ0-9]*)*"  # `&` inside a code: BLĐTB&XH, BVHTT&DL
_SEP = r"(?:[ ]?[-–—/][ ]?|\.(?=[A-ZĐ]))"
# a year between the kind and the issuer, in old doubled forms (212/QĐ/2008/QĐ-UBND): only before more codes
_YEAR_PART = r"(?:19|20)\d\d(?=/[A-Za-zĐđ])"  # a dot between codes in old symbols: 45/2005/QĐ.UBND, 318/TTr.SYT-KH
SYMBOL_PATTERN = (
    rf"(?<![\w./\-–])(?P<num>\d{{1,5}})(?:{_SEP}(?P<year>(?:19|20)\d\d)(?=[ ]?[/\-–]|[ ][A-ZĐ]))?"
    rf"(?P<codes>(?:(?:{_SEP}|(?<=\d)[ ]){_CODE})(?:{_SEP}(?:{_CODE}|{_YEAR_PART}))*)(?![\w])"
)
SYMBOL_RE = re.compile(SYMBOL_PATTERN)
_PART_RE = re.compile(rf"({_SEP}|^[ ])({_CODE}|{_YEAR_PART})")
_LAW_ISSUER = re.compile(r"^(QH|UBTVQH|PL-UBTVQH)(\d{1,2})$", re.IGNORECASE)
_TRAILING_DIGITS = re.compile(r"^(.*?[^\d])(\d{1,2})$")


@dataclass(frozen=True)
class Symbol:
    """A cleaned symbol and what its parts say."""

    text: str
    number: str
    year: int | None
    kind: str | None
    issuer: str | None
    party: bool
    needs_word: bool  # no kind in it (570/LĐLĐ): only a citation when a kind word stands before it


def _canon_code(code: str, vocab: Vocabulary) -> str:
    known = vocab.code(code)
    if known:
        return known.code
    return _canon_issuer(code, vocab)


def _canon_issuer(code: str, vocab: Vocabulary) -> str:
    known = vocab.issuer(code)
    if known:
        return known.code
    m = _TRAILING_DIGITS.match(code)
    if m:
        base = vocab.issuer(m.group(1))
        if base:
            return base.code + m.group(2)
    return code.upper()


def _is_issuer(code: str, vocab: Vocabulary) -> bool:
    if vocab.issuer(code):
        return True
    m = _TRAILING_DIGITS.match(code)
    return bool(m and vocab.issuer(m.group(1)))


def parse_symbol(raw: str, vocab: Vocabulary | None = None) -> Symbol | None:
    """Read one symbol written in any real spelling; None when it is no symbol."""
    return _parse_symbol(raw, vocab or load())


@lru_cache(maxsize=1 << 16)
def _parse_symbol(raw: str, v: Vocabulary) -> Symbol | None:
    """(Cached: building a graph parses the same symbols again and again; Symbol is frozen.)"""
    s = raw.translate(LOOKALIKES).strip()
    m = SYMBOL_RE.fullmatch(s)
    if not m:
        return None
    return symbol_from_match(m, v)


def symbol_from_match(m: re.Match[str], vocab: Vocabulary) -> Symbol | None:
    """Classify a SYMBOL_RE match; trims parts that are words, not codes."""
    number = m.group("num")
    year_s = m.group("year")
    kept, _ = _kept_parts(m)
    parts = [(sep.strip().replace("–", "-").replace("—", "-"), code) for sep, code in kept]
    if not parts:
        return None
    year = int(year_s) if year_s else None
    if year is not None and not 1945 <= year <= 2100:
        return None
    if any(code.isdigit() for _, code in parts):
        return _doubled(number, year, parts, vocab)
    first_sep, first = parts[0]
    kind = vocab.code(first)
    if first_sep == "" and (kind is None or year is None):
        return None  # "102/2025 NQLT/…": a bare space only between a year and a kind
    if first_sep == "":
        first_sep = "/"
        parts[0] = ("/", first)
    if first_sep == "-":
        # Party form NUMBER-KIND/ISSUER
        if not kind or len(parts) < 2 or parts[1][0] != "/" or year is not None:
            return None
        kind_code = kind.code
        party_issuer = "-".join(_canon_issuer(c, vocab) for _, c in parts[1:])
        return Symbol(
            text=f"{number}-{kind_code}/{party_issuer}",
            number=number,
            year=None,
            kind=kind_code,
            issuer=party_issuer,
            party=True,
            needs_word=False,
        )
    # State form NUMBER[/YEAR]/CODE...
    if kind:
        kind_code = kind.code
        rest = parts[1:]
        state_parts = [(sep, _canon_issuer(c, vocab)) for sep, c in rest]
        issuer = "".join(sep + c for sep, c in state_parts)[1:] if state_parts else None
        first_issuer = vocab.issuer(rest[0][1]) if rest else None
        if year is None and first_issuer is not None and first_issuer.party and rest[0][0] == "-":
            # Party symbol written the state way: 217/QĐ-TW → 217-QĐ/TW
            return Symbol(
                text=f"{number}-{kind_code}/{issuer}",
                number=number,
                year=None,
                kind=kind_code,
                issuer=issuer,
                party=True,
                needs_word=False,
            )
        body = kind_code + ("".join(sep + c for sep, c in state_parts))
        text = f"{number}/{year}/{body}" if year else f"{number}/{body}"
        return Symbol(
            text=text, number=number, year=year, kind=kind_code, issuer=issuer, party=False,
            needs_word=not state_parts,
        )
    # No kind in the symbol: a law (72/2025/QH15), a resolution of the Standing Committee, or a
    # state công văn (570/LĐLĐ). Only the law form stands alone.
    codes = [(sep, _canon_issuer(c, vocab)) for sep, c in parts]
    body = "".join(sep + c for sep, c in codes)[1:]
    text = f"{number}/{year}/{body}" if year else f"{number}/{body}"
    law = year is not None and len(parts) == 1 and bool(_LAW_ISSUER.match(parts[0][1]))
    return Symbol(
        text=text,
        number=number,
        year=year,
        kind=None,
        issuer=body,
        party=False,
        needs_word=not law,
    )


def _doubled(number: str, year: int | None, parts: list[tuple[str, str]], vocab: Vocabulary) -> Symbol | None:
    """An old doubled form, NUMBER/KIND/YEAR/KIND-ISSUER (`212/QĐ/2008/QĐ-UBND`): kept as written; the year
    is the one in the middle, the kind the first code, the issuer what follows the repeated kind."""
    at = next(i for i, (_, code) in enumerate(parts) if code.isdigit())
    kind = vocab.code(parts[0][1])
    if year is not None or at == 0 or parts[0][0] != "/" or kind is None:
        return None
    after = [code for _, code in parts[at + 1 :]]
    if after and vocab.code(after[0]) is not None and vocab.code(after[0]) == kind:
        after = after[1:]
    issuer = "-".join(_canon_issuer(c, vocab) for c in after) or None
    text = number + "".join(sep + (code if code.isdigit() else _canon_code(code, vocab)) for sep, code in parts)
    return Symbol(text=text, number=number, year=int(parts[at][1]), kind=kind.code, issuer=issuer, party=False,
                  needs_word=False)


def clean_symbol(raw: str, vocab: Vocabulary | None = None) -> str | None:
    """The cleaned spelling of a symbol (idempotent), or None when `raw` is no symbol."""
    sym = parse_symbol(raw, vocab)
    return sym.text if sym else None


def find_symbols(text: str, vocab: Vocabulary | None = None) -> list[tuple[int, int, Symbol]]:
    """Every symbol in `text` with its span; never raises."""
    v = vocab or load()
    found = []
    for m in SYMBOL_RE.finditer(text):
        sym = symbol_from_match(m, v)
        if sym:
            found.append((m.start(), m.start() + _kept_parts(m)[1], sym))
    return found


def _kept_parts(m: re.Match[str]) -> tuple[list[tuple[str, str]], int]:
    """The (separator, code) parts of a match that are codes, and where the last one ends in the match:
    after a spaced dash only an upper-case part is a code ("06-QC/TU - Ban …" stops before "Ban")."""
    parts: list[tuple[str, str]] = []
    end = 0
    for pm in _PART_RE.finditer(m.group("codes")):
        sep, code = pm.group(1), pm.group(2)
        if parts and sep != sep.strip() and not code.isupper():
            break
        if sep == "." and not code.isupper():
            break  # "…số 12/UBND.Tiếp theo": a sentence, not a code
        parts.append((sep, code))
        end = pm.end()
    return parts, m.start("codes") - m.start() + end
