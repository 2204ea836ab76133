"""Vocabulary as data: kinds, issuer codes, organisations, relation cues and header words.

Loaded once from `data/vocab/*.toml` (or another folder passed in) into plain frozen values; the
grammar modules build their patterns from these, never from literals of their own.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import VocabularyError
from .text import fold

VOCAB_DIR = Path(__file__).resolve().parent.parent / "data" / "vocab"
RELATIONS = ("based_on", "implements", "guides", "amends", "replaces", "repeals", "corrects", "cites")
ROLES = ("acting", "cites", "locator", "blocker")


@dataclass(frozen=True)
class KindCode:
    code: str
    cls: str  # the ontology class (vb:Resolution…)
    en: str
    name: str
    party_name: str
    state_name: str
    example: str
    reported: str = ""  # the kind a citation with this code reports (QĐi → QĐ); empty: the code itself


@dataclass(frozen=True)
class KindWord:
    word: str
    party: str
    state: str
    example: str


@dataclass(frozen=True)
class IssuerCode:
    code: str
    name: str
    party: bool
    scope: str
    example: str
    level: str = "province"  # central, ministry, province, district, grassroots (coverage)


@dataclass(frozen=True)
class Province:
    """A province or centrally-run city as it stands since 2025, and the former ones merged into it."""

    name: str
    merged: tuple[str, ...]
    example: str


@dataclass(frozen=True)
class Organisation:
    names: tuple[str, ...]
    code: str
    party: bool
    level: str
    example: str


@dataclass(frozen=True)
class Cue:
    phrase: str
    relation: str
    role: str
    passive: bool
    example: str


@dataclass(frozen=True, eq=False)  # hashed by identity: it is a cache key, loaded once
class Vocabulary:
    codes: tuple[KindCode, ...]
    words: tuple[KindWord, ...]
    issuers: tuple[IssuerCode, ...]
    organisations: tuple[Organisation, ...]
    cues: tuple[Cue, ...]
    capacities: tuple[tuple[str, str, str], ...]  # (pattern, canonical, example)
    positions: tuple[tuple[str, str], ...]  # (name, example)
    mottos: tuple[str, ...]
    casings: tuple[tuple[str, str], ...]  # (text, example)
    self_references: tuple[tuple[str, str], ...] = ()  # (phrase, example): a first line naming the text itself
    markings: tuple[tuple[str, str, str], ...] = ()  # (phrase, level, example): security markings
    companions: tuple[tuple[str, str], ...] = ()  # (word, example): urgency stamps beside a marking
    search_stops: tuple[tuple[str, str], ...] = ()  # (word, example): dropped from search queries
    partial_acts: tuple[tuple[str, str], ...] = ()  # (word, example): an act on part of a document
    provinces: tuple[Province, ...] = ()
    effects: tuple[tuple[str, str, str], ...] = ()  # (field, pattern, example): effective dates

    def kind_words(self, kind: str) -> tuple[str, ...]:
        """Every name a kind is written with (QĐ: Quyết định and Quy định), for search."""
        code = self.code(kind)
        found = [code.name, code.party_name, code.state_name] if code else []
        found += [w.word for w in self.words if kind in (w.party, w.state)]
        return tuple(dict.fromkeys(found))

    def code(self, code: str) -> KindCode | None:
        return _code_index(self).get(fold_key(code))

    def reported_kind(self, code: str | None) -> str | None:
        """The kind a document with this code reports (`QĐi` → `QĐ`; others as they are)."""
        kc = self.code(code) if code else None
        return (kc.reported or kc.code) if kc else code

    def issuer(self, code: str) -> IssuerCode | None:
        return _issuer_index(self).get(fold_key(code))

    def word(self, text: str) -> KindWord | None:
        return _word_index(self).get(fold_key(" ".join(text.split())))


@lru_cache(maxsize=65536)
def fold_key(s: str) -> str:
    """`fold` for the short strings looked up again and again (codes, words)."""
    return fold(s)


@lru_cache(maxsize=8)
def _code_index(v: Vocabulary) -> dict[str, KindCode]:
    return {fold(c.code): c for c in v.codes}


@lru_cache(maxsize=8)
def _issuer_index(v: Vocabulary) -> dict[str, IssuerCode]:
    index = {fold(i.code): i for i in v.issuers}
    return index


@lru_cache(maxsize=8)
def _word_index(v: Vocabulary) -> dict[str, KindWord]:
    return {fold(w.word): w for w in v.words}


def _load(path: Path) -> dict[str, list[dict[str, object]]]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise VocabularyError(f"{path}: {e}") from None


def _need(entry: dict[str, object], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise VocabularyError(f"{where}: entry {entry!r} lacks a text `{key}`")
    return value


def _pairs(entries: list[dict[str, Any]], keys: tuple[str, str], file: str) -> tuple[tuple[str, str], ...]:
    """Two required fields of each entry of a table, in order."""
    return tuple((_need(e, keys[0], file), _need(e, keys[1], file)) for e in entries)


def _triples(entries: list[dict[str, Any]], keys: tuple[str, str, str], file: str) -> tuple[tuple[str, str, str], ...]:
    """Three required fields of each entry of a table, in order."""
    return tuple((_need(e, keys[0], file), _need(e, keys[1], file), _need(e, keys[2], file)) for e in entries)


def _province(entry: dict[str, Any]) -> Province:
    merged = entry.get("merged", [])
    if not isinstance(merged, list):
        raise VocabularyError(f"provinces.toml: `merged` of {entry!r} is not a list")
    return Province(_need(entry, "name", "provinces.toml"), tuple(str(m) for m in merged),
                    _need(entry, "example", "provinces.toml"))


@lru_cache(maxsize=4)
def load(folder: Path = VOCAB_DIR) -> Vocabulary:
    """Read every vocabulary file of `folder`; raise VocabularyError on a malformed entry."""
    kinds = _load(folder / "kinds.toml")
    codes = tuple(
        KindCode(
            code=_need(e, "code", "kinds.toml"),
            cls=_need(e, "class", "kinds.toml"),
            en=_need(e, "en", "kinds.toml"),
            name=_need(e, "name", "kinds.toml"),
            party_name=str(e.get("party_name") or e["name"]),
            state_name=str(e.get("state_name") or e["name"]),
            example=_need(e, "example", "kinds.toml"),
            reported=str(e.get("reported") or ""),
        )
        for e in kinds.get("code", [])
    )
    words = tuple(
        KindWord(
            word=_need(e, "word", "kinds.toml"),
            party=_need(e, "party", "kinds.toml"),
            state=_need(e, "state", "kinds.toml"),
            example=_need(e, "example", "kinds.toml"),
        )
        for e in kinds.get("word", [])
    )
    issuers = tuple(
        IssuerCode(
            code=_need(e, "code", "issuers.toml"),
            name=_need(e, "name", "issuers.toml"),
            party=bool(e.get("party")),
            scope=_need(e, "scope", "issuers.toml"),
            example=_need(e, "example", "issuers.toml"),
            level=str(e.get("level") or "province"),
        )
        for e in _load(folder / "issuers.toml").get("issuer", [])
    )
    orgs = []
    for e in _load(folder / "organisations.toml").get("organisation", []):
        names = e.get("names")
        if not isinstance(names, list) or not names:
            raise VocabularyError(f"organisations.toml: entry {e!r} lacks `names`")
        orgs.append(
            Organisation(
                names=tuple(str(n) for n in names),
                code=_need(e, "code", "organisations.toml"),
                party=bool(e.get("party")),
                level=_need(e, "level", "organisations.toml"),
                example=_need(e, "example", "organisations.toml"),
            )
        )
    cues = []
    for e in _load(folder / "relations.toml").get("cue", []):
        cue = Cue(
            phrase=_need(e, "phrase", "relations.toml"),
            relation=_need(e, "relation", "relations.toml"),
            role=_need(e, "role", "relations.toml"),
            passive=bool(e.get("passive")),
            example=_need(e, "example", "relations.toml"),
        )
        if cue.relation not in RELATIONS or cue.role not in ROLES:
            raise VocabularyError(f"relations.toml: {cue.phrase!r} has relation/role outside the contract")
        cues.append(cue)
    header = _load(folder / "header.toml")
    marks = _load(folder / "markings.toml") if (folder / "markings.toml").exists() else {}
    search = _load(folder / "search.toml") if (folder / "search.toml").exists() else {}
    validity = _load(folder / "validity.toml") if (folder / "validity.toml").exists() else {}
    regions = _load(folder / "provinces.toml") if (folder / "provinces.toml").exists() else {}
    return Vocabulary(
        codes=codes,
        words=words,
        issuers=issuers,
        organisations=tuple(orgs),
        cues=tuple(cues),
        capacities=_triples(header.get("capacity", []), ("pattern", "canonical", "example"), "header.toml"),
        positions=_pairs(header.get("position", []), ("name", "example"), "header.toml"),
        mottos=tuple(_need(e, "text", "header.toml") for e in header.get("motto", [])),
        casings=_pairs(header.get("casing", []), ("text", "example"), "header.toml"),
        self_references=_pairs(header.get("self_reference", []), ("phrase", "example"), "header.toml"),
        markings=_triples(marks.get("marking", []), ("phrase", "level", "example"), "markings.toml"),
        companions=_pairs(marks.get("companion", []), ("word", "example"), "markings.toml"),
        search_stops=_pairs(search.get("stop", []), ("word", "example"), "search.toml"),
        partial_acts=_pairs(validity.get("partial", []), ("word", "example"), "validity.toml"),
        provinces=tuple(_province(e) for e in regions.get("province", [])),
        effects=_triples(validity.get("effect", []), ("field", "pattern", "example"), "validity.toml"),
    )
