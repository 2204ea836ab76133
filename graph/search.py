"""Search over every document: an SQLite FTS5 inverted index kept beside the lineage index.

Text is folded before SQLite sees it (`strip_marks`: no accents, đ → d, lower case; FTS5's own
`remove_diacritics` keeps đ) and numbers lose their leading zeros, so `nghi quyet 57`, `57/NQ-TW` and
`57 nq tw` all find Nghị quyết 57-NQ/TW. The index file records the lineage index stamp it matches;
`sync` brings it in step after an ingest or a removal by changing only the rows that changed.

Ranking costs nothing at query time: a row's id carries its rank in its high bits (ingested documents,
then those with a symbol, then those only cited), and FTS5 yields matches in id order, so a page is the
first matches found and a search stops there instead of sorting every match. A number of the query that
is a document's own number ranks it first: those documents are asked for first (the `num` column).
"""

from __future__ import annotations

import re
import sqlite3
import threading
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .lineage import LineageIndex
from .text import strip_marks
from .vocab import load

FACETS = ("kind", "issuer", "year", "province")
COUNT_CAP = 10_000  # matches counted exactly up to this many: "10 000+" beyond
FACET_SAMPLE = 5_000  # facets count the first (best ranked) matches up to this many
RANK_SHIFT = 40  # id = (3 - rank) << RANK_SHIFT | sequence: id order is rank order
_TOKEN = re.compile(r"[0-9a-z]+")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS docs(id INTEGER PRIMARY KEY, iri TEXT UNIQUE NOT NULL, key TEXT NOT NULL,
  number TEXT, kind TEXT, issuer TEXT, year INTEGER, province TEXT, rank INTEGER, fp INTEGER);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(num, text, tokenize = 'unicode61 remove_diacritics 0');
