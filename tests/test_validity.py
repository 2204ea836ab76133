"""Validity derived from the graph: acts on a document (whoever states them), partial acts, as of a date;
on the real corpus, 124-QĐ/TW of 2023 replaced by 366-QĐ/TW with the sentence that says so."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.ingest import ingest
from graph.lineage import REL_ID, LineageIndex, Node
from graph.store import GraphStore
from graph.validity import (
    STATUS_ORDER,
    is_partial,
    refresh_validity_graph,
    status_iri,
    validity,
    validity_as_of,
    write_validity_graph,
)
from graph.vocab import load

B = "https://w3id.org/vanban/doc/"


@pytest.mark.parametrize(("word", "example"), load().partial_acts)
def test_partial_words_examples(word: str, example: str) -> None:
    sentence, target = (x.strip() for x in example.split("→"))
    assert is_partial(sentence, target), (word, example)
    bare = sentence
    for w, _ in sorted(load().partial_acts, key=lambda e: -len(e[0])):  # the words are what make it partial
        bare = re.sub(rf"\b{re.escape(w)}\b", "", bare, flags=re.IGNORECASE)
    assert not is_partial(bare, target), bare


@pytest.mark.parametrize(("sentence", "target"), [
    ("Quyết định này thay thế Quyết định số 25/2008/QĐ-UBND, ngày 15/5/2008", "25/2008/QĐ-UBND"),
    ("đ) Bãi bỏ Nghị quyết số 169/2024/QH15 ngày 30 tháng 11 năm 2024 của Quốc hội", "169/2024/QH15"),
    ("Điều 3. Quyết định này có hiệu lực kể từ ngày ký và thay thế Quyết định số 42/QĐ-VTLTNN", "42/QĐ-VTLTNN"),
    ("Hướng dẫn này thay thế Hướng dẫn số 01-HD/TW, ngày 28/9/2021 của Ban Bí thư", "01-HD/TW"),
])
def test_whole_acts_are_not_partial(sentence: str, target: str) -> None:
    """`Điều 3.` before the cue does not make the act partial: only words between the cue and the target."""
    assert not is_partial(sentence, target)


def synthetic() -> LineageIndex:
    nodes = [Node(B + "tw/qd/2023/124", "tw-qd-2023-124", "124-QĐ/TW", "QĐ", 2023, "2023-02-02"),
             Node(B + "tw/qd/2025/366", "tw-qd-2025-366", "366-QĐ/TW", "QĐ", 2025, "2025-08-30"),
             Node(B + "cp/nd/2020/10", "cp-nd-2020-10", "10/2020/NĐ-CP", "NĐ", 2020, "2020-01-10"),
             Node(B + "cp/nd/2022/5", "cp-nd-2022-5", "5/2022/NĐ-CP", "NĐ", 2022, "2022-03-01"),
             Node(B + "tw/nq/2021/2", "tw-nq-2021-2", "02-NQ/TW", "NQ", 2021, "2021-06-12")]
    edges = [(1, 0, REL_ID["replaces"]), (3, 2, REL_ID["repeals"]), (3, 2, REL_ID["amends"])]
    found = {(1, 0, REL_ID["replaces"]): [(1, 10, 20, "Quy định này thay thế Quy định 124-QĐ/TW".encode())],
             (3, 2, REL_ID["repeals"]): [(3, 5, 9, "Bãi bỏ Điều 4 Nghị định số 10/2020/NĐ-CP".encode())]}
    return LineageIndex.from_parts(nodes, edges, "s", found)


def test_statuses_and_as_of() -> None:
    idx = synthetic()
    got = validity(idx, "tw-qd-2023-124")
    assert got["status"] == "replaced" and not got["in_force"]
    assert got["acts"][0]["by"]["symbol"] == "366-QĐ/TW" and "thay thế" in got["acts"][0]["evidence"][0]["quote"]
    assert validity(idx, "tw-qd-2023-124", date(2024, 1, 1))["status"] == "in_force"  # 366 came later
    assert validity(idx, "tw-qd-2023-124", date(2024, 1, 1))["later"][0]["by"]["key"] == "tw-qd-2025-366"
    assert validity(idx, "tw-qd-2023-124", date(2022, 12, 31))["status"] == "not_yet_issued"
    part = validity(idx, "cp-nd-2020-10")
    assert part["status"] == "partly_repealed" and part["in_force"] and len(part["acts"]) == 2
    assert validity(idx, "tw-nq-2021-2") == validity(idx, "tw-nq-2021-2") and \
        validity(idx, "tw-nq-2021-2")["status"] == "in_force" and not validity(idx, "tw-nq-2021-2")["known"]


@pytest.fixture(scope="module")
def real(shared: Path) -> GraphStore:
    store = GraphStore()
    ingest([shared / "corpus" / "real"], store, workers=1)
    return store


def test_124_qd_tw_replaced_by_366_on_the_real_corpus(real: GraphStore) -> None:
    idx = LineageIndex.build(real)
    got = validity(idx, "tw-qd-2023-124")
    assert got["status"] == "replaced"
    act = got["acts"][0]
    assert act["by"]["symbol"] == "366-QĐ/TW" and act["relation"] == "replaces"
    assert "thay thế Quy định 124-QĐ/TW" in act["evidence"][0]["quote"]
    assert validity(idx, "tw-qd-2023-124", date(2024, 6, 1))["status"] == "in_force"
    partly = validity(idx, "ttg-qd-2005-11")  # "Bãi bỏ Điều 20 Quy chế … kèm theo Quyết định số 11/2005/QĐ-TTg"
    assert partly["status"] == "partly_repealed"


def test_validity_route_and_page(real: GraphStore) -> None:
    from api.app import create_app
    from api.settings import Settings

    with TestClient(create_app(Settings(store=None, query_processes=False), real)) as c:
        got = c.get("/api/documents/tw-qd-2023-124/validity").json()
        assert got["ok"] and got["status"] == "replaced"
        assert c.get("/api/documents/tw-qd-2023-124/validity", params={"at": "2024-01-01"}).json()["status"] == \
            "in_force"
        assert c.get("/api/documents/tw-qd-2023-124/validity", params={"at": "2024-13-01"}).status_code in (400, 422)
        page = c.get("/documents/tw-qd-2023-124", headers={"accept": "text/html"}).text
        assert 'class="badge validity status-replaced"' in page and "366-QĐ/TW" in page[page.index("validity-acts"):]


@pytest.mark.parametrize(("field", "pattern", "example"), load().effects, ids=lambda e: str(e)[:30])
def test_effect_examples(field: str, pattern: str, example: str) -> None:
    from graph.effect import effects

    sentence, own, want = (x.strip() for x in example.split("|"))
    got = {e.field: e for e in effects(sentence, own, load())}
    assert got[field].date == want
    assert sentence[got[field].start : got[field].end] == got[field].text  # offsets into the text itself


def test_a_sentence_about_another_document_is_not_its_own_effect() -> None:
    from graph.effect import effects

    text = ("Theo Điều 19 Quy định 366-QĐ/TW năm 2025 thì Quy định 366 về kiểm điểm đảng viên có hiệu lực từ "
            "ngày 30/8/2025 và thay thế Quy định 124-QĐ/TW")
    assert effects(text, "2025-09-01", load()) == ()


def test_effective_dates_extracted_stored_and_counted(tmp_path: Path) -> None:
    from graph.extract import extract_source
    from graph.text import prepare

    text = ("ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: 15/2020/QĐ-UBND\nLai Châu, ngày 10 tháng 3 năm 2020\nQUYẾT ĐỊNH\n"
            "Ban hành quy chế\nĐiều 3. Quyết định này có hiệu lực thi hành sau 10 ngày kể từ ngày ký và hết hiệu "
            "lực kể từ ngày 31/12/2022.\n")
    doc = extract_source(prepare(text, "x.txt")).to_json()["document"]
    assert doc["effective_from"]["date"] == "2020-03-20" and doc["effective_until"]["date"] == "2022-12-31"
    assert doc["effective_from"]["mention"]["text"].startswith("có hiệu lực thi hành sau 10 ngày")
    (tmp_path / "qd.txt").write_text(text, encoding="utf-8")
    store = GraphStore()
    ingest([tmp_path / "qd.txt"], store, workers=0)
    idx = LineageIndex.build(store)
    key = next(k for k in idx.nodes.columns["key"] if k.endswith("qd-2020-15"))
    assert validity(idx, key, date(2021, 1, 1), store)["status"] == "in_force"
    assert validity(idx, key, date(2020, 3, 12), store)["status"] == "not_yet_in_force"
    got = validity(idx, key, date(2023, 1, 1), store)
    assert got["status"] == "expired" and got["effective_until"] == "2022-12-31" and not got["in_force"]


def test_the_derived_validity_graph_is_queryable_in_sparql(tmp_path: Path) -> None:
    """After an ingest, SPARQL sees each acted-on document's status and ELI's in-force value, in a
    derived graph whose terms the ontology declares."""
    import rdflib

    from graph.service import Indexes, ingest_files

    old = ("TỈNH ỦY LAI CHÂU\nSố 10-KH/TU\nLai Châu, ngày 5 tháng 3 năm 2022\nKẾ HOẠCH\nvề công đoàn\n"
           "Thực hiện Nghị quyết số 02-NQ/TW ngày 12/6/2021 của Bộ Chính trị.\n")
    new = ("TỈNH ỦY LAI CHÂU\nSố 20-KH/TU\nLai Châu, ngày 5 tháng 3 năm 2024\nKẾ HOẠCH\nvề công đoàn\n"
           "Kế hoạch này có hiệu lực kể từ ngày ký và thay thế Kế hoạch số 10-KH/TU ngày 5/3/2022 của Ban "
           "Thường vụ Tỉnh ủy.\n")
    (tmp_path / "a.txt").write_text(old, encoding="utf-8")
    (tmp_path / "b.txt").write_text(new, encoding="utf-8")
    store = GraphStore()
    report, _ = ingest_files([tmp_path], store, Indexes.beside(store), workers=0)
    assert report.ingested == 2 and "validity graph" in report.seconds
    rows = {r["d"].rsplit("/doc/", 1)[1]: (r["s"], r["f"]) for r in store.rows(
        "SELECT ?d ?s ?f WHERE { GRAPH <https://w3id.org/vanban/graph/derived/validity> { "
        "?d vb:validityStatus ?s ; <http://data.europa.eu/eli/ontology#in_force> ?f } }")}
    assert rows["lai-chau/tu/kh/2022/10"] == ("https://w3id.org/vanban/ontology#status-replaced",
                                              "http://data.europa.eu/eli/ontology#InForce-notInForce")
    assert rows["lai-chau/tu/kh/2024/20"][0].endswith("#status-in-force")  # it gives itself a start date
    ended = {r["d"].rsplit("/doc/", 1)[1]: r["e"] for r in store.rows(
        "SELECT ?d ?e WHERE { GRAPH <https://w3id.org/vanban/graph/derived/validity> { "
        "?d <http://data.europa.eu/eli/ontology#date_no_longer_in_force> ?e } }")}
    assert ended == {"lai-chau/tu/kh/2022/10": "2024-03-05"}  # the day of the plan that replaces it
    ontology = rdflib.Graph().parse(Path(__file__).resolve().parent.parent / "ontology.ttl")
    declared = {str(s) for s in ontology.subjects(rdflib.RDF.type, None)}
    for r in store.rows("SELECT DISTINCT ?p ?o WHERE { GRAPH <https://w3id.org/vanban/graph/derived/validity> "
                        "{ ?d ?p ?o FILTER(isIRI(?o)) } }"):
        assert r["p"] in declared and (r["o"] in declared or r["o"].startswith("http://data.europa.eu/eli/"))
    statuses = {str(s) for s in ontology.subjects(rdflib.namespace.SKOS.inScheme, None)}
    assert {status_iri(s) for s in (*STATUS_ORDER, "expired", "not_yet_in_force", "not_yet_issued")} <= statuses


LASTING = ("ỦY BAN NHÂN DÂN TỈNH LAI CHÂU\nSố 30/KH-UBND\nLai Châu, ngày 5 tháng 1 năm 2024\nKẾ HOẠCH\n"
           "về chuyển đổi số\nThực hiện Nghị quyết số 02-NQ/TW ngày 12/6/2021 của Bộ Chính trị.\n"
           "Kế hoạch này có hiệu lực từ ngày 01/02/2024 đến hết ngày 31/12/2025.\n")


def _sparql_status(store: GraphStore) -> tuple[str, str | None]:
    graph = "https://w3id.org/vanban/graph/derived/validity"
    status = [r["s"].rsplit("#status-", 1)[1] for r in store.rows(
        f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ <{B}lai-chau/ubnd/kh/2024/30> vb:validityStatus ?s }} }}")]
    as_of = validity_as_of(store)
    return (status[0] if status else "none"), (as_of.isoformat() if as_of else None)


def test_the_validity_graph_moves_with_the_day(tmp_path: Path) -> None:
    """The derived graph states the day its statuses hold for; rewritten as of a later day, a plan past
    the end it gives itself is expired in SPARQL, before its start not yet in force; the same day again
    writes nothing."""
    (tmp_path / "kh.txt").write_text(LASTING, encoding="utf-8")
    store = GraphStore()
    ingest([tmp_path / "kh.txt"], store)
    idx = LineageIndex.open(store, None)
    assert write_validity_graph(store, idx, date(2024, 1, 20)) == 1
    assert _sparql_status(store) == ("not-yet-in-force", "2024-01-20")
    assert refresh_validity_graph(store, idx, date(2025, 6, 1))
    assert _sparql_status(store) == ("in-force", "2025-06-01")
    state = store.state()
    assert not refresh_validity_graph(store, idx, date(2025, 6, 1)) and store.state() == state
    assert refresh_validity_graph(store, idx, date(2026, 1, 1))
    assert _sparql_status(store) == ("expired", "2026-01-01") and store.state() != state
    assert [r["e"] for r in store.rows(
        "SELECT ?e WHERE { GRAPH <https://w3id.org/vanban/graph/derived/validity> { "
        "?d <http://data.europa.eu/eli/ontology#date_no_longer_in_force> ?e } }")] == ["2025-12-31"]


def test_the_server_brings_the_validity_graph_to_today(tmp_path: Path) -> None:
    """A graph written as of an earlier day (the server was down over the expiry) is rewritten as of the
    machine's day when the server starts, and by the daily step after that."""
    import asyncio

    from api.app import create_app, refresh_validity
    from api.settings import Settings

    (tmp_path / "kh.txt").write_text(LASTING, encoding="utf-8")
    store = GraphStore(tmp_path / "store")
    ingest([tmp_path / "kh.txt"], store)
    write_validity_graph(store, LineageIndex.open(store, None), date(2025, 6, 1))
    assert _sparql_status(store) == ("in-force", "2025-06-01")
    app = create_app(Settings(store=None, max_concurrent_queries=1), store)  # SPARQL in one worker process
    with TestClient(app) as client:
        for _ in range(100):  # the first refresh runs beside the first requests
            if validity_as_of(store) == date.today():
                break
            asyncio.run(asyncio.sleep(0.05))
        assert _sparql_status(store) == ("expired", date.today().isoformat())
        sparql = client.post("/sparql", data={"query": (
            "PREFIX vb: <https://w3id.org/vanban/ontology#> SELECT ?d WHERE { GRAPH ?g { ?g vb:statusAsOf ?d } }")},
            headers={"Accept": "application/sparql-results+json"})
        assert sparql.json()["results"]["bindings"][0]["d"]["value"] == date.today().isoformat()
        assert client.portal.call(refresh_validity, app, date(2025, 6, 1))  # type: ignore[union-attr]
        assert _sparql_status(store) == ("in-force", "2025-06-01")
        again = client.post("/sparql", data={"query": (  # the worker that answered before sees the rewrite
            "PREFIX vb: <https://w3id.org/vanban/ontology#> SELECT ?d WHERE { GRAPH ?g { ?g vb:statusAsOf ?d } }")},
            headers={"Accept": "application/sparql-results+json"})
        assert again.json()["results"]["bindings"][0]["d"]["value"] == "2025-06-01"
        assert not client.portal.call(refresh_validity, app, date(2025, 6, 1))  # type: ignore[union-attr]


