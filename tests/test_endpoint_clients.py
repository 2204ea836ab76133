"""Real SPARQL clients against a running server: uvicorn on a free loopback port, started here."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from servers import serve
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from graph.ingest import ingest
from graph.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
NQ02 = "https://w3id.org/vanban/doc/tw/nq/2021/02"
PREFIX = "PREFIX vb: <https://w3id.org/vanban/ontology#>\n"
IMPLEMENTERS = PREFIX + f"SELECT DISTINCT ?d WHERE {{ ?d vb:implements+ <{NQ02}> }} ORDER BY ?d"
TIMEOUT = 1.0


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("server")
    store = GraphStore(folder / "store")
    ingest([ROOT / "data" / "documents"], store)
    store.flush()
    del store
    gc.collect()  # release the store's lock before the server opens it
    server = serve(folder / "store", VANBAN_QUERY_TIMEOUT=str(TIMEOUT), VANBAN_ROW_CAP="100000000")
    try:
        yield server.base + "/sparql"
    finally:
        server.stop()


def _wrapper(endpoint: str, fmt: str, query: str = IMPLEMENTERS) -> SPARQLWrapper:
    w = SPARQLWrapper(endpoint)
    w.setQuery(query)
    w.setReturnFormat(fmt)
    return w


def test_sparqlwrapper_json(endpoint: str) -> None:
    res = _wrapper(endpoint, JSON).query().convert()
    assert [b["d"]["value"] for b in res["results"]["bindings"]] == [
        "https://w3id.org/vanban/doc/lai-chau/dd/cv/2023/98", "https://w3id.org/vanban/doc/lai-chau/tu/ctr/2021/12"]


def test_sparqlwrapper_xml(endpoint: str) -> None:
    doc = _wrapper(endpoint, XML).query().convert()
    uris = [n.firstChild.data for n in doc.getElementsByTagName("uri")]
    assert len(uris) == 2


@pytest.mark.parametrize("fmt", [CSV, TSV])
def test_sparqlwrapper_csv_tsv(endpoint: str, fmt: str) -> None:
    text = _wrapper(endpoint, fmt).query().convert().decode("utf-8")
    assert "lai-chau/tu/ctr/2021/12" in text and "lai-chau/dd/cv/2023/98" in text


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD])
def test_sparqlwrapper_construct(endpoint: str, fmt: str) -> None:
    q = PREFIX + "CONSTRUCT { ?d vb:implements ?t } WHERE { ?d vb:implements ?t }"
    res = _wrapper(endpoint, fmt, q).query().convert()
    g = res if isinstance(res, rdflib.Graph) else rdflib.Graph().parse(
        data=res, format={TURTLE: "turtle", N3: "n3", RDFXML: "xml", JSONLD: "json-ld"}[fmt])
    assert (rdflib.URIRef("https://w3id.org/vanban/doc/lai-chau/tu/ctr/2021/12"),
            rdflib.URIRef("https://w3id.org/vanban/ontology#implements"), rdflib.URIRef(NQ02)) in g


@pytest.mark.parametrize("fmt", ["xml", "json", "csv", "tsv"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore(endpoint: str, fmt: str, method: str) -> None:
    g = rdflib.Graph(store=SPARQLStore(endpoint, method=method, returnFormat=fmt))
    rows = list(g.query(IMPLEMENTERS))
    assert {str(r[0]) for r in rows} == {"https://w3id.org/vanban/doc/lai-chau/tu/ctr/2021/12",
                                         "https://w3id.org/vanban/doc/lai-chau/dd/cv/2023/98"}


def test_rdflib_sparqlstore_ask_construct(endpoint: str) -> None:
    g = rdflib.Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    assert bool(g.query(PREFIX + f"ASK {{ ?d vb:implements <{NQ02}> }}").askAnswer) is True
    triples = g.query(PREFIX + "CONSTRUCT { ?d vb:symbol ?s } WHERE { ?d vb:symbol ?s }")
    assert triples.graph is not None and len(triples.graph) == 16


def test_update_without_token_refused(endpoint: str) -> None:
    w = SPARQLWrapper(endpoint)
    w.setMethod("POST")
    w.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(Exception) as e:
        w.query()
    assert "403" in str(e.value) or "Forbidden" in type(e.value).__name__ or "read-only" in str(e.value)
    r = httpx.post(endpoint, data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    assert r.status_code == 403 and r.json()["ok"] is False


def test_rest_over_http(endpoint: str) -> None:
    base = endpoint.rsplit("/sparql", 1)[0]
    body = httpx.get(f"{base}/api/documents/tw-nq-2021-02/implementers", timeout=10).json()
    assert [(i["symbol"], i["depth"]) for i in body["items"]] == [("12-CTr/TU", 1), ("98-CV/ĐĐ", 2)]
    r = httpx.get(f"{base}/doc/tw/nq/2021/02", timeout=10)
    assert r.status_code == 303 and r.headers["location"] == "/api/documents/tw-nq-2021-02"


def test_slow_query_stopped_at_limit(endpoint: str) -> None:
    q = "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    t0 = time.monotonic()
    r = httpx.get(endpoint, params={"query": q}, timeout=30)
    took = time.monotonic() - t0
    assert r.status_code == 503 and "limit" in r.json()["error"]
    assert TIMEOUT <= took < TIMEOUT + 2.0, took
    # the server answers the next query at once
    t1 = time.monotonic()
    assert httpx.get(endpoint, params={"query": IMPLEMENTERS}, timeout=30).status_code == 200
    assert time.monotonic() - t1 < 2.0

