"""Compressed adjacency, recorded walks and the quotes of every edge, as flat integer arrays."""

from __future__ import annotations

import mmap
from array import array
from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

from .model import PER_EDGE, Found, Ints, Quote


class Adjacency:
    """Compressed sparse rows: the (other, relation) pairs of node n are dst/rel[ptr[n]:ptr[n+1]]."""

    def __init__(self, ptr: array[int], dst: array[int], rel: array[int]) -> None:
        self.ptr, self.dst, self.rel = ptr, dst, rel
        self._keys: npt.NDArray[np.int64] | None = None

    @classmethod
    def build(cls, size: int, pairs: list[tuple[int, int, int]]) -> Adjacency:
        """From (node, other, relation) triples, sorted into rows."""
        pairs.sort()
        ptr = array("q", [0]) * (size + 1)
        for a, _, _ in pairs:
            ptr[a + 1] += 1
        for i in range(size):
            ptr[i + 1] += ptr[i]
        return cls(ptr, array("i", (p[1] for p in pairs)), array("b", (p[2] for p in pairs)))

    def __getitem__(self, n: int) -> list[tuple[int, int]]:
        lo, hi = self.ptr[n], self.ptr[n + 1]
        return list(zip(self.dst[lo:hi], self.rel[lo:hi], strict=True))

    def positions(self, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], rel: npt.NDArray[np.int64]
                  ) -> npt.NDArray[np.int64]:
        """The position of each edge (a[i], b[i], rel[i]) in the rows, all at once (-1: no such edge): a
        binary search in one sorted key per edge, node × (nodes × relations) + other × relations +
        relation, made on first use (rows are sorted by node, then other, then relation)."""
        span = 128 * (len(self) + 1)
        if self._keys is None:
            ptr = np.frombuffer(self.ptr, dtype=np.int64)
            owner = np.repeat(np.arange(len(self), dtype=np.int64), np.diff(ptr))
            self._keys = owner * span + np.frombuffer(self.dst, dtype=np.int32) * 128 \
                + np.frombuffer(self.rel, dtype=np.int8)
        want = a * span + b * 128 + rel
        at = np.searchsorted(self._keys, want)
        found = at < len(self._keys)
        found[found] = self._keys[at[found]] == want[found]
        return np.where(found, at, -1)

    def row(self, n: int, limit: int) -> list[tuple[int, int]]:
        """The first `limit` pairs of node n's row."""
        lo = self.ptr[n]
        hi = min(self.ptr[n + 1], lo + limit)
        return list(zip(self.dst[lo:hi], self.rel[lo:hi], strict=True))

    def degree(self, n: int) -> int:
        return int(self.ptr[n + 1] - self.ptr[n])

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        for n in range(len(self)):
            yield self[n]

    def count(self) -> int:
        return len(self.dst)



class Evidence:
    """The quotes of every relation edge, aligned with the out adjacency: edge j has records
    ptr[j]:ptr[j+1], each its stating document, offsets and the sentence's UTF-8 bytes at
    blob[base + offsets[k]: base + offsets[k + 1]].

    Why here and not read from the store: a page's quotes from the store are hundreds of random reads
    (evidence nodes and their strings are scattered by hash), slow as soon as the store outgrows the
    page cache. Here they are one contiguous slice per edge, and the blob is memory-mapped: a restart
    parses nothing, and only the pages read stay resident."""

    def __init__(self, ptr: Ints, stated: Ints, start: Ints, end: Ints, offsets: Ints,
                 blob: bytes | bytearray | mmap.mmap, base: int = 0) -> None:
        self.ptr, self.stated, self.start, self.end = ptr, stated, start, end
        self.offsets, self.blob, self.base = offsets, blob, base

    @classmethod
    def aligned(cls, out: Adjacency, found: Found, iri: Sequence[str]) -> Evidence:
        """Records per edge in out's order: the PER_EDGE least by (stating IRI, start, end, quote), so
        the choice does not depend on the order they were read in."""
        ptr, stated, start, end = array("q", [0]), array("i"), array("i"), array("i")
        offsets, blob = array("q", [0]), bytearray()
        for a in range(len(out)):
            for j in range(out.ptr[a], out.ptr[a + 1]):
                recs = found.get((a, out.dst[j], out.rel[j]))
                if recs:
                    for s, x, y, q in sorted(set(recs), key=lambda r: (iri[r[0]], r[1], r[2], r[3]))[:PER_EDGE]:
                        stated.append(s)
                        start.append(x)
                        end.append(y)
                        blob += q
                        offsets.append(len(blob))
                ptr.append(len(stated))
        return cls(ptr, stated, start, end, offsets, blob)

    def at(self, j: int) -> list[Quote]:
        blob, base, off = self.blob, self.base, self.offsets
        return [Quote(self.stated[k], self.start[k], self.end[k], blob[base + off[k]:base + off[k + 1]].decode())
                for k in range(self.ptr[j], self.ptr[j + 1])]

    def found(self, out: Adjacency) -> Found:
        """Back to records by edge (to merge with new ones)."""
        blob, base, off = self.blob, self.base, self.offsets
        got: Found = {}
        for a in range(len(out)):
            for j in range(out.ptr[a], out.ptr[a + 1]):
                if self.ptr[j] < self.ptr[j + 1]:
                    got[(a, out.dst[j], out.rel[j])] = [
                        (self.stated[k], self.start[k], self.end[k], bytes(blob[base + off[k]:base + off[k + 1]]))
                        for k in range(self.ptr[j], self.ptr[j + 1])]
        return got

