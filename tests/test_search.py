"""The search index: accent- and spelling-insensitive, facets, ranking, kept in step with the lineage index."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.lineage import LineageIndex, Node
from graph.places import scope_of
from graph.search import Query, SearchIndex, fold, query_words
from graph.vocab import load

B = "https://w3id.org/vanban/doc/"
NODES = [
    Node(B + "tw/nq/2024/57", "tw-nq-2024-57", "57-NQ/TW", "NQ", 2024, "2024-12-22",
         "đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia", "Bộ Chính trị", True),
    Node(B + "tw/nq/2021/02", "tw-nq-2021-02", "02-NQ/TW", "NQ", 2021, "2021-06-12",
         "đổi mới tổ chức và hoạt động của Công đoàn Việt Nam trong tình hình mới", "Bộ Chính trị"),
    Node(B + "lai-chau/tu/ctr/2021/12", "lai-chau-tu-ctr-2021-12", "12-CTr/TU", "CTr", 2021, "2021-09-28", None,
         "Ban Thường vụ Tỉnh ủy"),
    Node(B + "lai-chau/dd/cv/2023/98", "lai-chau-dd-cv-2023-98", "98-CV/ĐĐ", "CV", 2023, "2023-02-27",
         "quan tâm lãnh đạo, chỉ đạo hoạt động của tổ chức Công đoàn", "Đảng đoàn Liên đoàn Lao động tỉnh", True),
    Node(B + "tw/qd/2025/366", "tw-qd-2025-366", "366-QĐ/TW", "QĐ", 2025, None, "về công tác kiểm tra", None),
    Node(B + "btc/tt/2007/57", "btc-tt-2007-57", "57/2007/TT-BTC", "TT", 2007, None, None, "Bộ Tài chính"),
    Node(B + "name/bo-luat-lao-dong/2019", "name-bo-luat-lao-dong-2019", None, "BL", 2019, None,
         "Bộ luật Lao động năm 2019", None),
    Node(B + "ha-noi/tu/kh/2022/05", "ha-noi-tu-kh-2022-05", "05-KH/TU", "KH", 2022, "2022-01-05", None, None),
]


def index_of(nodes: list[Node], stamp: str = "s1") -> LineageIndex:
    return LineageIndex.from_parts(nodes, [], stamp)


@pytest.fixture(scope="module")
def found() -> SearchIndex:
    s = SearchIndex(None)
    s.sync(index_of(NODES))
    return s


def keys(s: SearchIndex, q: Query, limit: int = 20) -> list[str]:
    return [i.split("/doc/", 1)[1] for i in s.search(q, limit).iris]


@pytest.mark.parametrize(("q", "first"), [
    ("nghi quyet 57", "tw/nq/2024/57"),                 # no accents, kind name and number
    ("Nghị quyết 57", "tw/nq/2024/57"),
    ("57/NQ-TW", "tw/nq/2024/57"),                       # the symbol typed the wrong way round
    ("57 nq tw", "tw/nq/2024/57"),
    ("57-nq/tw", "tw/nq/2024/57"),
    ("Nghị quyết số 02-NQ/TW", "tw/nq/2021/02"),         # `số` is a stop word (data/vocab/search.toml)
    ("nghi quyet 2", "tw/nq/2021/02"),                   # leading zeros do not count
    ("12-CTr/TU", "lai-chau/tu/ctr/2021/12"),
    ("chuong trinh 12 lai chau", "lai-chau/tu/ctr/2021/12"),  # the province, from the document's scope
    ("98/CV-DD", "lai-chau/dd/cv/2023/98"),               # đ typed as d
    ("98 cv đđ", "lai-chau/dd/cv/2023/98"),
    ("quy dinh 366", "tw/qd/2025/366"),                  # QĐ is Quy định as well as Quyết định
    ("quyết định 366", "tw/qd/2025/366"),
    ("bo luat lao dong", "name/bo-luat-lao-dong/2019"),  # a document known only by name
    ("cong doan", "lai-chau/dd/cv/2023/98"),             # words of the subject; the ingested one first
    ("57/2007/TT-BTC", "btc/tt/2007/57"),
])
def test_query_finds(found: SearchIndex, q: str, first: str) -> None:
    assert keys(found, Query(q))[:1] == [first]


def test_own_number_first_and_no_false_hits(found: SearchIndex) -> None:
    got = keys(found, Query("57"))
    assert set(got) == {"tw/nq/2024/57", "btc/tt/2007/57"}
    assert keys(found, Query("nghi quyet 999")) == []
    assert keys(found, Query("")) and keys(found, Query("", kind="NQ")) == ["tw/nq/2024/57", "tw/nq/2021/02"]


def test_prefix_search_as_you_type(found: SearchIndex) -> None:
    assert keys(found, Query("nghi quy", prefix=True))[:2] == ["tw/nq/2024/57", "tw/nq/2021/02"]
    assert keys(found, Query("nghi quy")) == []  # a finished word is a whole word
    assert "lai-chau/dd/cv/2023/98" in keys(found, Query("cong do", prefix=True))


def test_facets_and_filters(found: SearchIndex) -> None:
    hits = found.search(Query(""), 3, facets=True)
    assert hits.total == len(NODES) and len(hits.iris) == 3  # (an exact count: tantivy counts every match)
    assert dict(hits.facets["kind"])["NQ"] == 2
    assert dict(hits.facets["province"]) == {"lai-chau": 2, "ha-noi": 1}
    assert dict(hits.facets["issuer"])["TW"] == 3
    assert dict(hits.facets["year"])["2021"] == 2
    assert keys(found, Query("", province="lai-chau", year=2021)) == ["lai-chau/tu/ctr/2021/12"]
    assert set(keys(found, Query("", issuer="tu"))) == {"lai-chau/tu/ctr/2021/12", "ha-noi/tu/kh/2022/05"}
    page2 = found.search(Query(""), 3, offset=3)
    assert not set(page2.iris) & set(hits.iris)


def test_sync_follows_additions_changes_and_removals(tmp_path: Path) -> None:
    s = SearchIndex(tmp_path / "search")
    assert s.sync(index_of(NODES, "a")) == len(NODES) and s.sync(index_of(NODES, "a")) == 0
    changed = [*NODES[1:], Node(B + "tw/kl/2025/99", "tw-kl-2025-99", "99-KL/TW", "KL", 2025)]
    changed[0] = Node(**{**changed[0].__dict__, "title": "tiêu đề mới về thanh niên"})
    assert s.sync(index_of(changed, "b")) == 3  # one gone, one changed, one new
    assert keys(s, Query("57 nq tw")) == []
    assert keys(s, Query("ket luan 99")) == ["tw/kl/2025/99"]
    assert keys(s, Query("thanh nien")) == ["tw/nq/2021/02"]
    again = SearchIndex(tmp_path / "search")  # persisted, with its stamp
    assert again.stamp == "b" and keys(again, Query("99-KL/TW")) == ["tw/kl/2025/99"]


def test_sync_matches_a_rebuild_on_a_real_store(seed_store: object) -> None:
    idx = LineageIndex.build(seed_store)  # type: ignore[arg-type]
    s = SearchIndex(None)
    s.sync(index_of(NODES[:3], "x"))
    s.sync(idx)
    fresh = SearchIndex(None)
    fresh.sync(idx)
    for q in ("02-NQ/TW", "cong doan", "", "lai chau", "12 ctr tu"):
        a, b = s.search(Query(q), 50), fresh.search(Query(q), 50)
        assert sorted(a.iris) == sorted(b.iris) and a.total == b.total
        ingested = [bool(idx.nodes.ingested[idx.ids[i]]) for i in a.iris]
        assert ingested == sorted(ingested, reverse=True)  # ingested documents first


@pytest.mark.parametrize(("word", "example"), load().search_stops)
def test_stop_word_examples(word: str, example: str) -> None:
    """Each stop word's example: the query finds the document of the symbol after the arrow."""
    query, found = (x.strip() for x in example.split("→"))
    symbol, _, subject = (x.strip() for x in found.partition(":"))
    assert fold(word)[0] not in query_words(query)
    m = re.match(r"(\d+)-(\w+)/(\w+)", symbol)
    assert m
    s = SearchIndex(None)
    number, kind, org = m.groups()
    s.sync(index_of([Node(B + f"x/{org.lower()}/{kind.lower()}/2021/{number}", f"k-{number}", symbol, kind, 2021,
                          title=subject or None),
                     Node(B + "x/y/z/2021/1", "k-other", "1-BC/TW", "BC", 2021)]))
    assert keys(s, Query(query)) == [f"x/{org.lower()}/{kind.lower()}/2021/{number}"]


