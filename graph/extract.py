"""Extraction: one document's text → its own record, the documents it cites, and the links between them.

`extract_source` is pure (text in, value out); `extract_path` adds reading. The JSON shape is the
contract of ../shared/contract/EXTRACT.md.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .citations import find_mentions
from .effect import Effect, effects
from .header import parse_header
from .model import Decision, Header, Mention
from .read import PageProgress, Reading, ReadLimits, read, read_file
from .relations import decide, links_of
from .symbols import Symbol
from .text import Source, prepare, strip_marks
from .vocab import Vocabulary, load

_EQUIVALENT_KINDS = ({"QĐ", "QyĐ", "QĐi"},)


@dataclass(frozen=True)
class Citation:
    """One cited document, gathered from all its mentions."""

    symbol: str | None
    number: str | None
    kind: str | None
    kind_name: str | None
    year: int | None
    date: str | None
    issuer: str | None
    title: str | None
    relations: tuple[str, ...]
    mentions: tuple[tuple[int, int], ...]
    party: bool
    mention_relations: tuple[str, ...] = ()  # the relation each mention states, in mention order
    mention_cues: tuple[int | None, ...] = ()  # where the cue governing each mention starts (None: none)


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    relation: str
    span: tuple[int, int]


@dataclass(frozen=True)
class Extraction:
    """Everything read from one document."""

    source: str
    text: str  # NFC text that offsets point into
    header: Header
    citations: tuple[Citation, ...]
    links: tuple[Link, ...]
    warnings: tuple[str, ...]
    reading: Reading | None = None  # how the text was read from its file (None: given as text)
    effects: tuple[Effect, ...] = ()  # when it says it takes effect and ends (graph/effect.py)

    def _effect_fields(self) -> dict[str, Any]:
        """`effective_from` and `effective_until`: the date and the mention that gives it, or null."""
        out: dict[str, Any] = {"effective_from": None, "effective_until": None}
        for e in self.effects:
            out[e.field] = {"date": e.date, "mention": {"start": e.start, "end": e.end, "text": e.text}}
        return out

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON object (with the additive `security_marking`, `effective_from`,
        `effective_until`, `source_format`, `pages` and `ocr` fields)."""
        h = self.header
        r = self.reading
        read_fields: dict[str, Any] = {} if r is None else {
            "source_format": r.format, "pages": r.pages, "ocr": r.ocr.summary() if r.ocr else None}
        return {
            "source": self.source,
            "document": {
                "symbol": h.symbol,
                "number": h.number,
                "kind": h.kind,
                "kind_name": h.kind_name,
                "issuer": h.issuer,
                "parent_issuer": h.parent_issuer,
                "place": h.place,
                "date": h.date,
                "subject": h.subject,
                "recipients": list(h.recipients),
                "signers": [
                    {"name": s.name, "position": s.position, "capacity": s.capacity, "for": s.for_}
                    for s in h.signers
                ],
                "distribution": list(h.distribution),
                "security_marking": h.marking,
                **self._effect_fields(),
                **read_fields,
            },
            "citations": [
                {
                    "symbol": c.symbol,
                    "number": c.number,
                    "kind": c.kind,
                    "kind_name": c.kind_name,
                    "year": c.year,
                    "date": c.date,
                    "issuer": c.issuer,
                    "title": c.title,
                    "relations": list(c.relations),
                    "mentions": [{"start": s, "end": e, "text": self.text[s:e]} for s, e in c.mentions],
                }
                for c in self.citations
            ],
            "links": [
                {
                    "from": lk.source,
                    "to": lk.target,
                    "relation": lk.relation,
                    "mention": {"start": lk.span[0], "end": lk.span[1], "text": self.text[lk.span[0] : lk.span[1]]},
                }
                for lk in self.links
            ],
            "warnings": list(self.warnings),
        }


def _norm(symbol: str) -> str:
    s = re.sub(r"\s+", "", symbol).casefold()
    return re.sub(r"\d+", lambda m: str(int(m.group())), s)


