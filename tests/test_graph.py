"""The knowledge graph on the seeds: identity, relations, evidence, conflicts, SHACL and the ontology."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import write_generated
from hypothesis import given
from hypothesis import strategies as st
from pyshacl import validate

from graph.identity import Iris
from graph.ingest import ingest, remove
from graph.store import GraphStore, Store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "documents"
BASE = "https://w3id.org/vanban"
ACROSS_BACKENDS = True  # the tests on `seeded` run on each backend of conftest.BACKENDS
NQ02 = f"{BASE}/doc/tw/nq/2021/02"
CTR12 = f"{BASE}/doc/lai-chau/tu/ctr/2021/12"
CV98 = f"{BASE}/doc/lai-chau/dd/cv/2023/98"
QC06 = f"{BASE}/doc/lai-chau/tu/qc/2019/06"
KH13 = f"{BASE}/doc/lai-chau/mttq-btt/kh/2019/13"
CV570 = f"{BASE}/doc/lai-chau/ldld/cv/2020/570"


@pytest.fixture()
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_factory: Callable[[], Store]) -> Store:
    """The seeds ingested into a new store (of each backend: ACROSS_BACKENDS)."""
    monkeypatch.chdir(tmp_path)
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    store = store_factory()
    report = ingest([docs], store)
    assert report.ingested == 2 and not report.failed
    return store


def values(store: GraphStore, sparql: str, var: str) -> set[str]:
    return {row[var] for row in store.rows(sparql)}


def test_sixteen_nodes(seeded: Store) -> None:
    assert seeded.count("?x a vb:Document") == 16


def test_implementation_chain(seeded: Store) -> None:
    assert values(seeded, f"SELECT ?d WHERE {{ ?d vb:implements <{NQ02}> }}", "d") == {CTR12}
    assert CV98 in values(seeded, f"SELECT ?d WHERE {{ ?d vb:implements <{CTR12}> }}", "d")
    assert values(seeded, f"SELECT DISTINCT ?d WHERE {{ ?d vb:implements+ <{NQ02}> }}", "d") == {CTR12, CV98}
    assert values(seeded, f"SELECT ?d WHERE {{ <{KH13}> vb:implements ?d }}", "d") == {QC06}


def test_every_link_has_evidence(seeded: Store) -> None:
    rows = list(seeded.rows(
        f"SELECT ?quote ?stated WHERE {{ GRAPH ?g {{ ?e vb:source <{CTR12}> ; vb:target <{NQ02}> ; "
        f"vb:relation vb:implements ; vb:quote ?quote }} ?g vb:describes ?stated }}"
    ))
    assert rows and rows[0]["stated"] == CV98
    assert "12-CTr/TU" in rows[0]["quote"] and "02-NQ/TW" in rows[0]["quote"]
    missing = list(seeded.rows(
        "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o . VALUES ?p { vb:cites vb:basedOn vb:implements vb:guides "
        "vb:amends vb:replaces vb:repeals vb:corrects } FILTER NOT EXISTS { ?e vb:source ?s ; vb:target ?o ; "
        "vb:relation ?p } } }"
    ))
    assert missing == []


def test_date_conflict_kept_with_sources(seeded: Store) -> None:
    rows = {(r["v"], r["src"]) for r in seeded.rows(
        f"SELECT ?v ?src WHERE {{ ?c a vb:Conflict ; vb:about <{QC06}> ; vb:onProperty vb:date ; vb:claim ?cl . "
        f"?cl vb:value ?v ; vb:claimedBy ?src }}"
    )}
    assert rows == {("2019-04-04", CV570), ("2019-04-24", CV98)}


def test_no_blank_nodes(seeded: Store) -> None:
    assert not any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in seeded.quads())


def _graphs(store: GraphStore) -> dict[str, rdflib.Graph]:
    """Each named graph of the store as an rdflib Graph (through N-Triples)."""
    out = {}
    for name in store.named_graphs():
        data = store.dump(ox.RdfFormat.N_TRIPLES, name)
        out[name] = rdflib.Graph().parse(data=data, format="nt")
    return out


def test_shacl_every_graph(seeded: Store) -> None:
    shapes = rdflib.Graph().parse(ROOT / "data" / "shapes.ttl")
    ontology = rdflib.Graph().parse(ROOT / "ontology.ttl")
    graphs = _graphs(seeded)
    assert len(graphs) >= 3  # two sources and the conflicts
    for name, data in graphs.items():
        conforms, _, text = validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none")
        assert conforms, (name, text)


def test_shapes_catch_a_broken_graph(seeded: Store) -> None:
    """The shapes can fail: an evidence node without its quote does not conform."""
    shapes = rdflib.Graph().parse(ROOT / "data" / "shapes.ttl")
    data = _graphs(seeded)[seeded.sources()[0]["g"]]
    vbq = rdflib.URIRef("https://w3id.org/vanban/ontology#quote")
    data.remove((None, vbq, None))
    conforms, _, _ = validate(data, shacl_graph=shapes, inference="none")
    assert not conforms


def test_every_emitted_term_is_declared(seeded: Store) -> None:
    ontology = rdflib.Graph().parse(ROOT / "ontology.ttl")
    declared = {str(s) for s in ontology.subjects(rdflib.RDF.type, None)}
    from graph.ingest import ONTOLOGY_GRAPH

    used = set()
    for q in seeded.quads():
        if q.graph_name.value == ONTOLOGY_GRAPH:  # (the declarations themselves)
            continue
        used.add(q.predicate.value)
        if q.predicate.value == str(rdflib.RDF.type):
            used.add(q.object.value)
        if q.predicate.value.endswith("#relation") or q.predicate.value.endswith("#onProperty"):
            used.add(q.object.value)
    used.discard(str(rdflib.RDF.type))
    assert sorted(used - declared) == []


def test_kinds_in_ontology() -> None:
    from graph.vocab import load

    ontology = rdflib.Graph().parse(ROOT / "ontology.ttl")
    declared = {str(s) for s in ontology.subjects(rdflib.RDF.type, None)}
    for code in load().codes:
        assert f"https://w3id.org/vanban/ontology#{code.cls}" in declared
        assert Iris().kind(code.code) in declared


def test_reingest_changes_nothing(seeded: Store, tmp_path: Path) -> None:
    before = set(seeded.quads())
    report = ingest([tmp_path / "docs"], seeded)
    assert (report.ingested, report.skipped) == (0, 2)
    assert set(seeded.quads()) == before


def test_changed_file_replaces_only_its_claims(seeded: Store, tmp_path: Path) -> None:
    sources = {Path(s["path"]).name: s["g"] for s in seeded.sources()}
    g570, g98 = sources["570-LDLD-2020-LaiChau.txt"], sources["98-CV-DD-2023-LaiChau.txt"]
    quads_98 = set(seeded.quads(g=g98))
    doc = tmp_path / "docs" / "570-LDLD-2020-LaiChau.txt"
    text = doc.read_text(encoding="utf-8")
    cited = "theo Hướng dẫn số 17/HD-LĐLĐ ngày 03/12/2019 của Ban Thường vụ LĐLĐ tỉnh"
    doc.write_text(text.replace(cited, "theo quy định"), encoding="utf-8")
    report = ingest([tmp_path / "docs"], seeded)
    assert (report.ingested, report.skipped) == (1, 1)
    assert set(seeded.quads(g=g98)) == quads_98
    hd17 = f"{BASE}/doc/lai-chau/ldld/hd/2019/17"
    assert seeded.count(f"<{hd17}> ?p ?x") == 0  # the node only that file cited is gone
    assert seeded.count(f"GRAPH <{g570}> {{ <{QC06}> ?p ?x }}") > 0


def test_remove_source(seeded: Store, tmp_path: Path) -> None:
    assert remove([tmp_path / "docs" / "570-LDLD-2020-LaiChau.txt"], seeded)
    assert seeded.count(f"<{CV570}> ?p ?x") == 0
    assert seeded.count(f"<{QC06}> ?p ?x") > 0  # 98 still cites it
    assert seeded.count("?c a vb:Conflict") == 0  # one source left: no disagreement
    assert seeded.count("?x a vb:Document") == 12


def test_year_less_reference_keeps_candidates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("Căn cứ Quy định 124-QĐ/TW, ngày 02/2/2018 của Ban Bí thư.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Thay thế Quy định 124-QĐ/TW năm 2023.", encoding="utf-8")
    (tmp_path / "c.txt").write_text("Theo Quy định số 124-QĐ/TW về kiểm điểm.", encoding="utf-8")
    store = GraphStore(None, Iris(BASE))
    ingest([tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"], store)
    assert values(store, "SELECT ?d WHERE { ?d vb:symbol '124-QĐ/TW' ; vb:date|vb:year ?y }", "d") == {
        f"{BASE}/doc/tw/qd/2018/124", f"{BASE}/doc/tw/qd/2023/124"}
    cands = values(store, "SELECT ?c WHERE { ?r a vb:UnresolvedReference ; vb:candidate ?c }", "c")
    assert cands == {f"{BASE}/doc/tw/qd/2018/124", f"{BASE}/doc/tw/qd/2023/124"}


def test_example_queries_run(seeded: Store) -> None:
    results = {}
    for rq in sorted((ROOT / "data" / "queries").glob("*.rq")):
        results[rq.stem] = list(seeded.rows(rq.read_text(encoding="utf-8")))
    assert {r["doc"] for r in results["implementers-transitive"]} == {CTR12, CV98}
    assert {r["value"] for r in results["conflicts"]} == {"2019-04-04", "2019-04-24"}
    assert {r["symbol"] for r in results["basis"] if "symbol" in r} >= {"12-CTr/TU", "04-TT/TU", "179/KH-TLĐ"}
    assert results["per-issuer-year"]


def test_rdflib_view(seeded: Store) -> None:
    from graph.rdflib_view import to_rdflib

    ds = to_rdflib(seeded)
    assert isinstance(ds, rdflib.Dataset)
    assert sum(1 for _ in ds.quads((None, None, None, None))) == len(seeded)
    g = to_rdflib(seeded, seeded.sources()[0]["g"])
    vbns = rdflib.Namespace("https://w3id.org/vanban/ontology#")
    assert (None, vbns.describes, None) in g


@given(st.lists(st.text(max_size=6), max_size=40), st.text(max_size=6))
def test_lookup_finds_every_value_and_nothing_else(column: list[str], probe: str) -> None:
    from graph.lineage import Lookup

    look = Lookup.sorting(column)
    for value in column:
        n = look.get(value)
        assert n is not None and column[n] == value
    assert (probe in look) == (probe in column)


@given(st.integers(1, 25).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(0, 7)), max_size=80),
    st.integers(0, n - 1), st.frozensets(st.integers(0, 7), min_size=1), st.integers(1, 6), st.booleans())))
def test_a_walk_is_a_breadth_first_search(case: tuple[int, list[tuple[int, int, int]], int, frozenset[int], int,
                                                      bool]) -> None:
    """Against networkx: every document within `depth`, once, at its shortest distance, each brought in
    by every relation (of those asked for) from one document one step nearer."""
    import networkx as nx

    from graph.lineage import RELATIONS, LineageIndex, Node

    n, edges, start, rels, depth, upward = case
    edges = sorted({(a, b, r) for a, b, r in edges if a != b})
    idx = LineageIndex.from_parts([Node(iri=f"x{i}", key=f"k{i}") for i in range(n)], edges, "s")
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from((a, b) if upward else (b, a) for a, b, r in edges if r in rels)
    want = {x: d for x, d in nx.single_source_shortest_path_length(g, start, cutoff=depth).items() if x != start}
    steps = list(idx.walk(start, rels, depth, upward))
    assert {s.node: s.depth for s in steps} == want and len(steps) == len(want)
    assert [s.depth for s in steps] == sorted(s.depth for s in steps)
    for s in steps:
        parents = {e[0] if upward else e[1] for e in s.edges}
        assert len(parents) == 1
        parent = parents.pop()
        assert (want.get(parent, 0) if parent != start else 0) == s.depth - 1
        a, b = (parent, s.node) if upward else (s.node, parent)
        assert sorted(e[2] for e in s.edges) == sorted(RELATIONS[r] for x, y, r in edges if (x, y) == (a, b)
                                                       and r in rels)
    for offset in range(len(steps) + 2):  # later pages read a recorded walk: the same steps
        assert list(idx.steps(start, rels, depth, upward, offset)) == steps[offset:]


def _semantic(idx: object) -> tuple[set[tuple[object, ...]], set[tuple[object, ...]]]:
    """An index's content by IRI (node numbers differ between an extended and a rebuilt index)."""
    from graph.lineage import LineageIndex

    assert isinstance(idx, LineageIndex)
    nodes = {(n.iri, n.key, n.symbol, n.kind, n.year, n.date, n.title, n.issuer, n.ingested) for n in idx.nodes}
    iri = idx.nodes.columns["iri"]
    edges = {(iri[a], iri[int(idx.out.dst[j])], int(idx.out.rel[j]),
              tuple((iri[q.stated_in], q.start, q.end, q.text) for q in idx.evidence.at(j)))
             for a in range(len(idx.nodes)) for j in range(idx.out.ptr[a], idx.out.ptr[a + 1])}
    return nodes, edges


