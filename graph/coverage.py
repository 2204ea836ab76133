"""Implementation coverage of a document: every document that implements or guides it, transitively,
grouped by level (central, ministry, province, district, grassroots) and by province as provinces
stand since 2025 (`data/vocab/provinces.toml`: a 2021 document of Hà Giang counts for Tuyên Quang);
per province the first implementing document and its lag in days after the document's date; the
provinces with none yet; implementing documents per month; the median lag per level.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np
import numpy.typing as npt

from .documents import DEFAULT_DOWN, find, relation_set, summary
from .lineage import NO_DAY, LineageIndex
from .places import LEVELS, registry
from .xlsx import workbook

EVERY_DEPTH = 1_000_000  # coverage follows chains of any length


def implementers(index: LineageIndex, root: int, depth: int = EVERY_DEPTH) -> npt.NDArray[np.int64]:
    """Every document that implements or guides root, directly or through others (walk order)."""
    return index.whole(root, relation_set(None, DEFAULT_DOWN), depth, False).nodes


def coverage(index: LineageIndex, key: str, depth: int = EVERY_DEPTH) -> dict[str, Any]:
    """The coverage of one document (see the module's docstring), counted with array arithmetic over the
    index's numeric columns: a landmark's 40,000 implementers cost a few gathers, not a loop."""
    root = find(index, key)
    nodes = index.nodes
    found = implementers(index, root, depth)
    start = int(nodes.day[root])
    day, province, level = nodes.day[found], nodes.province[found], nodes.level[found]
    dated = day != NO_DAY
    names = registry().names
    return {
        "document": summary(index, root), "implementers": int(found.size),
        "by_level": _by_level(level, day, dated, start),
        "provinces": _provinces(index, found, province, day, dated, start),
        "provinces_without": [names[p] for p in range(len(names)) if not (province == p).any()],
        "timeline": _timeline(day[dated]),
    }


def _by_level(level: npt.NDArray[np.int8], day: npt.NDArray[np.int32], dated: npt.NDArray[np.bool_],
              start: int) -> list[dict[str, Any]]:
    counts = np.bincount(level, minlength=len(LEVELS))
    rows = []
    for i, name in enumerate(LEVELS):
        if counts[i]:
            lags = day[(level == i) & dated] - start if start != NO_DAY else np.zeros(0)
            rows.append({"level": name, "documents": int(counts[i]),
                         "median_lag_days": _median(lags) if lags.size else None})
    return rows


def _median(values: npt.NDArray[Any]) -> int | float:
    m = float(np.median(values))
    return int(m) if m.is_integer() else m


def _provinces(index: LineageIndex, found: npt.NDArray[np.int64], province: npt.NDArray[np.int16],
               day: npt.NDArray[np.int32], dated: npt.NDArray[np.bool_], start: int) -> list[dict[str, Any]]:
    """Per province: its documents, its first (the earliest dated; else the first reached) and the lag."""
    names = registry().names
    placed = province >= 0
    found, province, day, dated = found[placed], province[placed], day[placed], dated[placed]
    if not found.size:
        return []
    counts = np.bincount(province, minlength=len(names))
    # the first of each province by (dated first, day, walk position): lexsort sorts by its last key first
    order = np.lexsort((np.arange(found.size), np.where(dated, day, np.iinfo(np.int32).max), province))
    grouped = province[order]
    heads = order[np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])]
    rows = []
    for i in heads.tolist():
        p, when = int(province[i]), int(day[i])
        lag = when - start if when != NO_DAY and start != NO_DAY else None
        rows.append({"province": names[p], "documents": int(counts[p]), "first": summary(index, int(found[i])),
                     "lag_days": lag})
    return sorted(rows, key=lambda r: (r["lag_days"] is None, r["lag_days"] or 0, r["province"]))


def _timeline(days: npt.NDArray[np.int32]) -> list[dict[str, Any]]:
    """Implementing documents per month (days since 1970 as numpy dates, truncated to their month)."""
    months, counts = np.unique(days.astype("datetime64[D]").astype("datetime64[M]"), return_counts=True)
    return [{"month": str(m), "documents": int(c)} for m, c in zip(months, counts, strict=True)]


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
