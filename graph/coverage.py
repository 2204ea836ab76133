"""Implementation coverage of a document: every document that implements or guides it, transitively,
grouped by level (central, ministry, province, district, grassroots) and by province as provinces
stand since 2025 (`data/vocab/provinces.toml`: a 2021 document of Hà Giang counts for Tuyên Quang);
per province the first implementing document and its lag in days after the document's date; the
provinces with none yet; implementing documents per month; the median lag per level.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from statistics import median
from typing import Any

from .documents import DEFAULT_DOWN, find, relation_set, summary
from .identity import slug
from .lineage import LineageIndex
from .search import scope_of
from .vocab import load
from .xlsx import workbook

LEVELS = ("central", "ministry", "province", "district", "grassroots", "unknown")
_PREFIXES = ("thanh-pho-", "tp-", "tinh-")


@dataclass(frozen=True)
class Registry:
    """Province slugs (current and former) → the current province's name."""

    current: dict[str, str]
    names: tuple[str, ...]

    def province_of(self, scope: str) -> str | None:
        for p in ("", *_PREFIXES):
            if p and not scope.startswith(p):
                continue
            found = self.current.get(scope[len(p):])
            if found:
                return found
        return None


@lru_cache(maxsize=1)
def registry() -> Registry:
    current: dict[str, str] = {}
    for p in load().provinces:
        for name in (p.name, *p.merged):
            current[slug(name)] = p.name
    return Registry(current, tuple(p.name for p in load().provinces))


@lru_cache(maxsize=1)
def _levels() -> dict[str, str]:
    """Issuer codes as IRIs spell them (`ldld`, `du`) → their level (data/vocab/issuers.toml)."""
    return {slug(i.code): i.level for i in load().issuers}


@lru_cache(maxsize=65536)
def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def _placed(head: str) -> tuple[str | None, str]:
    """(current province, level) of a document IRI's head (`…/doc/lao-cai/tu`): a few thousand distinct
    heads among a landmark's tens of thousands of implementers."""
    province, issuer = scope_of(head + "/kind/0/0")
    level = _levels().get(issuer) or ("province" if province else "unknown")
    return (registry().province_of(province) if province else None), level


def implementers(index: LineageIndex, root: int, depth: int = 10) -> list[int]:
    """Every document that implements or guides root, directly or through others (walk order)."""
    rels = relation_set(None, DEFAULT_DOWN)
    return [s.node for s in index.walk(root, rels, depth, False) if s.node != root]


def coverage(index: LineageIndex, key: str, depth: int = 10) -> dict[str, Any]:
    """The coverage of one document (see the module's docstring)."""
    root = find(index, key)
    c = index.nodes.columns
    start = _date(c["date"][root])
    reg = registry()
    levels: Counter[str] = Counter()
    lags: dict[str, list[int]] = defaultdict(list)
    months: Counter[str] = Counter()
    first: dict[str, tuple[date | None, int]] = {}
    counts: Counter[str] = Counter()
    found = implementers(index, root, depth)
    iris, dates = c["iri"], c["date"]
    for n in found:
        iri = iris[n]
        province, level = _placed(iri[: iri.rfind("/", 0, iri.rfind("/", 0, iri.rfind("/")))])
        levels[level] += 1
        raw = dates[n]
        when = _date(raw)
        if when is not None:
            months[raw[:7]] += 1
            if start is not None:
                lags[level].append((when - start).days)
        if province is None:
            continue
        counts[province] += 1
        held = first.get(province)
        if held is None or (when is not None and (held[0] is None or when < held[0])):
            first[province] = (when, n)
    return {
        "document": summary(index, root), "implementers": len(found),
        "by_level": [{"level": lv, "documents": levels[lv],
                      "median_lag_days": median(lags[lv]) if lags[lv] else None} for lv in LEVELS if levels[lv]],
        "provinces": sorted(({"province": p, "documents": counts[p], "first": summary(index, n),
                              "lag_days": (when - start).days if when and start else None}
                             for p, (when, n) in first.items()),
                            key=lambda r: (r["lag_days"] is None, r["lag_days"] or 0, r["province"])),
        "provinces_without": [p for p in reg.names if p not in first],
        "timeline": [{"month": m, "documents": months[m]} for m in sorted(months)],
    }


COVERAGE_COLUMNS = ("province", "documents", "first_key", "first_symbol", "first_date", "lag_days")


def coverage_rows(found: dict[str, Any]) -> list[list[object]]:
    """The provinces table of a coverage, one row per province as it stands (those without last)."""
    rows: list[list[object]] = [list(COVERAGE_COLUMNS)]
    for row in found["provinces"]:
        first = row["first"]
        rows.append([row["province"], row["documents"], first["key"], first["symbol"] or "", first["date"] or "",
                     row["lag_days"]])
    rows += [[name, 0, "", "", "", None] for name in found["provinces_without"]]
    return rows


def coverage_csv(found: dict[str, Any]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows([["" if v is None else v for v in row] for row in coverage_rows(found)])
    return buf.getvalue()


def coverage_xlsx(found: dict[str, Any]) -> bytes:
    return workbook(coverage_rows(found), "coverage")
