"""Implementation coverage: exact against a brute-force count on 10,000 documents, provinces as they stand
since 2025 (a former province counts for the one it is part of), lags, provinces without, timeline."""

from __future__ import annotations

import io
import random
from collections import Counter
from datetime import date, timedelta

import networkx as nx
import openpyxl
import pytest
from fastapi.testclient import TestClient

from graph.coverage import coverage, coverage_csv
from graph.identity import slug
from graph.lineage import REL_ID, LineageIndex, Node
from graph.places import registry
from graph.vocab import load

B = "https://w3id.org/vanban/doc/"


@pytest.mark.parametrize("province", load().provinces, ids=lambda p: p.name)
def test_province_examples(province: object) -> None:
    scope, name = (x.strip() for x in province.example.split("→"))  # type: ignore[attr-defined]
    assert registry().province_of(scope) == name == province.name  # type: ignore[attr-defined]


def test_registry_has_the_34_provinces_and_63_former_ones() -> None:
    provinces = load().provinces
    assert len(provinces) == 34
    former = {m for p in provinces for m in p.merged} | {p.name for p in provinces}
    assert len(former) == 63 + 1  # the 63 provinces before 2025, and Huế's new name beside Thừa Thiên Huế
    assert registry().province_of("thanh-pho-ho-chi-minh") == "Hồ Chí Minh"
    assert registry().province_of("atlantis") is None


def generated(size: int, seed: int) -> tuple[LineageIndex, nx.DiGraph]:
    """A landmark, then documents implementing it or one another, across current and former provinces
    and levels, with dates and some without; the same edges in a networkx graph."""
    rnd = random.Random(seed)
    scopes = [slug(p.name) for p in load().provinces] + [slug(m) for p in load().provinces for m in p.merged]
    issuers = ["tu", "ldld", "ubnd", "hu", "du", "cdcs"]
    start = date(2021, 6, 12)
    nodes = [Node(B + "tw/nq/2021/02", "tw-nq-2021-02", "02-NQ/TW", "NQ", 2021, start.isoformat())]
    g = nx.DiGraph()
    edges = []
    for n in range(1, size):
        if rnd.random() < 0.05:
            iri, key = B + f"btc/hd/2022/{n}", f"btc-hd-2022-{n}"
        else:
            sc, iss = rnd.choice(scopes), rnd.choice(issuers)
            iri, key = B + f"{sc}/{iss}/kh/2022/{n}", f"{sc}-{iss}-kh-2022-{n}"
        when = "" if rnd.random() < 0.1 else (start + timedelta(days=rnd.randint(0, 900))).isoformat()
        nodes.append(Node(iri, key, f"{n}-KH/X", "KH", 2022, when or None))
        parent = 0 if n < 50 or rnd.random() < 0.3 else rnd.randrange(1, n)
        roll = rnd.random()
        rel = REL_ID["implements"] if roll < 0.8 else REL_ID["guides"] if roll < 0.9 else REL_ID["cites"]
        edges.append((n, parent, rel))
        if rel != REL_ID["cites"]:
            g.add_edge(n, parent)
    return LineageIndex.from_parts(nodes, edges, "s"), g


def test_coverage_is_exact_against_a_brute_force_count() -> None:
    idx, g = generated(10_000, 3)
    got = coverage(idx, "tw-nq-2021-02", depth=100)
    reached = nx.ancestors(g, 0)  # every document with a path of implements/guides to the landmark
    assert got["implementers"] == len(reached)
    c = idx.nodes.columns
    reg = registry()
    by_province: dict[str, list[int]] = {}
    for n in reached:
        parts = c["iri"][n].split("/doc/")[1].split("/")
        if len(parts) >= 5:
            by_province.setdefault(reg.province_of(parts[0]) or "?", []).append(n)
    rows = {r["province"]: r for r in got["provinces"]}
    assert set(rows) == set(by_province) and set(got["provinces_without"]) == set(reg.names) - set(by_province)
    start = date(2021, 6, 12)
    for province, members in by_province.items():
        assert rows[province]["documents"] == len(members)
        dated = [(date.fromisoformat(c["date"][n]), n) for n in members if c["date"][n]]
        if dated:
            first_date = min(d for d, _ in dated)
            assert rows[province]["lag_days"] == (first_date - start).days
            assert rows[province]["first"]["date"] == first_date.isoformat()
    months = Counter(c["date"][n][:7] for n in reached if c["date"][n])
    assert {m["month"]: m["documents"] for m in got["timeline"]} == months
    levels = {lv["level"]: lv["documents"] for lv in got["by_level"]}
    assert sum(levels.values()) == len(reached) and levels["ministry"] > 0 and levels["district"] > 0
    assert levels["grassroots"] > 0
    csv_rows = coverage_csv(got).splitlines()
    assert len(csv_rows) == 1 + 34


