"""The SPARQL endpoint through the real app (TestClient) and a real store: protocol, formats, errors."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from graph.store import Store

ROOT = Path(__file__).resolve().parent.parent
ACROSS_BACKENDS = True  # the seed store on each backend of conftest.BACKENDS
NQ02 = "https://w3id.org/vanban/doc/tw/nq/2021/02"
Q_SYMBOL = 'SELECT ?d WHERE { ?d vb:symbol "02-NQ/TW" }'


@pytest.fixture(scope="module")
def store(seed_store: Store) -> Store:
    return seed_store


@pytest.fixture(scope="module")
def client(store: Store) -> Iterator[TestClient]:
    app = create_app(Settings(store=None, row_cap=50, admin_token="s3cret"), store)
    with TestClient(app) as c:
        yield c


def test_select_json_get(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": Q_SYMBOL})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+json")
    assert r.json()["results"]["bindings"] == [{"d": {"type": "uri", "value": NQ02}}]


@pytest.mark.parametrize(
    ("accept", "fmt", "media"),
    [
        ("application/sparql-results+xml", None, "application/sparql-results+xml"),
        ("text/csv", None, "text/csv"),
        ("text/tab-separated-values", None, "text/tab-separated-values"),
        (None, "xml", "application/sparql-results+xml"),
        (None, "csv", "text/csv"),
        (None, "tsv", "text/tab-separated-values"),
        ("text/html;q=0.9, application/sparql-results+json", None, "application/sparql-results+json"),
    ],
)
def test_select_formats(client: TestClient, accept: str | None, fmt: str | None, media: str) -> None:
    headers = {"accept": accept} if accept else {}
    params = {"query": Q_SYMBOL} | ({"format": fmt} if fmt else {})
    r = client.get("/sparql", params=params, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert NQ02 in r.text
    if media == "text/csv":
        assert list(csv.reader(io.StringIO(r.text))) == [["d"], [NQ02]]
    if media == "application/sparql-results+xml":
        parsed = rdflib.query.Result.parse(io.BytesIO(r.content), format="xml")
        assert parsed.bindings[0][rdflib.Variable("d")] == rdflib.URIRef(NQ02)


@pytest.mark.parametrize("ctype", ["form", "sparql-query"])
def test_post(client: TestClient, ctype: str) -> None:
    if ctype == "form":
        r = client.post("/sparql", data={"query": Q_SYMBOL})
    else:
        r = client.post("/sparql", content=Q_SYMBOL, headers={"content-type": "application/sparql-query"})
    assert r.status_code == 200 and r.json()["results"]["bindings"][0]["d"]["value"] == NQ02


@pytest.mark.parametrize(
    ("fmt", "rdflib_format"),
    [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml"), ("trig", "trig"), ("nq", "nquads")],
)
def test_construct_formats(client: TestClient, fmt: str, rdflib_format: str) -> None:
    q = "CONSTRUCT { ?d vb:symbol ?s } WHERE { ?d vb:symbol ?s }"
    r = client.get("/sparql", params={"query": q, "format": fmt})
    assert r.status_code == 200
    if rdflib_format in ("trig", "nquads"):
        g = rdflib.Dataset()
        g.parse(data=r.text, format=rdflib_format)
        triples = {(s, p, o) for s, p, o, _ in g.quads()}
    else:
        triples = set(rdflib.Graph().parse(data=r.text, format=rdflib_format))
    assert (rdflib.URIRef(NQ02), rdflib.URIRef("https://w3id.org/vanban/ontology#symbol"),
            rdflib.Literal("02-NQ/TW")) in triples
    assert len({s for s, _, _ in triples}) == 16  # every document of the seeds has a symbol


def test_ask_and_describe(client: TestClient) -> None:
    assert client.get("/sparql", params={"query": f"ASK {{ <{NQ02}> ?p ?o }}"}).json() == {"head": {}, "boolean": True}
    r = client.get("/sparql", params={"query": f"DESCRIBE <{NQ02}>"}, headers={"accept": "text/turtle"})
    assert r.status_code == 200 and "02-NQ/TW" in r.text


def test_named_graph_parameters(client: TestClient, store: Store) -> None:
    g570 = next(s["g"] for s in store.sources() if s["path"].endswith("570-LDLD-2020-LaiChau.txt"))
    q = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a vb:Document }"
    only = client.get("/sparql", params={"query": q, "default-graph-uri": g570}).json()
    assert only["results"]["bindings"][0]["n"]["value"] == "5"
    named = client.get("/sparql", params={"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                                          "named-graph-uri": g570}).json()
    assert [b["g"]["value"] for b in named["results"]["bindings"]] == [g570]


def test_service_description_and_yasgui(client: TestClient) -> None:
    r = client.get("/sparql", headers={"accept": "text/turtle"})
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, rdflib.RDF.type, sd.Service) in g
    assert (None, sd.feature, sd.UnionDefaultGraph) in g
    assert (None, sd.feature, sd.BasicFederatedQuery) not in g  # no SERVICE endpoint is allowed
    page = client.get("/sparql", headers={"accept": "text/html,application/xhtml+xml"})
    assert page.headers["content-type"].startswith("text/html") and 'id="yasgui"' in page.text
    # YASGUI is served by vanban itself (no CDN): every script and stylesheet the page names is local
    named = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert all(a.startswith(("/", "data:")) and not a.startswith("//") for a in named)
    assets = [a for a in named if a.startswith("/static/")]
    # no autocompleter that would ask prefix.cc or LOV from an air-gapped network
    assert assets and 'autocompleters = ["variables"]' in client.get("/static/sparql-0.1.0.js").text
    for a in assets:
        got = client.get(a)
        assert got.status_code == 200 and len(got.content) > 100, a
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"query": "SELEC nothing"}, 400, "malformed"),
        ({"query": "SELECT * WHERE { ?s ?p ?o }"}, 413, "more than 50"),
        ({"query": Q_SYMBOL, "format": "ttl"}, 400, "not available"),
        ({"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, 403, "update"),
    ],
)
def test_one_error_shape(client: TestClient, params: dict[str, str], status: int, words: str) -> None:
    r = client.get("/sparql", params=params)
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"ok", "error", "status"} and body["ok"] is False and body["status"] == status
    assert words in body["error"]


def test_updates_need_the_token(client: TestClient, store: Store) -> None:
    update = "INSERT DATA { GRAPH <urn:test> { <urn:a> <urn:b> <urn:c> } }"
    assert client.post("/sparql", data={"update": update}).status_code == 403
    wrong = client.post("/sparql", content=update, headers={"content-type": "application/sparql-update",
                                                            "authorization": "Bearer nope"})
    assert wrong.status_code == 403
    assert not bool(store.query("ASK { <urn:a> <urn:b> <urn:c> }"))
    ok = client.post("/sparql", content=update, headers={"content-type": "application/sparql-update",
                                                         "authorization": "Bearer s3cret"})
    assert ok.status_code == 204
    assert client.get("/sparql", params={"query": "ASK { <urn:a> <urn:b> <urn:c> }"}).json()["boolean"] is True
    store.update_derived("DROP SILENT GRAPH <urn:test>")


def test_read_only_without_token(store: Store) -> None:
    with TestClient(create_app(Settings(store=None), store)) as c:
        r = c.post("/sparql", content="INSERT DATA { <urn:x> <urn:y> <urn:z> }",
                   headers={"content-type": "application/sparql-update", "authorization": "Bearer "})
        assert r.status_code == 403


def test_cors(store: Store) -> None:
    with TestClient(create_app(Settings(store=None, cors_origins=["https://analyst.example"]), store)) as c:
        r = c.options("/sparql", headers={"origin": "https://analyst.example", "access-control-request-method": "GET"})
        assert r.headers["access-control-allow-origin"] == "https://analyst.example"
    with TestClient(create_app(Settings(store=None), store)) as c:
        r = c.get("/sparql", params={"query": Q_SYMBOL}, headers={"origin": "https://analyst.example"})
        assert "access-control-allow-origin" not in r.headers


def test_settings_documented() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"VANBAN_{name.upper()}" in readme, name


def test_openapi_has_stable_ids(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {"sparql_get", "sparql_post"} <= ids


def test_example_queries_through_endpoint(client: TestClient) -> None:
    for rq in sorted((ROOT / "data" / "queries").glob("*.rq")):
        r = client.post("/sparql", data={"query": rq.read_text(encoding="utf-8")})
        assert r.status_code == 200, (rq.name, r.text)
        assert json.loads(r.text)["results"]["bindings"], rq.name
    assert re.search(r"vb:implements", (ROOT / "data" / "queries" / "implementers-transitive.rq").read_text())


def test_form_bodies_in_raw_utf8_are_read(client: TestClient) -> None:
    """`curl -d 'query=…'` sends the query's Vietnamese letters raw, not percent-encoded: read as UTF-8;
    bytes that are no UTF-8 are a 400."""
    q = 'PREFIX vb: <https://w3id.org/vanban/ontology#> ASK { ?d vb:title ?t FILTER(CONTAINS(?t, "Nghị")) }'
    r = client.post("/sparql", content=b"query=" + q.encode("utf-8"),
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and "boolean" in r.json()
    form = {"content-type": "application/x-www-form-urlencoded"}
    r = client.post("/sparql", content=b"query=ASK%20{}\xff", headers=form)
    assert r.status_code == 400 and r.json()["ok"] is False


def test_api_docs_are_served_offline(client: TestClient) -> None:
    """/docs names only scripts and styles vanban serves itself (no CDN), and they are there."""
    page = client.get("/docs")
    assert page.status_code == 200 and 'id="swagger-ui"' in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/static/") for a in assets)
    for a in assets:
        assert client.get(a).status_code == 200, a
