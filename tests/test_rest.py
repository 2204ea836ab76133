"""The lineage REST API and the exports, over HTTP through the real app and a real store."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic

from api.app import create_app
from api.settings import Settings
from graph.ingest import ingest
from graph.lineage import LineageIndex
from graph.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
ACROSS_BACKENDS = True  # the seed store on each backend of conftest.BACKENDS


@pytest.fixture(scope="module")
def store(seed_store: GraphStore) -> GraphStore:
    return seed_store


@pytest.fixture(scope="module")
def client(store: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store=None), store)) as c:
        yield c


def test_implementers_of_02(client: TestClient) -> None:
    body = client.get("/api/documents/tw-nq-2021-02/implementers").json()
    assert [(i["symbol"], i["depth"]) for i in body["items"]] == [("12-CTr/TU", 1), ("98-CV/ĐĐ", 2)]
    symbols = {i["key"]: i["symbol"] for i in body["items"]} | {"tw-nq-2021-02": "02-NQ/TW"}
    for item in body["items"]:
        for edge in item["edges"]:
            assert edge["evidence"], edge
            assert all(symbols[edge["to"]] in ev["quote"] for ev in edge["evidence"])
    assert body["next_cursor"] is None


def test_implementers_without_evidence_is_the_same_walk(client: TestClient) -> None:
    full = client.get("/api/documents/tw-nq-2021-02/implementers").json()["items"]
    bare = client.get("/api/documents/tw-nq-2021-02/implementers", params={"evidence": "false"}).json()["items"]
    assert bare and all("evidence" not in e for i in bare for e in i["edges"])
    for item in full:
        for edge in item["edges"]:
            del edge["evidence"]
    assert bare == full


def test_implementers_as_columns(client: TestClient) -> None:
    body = client.get("/api/documents/tw-nq-2021-02/implementers", params={"format": "columns"}).json()
    c, ev = body["columns"], body["evidence"]
    assert list(zip(c["symbol"], c["depth"], c["via"], strict=True)) == [
        ("12-CTr/TU", 1, "tw-nq-2021-02"), ("98-CV/ĐĐ", 2, "lai-chau-tu-ctr-2021-12")]
    assert body["rows"] == 2 and body["next_cursor"] is None and c["relations"][0] == ["implements"]
    assert set(ev["row"]) == {0, 1} and all("02-NQ/TW" in q for r, q in zip(ev["row"], ev["quote"], strict=True)
                                            if r == 0)
    assert client.get("/api/documents/tw-nq-2021-02/implementers", params={"format": "xml"}).status_code == 422


def test_pagination(client: TestClient) -> None:
    first = client.get("/api/documents/tw-nq-2021-02/implementers", params={"limit": 1}).json()
    assert [i["symbol"] for i in first["items"]] == ["12-CTr/TU"] and first["next_cursor"]
    second = client.get("/api/documents/tw-nq-2021-02/implementers",
                        params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [i["symbol"] for i in second["items"]] == ["98-CV/ĐĐ"] and second["next_cursor"] is None


def test_depth_and_relations(client: TestClient) -> None:
    one = client.get("/api/documents/tw-nq-2021-02/implementers", params={"depth": 1}).json()
    assert [i["symbol"] for i in one["items"]] == ["12-CTr/TU"]
    cites = client.get("/api/documents/tw-nq-2021-02/implementers", params={"relations": "cites"}).json()
    assert [i["symbol"] for i in cites["items"]] == ["98-CV/ĐĐ"]
    bad = client.get("/api/documents/tw-nq-2021-02/implementers", params={"relations": "likes"})
    assert bad.status_code == 422 and bad.json()["ok"] is False


def test_basis(client: TestClient) -> None:
    body = client.get("/api/documents/lai-chau-dd-cv-2023-98/basis").json()
    depth = {i["symbol"]: i["depth"] for i in body["items"]}
    assert depth == {"12-CTr/TU": 1, "04-TT/TU": 1, "179/KH-TLĐ": 1, "02-NQ/TW": 2}


def test_resolve_06_with_conflicting_dates(client: TestClient) -> None:
    body = client.get("/api/resolve", params={"ref": "Quy chế số 06-QC/TU"}).json()
    (result,) = body["results"]
    (cand,) = result["candidates"]
    assert cand["key"] == "lai-chau-tu-qc-2019-06" and cand["date_conflict"] is True
    assert {(d["value"], tuple(d["sources"])) for d in cand["dates"]} == {
        ("2019-04-04", ("lai-chau-ldld-cv-2020-570",)), ("2019-04-24", ("lai-chau-dd-cv-2023-98",))}
    doc = client.get(f"/api/documents/{cand['key']}").json()
    (conflict,) = doc["conflicts"]
    assert {(v["value"], tuple(v["sources"])) for v in conflict["values"]} == {
        ("2019-04-04", ("lai-chau-ldld-cv-2020-570",)), ("2019-04-24", ("lai-chau-dd-cv-2023-98",))}
    assert {c["document"]["symbol"] for c in doc["cited_by"]} == {"570/LĐLĐ", "98-CV/ĐĐ", "13/KH-MTTQ-BTT"}
    assert doc["cited_by_total"] == len(doc["cited_by"]) > 3  # one of the three cites it in two ways
    assert all(v["source_count"] == 1 for v in conflict["values"])
    short = client.get(f"/api/documents/{cand['key']}", params={"limit": 1}).json()
    assert len(short["cited_by"]) == 1 and short["cited_by_total"] == doc["cited_by_total"]
    assert short["cited_by"][0] in doc["cited_by"]


def test_resolve_ambiguous_lists_candidates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("Căn cứ Quy định 124-QĐ/TW, ngày 02/2/2018 của Ban Bí thư.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Thay thế Quy định 124-QĐ/TW năm 2023.", encoding="utf-8")
    s = GraphStore()
    ingest([tmp_path], s)
    with TestClient(create_app(Settings(store=None), s)) as c:
        (result,) = c.get("/api/resolve", params={"ref": "Quy định 124-QĐ/TW"}).json()["results"]
        assert result["ambiguous"] is True
        assert {x["key"] for x in result["candidates"]} == {"tw-qd-2018-124", "tw-qd-2023-124"}


def test_search_accent_insensitive(client: TestClient) -> None:
    body = client.get("/api/documents", params={"q": "nghi quyet 02"}).json()
    assert body["items"][0]["symbol"] == "02-NQ/TW"
    assert client.get("/api/documents", params={"kind": "CTr"}).json()["total"] == 2
    assert {i["symbol"] for i in client.get("/api/documents", params={"year": 2013}).json()["items"]} == {
        "217-QĐ/TW", "218-QĐ/TW"}


def test_path(client: TestClient) -> None:
    body = client.get("/api/path", params={"from": "lai-chau-dd-cv-2023-98", "to": "tw-nq-2021-02"}).json()
    assert [(s["from"]["symbol"], s["relation"], s["to"]["symbol"]) for s in body["steps"]] == [
        ("98-CV/ĐĐ", "implements", "12-CTr/TU"), ("12-CTr/TU", "implements", "02-NQ/TW")]


def test_stats_and_conflicts(client: TestClient) -> None:
    stats = client.get("/api/stats").json()
    assert stats["documents"] == 16 and stats["links"] == 18 and stats["conflicts"] == 1
    assert client.get("/api/conflicts").json()["items"][0]["document"]["symbol"] == "06-QC/TU"


def test_errors_have_one_shape(client: TestClient) -> None:
    for path, status in (("/api/documents/nope", 404), ("/api/documents/tw-nq-2021-02/implementers?limit=0", 422),
                         ("/api/export?format=pdf", 422), ("/doc/none/here", 404)):
        r = client.get(path)
        assert r.status_code == status
        assert set(r.json()) == {"ok", "error", "status"}


def test_dereference(client: TestClient) -> None:
    r = client.get("/doc/tw/nq/2021/02", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/api/documents/tw-nq-2021-02"
    r = client.get("/doc/tw/nq/2021/02", headers={"accept": "text/turtle"}, follow_redirects=True)
    assert r.status_code == 200 and "02-NQ/TW" in r.text


def _export(client: TestClient, fmt: str, **params: str) -> bytes:
    r = client.get("/api/export", params={"format": fmt} | params)
    assert r.status_code == 200, r.text
    assert "attachment; filename=" in r.headers["content-disposition"]
    return r.content


NODE_ATTRS = {"key", "iri", "symbol", "kind", "year", "date", "issuer", "ingested"}


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_exports_read_back(client: TestClient, fmt: str) -> None:
    data = _export(client, fmt)
    g = nx.read_graphml(io.BytesIO(data)) if fmt == "graphml" else nx.read_gexf(io.BytesIO(data))
    assert g.number_of_nodes() == 16 and g.number_of_edges() == 18
    attrs = g.nodes["tw-nq-2021-02"]
    assert NODE_ATTRS - {"issuer", "key"} <= set(attrs) and attrs["symbol"] == "02-NQ/TW"  # the id is the key
    assert all("relation" in d for _, _, d in g.edges(data=True))
    rels = {(a, b, d["relation"]) for a, b, d in g.edges(data=True)}
    assert ("lai-chau-tu-ctr-2021-12", "tw-nq-2021-02", "implements") in rels
    said = {(a, b): (d["quote"], d["stated_in"]) for a, b, d in g.edges(data=True)}
    quote, stated = said[("lai-chau-tu-ctr-2021-12", "tw-nq-2021-02")]
    assert "02-NQ/TW" in quote and stated == "lai-chau-dd-cv-2023-98"  # the sentence of 98-CV/ĐĐ that says so
    assert all(q and s for q, s in said.values())  # every edge between documents is stated somewhere


def test_lineage_subgraph_export(client: TestClient) -> None:
    g = nx.read_graphml(io.BytesIO(_export(client, "graphml", root="tw-nq-2021-02")))
    assert set(g.nodes) == {"tw-nq-2021-02", "lai-chau-tu-ctr-2021-12", "lai-chau-dd-cv-2023-98"}


@pytest.mark.parametrize("fmt", ["ttl", "nt", "nq", "jsonld"])
def test_an_rdf_subgraph_in_small_batches_is_the_same_graph(store: GraphStore, fmt: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches read two at a time give the graph one batch gives: every document's literals and the
    relations between them, whatever the batch size."""
    from graph import export as exports

    idx = LineageIndex.open(store, None)
    parser = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "jsonld": "json-ld"}[fmt]

    def graph() -> rdflib.Graph:
        data = b"".join(exports.export(store, idx, fmt, root="lai-chau-tu-ctr-2021-12", direction="both"))
        return rdflib.Dataset().parse(data=data, format=parser) if fmt == "nq" else rdflib.Graph().parse(
            data=data, format=parser)

    whole = graph()
    monkeypatch.setattr(exports, "SUBGRAPH_BATCH", 1)
    batched = graph()
    subjects = {str(s) for s in whole.subjects()}
    assert len(whole) > 10 and {"https://w3id.org/vanban/doc/tw/nq/2021/02",
                                "https://w3id.org/vanban/doc/lai-chau/dd/cv/2023/98"} <= subjects
    assert isomorphic(whole, batched) if fmt != "nq" else set(whole.quads()) == set(batched.quads())


