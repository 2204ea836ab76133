"""The store on disk: the real corpus ingests, ingesting again changes nothing, and an ingest killed
with SIGKILL leaves every document all or nothing. The tests on `store_factory` run on every backend
(conftest.BACKENDS): a write cut short, a dump loaded, a load cut short, conflicts left stale."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import StoreFactory, lapsed, reopen, where, write_generated

from graph.errors import InputError, StoreError
from graph.extract import extract_path
from graph.identity import Iris, source_id
from graph.ingest import ONTOLOGY_GRAPH, ingest
from graph.rdf import PROV_GENERATED, build
from graph.store import GraphStore, Store
from graph.vocab import load

ROOT = Path(__file__).resolve().parent.parent
ACROSS_BACKENDS = True


def test_real_corpus_ingests_and_is_idempotent(shared: Path, tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    report = ingest([shared / "corpus" / "real"], store)
    assert report.failed == []
    assert report.ingested >= 240
    assert report.nodes > 1000 and report.links > 1500
    before = set(store.ox)
    again = ingest([shared / "corpus" / "real"], store)
    assert again.ingested == 0 and again.skipped == report.ingested
    assert set(store.ox) == before


def _expected(path: Path, name: str, store_iris: Iris) -> set[tuple[str, str, str]]:
    import hashlib

    data = path.read_bytes()
    built = build(extract_path(path), source_id(name), name, hashlib.sha256(data).hexdigest(), store_iris, load())
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in built.quads if q.predicate != PROV_GENERATED}


def test_sigkill_mid_ingest_leaves_whole_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    seeds = sorted((ROOT / "data" / "documents").glob("*.txt"))
    for i in range(150):
        for seed in seeds:
            text = seed.read_text(encoding="utf-8")
            (docs / f"{i:03d}-{seed.name}").write_text(text + f"\n\nBản sao {i}.\n", encoding="utf-8")
    store_dir = tmp_path / "store"
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph", "ingest", "docs", "--store", str(store_dir)],
        cwd=tmp_path, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    assert proc.stderr is not None
    done = 0
    for line in proc.stderr:
        if line.startswith("ingest "):
            done += 1
        if done >= 60:
            break
    workers = _children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 15
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers and not any(map(_alive, workers))  # the killed ingest's workers do not linger

    store = GraphStore(store_dir)  # opens again after the crash
    sources = {s["g"]: s["path"] for s in store.sources()}
    derived = {store.iris.conflicts_graph, store.meta_graph, ONTOLOGY_GRAPH}
    graphs = {g.value for g in store.ox.named_graphs()} - derived
    assert 60 <= len(sources) < 300, len(sources)
    assert graphs <= set(sources)  # no graph without its source record: nothing half-written
    for graph, path in sources.items():
        got = {(str(q.subject), str(q.predicate), str(q.object))
               for q in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph))
               if q.predicate != PROV_GENERATED}
        assert got == _expected(tmp_path / path, path, store.iris), path
    monkeypatch.chdir(tmp_path)
    report = ingest([Path("docs")], store)  # and the batch completes from where it stopped
    assert report.failed == [] and report.skipped == len(sources) and report.ingested == 300 - len(sources)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has exited (only its parent, now init, has not reaped it)


def _content(store: Store) -> set[tuple[str, str, str, str]]:
    """Every quad but the write stamps and generation times (which differ run to run)."""
    meta = ox.NamedNode(store.meta_graph)
    return {(str(q.subject), str(q.predicate), str(q.object), str(q.graph_name)) for q in store.quads()
            if q.predicate != PROV_GENERATED and q.graph_name != meta}


def test_a_bulk_write_cut_short_is_dropped_when_the_store_opens(tmp_path: Path, store_factory: StoreFactory) -> None:
    seeds = sorted((ROOT / "data" / "documents").glob("*.txt"))
    store = store_factory(tmp_path / "store")
    ingest([seeds[0]], store)
    before, stamp = _content(store), store.stamp()
    # a crash inside add_sources: marks written, then only part of the batch's quads
    ex = extract_path(seeds[1])
    built = build(ex, "cut", "cut.txt", "0" * 64, store.iris, load())
    store.mark_pending([built.graph])
    partial = [q for q in ox.parse(built.nquads.encode(), format=ox.RdfFormat.N_QUADS)][:10]
    body = " ".join(f"GRAPH {q.graph_name} {{ {q.triple} . }}" for q in partial)
    store.update_derived(f"INSERT DATA {{ {body} }}")
    assert store.stamp() == ""  # derived indexes see the store as changed from the first step
    assert built.graph in store.named_graphs()
    store.flush()
    location = where(store)
    del store

    if not isinstance(location, Path):  # a shared store, opened while the writer may still be at work
        other = reopen(location)
        assert other.recovered == [] and built.graph in other.named_graphs()
        del other
    store = reopen(lapsed(location))  # the writer died (on a shared store: its lease has run out)
    assert store.recovered == [built.graph]
    assert _content(store) == before
    assert built.graph not in store.named_graphs()
    assert store.stamp() != stamp


def test_worker_processes_and_batches_give_the_same_store(tmp_path: Path) -> None:
    docs = write_generated(tmp_path / "docs", 150, seed=3)[0].parent
    stores = []
    for workers, batch in ((0, 1), (1, 40)):
        store = GraphStore(None)
        report = ingest([docs], store, workers=workers, batch=batch)
        assert report.ingested == 150 and report.failed == []
        stores.append(_content(store))
    assert stores[0] == stores[1]


def test_a_dump_loads_into_an_equal_store(tmp_path: Path, store_factory: StoreFactory) -> None:
    from graph.export import export
    from graph.ingest import load_dumps
    from graph.lineage import LineageIndex

    store = GraphStore(tmp_path / "a")
    ingest([ROOT / "data" / "documents"], store)
    dump = tmp_path / "dump.nq"
    dump.write_bytes(b"".join(export(store, LineageIndex.build(store), "nq")))
    loaded = store_factory(tmp_path / "b")
    report = load_dumps([dump], loaded)
    assert report.failed == [] and report.documents == 2 and report.conflicts == 1  # 06-QC/TU's two dates
    assert _content(loaded) == _content(store)
    assert loaded.stamp() != ""
    a, b = LineageIndex.build(store), LineageIndex.build(loaded)
    assert a.nodes.columns == b.nodes.columns and list(a.out) == list(b.out)
    c = LineageIndex.from_dumps([dump], loaded.stamp())  # what `vanban load` saves
    assert c.nodes.columns == a.nodes.columns and list(c.out) == list(a.out) and list(c.inc) == list(a.inc)
    assert [c.evidence.at(j) for j in range(c.out.count())] == [a.evidence.at(j) for j in range(a.out.count())]

    with pytest.raises(StoreError, match="not empty"):
        load_dumps([dump], loaded)


def test_a_malformed_dump_leaves_the_store_empty(tmp_path: Path, store_factory: StoreFactory) -> None:
    from graph.ingest import load_dumps

    bad = tmp_path / "bad.nq"
    bad.write_text("<https://w3id.org/vanban/a> <http://b> <http://c> <https://w3id.org/vanban/g> .\n"
                   "<http://a> <http://b> .\n", encoding="utf-8")
    store = store_factory(tmp_path / "s")
    with pytest.raises(InputError, match=r"bad\.nq: not valid N-Quads"):
        load_dumps([bad], store)
    assert store.is_empty()
    with pytest.raises(InputError, match="no such file"):
        load_dumps([tmp_path / "missing.nq"], store)


def test_a_store_whose_bulk_load_was_cut_short_refuses_to_open(tmp_path: Path, store_factory: StoreFactory) -> None:
    store = store_factory(tmp_path / "s")
    store.set_mark("loading")  # what load_nquads leaves when it is cut short
    store.flush()
    location = where(store)
    del store
    with pytest.raises(StoreError, match="bulk load that did not finish"):
        reopen(location)


def test_conflicts_left_stale_by_a_crash_are_recomputed_by_the_next_ingest(tmp_path: Path,
                                                                           store_factory: StoreFactory) -> None:
    store = store_factory(tmp_path / "s")
    ingest([ROOT / "data" / "documents"], store)
    assert store.count("?x a vb:Conflict") == 1 and not store.has_mark("conflictsStale")
    # as if the ingest died after writing its sources and before recomputing their conflicts
    store.update_derived(f"DROP SILENT GRAPH <{store.iris.conflicts_graph}>")
    store.set_mark("conflictsStale")
    report = ingest([ROOT / "data" / "documents"], store)  # nothing new to write
    assert report.skipped == 2 and report.conflicts == 1 and not store.has_mark("conflictsStale")
