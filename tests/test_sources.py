"""A source's text as read, kept with it: the record of each file, its text with a quote marked, and
the evidence offsets pointing into it — through the real app and a real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import docx, para, table
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from graph.ingest import ingest
from graph.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
PLAN = docx(table([para("ỦY BAN NHÂN DÂN") + para("TỈNH LAI CHÂU") + para("Số: 12/KH-UBND"),
                   para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") + para("Lai Châu, ngày 5 tháng 3 năm 2024")])
            + para("KẾ HOẠCH") + para("Thực hiện Chương trình hành động số 12-CTr/TU ngày 28/9/2021 của Ban "
                                      "Thường vụ Tỉnh ủy về thực hiện Nghị quyết số 02-NQ/TW."))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("in")
    (folder / "plan.docx").write_bytes(PLAN)
    for seed in (ROOT / "data" / "documents").glob("*.txt"):
        (folder / seed.name).write_bytes(seed.read_bytes())
    store = GraphStore()
    ingest([folder], store)
    with TestClient(create_app(Settings(store=None), store)) as c:
        yield c


def _plan_source(client: TestClient) -> dict[str, object]:
    key = client.get("/api/documents", params={"q": "12/KH-UBND"}).json()["items"][0]["key"]
    items: list[dict[str, object]] = client.get(f"/api/documents/{key}/sources").json()["items"]
    assert len(items) == 1
    return items[0]


def test_source_record(client: TestClient) -> None:
    src = _plan_source(client)
    assert src["format"] == "docx" and str(src["path"]).endswith("plan.docx") and src["ocr"] is None
    again = client.get(f"/api/sources/{src['id']}").json()
    assert again["ok"] and again["content_hash"] == src["content_hash"] and len(str(src["content_hash"])) == 64


def test_every_evidence_offset_points_into_the_kept_text(client: TestClient) -> None:
    """Each link's quote, taken from the stored text at the evidence offsets, is the quote itself."""
    src = _plan_source(client)
    items = client.get("/api/documents/tw-nq-2021-02/implementers").json()["items"]
    evidence = [ev for i in items for e in i["edges"] for ev in e["evidence"] if ev["stated_in"] != "tw-nq-2021-02"]
    assert evidence
    for n in range(1, 4):
        body = client.get(f"/api/sources/{src['id']}/text", params={"evidence": n}).json()
        hl = body["highlight"]
        assert body["text"][hl["start"] : hl["end"]] == hl["text"] and hl["text"]
    whole = client.get(f"/api/sources/{src['id']}/text").json()
    assert whole["text"].splitlines()[:3] == ["ỦY BAN NHÂN DÂN", "TỈNH LAI CHÂU", "Số: 12/KH-UBND"]
    start = whole["text"].index("12-CTr/TU")
    window = client.get(f"/api/sources/{src['id']}/text",
                        params={"start": start, "end": start + 9, "window": 10}).json()
    assert window["offset"] == start - 10 and window["text"] == whole["text"][start - 10 : start + 19]
    assert window["highlight"]["text"] == "12-CTr/TU" and window["highlight"]["page"] is None


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [("/api/sources/no-such-source/text", {}, 404), ("/api/sources/..%2F..%2Fetc/text", {}, 404),
     ("/api/sources/{id}/text", {"start": 5}, 400), ("/api/sources/{id}/text", {"start": 10, "end": 5}, 400),
     ("/api/sources/{id}/text", {"start": 0, "end": 10**9}, 400), ("/api/sources/{id}/text", {"evidence": 999}, 404),
     ("/api/sources/a%3E%20%3Cb/text", {}, 422)],
)
def test_bad_requests(client: TestClient, path: str, params: dict[str, int], status: int) -> None:
    src = _plan_source(client)
    r = client.get(path.replace("{id}", str(src["id"])), params=params)
    assert r.status_code == status and r.json()["ok"] is False


def test_a_source_stored_before_its_text_was_kept_is_read_again(tmp_path: Path) -> None:
    """An unchanged file is skipped — unless its source was stored without the text as read (by an
    earlier vanban): then it is read again, and its graph replaced."""
    import hashlib

    from graph.extract import extract_source
    from graph.identity import source_id
    from graph.ingest import source_name
    from graph.rdf import build
    from graph.text import prepare
    from graph.vocab import load

    seed = sorted((ROOT / "data" / "documents").glob("*.txt"))[0]
    path = tmp_path / seed.name
    path.write_bytes(seed.read_bytes())
    name = source_name(path)
    old = build(extract_source(prepare(path.read_text(encoding="utf-8"), name)), source_id(name), name,
                hashlib.sha256(path.read_bytes()).hexdigest(), GraphStore().iris, load())
    store = GraphStore()
    store.add_sources([old.graph], old.nquads)
    assert store.sources_with_text() == set()
    report = ingest([path], store)
    assert (report.ingested, report.skipped, report.replaced) == (1, 0, [old.graph])
    assert store.sources_with_text() == {old.graph}
    assert ingest([path], store).skipped == 1
