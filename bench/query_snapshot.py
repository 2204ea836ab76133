"""The results of the example queries (data/queries/*.rq) on a corpus, as JSON: rows sorted, values as
text. Run by any version of vanban; tests/test_queries.py compares the current graph model's results with
the snapshot the previous model wrote (tests/golden/queries-model-1/).

    .venv/bin/python bench/query_snapshot.py CORPUS OUT.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.ingest import ingest  # noqa: E402
from graph.store import GraphStore  # noqa: E402


def snapshot(corpus: Path, queries: Path = ROOT / "data" / "queries") -> dict[str, list[dict[str, str]]]:
    store = GraphStore()
    ingest([corpus], store, workers=1)
    return {q.stem: sorted((dict(sorted(r.items())) for r in store.rows(q.read_text(encoding="utf-8"))),
                           key=lambda r: json.dumps(r, ensure_ascii=False))
            for q in sorted(queries.glob("*.rq"))}


def main() -> int:
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.write_text(json.dumps(snapshot(corpus), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
