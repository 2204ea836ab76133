"""A document's lineage as a diagram and as rows: what it rests on (upward) and what implements it
(downward), multi-hop, each edge with the sentences that state it.

A lineage too large to draw (a landmark resolution has 40,000 implementers) starts collapsed: the
documents of one direction, depth and province (or issuer, where the document has no province) become
one group node with a count, and a group named in `expand` is drawn document by document.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from .documents import DEFAULT_DOWN, DEFAULT_UP, edge_evidence, find, relation_set
from .lineage import LineageIndex
from .search import scope_of

DRAWN = 150  # documents drawn one by one before a direction is grouped
GROUP_DRAWN = 200  # documents of one expanded group drawn one by one (the rest stay a group)
TABLE_ROWS = 500  # rows of the accessible table shown on the page (the CSV has them all)


@dataclass(frozen=True)
class Reached:
    """One document a walk reached: its direction, depth and the edges that bring it in."""

    node: int
    depth: int
    upward: bool
    edges: tuple[tuple[int, int, str], ...]


def reached(index: LineageIndex, root: int, upward: bool, depth: int = 10) -> Iterator[Reached]:
    rels = relation_set(None, DEFAULT_UP if upward else DEFAULT_DOWN)
    for step in index.walk(root, rels, depth, upward):
        if step.node != root:
            yield Reached(step.node, step.depth, upward, tuple(step.edges))


def place(index: LineageIndex, n: int) -> str:
    """The province of a document, or its issuer code where it has none (a central organ), or '?'."""
    province, issuer = scope_of(index.nodes.columns["iri"][n])
    return province or issuer.upper() or "?"


def group_id(r: Reached, index: LineageIndex) -> str:
    return f"g:{'up' if r.upward else 'down'}:{r.depth}:{place(index, r.node)}"


def node_data(index: LineageIndex, n: int) -> dict[str, Any]:
    c = index.nodes.columns
    province, issuer = scope_of(c["iri"][n])
    symbol, title = c["symbol"][n], c["title"][n]
    return {"id": c["key"][n], "label": symbol or (title[:40] + ("…" if len(title) > 40 else "")) or c["key"][n],
            "symbol": symbol or None, "kind": c["kind"][n] or None, "date": c["date"][n] or None,
            "title": title or None, "issuer": c["issuer"][n] or issuer.upper() or None,
            "province": province or None, "ingested": bool(index.nodes.ingested[n])}


def diagram(index: LineageIndex, key: str, expand: frozenset[str] = frozenset(), depth: int = 10,
            drawn: int = DRAWN) -> dict[str, Any]:
    """Nodes and edges for the diagram (cytoscape's element shape), with every edge's quotes."""
    root = find(index, key)
    keys = index.nodes.columns["key"]
    nodes: dict[str, dict[str, Any]] = {keys[root]: node_data(index, root) | {"root": True, "depth": 0}}
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    shown_edges: list[tuple[int, int, str]] = []
    totals = {}
    for upward in (True, False):
        found = list(reached(index, root, upward, depth))
        totals["up" if upward else "down"] = len(found)
        grouped = len(found) > drawn
        shown_in: dict[str, int] = {}
        display: dict[int, str] = {root: keys[root]}
        for r in found:
            gid = group_id(r, index)
            if grouped and (gid not in expand or shown_in.get(gid, 0) >= GROUP_DRAWN):
                group = nodes.setdefault(gid, {"id": gid, "group": True, "count": 0, "depth": r.depth,
                                               "place": place(index, r.node), "direction": "up" if upward else "down",
                                               "expanded": gid in expand})
                group["count"] += 1
                display[r.node] = gid
                continue
            shown_in[gid] = shown_in.get(gid, 0) + 1
            nodes[keys[r.node]] = node_data(index, r.node) | {"depth": r.depth if not upward else -r.depth}
            display[r.node] = keys[r.node]
        for r in found:
            for a, b, rel in r.edges:
                if a not in display or b not in display:
                    continue
                src, dst = display[a], display[b]
                edge = edges.setdefault((src, dst, rel), {"id": f"{src}>{rel}>{dst}", "source": src, "target": dst,
                                                          "relation": rel, "count": 0})
                edge["count"] += 1
                if not (src.startswith("g:") or dst.startswith("g:")):
                    shown_edges.append((a, b, rel))
    quotes = edge_evidence(index, shown_edges)
    for a, b, rel in set(shown_edges):
        edges[(keys[a], keys[b], rel)]["quotes"] = quotes.get((a, b, rel), [])
    for gid, g in nodes.items():
        if g.get("group"):
            g["label"] = f"{g['place']} · {g['count']}"
        del gid
    return {"root": keys[root], "totals": totals, "nodes": list(nodes.values()), "edges": list(edges.values())}


def table(index: LineageIndex, key: str, upward: bool, depth: int = 10) -> Iterator[dict[str, Any]]:
    """The lineage as rows (depth, symbol, kind, date, issuer, province, relation), walk order."""
    root = find(index, key)
    keys = index.nodes.columns["key"]
    for r in reached(index, root, upward, depth):
        other = sorted({keys[b] if a == r.node else keys[a] for a, b, _ in r.edges})
        yield node_data(index, r.node) | {"depth": r.depth, "relation": ", ".join(sorted({e[2] for e in r.edges})),
                                          "via": ", ".join(other)}


def table_page(index: LineageIndex, key: str, upward: bool, rows: int = TABLE_ROWS) -> list[dict[str, Any]]:
    return list(islice(table(index, key, upward), rows))


CSV_COLUMNS = ("depth", "key", "symbol", "kind", "date", "issuer", "province", "relation", "via", "title")
