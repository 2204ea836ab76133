"""Search over every document: a tantivy inverted index kept beside the lineage index.

Text is folded by vanban before tantivy sees it (`strip_marks`: no accents, đ → d, lower case) and
numbers lose their leading zeros, so `nghi quyet 57`, `57/NQ-TW` and `57 nq tw` all find Nghị quyết
57-NQ/TW. Chosen over SQLite FTS5 by measurement (`bench/pages.py`, 1M documents: p95 15 ms against
233 ms; FTS5 must walk every match of a broad word to rank or facet it, tantivy counts and aggregates
over columns). Matches come best first: a document whose own number is a number of the query (the `num`
field), then by rank (ingested, then with a symbol, then only cited), then in the order they were
indexed. `sync` brings the index in step after an ingest or a removal: it fingerprints every document
from the lineage index's columns and folds, deletes and adds only the rows that changed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import zlib
from array import array
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import tantivy

from .lineage import LineageIndex
from .text import strip_marks
from .vocab import load

FACETS = ("kind", "issuer", "year", "province")
FACETS_SHOWN = 12  # values listed per facet
SAFE_OFFSET = 1_000_000  # an offset tantivy is asked directly (beyond: only once the count allows it)
PREFIX_TERMS = 32  # an unfinished last word stands for its most frequent completions, at most this many
_TOKEN = re.compile(r"[0-9a-z]+")
STATE = "state.json"  # beside the tantivy files: the stamp synced, the next sequence number
ROWS = "rows.bin"  # the IRIs indexed and their fingerprints, to tell what changed at the next sync


def fold(text: str) -> list[str]:
    """The words of a text as the index holds them: folded, numbers without leading zeros."""
    return [t.lstrip("0") or "0" if t.isdigit() else t for t in _TOKEN.findall(strip_marks(text))]


def query_words(q: str) -> list[str]:
    """The words of a query that a document's text can hold: folded, stop words (search.toml) out."""
    words = fold(q)
    for stop in _stops():
        n = len(stop)
        words = [w for i, w in enumerate(words)
                 if not any(words[j : j + n] == stop for j in range(max(0, i - n + 1), i + 1))]
    return words


@lru_cache(maxsize=1)
def _stops() -> tuple[list[str], ...]:
    return tuple(fold(word) for word, _ in load().search_stops)


@dataclass(frozen=True)
class Row:
    """What the index holds of one document."""

    iri: str
    text: str
    number: str
    kind: str
    issuer: str
    year: int
    province: str
    rank: int  # an ingested document, then one with a symbol, comes before one only cited


def fingerprints(index: LineageIndex) -> array[int]:
    """A checksum of what the search holds of each document, from the raw columns (no folding): a row
    is folded again only when its checksum moved."""
    c, nodes = index.nodes.columns, index.nodes
    iri, key, sym, kind, title, issuer = (c[k] for k in ("iri", "key", "symbol", "kind", "title", "issuer"))
    years, ingested = nodes.years, nodes.ingested
    return array("I", (zlib.crc32(f"{iri[n]}\x1f{key[n]}\x1f{sym[n]}\x1f{kind[n]}\x1f{title[n]}\x1f{issuer[n]}"
                                  f"\x1f{years[n]}\x1f{ingested[n]}".encode()) for n in range(len(nodes))))


def rows(index: LineageIndex, which: Iterable[int] | None = None) -> Iterator[Row]:
    """Documents of the lineage index (all, or `which`) as search rows (kind names looked up once)."""
    c, nodes = index.nodes.columns, index.nodes
    vocab = load()
    names: dict[str, str] = {}
    for n in which if which is not None else range(len(nodes)):
        kind, key = c["kind"][n], c["key"][n]
        if kind not in names:
            names[kind] = " ".join(vocab.kind_words(kind)) if kind else ""
        province, issuer = c["scope"][n], c["issuer_code"][n]
        words = fold(" ".join((names[kind], kind, c["symbol"][n], c["title"][n], c["issuer"][n],
                               province.replace("-", " "), key)))
        number = c["number"][n]
        rank = 2 * nodes.ingested[n] + (1 if c["symbol"][n] else 0)
        yield Row(c["iri"][n], " ".join(words), number.lstrip("0") or number, kind, issuer.upper(),
                  nodes.years[n] or 0, province, rank)


@dataclass(frozen=True)
class Hits:
    """One page of matches, how many match, and the facets of every match."""

    iris: list[str]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    q: str = ""
    kind: str | None = None
    issuer: str | None = None
    year: int | None = None
    province: str | None = None
    prefix: bool = False  # the last word may be unfinished (search as you type)

    def words(self) -> list[str]:
        return query_words(self.q)


_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="vanban-facets")