def test_sources_disagreeing_on_when_a_document_takes_effect_are_a_conflict(tmp_path: Path) -> None:
    """Two copies of one decision (a draft and the signed text, say) stating different dates of entry into
    force: a vb:Conflict on vb:effectiveFrom with both claims, the validity flags it, and it goes when the
    disagreeing copy is removed."""
    from graph.ingest import remove
    from graph.service import Indexes, ingest_files

    head = ("ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU\nSố: 15/2020/QĐ-UBND\nLai Châu, ngày 10 tháng 3 năm 2020\nQUYẾT ĐỊNH\n"
            "Ban hành quy chế\nĐiều 3. Quyết định này có hiệu lực ")
    (tmp_path / "signed.txt").write_text(head + "kể từ ngày ký.\n", encoding="utf-8")
    (tmp_path / "draft.txt").write_text(head + "kể từ ngày 01/7/2020.\n", encoding="utf-8")
    store = GraphStore()
    ingest_files([tmp_path], store, Indexes.beside(store), workers=0)
    rows = store.rows("SELECT ?p ?v ?n WHERE { ?c a vb:Conflict ; vb:onProperty ?p ; vb:claim ?cl . "
                      "?cl vb:value ?v ; vb:sourceCount ?n }")
    assert {(r["p"].rsplit("#", 1)[-1], r["v"]) for r in rows} == {("effectiveFrom", "2020-03-10"),
                                                                  ("effectiveFrom", "2020-07-01")}
    idx = LineageIndex.build(store)
    key = next(k for k in idx.nodes.columns["key"] if k.endswith("qd-2020-15"))
    assert validity(idx, key, date(2020, 5, 1), store)["dates_conflict"]
    remove([tmp_path / "draft.txt"], store)
    assert store.count("?c a vb:Conflict") == 0
    assert not validity(LineageIndex.build(store), key, date(2020, 5, 1), store)["dates_conflict"]


