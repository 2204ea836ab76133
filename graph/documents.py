"""Documents as the API and the CLI show them: lookup by key or free-text reference, every claim with
its source, conflicts, citations out and in with their evidence, lineage pages, paths and stats."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np

from .errors import QueryError, UnknownDocument
from .extract import references
from .identity import key_for, named_key
from .lineage import MASK_NAMES, REL_ID, RELATIONS, LineageIndex, Node
from .store import Store
from .symbols import parse_symbol
from .vocab import load

DEFAULT_DOWN = ("implements", "guides")
DEFAULT_UP = ("based_on", "implements", "guides", "amends", "replaces", "repeals", "corrects")


def relation_set(names: Iterable[str] | None, default: tuple[str, ...]) -> frozenset[int]:
    chosen = [n.strip() for n in names or default if n.strip()]
    unknown = [n for n in chosen if n not in REL_ID]
    if unknown:
        raise QueryError(f"unknown relation(s) {', '.join(unknown)}; use {', '.join(RELATIONS)}")
    return frozenset(REL_ID[n] for n in chosen)


def summary(index: LineageIndex, n: int) -> dict[str, Any]:
    """What every answer shows of a document, read straight from the index's columns (the shape is
    `summaries`', one place)."""
    return summaries(index, [n])[0]


def find(index: LineageIndex, key: str) -> int:
    n = index.keys.get(key)
    if n is None:
        n = index.ids.get(key)
    if n is None:
        raise UnknownDocument(f"no document with key {key!r}")
    return n


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None
    total_visited: int


LAZY_PAGE = 1000  # a first page up to this size walks lazily (stops when full); larger ones walk whole


def lineage_page(
    index: LineageIndex, key: str, *, upward: bool, relations: frozenset[int], depth: int,
    limit: int, cursor: str | None, evidence: bool = True,
) -> Page:
    """One page of a walk: documents with their depth and the edges that bring them in, each edge with
    its evidence (`evidence=False` leaves the quotes out: a whole lineage in one call is then smaller).
    A first page walks lazily (a landmark's first 50 of 40,000 cost 50); a later or a large page reads the
    whole walk, computed at once with array arithmetic, and its rows are gathered a column at a time."""
    start = find(index, key)
    offset = parse_cursor(cursor)
    if offset == 0 and limit <= LAZY_PAGE:
        steps = list(islice(index.walk(start, relations, depth, upward), limit + 1))
        more = len(steps) > limit
        steps = steps[:limit]
        nodes = [s.node for s in steps]
        depths = [s.depth for s in steps]
        edges = [list(s.edges) for s in steps]
    else:
        order = index.whole(start, relations, depth, upward)
        window = slice(offset, offset + limit)
        more = len(order) > offset + limit
        nodes, depths = order.nodes[window].tolist(), order.depths[window].tolist()
        edges = order.edges(window, upward)
    quotes = edge_evidence(index, [e for row in edges for e in row]) if evidence else {}
    keys = index.nodes.columns["key"]
    items = [summary | {"depth": d, "edges": [
        {"from": keys[a], "to": keys[b], "relation": rel, "evidence": quotes.get((a, b, rel), [])} if evidence else
        {"from": keys[a], "to": keys[b], "relation": rel} for a, b, rel in row]}
        for summary, d, row in zip(summaries(index, nodes), depths, edges, strict=True)]
    return Page(items, str(offset + limit) if more else None, offset + len(nodes))


COLUMN_FIELDS = ("key", "iri", "symbol", "kind", "date", "title", "issuer")


def lineage_columns(
    index: LineageIndex, key: str, *, upward: bool, relations: frozenset[int], depth: int,
    limit: int, cursor: str | None, evidence: bool = True,
) -> dict[str, Any]:
    """A page of a walk as columns (`format=columns`): one list per field, row i of each is the i-th
    document, `via` the document that brings it in and `relations` the relations that do, `evidence` (when
    asked) the quotes of those edges as columns of their own (`evidence.row[k]` is the row of quote k).
    Made with array gathers and no object per row: a whole lineage
    of tens of thousands serialises in milliseconds, where the row shape costs a dict per document."""
    start = find(index, key)
    offset = parse_cursor(cursor)
    order = index.whole(start, relations, depth, upward)
    window = slice(offset, offset + limit)
    nodes, parents, masks = order.nodes[window], order.parents[window], order.rels[window]
    listed = nodes.tolist()
    t = index.nodes
    columns: dict[str, Any] = {name: t.gather(name, listed) for name in COLUMN_FIELDS}
    years = np.frombuffer(t.years, dtype=np.int16)[nodes]
    columns["year"] = years.tolist()
    columns["ingested"] = np.frombuffer(bytes(t.ingested), dtype=np.uint8)[nodes].astype(bool).tolist()
    columns["depth"] = order.depths[window].tolist()
    columns["via"] = t.gather("key", parents.tolist())
    columns["relations"] = [list(MASK_NAMES[m]) for m in masks.tolist()]
    out: dict[str, Any] = {"columns": columns}
    if evidence:
        out["evidence"] = _column_quotes(index, nodes, parents, masks, upward)
    return out | {"rows": len(listed), "next_cursor": str(offset + limit) if len(order) > offset + limit else None}