def test_scope_of() -> None:
    assert scope_of(B + "lai-chau/tu/ctr/2021/12") == ("lai-chau", "tu")
    assert scope_of(B + "tw/nq/2021/02") == ("", "tw")
    assert scope_of(B + "_/tu/kh/2021/3") == ("", "tu")
    assert scope_of(B + "name/luat-x/2019") == ("", "")


SYMBOL = st.tuples(st.integers(1, 9999), st.sampled_from(["NQ", "CT", "KL", "QĐ", "CTr", "KH", "CV", "HD"]),
                   st.sampled_from(["TW", "TU", "HU", "ĐĐ", "BTGTW", "LĐLĐ"]))


@settings(max_examples=60, deadline=None)
@given(SYMBOL, st.sampled_from(["{n}-{k}/{o}", "{n}/{k}-{o}", "{n} {k} {o}", "{n:04d}-{k}/{o}", "số {n}-{k}/{o}"]),
       st.booleans())
def test_a_symbol_typed_any_way_finds_it(sym: tuple[int, str, str], shape: str, lower: bool) -> None:
    n, k, o = sym
    iri = B + f"x/{o.lower()}/{k.lower()}/2021/{n}"
    s = SearchIndex(None)
    s.sync(index_of([Node(iri, f"k-{n}", f"{n}-{k}/{o}", k, 2021),
                     Node(B + "x/other/bc/2021/77777", "k-77777", "77777-BC/XX", "BC", 2021)]))
    typed = shape.format(n=n, k=k, o=o)
    assert s.search(Query(typed.lower() if lower else typed), 5).iris[:1] == [iri]