def _store_quotes(store: GraphStore) -> dict[tuple[str, str, str], list[tuple[str, int, int, str]]]:
    """Every edge's quotes as the store holds them, the least PER_EDGE by (stating IRI, start, end, quote)."""
    from graph.lineage import PER_EDGE

    got: dict[tuple[str, str, str], set[tuple[str, int, int, str]]] = {}
    for r in store.rows("SELECT ?a ?b ?r ?s ?o ?q WHERE { GRAPH ?g { ?e vb:source ?a ; vb:target ?b ; "
                        "vb:relation ?r ; vb:offsets ?o ; vb:quote ?q } ?g vb:describes ?s . "
                        "?a a vb:Document . ?b a vb:Document }"):
        x, y = r["o"].split()[:2]
        got.setdefault((r["a"], r["b"], r["r"].rsplit("#", 1)[-1]), set()).add((r["s"], int(x), int(y), r["q"]))
    return {k: sorted(v, key=lambda t: (t[0], t[1], t[2], t[3].encode()))[:PER_EDGE] for k, v in got.items()}


def _index_quotes(idx: object) -> dict[tuple[str, str, str], list[tuple[str, int, int, str]]]:
    from graph.lineage import RELATION_PROPERTY, RELATIONS, LineageIndex

    assert isinstance(idx, LineageIndex)
    iri = idx.nodes.columns["iri"]
    return {(iri[a], iri[int(idx.out.dst[j])], RELATION_PROPERTY[RELATIONS[idx.out.rel[j]]]):
            [(iri[q.stated_in], q.start, q.end, q.text) for q in idx.evidence.at(j)]
            for a in range(len(idx.nodes)) for j in range(idx.out.ptr[a], idx.out.ptr[a + 1])
            if idx.evidence.at(j)}


