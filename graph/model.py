"""Frozen values passed between the stages of extraction."""

from __future__ import annotations

from dataclasses import dataclass, field

from .symbols import Symbol


@dataclass(frozen=True)
class Mention:
    """One place where the text refers to a document.

    `start`/`end` cover the kind word, symbol and attached date (the evidence span); `item_start`
    also covers a pinpoint before it (`Điều 1 Quyết định số …`); `tail_end` is where the date, year
    and issuer that follow the symbol end; `title_end` where its description ends.
    """

    start: int
    end: int
    item_start: int
    tail_end: int
    title_end: int
    symbol: Symbol | None
    kind: str | None
    kind_word: str | None
    number: str | None
    date: str | None
    year: int | None
    issuer: str | None
    title: str | None
    named: bool = False  # cited by name only (Luật Công đoàn)
    short: bool = False  # kind + number only (Chỉ thị 17, Quy định 366)


@dataclass(frozen=True)
class Decision:
    """What the relation rules gave one mention."""

    relation: str
    link_from: int | None = None  # index of the mention whose description holds this one
    link_relation: str | None = None
    passive: bool = False
    rule: str = ""
    cue: int | None = None  # where the cue that governs the mention starts (the evidence quote keeps it)


@dataclass(frozen=True)
class Signer:
    name: str | None
    position: str | None
    capacity: str | None
    for_: str | None


@dataclass(frozen=True)
class Header:
    symbol: str | None
    number: str | None
    kind: str | None
    kind_name: str | None
    issuer: str | None
    parent_issuer: str | None
    place: str | None
    date: str | None
    subject: str | None
    recipients: tuple[str, ...] = ()
    signers: tuple[Signer, ...] = ()
    distribution: tuple[str, ...] = ()
    symbol_span: tuple[int, int] | None = None
    subject_span: tuple[int, int] | None = None
    date_span: tuple[int, int] | None = None
    province: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    marking: str | None = None  # security marking stamped on the header (a level of markings.toml)
    # the document's own text inside a web page (from its header to its signature); None: all of it
    region: tuple[int, int] | None = None