def test_coverage_route_and_page(seed_store: object) -> None:
    from api.app import create_app
    from api.settings import Settings

    with TestClient(create_app(Settings(store=None, query_processes=False), seed_store)) as c:  # type: ignore[arg-type]
        got = c.get("/api/documents/tw-nq-2021-02/coverage").json()
        assert got["implementers"] == 2 and got["provinces"][0]["province"] == "Lai Châu"
        assert got["provinces"][0]["lag_days"] == 108  # 12-CTr/TU of 2021-09-28, 108 days after 2021-06-12
        assert len(got["provinces_without"]) == 33
        sheet = c.get("/api/documents/tw-nq-2021-02/coverage", params={"format": "xlsx"})
        assert sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
        ws = openpyxl.load_workbook(io.BytesIO(sheet.content)).active
        rows = [[cell.value for cell in r] for r in ws.iter_rows()]
        assert rows[1] == ["Lai Châu", 2, "lai-chau-tu-ctr-2021-12", "12-CTr/TU", "2021-09-28", 108]
        assert len(rows) == 1 + 34 and rows[-1][1] == 0
        csv = c.get("/api/documents/tw-nq-2021-02/coverage", params={"format": "csv"})
        assert csv.headers["content-type"].startswith("text/csv") and "Lai Châu,2,lai-chau-tu-ctr-2021-12" in csv.text
        page = c.get("/documents/tw-nq-2021-02", headers={"accept": "text/html"}).text
        panel = page[page.index('id="coverage"'):]
        assert "Lai Châu" in panel and ">108<" in panel and "<svg" in panel and "chưa có văn bản triển khai" in panel


def test_coverage_of_the_generated_landmark_is_exact(tmp_path: object) -> None:
    """bench/generate.py at 10,000 documents, built into the graph as `vanban load` takes it: the coverage of
    its most implemented resolution against a count over the generator's own truth (what each document
    implements, and the chains its text states), provinces that never implement it included."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generate import generate, write_graph

    dump = write_graph(Path(str(tmp_path)), 10_000, 7, 2)
    docs = [d for d, _ in generate(10_000, 7)]
    g = nx.DiGraph()
    g.add_nodes_from(d.n for d in docs)
    stated: dict[int, list[date]] = {}  # a document's dates as it and its citers state them (least wins)
    for d in docs:
        stated.setdefault(d.n, []).append(date(d.date[2], d.date[1], d.date[0]))
        for c, rel in d.cites:
            if rel == "implements":
                g.add_edge(d.n, c.n)
            if c.n in d.misdated:
                day, month, year = d.misdated[c.n]
                stated[c.n].append(date(year, month, day))
        for a, b in d.chains:
            g.add_edge(a.n, b.n)
    landmark = max((d for d in docs if d.province is None), key=lambda d: len(nx.ancestors(g, d.n)))
    reached = nx.ancestors(g, landmark.n)
    idx = LineageIndex.from_dumps([dump], "s")
    c = idx.nodes.columns
    key = next(c["key"][n] for n in range(len(idx.nodes)) if c["symbol"][n] == landmark.symbol
               and c["date"][n] == min(stated[landmark.n]).isoformat())
    got = coverage(idx, key)
    assert got["implementers"] == len(reached) > 2000
    start = min(stated[landmark.n])
    firsts: dict[str, date] = {}
    for n in reached:
        province, when = docs[n].province, min(stated[n])
        if province and (province not in firsts or when < firsts[province]):
            firsts[province] = when
    rows = {r["province"]: r["lag_days"] for r in got["provinces"]}
    assert rows == {p: (when - start).days for p, when in firsts.items()}
    assert set(got["provinces_without"]) == {p for p, lag in landmark.lags.items() if lag is None} != set()
    lags = sorted(rows.values())
    assert 20 < lags[len(lags) // 2] < 200 and lags[-1] > 300  # realistic: weeks for most, a year for some
    months = Counter(min(stated[n]).isoformat()[:7] for n in reached)
    assert {m["month"]: m["documents"] for m in got["timeline"]} == months