def _column_quotes(index: LineageIndex, nodes: Any, parents: Any, masks: Any, upward: bool) -> dict[str, list[Any]]:
    """The quotes of the edges that bring each row in, as columns of their own (`row` says whose): the
    edges found in the out rows all at once, their records gathered by array arithmetic."""
    a, b = (parents, nodes) if upward else (nodes, parents)
    rows, edges, rels = [], [], []
    for r in range(len(RELATIONS)):
        picked = np.flatnonzero(masks & (1 << r))
        if picked.size:
            found = index.out.positions(a[picked], b[picked], np.full(picked.size, r, dtype=np.int64))
            keep = found >= 0
            rows.append(picked[keep])
            edges.append(found[keep])
            rels.append(np.full(int(keep.sum()), r, dtype=np.int64))
    if not rows:
        return {"row": [], "relation": [], "quote": [], "stated_in": [], "start": [], "end": []}
    row, j, rel = np.concatenate(rows), np.concatenate(edges), np.concatenate(rels)
    ev = index.evidence
    ptr = np.frombuffer(ev.ptr, dtype=np.int64)
    lo = ptr[j]
    count = ptr[j + 1] - lo
    ends = np.cumsum(count)
    k = np.repeat(lo - (ends - count), count) + np.arange(int(ends[-1]) if ends.size else 0)
    row, rel = np.repeat(row, count), np.repeat(rel, count)
    order = np.argsort(row, kind="stable")
    k, row, rel = k[order], row[order], rel[order]
    offsets = np.frombuffer(ev.offsets, dtype=np.int64)
    blob, base = ev.blob, ev.base
    texts = [blob[base + x:base + y].decode() for x, y in zip(offsets[k].tolist(), offsets[k + 1].tolist(),
                                                                strict=True)]
    return {"row": row.tolist(), "relation": [RELATIONS[r] for r in rel.tolist()], "quote": texts,
            "stated_in": index.nodes.gather("key", np.frombuffer(ev.stated, dtype=np.int32)[k].tolist()),
            "start": np.frombuffer(ev.start, dtype=np.int32)[k].tolist(),
            "end": np.frombuffer(ev.end, dtype=np.int32)[k].tolist()}


def summaries(index: LineageIndex, nodes: list[int]) -> list[dict[str, Any]]:
    """`summary` of many documents, each column gathered at once (a full list has tens of thousands)."""
    g = index.nodes.gather
    rows = zip(g("key", nodes), g("iri", nodes), g("symbol", nodes), g("kind", nodes),
               [index.nodes.years[n] for n in nodes], g("date", nodes), g("title", nodes), g("issuer", nodes),
               [index.nodes.ingested[n] for n in nodes], strict=True)
    return [{"key": k, "iri": i, "symbol": s or None, "kind": kd or None, "year": y or None, "date": dt or None,
             "title": t or None, "issuer": iss or None, "ingested": bool(own)}
            for k, i, s, kd, y, dt, t, iss, own in rows]


def parse_cursor(cursor: str | None) -> int:
    """A page cursor (an offset as ASCII digits, at most 18 of them) or QueryError."""
    if not cursor:
        return 0
    if not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 18):
        raise QueryError(f"bad cursor {cursor[:40]!r}: pass the next_cursor of the previous page")
    return int(cursor)


def edge_evidence(
    index: LineageIndex, edges: list[tuple[int, int, str]]
) -> dict[tuple[int, int, str], list[dict[str, Any]]]:
    """Quotes for a set of edges, from the index's own quotes (one slice per edge, no store reads)."""
    keys = index.nodes.columns["key"]
    return {(a, b, rel): [{"quote": q.text, "stated_in": keys[q.stated_in], "start": q.start, "end": q.end}
                          for q in index.quotes(a, b, REL_ID[rel])]
            for a, b, rel in set(edges)}


