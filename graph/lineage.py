"""The lineage index: every document and every relation between documents, as integer-indexed
adjacency lists, built from the store and persisted next to it.

Why: "what implements 02-NQ/TW, and through which chain?" is a breadth-first walk. SPARQL property
paths answer it but not with depths, per-step edges and cursors; a compact in-memory adjacency does,
and its first page costs only the nodes it visits. The index records the store's write stamp, so a
restart loads it from disk instead of rebuilding, and any write makes it stale.
"""

from __future__ import annotations

import pickle
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .identity import slug
from .rdf import RELATION_PROPERTY, VB
from .store import GraphStore
from .text import strip_marks
from .vocab import load

RELATIONS = tuple(RELATION_PROPERTY)  # based_on, implements, … cites
REL_ID = {r: i for i, r in enumerate(RELATIONS)}
PROP_REL = {VB + p: r for r, p in RELATION_PROPERTY.items()}
FORMAT_VERSION = 1


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
    search: str = ""  # accent-free lower-case text for search


@dataclass(frozen=True)
class Step:
    """One document reached by a walk, the depth it was reached at and the edges that bring it in."""

    node: int
    depth: int
    edges: tuple[tuple[int, int, str], ...]  # (from, to, relation)


@dataclass
class LineageIndex:
    nodes: list[Node] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)
    out: list[list[tuple[int, int]]] = field(default_factory=list)  # node → [(target, relation id)]
    inc: list[list[tuple[int, int]]] = field(default_factory=list)  # node → [(source, relation id)]
    stamp: str = ""

    # -- building ----------------------------------------------------------------------------------

    @classmethod
    def build(cls, store: GraphStore) -> LineageIndex:
        idx = cls(stamp=store.stamp())
        # One attribute per query: in the union default graph a fact stated by fifty sources comes
        # fifty times, and joining several such attributes at once multiplies them.
        attrs: dict[str, dict[str, str]] = {}
        for prop, name in (("vb:key", "key"), ("vb:symbol", "symbol"), ("vb:kind", "kind"),
                           ("vb:year", "year"), ("vb:date", "date"), ("vb:title", "title"),
                           ("vb:subject", "title"), ("vb:issuerName", "issuer")):
            for row in store.rows(f"SELECT DISTINCT ?d ?v WHERE {{ ?d {prop} ?v }} ORDER BY ?d ?v"):
                got = attrs.setdefault(row["d"], {})
                if name not in got or (name in ("year", "date") and row["v"] < got[name]):
                    got[name] = row["v"]
        own = {r["d"] for r in store.rows("SELECT DISTINCT ?d WHERE { ?d a vb:IngestedDocument }")}
        code_of = {slug(c.code): c.code for c in load().codes}
        for d in sorted(r["d"] for r in store.rows("SELECT DISTINCT ?d WHERE { ?d a vb:Document }")):
            row = {"d": d} | attrs.get(d, {}) | ({"own": "1"} if d in own else {})
            if "kind" in row:
                row["kind"] = code_of.get(row["kind"].rsplit("/", 1)[-1], row["kind"])
            idx._add_node(row)
        for row in store.rows(
            "SELECT DISTINCT ?s ?p ?o WHERE { VALUES ?p { "
            + " ".join(f"<{p}>" for p in PROP_REL) + " } ?s ?p ?o }"
        ):
            a, b = idx.ids.get(row["s"]), idx.ids.get(row["o"])
            if a is None or b is None:
                continue
            rel = REL_ID[PROP_REL[row["p"]]]
            idx.out[a].append((b, rel))
            idx.inc[b].append((a, rel))
        for lst in idx.out:
            lst.sort()
        for lst in idx.inc:
            lst.sort()
        return idx

    def _add_node(self, row: dict[str, str]) -> None:
        iri = row["d"]
        year = row.get("year")
        node = Node(
            iri=iri, key=row.get("key", iri), symbol=row.get("symbol"), kind=row.get("kind"),
            year=int(year[:4]) if year and year[:4].isdigit() else None, date=row.get("date"),
            title=row.get("title"), issuer=row.get("issuer"), ingested="own" in row,
        )
        node.search = strip_marks(" ".join(x for x in (_kind_name(node.kind), node.symbol, node.title,
                                                         node.issuer, node.key) if x))
        self.ids[iri] = len(self.nodes)
        self.keys[node.key] = len(self.nodes)
        self.nodes.append(node)
        self.out.append([])
        self.inc.append([])

    # -- persistence -------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(path.suffix + ".tmp")
        with tmp.open("wb") as f:
            pickle.dump((FORMAT_VERSION, self), f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> LineageIndex | None:
        try:
            with path.open("rb") as f:
                version, idx = pickle.load(f)  # the index file is the store's own, written by save()
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError):
            return None
        return idx if version == FORMAT_VERSION and isinstance(idx, cls) else None

    @classmethod
    def open(cls, store: GraphStore, path: Path | None) -> LineageIndex:
        """Load the persisted index when it matches the store's stamp; else rebuild (and save)."""
        if path is not None:
            idx = cls.load(path)
            if idx is not None and idx.stamp == store.stamp():
                return idx
        idx = cls.build(store)
        if path is not None:
            idx.save(path)
        return idx

    # -- walking -----------------------------------------------------------------------------------

    def walk(self, start: int, relations: frozenset[int], depth: int, upward: bool) -> Iterator[Step]:
        """Breadth-first from `start`: down (who implements it) or up (what it rests on), lazily."""
        adj = self.out if upward else self.inc
        seen = {start: 0}
        queue: deque[int] = deque([start])
        while queue:
            cur = queue.popleft()
            d = seen[cur]
            if d >= depth:
                continue
            fresh: dict[int, list[tuple[int, int, str]]] = {}
            for other, rel in adj[cur]:
                if rel not in relations:
                    continue
                edge = (cur, other, RELATIONS[rel]) if upward else (other, cur, RELATIONS[rel])
                if other not in seen:
                    seen[other] = d + 1
                    queue.append(other)
                    fresh[other] = [edge]
                elif other in fresh:
                    fresh[other].append(edge)
            for other, edges in fresh.items():
                yield Step(other, d + 1, tuple(edges))

    def path(self, a: int, b: int, relations: frozenset[int]) -> list[tuple[int, int, str]] | None:
        """The shortest chain of relations from a to b (following citing → cited), else None."""
        prev: dict[int, tuple[int, int, str]] = {}
        seen = {a}
        queue: deque[int] = deque([a])
        while queue:
            cur = queue.popleft()
            if cur == b:
                chain = []
                while cur != a:
                    edge = prev[cur]
                    chain.append(edge)
                    cur = edge[0]
                return chain[::-1]
            for other, rel in self.out[cur]:
                if rel in relations and other not in seen:
                    seen.add(other)
                    prev[other] = (cur, other, RELATIONS[rel])
                    queue.append(other)
        return None

    def search(self, q: str | None, kind: str | None, issuer: str | None, year: int | None) -> list[int]:
        """Documents matching every word of `q` (accent-insensitive), best first: a number in the query
        that is the document's own number counts most (`nghi quyet 02` → 02-NQ/TW)."""
        words = strip_marks(q).split() if q else []
        numbers = {w.lstrip("0") for w in words if w.isdigit()}
        iss = strip_marks(issuer) if issuer else None
        scored = []
        for n, node in enumerate(self.nodes):
            if kind and (node.kind or "").casefold() != kind.casefold():
                continue
            if year and node.year != year:
                continue
            if iss and iss not in strip_marks(node.issuer or "") and iss not in node.key:
                continue
            if words and not all(w in node.search for w in words):
                continue
            own_number = node.key.rsplit("-", 1)[-1].lstrip("0")
            score = (10 if own_number in numbers else 0) + (2 if node.ingested else 0) + (1 if node.symbol else 0)
            scored.append((-score, node.key, n))
        scored.sort()
        return [n for _, _, n in scored]


def _kind_name(kind: str | None) -> str:
    code = load().code(kind) if kind else None
    return code.name if code else ""