def _schema() -> Any:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("text", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("num", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("iri", stored=True, tokenizer_name="raw", index_option="basic")
    for name in ("kind", "issuer", "province"):
        sb.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    for name in ("year", "rank", "seq"):
        sb.add_unsigned_field(name, fast=True, indexed=True)
    return sb.build()


class SearchIndex:
    """The inverted index: a tantivy folder (or memory), written only by `sync` (one writer: the server,
    or the CLI when no server holds the store), read by any number of threads."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._write = threading.Lock()
        self.schema = _schema()
        if path is not None:
            for old in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):  # the SQLite index of before
                if old.is_file():
                    old.unlink()
            path.mkdir(parents=True, exist_ok=True)
            try:
                self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
            except ValueError:  # written by another version of vanban: derived data, built again
                shutil.rmtree(path)
                path.mkdir(parents=True)
                self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        else:
            self.index = tantivy.Index(self.schema)
        self._state: dict[str, Any] = self._read_state()
        self._held: tuple[list[str], array[int]] | None = None  # in memory: what rows.bin holds on disk

    # -- state -------------------------------------------------------------------------------------

    def _read_state(self) -> dict[str, Any]:
        if self.path is None or not (self.path / STATE).exists():
            return {"stamp": None, "seq": 0}
        try:
            found: dict[str, Any] = json.loads((self.path / STATE).read_text(encoding="utf-8"))
            return found
        except (OSError, ValueError):
            return {"stamp": None, "seq": 0}

    def _write_state(self) -> None:
        if self.path is not None:
            tmp = self.path / (STATE + ".tmp")
            tmp.write_text(json.dumps(self._state), encoding="utf-8")
            tmp.replace(self.path / STATE)

    def _rows_held(self) -> tuple[list[str], array[int]]:
        if self._held is not None:
            return self._held
        if self.path is None or not (self.path / ROWS).exists() or self._state.get("stamp") is None:
            return [], array("I")
        raw = (self.path / ROWS).read_bytes()
        n = int.from_bytes(raw[:8], "little")
        fps = array("I")
        fps.frombytes(raw[8 : 8 + 4 * n])
        iris = raw[8 + 4 * n :].decode("utf-8").split("\x1f") if n else []
        return iris, fps

    def _save_rows(self, iris: list[str], fps: array[int]) -> None:
        if self.path is None:
            self._held = (iris, fps)
            return
        tmp = self.path / (ROWS + ".tmp")
        with tmp.open("wb") as f:
            f.write(len(fps).to_bytes(8, "little"))
            f.write(fps.tobytes())
            f.write("\x1f".join(iris).encode("utf-8"))
        os.replace(tmp, self.path / ROWS)

    @property
    def stamp(self) -> str | None:
        value = self._state.get("stamp")
        return str(value) if value is not None else None

    # -- writing -----------------------------------------------------------------------------------

    def sync(self, index: LineageIndex) -> int:
        """Bring the index in step with a lineage index: rows added, changed or gone. Returns how many
        rows changed (0 when the stamps already match)."""
        with self._write:
            if self.stamp == index.stamp:
                return 0
            old_iris, old_fps = self._rows_held()
            held = dict(zip(old_iris, old_fps, strict=True))
            fps = fingerprints(index)
            iris = list(index.nodes.columns["iri"])
            changed, renewed = [], []
            for n, iri in enumerate(iris):
                before = held.pop(iri, None)
                if before != fps[n]:
                    changed.append(n)
                    if before is not None:
                        renewed.append(iri)
            gone = list(held)
            del held
            writer = self.index.writer(heap_size=128_000_000, num_threads=1)
            if not old_iris:  # nothing known of what the index holds (a first build, or a sync cut short
                writer.delete_all_documents()  # after its commit): start from nothing, never twice a row
            for iri in (*gone, *renewed):
                writer.delete_documents_by_term("iri", iri)
            seq = int(self._state.get("seq", 0))
            for row in rows(index, changed):
                writer.add_document(self._document(row, seq))
                seq += 1
            writer.commit()
            writer.wait_merging_threads()
            self.index.reload()
            self._save_rows(iris, fps)
            self._state = {"stamp": index.stamp, "seq": seq}
            self._write_state()
            return len(changed) + len(gone)

    @staticmethod
    def _document(row: Row, seq: int) -> Any:
        doc = tantivy.Document()
        for name, value in (("text", row.text), ("num", row.number), ("iri", row.iri), ("kind", row.kind),
                            ("issuer", row.issuer), ("province", row.province)):
            doc.add_text(name, value)
        doc.add_unsigned("year", row.year)
        doc.add_unsigned("rank", row.rank)
        doc.add_unsigned("seq", seq)
        return doc

    # -- reading -----------------------------------------------------------------------------------

    def _filters(self, query: Query) -> list[Any]:
        found = []
        for name, value in (("kind", query.kind), ("issuer", query.issuer and query.issuer.upper()),
                            ("province", query.province)):
            if value:
                found.append(tantivy.Query.term_query(self.schema, name, value))
        if query.year:
            found.append(tantivy.Query.term_query(self.schema, "year", query.year))
        return found

    def _passes(self, searcher: Any, query: Query) -> list[Any]:
        """The queries asked in turn: documents whose own number is a number of the query, then the
        others (one pass when the query has no number); every document for no words and no filter."""
        words = query.words()
        must = [tantivy.Query.term_query(self.schema, "text", w) for w in words]
        if must and query.prefix and not words[-1].isdigit():
            must[-1] = self._completions(searcher, words[-1])
        must += self._filters(query)
        if not must:
            must = [tantivy.Query.all_query()]
        numbers = [w for w in words if w.isdigit()]
        if not numbers:
            return [self._all(must)]
        own = tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "num", n))
                                           for n in numbers])
        return [self._all([*must, own]),
                tantivy.Query.boolean_query([*((tantivy.Occur.Must, q) for q in must), (tantivy.Occur.MustNot, own)])]

    def _completions(self, searcher: Any, prefix: str) -> Any:
        """An unfinished word as its most frequent completions (a bounded union: `tr` alone has hundreds)."""
        found = sorted(searcher.terms_with_prefix("text", prefix), key=lambda tf: (-tf[1], tf[0]))[:PREFIX_TERMS]
        return tantivy.Query.term_set_query(self.schema, "text", [t for t, _ in found] or [prefix])

    @staticmethod
    def _all(parts: list[Any]) -> Any:
        return parts[0] if len(parts) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in parts])

    def search(self, query: Query, limit: int = 20, offset: int = 0, facets: bool = False) -> Hits:
        """One page of matches, best first (see the module's docstring)."""
        searcher = self.index.searcher()
        passes = self._passes(searcher, query)
        # the facets of a broad word (every match counted: ~17 ms at 1M) beside the page (tantivy lets the
        # GIL go: on two cores the two run at once)
        counting = _POOL.submit(self._facets, searcher, passes) if facets else None
        addresses: list[Any] = []
        total, skip = 0, offset
        for q in passes:
            want = limit - len(addresses)
            if want > 0 and skip <= SAFE_OFFSET:  # one evaluation: the page and the count together
                found: Any = searcher.search(q, want, count=True, order_by_field="rank", offset=skip)
                count = int(found.count)  # (tantivy's stubs omit `count`)
                addresses += [a for _, a in found.hits]
            else:  # counted first: tantivy allocates offset + limit slots, and aborts on an absurd offset
                counted: Any = searcher.search(q, 1, count=True)
                count = int(counted.count)
                if want > 0 and skip < count:
                    addresses += [a for _, a in searcher.search(q, want, count=False, order_by_field="rank",
                                                                offset=skip).hits]
            total += count
            skip = max(0, skip - count)
        iris = [searcher.doc(a)["iri"][0] for a in addresses]
        return Hits(iris, total, counting.result() if counting is not None else {})

    def _facets(self, searcher: Any, passes: list[Any]) -> dict[str, list[tuple[str, int]]]:
        """Counts by kind, issuer, year and province over every match (tantivy's terms aggregation)."""
        counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        spec = {name: {"terms": {"field": name, "size": FACETS_SHOWN * 2}} for name in FACETS}
        for q in passes:
            got = searcher.aggregate(q, spec)
            for name in FACETS:
                for bucket in got.get(name, {}).get("buckets", []):
                    value = str(bucket["key"]).removesuffix(".0")
                    if value not in ("", "0"):
                        counts[name][value] = counts[name].get(value, 0) + int(bucket["doc_count"])
        return {name: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:FACETS_SHOWN] for name, c in counts.items()}

    def latest(self, n: int = 10) -> list[str]:
        """The IRIs of the documents indexed last among those ingested (rank ≥ 2), newest first."""
        searcher = self.index.searcher()
        q = tantivy.Query.range_query(self.schema, "rank", tantivy.FieldType.Unsigned, 2, 3)
        found = searcher.search(q, n, count=False, order_by_field="seq")
        return [searcher.doc(a)["iri"][0] for _, a in found.hits]

    def newest(self, iris: list[str], n: int) -> list[str]:
        """Of these documents, the `n` indexed last, newest first (change feeds)."""
        if not iris:
            return []
        searcher = self.index.searcher()
        q = tantivy.Query.term_set_query(self.schema, "iri", iris)
        found = searcher.search(q, n, count=False, order_by_field="seq")
        return [searcher.doc(a)["iri"][0] for _, a in found.hits]

    def close(self) -> None:
        """Nothing to release: tantivy closes its files when the index goes."""
