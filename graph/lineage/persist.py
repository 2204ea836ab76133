"""The index on disk: columns and adjacency in one pickled file, the quotes in a memory-mapped one."""

from __future__ import annotations

import mmap
import os
import pickle
import struct
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING

from .adjacency import Adjacency, Evidence
from .columns import CODED, COLUMNS, Coded, Columns, Lookup, NodeTable
from .model import FORMAT_VERSION, as_array

if TYPE_CHECKING:
    from .index import LineageIndex

Loaded = tuple[NodeTable, Adjacency, Adjacency, str, Lookup, Lookup, Evidence]


def save(index: LineageIndex, path: Path) -> None:
    """Columns as one string each and adjacency as raw arrays: loading is a few splits and copies."""
    c, ev, token = index.nodes.columns, index.evidence, os.urandom(16).hex()
    blob = {
        "version": FORMAT_VERSION, "stamp": index.stamp, "size": len(index.nodes),
        "columns": {k: "\x1f".join(c[k]) for k in COLUMNS if k not in CODED},
        "coded": {k: ("\x1f".join(v.values), v.codes.tobytes())
                  for k in CODED if isinstance(v := c[k], Coded)},
        "years": index.nodes.years.tobytes(), "ingested": bytes(index.nodes.ingested),
        "out": [x.tobytes() for x in (index.out.ptr, index.out.dst, index.out.rel)],
        "inc": [x.tobytes() for x in (index.inc.ptr, index.inc.dst, index.inc.rel)],
        "order": [index.ids.order.tobytes(), index.keys.order.tobytes()],
        "quotes": token,
    }
    # The evidence goes to its own file, memory-mapped on load (a restart reads none of it, and only
    # the pages a page of results touches become resident). It opens with the token the index file
    # names: an index file never pairs with another save's evidence (each file is replaced whole).
    quotes = quotes_path(path)
    tmp = quotes.with_name(quotes.name + ".tmp")
    parts = (ev.ptr, ev.offsets, ev.stated, ev.start, ev.end)  # 8-byte parts first: each part aligned
    with tmp.open("wb") as f:
        f.write(token.encode())
        f.write(struct.pack(f"<{len(parts)}q", *(len(x) for x in parts)))
        for x in parts:
            f.write(x.tobytes())
        f.write(ev.blob[ev.base:ev.base + ev.offsets[-1]])
    tmp.replace(quotes)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("wb") as f:
        pickle.dump(blob, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)



def load(path: Path) -> Loaded | None:
    """The parts of a saved index; None when it is missing, of another version, or does not add up."""
    try:
        with path.open("rb") as f:
            blob = pickle.load(f)  # the index file is the store's own, written by save()
        if blob.get("version") != FORMAT_VERSION:
            return None
        # each raw part is dropped once converted: the peak is the file plus one part, not twice the file
        size = blob["size"]
        plain = blob.pop("columns")
        columns: Columns = {k: (plain.pop(k).split("\x1f") if size else []) for k in list(plain)}
        coded = blob.pop("coded")
        for k in list(coded):
            values, raw = coded.pop(k)
            columns[k] = Coded(values.split("\x1f") if size else [], as_array("i", raw))
        years = as_array("h", blob.pop("years"))
        adj = []
        for part in ("out", "inc"):
            raws = blob.pop(part)
            adj.append(Adjacency(*(as_array(code, raws.pop(0)) for code in "qib")))
        order = blob.pop("order")
        by_iri, by_key = as_array("i", order.pop(0)), as_array("i", order.pop(0))
        evidence = _map_evidence(quotes_path(path), blob["quotes"], adj[0].count())
        if evidence is None:
            return None
        return (NodeTable(columns, years, bytearray(blob["ingested"])), adj[0], adj[1], blob["stamp"],
                Lookup(columns["iri"], by_iri), Lookup(columns["key"], by_key), evidence)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, KeyError, TypeError, AttributeError,
            IndexError):
        return None



def quotes_path(path: Path) -> Path:
    return path.with_name(path.name + ".quotes")



def _map_evidence(path: Path, token: str, edges: int) -> Evidence | None:
    """The evidence file memory-mapped, its arrays as views into it; None when it is not the one the
    index file names or its parts do not add up."""
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        if f.read(len(token)) != token.encode() or size < len(token) + 40:
            return None
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    view, at = memoryview(mm), len(token) + 40
    counts = struct.unpack_from("<5q", mm, len(token))
    if counts[0] != edges + 1:
        return None
    ends = list(accumulate((n * w for n, w in zip(counts, (8, 8, 4, 4, 4), strict=True)), initial=at))
    if ends[-1] > size:
        return None
    ptr, offsets = (view[ends[i]:ends[i + 1]].cast("q") for i in (0, 1))
    stated, start, end = (view[ends[i]:ends[i + 1]].cast("i") for i in (2, 3, 4))
    at = ends[-1]
    if size != at + offsets[-1]:
        return None
    return Evidence(ptr, stated, start, end, offsets, mm, at)