def _same_kind(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return True
    return a == b or any(a in g and b in g for g in _EQUIVALENT_KINDS)


def _kind_name(m: Mention, kind: str | None, party: bool, vocab: Vocabulary) -> str | None:
    if kind is None:
        return None
    if m.kind_word:
        w = vocab.word(m.kind_word)
        if w and ((_same_kind(w.party, kind) and party) or _same_kind(w.state, kind) or m.symbol is None
                  or (m.symbol.kind is None)):
            return w.word
    code = vocab.code(kind)
    if not code:
        return None
    return code.party_name if party else code.state_name


class _Group:
    """Mentions of one cited document, gathered in text order."""

    def __init__(self, first: int, symbol: str | None, party: bool, year: int | None = None) -> None:
        self.members = [first]
        self.symbol = symbol
        self.party = party
        self.year = year  # the first member's year that has one (kept as members come: no rescans)

    def add(self, k: int, year: int | None) -> None:
        self.members.append(k)
        if self.year is None:
            self.year = year


def _party_symbol(m: Mention, vocab: Vocabulary) -> str | None:
    """`Chỉ thị 17 của Ban Bí thư` → 17-CT/TW: a Party document named by kind, number and issuer."""
    if not m.issuer or not m.number or not m.kind_word:
        return None
    word = vocab.word(m.kind_word)
    if not word:
        return None
    issuer = strip_marks(m.issuer)
    best = None
    for org in vocab.organisations:
        if not org.party:
            continue
        for name in org.names:
            n = strip_marks(name)
            if issuer == n or issuer.startswith(n + " "):
                if best is None or len(n) > best[0]:
                    best = (len(n), org.code)
    if best is None:
        return None
    return f"{m.number}-{word.party}/{best[1]}"


def gather(mentions: list[Mention], decisions: list[Decision], header: Header,
           vocab: Vocabulary) -> tuple[list[Citation], list[Link], list[str]]:
    """Group mentions into citations, give each its relations, and turn nested cues into links."""
    warnings: list[str] = []
    own = _norm(header.symbol) if header.symbol else None
    symbol_of: list[str | None] = []
    party_of: list[bool] = []
    for m in mentions:
        sym: str | None = m.symbol.text if m.symbol else None
        party = bool(m.symbol and m.symbol.party)
        if m.short and sym is None:
            built = _party_symbol(m, vocab)
            if built:
                sym, party = built, True
        symbol_of.append(sym)
        party_of.append(party)

    groups: list[_Group] = []
    group_of: dict[int, _Group] = {}
    by_symbol: dict[str, list[_Group]] = {}
    for k, m in enumerate(mentions):
        sym = symbol_of[k]
        if sym is None:
            continue
        key = _norm(sym)
        own_year = int(header.date[:4]) if header.date else None
        if key == own and (m.year is None or own_year is None or m.year == own_year):
            continue  # the document naming itself (numbers restart: the same symbol of another year is not)
        year = m.year
        chosen = None
        for g in by_symbol.get(key, []):
            if year is None or g.year is None or g.year == year:
                chosen = g
                break
        if chosen is None:
            chosen = _Group(k, sym, party_of[k], year)
            groups.append(chosen)
            by_symbol.setdefault(key, []).append(chosen)
        else:
            chosen.add(k, year)
        group_of[k] = chosen

    # short mentions (Đề án 02, Quy định 366) of a document cited in full: groups looked up by number
    by_number: dict[int, list[_Group]] = defaultdict(list)
    for g in groups:
        if mentions[g.members[0]].number:
            by_number[int(mentions[g.members[0]].number or 0)].append(g)
    for k, m in enumerate(mentions):
        if k in group_of or symbol_of[k] is not None or m.named:
            continue
        number = int(m.number) if m.number else None
        target = None
        for g in by_number.get(number, []) if number is not None else []:
            if _same_kind(_kind_family(mentions[g.members[0]], vocab), _kind_family(m, vocab)):
                target = g
                break
        if target is not None:
            target.add(k, m.year)
            group_of[k] = target
        else:
            g = _Group(k, None, False, m.year)
            groups.append(g)
            if number is not None:
                by_number[number].append(g)
            group_of[k] = g
            warnings.append(
                f"'{m.kind_word} {m.number}' names no issuer or symbol: kept without a symbol"
            )

    named: dict[str, _Group] = {}
    named_prefix: dict[str, _Group] = {}  # every leading run of words of a name → its first group
    for k, m in enumerate(mentions):
        if not m.named or not m.title:
            continue
        key = strip_marks(m.title)
        match = _named_match(key, named, named_prefix)
        if match is None:
            match = _Group(k, None, False)
            groups.append(match)
            named[key] = match
            words = key.split(" ")
            for n in range(1, len(words)):
                named_prefix.setdefault(" ".join(words[:n]), match)
        else:
            match.add(k, m.year)
        group_of[k] = match

    groups.sort(key=lambda g: min(mentions[i].start for i in g.members))
    citations = [_citation(g, mentions, decisions, vocab) for g in groups]
    index_of = {id(g): n for n, g in enumerate(groups)}

    links: list[Link] = []
    seen = set()
    for a, b, rel in links_of(mentions, decisions):
        ga, gb = group_of.get(a), group_of.get(b)
        if ga is None or gb is None or ga is gb:
            continue
        ca, cb = citations[index_of[id(ga)]], citations[index_of[id(gb)]]
        if not ca.symbol or not cb.symbol:
            continue
        key3 = (ca.symbol, cb.symbol, rel)
        if key3 in seen:
            continue
        seen.add(key3)
        lo = min(mentions[a].start, mentions[b].start)
        hi = max(mentions[a].end, mentions[b].end)
        links.append(Link(ca.symbol, cb.symbol, rel, (lo, hi)))
    return citations, links, warnings


def _kind_family(m: Mention, vocab: Vocabulary) -> str | None:
    if m.kind:
        return m.kind
    if m.kind_word:
        w = vocab.word(m.kind_word)
        return w.party if w else None
    return None


def _named_match(key: str, named: dict[str, _Group], prefix: dict[str, _Group]) -> _Group | None:
    """The group of a name cited before that is this name, starts with it, or that it starts with
    (`Luật Lao động` and `Luật Lao động năm 2019`), by lookups rather than a scan of every name."""
    found = named.get(key) or prefix.get(key)
    if found is not None:
        return found
    words = key.split(" ")
    return next((named[p] for n in range(len(words) - 1, 0, -1) if (p := " ".join(words[:n])) in named), None)


def _citation(g: _Group, mentions: list[Mention], decisions: list[Decision], vocab: Vocabulary) -> Citation:
    members = sorted(g.members, key=lambda i: mentions[i].start)
    first = mentions[members[0]]
    full = [mentions[i] for i in members if not mentions[i].short] or [first]
    head = full[0]
    sym: Symbol | None = head.symbol
    kind = head.kind
    if g.symbol and sym is None and not head.named:
        kind = _kind_family(head, vocab)
    date = next((mentions[i].date for i in members if mentions[i].date), None)
    year = int(date[:4]) if date else next((mentions[i].year for i in members if mentions[i].year), None)
    if year is None and sym is not None:
        year = sym.year
    rels: list[str] = []
    for i in members:
        r = decisions[i].relation
        if r not in rels:
            rels.append(r)
    acting = [r for r in rels if r != "cites"]
    relations = tuple(acting) if acting else ("cites",)
    number = sym.number if sym else head.number
    return Citation(
        symbol=g.symbol,
        number=number,
        kind=vocab.reported_kind(kind),
        kind_name=_kind_name(head, kind, g.party, vocab),
        year=year,
        date=date,
        issuer=next((mentions[i].issuer for i in members if mentions[i].issuer), None),
        title=next((mentions[i].title for i in members if mentions[i].title), None),
        relations=relations,
        mentions=tuple((mentions[i].start, mentions[i].end) for i in members),
        party=g.party,
        mention_relations=tuple(decisions[i].relation for i in members),
        mention_cues=tuple(decisions[i].cue for i in members),
    )


def extract_source(src: Source, vocab: Vocabulary | None = None) -> Extraction:
    """Extract one prepared source (pure: no I/O)."""
    v = vocab or load()
    header = parse_header(src, v)
    lo, hi = header.region or (0, len(src.work))  # a page around the document cites nothing
    mentions = [
        m for m in find_mentions(src, v)
        if lo <= m.start < hi and not (header.symbol_span and m.start <= header.symbol_span[0] < m.end + 1)
    ]
    decisions = decide(src, v, mentions)
    citations, links, warnings = gather(mentions, decisions, header, v)
    return Extraction(
        source=src.name,
        text=src.nfc,
        header=header,
        citations=tuple(citations),
        links=tuple(links),
        warnings=tuple(header.warnings) + tuple(warnings),
        effects=effects(src.nfc, header.date, v),
    )


def references(text: str, vocab: Vocabulary | None = None) -> list[Citation]:
    """The documents a free-text reference names (`Nghị quyết số 02-NQ/TW`), read with the citation
    grammar only: a lone symbol line here is a reference, not the header of a document."""
    v = vocab or load()
    src = prepare(text, "<reference>")
    empty = Header(None, None, None, None, None, None, None, None, None)
    mentions = find_mentions(src, v)
    citations, _, _ = gather(mentions, decide(src, v, mentions), empty, v)
    return citations


def extract_text(text: str, name: str = "<text>", vocab: Vocabulary | None = None) -> Extraction:
    """Extract from a string (tests, the API's free-text reference reader)."""
    return extract_source(prepare(text, name), vocab)


def extract_reading(reading: Reading, name: str, vocab: Vocabulary | None = None) -> Extraction:
    """Extract what was read from a file; the reading's warnings come first."""
    ex = extract_source(prepare(reading.text, name, wrapped=reading.ocr is None), vocab)
    header, doubts = _distrust_handwriting(ex.header, reading)
    return replace(ex, header=header, reading=reading, warnings=reading.warnings + ex.warnings + doubts)


HANDWRITING_CONFIDENCE = 40.0  # printed digits OCR at 90+; a clerk's handwritten number or day below this


def _distrust_handwriting(h: Header, reading: Reading) -> tuple[Header, tuple[str, ...]]:
    """Registry offices write a document's number and day by hand into printed blanks; OCR reads
    them badly (`51` as `9`) and says so in its confidence. Such an own number or date is left null,
    with a warning, rather than given wrong."""
    if reading.ocr is None:
        return h, ()
    doubts: list[str] = []
    words = reading.ocr.words

    def doubtful(span: tuple[int, int] | None) -> str | None:
        if span is None:
            return None
        for w in words:
            token = reading.text[w.start : w.end]
            if (w.start < span[1] and w.end > span[0] and w.confidence < HANDWRITING_CONFIDENCE
                    and re.fullmatch(r"[\d\W]*\d[\d\W]*", token)):  # a number standing alone, as written in
                return f"{token!r} at confidence {w.confidence:.0f}"
        return None

    if h.symbol and h.number and h.symbol_span:
        number_span = (h.symbol_span[0], h.symbol_span[0] + len(h.number) + 1)
        why = doubtful(number_span)
        if why:
            doubts.append(f"own number read by OCR as {why} (handwritten?): symbol and number null")
            h = replace(h, symbol=None, number=None)
    why = doubtful(h.date_span) if h.date else None
    if why:
        doubts.append(f"own date read by OCR with {why} (handwritten?): date null")
        h = replace(h, date=None)
    return h, tuple(doubts)


def extract_path(path: Path, vocab: Vocabulary | None = None, limits: ReadLimits | None = None,
                 on_page: PageProgress | None = None) -> Extraction:
    """Read and extract one file of any format; raises InputError when it cannot be read."""
    return extract_reading(read(read_file(path, limits), str(path), limits, on_page), str(path), vocab)
