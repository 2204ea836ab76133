"""vanban on a SPARQL 1.1 server: the CLI with `--store http://…` (the bars of the earlier issues: what
implements 02-NQ/TW, the 06-QC/TU conflict, exports that read back), and two API servers over one
store that answer alike after an ingest through either (each refreshes its indexes when the store's
write stamp moves). On an Oxigraph server and on Virtuoso, each started by the tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from servers import oxigraph_server, serve

from graph.store import Remote, RemoteStore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "documents"


@pytest.fixture(params=["oxigraph-server", "virtuoso"])
def remote(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The VANBAN_STORE_* settings of an empty store on a server of each kind."""
    if request.param == "oxigraph-server":
        server = oxigraph_server(tmp_path / "oxigraph")
        yield {"VANBAN_STORE_URL": server.base}
        server.stop()
        return
    from conftest import emptied_remote_store

    endpoint = request.getfixturevalue("virtuoso")
    emptied_remote_store(endpoint, user="dba", password="dba", auth="digest").close()  # emptied
    yield {"VANBAN_STORE_URL": endpoint, "VANBAN_STORE_USER": "dba", "VANBAN_STORE_PASSWORD": "dba",
           "VANBAN_STORE_AUTH": "digest"}


def vanban(env: dict[str, str], *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graph", *args], cwd=cwd, env=os.environ | env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_cli_on_a_remote_store(remote: dict[str, str], tmp_path: Path) -> None:
    env = remote | {"VANBAN_STORE_POLL": "0"}
    index = ["--index-dir", str(tmp_path / "index")]
    done = vanban(env, "ingest", str(SEEDS), *index)
    assert done.returncode == 0, done.stderr
    assert "2 ingested" in done.stdout and "1 conflicts" in done.stdout
    tree = vanban(env, "lineage", "02-NQ/TW", *index)
    assert tree.returncode == 0, tree.stderr
    assert "12-CTr/TU" in tree.stdout and "98-CV/ĐĐ" in tree.stdout
    conflict = vanban(env, "query", "--format", "json", *index,
                      "SELECT ?v WHERE { ?c a vb:Conflict ; vb:claim ?k . ?k vb:value ?v }")
    assert conflict.returncode == 0, conflict.stderr
    dates = {b["v"]["value"] for b in json.loads(conflict.stdout)["results"]["bindings"]}
    assert dates == {"2019-04-04", "2019-04-24"}  # 06-QC/TU's two dates, each with its sources
    out = tmp_path / "dump.nq"
    exported = vanban(env, "export", "--format", "nq", "-o", str(out), *index)
    assert exported.returncode == 0, exported.stderr
    store = RemoteStore(_remote(env))
    assert {q for q in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS)} == set(store.quads())
    again = vanban(env, "ingest", str(SEEDS), *index)
    assert "0 ingested, 2 unchanged" in again.stdout, again.stdout


def _remote(env: dict[str, str]) -> Remote:
    return Remote(env["VANBAN_STORE_URL"], user=env.get("VANBAN_STORE_USER"),
                  password=env.get("VANBAN_STORE_PASSWORD"), auth=env.get("VANBAN_STORE_AUTH", "basic"))


def _implementers(base: str) -> Any:
    r = httpx.get(base + "/api/documents/tw-nq-2021-02/implementers", params={"evidence": "false"}, timeout=30)
    return r.status_code, (r.json().get("items") if r.status_code == 200 else None)


def test_two_servers_over_one_store_answer_alike_after_an_ingest(remote: dict[str, str], tmp_path: Path) -> None:
    """Both answer the same implementers within the poll, whoever wrote; a file uploaded to one downloads as
    the original from the other (their uploads folder on a disk they share)."""
    from graph.identity import source_id

    settings = remote | {"VANBAN_STORE_POLL": "0.2", "VANBAN_ADMIN_TOKEN": "t0k3n",
                         "VANBAN_UPLOADS_DIR": str(tmp_path / "shared-uploads")}
    servers = [serve(None, **settings, VANBAN_INDEX_DIR=str(tmp_path / name)) for name in ("a", "b")]
    try:
        assert [_implementers(s.base)[0] for s in servers] == [404, 404]  # nothing in the store yet
        # an ingest job on its own, writing the store directly
        assert vanban(remote, "ingest", str(SEEDS / "570-LDLD-2020-LaiChau.txt"), "--index-dir",
                      str(tmp_path / "job")).returncode == 0
        # and a file sent to server a
        with (SEEDS / "98-CV-DD-2023-LaiChau.txt").open("rb") as f:
            sent = httpx.post(servers[0].base + "/api/ingest", files={"files": f},
                              headers={"authorization": "Bearer t0k3n"}, timeout=60)
        assert sent.status_code == 200, sent.text
        deadline, answers = time.monotonic() + 20, []
        while time.monotonic() < deadline:
            answers = [_implementers(s.base) for s in servers]
            if all(a[0] == 200 and len(a[1]) == 2 for a in answers):
                break
            time.sleep(0.2)
        assert answers[0] == answers[1] and [i["symbol"] for i in answers[0][1]] == ["12-CTr/TU", "98-CV/ĐĐ"]
        original = httpx.get(f"{servers[1].base}/sources/{source_id(sent.json()['items'][0]['name'])}/original",
                             timeout=30)
        assert original.status_code == 200 and original.content == (SEEDS / "98-CV-DD-2023-LaiChau.txt").read_bytes()
        assert [p.name for p in (tmp_path / "shared-uploads").iterdir()] == ["98-CV-DD-2023-LaiChau.txt"]
    finally:
        for s in servers:
            s.stop()