def test_the_index_holds_the_quotes_the_store_holds(tmp_path: Path) -> None:
    """Real seeds and generated documents (edges stated by many sources, more than PER_EDGE of them)."""
    from graph.lineage import PER_EDGE, LineageIndex

    store = GraphStore(None)
    ingest([*write_generated(tmp_path / "docs", 150, seed=3), ROOT / "data" / "documents"], store, workers=0)
    idx = LineageIndex.build(store)
    expected = _store_quotes(store)
    assert _index_quotes(idx) == expected
    assert any(len(v) == PER_EDGE for v in expected.values())
    assert len(expected) == idx.out.count()  # every edge between documents is stated somewhere


def test_quotes_survive_a_restart_and_a_foreign_quotes_file_is_refused(tmp_path: Path) -> None:
    from graph.lineage import LineageIndex

    store = GraphStore(None)
    ingest([ROOT / "data" / "documents"], store, workers=0)
    idx = LineageIndex.build(store)
    a, b = tmp_path / "a.lineage", tmp_path / "b.lineage"
    idx.save(a)
    idx.save(b)
    loaded = LineageIndex.load(a)
    assert loaded is not None and _index_quotes(loaded) == _index_quotes(idx) != {}
    shutil.copy(tmp_path / "b.lineage.quotes", tmp_path / "a.lineage.quotes")  # same bytes, another save's token
    assert LineageIndex.load(a) is None
    raw = (tmp_path / "b.lineage.quotes").read_bytes()
    (tmp_path / "b.lineage.quotes").write_bytes(raw[:-5])
    assert LineageIndex.load(b) is None
    assert LineageIndex.open(store, b).stamp == store.stamp() and LineageIndex.load(b) is not None  # rebuilt


