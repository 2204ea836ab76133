"""Build RDF: one extraction → the quads of its own named graph.

Every node has an IRI (no blank nodes). The graph holds what this source says: its own document,
every document it cites (the claims it makes about them), the typed relations and, for each stated
link, an evidence node with the quote and offsets. Terms are made here and nowhere else.

Lean by design (graph model 2): no triple another one implies. A document's key, series number and
issuing scope are in its IRI (`…/doc/lai-chau/tu/ctr/2021/12` is `lai-chau-tu-ctr-2021-12`); its kind
is the IRI of a SKOS concept whose label is the kind's name; its year is its date's, stated only where
no date is known; the graph says which document is ingested, states an evidence and is signed by a
signature (`?g vb:describes ?d`); a node's class is implied by the property that reaches it (an
evidence by vb:quote, an organisation by vb:issuer, a source graph by vb:describes); an issuing
organisation's code and province are in its IRI and its name is the document's vb:issuerName; an
evidence keeps its four offsets in one literal (`vb:offsets "start end quoteStart quoteEnd"`); the
distribution list is one literal, a line each.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from .extract import Citation, Extraction
from .identity import UNKNOWN, DocKey, Iris, issuer_scope, key_for, named_key, norm_number, slug
from .read import Reading
from .symbols import parse_symbol
from .vocab import Vocabulary

VB = "https://w3id.org/vanban/ontology#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS_PREF = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
ORG_SUB = NamedNode("http://www.w3.org/ns/org#subOrganizationOf")
FOAF_NAME = NamedNode("http://xmlns.com/foaf/0.1/name")
PROV_GENERATED = NamedNode("http://www.w3.org/ns/prov#generatedAtTime")

RELATION_PROPERTY = {
    "based_on": "basedOn",
    "implements": "implements",
    "guides": "guides",
    "amends": "amends",
    "replaces": "replaces",
    "repeals": "repeals",
    "corrects": "corrects",
    "cites": "cites",
}
MODEL = 2  # the graph model: a store written by another one is rewritten by the next ingest
MAX_EVIDENCE_PER_RELATION = 5  # a law named forty times needs no forty quotes
QUOTE_CHARS = 400


@lru_cache(maxsize=512)
def vb(term: str) -> NamedNode:
    return NamedNode(VB + term)


# The builder writes N-Triples terms as text: making a pyoxigraph object per term costs more than the
# rest of the build, and the store parses text in bulk (see Built.nquads).
def _vb(term: str) -> str:
    return _VB_TERMS.get(term) or _VB_TERMS.setdefault(term, f"<{VB}{term}>")


_VB_TERMS: dict[str, str] = {}
_TYPE, _PREF, _SUB = f"<{RDF_TYPE.value}>", f"<{SKOS_PREF.value}>", f"<{ORG_SUB.value}>"
_NAME, _GENERATED = f"<{FOAF_NAME.value}>", f"<{PROV_GENERATED.value}>"
# Control characters (a page break's \f, \v, NUL) cannot be written in XML 1.0 (SPARQL XML results,
# RDF/XML): each becomes a space, so the text keeps its length and evidence offsets still point into it.
_CONTROLS = {c: " " for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)}
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"} | _CONTROLS)


def _iri(value: str) -> str:
    return f"<{value}>"


def _string(value: str) -> str:
    return f'"{value.translate(_ESCAPES)}"'


def _integer(value: int) -> str:
    return f'"{value}"^^<{XSD}integer>'


def _decimal(value: float) -> str:
    return f'"{value:.2f}"^^<{XSD}decimal>'


def _date(value: str) -> str:
    return f'"{value.translate(_ESCAPES)}"^^<{XSD}date>'


def _year(value: int) -> str:
    return f'"{value:04d}"^^<{XSD}gYear>'


# A resolver answers: which documents already known carry this series (scope/kind/number) in any year?
Resolver = Callable[[str], list[str]]


def no_resolver(series: str) -> list[str]:
    return []


@dataclass(frozen=True)
class Built:
    """The triples of one source graph (N-Triples text, one per line) and what they describe."""

    graph: str
    own: str
    triples: tuple[str, ...]  # "<s> <p> o" without the final " ."
    nodes: tuple[str, ...]  # every document IRI this graph makes claims about
    links: int
    series: tuple[tuple[str, str], ...] = ()  # (series, document IRI): what a batch resolves against

    @property
    def nquads(self) -> str:
        """The graph as N-Quads (what a bulk load reads)."""
        g = f" <{self.graph}> .\n"
        return g.join(self.triples) + g if self.triples else ""

    @property
    def ntriples(self) -> str:
        """The triples as N-Triples (the body of an INSERT DATA)."""
        return " .\n".join(self.triples) + " .\n" if self.triples else ""

    @property
    def quads(self) -> list[Quad]:
        """The quads as pyoxigraph terms (parsed from the text; for tests and small tools)."""
        return list(parse(self.nquads, RdfFormat.N_QUADS))


def series_of(key: DocKey) -> str:
    return "/".join((*key.scope, key.kind, key.number))


class _Builder:
    def __init__(self, graph: str, iris: Iris, vocab: Vocabulary) -> None:
        self.graph = graph
        self.iris = iris
        self.vocab = vocab
        self.triples: list[str] = []
        self.nodes: list[str] = []
        self.series_of: list[tuple[str, str]] = []

    def add(self, s: str, p: str, o: str) -> None:
        """One triple: `s` an IRI, `p` and `o` N-Triples terms."""
        self.triples.append(f"<{s}> {p} {o}")

    def series(self, s: str, series: str) -> None:
        """What a batch resolves year-less references against (the store finds a series from IRIs)."""
        self.series_of.append((series, s))

    def kind(self, s: str, code: str | None) -> bool:
        """The kind as the IRI of its concept (its class and name are the concept's); False: none known."""
        kc = self.vocab.code(code) if code else None
        if kc:
            self.add(s, _vb("kind"), _iri(self.iris.kind(kc.code)))
        return kc is not None


def quote_span(text: str, start: int, end: int, cue: int | None = None) -> tuple[int, int]:
    """The sentence around a mention (within its paragraph), at most QUOTE_CHARS long; a longer one is
    cut around the mention and, where they fit together, the cue that governs it (`cue`: where it
    starts), so that the quote shows how the document is cited."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    s = line_start
    for m in re.finditer(r"[.;!?](?=\s)", text[line_start:start]):
        s = line_start + m.end()
    m2 = re.search(r"[.;!?](?=\s|$)", text[end:line_end])
    e = end + m2.end() if m2 else line_end
    while s < start and text[s].isspace():
        s += 1
    if e - s > QUOTE_CHARS:
        first = cue if cue is not None and s <= cue < start and end - cue <= QUOTE_CHARS else start
        half = (QUOTE_CHARS - (end - first)) // 2
        s = max(s, first - max(half, 0))
        e = min(e, max(end, s + QUOTE_CHARS))
    return s, e


def build(
    ex: Extraction,
    source: str,
    source_path: str,
    content_hash: str,
    iris: Iris,
    vocab: Vocabulary,
    resolve: Resolver = no_resolver,
    now: dt.datetime | None = None,
) -> Built:
    """The named graph of one source (pure given `resolve`)."""
    b = _Builder(iris.graph(source), iris, vocab)
    h = ex.header
    province = h.province

    own = _own_iri(ex, source, iris, vocab)
    b.nodes.append(own)
    b.add(own, _TYPE, _vb("Document"))
    kind_known = b.kind(own, h.kind)
    own_key = _own_key(ex, vocab)
    if own_key:
        b.series(own, series_of(own_key))
    for prop, value in (("symbol", h.symbol), ("kindName", None if kind_known else h.kind_name),
                        ("issuerName", h.issuer), ("place", h.place), ("subject", h.subject)):
        if value:
            b.add(own, _vb(prop), _string(value))
    if h.date:
        b.add(own, _vb("date"), _date(h.date))
    elif own_key and own_key.year != UNKNOWN:
        b.add(own, _vb("year"), _year(int(own_key.year)))
    if h.marking:
        b.add(own, _vb("securityMarking"), _string(h.marking))
    for e in ex.effects:  # when it says it takes effect and ends (ELI's entry-in-force dates)
        b.add(own, _vb("effectiveFrom" if e.field == "effective_from" else "effectiveUntil"), _date(e.date))
    for r in h.recipients:
        b.add(own, _vb("recipient"), _string(r))
    if h.distribution:
        b.add(own, _vb("distributionList"), _string("\n".join(h.distribution)))
    for w in ex.warnings:
        b.add(own, _vb("warning"), _string(w))
    if h.issuer:
        org = _organisation(b, h.symbol, h.issuer, h.parent_issuer, province)
        b.add(own, _vb("issuer"), _iri(org))
    for n, s in enumerate(h.signers, 1):
        sig = iris.signature(source, n)  # (it signs the document its graph describes)
        if s.name:
            person = iris.person(s.name)
            b.add(sig, _vb("signer"), _iri(person))
            b.add(person, _NAME, _string(s.name))
        for prop, value in (("position", s.position), ("capacity", s.capacity), ("signsFor", s.for_)):
            if value:
                b.add(sig, _vb(prop), _string(value))

    g = b.graph
    b.add(g, _vb("describes"), _iri(own))
    b.add(g, _vb("sourcePath"), _string(source_path))
    b.add(g, _vb("contentHash"), _string(content_hash))
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    b.add(g, _GENERATED, f'"{stamp}"^^<{XSD}dateTime>')
    if ex.reading is not None:
        _reading(b, g, ex.reading)

    targets: dict[str, str] = {}
    evidence_n = 0
    reference_n = 0
    for c in ex.citations:
        target, reference_n = _cited_node(b, c, province, source, reference_n, resolve)
        if c.symbol:
            targets.setdefault(c.symbol, target)
        for rel in c.relations:
            rel_prop = _vb(RELATION_PROPERTY[rel])
            b.add(own, rel_prop, _iri(target))
            cues = c.mention_cues or (None,) * len(c.mentions)
            spans = list(zip(c.mentions, cues, strict=False))
            stated = [m for m, r in zip(spans, c.mention_relations or c.relations, strict=False) if r == rel]
            for (start, end), cue in (stated or spans)[:MAX_EVIDENCE_PER_RELATION]:
                evidence_n += 1
                _evidence(b, ex.text, iris.evidence(source, evidence_n), own, target, rel_prop, start, end, cue)
    links = 0
    for lk in ex.links:
        a, t = targets.get(lk.source), targets.get(lk.target)
        if not a or not t or a == t:
            continue
        link_prop = _vb(RELATION_PROPERTY[lk.relation])
        b.add(a, link_prop, _iri(t))
        links += 1
        evidence_n += 1
        _evidence(b, ex.text, iris.evidence(source, evidence_n), a, t, link_prop, lk.span[0], lk.span[1])
    return Built(graph=g, own=own, triples=tuple(b.triples), nodes=tuple(dict.fromkeys(b.nodes)),
                 links=links, series=tuple(dict.fromkeys(b.series_of)))


def _reading(b: _Builder, g: str, r: Reading) -> None:
    """The text as read from the file, kept with its source: evidence offsets point into it. With it,
    its format, page count, where each page starts, and what OCR made of it (each word's span,
    confidence and page, as JSON)."""
    b.add(g, _vb("text"), _string(r.text))
    b.add(g, _vb("sourceFormat"), _string(r.format))
    if r.pages is not None:
        b.add(g, _vb("pageCount"), _integer(r.pages))
    if r.page_starts:
        b.add(g, _vb("pageStarts"), _string(",".join(map(str, r.page_starts))))
    if r.ocr is not None:
        b.add(g, _vb("ocrPages"), _integer(r.ocr.pages))
        b.add(g, _vb("ocrConfidence"), _decimal(r.ocr.mean_confidence))
        words = [[w.start, w.end, round(w.confidence, 1), w.page] for w in r.ocr.words]
        b.add(g, _vb("ocrWords"), _string(json.dumps(words, separators=(",", ":"))))


def _own_key(ex: Extraction, vocab: Vocabulary) -> DocKey | None:
    h = ex.header
    sym = parse_symbol(h.symbol, vocab) if h.symbol else None
    if sym is None:
        return None
    year = int(h.date[:4]) if h.date else sym.year
    return key_for(sym.issuer, h.kind or sym.kind, sym.number, year, h.province, vocab)


def _own_iri(ex: Extraction, source: str, iris: Iris, vocab: Vocabulary) -> str:
    key = _own_key(ex, vocab)
    return iris.doc(key) if key else f"{iris.base}/doc/source/{source}"


def _organisation(b: _Builder, symbol: str | None, name: str, parent: str | None, province: str | None) -> str:
    """The issuer's IRI (its name is the document's vb:issuerName, its code in the symbol); the body it
    belongs to, named, where the header gives one."""
    sym = parse_symbol(symbol, b.vocab) if symbol else None
    if sym and sym.issuer:
        iri = b.iris.org(issuer_scope(sym.issuer, province, b.vocab))
    else:
        iri = b.iris.org_named(name, province)
    if parent:
        p = b.iris.org_named(parent, province)
        b.add(p, _PREF, _string(parent))
        b.add(iri, _SUB, _iri(p))
    return iri


def _cited_node(
    b: _Builder, c: Citation, province: str | None, source: str, reference_n: int, resolve: Resolver
) -> tuple[str, int]:
    """The IRI a citation points to, with the claims this source makes about it."""
    sym = parse_symbol(c.symbol, b.vocab) if c.symbol else None
    if sym is not None:
        key = key_for(sym.issuer, c.kind or sym.kind, sym.number, c.year, province, b.vocab)
        assert key is not None
        candidates: list[str] = []
        if key.year == UNKNOWN:
            candidates = [x for x in resolve(series_of(key)) if not x.endswith(f"/{UNKNOWN}/{key.number}")]
            if len(candidates) == 1:
                b.nodes.append(candidates[0])
                return candidates[0], reference_n  # the only document of that series: settled
        iri = b.iris.doc(key)
        if len(candidates) > 1:  # several years fit: keep the reference with its candidates
            b.add(iri, _TYPE, _vb("UnresolvedReference"))
            b.add(iri, _vb("referenceText"), _string(c.symbol or ""))
            for cand in candidates:
                b.add(iri, _vb("candidate"), _iri(cand))
        b.series(iri, series_of(key))
        b.add(iri, _vb("symbol"), _string(c.symbol or ""))
    elif c.title:
        iri = b.iris.doc(named_key(c.title, c.year))
        b.add(iri, _TYPE, _vb("NamedDocument"))
    else:
        reference_n += 1  # "Chỉ thị 05": no symbol, no issuer, no name
        iri = b.iris.reference(source, reference_n)
        b.add(iri, _TYPE, _vb("Document"))
        b.add(iri, _TYPE, _vb("UnresolvedReference"))
        # a key like every node's, so the REST routes can address it (its IRI path has slashes)
        b.add(iri, _vb("key"), _string(f"ref-{source}-{reference_n}"))
        b.add(iri, _vb("referenceText"), _string(f"{c.kind_name or c.kind or ''} {c.number or ''}".strip()))
        b.kind(iri, c.kind)
        if c.number:
            b.add(iri, _vb("number"), _string(norm_number(c.number)))
        return iri, reference_n
    b.nodes.append(iri)
    b.add(iri, _TYPE, _vb("Document"))
    kind_known = b.kind(iri, c.kind)
    for prop, value in (("kindName", None if kind_known else c.kind_name), ("issuerName", c.issuer),
                        ("title", c.title)):
        if value:
            b.add(iri, _vb(prop), _string(value))
    if c.date:
        b.add(iri, _vb("date"), _date(c.date))
    elif c.year:
        b.add(iri, _vb("year"), _year(c.year))
    return iri, reference_n


def _evidence(b: _Builder, text: str, iri: str, source: str, target: str, prop: str, start: int, end: int,
              cue: int | None = None) -> None:
    """The sentence stating source → target: its quote and the offsets of the mention and the quote in
    the source's text (the document stating it is the one the graph describes)."""
    qs, qe = quote_span(text, start, end, cue)
    b.add(iri, _vb("source"), _iri(source))
    b.add(iri, _vb("target"), _iri(target))
    b.add(iri, _vb("relation"), prop)
    b.add(iri, _vb("quote"), _string(" ".join(text[qs:qe].split())))
    b.add(iri, _vb("offsets"), _string(f"{start} {end} {qs} {qe}"))


__all__ = ["RELATION_PROPERTY", "VB", "Built", "build", "quote_span", "series_of", "slug"]
