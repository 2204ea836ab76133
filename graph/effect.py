"""When a document says it takes effect and when it ends — about itself ("Quyết định này có hiệu lực
thi hành sau 10 ngày kể từ ngày ký"), not about another document. The phrasings are data
(`[[effect]]` in data/vocab/validity.toml); the text is folded one character for one, so every match's
offsets are the original text's (the mention is kept as evidence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from .dates import parse_date
from .text import strip_marks
from .vocab import Vocabulary

_CUE = re.compile(r"\b(?:co|het) hieu luc\b")
_ANY_KIND = ("van ban", "luat", "bo luat", "dieu le", "quy che", "quy dinh", "phap lenh")


@dataclass(frozen=True)
class Effect:
    """A date a document gives itself: `field` is effective_from or effective_until."""

    field: str
    date: str
    start: int
    end: int
    text: str


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = strip_marks(ch)
    return folded if len(folded) == 1 else ch.lower()


def fold_same_length(text: str) -> str:
    """`strip_marks`, one character for one (offsets into the fold are offsets into the text)."""
    return "".join(_fold_char(ch) for ch in text)


@lru_cache(maxsize=4)
def _patterns(vocab: Vocabulary) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((field, re.compile(pattern)) for field, pattern, _ in vocab.effects)


@lru_cache(maxsize=4)
def _itself(vocab: Vocabulary) -> re.Pattern[str]:
    """"<kind> này" shortly before the cue: the sentence is about the document itself."""
    kinds = {strip_marks(w.word) for w in vocab.words} | {strip_marks(c.name) for c in vocab.codes} | set(_ANY_KIND)
    alternatives = "|".join(sorted((re.escape(k) for k in kinds if k), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives}) nay\b[^.;:]{{0,60}}$")


def effects(text: str, own_date: str | None, vocab: Vocabulary) -> tuple[Effect, ...]:
    """The first effective_from and effective_until the document states of itself."""
    folded = fold_same_length(text)
    found: dict[str, Effect] = {}
    itself = _itself(vocab)
    for cue in _CUE.finditer(folded):
        if not itself.search(folded, max(0, cue.start() - 90), cue.start()):
            continue
        for field, pattern in _patterns(vocab):
            if field in found:
                continue
            m = pattern.match(folded, cue.start())
            when = _date_of(m, text, own_date) if m else None
            if m and when:
                found[field] = Effect(field, when, cue.start(), m.end(), text[cue.start() : m.end()])
    return tuple(found.values())


def _date_of(m: re.Match[str], text: str, own_date: str | None) -> str | None:
    groups = m.groupdict()
    if groups.get("date"):
        return parse_date(text[m.start("date") : m.end("date")])
    if own_date and groups.get("signing"):
        return own_date
    if own_date and groups.get("days"):
        return (date.fromisoformat(own_date) + timedelta(days=int(groups["days"]))).isoformat()
    return None
