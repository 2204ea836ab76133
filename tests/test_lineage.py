"""The lineage package's walks: the whole walk, computed with array arithmetic, is the lazy walk in the
same order with the same edges, for any graph, relations, depth and direction; pages read from either
join up; the numeric columns agree with the strings they come from."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.documents import lineage_page
from graph.lineage import NO_DAY, RELATIONS, LineageIndex, Node
from graph.places import LEVELS, registry

B = "https://w3id.org/vanban/doc/"


def _index(size: int, edges: list[tuple[int, int, int]]) -> LineageIndex:
    nodes = [Node(B + f"lai-chau/tu/kh/2022/{n}", f"lai-chau-tu-kh-2022-{n}", f"{n}-KH/TU") for n in range(size)]
    return LineageIndex.from_parts(nodes, sorted(set(edges)), "s")


graphs = st.integers(2, 40).flatmap(lambda size: st.tuples(
    st.just(size),
    st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1), st.integers(0, len(RELATIONS) - 1)),
             max_size=120)))


@settings(max_examples=300, deadline=None)
@given(graphs, st.frozensets(st.integers(0, len(RELATIONS) - 1), min_size=1), st.integers(1, 6), st.booleans(),
       st.data())
def test_the_whole_walk_is_the_lazy_walk(graph: tuple[int, list[tuple[int, int, int]]], rels: frozenset[int],
                                         depth: int, upward: bool, data: st.DataObject) -> None:
    size, edges = graph
    idx = _index(size, edges)
    start = data.draw(st.integers(0, size - 1))
    lazy = list(idx.walk(start, rels, depth, upward))
    whole = list(idx.whole(start, rels, depth, upward).steps(0, upward))
    assert whole == lazy


def test_pages_join_up_whichever_way_they_are_read() -> None:
    """A lineage read 7 at a time (first page lazy, the rest from the whole walk) is the one-page lineage."""
    edges = [(n, n // 3, 1) for n in range(1, 200)] + [(n, n // 5, 0) for n in range(1, 200)]
    idx = _index(200, edges)
    rels = frozenset({0, 1})
    whole = lineage_page(idx, "lai-chau-tu-kh-2022-0", upward=False, relations=rels, depth=50, limit=5000,
                         cursor=None)
    got, cursor = [], None
    while True:
        page = lineage_page(idx, "lai-chau-tu-kh-2022-0", upward=False, relations=rels, depth=50, limit=7,
                            cursor=cursor)
        got += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    assert got == whole.items and len(got) == 199
    assert all(e["evidence"] == [] for item in got for e in item["edges"])


def test_numeric_columns_follow_the_strings() -> None:
    nodes = [Node(B + "ha-giang/tu/ctr/2021/3", "ha-giang-tu-ctr-2021-3", date="2021-08-01"),
             Node(B + "tw/nq/2021/02", "tw-nq-2021-02", date="2021-06-12"),
             Node(B + "lai-chau/xyz/kh/2022/1", "lai-chau-xyz-kh-2022-1", date="không rõ"),
             Node(B + "name/luat-cong-doan/2024", "name-luat-cong-doan-2024")]
    t = LineageIndex.from_parts(nodes, [], "s").nodes
    by_key = {t.columns["key"][n]: n for n in range(len(t))}
    names = registry().names
    a, b, c, d = (by_key[k] for k in ("ha-giang-tu-ctr-2021-3", "tw-nq-2021-02", "lai-chau-xyz-kh-2022-1",
                                      "name-luat-cong-doan-2024"))
    assert names[t.province[a]] == "Tuyên Quang" and t.province[b] == -1 and names[t.province[c]] == "Lai Châu"
    assert t.day[a] == (date(2021, 8, 1) - date(1970, 1, 1)).days and t.day[c] == NO_DAY == t.day[d]
    assert [LEVELS[t.level[n]] for n in (a, b, c, d)] == ["province", "central", "province", "unknown"]
    assert t.gather("number", [a, b, d]) == ["3", "02", "2024"] and t.gather("scope", [a, c]) == ["ha-giang",
                                                                                                 "lai-chau"]


def test_the_columns_shape_is_the_rows_shape_turned() -> None:
    """format=columns holds what the rows hold, row for row, quotes included."""
    from graph.documents import lineage_columns
    from graph.lineage import REL_ID

    edges = [(n, n // 3, REL_ID["implements"]) for n in range(1, 120)] + [(n, n // 4, REL_ID["guides"])
                                                                         for n in range(1, 120)]
    nodes = [Node(B + f"lai-chau/tu/kh/2022/{n}", f"lai-chau-tu-kh-2022-{n}", f"{n}-KH/TU", "KH", 2022,
                  "2022-05-0" + str(1 + n % 9)) for n in range(120)]
    found = {(a, b, r): [(a, 3, 9, f"Thực hiện {b}-KH/TU ({r})".encode())] for a, b, r in edges}
    idx = LineageIndex.from_parts(nodes, edges, "s", found)
    rels = frozenset({REL_ID["implements"], REL_ID["guides"]})
    for upward, key in ((False, "lai-chau-tu-kh-2022-0"), (True, "lai-chau-tu-kh-2022-119")):
        rows = lineage_page(idx, key, upward=upward, relations=rels, depth=20, limit=50, cursor="7").items
        got = lineage_columns(idx, key, upward=upward, relations=rels, depth=20, limit=50, cursor="7")
        c = got["columns"]
        assert got["rows"] == len(rows) > 0
        for i, row in enumerate(rows):
            assert {k: c[k][i] for k in ("key", "iri", "symbol", "kind", "year", "date", "ingested", "depth")} == {
                k: row[k] for k in ("key", "iri", "symbol", "kind", "year", "date", "ingested", "depth")}
            assert sorted(c["relations"][i]) == sorted(e["relation"] for e in row["edges"])
            other = {e["to"] if not upward else e["from"] for e in row["edges"]}
            assert other == {c["via"][i]}
            ev = got["evidence"]
            mine = [k for k, r in enumerate(ev["row"]) if r == i]
            assert sorted((ev["quote"][k], ev["stated_in"][k], ev["relation"][k]) for k in mine) == sorted(
                (q["quote"], q["stated_in"], e["relation"]) for e in row["edges"] for q in e["evidence"])
