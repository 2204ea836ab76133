"""The store on disk: the real corpus ingests, ingesting again changes nothing, and an ingest killed
with SIGKILL leaves every document all or nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.extract import extract_path
from graph.identity import Iris, source_id
from graph.ingest import ingest
from graph.rdf import PROV_GENERATED, build
from graph.store import GraphStore
from graph.vocab import load

ROOT = Path(__file__).resolve().parent.parent


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
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    store = GraphStore(store_dir)  # opens again after the crash
    sources = {s["g"]: s["path"] for s in store.sources()}
    graphs = {g.value for g in store.ox.named_graphs()} - {store.iris.conflicts_graph, store.meta_graph}
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
