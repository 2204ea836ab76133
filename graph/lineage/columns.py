"""The documents as columns: strings, dictionary-coded strings, and sorted permutations to look up."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from functools import cached_property
from typing import overload

import numpy as np
import numpy.typing as npt

from ..places import LEVELS, level_of, registry, scope_of
from .model import Node

NODE_COLUMNS = ("iri", "key", "symbol", "kind", "date", "title", "issuer")  # what a Node holds
PART_COLUMNS = ("scope", "issuer_code", "number")  # the parts of its IRI and key, kept once
COLUMNS = NODE_COLUMNS + PART_COLUMNS
CODED = ("kind", "date", "title", "issuer", "scope", "issuer_code", "number")  # few distinct values each
NO_DAY = np.iinfo(np.int32).min  # the day column's "no date"


class Coded(Sequence[str]):
    """A column of repeated values, dictionary-encoded: 4 bytes a row instead of a string each (a
    million documents share a few thousand dates, issuers and subjects)."""

    def __init__(self, values: list[str], codes: array[int]) -> None:
        self.values, self.codes = values, codes

    @classmethod
    def of(cls, items: Iterable[str]) -> Coded:
        index: dict[str, int] = {}
        values: list[str] = []
        codes = array("i")
        for x in items:
            i = index.get(x)
            if i is None:
                i = index[x] = len(values)
                values.append(x)
            codes.append(i)
        return cls(values, codes)

    @overload
    def __getitem__(self, n: int) -> str: ...
    @overload
    def __getitem__(self, n: slice) -> list[str]: ...
    def __getitem__(self, n: int | slice) -> str | list[str]:
        if isinstance(n, slice):
            return [self.values[c] for c in self.codes[n]]
        return self.values[self.codes[n]]

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[str]:
        values = self.values
        return (values[c] for c in self.codes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


Columns = dict[str, Sequence[str]]


def parts(iri: str, key: str) -> tuple[str, str, str]:
    """(province slug, issuer code, number) of a document, read once when it enters the index."""
    scope, issuer = scope_of(iri)
    return scope, issuer, key.rsplit("-", 1)[-1]


def columns_of(rows: dict[str, list[str]]) -> Columns:
    """Columns from lists of values per node column; the part columns derived from IRIs and keys."""
    if "scope" not in rows:
        split = [parts(i, k) for i, k in zip(rows["iri"], rows["key"], strict=True)]
        for j, name in enumerate(PART_COLUMNS):
            rows[name] = [x[j] for x in split]
    return {k: Coded.of(v) if k in CODED else v for k, v in rows.items()}


def _codes(column: Sequence[str]) -> npt.NDArray[np.int32]:
    assert isinstance(column, Coded)
    return np.frombuffer(column.codes, dtype=np.int32)


def _day(raw: str) -> int:
    try:
        return (date.fromisoformat(raw) - date(1970, 1, 1)).days if raw else int(NO_DAY)
    except ValueError:
        return int(NO_DAY)


class NodeTable:
    """The documents as columns (cheap to save and load); `nodes[n]` makes a Node on demand. Numeric
    columns for whole-lineage arithmetic (a day number, the province as it stands, the level) are
    derived from the coded columns on first use: one lookup per distinct value, then one gather."""

    def __init__(self, columns: Columns, years: array[int], ingested: bytearray) -> None:
        self.columns, self.years, self.ingested = columns, years, ingested
        self._objects_cache: dict[str, npt.NDArray[np.object_]] = {}

    def gather(self, name: str, nodes: list[int]) -> list[str]:
        """One column's values at these nodes, at once (a coded column through numpy)."""
        c = self.columns[name]
        if isinstance(c, Coded):
            if not nodes:
                return []
            return self._objects(name)[_codes(c)[nodes]].tolist()  # type: ignore[no-any-return]
        return [c[n] for n in nodes]

    def _objects(self, name: str) -> npt.NDArray[np.object_]:
        """A coded column's distinct values as a numpy object array (made once per column)."""
        got = self._objects_cache.get(name)
        if got is None:
            c = self.columns[name]
            assert isinstance(c, Coded)
            got = self._objects_cache[name] = np.array(c.values, dtype=object)
        return got

    @cached_property
    def day(self) -> npt.NDArray[np.int32]:
        """Days since 1970-01-01 of each document's date (NO_DAY: none or unreadable)."""
        c = self.columns["date"]
        assert isinstance(c, Coded)
        return np.array([_day(v) for v in c.values], dtype=np.int32)[_codes(c)]

    @cached_property
    def province(self) -> npt.NDArray[np.int16]:
        """Each document's province as it stands since 2025 (an index into registry().names; -1: none)."""
        reg = registry()
        at = {name: i for i, name in enumerate(reg.names)}
        c = self.columns["scope"]
        assert isinstance(c, Coded)
        table = [at.get(reg.province_of(v) or "", -1) if v else -1 for v in c.values]
        return np.array(table, dtype=np.int16)[_codes(c)]

    @cached_property
    def level(self) -> npt.NDArray[np.int8]:
        """Each document's level (an index into places.LEVELS)."""
        c = self.columns["issuer_code"]
        assert isinstance(c, Coded)
        central, provincial = (np.array([LEVELS.index(level_of(v, p)) for v in c.values], dtype=np.int8)
                               for p in (None, "any"))
        scope = self.columns["scope"]
        assert isinstance(scope, Coded)
        placed = np.array([bool(v) for v in scope.values], dtype=bool)[_codes(scope)]
        codes = _codes(c)
        return np.where(placed, provincial[codes], central[codes])

    def __len__(self) -> int:
        return len(self.years)

    def __getitem__(self, n: int) -> Node:
        c = self.columns
        return Node(iri=c["iri"][n], key=c["key"][n], symbol=c["symbol"][n] or None, kind=c["kind"][n] or None,
                    year=self.years[n] or None, date=c["date"][n] or None, title=c["title"][n] or None,
                    issuer=c["issuer"][n] or None, ingested=bool(self.ingested[n]))

    def __iter__(self) -> Iterator[Node]:
        for n in range(len(self)):
            yield self[n]


class Lookup:
    """Value → node by binary search over a sorted permutation of one column: a restart loads one array
    instead of hashing a million strings into a dict."""

    def __init__(self, column: Sequence[str], order: array[int]) -> None:
        self.column, self.order = column, order

    @classmethod
    def sorting(cls, column: Sequence[str]) -> Lookup:
        return cls(column, array("i", sorted(range(len(column)), key=column.__getitem__)))

    def get(self, value: str) -> int | None:
        at = bisect_left(self.order, value, key=self.column.__getitem__)
        if at < len(self.order) and self.column[self.order[at]] == value:
            return self.order[at]
        return None

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and self.get(value) is not None

    def __getitem__(self, value: str) -> int:
        n = self.get(value)
        if n is None:
            raise KeyError(value)
        return n



def run(order: Sequence[int], value: Callable[[int], str], probe: str, match: Callable[[str], bool]) -> list[int]:
    """The nodes of a sorted permutation whose values match, from the first not less than `probe`."""
    at = bisect_left(order, probe, key=value)
    found = []
    while at < len(order) and match(value(order[at])):
        found.append(order[at])
        at += 1
    return sorted(found)

