"""A document's lineage as a diagram and as rows: what it rests on (upward) and what implements it
(downward), multi-hop, each edge with the sentences that state it.

A lineage too large to draw (a landmark resolution has 40,000 implementers) starts collapsed: the
documents of one direction, depth and province (or issuer, where the document has no province) become
one group node with a count, and a group named in `expand` is drawn document by document.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from .documents import DEFAULT_DOWN, DEFAULT_UP, edge_evidence, find, relation_set
from .lineage import LineageIndex, Step

DRAWN = 150  # documents drawn one by one before a direction is grouped
GROUP_DRAWN = 200  # documents of one expanded group drawn one by one (the rest stay a group)
TABLE_ROWS = 500  # rows of the accessible table shown on the page (the CSV has them all)


def place(index: LineageIndex, n: int) -> str:
    """The province of a document, or its issuer code where it has none (a central organ), or '?'."""
    c = index.nodes.columns
    province, issuer = c["scope"][n], c["issuer_code"][n]
    return province or issuer.upper() or "?"


def node_data(index: LineageIndex, n: int) -> dict[str, Any]:
    c = index.nodes.columns
    province, issuer = c["scope"][n], c["issuer_code"][n]
    symbol, title = c["symbol"][n], c["title"][n]
    return {"id": c["key"][n], "label": symbol or (title[:40] + ("…" if len(title) > 40 else "")) or c["key"][n],
            "symbol": symbol or None, "kind": c["kind"][n] or None, "date": c["date"][n] or None,
            "title": title or None, "issuer": c["issuer"][n] or issuer.upper() or None,
            "province": province or None, "ingested": bool(index.nodes.ingested[n])}


def diagram(index: LineageIndex, key: str, expand: frozenset[str] = frozenset(), depth: int = 10,
            drawn: int = DRAWN) -> dict[str, Any]:
    """Nodes and edges for the diagram (cytoscape's element shape), with every shown edge's quotes."""
    root = find(index, key)
    keys = index.nodes.columns["key"]
    nodes: dict[str, dict[str, Any]] = {keys[root]: node_data(index, root) | {"root": True, "depth": 0}}
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    totals = {}
    for upward in (True, False):
        found = [s for s in index.walk(root, _relations(upward), depth, upward) if s.node != root]
        totals["up" if upward else "down"] = len(found)
        display = _place_nodes(index, root, found, upward, expand if len(found) > drawn else None, nodes)
        _add_edges(found, display, edges)
    _add_quotes(index, edges)
    return {"root": keys[root], "totals": totals, "nodes": list(nodes.values()), "edges": list(edges.values())}


def _relations(upward: bool) -> frozenset[int]:
    return relation_set(None, DEFAULT_UP if upward else DEFAULT_DOWN)


def _place_nodes(index: LineageIndex, root: int, found: list[Step], upward: bool, expand: frozenset[str] | None,
                 nodes: dict[str, dict[str, Any]]) -> dict[int, str]:
    """Each reached document drawn as itself, or (`expand` not None: the lineage is too large) counted in
    its group unless the group is expanded. Returns the node each document is drawn as."""
    keys = index.nodes.columns["key"]
    direction = "up" if upward else "down"
    display: dict[int, str] = {root: keys[root]}
    shown_in: dict[str, int] = {}
    for step in found:
        if expand is not None:
            where = place(index, step.node)
            gid = f"g:{direction}:{step.depth}:{where}"
            if gid not in expand or shown_in.get(gid, 0) >= GROUP_DRAWN:
                group = nodes.get(gid)
                if group is None:
                    group = nodes[gid] = {"id": gid, "group": True, "count": 0, "depth": step.depth, "place": where,
                                          "direction": direction, "expanded": gid in expand}
                group["count"] += 1
                display[step.node] = gid
                continue
            shown_in[gid] = shown_in.get(gid, 0) + 1
        nodes[keys[step.node]] = node_data(index, step.node) | {"depth": -step.depth if upward else step.depth}
        display[step.node] = keys[step.node]
    for g in nodes.values():
        if g.get("group"):
            g["label"] = f"{g['place']} · {g['count']}"
    return display


def _add_edges(found: list[Step], display: dict[int, str], edges: dict[tuple[str, str, str], dict[str, Any]]) -> None:
    """The edges that bring each document in, between the nodes they are drawn as (counted when several
    documents share a group)."""
    for step in found:
        for a, b, rel in step.edges:
            src, dst = display.get(a), display.get(b)
            if src is None or dst is None:
                continue
            edge = edges.get((src, dst, rel))
            if edge is None:
                edge = edges[(src, dst, rel)] = {"id": f"{src}>{rel}>{dst}", "source": src, "target": dst,
                                                 "relation": rel, "count": 0, "between": (a, b)}
            edge["count"] += 1


def _add_quotes(index: LineageIndex, edges: dict[tuple[str, str, str], dict[str, Any]]) -> None:
    """The quotes of every edge between two documents drawn as themselves (a group's edges have none)."""
    shown = [(e["between"], e["relation"]) for e in edges.values()
             if not (e["source"].startswith("g:") or e["target"].startswith("g:"))]
    quotes = edge_evidence(index, [(a, b, rel) for (a, b), rel in shown])
    for e in edges.values():
        a, b = e.pop("between")
        if not (e["source"].startswith("g:") or e["target"].startswith("g:")):
            e["quotes"] = quotes.get((a, b, e["relation"]), [])


def lineage_size(index: LineageIndex, key: str, upward: bool, depth: int = 10) -> int:
    """How many documents a walk reaches: the whole walk's length (array arithmetic, and kept: the next
    page of the same lineage reads it)."""
    root = find(index, key)
    order = index.whole(root, _relations(upward), depth, upward)
    return int((order.nodes != root).sum())


def table(index: LineageIndex, key: str, upward: bool, depth: int = 10) -> Iterator[dict[str, Any]]:
    """The lineage as rows (depth, symbol, kind, date, issuer, province, relation), walk order."""
    root = find(index, key)
    keys = index.nodes.columns["key"]
    for step in index.walk(root, _relations(upward), depth, upward):
        if step.node == root:
            continue
        other = sorted({keys[b] if a == step.node else keys[a] for a, b, _ in step.edges})
        yield node_data(index, step.node) | {"depth": step.depth, "via": ", ".join(other),
                                             "relation": ", ".join(sorted({e[2] for e in step.edges}))}


def table_page(index: LineageIndex, key: str, upward: bool, rows: int = TABLE_ROWS) -> list[dict[str, Any]]:
    return list(islice(table(index, key, upward), rows))


CSV_COLUMNS = ("depth", "key", "symbol", "kind", "date", "issuer", "province", "relation", "via", "title")
