"""Shared fixtures: the vocabulary, and ../shared (gold, corpus, contract) when it is there."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings

from graph.ingest import ingest
from graph.store import GraphStore, Store
from graph.vocab import Vocabulary, load

# No per-example deadline: speed is measured in bench/, never by a test (a busy CI machine is no bug).
settings.register_profile("vanban", deadline=None)
settings.load_profile("vanban")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/servers.py


def write_generated(folder: Path, size: int, seed: int) -> list[Path]:
    """`size` documents of bench/generate.py written to `folder`, in order."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    folder.mkdir(parents=True)
    paths = []
    for doc, text in generate(size, seed=seed):
        paths.append(folder / f"{doc.n:04d}.txt")
        paths[-1].write_text(text, encoding="utf-8")
    return paths


@pytest.fixture(scope="session")
def vocab() -> Vocabulary:
    return load()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "contract" / "extract.schema.json").exists():
        pytest.skip("../shared is absent")
    return SHARED


BACKENDS = ["embedded", "oxigraph-server", "virtuoso"]


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Virtuoso for the session (it takes seconds to start); each store on it starts empty."""
    from servers import virtuoso_started

    with virtuoso_started(tmp_path_factory.mktemp("virtuoso")) as v:
        yield v.endpoint


def emptied_remote_store(url: str, **settings: Any) -> Store:
    """A store on the server at `url`, emptied first of every vanban graph (a Virtuoso shared by the
    session holds what an earlier module left, marks included, which the store would refuse to open)."""
    import httpx

    from graph.store import Remote, RemoteStore

    remote = Remote(url, **settings)
    query, update = remote.endpoints()
    auth = httpx.DigestAuth(remote.user, remote.password or "") if remote.user else None
    found = httpx.post(query, data={"query": 'SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } '
                                             'FILTER(STRSTARTS(STR(?g), "https://w3id.org/vanban/")) }'},
                       headers={"accept": "application/sparql-results+json"}, timeout=60).json()
    for row in found["results"]["bindings"]:
        httpx.post(update, data={"update": f"DROP SILENT GRAPH <{row['g']['value']}>"}, auth=auth,
                   timeout=60).raise_for_status()
    return RemoteStore(remote)


StoreFactory = Callable[..., Store]


@pytest.fixture(scope="module")
def store_factory(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        StoreFactory]:
    """Empty stores of one backend (the module runs once per backend in BACKENDS): Oxigraph in this
    process (in memory, or in `folder` when given), an Oxigraph server, Virtuoso — the store's interface
    is the same on each. On Virtuoso, which the session shares, each new store empties the last."""
    backend = getattr(request, "param", "embedded")
    if backend == "embedded":
        yield lambda folder=None: GraphStore(folder)
        return
    if backend == "oxigraph-server":
        from servers import oxigraph_server

        servers = []

        def on_oxigraph(folder: Path | None = None) -> Store:
            servers.append(oxigraph_server(tmp_path_factory.mktemp("oxigraph")))
            return emptied_remote_store(servers[-1].base)

        yield on_oxigraph
        for s in servers:
            s.stop()
        return
    endpoint = request.getfixturevalue("virtuoso")
    yield lambda folder=None: emptied_remote_store(endpoint, user="dba", password="dba", auth="digest")


def where(store: Store) -> Path | Any:
    """What opens this store again (its folder, or its server's settings)."""
    from graph.store import RemoteStore

    return store.remote if isinstance(store, RemoteStore) else store.path


def lapsed(location: Path | Any) -> Path | Any:
    """The same store, opened after the lease of any pending write has run out (a remote store's marks
    belong to their writer for `lease` seconds; the embedded store has one writer and no lease)."""
    import dataclasses
    import time

    if isinstance(location, Path):
        return location
    time.sleep(0.6)
    return dataclasses.replace(location, lease=0.5)


def reopen(location: Path | Any) -> Store:
    """The store at `location` opened again, as another process (or the next run) opens it."""
    from graph.store import RemoteStore

    return GraphStore(location) if isinstance(location, Path) else RemoteStore(location)


def backend_of(store: Store) -> str:
    from graph.store import RemoteStore

    if not isinstance(store, RemoteStore):
        return "embedded"
    return "virtuoso" if store.location.endswith("/sparql") else "oxigraph-server"


@pytest.fixture(scope="module")
def seed_store(store_factory: StoreFactory) -> Store:
    """A store holding the two seed documents (one per test module: tests may write to it); in memory,
    or on a server where the module runs across BACKENDS."""
    store = store_factory()
    ingest([ROOT / "data" / "documents"], store)
    return store


@pytest.fixture(scope="module")
def seed_client(store_factory: StoreFactory) -> Iterator[TestClient]:
    """The real app over a store of the seed documents, with the admin token `s3cret`."""
    from api.app import create_app
    from api.settings import Settings

    store = store_factory()
    ingest([ROOT / "data" / "documents"], store, workers=0)
    with TestClient(create_app(Settings(store=None, admin_token="s3cret", query_processes=False), store)) as c:
        yield c


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A module that says `ACROSS_BACKENDS = True` runs its store tests on every backend."""
    if getattr(metafunc.module, "ACROSS_BACKENDS", False) and "store_factory" in metafunc.fixturenames:
        metafunc.parametrize("store_factory", BACKENDS, indirect=True, scope="module")