def test_an_answer_the_server_cuts_short_is_an_error_not_a_silent_loss(tmp_path: Path) -> None:
    """Virtuoso caps every answer at ResultSetMaxRows (10,000 by default) and says so in one header only:
    vanban stops with that setting's name instead of reading part of the store as the whole."""
    from servers import virtuoso_started

    from graph.errors import StoreError
    from graph.ingest import ingest

    with virtuoso_started(tmp_path / "virtuoso", max_rows=100) as v:
        store = RemoteStore(Remote(v.endpoint, user="dba", password="dba", auth="digest"))
        ingest([SEEDS], store, workers=0)  # its own reads stay small
        assert store.count("?d a vb:Document", "d") == 16
        with pytest.raises(StoreError, match="ResultSetMaxRows"):
            list(store.quads())  # 1,100 quads


@pytest.mark.parametrize(("remote", "query", "update"), [
    (Remote("http://h:7878"), "http://h:7878/query", "http://h:7878/update"),
    (Remote("http://h:7878/"), "http://h:7878/query", "http://h:7878/update"),
    (Remote("https://h/oxigraph"), "https://h/oxigraph/query", "https://h/oxigraph/update"),
    (Remote("http://h:8890/sparql"), "http://h:8890/sparql", "http://h:8890/sparql"),
    (Remote("http://h:8890/sparql", user="u", auth="digest"), "http://h:8890/sparql", "http://h:8890/sparql-auth"),
    (Remote("http://h:7200/repositories/vb", query_path="/repositories/vb",  # GraphDB
            update_path="/repositories/vb/statements"),
     "http://h:7200/repositories/vb", "http://h:7200/repositories/vb/statements"),
    (Remote("http://h:9999", query_path="/q", update_path="/u"), "http://h:9999/q", "http://h:9999/u"),
])
def test_endpoints_from_the_store_url(remote: Remote, query: str, update: str) -> None:
    assert remote.endpoints() == (query, update)


@pytest.mark.parametrize(("remote", "data"), [
    (Remote("http://h:7878"), "http://h:7878/store"),
    (Remote("http://h:7878/oxigraph/"), "http://h:7878/oxigraph/store"),
    (Remote("http://h:8890/sparql"), None),
    (Remote("http://h:7878", data_path=""), None),
    (Remote("http://h:7200/repositories/vb", query_path="/repositories/vb"), None),
    (Remote("http://h:7200/repositories/vb", data_path="/repositories/vb/statements"),
     "http://h:7200/repositories/vb/statements"),
])
def test_where_n_quads_are_posted(remote: Remote, data: str | None) -> None:
    assert remote.data_endpoint() == data


@pytest.mark.parametrize("url", ["ftp://h/x", "http://", "h:7878", "file:///srv/store"])
def test_a_store_url_that_is_no_http_endpoint_is_refused(url: str) -> None:
    from graph.errors import StoreError

    with pytest.raises(StoreError, match="not a store URL"):
        Remote(url).endpoints()


def test_remote_settings_come_from_the_environment() -> None:
    from graph.store import home_for, remote_from_env

    r = remote_from_env("http://h:8890/sparql", {"VANBAN_STORE_USER": "dba", "VANBAN_STORE_PASSWORD": "pw",
                                                  "VANBAN_STORE_AUTH": "digest", "VANBAN_STORE_POLL": "0.5"})
    assert (r.user, r.password, r.auth, r.poll, r.timeout) == ("dba", "pw", "digest", 0.5, 60.0)
    assert home_for("http://h:8890/sparql") != home_for("http://h:7878") == home_for("http://h:7878/")


def test_a_batch_in_flight_is_left_alone_by_another_process_opening_the_store(tmp_path: Path) -> None:
    """Several processes write a remote store: one that opens it while another's batch is pending must
    not drop that batch; a mark older than the lease is a writer that died, and is dropped."""
    server = oxigraph_server(tmp_path / "oxigraph")
    try:
        writer = RemoteStore(Remote(server.base))
        g = writer.iris.graph("in-flight")
        writer.mark_pending([g])
        writer.update_derived(f"INSERT DATA {{ GRAPH <{g}> {{ <{g}> <urn:x:p> 1 }} }}")  # part of the batch
        other = RemoteStore(Remote(server.base))
        assert other.recovered == [] and g in other.named_graphs()
        writer.update_derived(  # as if that writer had died long ago
            f"DELETE {{ GRAPH ?m {{ <{g}> ?p ?t }} }} INSERT {{ GRAPH ?m {{ <{g}> ?p "
            '"2000-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> } } '
            f"WHERE {{ GRAPH ?m {{ <{g}> ?p ?t }} }}")
        later = RemoteStore(Remote(server.base))
        assert later.recovered == [g] and g not in later.named_graphs()
        meta = [str(q) for q in later.quads(None, None, None, later.meta_graph)]
        assert meta and not [q for q in meta if g in q or "pending" in q]  # marks and lease gone
    finally:
        server.stop()


def test_a_store_url_nobody_answers_is_one_clear_error() -> None:
    from servers import free_port

    from graph.errors import StoreError

    with pytest.raises(StoreError, match=r"cannot reach the store at http://127\.0\.0\.1:\d+: .*refused"):
        RemoteStore(Remote(f"http://127.0.0.1:{free_port()}", timeout=5))
