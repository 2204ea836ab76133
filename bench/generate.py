"""A deterministic generator of realistic Party, Front, union and state documents (text), with the truth
of what each one cites — for benchmarks at national scale and as a check that the grammar generalises.

    .venv/bin/python bench/generate.py OUT --size 10000 [--seed 7]           # text
    .venv/bin/python bench/generate.py OUT --size 1000000 --graph [--jobs 2] # the graph, as N-Quads

Text mode writes OUT/docs/NNNNNNN.txt and OUT/truth.jsonl (one line per document: its symbol, and the
symbols it cites with the relations the text states, and the links between them). Graph mode skips the
extractor (not the RDF builder): each document's extraction is what a perfect reader would take from its
text, built into its named graph by graph.rdf.build and written to OUT/graph.nq for `vanban load`.
The hierarchy: central
resolutions, directives, regulations and conclusions (Bộ Chính trị, Ban Bí thư, BCH TW; numbers restart
each term) → Tổng Liên đoàn and ministry guidance → provincial programmes and plans (34 provinces; TU,
LĐLĐ, MTTQ, UBND) → district and unit plans → grassroots letters. Phrasing varies as in the real
corpus: Căn cứ preambles, "Thực hiện … thực hiện …" chains, lists sharing a date, Party and state
symbols, name-only laws, a few conflicting dates and year-less references. A few union plans replace or
amend an earlier plan of their own ("Kế hoạch này thay thế Kế hoạch số …"), some saying when they take
effect: the validity benchmark has documents to find replaced at every size.

Provinces implement a central document with a lag of their own (log-normal: a median of about ten weeks,
some a year or more) and about one in ten never does; a document is never dated before what it cites.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

VERSION = 5  # bump when the output changes: bench/run.py keeps corpora and stores by size, seed and version

PROVINCES = [
    "Lai Châu", "Điện Biên", "Lào Cai", "Tuyên Quang", "Cao Bằng", "Lạng Sơn", "Thái Nguyên", "Phú Thọ",
    "Bắc Ninh", "Hưng Yên", "Hải Phòng", "Ninh Bình", "Quảng Ninh", "Thanh Hóa", "Nghệ An", "Hà Tĩnh",
    "Quảng Trị", "Huế", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Đắk Lắk", "Khánh Hòa", "Lâm Đồng",
    "Đồng Nai", "Tây Ninh", "Hồ Chí Minh", "Đồng Tháp", "An Giang", "Vĩnh Long", "Cần Thơ", "Cà Mau",
    "Hà Nội", "Sơn La",
]
TERMS = [(2011, 2015), (2016, 2020), (2021, 2025), (2026, 2030)]
CENTRAL = [("NQ", "Nghị quyết", "Bộ Chính trị"), ("CT", "Chỉ thị", "Ban Bí thư"), ("QĐ", "Quy định", "Bộ Chính trị"),
           ("KL", "Kết luận", "Bộ Chính trị"), ("NQ", "Nghị quyết", "Ban Chấp hành Trung ương")]
TOPICS = [
    "đổi mới tổ chức và hoạt động của Công đoàn Việt Nam trong tình hình mới",
    "tăng cường công tác giám sát, phản biện xã hội",
    "nâng cao chất lượng sinh hoạt chi bộ",
    "công tác dân vận trong tình hình mới",
    "phát triển đảng viên trong khu vực ngoài nhà nước",
    "thực hành tiết kiệm, chống lãng phí",
    "chuyển đổi số trong hệ thống chính trị",
    "xây dựng giai cấp công nhân hiện đại, lớn mạnh",
]
LAWS = ["Luật Công đoàn năm 2024", "Bộ luật Lao động năm 2019", "Luật Thực hiện dân chủ ở cơ sở năm 2022",
        "Điều lệ Đảng", "Điều lệ Công đoàn Việt Nam"]
LANDMARK = 0.06  # the share of provincial programmes for the first landmark, implemented for twenty years
NEVER = 0.1  # the share of provinces that never implement a given central document
ACTS = 0.04  # the share of union plans that replace (three in four) or amend an earlier plan of their own
LAG_MEDIAN_DAYS, LAG_SIGMA, LAG_MAX_DAYS = 70, 0.9, 1100
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang"]


@dataclass
class Doc:
    n: int
    symbol: str
    kind: str
    kind_name: str
    issuer: str
    parent: str | None
    province: str | None
    date: tuple[int, int, int]
    subject: str
    cites: list[tuple[Doc, str]] = field(default_factory=list)  # (cited, relation)
    chains: list[tuple[Doc, Doc]] = field(default_factory=list)  # (A, B): "A … thực hiện B" in the text
    misdated: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # cited n → the date it states
    lags: dict[str, int | None] = field(default_factory=dict)  # province → days until it implements (None: never)


def _lag(doc: Doc, province: str, rnd: random.Random) -> int | None:
    """Days after `doc` (a central document) that `province` first implements it; None: it never does.
    Drawn once per (document, province), when the province first considers it."""
    if province not in doc.lags:
        never = rnd.random() < NEVER
        days = min(LAG_MAX_DAYS, round(LAG_MEDIAN_DAYS * math.exp(rnd.gauss(0, LAG_SIGMA))))
        doc.lags[province] = None if never else days
    return doc.lags[province]


def _after(d: tuple[int, int, int], days: int) -> tuple[int, int, int]:
    x = dt.date(d[2], d[1], d[0]) + dt.timedelta(days=days)
    return (x.day, x.month, x.year)


def _dated(rnd: random.Random, around: tuple[int, int, int], earliest: tuple[int, int, int]) -> tuple[int, int, int]:
    """A date within two months of `around` (the generator's clock), never before `earliest`."""
    d = _after(around, rnd.randint(-60, 60))
    return d if _order(d) >= _order(earliest) else _after(earliest, rnd.randint(0, 20))


def _date(rnd: random.Random, year: int) -> tuple[int, int, int]:
    return (rnd.randint(1, 28), rnd.randint(1, 12), year)


def _fmt_date(d: tuple[int, int, int], rnd: random.Random) -> str:
    day, month, year = d
    style = rnd.random()
    if style < 0.6:
        return f"ngày {day:02d}/{month:02d}/{year}" if rnd.random() < 0.5 else f"ngày {day}/{month}/{year}"
    if style < 0.8:
        return f"ngày {day} tháng {month} năm {year}"
    return f"ngày {day}-{month}-{year}"


def _ref(doc: Doc, rnd: random.Random, full: bool = True, date: tuple[int, int, int] | None = None) -> str:
    """How a citing document names `doc` (with the date it states, when that differs)."""
    dated = f", {_fmt_date(date or doc.date, rnd)}" if full and rnd.random() < 0.85 else ""
    who = f" của {doc.issuer}" if full and rnd.random() < 0.8 else ""
    so = rnd.choice(["số ", "số ", "số: ", ""])
    return f"{doc.kind_name} {so}{doc.symbol}{dated}{who}"


def generate(size: int, seed: int = 7) -> Iterator[tuple[Doc, str]]:
    """Documents in issue order (cited ones first), each with its text."""
    rnd = random.Random(seed)
    central: list[Doc] = []
    majors: list[Doc] = []  # landmark resolutions every province implements for years (like 02-NQ/TW)
    guidance: list[Doc] = []
    provincial: dict[str, list[Doc]] = {p: [] for p in PROVINCES}
    counters: dict[tuple[str, ...], int] = {}
    implemented: set[tuple[str, int]] = set()  # (province, central document) pairs with a programme
    n = 0

    def clock(n: int) -> tuple[int, int, int]:
        """The generator's calendar: documents in issue order from 2011 to 2030 (then ahead of it, a
        document is dated no earlier than what it cites)."""
        return _after((1, 1, 2011), round(n / max(size, 1) * 365.25 * 19.9))

    def number(scope: tuple[str, ...]) -> int:
        counters[scope] = counters.get(scope, 0) + 1
        return counters[scope]

    while n < size:
        roll = rnd.random()
        if roll < 0.01 or not central:
            kind, kind_name, issuer = rnd.choice(CENTRAL)
            when = _dated(rnd, clock(n), clock(0))
            start = next((t for t, end in TERMS if when[2] <= end), TERMS[-1][0])
            doc = Doc(n, f"{number(('tw', kind, str(start))):02d}-{kind}/TW", kind, kind_name, issuer, None, None,
                      when, rnd.choice(TOPICS))
            central.append(doc)
            if not majors or rnd.random() < 0.0015:
                majors.append(doc)
            text = _render(doc, rnd)
        elif roll < 0.04 or not guidance:
            base = rnd.choice(central)
            when = _dated(rnd, clock(n), _after(base.date, rnd.randint(5, 90)))
            doc = Doc(n, f"{number(('tld', str(when[2])))}/HD-TLĐ", "HD", "Hướng dẫn",
                      "Đoàn Chủ tịch Tổng Liên đoàn Lao động Việt Nam", None, None, when,
                      "thực hiện " + base.kind_name + " " + base.symbol)
            doc.cites.append((base, "implements"))
            guidance.append(doc)
            if len(guidance) > 40:
                del guidance[:-20]
            text = _render(doc, rnd)
        else:
            province = rnd.choice(PROVINCES)
            local = provincial[province]
            base = _base(central, majors, province, rnd)
            if base is None and not local:
                continue  # nothing this province implements yet
            now = clock(n)
            kind = rnd.random()
            if base is not None and (kind < 0.35 or not local):
                lag = _lag(base, province, rnd) or 0
                if (province, base.n) in implemented:
                    when = _dated(rnd, now, _after(base.date, lag))
                else:  # the province's first programme for it: its lag
                    implemented.add((province, base.n))
                    when = _after(base.date, lag + rnd.randint(0, 10))
                doc = Doc(n, f"{number((province, 'tu', str(when[2]))):02d}-CTr/TU", "CTr", "Chương trình hành động",
                          "Ban Thường vụ Tỉnh ủy", None, province, when, base.subject)
                doc.cites.append((base, "implements"))
            elif kind < 0.6 or base is None:
                parent = rnd.choice(local[-20:])
                extra = rnd.choice(guidance[-20:]) if guidance and rnd.random() < 0.5 else None
                acted = _acted(local, parent, rnd)
                when = _dated(rnd, now, max((c.date for c in (parent, extra, acted) if c), key=_order))
                doc = Doc(n, f"{number((province, 'ldld', str(when[2])))}/KH-LĐLĐ", "KH", "Kế hoạch",
                          "Ban Thường vụ Liên đoàn Lao động tỉnh", None, province, when, parent.subject)
                doc.cites.append((parent, "implements"))
                if _chainable(parent) and rnd.random() < 0.5:
                    doc.chains.append((parent, parent.cites[0][0]))
                    doc.cites.append((parent.cites[0][0], "cites"))
                if extra is not None:
                    doc.cites.append((extra, "based_on"))
                if acted is not None and acted.symbol != doc.symbol:  # (one symbol a year apart: no reader
                    relation = "replaces" if rnd.random() < 0.75 else "amends"  # tells its own from the other)
                    doc.cites.append((acted, relation))
            elif kind < 0.8:
                parent = rnd.choice(local[-20:])
                other = rnd.choice(local[-20:])
                when = _dated(rnd, now, max(parent.date, other.date, key=_order))
                doc = Doc(n, f"{number((province, 'mttq', str(when[2])))}/KH-MTTQ-BTT", "KH", "Kế hoạch",
                          "Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh", None, province, when, parent.subject)
                doc.cites.append((parent, "based_on"))
                if other is not parent:
                    doc.cites.append((other, "based_on"))
            else:
                parent = rnd.choice(local[-20:])
                when = _dated(rnd, now, parent.date)
                doc = Doc(n, f"{number((province, 'dd', str(when[2])))}-CV/ĐĐ", "CV", "Công văn",
                          "Đảng đoàn Liên đoàn Lao động tỉnh", "Tỉnh ủy " + province, province, when,
                          "quan tâm lãnh đạo, chỉ đạo " + parent.subject)
                doc.cites.append((parent, "implements"))
                if _chainable(parent):
                    doc.chains.append((parent, parent.cites[0][0]))
                    doc.cites.append((parent.cites[0][0], "cites"))
            local.append(doc)
            if len(local) > 40:  # only the latest twenty are ever cited: keeps 1M documents small
                del local[:-20]
            if rnd.random() < 0.01:  # a citing document that gets its parent's date wrong
                cited = doc.cites[0][0]
                day, month, year = cited.date
                doc.misdated[cited.n] = (day % 28 + 1, month, year)
            text = _render(doc, rnd)
        n += 1
        yield doc, text


def _chainable(parent: Doc) -> bool:
    """Whether a text can say "parent … thực hiện what parent rests on" unambiguously (not where both
    bear the same symbol, a year apart: no reader could tell which mention is which)."""
    return bool(parent.cites) and parent.cites[0][0].symbol != parent.symbol


def _acted(local: list[Doc], parent: Doc, rnd: random.Random) -> Doc | None:
    """Now and then (ACTS), an earlier union plan of the province that a new one replaces or amends."""
    if rnd.random() >= ACTS:
        return None
    plans = [d for d in local[-20:] if d.kind == "KH" and "Liên đoàn" in d.issuer and d is not parent]
    return rnd.choice(plans) if plans else None


def _order(d: tuple[int, int, int]) -> tuple[int, int, int]:
    return (d[2], d[1], d[0])


def _base(central: list[Doc], majors: list[Doc], province: str, rnd: random.Random) -> Doc | None:
    """The central document a provincial programme implements: often the first landmark or a recent one,
    else any recent one, but never one this province does not implement (a few more tries, else none)."""
    roll = rnd.random()
    base = majors[0] if roll < LANDMARK else rnd.choice(majors[-5:]) if roll < 0.4 else rnd.choice(central[-50:])
    if _lag(base, province, rnd) is not None:
        return base
    recent = central[-50:]
    return next((c for c in rnd.sample(recent, min(5, len(recent))) if _lag(c, province, rnd) is not None), None)


def _render(doc: Doc, rnd: random.Random) -> str:
    day, month, year = doc.date
    place = doc.province or "Hà Nội"
    lines = []
    if doc.parent:
        lines.append(doc.parent.upper())
    lines.append(doc.issuer.upper() if not doc.province else (doc.issuer + " " + doc.province).upper())
    lines += ["", "ĐẢNG CỘNG SẢN VIỆT NAM" if doc.symbol.split("/")[0].count("-") else
              "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "", f"Số: {doc.symbol}", "",
              f"{place}, ngày {day:02d} tháng {month:02d} năm {year}", ""]
    if doc.kind == "CV":
        lines += [f"V/v {doc.subject}", ""]
    else:
        lines += [doc.kind_name.upper(), doc.subject[:1].upper() + doc.subject[1:], ""]
    chained = {a.n: b for a, b in doc.chains}
    basis = [c for c, r in doc.cites if r == "based_on"]
    acting = [c for c, r in doc.cites if r == "implements"]
    if basis:
        lines += [f"Căn cứ {_ref(c, rnd, date=doc.misdated.get(c.n))};" for c in basis]
        if rnd.random() < 0.5:
            lines.append(f"Căn cứ {rnd.choice(LAWS)};")
        lines.append("")
    for c in acting:
        text = f"Thực hiện {_ref(c, rnd, date=doc.misdated.get(c.n))}"
        if c.n in chained:
            text += f" thực hiện {_ref(chained[c.n], rnd)}"
        text += f" về {c.subject};" if rnd.random() < 0.5 else ";"
        lines += [text, ""]
    for c, r in doc.cites:
        if r == "replaces":
            effect = rnd.choice(["", "có hiệu lực kể từ ngày ký và ", f"có hiệu lực từ ngày {day}/{month}/{year} và "])
            lines += [f"{doc.kind_name} này {effect}thay thế {_ref(c, rnd)}.", ""]
        elif r == "amends":
            lines += [f"Sửa đổi, bổ sung một số nội dung của {_ref(c, rnd)} như sau:", ""]
    lines += [f"{doc.issuer} đề nghị các cấp, các ngành tổ chức triển khai các nội dung sau:", "",
              "1. Tăng cường công tác tuyên truyền, quán triệt các chỉ thị, nghị quyết của Đảng.", "",
              "2. Báo cáo kết quả thực hiện về " + doc.issuer + " trước ngày 15/12/" + str(year) + ".", "",
              "Nơi nhận:", "- Như trên;", "- Lưu: VT.", "",
              "T/M BAN THƯỜNG VỤ" if "Thường vụ" in doc.issuer else "TM. BAN THƯỜNG TRỰC",
              rnd.choice(["BÍ THƯ", "CHỦ TỊCH", "PHÓ CHỦ TỊCH"]), "", rnd.choice(NAMES), ""]
    return "\n".join(lines)


def truth(doc: Doc) -> dict[str, object]:
    cites: dict[str, set[str]] = {}
    for c, r in doc.cites:
        cites.setdefault(c.symbol, set()).add(r)
    return {
        "n": doc.n, "symbol": doc.symbol,
        "cites": {s: sorted(r - {"cites"} if r - {"cites"} else r) for s, r in cites.items()},
        "links": [[a.symbol, b.symbol, "implements"] for a, b in doc.chains],
    }


# -- graph mode -------------------------------------------------------------------------------------

Light = tuple[Any, ...]  # a document as plain values: what a worker process receives


def light(doc: Doc) -> Light:
    """The values graph mode needs (Doc objects link to their whole ancestry: too much to pickle)."""
    cited: dict[str, list[Any]] = {}
    for c, r in doc.cites:
        stated = doc.misdated.get(c.n, c.date)
        entry = cited.setdefault(c.symbol, [c.kind, c.kind_name, c.issuer, stated, c.date, set()])
        entry[5].add(r)
    cites = tuple((sym, *e[:5], tuple(sorted(e[5] - {"cites"} or e[5]))) for sym, e in cited.items())
    return (doc.n, doc.symbol, doc.kind, doc.kind_name, doc.issuer, doc.parent, doc.province, doc.date,
            doc.subject, cites, tuple((a.symbol, b.symbol) for a, b in doc.chains))


_CASE = {"BAN THƯỜNG VỤ": "Ban Thường vụ", "BAN THƯỜNG TRỰC": "Ban Thường trực"}


def _iso(d: tuple[int, int, int]) -> str:
    return f"{d[2]:04d}-{d[1]:02d}-{d[0]:02d}"


def perfect_extraction(doc: Light, text: str) -> Any:
    """What a perfect reader takes from the text of `doc`: its header, citations and links."""
    from graph.effect import effects
    from graph.extract import Citation, Extraction, Link
    from graph.model import Header, Signer
    from graph.vocab import load

    n, symbol, kind, kind_name, issuer, parent, province, date, _, cites, chains = doc
    lines = text.split("\n")
    capacity, for_ = lines[-5].split(" ", 1)
    signer = Signer(name=lines[-2], position=lines[-4].capitalize(), capacity=capacity,
                    for_=_CASE.get(for_, for_.capitalize()))
    subject_line = next(x for x in lines if x.startswith("V/v ")) [4:] if kind == "CV" else \
        lines[lines.index(kind_name.upper()) + 1]
    header = Header(symbol=symbol, number=symbol.split("/")[0].split("-")[0], kind=kind, kind_name=kind_name,
                    issuer=f"{issuer} {province}" if province else issuer, parent_issuer=parent,
                    place=province or "Hà Nội", date=_iso(date), subject=subject_line,
                    signers=(signer,), distribution=("Như trên", "Lưu: VT"), province=province)
    body = text.index(subject_line)
    citations, spans_of = [], {}
    for sym, c_kind, c_kind_name, c_issuer, stated, real, relations in cites:
        spans, at = [], text.find(sym, body)
        while at >= 0:
            line = text.rfind("\n", 0, at)
            word = text.rfind(c_kind_name, line, at)
            end = at + len(sym)
            if text.startswith(", ngày", end):
                end = text.find(" của ", end) % len(text) if " của " in text[end:end + 40] else \
                    min(x for x in (text.find(" ", end + 7) % len(text), text.find(";", end) % len(text)))
            spans.append((word if word >= 0 else at, end))
            at = text.find(sym, at + len(sym))
        if not spans:
            continue
        spans_of[sym] = spans
        dated = any(", ngày" in text[x:y] for x, y in spans)
        citations.append(Citation(
            symbol=sym, number=sym.split("/")[0].split("-")[0], kind=c_kind, kind_name=c_kind_name, year=real[2],
            date=_iso(stated) if dated else None, issuer=c_issuer if f"{sym}" in text and f"của {c_issuer}" in text
            else None, title=None, relations=relations, mentions=tuple(spans), party="-" in sym.split("/")[0]))
    for law in LAWS:
        at = text.find(law)
        if at >= 0:
            name, _, year = law.partition(" năm ")
            word = " ".join(name.split(" ")[:2 if name[0] in "BĐ" else 1])  # Luật, Bộ luật, Điều lệ
            citations.append(Citation(
                symbol=None, number=None, kind=None, kind_name=word, year=int(year) if year else None, date=None,
                issuer=None, title=name, relations=("based_on",), mentions=((at, at + len(name)),), party=False))
    links = []
    for a, b in chains:
        starts = [x for x in spans_of.get(a, []) if text.find(b, x[1]) >= 0]
        ends = [y for y in spans_of.get(b, []) if starts and y[0] > starts[-1][1]]
        if starts and ends:
            links.append(Link(a, b, "implements", (starts[-1][0], ends[0][1])))
    return Extraction(source=f"docs/{n:07d}.txt", text=text, header=header, citations=tuple(citations),
                      links=tuple(links), warnings=(), effects=effects(text, _iso(date), load()))


def graph_of(job: tuple[Light, str]) -> str:
    """One document's named graph as N-Quads, exactly as `vanban ingest` would write it from a perfect
    extraction (same builder, same IRIs)."""
    import datetime as dt
    import hashlib

    from graph.identity import Iris, source_id
    from graph.rdf import build
    from graph.vocab import load

    doc, text = job
    ex = perfect_extraction(doc, text)
    return build(ex, source_id(ex.source), ex.source, hashlib.sha256(text.encode()).hexdigest(), Iris(), load(),
                 now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)).nquads


