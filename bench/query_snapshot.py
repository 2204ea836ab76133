"""The results of the example queries (data/queries/*.rq) on a corpus, as JSON: rows sorted, values as
text. Run by any version of vanban; tests/test_queries.py compares the current graph model's results with
the snapshot the previous model wrote (tests/golden/queries-model-1/).

    .venv/bin/python bench/query_snapshot.py CORPUS OUT.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.ingest import ingest  # noqa: E402
from graph.store import GraphStore  # noqa: E402

Rows = list[dict[str, str]]

# A source graph's IRI ends in a hash of the path the file was read from, which differs between machines.
_PATH_HASH = re.compile(r"(/doc/source/[^\s\"]*)-[0-9a-f]{10}$")


def stable(rows: Rows) -> Rows:
    """Rows without what depends on where the corpus lies (the path hash of source IRIs), sorted."""
    return sorted((dict(sorted((k, _PATH_HASH.sub(r"\1", v)) for k, v in r.items())) for r in rows),
                  key=lambda r: json.dumps(r, ensure_ascii=False))


def snapshot(corpus: Path, queries: Path = ROOT / "data" / "queries") -> dict[str, Rows]:
    store = GraphStore()
    ingest([corpus], store, workers=1)
    return {q.stem: stable(list(store.rows(q.read_text(encoding="utf-8")))) for q in sorted(queries.glob("*.rq"))}


def main() -> int:
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.write_text(json.dumps(snapshot(corpus), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
