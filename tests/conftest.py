"""Shared fixtures: the vocabulary, and ../shared (gold, corpus, contract) when it is there."""

from __future__ import annotations

from pathlib import Path

import pytest

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