def test_an_index_extended_by_new_sources_equals_a_rebuilt_one(tmp_path: Path) -> None:
    from graph.lineage import LineageIndex

    files = write_generated(tmp_path / "docs", 120, seed=5)
    store = GraphStore(None)
    ingest([*files[:70], ROOT / "data" / "documents"], store, workers=0)
    before = LineageIndex.build(store)
    report = ingest(files[70:], store, workers=0)
    assert report.since == before.stamp and len(report.added) == 50 and not report.replaced
    extended = before.extended(store, report.added)
    rebuilt = LineageIndex.build(store)
    assert len(extended.nodes) == len(rebuilt.nodes) > len(before.nodes)
    assert _semantic(extended) == _semantic(rebuilt)
    assert all(extended.keys[k] is not None for k in rebuilt.nodes.columns["key"])


def test_an_index_from_what_ingest_wrote_equals_a_rebuilt_one(tmp_path: Path) -> None:
    """The CLI's path: the index takes each batch as it is written, into an empty store and then into
    one with a saved index (with batches small enough that there are several)."""
    from graph.lineage import Collector, LineageIndex

    files = write_generated(tmp_path / "docs", 120, seed=9)
    store, path = GraphStore(tmp_path / "store"), tmp_path / "store.lineage"
    for part, empty in ((files[:70], True), ([*files[70:], ROOT / "data" / "documents"], False)):
        assert store.is_empty() == empty
        got = Collector()
        report = ingest(part, store, workers=0, batch=16, collect=got.add_nquads)
        idx = LineageIndex.refresh(store, path, report.since, report.added, replaced=False, collected=got,
                                   empty_before=empty)
        assert idx.stamp == store.stamp() and _semantic(idx) == _semantic(LineageIndex.build(store))
        assert LineageIndex.load(path) is not None


