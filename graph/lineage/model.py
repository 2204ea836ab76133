"""The lineage index's vocabulary: relation ids, and the values a walk yields."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import NamedTuple, TypeAlias, TypeVar

import pyoxigraph as ox

from ..rdf import RELATION_PROPERTY, VB

RELATIONS = tuple(RELATION_PROPERTY)  # based_on, implements, … cites
REL_ID = {r: i for i, r in enumerate(RELATIONS)}
PROP_REL = {VB + p: r for r, p in RELATION_PROPERTY.items()}
FORMAT_VERSION = 7
PER_EDGE = 3  # quotes kept per edge: the API shows at most this many
WALKS_KEPT = 8  # recorded walks kept for later pages


@dataclass
class Node:
    iri: str
    key: str
    symbol: str | None = None
    kind: str | None = None
    year: int | None = None
    date: str | None = None
    title: str | None = None
    issuer: str | None = None
    ingested: bool = False


class Step(NamedTuple):
    """One document reached by a walk, the depth it was reached at and the edges that bring it in.
    (A NamedTuple: a walk makes one per document, and frozen dataclasses are slow to construct.)"""

    node: int
    depth: int
    edges: tuple[tuple[int, int, str], ...]  # (from, to, relation)



class Quote(NamedTuple):
    """One sentence stating an edge: the document that states it, the mention's offsets, the sentence."""

    stated_in: int
    start: int
    end: int
    text: str


K = TypeVar("K")
Ints: TypeAlias = "array[int] | memoryview"  # an array, or a view into a memory-mapped file
Found = dict[tuple[int, int, int], list[tuple[int, int, int, bytes]]]  # (a, b, rel) → (stated, start, end, quote)


def as_array(code: str, raw: bytes) -> array[int]:
    out = array(code)
    out.frombytes(raw)
    return out



def value_of(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """The lexical value of a term (an RDF-star triple as its N-Triples text)."""
    return str(term) if isinstance(term, ox.Triple) else term.value
