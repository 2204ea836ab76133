"""The web pages through the real app and a real (in-memory) store: each page in both languages, nothing
loaded from another host, errors as pages, the lineage diagram's data, the source text highlighted,
login and upload."""

from __future__ import annotations

import csv
import html
import io
import re
import tomllib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.pages import ASSETS, HERE
from api.settings import Settings
from graph.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
HTML = {"accept": "text/html,application/xhtml+xml"}
PAGES = ["/", "/search", "/search?q=nghi+quyet+02", "/search?q=&kind=NQ", "/documents/tw-nq-2021-02",
         "/documents/lai-chau-dd-cv-2023-98", "/path", "/path?from=lai-chau-dd-cv-2023-98&to=tw-nq-2021-02",
         "/conflicts", "/upload", "/login", "/sparql"]


@pytest.fixture(scope="module")
def client(seed_client: TestClient) -> TestClient:
    return seed_client


def page(client: TestClient, url: str, lang: str = "vi") -> str:
    client.cookies.set("lang", lang)
    r = client.get(url, headers=HTML)
    assert r.status_code == 200, (url, r.text[-500:])
    assert r.headers["content-type"].startswith("text/html")
    return r.text


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_and_loads_only_local_assets(client: TestClient, url: str, lang: str) -> None:
    text = page(client, url, lang)
    if url != "/sparql":
        assert f'<html lang="{lang}">' in text
    urls = re.findall(r'(?:src|href|action)="([^"]*)"', text) + re.findall(r"url\(([^)]*)\)", text)
    remote = [u for u in urls if re.match(r"(?i)^(?:[a-z][a-z0-9+.-]*:)?//", u) or u.startswith(("http:", "https:"))]
    assert remote == [], (url, remote)
    for asset in {u for u in urls if u.startswith("/static/")}:
        assert client.get(asset).status_code == 200, asset


def test_assets_are_vendored_with_their_version_in_the_name() -> None:
    for name, path in ASSETS.items():
        assert (HERE / "static" / path).is_file(), name
        assert re.search(r"-\d+\.\d+\.\d+[.-]", path), path
    for vendored in (HERE / "static" / "vendor").glob("*.js"):
        text = vendored.read_text(encoding="utf-8", errors="replace")
        assert "cdn.jsdelivr" not in text and "unpkg.com" not in text, vendored


def test_both_languages_have_every_word_the_templates_use() -> None:
    words = {lang: tomllib.loads((HERE / "locales" / f"{lang}.toml").read_text(encoding="utf-8"))
             for lang in ("vi", "en")}
    assert words["vi"].keys() == words["en"].keys()
    used = set()
    for tpl in (HERE / "templates").glob("*.html"):
        used |= set(re.findall(r"\bt\.(\w+)", tpl.read_text(encoding="utf-8")))
        used |= set(re.findall(r"\bt\['(\w+)'\]", tpl.read_text(encoding="utf-8")))
    assert used and used <= words["vi"].keys(), used - words["vi"].keys()
    from graph.lineage import RELATIONS
    assert {f"relation_{r}" for r in RELATIONS} <= words["vi"].keys()