SOURCES_LISTED = 20  # sources named per claim (all are counted), as in the conflicts graph
CITATIONS_LISTED = 100  # citations listed each way by default


def details(store: Store, index: LineageIndex, key: str, limit: int = CITATIONS_LISTED,
            with_claims: bool = True) -> dict[str, Any]:
    """Everything known of one document: each claim with its sources, conflicts, citations out and in.
    Bounded for a landmark resolution cited by 40,000 documents: each claim counts its sources and
    names the first SOURCES_LISTED, and each direction lists `limit` citations with the total (the
    lineage routes page through the rest)."""
    n = find(index, key)
    claims = claims_of(store, index, index.nodes[n].iri) if with_claims else {}
    conflicts = [{"property": prop, "values": values} for prop, values in claims.items()
                 if len(values) > 1 and prop in ("date",)]
    shown_out = [(n, b, RELATIONS[r]) for b, r in index.out.row(n, limit)]
    shown_in = [(a, n, RELATIONS[r]) for a, r in index.inc.row(n, limit)]  # (a landmark has 40,000)
    evidence = edge_evidence(index, shown_out + shown_in)
    return summary(index, n) | {
        "claims": claims,
        "conflicts": conflicts,
        "cites": [{"document": summary(index, b), "relation": rel, "evidence": evidence.get((a, b, rel), [])}
                  for a, b, rel in shown_out],
        "cites_total": index.out.degree(n),
        "cited_by": [{"document": summary(index, a), "relation": rel, "evidence": evidence.get((a, b, rel), [])}
                     for a, b, rel in shown_in],
        "cited_by_total": index.inc.degree(n),
    }


def claims_of(store: Store, index: LineageIndex, iri: str, prop: str | None = None,
              listed: int = SOURCES_LISTED) -> dict[str, list[dict[str, Any]]]:
    """Every value the sources give a document (each property, or one), with how many sources give it
    and the first `listed` of them. Counting happens in the store (no source IRI is decoded); only the
    named sources are read."""
    only = f"VALUES ?p {{ vb:{prop} }} " if prop else ""
    derived = (f"<{store.iris.conflicts_graph}>, <{store.iris.validity_graph}>, "  # (a join on vb:describes
               f"<{store.meta_graph}>")  # costs 10×)
    claims: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for sol in store.query(f"SELECT ?p ?v (COUNT(DISTINCT ?g) AS ?n) WHERE {{ {only}GRAPH ?g {{ <{iri}> ?p ?v }} "
                           f"FILTER(isLiteral(?v) && ?g NOT IN ({derived})) }} GROUP BY ?p ?v ORDER BY ?p ?v"):
        p, v = sol["p"], sol["v"]
        named = []
        for row in store.rows(f"SELECT ?src WHERE {{ GRAPH ?g {{ <{iri}> <{p.value}> {v} }} ?g vb:describes ?src }} "
                              f"LIMIT {listed}"):
            src = index.ids.get(row["src"])
            named.append(index.nodes.columns["key"][src] if src is not None else row["src"])
        claims[p.value.rsplit("#", 1)[-1]].append({"value": v.value, "source_count": int(sol["n"].value),
                                                  "sources": sorted(named)})
    return dict(claims)


def date_claims(store: Store, index: LineageIndex, iri: str) -> list[dict[str, Any]]:
    """Every date the sources give a document, each with its sources (counted, the first few named)."""
    return claims_of(store, index, iri, "date").get("date", [])


def resolve(index: LineageIndex, ref: str, store: Store | None = None) -> list[dict[str, Any]]:
    """Read a free-text reference with the extractor's grammar; every candidate when ambiguous (with the
    dates its sources give, when a store is passed: two dates are a conflict)."""
    vocab = load()
    out: list[dict[str, Any]] = []
    for c in references(ref, vocab):
        found: list[int] = []
        sym = parse_symbol(c.symbol, vocab) if c.symbol else None
        if sym is not None:
            probe = key_for(sym.issuer, c.kind or sym.kind, sym.number, c.year, None, vocab)
            assert probe is not None
            tail = (probe.kind, probe.number)
            for n in index.numbered(probe.number):
                node = index.nodes[n]
                if node.symbol and parse_symbol(node.symbol, vocab) and _same_series(node, sym, tail, probe.year):
                    found.append(n)
        elif c.title:
            nk = named_key(c.title, c.year).text
            found = index.prefixed(nk.rsplit("-", 1)[0])
        elif c.number:
            found = [n for n in index.numbered(c.number) if (index.nodes[n].kind or "") == (c.kind or "")]
        candidates = []
        for n in found:
            cand = summary(index, n)
            if store is not None:
                dates = date_claims(store, index, index.nodes[n].iri)
                cand["dates"] = dates
                cand["date_conflict"] = len(dates) > 1
            candidates.append(cand)
        out.append({
            "reference": {"symbol": c.symbol, "kind": c.kind, "number": c.number, "year": c.year, "date": c.date,
                          "title": c.title},
            "candidates": candidates,
            "ambiguous": len(found) > 1,
        })
    return out