def test_ingest_refreshes_the_saved_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.lineage import LineageIndex

    seeds = sorted((ROOT / "data" / "documents").glob("*.txt"))
    store = GraphStore(tmp_path / "store")
    path = tmp_path / "store.lineage"
    ingest([seeds[0]], store)
    LineageIndex.open(store, path)
    report = ingest([seeds[1]], store)
    idx = LineageIndex.refresh(store, path, report.since, report.added, replaced=False)
    assert idx.stamp == store.stamp() and _semantic(idx) == _semantic(LineageIndex.build(store))
    assert LineageIndex.load(path) is not None and LineageIndex.load(path).stamp == store.stamp()  # type: ignore[union-attr]


def test_claims_count_every_source_and_name_the_first_few(tmp_path: Path) -> None:
    """A document cited by many sources: each value's sources counted in full, at most `listed` named."""
    from graph.documents import claims_of
    from graph.lineage import LineageIndex

    store = GraphStore(None)
    ingest(write_generated(tmp_path / "docs", 150, seed=3), store, workers=0)
    idx = LineageIndex.build(store)
    iri = max(range(len(idx.nodes)), key=lambda n: len(idx.inc[n]))
    iri_s = idx.nodes[iri].iri
    keys = idx.nodes.columns["key"]
    want: dict[tuple[str, str], set[str]] = {}
    for r in store.rows(f"SELECT ?p ?v ?src WHERE {{ GRAPH ?g {{ <{iri_s}> ?p ?v }} ?g vb:describes ?src "
                        f"FILTER(isLiteral(?v)) }}"):
        want.setdefault((r["p"].rsplit("#", 1)[-1], r["v"]), set()).add(keys[idx.ids[r["src"]]])
    assert max(len(v) for v in want.values()) > 3
    full = claims_of(store, idx, iri_s, listed=10_000)
    assert {(p, c["value"]): set(c["sources"]) for p, cs in full.items() for c in cs} == want
    short = claims_of(store, idx, iri_s, listed=3)
    for p, cs in short.items():
        for c in cs:
            assert c["source_count"] == len(want[(p, c["value"])]) and len(c["sources"]) == min(3, c["source_count"])
            assert set(c["sources"]) <= want[(p, c["value"])]


