"""One-way data flow: the core library never imports the web layer."""

from __future__ import annotations

import ast
from pathlib import Path

GRAPH = Path(__file__).resolve().parent.parent / "graph"
FORBIDDEN = {"api", "fastapi", "uvicorn", "starlette"}


def test_graph_does_not_import_api() -> None:
    for path in GRAPH.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, (path.name, name)


def test_one_door_to_the_store() -> None:
    """Only the store's own package (graph/store/) touches the raw Oxigraph store: every write gets its
    stamp and intent marks, every read its typed errors."""
    api = GRAPH.parent / "api"
    for path in [*GRAPH.rglob("*.py"), *api.rglob("*.py")]:
        if path.parent == GRAPH / "store":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        raw = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "ox"]
        assert not raw, (str(path.relative_to(GRAPH.parent)), raw)
