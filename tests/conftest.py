"""Shared fixtures: the vocabulary, and ../shared (gold, corpus, contract) when it is there."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.ingest import ingest
from graph.store import GraphStore
from graph.vocab import Vocabulary, load

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