def write_graph(out: Path, size: int, seed: int, jobs: int) -> Path:
    """Generate `size` documents straight into OUT/graph.nq (workers build the graphs, in order)."""
    from concurrent.futures import ProcessPoolExecutor

    out.mkdir(parents=True, exist_ok=True)
    target = out / "graph.nq"
    tmp = target.with_suffix(".nq.tmp")
    work = ((light(doc), text) for doc, text in generate(size, seed))
    with tmp.open("w", encoding="utf-8") as f:
        if jobs <= 1:
            for job in work:
                f.write(graph_of(job))
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                while block := list(islice(work, 20_000)):  # Executor.map submits all it is given at once
                    for nq in pool.map(graph_of, block, chunksize=500):
                        f.write(nq)
    tmp.replace(target)
    return target


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--size", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--graph", action="store_true", help="write the graph (OUT/graph.nq), not the texts")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes in graph mode")
    a = ap.parse_args()
    if a.graph:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        print(f"wrote {a.size} documents to {write_graph(a.out, a.size, a.seed, a.jobs)}", file=sys.stderr)
        return 0
    docs = a.out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    with (a.out / "truth.jsonl").open("w", encoding="utf-8") as t:
        for doc, text in generate(a.size, a.seed):
            (docs / f"{doc.n:07d}.txt").write_text(text, encoding="utf-8")
            t.write(json.dumps(truth(doc), ensure_ascii=False) + "\n")
    print(f"wrote {a.size} documents to {docs}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