def test_neo4j_csv(client: TestClient) -> None:
    with zipfile.ZipFile(io.BytesIO(_export(client, "csv"))) as z:
        nodes = list(csv.reader(io.StringIO(z.read("nodes.csv").decode("utf-8-sig"))))
        rels = list(csv.reader(io.StringIO(z.read("relationships.csv").decode("utf-8-sig"))))
    assert nodes[0][0] == "key:ID" and ":LABEL" in nodes[0] and len(nodes) == 17
    assert rels[0][:3] == [":START_ID", ":END_ID", ":TYPE"] and len(rels) == 19
    ids = {row[0] for row in nodes[1:]}
    assert all(r[0] in ids and r[1] in ids for r in rels[1:])
    assert rels[0][3:] == ["relation", "quote", "stated_in"] and all(r[4] and r[5] in ids for r in rels[1:])


def test_cytoscape(client: TestClient) -> None:
    data = json.loads(_export(client, "cytoscape"))
    nodes, edges = data["elements"]["nodes"], data["elements"]["edges"]
    ids = {n["data"]["id"] for n in nodes}
    assert len(nodes) == 16 and len(edges) == 18
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)
    assert all(e["data"]["quote"] and e["data"]["stated_in"] in ids for e in edges)


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_rdf_triple_exports_isomorphic(client: TestClient, store: GraphStore, fmt: str) -> None:
    parser = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt]
    got = rdflib.Graph().parse(data=_export(client, fmt), format=parser)
    union = {q.triple for q in store.quads()}
    want = rdflib.Graph().parse(data=ox.serialize(union, format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert isomorphic(got, want)


@pytest.mark.parametrize("fmt", ["trig", "nq"])
def test_rdf_dataset_exports_isomorphic(client: TestClient, store: GraphStore, fmt: str) -> None:
    got = rdflib.Dataset()
    got.parse(data=_export(client, fmt), format={"trig": "trig", "nq": "nquads"}[fmt])
    got_quads = {(s, p, o, c) for s, p, o, c in got.quads((None, None, None, None))}
    want = rdflib.Dataset()
    want.parse(data=store.dump(ox.RdfFormat.N_QUADS), format="nquads")
    assert got_quads == {(s, p, o, c) for s, p, o, c in want.quads((None, None, None, None))}


def test_index_persisted_and_reloaded(tmp_path: Path) -> None:
    s = GraphStore(tmp_path / "store")
    ingest([ROOT / "data" / "documents"], s)
    path = tmp_path / "store.lineage"
    built = LineageIndex.open(s, path)
    assert path.exists()
    loaded = LineageIndex.load(path)
    assert loaded is not None and loaded.stamp == built.stamp == s.stamp()
    assert [n.key for n in loaded.nodes] == [n.key for n in built.nodes]
    (tmp_path / "x.txt").write_text("Thực hiện Nghị quyết số 02-NQ/TW.", encoding="utf-8")
    ingest([tmp_path / "x.txt"], s)
    assert LineageIndex.open(s, path).stamp == s.stamp() != built.stamp  # a write makes it stale: rebuilt


def test_exports_are_streamed_and_limited(store: GraphStore) -> None:
    """The whole store as N-Quads comes in chunks as Oxigraph writes it, byte for byte its own dump; with
    every export slot taken, another export is a 503 in the error shape."""
    import threading

    from graph.export import export
    from graph.lineage import LineageIndex

    chunks = list(export(store, LineageIndex.open(store, None), "nq"))
    assert b"".join(chunks) == store.dump(ox.RdfFormat.N_QUADS)
    app = create_app(Settings(store=None, max_concurrent_exports=1), store)
    with TestClient(app) as c:
        assert c.get("/api/export", params={"format": "nq"}).status_code == 200
        app.state.export_slots = threading.BoundedSemaphore(1)
        app.state.export_slots.acquire()  # an export in progress
        r = c.get("/api/export", params={"format": "nq"})
        assert r.status_code == 503 and r.json()["ok"] is False and "max_concurrent_exports" in r.json()["error"]
        app.state.export_slots.release()
        assert c.get("/api/export", params={"format": "ttl"}).status_code == 200


def test_a_whole_graph_export_is_kept_for_the_stamp(tmp_path: Path) -> None:
    """The second export of one state is the file the first one kept (named by the stamp); a write makes
    a new one, and the file of the older state goes; an export cut short keeps nothing."""
    from datetime import date

    from graph.export import cache_folder, export
    from graph.validity import write_validity_graph

    s = GraphStore(tmp_path / "store")
    ingest([ROOT / "data" / "documents"], s)
    idx, cache = LineageIndex.open(s, None), cache_folder(s)
    assert cache == tmp_path / "store.exports"
    first = b"".join(export(s, idx, "nq", cache=cache))
    kept = cache / f"{s.state()}.nq"
    assert first == s.dump(ox.RdfFormat.N_QUADS) and kept.read_bytes() == first
    kept.write_bytes(b"# what the cache holds\n")  # proof that the next export reads the file
    assert b"".join(export(s, idx, "nq", cache=cache)) == b"# what the cache holds\n"
    (tmp_path / "x.txt").write_text("Thực hiện Nghị quyết số 02-NQ/TW.", encoding="utf-8")
    ingest([tmp_path / "x.txt"], s)
    again = b"".join(export(s, idx, "nq", cache=cache))
    assert again == s.dump(ox.RdfFormat.N_QUADS) != first
    assert sorted(p.name for p in cache.iterdir()) == [f"{s.state()}.nq"]
    chunks = export(s, idx, "ttl", cache=cache)
    next(chunks)
    chunks.close()  # type: ignore[attr-defined]
    assert sorted(p.name for p in cache.iterdir()) == [f"{s.state()}.nq"]
    stamp, state = s.stamp(), s.state()
    write_validity_graph(s, LineageIndex.open(s, None), date(2099, 1, 1))  # a derived graph moves, not the stamp
    assert s.stamp() == stamp and s.state() != state
    assert b"".join(export(s, idx, "nq", cache=cache)) == s.dump(ox.RdfFormat.N_QUADS)
    assert sorted(p.name for p in cache.iterdir()) == [f"{s.state()}.nq"]


def test_a_piped_writer_stops_when_its_reader_does() -> None:
    """The dump's writer thread ends when the reader closes early (it does not write the rest into a
    queue nobody reads), and a writer's failure reaches the reader as a StoreError."""
    import threading

    from graph.errors import StoreError
    from graph.store import piped

    written: list[int] = []

    def writer(out: io.BufferedIOBase) -> None:
        for i in range(1000):
            out.write(b"x" * 100_000)
            written.append(i)

    before = threading.active_count()
    chunks = piped(writer)
    assert len(next(chunks)) >= 1 << 20
    chunks.close()  # type: ignore[attr-defined]
    assert threading.active_count() == before and len(written) < 200
    assert sum(map(len, piped(writer))) == 1000 * 100_000

    def failing(out: io.BufferedIOBase) -> None:
        out.write(b"x")
        raise OSError("disk gone")

    with pytest.raises(StoreError, match="disk gone"):
        list(piped(failing))


def test_an_unexpected_failure_is_a_500_in_the_error_shape(store: GraphStore) -> None:
    app = create_app(Settings(store=None), store)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a defect")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500 and r.json() == {"ok": False, "status": 500,
                                                 "error": "internal error (RuntimeError); the server goes on"}
