"""Old Vietnamese 8-bit encodings: TCVN3 (ABC, `.VnTime` fonts), VNI-Windows and Windows-1258.

Tables are data (`data/vocab/encodings.toml`). Two ways in: a Word run whose font names its
encoding (`.VnTime`, `VNI-Times`) is converted as such; a whole text of unknown encoding is decoded
every way and the reading that looks most like Vietnamese wins (`guess`), with a warning that says so.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path

from ..errors import VocabularyError
from ..vocab import VOCAB_DIR

ENCODINGS_FILE = VOCAB_DIR / "encodings.toml"
_VOWELS = "aăâeêioôơuưy"


@dataclass(frozen=True)
class Tables:
    tcvn3: dict[str, str]
    tcvn3_fonts: tuple[str, ...]
    upper_suffix: str
    vni_fonts: tuple[str, ...]
    vni_tones: dict[str, str]
    vni_circumflex: dict[str, str]
    vni_breve: dict[str, str]
    vni_single: dict[str, str]
    examples: tuple[tuple[str, str, str], ...]  # (encoding, legacy, text)


@lru_cache(maxsize=2)
def tables(path: Path = ENCODINGS_FILE) -> Tables:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        t, v = raw["tcvn3"], raw["vni"]
        return Tables(
            tcvn3=dict(t["map"]), tcvn3_fonts=tuple(t["fonts"]), upper_suffix=t["upper_suffix"],
            vni_fonts=tuple(v["fonts"]), vni_tones=dict(v["tones"]), vni_circumflex=dict(v["circumflex"]),
            vni_breve=dict(v["breve"]), vni_single=dict(v["single"]),
            examples=tuple((e["encoding"], e["legacy"], e["text"]) for e in raw.get("example", [])),
        )
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as e:
        raise VocabularyError(f"{path}: {e}") from None


def font_encoding(font: str | None) -> str | None:
    """`tcvn3`, `tcvn3-upper` or `vni` for a legacy font name; None for a Unicode font."""
    if not font:
        return None
    name, t = font.strip().lower(), tables()
    if name.startswith(t.tcvn3_fonts):
        return "tcvn3-upper" if name.endswith(t.upper_suffix) else "tcvn3"
    if name.startswith(t.vni_fonts):
        return "vni"
    return None


def from_tcvn3(s: str, upper: bool = False) -> str:
    """Text whose characters are TCVN3 bytes read as Latin-1 (or cp1252) → Unicode.

    VN3 has no capitals for most marked letters (a capital font drew them): in a word otherwise in
    capitals (`VIệT`), they are put in capitals too."""
    out = s.translate(_tcvn3_translation())
    return out.upper() if upper else re.sub(r"\w+", _capitalise_marked, out)


def _capitalise_marked(m: re.Match[str]) -> str:
    word = m.group()
    capitals = sum(1 for c in word if c.isupper())
    small = [c for c in word if c.islower()]
    return word.upper() if capitals >= 2 and small and all(not c.isascii() for c in small) else word


@lru_cache(maxsize=1)
def _tcvn3_translation() -> dict[int, str]:
    return {ord(k): v for k, v in tables().tcvn3.items()}


def from_vni(s: str) -> str:
    """Text whose characters are VNI-Windows bytes read as cp1252 → Unicode (NFC)."""
    t = tables()
    out: list[str] = []
    for ch in s:
        prev = out[-1] if out else ""
        base = unicodedata.normalize("NFD", prev)[:1].lower()
        marked = len(unicodedata.normalize("NFD", prev)) > 1
        if ch in t.vni_tones and base in _VOWELS and prev and not _has_tone(prev):
            out[-1] = unicodedata.normalize("NFC", prev + t.vni_tones[ch])
        elif ch in t.vni_circumflex and base in "aeo" and not marked:
            out[-1] = unicodedata.normalize("NFC", prev + "\u0302" + t.vni_circumflex[ch])
        elif ch in t.vni_breve and base == "a" and not marked:
            out[-1] = unicodedata.normalize("NFC", prev + "\u0306" + t.vni_breve[ch])
        elif ch in t.vni_single:
            out.append(t.vni_single[ch])
        else:
            out.append(ch)
    return "".join(out)


_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _has_tone(ch: str) -> bool:
    return any(c in _TONE_MARKS for c in unicodedata.normalize("NFD", ch))


def convert(s: str, encoding: str) -> str:
    """Convert one run of text in a named legacy encoding."""
    if encoding == "vni":
        return from_vni(s)
    if encoding.startswith("tcvn3"):
        return from_tcvn3(s, upper=encoding == "tcvn3-upper")
    return s


# -- guessing the encoding of a whole text ----------------------------------------------------------

_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
# the vowel clusters Vietnamese syllables have (tone marks aside)
_CLUSTERS = ("iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyê uyu ai ao au ay âu ây eo êu ia iê iu oa oă oe oi "
             "ôi ơi ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê a ă â e ê i o ô ơ u ư y").split()
_NUCLEUS = "(?:" + "|".join(_CLUSTERS) + ")"
_CODA = r"(?:ch|ng|nh|[cmnpt])?"
_SYLLABLE = re.compile(rf"^{_ONSET}{_NUCLEUS}{_CODA}$")
_WORD = re.compile(r"[^\W\d_]+")


def _words(text: str) -> list[str]:
    """The words of a text: runs of letters (superscripts and other numerals are no letters)."""
    return [w for w in _WORD.findall(text) if w.isalpha()]
_TONELESS = str.maketrans({"Đ": "đ"})


@lru_cache(maxsize=65536)
def _is_syllable(word: str) -> bool:
    """A word that could be a Vietnamese syllable: onset, vowels, coda, at most one tone mark — and,
    after a stop (c, ch, p, t), only the rising or the heavy tone (`thực`, never `thùc`)."""
    d = unicodedata.normalize("NFD", word.lower().translate(_TONELESS))
    tones = [c for c in d if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONE_MARKS))
    if not _SYLLABLE.match(bare):
        return False
    return not (tones and tones[0] not in "\u0301\u0323" and bare.endswith(("c", "ch", "p", "t")))


def vietnamese_score(text: str, sample: int = 200_000) -> float:
    """Share of the words of `text` that are Vietnamese syllables (0–1): how Vietnamese a reading looks."""
    words = _words(text[:sample])
    if not words:
        return 0.0
    return sum(1 for w in words if _is_syllable(w)) / len(words)


def _marked_share(text: str, sample: int = 200_000) -> float:
    """Share of the words that carry a Vietnamese mark: a Latin-only text scores 0 here."""
    words = _words(text[:sample])
    if not words:
        return 0.0
    plain = re.compile(r"^[A-Za-z]+$")
    return sum(1 for w in words if not plain.match(w)) / len(words)


@dataclass(frozen=True)
class Guess:
    text: str
    encoding: str
    score: float


DECODERS = ("TCVN3", "VNI", "windows-1258")  # on a tie, the commonest in old archives first
SAMPLE_BYTES = 64 * 1024  # enough text to tell the encodings apart


def decode_as(data: bytes, encoding: str) -> str:
    """Bytes in one of the legacy encodings (DECODERS) as Unicode."""
    if encoding == "TCVN3":
        return from_tcvn3(data.decode("latin-1"))
    if encoding == "VNI":
        return from_vni(data.decode("cp1252", errors="replace"))
    return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))


def score(text: str) -> float:
    """How much a reading looks like Vietnamese: syllables, and marks on some of them (Latin-only
    text, every encoding's reading of plain ASCII, scores low)."""
    return vietnamese_score(text) * min(1.0, 4 * _marked_share(text))


def readings(data: bytes) -> list[Guess]:
    """Every legacy reading of (a sample of) 8-bit bytes, best first."""
    sample = data[:SAMPLE_BYTES]
    found = [Guess(text, name, score(text)) for name in DECODERS for text in (decode_as(sample, name),)]
    return sorted(found, key=lambda g: g.score, reverse=True)


def guess(data: bytes) -> Guess | None:
    """The reading of 8-bit bytes that looks Vietnamese, or None when none does."""
    best = readings(data)[0]
    if best.score < 0.5:
        return None
    return Guess(decode_as(data, best.encoding), best.encoding, best.score)


# Characters that TCVN3 text shows when read as Latin-1/cp1252 and that Vietnamese text never holds.
_TCVN3_SIGNS = frozenset("¡¢£¤¥¦§¨©ª«¬\u00ad®µ¶·¸¹»¼½¾ÆÇËÎÏÑÖ×ØÜÞßäåæçëîïñöøûüþ")
_TCVN3_SIGN = re.compile("[" + re.escape("".join(sorted(_TCVN3_SIGNS))) + "]")
_VNI_MARK = re.compile("[øûïöØÛÏÖåäëüÅÄËÜ]")  # letters no Unicode Vietnamese holds, and VNI text always does
_VNI_SIGNS = re.compile(r"[aeiouyAEIOUY][øûõïØÛÕÏåäëüÅÄËÜ]|[öÖ][ôÔ]")


# Letters only Unicode Vietnamese text has (TCVN3 and VNI read as Latin-1 never give them).
_UNICODE_VIETNAMESE = re.compile("[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0"
                                 "\u1ea0-\u1ef9]")


def repair_mojibake(text: str) -> tuple[str, str | None]:
    """A Unicode text that is really TCVN3 or VNI (an old file converted as if it were Latin-1: a PDF
    made from a `.VnTime` document, a copy pasted from one), read again; returns the text and the
    encoding it was read as (None: left alone)."""
    found = garbled_as(text)
    if found is None:
        return text, None
    return reread(text, *found), found[0]


def garbled_as(text: str) -> tuple[str, bool] | None:
    """The encoding a garbled text is in, and whether all of it is (else only its garbled words: an old
    paragraph pasted into a new document); None for a text that reads as it is."""
    sample = text[:200_000]
    if not any(True for _ in islice(_TCVN3_SIGN.finditer(sample), 4, 5)) and not _VNI_MARK.search(sample):
        return None  # the common case (fewer than five signs of either), decided cheaply
    signs = {"TCVN3": len(_TCVN3_SIGN.findall(sample)), "VNI": len(_VNI_SIGNS.findall(sample))}
    words = _words(sample)
    if len(words) < 20:  # too little text to tell an old encoding from odd letters
        return None
    before = vietnamese_score(sample)
    genuine = len(_UNICODE_VIETNAMESE.findall(sample))
    for encoding, count in signs.items():
        if count >= max(5, len(words) // 20):
            whole = genuine * 10 < count
            after = vietnamese_score(reread(sample, encoding, whole))
            if after > before + 0.15 and after >= 0.5:
                return encoding, whole
    return None


def reread(text: str, encoding: str, whole: bool) -> str:
    """Text garbled in `encoding` read again: all of it, or only the words that show the garbling."""
    if encoding == "TCVN3":
        return from_tcvn3(text) if whole else _by_word(text, _has_tcvn3_sign, from_tcvn3)
    return from_vni(text) if whole else _by_word(text, _VNI_SIGNS.search, from_vni)


def _has_tcvn3_sign(word: str) -> bool:
    """A word TCVN3 garbled: a character Vietnamese never holds, or no syllable until read as TCVN3."""
    if any(c in _TCVN3_SIGNS for c in word):
        return True
    letters = "".join(_words(word))
    return bool(letters) and not _is_syllable(letters) and _is_syllable(from_tcvn3(letters))


def _by_word(text: str, garbled: Callable[[str], object], convert: Callable[[str], str]) -> str:
    return re.sub(r"\S+", lambda m: convert(m.group()) if garbled(m.group()) else m.group(), text)
