"""Shared fixtures: the vocabulary, and ../shared (gold, corpus, contract) when it is there."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.ingest import ingest
from graph.store import GraphStore
from graph.vocab import Vocabulary, load

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


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