"""


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
    key: str
    text: str
    number: str
    kind: str
    issuer: str
    year: int
    province: str
    rank: int  # an ingested document, then one with a symbol, comes before one only cited

    @property
    def fingerprint(self) -> int:
        return zlib.crc32("\x1f".join(map(str, (self.text, self.number, self.kind, self.issuer, self.year,
                                                 self.province, self.rank))).encode())


def scope_of(iri: str) -> tuple[str, str]:
    """(province slug, issuer code) of a document IRI `…/doc/[province/]issuer/kind/year/number`; empty
    where the IRI does not say (a document known by name, or only as a source)."""
    parts = iri.split("/doc/", 1)[-1].split("/")
    if parts[0] in ("name", "source") or len(parts) < 4:
        return "", ""
    if len(parts) >= 5:
        return ("" if parts[0] == "_" else parts[0]), parts[1]
    return "", parts[0]


def rows(index: LineageIndex) -> Iterator[Row]:
    """Each document of the lineage index as a search row (kind names looked up once per kind)."""
    c, nodes = index.nodes.columns, index.nodes
    vocab = load()
    names: dict[str, str] = {}
    for n in range(len(nodes)):
        kind, key = c["kind"][n], c["key"][n]
        if kind not in names:
            names[kind] = " ".join(vocab.kind_words(kind)) if kind else ""
        province, issuer = scope_of(c["iri"][n])
        words = fold(" ".join((names[kind], kind, c["symbol"][n], c["title"][n], c["issuer"][n],
                               province.replace("-", " "), key)))
        number = key.rsplit("-", 1)[-1]
        rank = 2 * nodes.ingested[n] + (1 if c["symbol"][n] else 0)
        yield Row(c["iri"][n], key, " ".join(words), number.lstrip("0") or number, kind, issuer.upper(),
                  nodes.years[n] or 0, province, rank)


@dataclass(frozen=True)
class Hits:
    """One page of matches, the number of matches (exact up to COUNT_CAP) and the facets of the best
    FACET_SAMPLE matches."""

    iris: list[str]
    total: int
    capped: bool
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    q: str = ""
    kind: str | None = None
    issuer: str | None = None
    year: int | None = None
    province: str | None = None
    prefix: bool = False  # the last word may be unfinished (search as you type)

    def terms(self) -> list[str]:
        words = query_words(self.q)
        terms = [f'"{w}"' for w in words]
        if terms and self.prefix and not words[-1].isdigit():
            terms[-1] += "*"
        return terms

    def passes(self) -> list[str | None]:
        """The FTS5 queries asked in turn: documents whose own number is a number of the query, then the
        others; one pass without numbers; [None] for no words (filters only)."""
        terms = self.terms()
        if not terms:
            return [None]
        numbers = [t for t in terms if t.strip('"').isdigit()]
        if not numbers:
            return [" AND ".join(terms)]
        own = "{num} : (" + " OR ".join(numbers) + ")"
        everything = " AND ".join(terms)
        return [f"{everything} AND {own}", f"{everything} NOT {own}"]

    def filters(self) -> tuple[str, list[object]]:
        sql: list[str] = []
        args: list[object] = []
        for name, value in (("kind", self.kind), ("issuer", self.issuer and self.issuer.upper()),
                            ("year", self.year), ("province", self.province)):
            if value not in (None, ""):
                sql.append(f"d.{name} = ?")
                args.append(value)
        return "".join(f" AND {s}" for s in sql), args


class SearchIndex:
    """The inverted index: one SQLite file (WAL: searches read while a sync writes), or memory."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._local = threading.local()
        self._write = threading.Lock()
        self._memory = sqlite3.connect(":memory:", check_same_thread=False) if path is None else None
        with self._write:
            self._conn().executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        if self._memory is not None:
            return self._memory
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @property
    def stamp(self) -> str | None:
        row = self._conn().execute("SELECT value FROM meta WHERE name = 'stamp'").fetchone()
        return str(row[0]) if row else None

    def sync(self, index: LineageIndex) -> int:
        """Bring the index in step with a lineage index: rows added, changed or gone. Returns how many
        rows changed (0 when the stamps already match)."""
        with self._write:
            conn = self._conn()
            if self.stamp == index.stamp:
                return 0
            held = dict(conn.execute("SELECT iri, fp FROM docs"))
            fresh, changed = [], []
            for row in rows(index):
                fp = held.pop(row.iri, None)
                if fp is None:
                    fresh.append(row)
                elif fp != row.fingerprint:
                    changed.append(row)
            with conn:
                self._delete(conn, [*held, *(r.iri for r in changed)])
                self._insert(conn, [*fresh, *changed])
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (index.stamp,))
            return len(fresh) + len(changed) + len(held)

    @staticmethod
    def _delete(conn: sqlite3.Connection, iris: list[str]) -> None:
        for i in range(0, len(iris), 500):
            chunk = iris[i : i + 500]
            marks = ",".join("?" * len(chunk))
            conn.execute(f"DELETE FROM fts WHERE rowid IN (SELECT id FROM docs WHERE iri IN ({marks}))", chunk)
            conn.execute(f"DELETE FROM docs WHERE iri IN ({marks})", chunk)

    @staticmethod
    def _insert(conn: sqlite3.Connection, new: list[Row]) -> None:
        row = conn.execute("SELECT value FROM meta WHERE name = 'sequence'").fetchone()
        start = int(row[0]) if row else 0
        ids = [((3 - r.rank) << RANK_SHIFT) | (start + i) for i, r in enumerate(new)]
        conn.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?,?)", (
            (i, r.iri, r.key, r.number, r.kind, r.issuer, r.year, r.province, r.rank, r.fingerprint)
            for i, r in zip(ids, new, strict=True)))
        conn.executemany("INSERT INTO fts(rowid, num, text) VALUES (?, ?, ?)",
                         ((i, r.number, r.text) for i, r in zip(ids, new, strict=True)))
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('sequence', ?)", (str(start + len(new)),))

    def search(self, query: Query, limit: int = 20, offset: int = 0, facets: bool = False) -> Hits:
        """Matches best first (see the module's docstring): the passes in turn, each in id order, so that
        a page costs the matches before it, not every match."""
        conn = self._conn()
        where, args = query.filters()
        ids: list[int] = []
        total, capped, skip = 0, False, offset
        sources = []
        for match in query.passes():
            base, base_args = self._source(match, where, args)
            sources.append((base, base_args))
            count = conn.execute(f"SELECT count(*) FROM (SELECT 1 {base} LIMIT {COUNT_CAP + 1})",
                                 base_args).fetchone()[0]
            capped = capped or count > COUNT_CAP
            total += min(count, COUNT_CAP)
            want = limit - len(ids)
            if want > 0 and skip < count:
                ids += [r[0] for r in conn.execute(f"SELECT d.id {base} ORDER BY d.id LIMIT ? OFFSET ?",
                                                   [*base_args, want, skip])]
            skip = max(0, skip - count)
        iris = self._iris(conn, ids)
        found = self._facets(conn, sources) if facets else {}
        return Hits(iris, min(total, COUNT_CAP), capped or total > COUNT_CAP, found)

    @staticmethod
    def _source(match: str | None, where: str, args: list[object]) -> tuple[str, list[object]]:
        if match is None:
            return f"FROM docs d WHERE 1{where}", list(args)
        return f"FROM fts JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ?{where}", [match, *args]

    @staticmethod
    def _iris(conn: sqlite3.Connection, ids: list[int]) -> list[str]:
        if not ids:
            return []
        got = dict(conn.execute(f"SELECT id, iri FROM docs WHERE id IN ({','.join('?' * len(ids))})", ids))
        return [got[i] for i in ids]

    @staticmethod
    def _facets(conn: sqlite3.Connection,
                sources: list[tuple[str, list[object]]]) -> dict[str, list[tuple[str, int]]]:
        """Counts by kind, issuer, year and province among the best FACET_SAMPLE matches, one read."""
        counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
        left = FACET_SAMPLE
        for base, base_args in sources:
            if left <= 0:
                break
            for row in conn.execute(f"SELECT d.kind, d.issuer, d.year, d.province {base} ORDER BY d.id LIMIT ?",
                                    [*base_args, left]):
                left -= 1
                for name, value in zip(FACETS, row, strict=True):
                    if value not in ("", 0, None):
                        counts[name][str(value)] += 1
        return {name: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:12] for name, c in counts.items()}

    def close(self) -> None:
        conn = self._memory or getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
