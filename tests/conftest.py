"""Shared fixtures: the vocabulary, and ../shared (gold, corpus, contract) when it is there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings

from graph.ingest import ingest
from graph.store import GraphStore
from graph.vocab import Vocabulary, load

# No per-example deadline: speed is measured in bench/, never by a test (a busy CI machine is no bug).
settings.register_profile("vanban", deadline=None)
settings.load_profile("vanban")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


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


@pytest.fixture(scope="module")
def seed_store() -> GraphStore:
    """An in-memory store holding the two seed documents (one per test module: tests may write to it)."""
    store = GraphStore()
    ingest([ROOT / "data" / "documents"], store)
    return store


@pytest.fixture(scope="module")
def seed_client() -> Iterator[TestClient]:
    """The real app over an in-memory store of the seed documents, with the admin token `s3cret`."""
    from api.app import create_app
    from api.settings import Settings

    store = GraphStore()
    ingest([ROOT / "data" / "documents"], store, workers=0)
    with TestClient(create_app(Settings(store=None, admin_token="s3cret", query_processes=False), store)) as c:
        yield c
