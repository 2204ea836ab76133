"""Change feeds (Atom, RFC 4287): per document, the documents that implement, guide, amend, replace,
repeal or cite it, each entry with the sentence that says so; and one for everything ingested. Newest
first by when their source was stored (the search index keeps the order documents were indexed in).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from .documents import find
from .lineage import RELATIONS, LineageIndex
from .search import SearchIndex
from .store import Store

ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 50
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_STORED = "<http://www.w3.org/ns/prov#generatedAtTime>"


def _clean(text: str) -> str:
    """Text XML may hold (a control character in a quote would make the feed unreadable)."""
    return _CONTROL.sub(" ", text)


def stored_at(store: Store, documents: list[str]) -> dict[str, str]:
    """When the newest source of each document was stored (ISO time), in one query."""
    if not documents:
        return {}
    values = " ".join(f"<{d}>" for d in dict.fromkeys(documents))
    return {row["d"]: row["t"] for row in store.rows(
        f"SELECT ?d (MAX(STR(?at)) AS ?t) WHERE {{ VALUES ?d {{ {values} }} GRAPH ?g {{ ?g vb:describes ?d ; "
        f"{_STORED} ?at }} }} GROUP BY ?d")}


def _feed(feed_id: str, title: str, self_url: str, page_url: str, updated: str) -> ET.Element:
    feed = ET.Element("feed", {"xmlns": ATOM})
    ET.SubElement(feed, "id").text = feed_id
    ET.SubElement(feed, "title").text = _clean(title)
    ET.SubElement(feed, "updated").text = updated
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": self_url})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": page_url})
    author = ET.SubElement(feed, "author")
    ET.SubElement(author, "name").text = "vanban"
    ET.SubElement(feed, "generator").text = "vanban"
    return feed


def _entry(feed: ET.Element, entry_id: str, title: str, updated: str, link: str, summary: str) -> None:
    entry = ET.SubElement(feed, "entry")
    ET.SubElement(entry, "id").text = entry_id
    ET.SubElement(entry, "title").text = _clean(title)
    ET.SubElement(entry, "updated").text = updated
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": link})
    ET.SubElement(entry, "summary").text = _clean(summary)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _atom_time(value: str | None) -> str:
    """An RFC 3339 time (Atom's), from what the store holds."""
    if not value:
        return _now()
    return value if value.endswith("Z") or "+" in value[10:] else value + "Z"


def _label(index: LineageIndex, n: int) -> str:
    c = index.nodes.columns
    return str(c["symbol"][n] or c["title"][n] or c["key"][n])


def document_feed(store: Store, index: LineageIndex, search: SearchIndex, key: str, base: str) -> bytes:
    """What acts on or cites one document, newest first (at most ENTRIES)."""
    n = find(index, key)
    c = index.nodes.columns
    citing: dict[str, list[tuple[int, str]]] = {}
    for a, r in index.inc[n]:
        citing.setdefault(c["iri"][a], []).append((a, RELATIONS[r]))
    newest = search.newest(list(citing), ENTRIES)
    times = stored_at(store, newest)
    page = f"{base}/documents/{key}"
    feed = _feed(c["iri"][n] + "#feed", f"vanban — {_label(index, n)}", f"{base}/feeds/documents/{key}.atom", page,
                 _atom_time(max(times.values(), default=None)))
    for iri in newest:
        for a, rel in citing[iri]:
            quotes = index.quotes(a, n, RELATIONS.index(rel))
            _entry(feed, f"{iri}#{rel}", f"{_label(index, a)} — {rel} — {_label(index, n)}", _atom_time(times.get(iri)),
                   f"{base}/documents/{c['key'][a]}", quotes[0].text if quotes else f"{_label(index, a)} {rel}")
    return _serialised(feed)


def new_feed(store: Store, index: LineageIndex, search: SearchIndex, base: str) -> bytes:
    """Everything ingested, newest first (at most ENTRIES)."""
    latest = search.latest(ENTRIES)
    times = stored_at(store, latest)
    feed = _feed(f"{base}/feeds/new.atom", "vanban — văn bản mới", f"{base}/feeds/new.atom", f"{base}/",
                 _atom_time(max(times.values(), default=None)))
    c = index.nodes.columns
    for iri in latest:
        n = index.ids.get(iri)
        if n is None:
            continue
        title = c["title"][n]
        _entry(feed, iri, _label(index, n), _atom_time(times.get(iri)), f"{base}/documents/{c['key'][n]}",
               " — ".join(x for x in (c["symbol"][n], c["date"][n], title) if x))
    return _serialised(feed)


def _serialised(feed: ET.Element) -> bytes:
    data: Any = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return bytes(data)
