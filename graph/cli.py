"""The `vanban` command line: the same functions the API calls, printed for a terminal or as JSON Lines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .errors import InputError, VanbanError
from .extract import Extraction, extract_path
from .vocab import load


def _table(ex: Extraction, out: TextIO) -> None:
    h = ex.header
    out.write(f"\n== {ex.source}\n")
    out.write(f"   {h.kind_name or h.kind or '?'} {h.symbol or '(no symbol)'}"
              f"  {h.date or '(no date)'}  {h.place or ''}\n")
    if h.issuer:
        out.write(f"   issuer: {h.issuer}" + (f" ({h.parent_issuer})" if h.parent_issuer else "") + "\n")
    if h.subject:
        out.write(f"   subject: {h.subject[:100]}\n")
    for s in h.signers:
        out.write(f"   signed: {s.capacity or ''} {s.for_ or ''} {s.position or ''} {s.name or ''}".rstrip() + "\n")
    if ex.citations:
        out.write(f"   {'cites':<40} {'kind':<6} {'date':<10}  relations\n")
    for c in ex.citations:
        label = c.symbol or (c.title or f"{c.kind_name or ''} {c.number or ''}").strip()
        out.write(f"   {label[:40]:<40} {c.kind or '':<6} {c.date or c.year or '':<10}  {', '.join(c.relations)}\n")
    for lk in ex.links:
        out.write(f"   link: {lk.source} --{lk.relation}--> {lk.target}\n")
    for w in ex.warnings:
        out.write(f"   warning: {w}\n")


def cmd_extract(args: argparse.Namespace) -> int:
    vocab = load()
    failed = 0
    for name in args.files:
        try:
            ex = extract_path(Path(name), vocab)
        except InputError as e:
            failed += 1
            print(f"vanban: {e}", file=sys.stderr)
            continue
        if args.json:
            sys.stdout.write(json.dumps(ex.to_json(), ensure_ascii=False) + "\n")
        else:
            _table(ex, sys.stdout)
        sys.stdout.flush()
    return 2 if failed else 0


def cmd_warnings(args: argparse.Namespace) -> int:
    """List the files whose extraction left warnings (and those that could not be read)."""
    vocab = load()
    paths: list[Path] = []
    for name in args.paths:
        p = Path(name)
        paths.extend(sorted(x for x in p.rglob("*") if x.is_file() and x.suffix.lower() in (".txt", ".md"))
                     if p.is_dir() else [p])
    failed = with_warnings = 0
    for p in paths:
        try:
            ex = extract_path(p, vocab)
        except InputError as e:
            failed += 1
            print(f"{p}\tERROR\t{e.problem}")
            continue
        if ex.warnings:
            with_warnings += 1
            for w in ex.warnings:
                print(f"{p}\twarning\t{w}")
    print(f"{len(paths)} files, {with_warnings} with warnings, {failed} unreadable", file=sys.stderr)
    return 2 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="vanban", description="Read Party, Front, union and state documents "
                                 "into a graph of what cites what.")
    sub = ap.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="read documents; print what each cites (--json: JSON Lines)")
    ex.add_argument("files", nargs="+", metavar="FILE")
    ex.add_argument("--json", action="store_true", help="one JSON object per file (the extraction contract)")
    ex.set_defaults(func=cmd_extract)
    wa = sub.add_parser("warnings", help="list files (or folders of files) whose extraction left warnings")
    wa.add_argument("paths", nargs="+", metavar="PATH")
    wa.set_defaults(func=cmd_warnings)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except VanbanError as e:
        print(f"vanban: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
