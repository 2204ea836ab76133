"""The other candidate for search, measured on the same rows and queries: tantivy (Rust, through
tantivy-py). The rows are the ones vanban's SQLite FTS5 index holds (text folded by vanban, so the
whitespace tokenizer sees the same words); a query asks every word (a boolean query of term queries,
the last one a prefix regex when typed), ranked by tantivy's BM25, with the count of matches and, for
the faceted kinds, the same four facets counted by tantivy's own terms aggregation over fast fields
(over every match: its best shot)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from common import percentile

from graph.lineage import LineageIndex
from graph.search import FACETS, Query, query_words, rows


def build(idx: LineageIndex, folder: Path) -> tuple[Any, float]:
    import tantivy

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("text", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("iri", stored=True, tokenizer_name="raw", index_option="basic")
    for name in ("kind", "issuer", "province"):
        sb.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_unsigned_field("year", fast=True)
    sb.add_unsigned_field("rank", fast=True)
    index = tantivy.Index(sb.build(), path=str(folder))
    t = time.perf_counter()
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for r in rows(idx):
        doc = tantivy.Document()
        for name, value in (("text", r.text), ("iri", r.iri), ("kind", r.kind), ("issuer", r.issuer),
                            ("province", r.province)):
            doc.add_text(name, value)
        doc.add_unsigned("year", r.year)
        doc.add_unsigned("rank", r.rank)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, time.perf_counter() - t


def search(index: Any, q: Query, limit: int, facets: bool) -> list[str]:
    words = query_words(q.q)
    if not words:
        return []
    import re

    import tantivy

    schema = index.schema
    parts = [tantivy.Query.term_query(schema, "text", w) for w in words]
    if q.prefix and not words[-1].isdigit():
        parts[-1] = tantivy.Query.regex_query(schema, "text", re.escape(words[-1]) + ".*")
    query = tantivy.Query.boolean_query([(tantivy.Occur.Must, p) for p in parts])
    searcher = index.searcher()
    found = searcher.search(query, limit, count=True)
    iris = [searcher.doc(a)["iri"][0] for _, a in found.hits]
    if facets:
        searcher.aggregate(query, {name: {"terms": {"field": name, "size": 12}} for name in FACETS})
    return iris


def measure(idx: LineageIndex, folder: Path, queries: dict[str, list[Query]]) -> dict[str, Any]:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return {"skipped": "tantivy is not installed"}
    index, built = build(idx, folder)
    out: dict[str, Any] = {"build_s": round(built, 1),
                           "mb": round(sum(f.stat().st_size for f in folder.iterdir()) / 2**20, 1)}
    every: list[float] = []
    per: dict[str, Any] = {}
    for kind, qs in queries.items():
        xs = []
        for q in qs:
            t = time.perf_counter()
            search(index, q, 20, "facets" in kind)
            xs.append((time.perf_counter() - t) * 1000)
        every += xs
        per[kind] = {"p50_ms": round(percentile(xs, 50), 2), "p95_ms": round(percentile(xs, 95), 2)}
    out["by_kind"] = per
    out["all"] = {"p50_ms": round(percentile(every, 50), 2), "p95_ms": round(percentile(every, 95), 2)}
    return out
