"""The pages in a real headless Chromium (Debian's, driven by Playwright through its executable path: no
browser download) against a real server over the store `make run` builds: search → document → diagram
→ click an edge → its quote → the highlighted source; upload → search; and not one request leaves
127.0.0.1. Screenshots go to a temporary folder, or to docs/screenshots with VANBAN_SCREENSHOTS=docs
(`make screenshots`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from builders import docx, para
from servers import ROOT, Server, serve

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium (scripts/sysdeps installs it as root: "
                                "apt-get install chromium)")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions"]
TOKEN = "browser-admin-token"
NEW = ("ĐẢNG CỘNG SẢN VIỆT NAM\nTỈNH ỦY LAI CHÂU\nSố 77-KH/TU\nLai Châu, ngày 9 tháng 4 năm 2024\nKẾ HOẠCH\n"
       "tuyên truyền về công đoàn\nThực hiện Nghị quyết số 02-NQ/TW ngày 12/6/2021 của Bộ Chính trị về đổi mới tổ "
       "chức và hoạt động của Công đoàn Việt Nam trong tình hình mới, Ban Thường vụ Tỉnh ủy ban hành kế hoạch.\n")


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("VANBAN_SCREENSHOTS") == "docs":
        folder = ROOT / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = tmp_path_factory.mktemp("browser") / "store"
    built = subprocess.run([sys.executable, "-m", "graph", "ingest", "--quiet", "--store", str(store),
                            str(ROOT / "data" / "documents")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    s = serve(store, VANBAN_ADMIN_TOKEN=TOKEN)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh page that records every request it makes and every script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN")
    pg = context.new_page()
    pg.requests, pg.errors = [], []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    outside = [u for u in pg.requests if not u.startswith((server.base + "/", "data:"))]
    assert outside == [], f"requests that left 127.0.0.1: {outside}"
    assert pg.errors == [], pg.errors
    context.close()


def wait_diagram(pg: Any) -> None:
    pg.wait_for_selector("#cy[data-ready=true]", timeout=15_000)


def click_edge(pg: Any, source_label: str, target_label: str) -> None:
    """A real mouse click on the middle of the edge between two documents of the diagram."""
    pg.evaluate("() => new Promise(done => { document.getElementById('cy').scrollIntoView({block: 'center'}); "
                "requestAnimationFrame(() => requestAnimationFrame(done)); })")
    box = pg.locator("#cy").bounding_box()
    point = pg.evaluate("""([s, t]) => {
        const cy = window.vanbanDiagram;
        const e = cy.edges().filter(x => x.source().data('label') === s && x.target().data('label') === t)[0];
        const m = e.renderedMidpoint();
        return {x: m.x, y: m.y};
    }""", [source_label, target_label])
    pg.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_search_document_diagram_edge_quote_source(page: Any, server: Server, shots: Path) -> None:
    pg = page
    pg.goto(server.base + "/")
    pg.screenshot(path=str(shots / "home.png"))
    pg.fill("#q", "nghi quyet 02")
    pg.wait_for_selector("#suggest a", timeout=5_000)  # search as you type
    assert "02-NQ/TW" in pg.inner_text("#suggest")
    pg.click("form.searchform button[type=submit]")
    pg.wait_for_url("**/search?q=nghi+quyet+02*")
    assert pg.input_value("#q") == "nghi quyet 02"
    assert pg.locator("ol.docs li").first.inner_text().startswith("02-NQ/TW")
    pg.screenshot(path=str(shots / "search.png"), full_page=True)
    pg.click("ol.docs a.doc >> text=02-NQ/TW")
    pg.wait_for_url("**/documents/tw-nq-2021-02")
    wait_diagram(pg)
    labels = pg.evaluate("window.vanbanDiagram.nodes().map(n => n.data('label'))")
    assert {"02-NQ/TW", "12-CTr/TU", "98-CV/ĐĐ"} <= set(labels)
    panel = pg.locator("#coverage")  # who has implemented it, by province, with the timeline drawn
    assert panel.is_visible() and "Lai Châu" in panel.inner_text() and panel.locator("svg rect").count() >= 1
    panel.screenshot(path=str(shots / "coverage.png"))
    click_edge(pg, "98-CV/ĐĐ", "12-CTr/TU")
    pg.wait_for_selector("#edge-body blockquote", timeout=5_000)
    assert "12-CTr/TU" in pg.inner_text("#edge-body")
    pg.screenshot(path=str(shots / "document.png"))
    pg.screenshot(path=str(shots / "document-full.png"), full_page=True)
    pg.click("#edge-body a.src")
    pg.wait_for_url("**/sources/**")
    mark = pg.locator("mark#hl")
    assert mark.is_visible() and "12-CTr/TU" in mark.inner_text()
    pg.screenshot(path=str(shots / "source.png"))


def test_a_click_on_a_node_opens_that_document(page: Any, server: Server) -> None:
    pg = page
    pg.goto(server.base + "/documents/tw-nq-2021-02")
    wait_diagram(pg)
    box = pg.locator("#cy").bounding_box()
    at = pg.evaluate("(() => { const p = window.vanbanDiagram.nodes().filter(n => n.data('label') === '12-CTr/TU')[0]"
                     ".renderedPosition(); return {x: p.x, y: p.y}; })()")
    pg.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
    pg.wait_for_url("**/documents/lai-chau-tu-ctr-2021-12")


def test_other_pages_and_the_english_switch(page: Any, server: Server, shots: Path) -> None:
    pg = page
    for name, url in (("path", "/path?from=lai-chau-dd-cv-2023-98&to=tw-nq-2021-02"), ("conflicts", "/conflicts"),
                      ("sparql", "/sparql"), ("not-found", "/documents/tw-nq-2099-999")):
        pg.goto(server.base + url)
        if name == "path":
            wait_diagram(pg)
        if name == "sparql":
            pg.wait_for_selector(".CodeMirror", timeout=10_000)
            assert pg.locator(".tabsList .tab").count() >= 4  # the example queries, one tab each
        pg.screenshot(path=str(shots / f"{name}.png"))
    assert "không có văn bản" in pg.inner_text("#error").lower() or "no document" in pg.inner_text("#error")
    pg.goto(server.base + "/")
    pg.click("a.lang")
    pg.wait_for_selector("html[lang=en]")
    assert "Search" in pg.inner_text("header")
    pg.screenshot(path=str(shots / "home-en.png"))


def test_upload_then_search(page: Any, server: Server, shots: Path, tmp_path: Path) -> None:
    pg = page
    pg.goto(server.base + "/upload")
    pg.click("main a[href^='/login']")
    pg.fill("input[name=token]", TOKEN)
    pg.click("form.login button")
    pg.wait_for_url("**/upload")
    assert TOKEN not in pg.url
    f = tmp_path / "77-KH-TU.txt"
    f.write_text(NEW, encoding="utf-8")
    word = tmp_path / "78-KH-TU.docx"  # a Word file: read as the text is
    replacing = NEW.replace("77-KH", "78-KH").replace("ngày 9 tháng 4", "ngày 20 tháng 5") + (
        "Kế hoạch này thay thế Kế hoạch số 77-KH/TU ngày 9/4/2024 của Ban Thường vụ Tỉnh ủy.\n")
    word.write_bytes(docx("".join(para(line) for line in replacing.splitlines())))
    pg.set_input_files("#files", [str(f), str(word)])
    pg.click("#review")
    pg.wait_for_selector("#results tbody tr:nth-child(2)", timeout=30_000)
    assert "77-KH/TU" in pg.inner_text("#results") and "78-KH/TU" in pg.inner_text("#results")
    pg.screenshot(path=str(shots / "upload.png"))
    pg.click("#ingest")
    pg.locator("#status", has_text="ingested").wait_for(timeout=60_000)
    for symbol in ("77-KH/TU", "78-KH/TU"):
        pg.goto(server.base + "/search?q=" + symbol.replace("/", "%2F"))
        assert pg.locator("ol.docs li").first.inner_text().startswith(symbol)
    pg.goto(server.base + "/documents/tw-nq-2021-02")
    wait_diagram(pg)
    assert "77-KH/TU" in pg.evaluate("window.vanbanDiagram.nodes().map(n => n.data('label')).join(' ')")
    # the replaced plan: its validity badge, and the act with the sentence that says so
    pg.goto(server.base + "/documents/lai-chau-tu-kh-2024-77")
    assert "bị thay thế" in pg.inner_text("#validity-badge")
    acts = pg.inner_text("#validity-acts")
    assert "78-KH/TU" in acts and "thay thế Kế hoạch số 77-KH/TU" in acts
    pg.screenshot(path=str(shots / "validity.png"))
