"""Atom change feeds: valid for a feed reader (feedparser, no bozo), newest first, a new implementer in
the feed of what it implements within one ingest, each entry with its sentence."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
NEW = ("ĐẢNG CỘNG SẢN VIỆT NAM\nTỈNH ỦY LAI CHÂU\nSố 55-KH/TU\nLai Châu, ngày 5 tháng 3 năm 2024\nKẾ HOẠCH\n"
       "triển khai\nThực hiện Nghị quyết số 02-NQ/TW ngày 12/6/2021 của Bộ Chính trị về đổi mới tổ chức và hoạt "
       "động của Công đoàn Việt Nam trong tình hình mới, Ban Thường vụ Tỉnh ủy ban hành kế hoạch.\n")


@pytest.fixture(scope="module")
def client(seed_client: TestClient) -> TestClient:
    return seed_client


def parsed(client: TestClient, url: str) -> feedparser.FeedParserDict:
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_document_feed_lists_implementers_with_their_sentence(client: TestClient) -> None:
    feed = parsed(client, "/feeds/documents/tw-nq-2021-02.atom")
    assert "02-NQ/TW" in feed.feed.title and feed.feed.links
    titles = [e.title for e in feed.entries]
    assert any("12-CTr/TU" in t and "implements" in t for t in titles)
    entry = next(e for e in feed.entries if "12-CTr/TU" in e.title)
    assert "02-NQ/TW" in entry.summary and entry.link.endswith("/documents/lai-chau-tu-ctr-2021-12")
    assert entry.updated_parsed is not None


def test_a_new_implementer_is_in_the_feeds_within_one_ingest(client: TestClient) -> None:
    files = [("files", ("55-KH-TU.txt", NEW.encode(), "text/plain"))]
    done = client.post("/api/ingest", files=files, headers={"authorization": "Bearer s3cret"}).json()
    assert done["ingested"] == 1
    feed = parsed(client, "/feeds/documents/tw-nq-2021-02.atom")
    assert "55-KH/TU" in feed.entries[0].title  # newest first
    assert "Thực hiện Nghị quyết số 02-NQ/TW" in feed.entries[0].summary
    new = parsed(client, "/feeds/new.atom")
    assert "55-KH/TU" in new.entries[0].title and len(new.entries) == 3
    page = client.get("/documents/tw-nq-2021-02", headers={"accept": "text/html"}).text
    assert 'type="application/atom+xml"' in page and "/feeds/documents/tw-nq-2021-02.atom" in page


def test_unknown_document_feed_is_a_404(client: TestClient) -> None:
    assert client.get("/feeds/documents/tw-nq-2099-1.atom").status_code == 404
