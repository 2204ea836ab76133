"""Sources as the API and the CLI show them: the file each one came from, how it was read, and its
text as read — whole, or a window around a quote with the quote marked, so that every piece of
evidence can be shown where it stands."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from .errors import QueryError, UnknownDocument
from .read.model import page_of
from .store import Store

SOURCE_ID = re.compile(r"^[A-Za-z0-9._-]{1,200}$")
_RECORD = ("sourcePath", "contentHash", "sourceFormat", "pageCount", "pageStarts", "ocrPages", "ocrConfidence")


def _graph(store: Store, source: str) -> str:
    if not SOURCE_ID.match(source):
        raise UnknownDocument(f"no source {source!r}")
    return store.iris.graph(source)


def _fields(store: Store, graph: str, props: tuple[str, ...]) -> dict[str, str]:
    values = " ".join(f"vb:{p}" for p in props)
    found = {row["p"].rsplit("#", 1)[-1]: row["o"] for row in store.rows(
        f"SELECT ?p ?o WHERE {{ GRAPH <{graph}> {{ VALUES ?p {{ {values} }} <{graph}> ?p ?o }} }}")}
    if not found:
        raise UnknownDocument(f"no source {graph.rsplit('/', 1)[-1]!r}")
    return found


def _page_starts(raw: str | None) -> list[int]:
    return [int(x) for x in raw.split(",")] if raw else []


def record(store: Store, source: str) -> dict[str, Any]:
    """What is known of one source: its file, its hash, how it was read, the document it describes."""
    graph = _graph(store, source)
    f = _fields(store, graph, _RECORD)
    doc = next(iter(store.rows(f"SELECT ?d WHERE {{ GRAPH <{graph}> {{ <{graph}> vb:describes ?d }} }}")), {})
    ocr = None
    if "ocrPages" in f:
        ocr = {"pages": int(f["ocrPages"]), "mean_confidence": float(f.get("ocrConfidence", "0"))}
    return {"id": source, "graph": graph, "path": f.get("sourcePath"), "content_hash": f.get("contentHash"),
            "format": f.get("sourceFormat"), "pages": int(f["pageCount"]) if "pageCount" in f else None,
            "page_starts": _page_starts(f.get("pageStarts")), "ocr": ocr, "document": doc.get("d")}


def documents_of(store: Store, graphs: list[str]) -> dict[str, str]:
    """The document each of these source graphs describes (graph → document IRI), in one query."""
    if not graphs:
        return {}
    values = " ".join(f"<{g}>" for g in dict.fromkeys(graphs))
    return {row["g"]: row["d"] for row in store.rows(
        f"SELECT ?g ?d WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?g vb:describes ?d }} }}")}


def first_sources(store: Store, documents: list[str]) -> dict[str, str]:
    """A source id for each document (the first of its sources by id), in one query: where a quote's
    sentence can be shown."""
    if not documents:
        return {}
    values = " ".join(f"<{d}>" for d in dict.fromkeys(documents))
    found: dict[str, str] = {}
    for row in store.rows(f"SELECT ?d (MIN(STR(?g)) AS ?s) WHERE {{ VALUES ?d {{ {values} }} "
                          f"GRAPH ?g {{ ?g vb:describes ?d }} }} GROUP BY ?d"):
        found[row["d"]] = row["s"].rsplit("/", 1)[-1]
    return found


def sources_of(store: Store, document_iri: str) -> list[dict[str, Any]]:
    """Every source that describes a document (one file, or several copies of it)."""
    rows = store.rows(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g vb:describes <{document_iri}> }} }} ORDER BY ?g")
    return [record(store, row["g"].rsplit("/", 1)[-1]) for row in rows]


def text(store: Store, source: str, start: int | None = None, end: int | None = None,
         evidence: int | None = None, window: int | None = None, words: bool = False) -> dict[str, Any]:
    """A source's text as read. With a span (`start`/`end`, or the `evidence` node's mention) it is
    marked: `highlight` gives its offsets, its page and its text. With `window`, only that many
    characters either side of the span are returned (`offset` says where the excerpt begins).
    `words`: each OCR word in the returned text with its confidence (scans only)."""
    graph = _graph(store, source)
    f = _fields(store, graph, (*_RECORD, "text"))
    if "text" not in f:
        raise UnknownDocument(f"source {source!r} was stored without its text (ingested before vanban kept it: "
                              "ingest the file again)")
    full = f["text"]
    if evidence is not None:
        start, end = _evidence_span(store, graph, source, evidence)
    span = _span(start, end, len(full))
    lo, hi = 0, len(full)
    if window is not None and span is not None:
        lo, hi = max(0, span[0] - window), min(len(full), span[1] + window)
    out: dict[str, Any] = {"ok": True, "source": source, "path": f.get("sourcePath"), "format": f.get("sourceFormat"),
                           "pages": int(f["pageCount"]) if "pageCount" in f else None, "length": len(full),
                           "offset": lo, "text": full[lo:hi], "highlight": None}
    starts = _page_starts(f.get("pageStarts"))
    if span is not None:
        out["highlight"] = {"start": span[0], "end": span[1], "text": full[span[0] : span[1]],
                            "page": page_of(starts, span[0])}
    if words:
        out["words"] = _words(store, graph, lo, hi)
    return out


def _span(start: int | None, end: int | None, length: int) -> tuple[int, int] | None:
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise QueryError("give both start and end (or evidence)")
    if not 0 <= start <= end <= length:
        raise QueryError(f"span {start}–{end} is outside the text (0–{length})")
    return start, end


def _evidence_span(store: Store, graph: str, source: str, n: int) -> tuple[int, int]:
    iri = store.iris.evidence(source, n)
    for row in store.rows(f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ <{iri}> vb:offsets ?o }} }}"):
        start, end = row["o"].split()[:2]
        return int(start), int(end)
    raise UnknownDocument(f"source {source!r} has no evidence {n}")


def _words(store: Store, graph: str, lo: int, hi: int) -> list[dict[str, Any]]:
    raw = _fields(store, graph, ("sourcePath", "ocrWords")).get("ocrWords")
    if not raw:
        return []
    return [{"start": s, "end": e, "confidence": c, "page": p}
            for s, e, c, p in json.loads(raw) if s >= lo and e <= hi]


def quote_spans(store: Store, source: str) -> list[tuple[int, int]]:
    """The spans of every piece of evidence stated in a source (its mentions), in text order."""
    graph = _graph(store, source)
    return sorted({(int(r["s"]), int(r["e"])) for r in store.rows(
        f"SELECT ?s ?e WHERE {{ GRAPH <{graph}> {{ ?x vb:start ?s ; vb:end ?e }} }}")})


def marked(text: str, spans: list[tuple[int, int]], highlight: tuple[int, int] | None) -> list[dict[str, Any]]:
    """The text cut into pieces, quotes marked (`quote`, anchored `q1`, `q2`…) and the highlighted span
    marked `hl` (it wins where the two overlap). Pure: the page only prints the pieces."""
    marks = [(s, e, "quote") for s, e in spans if 0 <= s < e <= len(text)]
    if highlight is not None and 0 <= highlight[0] <= highlight[1] <= len(text):
        marks = [m for m in marks if m[1] <= highlight[0] or m[0] >= highlight[1]] + [(*highlight, "hl")]
    pieces: list[dict[str, Any]] = []
    at, n = 0, 0
    for s, e, kind in sorted(marks):
        if s < at:  # overlapping mentions: the first one stands
            continue
        if s > at:
            pieces.append({"text": text[at:s], "mark": None})
        n += kind == "quote"
        pieces.append({"text": text[s:e], "mark": kind, "id": "hl" if kind == "hl" else f"q{n}"})
        at = e
    if at < len(text):
        pieces.append({"text": text[at:], "mark": None})
    return pieces


def original(store: Store, source: str) -> Path | None:
    """The original file of a source, when it is still where it was read and unchanged (its hash)."""
    found = record(store, source)
    path = Path(found["path"]) if found.get("path") else None
    if path is None or not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(2**20):
            digest.update(chunk)
    return path if digest.hexdigest() == found.get("content_hash") else None
