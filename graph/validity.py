"""Whether a document is still in force, derived from the graph with its evidence: the documents that
replace, repeal, amend or correct it (whoever states it: "Quy định 366-QĐ/TW … thay thế Quy định
124-QĐ/TW" counts wherever it is written), each with the sentence that says so, and as of a date.

An act on part of a document ("bãi bỏ Điều 20 … Quyết định số 11/2005/QĐ-TTg") makes it partly
replaced or repealed, not replaced: the words that say so are data (`data/vocab/validity.toml`).
Statuses, strongest first: repealed, replaced, expired (past the end it gives itself: "hết hiệu lực
kể từ ngày …", read by graph/effect.py), not yet in force, partly repealed, partly replaced, amended,
in force (nothing in the store acts on it), not yet issued (as of a date before its own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from .documents import find, summary
from .errors import QueryError
from .lineage import REL_ID, RELATIONS, LineageIndex
from .store import Store
from .text import fold
from .vocab import load

ACTS = ("repeals", "replaces", "amends", "corrects")
STATUS_ORDER = ("repealed", "replaced", "partly_repealed", "partly_replaced", "amended", "corrected", "in_force")
_STATUS = {("repeals", False): "repealed", ("replaces", False): "replaced", ("repeals", True): "partly_repealed",
           ("replaces", True): "partly_replaced", ("amends", False): "amended", ("amends", True): "amended",
           ("corrects", False): "corrected", ("corrects", True): "corrected"}


@dataclass(frozen=True)
class Act:
    """One document acting on another, and the sentences that say so."""

    by: int
    relation: str
    partial: bool
    quotes: tuple[dict[str, Any], ...]


def parse_at(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"bad date {value[:40]!r}: give YYYY-MM-DD") from None


@lru_cache(maxsize=1)
def _partial_words() -> re.Pattern[str]:
    # with their marks: without them "phần" (a part) would be "phân" ("phân cấp"), "mục" (an item) "mức"
    words = sorted((fold(w) for w, _ in load().partial_acts), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b") if words else re.compile(r"(?!)")


@lru_cache(maxsize=1)
def _cues() -> re.Pattern[str]:
    phrases = sorted({fold(c.phrase) for c in load().cues if c.relation in ACTS}, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in phrases)) if phrases else re.compile(r"(?!)")


def is_partial(sentence: str, target: str) -> bool:
    """Whether the sentence acts on part of `target` (a symbol or a number): a word of validity.toml
    between the last acting cue before the target and the target itself."""
    text, wanted = fold(sentence), fold(target)
    at = text.find(wanted)
    if at < 0:
        return False
    cues = [m.end() for m in _cues().finditer(text, 0, at)]
    window = text[cues[-1] if cues else max(0, at - 120) : at]
    return _partial_words().search(window) is not None


def acts_on(index: LineageIndex, n: int) -> list[Act]:
    """Every document that acts on document n, from the index (no store read)."""
    c = index.nodes.columns
    target = c["symbol"][n] or c["number"][n]
    found = []
    for j in _acting_edges(index, n):
        a, r = index.inc.dst[j], index.inc.rel[j]
        rel = RELATIONS[r]
        quotes = index.quotes(a, n, r)
        keys = c["key"]
        found.append(Act(a, rel, any(is_partial(q.text, target) for q in quotes) if quotes else False,
                         tuple({"quote": q.text, "stated_in": keys[q.stated_in], "start": q.start, "end": q.end}
                               for q in quotes)))
    return found


def _acting_edges(index: LineageIndex, n: int) -> list[int]:
    """Positions of the acting edges in n's incoming row, found by a byte search per act (a landmark's
    row holds 40,000 implementing edges and maybe none that acts on it)."""
    lo, hi = index.inc.ptr[n], index.inc.ptr[n + 1]
    row = bytes(memoryview(index.inc.rel)[lo:hi].cast("B"))
    found = []
    for r in (REL_ID[act] for act in ACTS):
        at = row.find(r)
        while at >= 0:
            found.append(lo + at)
            at = row.find(r, at + 1)
    return sorted(found)


def _date_of(index: LineageIndex, n: int) -> date | None:
    """A document's date, or the first day of its year when only the year is known (its key carries
    it): an act of 2025 cannot be in force on 2024-01-01, whatever its day."""
    raw = index.nodes.columns["date"][n]
    try:
        if raw:
            return date.fromisoformat(raw)
    except ValueError:
        pass
    year = index.nodes.years[n]
    return date(year, 1, 1) if year else None


def stated_dates(store: Store, iri: str) -> dict[str, list[str]]:
    """The effective dates the sources give a document (`effective_from`, `effective_until`: every
    distinct value; two values are sources disagreeing)."""
    found: dict[str, list[str]] = {"effective_from": [], "effective_until": []}
    for row in store.rows(f"SELECT DISTINCT ?p ?v WHERE {{ VALUES ?p {{ vb:effectiveFrom vb:effectiveUntil }} "
                          f"<{iri}> ?p ?v }} ORDER BY ?p ?v"):
        found["effective_from" if row["p"].endswith("effectiveFrom") else "effective_until"].append(row["v"])
    return found


def validity(index: LineageIndex, key: str, at: date | None = None, store: Store | None = None,
             today: date | None = None) -> dict[str, Any]:
    """The status of a document (as of `at`, or today) and every act on it, each with its evidence; an
    act by a document dated after `at` is listed as later. With a store, the document's own effective
    dates count too: past its end it has expired, before its start it is not yet in force (`today`: the
    day those are measured against when no `at` is given; the machine's by default)."""
    n = find(index, key)
    own = _date_of(index, n)
    counted: list[dict[str, Any]] = []
    later: list[dict[str, Any]] = []
    for act in acts_on(index, n):
        when = _date_of(index, act.by)
        row = {"relation": act.relation, "partial": act.partial, "by": summary(index, act.by),
               "date": when.isoformat() if when else None, "evidence": list(act.quotes)}
        (later if at is not None and when is not None and when > at else counted).append(row)
    stated = stated_dates(store, index.nodes.columns["iri"][n]) if store is not None else {}
    status = _status(counted, own, at, stated, today)
    return {"document": summary(index, n), "status": status, "at": at.isoformat() if at else None,
            **{k: (v[0] if len(v) == 1 else v or None) for k, v in stated.items()},
            "dates_conflict": any(len(v) > 1 for v in stated.values()),
            "in_force": status not in ("repealed", "replaced", "expired", "not_yet_issued", "not_yet_in_force"),
            "acts": sorted(counted, key=lambda r: (STATUS_ORDER.index(_STATUS[(r["relation"], r["partial"])]),
                                                   r["date"] or "")),
            "later": later,
            "known": bool(counted or later)}


def _status(acts: list[dict[str, Any]], own: date | None, at: date | None, stated: dict[str, list[str]],
            today: date | None = None) -> str:
    """The strongest of: not yet issued, an act on it, its own end passed, its own start not reached."""
    if at is not None and own is not None and own > at:
        return "not_yet_issued"
    statuses = [_STATUS[(r["relation"], r["partial"])] for r in acts]
    if any(s in ("repealed", "replaced") for s in statuses):
        return min(statuses, key=STATUS_ORDER.index)
    day = (at or today or date.today()).isoformat()
    if stated.get("effective_until") and min(stated["effective_until"]) < day:
        return "expired"
    if stated.get("effective_from") and max(stated["effective_from"]) > day:
        return "not_yet_in_force"
    return min(statuses, key=STATUS_ORDER.index) if statuses else "in_force"


def acted_on(index: LineageIndex, relations: tuple[str, ...] = ("replaces", "repeals")) -> list[int]:
    """Every document that some document acts on by these relations, found by a byte search of the
    relation codes of all edges (a million documents' edges: no Python loop over each)."""
    codes = bytes(memoryview(index.out.rel).cast("B"))
    dst = index.out.dst
    found = set()
    for r in (REL_ID[name] for name in relations):
        at = codes.find(r)
        while at >= 0:
            found.add(int(dst[at]))
            at = codes.find(r, at + 1)
    return sorted(found)


ELI = "http://data.europa.eu/eli/ontology#"
VB = "https://w3id.org/vanban/ontology#"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
_IN_FORCE = {"in_force": "InForce-inForce", "amended": "InForce-inForce", "corrected": "InForce-inForce",
             "partly_replaced": "InForce-partiallyInForce", "partly_repealed": "InForce-partiallyInForce",
             "not_yet_in_force": "InForce-notInForce", "not_yet_issued": "InForce-notInForce",
             "replaced": "InForce-notInForce", "repealed": "InForce-notInForce", "expired": "InForce-notInForce"}


def status_iri(status: str) -> str:
    return VB + "status-" + status.replace("_", "-")


def with_dates(store: Store) -> list[str]:
    """Every document a source gives an effective date."""
    return [row["d"] for row in store.rows(
        "SELECT DISTINCT ?d WHERE { VALUES ?p { vb:effectiveFrom vb:effectiveUntil } ?d ?p ?v }")]


def write_validity_graph(store: Store, index: LineageIndex, today: date | None = None) -> int:
    """The derived validity graph, rewritten in one transaction: for every document something acts on or
    that gives itself dates, `vb:validityStatus` and ELI's `eli:in_force`, as of `today` (the machine's
    day unless given), which the graph states (`vb:statusAsOf`). SPARQL sees statuses as of that day;
    the REST route answers as of any date; `refresh_validity_graph` rewrites it when the day moves.
    Returns how many documents."""
    day = today or date.today()
    keys = index.nodes.columns["key"]
    todo = set(acted_on(index, ACTS))
    todo |= {n for d in with_dates(store) if (n := index.ids.get(d)) is not None}
    graph = store.iris.validity_graph
    lines = [f'<{graph}> <{VB}statusAsOf> "{day.isoformat()}"^^<{XSD_DATE}> .']
    for n in sorted(todo):
        got = validity(index, keys[n], None, store, day)
        iri = index.nodes.columns["iri"][n]
        ended = no_longer_in_force(got)
        lines.append(f"<{iri}> <{VB}validityStatus> <{status_iri(got['status'])}> ; "
                     f"<{ELI}in_force> <{ELI}{_IN_FORCE[got['status']]}>"
                     + (f' ; <{ELI}date_no_longer_in_force> "{ended}"^^<{XSD_DATE}> .' if ended else " ."))
    store.update_derived(f"DROP SILENT GRAPH <{graph}> ; INSERT DATA {{ GRAPH <{graph}> {{ {' '.join(lines)} }} }}")
    return len(lines) - 1


def no_longer_in_force(found: dict[str, Any]) -> str | None:
    """The day a document that is no longer in force stopped being so, where the graph knows it: the
    earliest dated act that replaces or repeals it whole (its own date: an act whose entry into force is
    stated elsewhere is not looked up here), else the end it gives itself. ELI's
    `date_no_longer_in_force`."""
    if found["status"] in ("replaced", "repealed"):
        dates = [a["date"] for a in found["acts"] if not a["partial"] and a["relation"] in ("replaces", "repeals")
                 and a["date"]]
        return min(dates) if dates else None
    if found["status"] == "expired":
        until = found.get("effective_until")
        return min(until) if isinstance(until, list) else until
    return None


def validity_as_of(store: Store) -> date | None:
    """The day the derived validity graph was written as of (None: no such graph yet)."""
    graph = store.iris.validity_graph
    for row in store.rows(f"SELECT ?d WHERE {{ GRAPH <{graph}> {{ <{graph}> vb:statusAsOf ?d }} }}"):
        return date.fromisoformat(row["d"])
    return None


def refresh_validity_graph(store: Store, index: LineageIndex, today: date | None = None) -> bool:
    """Rewrite the validity graph if it was written as of another day than `today`: an expiry or a
    start of force passes between ingests, and SPARQL should say so the next day, not at the next write.
    Returns whether it rewrote."""
    day = today or date.today()
    if validity_as_of(store) == day:
        return False
    write_validity_graph(store, index, day)
    return True