def test_a_long_sentence_keeps_its_cue_in_the_quote(tmp_path: Path) -> None:
    """The quote of a sentence longer than the quote's room keeps the cue that governs the mention where
    both fit: the act reads as what it is (a phrase of the decision replaced: partly), with its verb."""
    from graph.rdf import QUOTE_CHARS, quote_span

    phrase = ", ".join(["lập, thẩm định, phê duyệt báo cáo kinh tế kỹ thuật"] * 4)
    sentence = (f"Thay thế cụm từ: {phrase} trong nội dung trích yếu của Quyết định số 952/2006/QĐ-UBND "
                f"ngày 12/10/2006 của Ủy ban nhân dân tỉnh bằng cụm từ: {phrase}.")
    start = sentence.index("Quyết định số 952")
    assert len(sentence) > QUOTE_CHARS and start > QUOTE_CHARS // 2
    centred = quote_span(sentence, start, start + 40)
    assert centred[0] > 0  # without the cue: cut around the mention, the verb lost
    assert quote_span(sentence, start, start + 40, cue=0)[0] == 0
    text = ("ỦY BAN NHÂN DÂN TỈNH BẮC GIANG\nSố: 30/2009/QĐ-UBND\nBắc Giang, ngày 5 tháng 10 năm 2009\n"
            "QUYẾT ĐỊNH\nvề việc sửa đổi quy định\nQUYẾT ĐỊNH:\nĐiều 1.\n" + sentence + "\n")
    (tmp_path / "qd.txt").write_text(text, encoding="utf-8")
    store = GraphStore()
    ingest([tmp_path / "qd.txt"], store)
    idx = LineageIndex.open(store, None)
    key = next(k for k in idx.nodes.columns["key"] if k.endswith("ubnd-qd-2006-952"))
    got = validity(idx, key)
    assert got["status"] == "partly_replaced", got
    assert got["acts"][0]["evidence"][0]["quote"].startswith("Thay thế cụm từ")