def test_an_absurd_offset_is_an_empty_page_not_a_crash(found: SearchIndex) -> None:
    """tantivy allocates offset + limit slots (and aborts the process on an absurd one): an offset past
    the matches is never asked of it."""
    assert found.search(Query("nghi quyet"), 100_000, 10**17).iris == []
    assert found.search(Query(""), 5, 10**17).total == len(NODES)
    assert found.search(Query("57"), 1, 1).iris  # the second of two own-number matches


def test_a_sync_cut_short_or_an_index_of_another_version_is_rebuilt(tmp_path: Path) -> None:
    """The index is derived data: without its record of what it holds (a sync killed after tantivy's
    commit) it starts again from nothing rather than hold a row twice; files it cannot read are replaced."""
    path = tmp_path / "search"
    SearchIndex(path).sync(index_of(NODES, "a"))
    (path / "rows.bin").unlink()
    (path / "state.json").unlink()
    again = SearchIndex(path)
    assert again.sync(index_of(NODES, "a")) == len(NODES)
    assert again.search(Query(""), 100).total == len(NODES)
    for f in path.glob("meta.json"):
        f.write_text('{"not": "tantivy"}', encoding="utf-8")
    rebuilt = SearchIndex(path)
    rebuilt.sync(index_of(NODES, "b"))
    assert rebuilt.search(Query("57 nq tw"), 5).total == 1
