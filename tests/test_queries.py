"""The leaner graph (model 2) answers every example query of data/queries with the same results as the
graph before it (model 1), on the seed documents and on the real corpus: the snapshots in
tests/golden/queries-model-1 were written by bench/query_snapshot.py running the model-1 code."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "queries-model-1"
sys.path.insert(0, str(ROOT / "bench"))

from query_snapshot import snapshot, stable  # noqa: E402


def _compare(corpus: Path, golden: Path) -> None:
    before = {name: stable(rows) for name, rows in json.loads(golden.read_text(encoding="utf-8")).items()}
    now = snapshot(corpus)
    assert set(now) == set(before) and sum(map(len, before.values())) >= 20  # (something to compare)
    for name, rows in before.items():
        assert now[name] == rows, f"{name}: {len(now[name])} rows now, {len(rows)} before"


def test_example_queries_answer_as_before_on_the_seeds() -> None:
    _compare(ROOT / "data" / "documents", GOLDEN / "seeds.json")


def test_example_queries_answer_as_before_on_the_real_corpus(shared: Path) -> None:
    _compare(shared / "corpus" / "real", GOLDEN / "real.json")


def test_the_graph_is_lean(tmp_path: Path) -> None:
    """Quads per generated document (the model-1 graph had 80.2): at most 40."""
    from generate import generate, graph_of, light

    quads = sum(graph_of((light(doc), text)).count("\n") for doc, text in generate(2000, 7))
    assert quads / 2000 <= 40, quads / 2000


def test_a_kind_is_named_through_the_ontology_graph(seed_store: object) -> None:
    """The lean graph states a kind's IRI only: its name and class come from the ontology, which the store
    holds as a graph of its own."""
    from graph.store import GraphStore

    assert isinstance(seed_store, GraphStore)
    rows = list(seed_store.rows(
        "SELECT ?name ?class WHERE { <https://w3id.org/vanban/doc/tw/nq/2021/02> vb:kind ?k . "
        "?k skos:prefLabel ?name ; rdfs:seeAlso ?class FILTER(LANG(?name) = 'vi') }"))
    assert rows == [{"name": "Nghị quyết", "class": "https://w3id.org/vanban/ontology#Resolution"}]