def test_number_prefix_and_search_lookups_equal_a_scan(tmp_path: Path) -> None:
    """The sorted permutations that spare reading a reference a scan of every document find what the
    scan finds."""
    from graph.lineage import LineageIndex

    store = GraphStore(None)
    ingest([*write_generated(tmp_path / "docs", 150, seed=4), ROOT / "data" / "documents"], store, workers=0)
    idx = LineageIndex.build(store)
    keys = list(idx.nodes.columns["key"])
    for number in {k.rsplit("-", 1)[-1] for k in keys} | {"0", "999999", "02", "2"}:
        assert idx.numbered(number) == [n for n, k in enumerate(keys)
                                        if k.rsplit("-", 1)[-1].lstrip("0") == number.lstrip("0")]
    for prefix in {k[:i] for k in keys[::7] for i in (2, 6, 12)} | {"", "zz", "tw-nq-2021-0"}:
        assert idx.prefixed(prefix) == [n for n, k in enumerate(keys) if k.startswith(prefix)]


def test_a_store_of_the_earlier_graph_model_is_rewritten_by_the_next_ingest(tmp_path: Path) -> None:
    """A store whose sources were written in graph model 1 (no model recorded): the next ingest of their
    files reads them again although unchanged, and records the model once every source is rewritten."""
    from graph.rdf import MODEL

    docs = ROOT / "data" / "documents"
    store = GraphStore(tmp_path / "store")
    ingest([docs], store, workers=0)
    assert store.model() == MODEL
    m = store.meta_graph
    store.update(f"DELETE WHERE {{ GRAPH <{m}> {{ <{m}> vb:graphModel ?x }} }}")  # as model 1 left it
    assert store.model() == 1
    one = sorted(docs.iterdir())[0]
    report = ingest([one], store, workers=0)
    assert report.ingested == 1 and report.skipped == 0 and report.older_model == 1 and store.model() == 1
    assert "earlier graph model" in report.summary()
    report = ingest([docs], store, workers=0)
    assert report.ingested == 2 and report.older_model == 0 and store.model() == MODEL
    assert ingest([docs], store, workers=0).skipped == 2  # and from then on unchanged is unchanged
