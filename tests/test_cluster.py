"""Ingest on a Dask cluster (`--cluster`): the same store as a local ingest, files sent as bytes or by
path; a worker killed mid-task has its tasks rerun, nothing lost or written twice; the ingest client
killed mid-write leaves the store consistent and the next run completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from builders import scanned_page
from conftest import write_generated

from graph.ingest import ingest
from graph.read.ocr import _tesseract
from graph.store import GraphStore, Store

ROOT = Path(__file__).resolve().parent.parent


def _content(store: Store) -> set[tuple[str, str, str, str]]:
    from graph.rdf import PROV_GENERATED

    return {(str(q.subject), str(q.predicate), str(q.object), str(q.graph_name)) for q in store.quads()
            if q.predicate != PROV_GENERATED and q.graph_name.value != store.meta_graph}


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cluster") / "docs"
    write_generated(folder, 120, seed=5)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    return folder


@pytest.mark.parametrize("files", ["bytes", "path"])
def test_a_cluster_ingest_gives_the_store_a_local_one_gives(docs: Path, tmp_path: Path, files: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(docs.parent)
    local, on_cluster = GraphStore(None), GraphStore(None)
    a = ingest([Path("docs")], local, workers=0)
    b = ingest([Path("docs")], on_cluster, cluster="local:2", cluster_files=files)
    assert (b.ingested, len(b.failed)) == (a.ingested, 1) == (120, 1)
    assert b.failed[0][0].endswith("broken.pdf") and b.failed == a.failed  # the bad file: its own line
    assert _content(on_cluster) == _content(local)
    again = ingest([Path("docs")], on_cluster, cluster="local:1", cluster_files=files)
    assert (again.ingested, again.skipped) == (0, 120)  # idempotent by content hash


@pytest.fixture()
def cluster() -> Iterator[Any]:
    """A Dask cluster of two worker processes (each under a nanny that restarts it), as a site runs one."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c, \
            Client(c) as client:
        yield client


def test_a_worker_killed_mid_task_loses_nothing(tmp_path: Path, cluster: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Scans (seconds of OCR each) among text files; one worker is killed while it reads a scan: the
    scheduler gives its tasks to the other, and every file is written once."""
    if _tesseract() is None:
        pytest.skip("Tesseract with its Vietnamese model is not installed (make sysdeps)")
    docs = tmp_path / "docs"
    write_generated(docs, 40, seed=9)
    for i in range(6):
        scanned_page([f"Kế hoạch số {100 + i}-KH/TU", "Thực hiện Nghị quyết số 02-NQ/TW ngày 20/01/2021",
                      "của Ban Chấp hành Trung ương"]).save(docs / f"scan-{i}.png")
    killed: list[int] = []

    def kill_one_mid_scan() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            for address, keys in cluster.processing().items():
                if any(".png" in str(k) for k in keys) and _busy_with_scan(cluster, address):
                    pid = cluster.run(os.getpid, workers=[address])[address]
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
            time.sleep(0.05)

    monkeypatch.chdir(tmp_path)
    store = GraphStore(None)
    killer = threading.Thread(target=kill_one_mid_scan)
    killer.start()
    report = ingest([Path("docs")], store, cluster=cluster.scheduler.address)
    killer.join()
    assert killed, "no worker was caught reading a scan"
    assert report.failed == [] and report.ingested == 46
    graphs = [s["g"] for s in store.sources()]
    assert len(graphs) == len(set(graphs)) == 46  # every file once
    local = GraphStore(None)
    ingest([Path("docs")], local, workers=0)
    assert _content(store) == _content(local)


def _busy_with_scan(client: Any, address: str) -> bool:
    """Whether the worker at `address` is executing a task on a scan now."""
    def executing(dask_worker: Any) -> list[str]:
        return [str(ts.key) for ts in dask_worker.state.executing]

    try:
        running = client.run(executing, workers=[address]).get(address, [])
    except Exception:  # the worker went away meanwhile
        return False
    return any(".png" in r for r in running)


def test_the_client_killed_mid_write_leaves_a_store_the_next_run_completes(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed after its first batch of 200 was written (progress shows a batch once it is stored), while
    the next is in flight."""
    docs = tmp_path / "docs"
    write_generated(docs, 600, seed=11)
    store_dir = tmp_path / "store"
    argv = [sys.executable, "-m", "graph", "ingest", "docs", "--store", str(store_dir), "--cluster", "local:2"]
    proc = subprocess.Popen(argv, cwd=tmp_path, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    assert proc.stderr is not None
    done = 0
    for line in proc.stderr:
        done += line.startswith("ingest ")
        if done >= 120:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    with_workers = subprocess.run(["pkill", "-KILL", "-s", str(proc.pid)], check=False)  # its cluster
    assert with_workers.returncode in (0, 1)

    store = GraphStore(store_dir)  # opens after the crash: a batch cut short is dropped
    written = {s["g"] for s in store.sources()}
    graphs = set(store.named_graphs()) - {store.iris.conflicts_graph, store.meta_graph, store.iris.validity_graph,
                                          "https://w3id.org/vanban/ontology"}
    assert 0 < len(written) < 600 and graphs <= written  # nothing half-written
    local = GraphStore(None)
    monkeypatch.chdir(tmp_path)
    report = ingest([Path("docs")], store, cluster="local:2")
    assert report.failed == [] and report.skipped == len(written) and report.ingested == 600 - len(written)
    ingest([Path("docs")], local, workers=0)
    assert _content(store) == _content(local)
