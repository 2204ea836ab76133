#!/usr/bin/env python3
"""What a grammar change gained and lost, file by file, on the whole corpus (read it before committing).

    .venv/bin/python bench/corpus_report.py                  # against HEAD (a worktree of it, made here)
    .venv/bin/python bench/corpus_report.py --base main~3    # against another commit
    .venv/bin/python bench/corpus_report.py --save out.json  # only extract, and save the summaries

Every text of ../shared/corpus (real/, next/, seeds/) and every born-digital original of formats/
(scans too with --scans) is extracted by the working tree and by the base commit; the report lists, per
file, the citations found or lost, relations and links that changed, the citations' kind, date and year
where they changed, and the document fields that did.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


def corpus_files(corpus: Path, scans: bool) -> list[Path]:
    files = []
    for sub in ("seeds", "real", "next"):
        files += sorted(p for p in (corpus / sub).glob("*") if p.suffix in (".txt", ".md"))
    fmt = corpus / "formats"
    files += sorted(p for p in fmt.glob("*") if p.suffix != ".tsv" and (scans or not p.name.startswith("SCAN_")))
    return files


def summarise(corpus: Path, files: list[Path]) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from graph.errors import InputError
    from graph.extract import extract_path

    out: dict[str, Any] = {}
    for f in files:
        key = str(f.relative_to(corpus))
        try:
            ex = extract_path(f).to_json()
        except InputError as e:
            out[key] = {"error": e.problem}
            continue
        doc = ex["document"]
        out[key] = {
            "document": {k: doc.get(k) for k in ("symbol", "date", "kind", "issuer")},
            "citations": {c["symbol"] or "~" + (c["title"] or "")[:60]: sorted(c["relations"])
                          for c in ex["citations"]},
            "links": sorted(f"{lk['from']} --{lk['relation']}--> {lk['to']}" for lk in ex["links"]),
            "fields": {c["symbol"] or "~" + (c["title"] or "")[:60]: [c["kind"], c["date"], c["year"]]
                       for c in ex["citations"]},
        }
    return out


def compare(base: dict[str, Any], now: dict[str, Any]) -> tuple[list[str], dict[str, int]]:
    lines: list[str] = []
    count = {"gained": 0, "lost": 0, "relations changed": 0, "links gained": 0, "links lost": 0,
             "document fields changed": 0, "citation fields changed": 0}
    for key in sorted(set(base) | set(now)):
        a, b = base.get(key, {}), now.get(key, {})
        if a == b:
            continue
        rows = []
        if "error" in a or "error" in b:
            rows.append(f"  read: {a.get('error', 'ok')} → {b.get('error', 'ok')}")
        ca, cb = a.get("citations", {}), b.get("citations", {})
        for c in sorted(set(cb) - set(ca)):
            rows.append(f"  + {c} {cb[c]}")
            count["gained"] += 1
        for c in sorted(set(ca) - set(cb)):
            rows.append(f"  - {c} {ca[c]}")
            count["lost"] += 1
        for c in sorted(set(ca) & set(cb)):
            if ca[c] != cb[c]:
                rows.append(f"  ~ {c} {ca[c]} → {cb[c]}")
                count["relations changed"] += 1
        la, lb = set(a.get("links", [])), set(b.get("links", []))
        rows += [f"  + link {x}" for x in sorted(lb - la)] + [f"  - link {x}" for x in sorted(la - lb)]
        count["links gained"] += len(lb - la)
        count["links lost"] += len(la - lb)
        fa, fb = a.get("fields"), b.get("fields")
        for c in sorted(set(fa or {}) & set(fb or {})):  # (a base older than this field has none)
            if fa[c] != fb[c]:  # type: ignore[index]
                rows.append(f"  ~ {c} kind, date, year: {fa[c]} → {fb[c]}")  # type: ignore[index]
                count["citation fields changed"] += 1
        da, db = a.get("document", {}), b.get("document", {})
        for k in sorted(set(da) | set(db)):
            if da.get(k) != db.get(k):
                rows.append(f"  document {k}: {da.get(k)!r} → {db.get(k)!r}")
                count["document fields changed"] += 1
        if rows:
            lines += [key, *rows]
    return lines, count


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", default="HEAD", help="the commit to compare against (default HEAD)")
    ap.add_argument("--save", type=Path, help="only extract with this tree, and save the summaries here")
    ap.add_argument("--scans", action="store_true", help="include the scans (OCR: minutes)")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    a = ap.parse_args()
    corpus = a.corpus.resolve()
    if not corpus.is_dir():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    files = corpus_files(corpus, a.scans)
    if a.save:
        a.save.write_text(json.dumps(summarise(corpus, files), ensure_ascii=False))
        return 0
    with tempfile.TemporaryDirectory(prefix="vanban-base-") as tmp:
        tree, saved = Path(tmp) / "tree", Path(tmp) / "base.json"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), a.base], check=True)
        try:
            script = tree / "bench" / "corpus_report.py"
            if not script.exists():  # a base older than this script: run this one against its tree
                script = Path(tmp) / "corpus_report.py"
                script.write_text(Path(__file__).read_text(encoding="utf-8").replace(
                    "ROOT = Path(__file__).resolve().parent.parent", f"ROOT = Path({str(tree)!r})"))
            cmd = [sys.executable, str(script), "--save", str(saved), "--corpus", str(corpus)]
            cmd += ["--scans"] if a.scans else []
            subprocess.run(cmd, check=True, cwd=tree)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
        base = json.loads(saved.read_text())
    lines, count = compare(base, summarise(corpus, files))
    print("\n".join(lines) or "no change")
    print(f"\n{len(files)} files against {a.base}: " + ", ".join(f"{v} {k}" for k, v in count.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
