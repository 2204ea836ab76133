"""Build RDF: one extraction → the quads of its own named graph.

Every node has an IRI (no blank nodes). The graph holds what this source says: its own document,
every document it cites (the claims it makes about them), the typed relations and, for each stated
link, an evidence node with the quote and offsets. Terms are made here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad

from .extract import Citation, Extraction
from .identity import UNKNOWN, DocKey, Iris, issuer_scope, key_for, named_key, norm_number, slug
from .symbols import parse_symbol
from .vocab import Vocabulary

VB = "https://w3id.org/vanban/ontology#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS_PREF = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
ORG_SUB = NamedNode("http://www.w3.org/ns/org#subOrganizationOf")
FOAF_PERSON = NamedNode("http://xmlns.com/foaf/0.1/Person")
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
MAX_EVIDENCE_PER_RELATION = 5  # a law named forty times needs no forty quotes
QUOTE_CHARS = 400


def vb(term: str) -> NamedNode:
    return NamedNode(VB + term)


def _string(value: str) -> Literal:
    return Literal(value)


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + "integer"))


def _date(value: str) -> Literal:
    return Literal(value, datatype=NamedNode(XSD + "date"))


def _year(value: int) -> Literal:
    return Literal(f"{value:04d}", datatype=NamedNode(XSD + "gYear"))


# A resolver answers: which documents already known carry this series (scope/kind/number) in any year?
Resolver = Callable[[str], list[str]]


def no_resolver(series: str) -> list[str]:
    return []


@dataclass(frozen=True)
class Built:
    """The quads of one source graph and what they describe."""

    graph: str
    own: str
    quads: tuple[Quad, ...]
    nodes: tuple[str, ...]  # every document IRI this graph makes claims about
    links: int


def series_of(key: DocKey) -> str:
    return "/".join((*key.scope, key.kind, key.number))


class _Builder:
    def __init__(self, graph: str, iris: Iris, vocab: Vocabulary) -> None:
        self.g = NamedNode(graph)
        self.iris = iris
        self.vocab = vocab
        self.quads: list[Quad] = []
        self.nodes: list[str] = []

    def add(self, s: str, p: NamedNode, o: NamedNode | Literal) -> None:
        self.quads.append(Quad(NamedNode(s), p, o, self.g))

    def kind(self, s: str, code: str | None) -> None:
        kc = self.vocab.code(code) if code else None
        if kc:
            self.add(s, RDF_TYPE, vb(kc.cls))
            self.add(s, vb("kind"), NamedNode(self.iris.kind(kc.code)))


def quote_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around a mention (within its paragraph), at most QUOTE_CHARS long."""
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
        half = (QUOTE_CHARS - (end - start)) // 2
        s = max(s, start - max(half, 0))
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
    b.add(own, RDF_TYPE, vb("Document"))
    b.add(own, RDF_TYPE, vb("IngestedDocument"))
    b.kind(own, h.kind)
    own_key = _own_key(ex, vocab)
    b.add(own, vb("key"), _string(own_key.text if own_key else "source-" + source))
    if own_key:
        b.add(own, vb("series"), _string(series_of(own_key)))
    for prop, value in (("symbol", h.symbol), ("number", h.number), ("kindName", h.kind_name),
                        ("issuerName", h.issuer), ("place", h.place), ("subject", h.subject)):
        if value:
            b.add(own, vb(prop), _string(value))
    if h.date:
        b.add(own, vb("date"), _date(h.date))
        b.add(own, vb("year"), _year(int(h.date[:4])))
    elif own_key and own_key.year != UNKNOWN:
        b.add(own, vb("year"), _year(int(own_key.year)))
    if province:
        b.add(own, vb("province"), _string(province))
    for r in h.recipients:
        b.add(own, vb("recipient"), _string(r))
    for d in h.distribution:
        b.add(own, vb("distribution"), _string(d))
    for w in ex.warnings:
        b.add(own, vb("warning"), _string(w))
    if h.issuer:
        org = _organisation(b, h.symbol, h.issuer, h.parent_issuer, province)
        b.add(own, vb("issuer"), NamedNode(org))
    for n, s in enumerate(h.signers, 1):
        sig = iris.signature(source, n)
        b.add(own, vb("signature"), NamedNode(sig))
        b.add(sig, RDF_TYPE, vb("Signature"))
        if s.name:
            person = iris.person(s.name)
            b.add(sig, vb("signer"), NamedNode(person))
            b.add(person, RDF_TYPE, FOAF_PERSON)
            b.add(person, FOAF_NAME, _string(s.name))
        for prop, value in (("position", s.position), ("capacity", s.capacity), ("signsFor", s.for_)):
            if value:
                b.add(sig, vb(prop), _string(value))

    g = b.g.value
    b.add(g, RDF_TYPE, vb("SourceGraph"))
    b.add(g, vb("describes"), NamedNode(own))
    b.add(g, vb("sourcePath"), _string(source_path))
    b.add(g, vb("contentHash"), _string(content_hash))
    b.add(g, PROV_GENERATED, Literal((now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                                     datatype=NamedNode(XSD + "dateTime")))

    targets: dict[str, str] = {}
    evidence_n = 0
    reference_n = 0
    for c in ex.citations:
        target, reference_n = _cited_node(b, c, province, source, reference_n, resolve)
        if c.symbol:
            targets.setdefault(c.symbol, target)
        for rel in c.relations:
            rel_prop = vb(RELATION_PROPERTY[rel])
            b.add(own, rel_prop, NamedNode(target))
            stated = [m for m, r in zip(c.mentions, c.mention_relations or c.relations, strict=False) if r == rel]
            for start, end in (stated or list(c.mentions))[:MAX_EVIDENCE_PER_RELATION]:
                evidence_n += 1
                _evidence(b, ex.text, iris.evidence(source, evidence_n), own, target, rel_prop, own, start, end)
    links = 0
    for lk in ex.links:
        a, t = targets.get(lk.source), targets.get(lk.target)
        if not a or not t or a == t:
            continue
        link_prop = vb(RELATION_PROPERTY[lk.relation])
        b.add(a, link_prop, NamedNode(t))
        links += 1
        evidence_n += 1
        _evidence(b, ex.text, iris.evidence(source, evidence_n), a, t, link_prop, own, lk.span[0], lk.span[1])
    return Built(graph=g, own=own, quads=tuple(b.quads), nodes=tuple(dict.fromkeys(b.nodes)), links=links)


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
    sym = parse_symbol(symbol, b.vocab) if symbol else None
    if sym and sym.issuer:
        iri = b.iris.org(issuer_scope(sym.issuer, province, b.vocab))
        b.add(iri, vb("code"), _string(sym.issuer))
    else:
        iri = b.iris.org_named(name, province)
    b.add(iri, RDF_TYPE, vb("Organisation"))
    b.add(iri, SKOS_PREF, _string(name))
    if province:
        b.add(iri, vb("province"), _string(province))
    if parent:
        p = b.iris.org_named(parent, province)
        b.add(p, RDF_TYPE, vb("Organisation"))
        b.add(p, SKOS_PREF, _string(parent))
        b.add(iri, ORG_SUB, NamedNode(p))
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
            b.add(iri, RDF_TYPE, vb("UnresolvedReference"))
            b.add(iri, vb("referenceText"), _string(c.symbol or ""))
            for cand in candidates:
                b.add(iri, vb("candidate"), NamedNode(cand))
        b.add(iri, vb("key"), _string(key.text))
        b.add(iri, vb("series"), _string(series_of(key)))
        b.add(iri, vb("symbol"), _string(c.symbol or ""))
    elif c.title:
        nk = named_key(c.title, c.year)
        iri = b.iris.doc(nk)
        b.add(iri, RDF_TYPE, vb("NamedDocument"))
        b.add(iri, vb("key"), _string(nk.text))
    else:
        reference_n += 1  # "Chỉ thị 05": no symbol, no issuer, no name
        iri = b.iris.reference(source, reference_n)
        b.add(iri, RDF_TYPE, vb("Document"))
        b.add(iri, RDF_TYPE, vb("UnresolvedReference"))
        b.add(iri, vb("referenceText"), _string(f"{c.kind_name or c.kind or ''} {c.number or ''}".strip()))
        b.kind(iri, c.kind)
        if c.number:
            b.add(iri, vb("number"), _string(norm_number(c.number)))
        return iri, reference_n
    b.nodes.append(iri)
    b.add(iri, RDF_TYPE, vb("Document"))
    b.kind(iri, c.kind)
    for prop, value in (("number", c.number), ("kindName", c.kind_name), ("issuerName", c.issuer),
                        ("title", c.title)):
        if value:
            b.add(iri, vb(prop), _string(value))
    if c.date:
        b.add(iri, vb("date"), _date(c.date))
    if c.year:
        b.add(iri, vb("year"), _year(c.year))
    return iri, reference_n


def _evidence(b: _Builder, text: str, iri: str, source: str, target: str, prop: NamedNode, stated_in: str,
              start: int, end: int) -> None:
    qs, qe = quote_span(text, start, end)
    b.add(source, vb("evidence"), NamedNode(iri))
    b.add(iri, RDF_TYPE, vb("Evidence"))
    b.add(iri, vb("source"), NamedNode(source))
    b.add(iri, vb("target"), NamedNode(target))
    b.add(iri, vb("relation"), prop)
    b.add(iri, vb("statedIn"), NamedNode(stated_in))
    b.add(iri, vb("quote"), _string(" ".join(text[qs:qe].split())))
    b.add(iri, vb("mention"), _string(" ".join(text[start:end].split())))
    b.add(iri, vb("start"), _integer(start))
    b.add(iri, vb("end"), _integer(end))
    b.add(iri, vb("quoteStart"), _integer(qs))
    b.add(iri, vb("quoteEnd"), _integer(qe))


__all__ = ["RELATION_PROPERTY", "VB", "Built", "build", "quote_span", "series_of", "slug"]