def test_vietnamese_first_and_the_english_switch(client: TestClient) -> None:
    client.cookies.clear()
    r = client.get("/", headers=HTML)
    assert '<html lang="vi">' in r.text and "Tìm kiếm" in r.text
    switched = client.get("/lang?to=en&next=/search", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/search"
    client.cookies.set("lang", "en")
    assert "Search" in client.get("/search", headers=HTML).text
    assert client.get("/lang?to=en&next=//evil.example/x", follow_redirects=False).headers["location"] == "/"
    client.cookies.clear()


def test_home_counts_and_lists(client: TestClient) -> None:
    text = page(client, "/")
    assert "02-NQ/TW" in text  # the most implemented document
    assert "98-CV/ĐĐ" in text or "570" in text  # the latest ingested
    assert client.get("/").json()["ok"] is True  # a script asking / still gets JSON
    assert "quads" in client.get("/api/stats").json()  # the home page's light counts are kept apart


def test_search_page(client: TestClient) -> None:
    text = page(client, "/search?q=nghi+quyet+02")
    assert re.search(r'href="/documents/tw-nq-2021-02">02-NQ/TW', text)
    assert "Loại văn bản" in text  # facets
    assert "Không tìm thấy" in page(client, "/search?q=zzzqqq")
    got = client.get("/api/documents", params={"q": "12 ctr tu", "facets": "true"}).json()
    assert got["items"][0]["symbol"] == "12-CTr/TU" and got["facets"]["province"][0]["value"] == "lai-chau"
    suggest = client.get("/api/documents", params={"q": "nghi qu", "prefix": "true", "limit": 3}).json()
    assert suggest["items"] and all(i["kind"] for i in suggest["items"])


def test_document_page_lineage_table_and_citations(client: TestClient) -> None:
    text = page(client, "/documents/tw-nq-2021-02")
    assert "02-NQ/TW" in text and 'id="cy"' in text and 'data-key="tw-nq-2021-02"' in text
    # sent in pieces: the diagram before the claims (a landmark's claims take long to count)
    assert text.index('id="cy"') < text.index("<!--flush-->") < text.index('<table class="claims">')
    assert "Bộ Chính trị" in text[text.index('<table class="claims">'):]
    table = text[text.index("lineage-table"):]
    assert "12-CTr/TU" in table and "98-CV/ĐĐ" in table
    assert 'href="/documents/tw-nq-2021-02/lineage.csv?direction=down"' in text
    assert re.search(r'href="/sources/[^"?]+\?start=\d+&amp;end=\d+#hl"', text)  # quotes open the source


def test_diagram_data(client: TestClient) -> None:
    d = client.get("/documents/tw-nq-2021-02/diagram.json").json()
    ids = {n["id"] for n in d["nodes"]}
    assert {"tw-nq-2021-02", "lai-chau-tu-ctr-2021-12", "lai-chau-dd-cv-2023-98"} <= ids
    edge = next(e for e in d["edges"]
                if e["source"] == "lai-chau-dd-cv-2023-98" and e["target"] == "lai-chau-tu-ctr-2021-12")
    assert edge["relation"] == "implements" and edge["quotes"]
    q = edge["quotes"][0]
    assert q["stated_in"] in d["sources"]
    src = client.get(f"/sources/{d['sources'][q['stated_in']]}?start={q['start']}&end={q['end']}", headers=HTML)
    mark = re.search(r'<mark id="hl" class="hl">(.*?)</mark>', src.text, re.S)
    assert mark and "12-CTr/TU" in mark.group(1)
    assert d["totals"] == {"up": 0, "down": 2}


def test_large_lineage_starts_grouped_and_expands() -> None:
    from graph.diagram import diagram
    from graph.lineage import LineageIndex, Node

    b = "https://w3id.org/vanban/doc/"
    nodes = [Node(b + "tw/nq/2024/57", "tw-nq-2024-57", "57-NQ/TW", "NQ", 2024)]
    provinces = ["lai-chau", "ha-noi", "hue"]
    nodes += [Node(b + f"{provinces[i % 3]}/tu/kh/2025/{i}", f"{provinces[i % 3]}-tu-kh-2025-{i}", f"{i}-KH/TU",
                   "KH", 2025) for i in range(1, 400)]
    edges = [(i, 0, 1) for i in range(1, 400)]  # relation 1: implements
    idx = LineageIndex.from_parts(nodes, edges, "s")
    d = diagram(idx, "tw-nq-2024-57", drawn=150)
    groups = [n for n in d["nodes"] if n.get("group")]
    assert len(groups) == 3 and sum(g["count"] for g in groups) == 399 and len(d["nodes"]) == 4
    assert {e["count"] for e in d["edges"]} == {133}
    opened = diagram(idx, "tw-nq-2024-57", frozenset({"g:down:1:hue"}), drawn=150)
    assert len([n for n in opened["nodes"] if not n.get("group")]) == 1 + 133
    assert d["totals"]["down"] == 399


def test_lineage_csv(client: TestClient) -> None:
    r = client.get("/documents/tw-nq-2021-02/lineage.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["symbol"] for row in rows} == {"12-CTr/TU", "98-CV/ĐĐ"}
    assert {row["depth"] for row in rows} == {"1", "2"}


def test_errors_as_pages_in_the_api_words(client: TestClient) -> None:
    r = client.get("/documents/tw-nq-2099-999", headers=HTML)
    api = client.get("/api/documents/tw-nq-2099-999")
    assert r.status_code == api.status_code == 404
    assert r.headers["content-type"].startswith("text/html") and api.json()["error"] in html.unescape(r.text)
    assert 'href="/search?q=tw%20nq%202099%20999"' in r.text
    assert client.get("/no/such/page", headers=HTML).headers["content-type"].startswith("text/html")
    assert client.get("/api/no/such", headers=HTML).headers["content-type"].startswith("application/json")


def test_path_and_conflicts_pages(client: TestClient) -> None:
    text = page(client, "/path?from=lai-chau-dd-cv-2023-98&to=tw-nq-2021-02")
    assert "12-CTr/TU" in text and "data-path=" in text
    assert page(client, "/path?from=tw-nq-2021-02&to=lai-chau-dd-cv-2023-98").count("12-CTr/TU") >= 1
    assert "<table class=\"conflicts\">" in page(client, "/conflicts")


def test_login_cookie_and_upload(client: TestClient, tmp_path: Path) -> None:
    assert "mã quản trị" in page(client, "/upload")
    bad = client.post("/login", data={"token": "wrong", "next": "/upload"}, headers=HTML)
    assert bad.status_code == 401
    ok = client.post("/login", data={"token": "s3cret", "next": "//evil.example"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "s3cret" not in ok.headers["location"]
    assert 'id="files"' in page(client, "/upload")
    text = ("ĐẢNG CỘNG SẢN VIỆT NAM\nTỈNH ỦY LAI CHÂU\nSố 31-KH/TU\nLai Châu, ngày 5 tháng 3 năm 2024\n"
            "KẾ HOẠCH\nthực hiện Chỉ thị của Bộ Chính trị\nThực hiện Nghị quyết số 02-NQ/TW ngày 12/6/2021 của Bộ "
            "Chính trị về đổi mới tổ chức và hoạt động của Công đoàn, Ban Thường vụ Tỉnh ủy ban hành kế hoạch.\n")
    files = [("files", ("31-KH-TU.txt", text.encode(), "text/plain"))]
    review = client.post("/api/extract", files=files).json()
    assert review["items"][0]["extraction"]["document"]["symbol"] == "31-KH/TU"
    done = client.post("/api/ingest", files=files).json()
    assert done["ingested"] == 1 and done["items"][0]["document"] == "lai-chau-tu-kh-2024-31"
    assert client.get("/api/documents", params={"q": "31-KH/TU"}).json()["items"][0]["key"] == "lai-chau-tu-kh-2024-31"
    assert "31-KH/TU" in page(client, "/documents/tw-nq-2021-02")
    client.post("/logout")
    client.cookies.clear()
    refused = client.post("/api/ingest", files=files)
    assert refused.status_code == 403


def test_uploads_are_bounded_and_admin_only(tmp_path: Path) -> None:
    store = GraphStore()
    cfg = Settings(store=None, admin_token="s3cret", query_processes=False, upload_max_mb=1, upload_max_files=3)
    with TestClient(create_app(cfg, store)) as c:
        auth = {"authorization": "Bearer s3cret"}
        big = [("files", ("big.txt", b"x" * (2 * 2**20), "text/plain"))]
        r = c.post("/api/ingest", files=big, headers=auth)
        assert r.status_code == 413 and "upload_max_mb" in r.json()["error"]
        many = [("files", (f"{i}.txt", b"van ban", "text/plain")) for i in range(5)]
        assert c.post("/api/ingest", files=many, headers=auth).status_code == 400
        assert c.post("/api/ingest", data={"x": "1"}, headers=auth).json()["error"].startswith("no files")
        assert c.post("/api/extract", files=many[:1]).status_code == 403
        evil = [("files", ("../../etc/passwd", b"Some text that is not a document at all.", "text/plain"))]
        got = c.post("/api/ingest", files=evil, headers=auth).json()
        assert all("/etc/" not in (i["name"] or "") for i in got["items"]), got
        denied = c.get("/upload", headers=HTML)
        assert "/login?next=/upload" in denied.text


@pytest.mark.parametrize("url", [
    "/search?q=%3Cscript%3Ealert(1)%3C/script%3E", "/search?q=%22NEAR(a%20b)%20OR%20*", "/search?q=" + "x" * 600,
    "/search?page=0", "/search?page=99999999", "/search?year=abcd", "/documents/" + "k" * 400,
    "/documents/%3Cimg%20src%3Dx%3E", "/path?from=%3Cb%3E&to=%3Ci%3E", "/sources/..%2F..%2Fetc",
    "/sources/x?start=-1&end=2", "/documents/tw-nq-2021-02/diagram.json?expand=" + "g:" * 2100,
    "/lang?to=%3Cscript%3E&next=javascript:alert(1)", "/login?next=https://evil.example/",
])
def test_hostile_page_requests(client: TestClient, url: str) -> None:
    """Every hostile request is answered (no 500), nothing it carries comes back unescaped, and no
    redirect leaves the server."""
    r = client.get(url, headers=HTML, follow_redirects=False)
    assert r.status_code < 500, (url, r.status_code)
    assert "<script>alert" not in r.text and "<img src=x>" not in r.text and "<b>" not in r.text.replace("<b>0", "")
    location = r.headers.get("location", "/")
    assert location.startswith("/") and not location.startswith("//")
