"""The grammar on generated documents (bench/generate.py): different phrasing, symbols, dates and
hierarchies from the real corpus, with known truth — a check that the reader generalises."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate, truth  # noqa: E402

from graph.extract import extract_text  # noqa: E402


def _norm(s: str) -> str:
    return re.sub(r"\d+", lambda m: str(int(m.group())), s.casefold())


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def test_generated_documents_are_read_back() -> None:
    counts = {"cit": [0, 0, 0], "rel": [0, 0, 0], "link": [0, 0, 0]}
    own = 0
    for doc, text in generate(400, seed=11):
        t = truth(doc)
        ex = extract_text(text)
        own += ex.header.symbol == doc.symbol and ex.header.date is not None
        got = {_norm(c.symbol): set(c.relations) for c in ex.citations if c.symbol}
        want = {_norm(s): set(r) for s, r in t["cites"].items()}  # type: ignore[union-attr]
        c = counts["cit"]
        c[0] += len(got.keys() & want.keys())
        c[1] += len(got.keys() - want.keys())
        c[2] += len(want.keys() - got.keys())
        r = counts["rel"]
        for k in got.keys() & want.keys():
            r[0] += len(got[k] & want[k])
            r[1] += len(got[k] - want[k])
            r[2] += len(want[k] - got[k])
        gl = {(_norm(lk.source), _norm(lk.target), lk.relation) for lk in ex.links}
        wl = {(_norm(a), _norm(b), rel) for a, b, rel in t["links"]}  # type: ignore[union-attr]
        lc = counts["link"]
        lc[0] += len(gl & wl)
        lc[1] += len(gl - wl)
        lc[2] += len(wl - gl)
    assert own == 400
    assert _f1(*counts["cit"]) >= 0.98, counts
    assert _f1(*counts["rel"]) >= 0.97, counts
    assert _f1(*counts["link"]) >= 0.95, counts