def _same_series(node: Node, sym: Any, tail: tuple[str, str], year: str) -> bool:
    parts = node.key.split("-")
    if len(parts) < 4:
        return False
    if parts[-1] != tail[1] or tail[0] not in parts:
        return False
    if node.symbol is None:
        return False
    other = parse_symbol(node.symbol, load())
    if other is None or other.issuer is None or sym.issuer is None:
        return False
    if other.issuer.casefold() != sym.issuer.casefold():
        return False
    return year == "_" or str(node.year) == year


def conflicts(store: Store, index: LineageIndex) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for row in store.rows(
        "SELECT DISTINCT ?d ?p ?v ?src ?count WHERE { ?c a vb:Conflict ; vb:about ?d ; vb:onProperty ?p ; "
        "vb:claim ?cl . ?cl vb:value ?v ; vb:claimedBy ?src ; vb:sourceCount ?count } ORDER BY ?d ?v ?src"
    ):
        n = index.ids.get(row["d"])
        if n is None:
            continue
        entry = found.setdefault(row["d"], {"document": summary(index, n),
                                            "property": row["p"].rsplit("#", 1)[-1], "claims": {}})
        claim = entry["claims"].setdefault(row["v"], {"value": row["v"], "source_count": int(row["count"]),
                                                      "sources": []})
        src = index.ids.get(row["src"])
        claim["sources"].append(index.nodes[src].key if src is not None else row["src"])
    return [e | {"claims": list(e["claims"].values())} for e in found.values()]


def stats(store: Store, index: LineageIndex, quads: bool = True) -> dict[str, Any]:
    """Counts from the index's arrays (no Node per document) and the store's own indexes; `quads`
    counts every quad of the store too (a scan: 21 s at 80M quads; the home page leaves it out)."""
    by_relation = {RELATIONS[r]: n for r, n in Counter(index.out.rel).items()}
    return {
        "documents": len(index.nodes),
        "ingested": sum(index.nodes.ingested),
        "sources": store.count("GRAPH ?x { ?x vb:describes ?d }"),
        "links": sum(by_relation.values()),
        "by_relation": dict(sorted(by_relation.items())),
        "conflicts": store.count("?x a vb:Conflict"),
        "unresolved_references": store.count("?x a vb:UnresolvedReference"),
    } | ({"quads": len(store)} if quads else {})


def path_between(index: LineageIndex, from_key: str, to_key: str, relations: list[str] | None = None) -> dict[str, Any]:
    """The chain between two documents, either way round: acting relations (implements, based on…) first,
    passing citations only where there is no other chain."""
    a, b = find(index, from_key), find(index, to_key)
    tries = ([relation_set(relations, RELATIONS)] if relations else
             [relation_set(None, tuple(r for r in RELATIONS if r != "cites")), relation_set(None, RELATIONS)])
    for rels in tries:
        for x, y, reverse in ((a, b, False), (b, a, True)):
            chain = index.path(x, y, rels)
            if chain is not None:
                evidence = edge_evidence(index, chain)
                return {"from": from_key, "to": to_key, "reversed": reverse, "steps": [
                    {"from": summary(index, s), "to": summary(index, t), "relation": rel,
                     "evidence": evidence.get((s, t, rel), [])} for s, t, rel in chain]}
    raise UnknownDocument(f"no chain of relations between {from_key} and {to_key}")


def most_cited(index: LineageIndex, relations: tuple[str, ...] = DEFAULT_DOWN, n: int = 10) -> list[dict[str, Any]]:
    """The documents with the most direct implementers (by these relations), most first."""
    wanted = {REL_ID[r] for r in relations}
    counts = Counter(b for b, r in zip(index.out.dst, index.out.rel, strict=True) if r in wanted)
    return [summary(index, node) | {"implementers": c}
            for node, c in heapq.nsmallest(n, counts.items(), key=lambda kv: (-kv[1], kv[0]))]
