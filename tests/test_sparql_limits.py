"""The row cap holds however the results are written: Oxigraph's own serializers (JSON, XML, TSV) are
counted by marks that cannot occur inside a value, CSV by the Python path; values that look like
those marks do not fool the count."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from graph.errors import RowCapExceeded
from graph.sparql import Limits, answer
from graph.store import GraphStore

TRICKY = ['a,{"b', '[{"x": 1}]', "line\nbreak", "<result>", "tab\tand\nnewline", 'q"uote', "plain"]


@pytest.fixture(scope="module")
def store() -> GraphStore:
    s = GraphStore()
    g = ox.NamedNode("https://example.org/g")
    p = ox.NamedNode("https://example.org/p")
    s.ox.extend(ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), p, ox.Literal(TRICKY[i % len(TRICKY)]), g)
                for i in range(40))
    return s


QUERY = "SELECT ?s ?o WHERE { ?s <https://example.org/p> ?o } LIMIT {n}"


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv", "csv"])
@pytest.mark.parametrize("n", [0, 1, 7, 39])
def test_exactly_the_cap_passes_and_one_more_fails(store: GraphStore, fmt: str, n: int) -> None:
    body, media = answer(store, QUERY.replace("{n}", str(n)), Limits(row_cap=n), None, fmt)
    assert body and media
    if fmt == "json":
        assert len(json.loads(body)["results"]["bindings"]) == n
    with pytest.raises(RowCapExceeded):
        answer(store, QUERY.replace("{n}", str(n + 1)), Limits(row_cap=n), None, fmt)


def test_native_json_is_what_the_python_path_would_write(store: GraphStore) -> None:
    from graph.sparql import execute, serialize

    q = QUERY.replace("{n}", "40")
    native, _ = answer(store, q, Limits(), None, "json")
    by_hand = serialize(execute(store, q, Limits()), "json")
    rows = lambda b: sorted(json.dumps(r, sort_keys=True) for r in json.loads(b)["results"]["bindings"])  # noqa: E731
    assert rows(native) == rows(by_hand)
