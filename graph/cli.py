"""The `vanban` command line: the same functions the API calls, printed for a terminal or as JSON Lines."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from pyoxigraph import QueryResultsFormat, RdfFormat

from .client import Server, ServerError, ingest_via, remove_via
from .coverage import coverage, coverage_csv, coverage_xlsx
from .documents import DEFAULT_DOWN, DEFAULT_UP, lineage_page, relation_set, resolve
from .errors import InputError, VanbanError
from .export import FORMATS, cache_folder, export
from .extract import Extraction, extract_path, extract_reading
from .identity import DEFAULT_BASE, Iris
from .ingest import IngestReport, iter_sources, load_dumps, totals
from .lineage import LineageIndex, collect_dumps
from .read import Reading, ReadLimits, read, read_file
from .service import Indexes, ingest_files, lineage_path, local_token, remove_files, running_server
from .sparql_check import Bounds, check
from .store import Store, home_for, is_remote, open_store
from .validity import parse_at, validity, write_validity_graph
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


def _limits(args: argparse.Namespace) -> ReadLimits:
    base = ReadLimits()
    return replace(base, max_pages=args.max_pages or base.max_pages, ocr_workers=args.ocr_workers or base.ocr_workers,
                   file_seconds=getattr(args, "file_timeout", None) or base.file_seconds)


def _text(path: str, reading: Reading, as_json: bool, out: TextIO) -> None:
    """The text as read, for a user checking what vanban saw (an OCR result above all)."""
    if as_json:
        ocr = reading.ocr
        out.write(json.dumps({
            "source": path, "source_format": reading.format, "pages": reading.pages,
            "page_starts": list(reading.page_starts), "warnings": list(reading.warnings), "text": reading.text,
            "ocr": None if ocr is None else ocr.summary() | {
                "words": [[w.start, w.end, round(w.confidence, 1), w.page] for w in ocr.words]},
        }, ensure_ascii=False) + "\n")
        return
    what = reading.format + (f", {reading.pages} pages" if reading.pages else "")
    if reading.ocr:
        what += f", OCR of {reading.ocr.pages} pages at mean word confidence {reading.ocr.mean_confidence:.1f}"
    out.write(f"== {path} ({what})\n")
    for w in reading.warnings:
        out.write(f"   warning: {w}\n")
    out.write(reading.text.rstrip("\n") + "\n")


def cmd_extract(args: argparse.Namespace) -> int:
    vocab, limits = load(), _limits(args)
    failed = 0
    for name in args.files:
        try:
            reading = read(read_file(Path(name), limits), name, limits)
            if args.text:
                _text(name, reading, args.json, sys.stdout)
            elif args.json:
                sys.stdout.write(json.dumps(extract_reading(reading, name, vocab).to_json(), ensure_ascii=False) + "\n")
            else:
                _table(extract_reading(reading, name, vocab), sys.stdout)
        except InputError as e:
            failed += 1
            print(f"vanban: {e}", file=sys.stderr)
        sys.stdout.flush()
    return 2 if failed else 0


def cmd_warnings(args: argparse.Namespace) -> int:
    """List the files whose extraction left warnings (and those that could not be read)."""
    vocab, limits = load(), _limits(args)
    paths = list(iter_sources(Path(name) for name in args.paths))
    failed = with_warnings = 0
    for p in paths:
        try:
            ex = extract_path(p, vocab, limits)
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


DEFAULT_STORE = Path("var/store")


def _home(args: argparse.Namespace) -> Path:
    """The folder (or, for a remote store, this machine's folder for it) its derived files sit beside."""
    if is_remote(args.store):
        return Path(args.index_dir) if getattr(args, "index_dir", None) else home_for(args.store)
    return Path(args.store)


def _open_store(args: argparse.Namespace) -> Store:
    """The store for a command that writes: a folder (ingest, remove and load go through a server that
    holds it, where one runs), or the URL of a SPARQL 1.1 server (every process writes to it directly)."""
    return open_store(args.store, Iris(args.base.rstrip("/")), home=_home(args))


def _open_for_reading(args: argparse.Namespace) -> Store:
    """The store for a command that only reads: read-only beside a running server (which holds its lock),
    else opened as usual (a read-only open would skip recovering an interrupted ingest)."""
    if is_remote(args.store):
        return _open_store(args)
    path, iris = Path(args.store), Iris(args.base.rstrip("/"))
    return open_store(path, iris, read_only=running_server(path) is not None)


def _server(args: argparse.Namespace) -> Server | None:
    """The server to write through: `--server URL`, or the one that announced it holds the store (whose
    local token, in its announcement, the CLI may use: it runs as the same user on the same machine)."""
    url = getattr(args, "server", None)
    token = getattr(args, "token", None) or os.environ.get("VANBAN_ADMIN_TOKEN")
    if url is None and is_remote(args.store):
        return None  # every process writes a remote store itself; servers see it by its stamp
    if url is None:
        url = running_server(Path(args.store))
        if url is None:
            return None
        token = token or local_token(Path(args.store))
    return Server(url, token)


class _Progress:
    """The ingest's progress on stderr: files done of all, and the pages of a long scan as OCR reads
    them (a 300-page scan would otherwise sit still for minutes). Not on a terminal: a line per file,
    and one per ten pages."""

    def __init__(self) -> None:
        self.files = (0, 0)

    def file(self, n: int, total: int, name: str) -> None:
        self.files = (n, total)
        self._show(name, "", True)
        if n == total and sys.stderr.isatty():
            sys.stderr.write("\n")

    def pages(self, name: str, done: int, total: int) -> None:
        if total > 1:
            self._show(name, f" page {done}/{total}", done % 10 == 0 or done == total)

    def _show(self, name: str, pages: str, log: bool) -> None:
        n, total = self.files
        if sys.stderr.isatty():
            width = 30
            bar = int(width * n / max(total, 1))
            sys.stderr.write(f"\r[{'#' * bar}{'.' * (width - bar)}] {n}/{total} {name[-40:]:<40}{pages:<16}")
        elif log:
            sys.stderr.write(f"ingest {n}/{total} {name}{pages}\n")
        sys.stderr.flush()


def _lineage_path(args: argparse.Namespace) -> Path:
    return lineage_path(_home(args))


def cmd_ingest(args: argparse.Namespace) -> int:
    server = _server(args)
    if server is not None:
        return _ingest_through(server, args)
    store = _open_store(args)
    shown = None if args.quiet else _Progress()
    report, _ = ingest_files([Path(p) for p in args.paths], store, Indexes.beside(store),
                             progress=shown.file if shown else None, workers=args.workers, limits=_limits(args),
                             on_pages=shown.pages if shown else None, allow_marked=args.allow_marked,
                             cluster=args.cluster, cluster_files=args.cluster_files)
    for path, problem in report.failed:
        print(f"vanban: {path}: {problem}", file=sys.stderr)
    print(report.summary())
    print("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in report.seconds.items()))
    return 2 if report.failed else 0


def cmd_load(args: argparse.Namespace) -> int:
    store = _open_store(args)
    paths = [Path(p) for p in args.paths]
    # the index from the dumps, read in sequence (a million documents' store no longer fits the page
    # cache) by a thread beside the bulk loader, which leaves the interpreter free while it works
    with ThreadPoolExecutor(1) as pool:
        collecting = pool.submit(collect_dumps, paths)
        report = load_dumps(paths, store)
        t0 = time.perf_counter()
        got = collecting.result()
    report.seconds["lineage index (after the load)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    idx = LineageIndex.from_parts([], [], "").merged(got, store.stamp())
    idx.save(_lineage_path(args))
    report.seconds["lineage index (after the load)"] += time.perf_counter() - t0
    t0 = time.perf_counter()
    write_validity_graph(store, idx)
    report.seconds["validity graph"] = time.perf_counter() - t0
    print(report.summary().replace("ingested", "loaded", 1))
    print("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in report.seconds.items()))
    return 0


def _ingest_through(server: Server, args: argparse.Namespace) -> int:
    """Send the files to the server that holds the store: it stays the one writer, and its index,
    search and pages see the new documents as soon as it answers."""
    print(f"vanban: a server holds {args.store}: sending the files to {server.url}", file=sys.stderr)
    try:
        got = ingest_via(server, [Path(p) for p in args.paths], allow_marked=args.allow_marked)
    except ServerError as e:
        print(f"vanban: {e}", file=sys.stderr)
        return 2
    for path, problem in got["failed"]:
        print(f"vanban: {path}: {problem}", file=sys.stderr)
    print(got["summary"])
    return 2 if got["failed"] else 0


def cmd_remove(args: argparse.Namespace) -> int:
    server = _server(args)
    if server is not None:
        try:
            got = remove_via(server, [Path(p) for p in args.paths])
        except ServerError as e:
            print(f"vanban: {e}", file=sys.stderr)
            return 2
        print(got["summary"])
        return 0 if got["removed"] else 1
    store = _open_store(args)
    removed, _ = remove_files([Path(p) for p in args.paths], store, Indexes.beside(store))
    print(f"{len(removed)} sources removed; " + totals(store, IngestReport()).summary().split("; ", 1)[1])
    return 0 if removed else 1


def cmd_query(args: argparse.Namespace) -> int:
    store = _open_for_reading(args)
    text = Path(args.query[1:]).read_text(encoding="utf-8") if args.query.startswith("@") else args.query
    check(text, Bounds())  # what would overflow the engine's stack is refused here too (no SERVICE calls)
    result = store.query(text)
    fmt = args.format
    if isinstance(result, bool) or type(result).__name__ == "QueryBoolean":
        print("true" if bool(result) else "false")
        return 0
    if type(result).__name__ == "QueryTriples":
        rdf_format = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD,
                      "xml": RdfFormat.RDF_XML}.get(fmt, RdfFormat.TURTLE)
        sys.stdout.write(result.serialize(format=rdf_format).decode("utf-8"))
        return 0
    if fmt in ("json", "csv", "tsv", "xml"):
        out = {"json": QueryResultsFormat.JSON, "csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV,
               "xml": QueryResultsFormat.XML}[fmt]
        sys.stdout.write(result.serialize(format=out).decode("utf-8"))
        return 0
    names = [v.value for v in result.variables]
    rows = [[("" if sol[n] is None else sol[n].value) for n in names] for sol in result]
    widths = [min(60, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
    print("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
    for r in rows:
        print("  ".join(c[:60].ljust(w) for c, w in zip(r, widths, strict=True)))
    print(f"({len(rows)} rows)", file=sys.stderr)
    return 0


def cmd_lineage(args: argparse.Namespace) -> int:
    """Print what implements a document (--down, the default) or what it rests on (--up), as a tree."""
    found = _document(args)
    if found is None:
        return 2
    idx, key = found
    rels = relation_set(args.relations.split(",") if args.relations else None,
                        DEFAULT_UP if args.up else DEFAULT_DOWN)
    page = lineage_page(idx, key, upward=args.up, relations=rels, depth=args.depth, limit=args.limit,
                        cursor=None)
    if args.json:
        print(json.dumps({"document": key, "items": page.items}, ensure_ascii=False, indent=1))
        return 0
    root = idx.nodes[idx.keys[key]] if key in idx.keys else idx.nodes[idx.ids[key]]
    print(f"{root.symbol or root.key}  {root.title or ''}".rstrip())
    def label(key: str) -> str:
        node = idx.nodes[idx.keys[key]]
        return node.symbol or node.key

    for item in page.items:
        why = "; ".join(f"{label(e['from'])} {e['relation']} {label(e['to'])}" for e in item["edges"])
        print(f"{'    ' * item['depth']}└─ {item['symbol'] or item['key']}  {item['date'] or ''}  ({why})")
    if page.next_cursor:
        print(f"… more (raise --limit; shown {len(page.items)})")
    return 0


def _resolved_key(idx: LineageIndex, ref: str) -> str | None:
    """A key, an IRI or a reference read with the grammar (the first candidate; ambiguity said)."""
    if ref in idx.keys or ref in idx.ids:
        return ref
    found = [c for r in resolve(idx, ref) for c in r["candidates"]]
    if not found:
        print(f"vanban: no document matches {ref!r}", file=sys.stderr)
        return None
    if len(found) > 1:
        print(f"vanban: {ref!r} is ambiguous: " + ", ".join(c["key"] for c in found), file=sys.stderr)
    return str(found[0]["key"])


def _document(args: argparse.Namespace) -> tuple[LineageIndex, str] | None:
    """The lineage index of the store (read-only beside a server) and the document `args.ref` names."""
    idx = LineageIndex.open(_open_for_reading(args), _lineage_path(args))
    key = _resolved_key(idx, args.ref)
    return None if key is None else (idx, key)


def cmd_validity(args: argparse.Namespace) -> int:
    """Print whether a document is in force (as of --at) and every act on it, with the sentence."""
    found = _document(args)
    if found is None:
        return 2
    idx, key = found
    got = validity(idx, key, parse_at(args.at), _open_for_reading(args))
    if args.json:
        print(json.dumps(got, ensure_ascii=False, indent=1))
        return 0
    d = got["document"]
    when = f" (as of {got['at']})" if got["at"] else ""
    print(f"{d['symbol'] or d['key']}: {got['status'].replace('_', ' ')}{when}")
    for field in ("effective_from", "effective_until"):
        if got.get(field):
            print(f"  {field.replace('_', ' ')}: {got[field]}")
    for act in got["acts"] + got["later"]:
        by = act["by"]
        later = " [later]" if act in got["later"] else ""
        part = " (part of it)" if act["partial"] else ""
        print(f"  {act['relation']}{part} by {by['symbol'] or by['key']} {act['date'] or ''}{later}")
        for q in act["evidence"][:1]:
            print(f"    “{q['quote'][:300]}” ({q['stated_in']})")
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    """Print who has implemented a document, by level and province, with lags (or the CSV)."""
    found = _document(args)
    if found is None:
        return 2
    idx, key = found
    got = coverage(idx, key)
    if args.xlsx:
        Path(args.xlsx).write_bytes(coverage_xlsx(got))
        print(f"wrote {args.xlsx}", file=sys.stderr)
        return 0
    if args.csv:
        sys.stdout.write(coverage_csv(got))
        return 0
    if args.json:
        print(json.dumps(got, ensure_ascii=False, indent=1))
        return 0
    d = got["document"]
    print(f"{d['symbol'] or d['key']} {d['date'] or ''}: {got['implementers']} implementing documents")
    for lv in got["by_level"]:
        print(f"  {lv['level']:<11} {lv['documents']:>7}  median lag {lv['median_lag_days']} days")
    for row in got["provinces"]:
        first = row["first"]
        print(f"  {row['province']:<16} {row['documents']:>6}  first {first['symbol'] or first['key']} "
              f"{first['date'] or '?'}  lag {row['lag_days']} days")
    if got["provinces_without"]:
        print("  none yet: " + ", ".join(got["provinces_without"]))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    store = _open_for_reading(args)
    idx = LineageIndex.open(store, _lineage_path(args))
    chunks = export(store, idx, args.format, args.root, args.direction, args.depth, cache=cache_folder(store))
    if args.output:
        with open(args.output, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the API with uvicorn in its own process image (graph/ never imports the web layer)."""
    env = dict(os.environ)
    env.setdefault("VANBAN_STORE_URL" if is_remote(args.store) else "VANBAN_STORE", args.store)
    if is_remote(args.store) and args.index_dir:
        env.setdefault("VANBAN_INDEX_DIR", args.index_dir)
    env.setdefault("VANBAN_BASE", args.base)
    env.setdefault("VANBAN_SERVE_URL", f"http://{args.host}:{args.port}")
    argv = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", args.host,
            "--port", str(args.port)]
    print(f"vanban: serving {args.store} on http://{args.host}:{args.port} (SPARQL at /sparql)",
          file=sys.stderr)
    os.execvpe(sys.executable, argv, env)
    return 0  # not reached


def _read_options(p: argparse.ArgumentParser) -> None:
    d = ReadLimits()
    p.add_argument("--max-pages", type=int, default=None, metavar="N",
                   help=f"refuse PDFs and TIFFs of more pages (default: {d.max_pages})")
    p.add_argument("--ocr-workers", type=int, default=None, metavar="N",
                   help="Tesseract processes at once for a scan (default: one per core)")
    p.add_argument("--file-timeout", type=float, default=None, metavar="S",
                   help=f"seconds one file may take to read and extract; then it fails with its own line and "
                        f"the rest go on (default: {d.file_seconds:g})")


def _server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", default=None, metavar="URL",
                   help="write through this vanban server (default: the one serving --store, if any)")
    p.add_argument("--token", default=None, help="its admin token (default: $VANBAN_ADMIN_TOKEN, or the local "
                   "token of a server on this machine)")


def _store_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", default=os.environ.get("VANBAN_STORE_URL") or str(DEFAULT_STORE),
                   help="store folder, or the URL of a SPARQL 1.1 server (its paths and credentials from "
                        "VANBAN_STORE_*; see the README) (default: $VANBAN_STORE_URL, else var/store)")
    p.add_argument("--index-dir", default=None, metavar="DIR",
                   help="for a remote store: where this machine keeps its lineage and search indexes "
                        "(default: var/remote/HOST-PORT)")
    p.add_argument("--base", default=DEFAULT_BASE, help=f"base of the IRIs (default: {DEFAULT_BASE})")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="vanban", description="Read Party, Front, union and state documents "
                                 "into a graph of what cites what.")
    sub = ap.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="read documents; print what each cites (--json: JSON Lines)")
    ex.add_argument("files", nargs="+", metavar="FILE")
    ex.add_argument("--json", action="store_true", help="one JSON object per file (the extraction contract)")
    ex.add_argument("--text", action="store_true", help="print the text as read (check an OCR result); with "
                    "--json: with its format, pages and each OCR word's confidence")
    _read_options(ex)
    ex.set_defaults(func=cmd_extract)
    wa = sub.add_parser("warnings", help="list files (or folders of files) whose extraction left warnings")
    wa.add_argument("paths", nargs="+", metavar="PATH")
    _read_options(wa)
    wa.set_defaults(func=cmd_warnings)
    ing = sub.add_parser("ingest", help="read files and folders into the store (unchanged files skipped)")
    ing.add_argument("paths", nargs="+", metavar="PATH")
    ing.add_argument("--quiet", action="store_true", help="no progress")
    ing.add_argument("--workers", type=int, default=None, help="extraction processes (default: cores - 1; 0: none)")
    ing.add_argument("--allow-marked", action="store_true",
                     help="store documents marked MẬT, TỐI MẬT, TUYỆT MẬT or Lưu hành nội bộ (the store then "
                          "answers only to tokens with the role marked or admin)")
    ing.add_argument("--cluster", default=None, metavar="ADDRESS",
                     help="read, OCR and extract on a Dask cluster: the scheduler's address "
                          "(tcp://host:8786), or local:N for N worker processes on this machine")
    ing.add_argument("--cluster-files", choices=("bytes", "path"), default="bytes",
                     help="how files reach the cluster's workers: their bytes (default), or their path "
                          "(every worker sees the same disk)")
    _read_options(ing)
    _store_options(ing)
    _server_options(ing)
    ing.set_defaults(func=cmd_ingest)
    ld = sub.add_parser("load", help="build a new store from N-Quads dumps (bulk loader; the store must be empty)")
    ld.add_argument("paths", nargs="+", metavar="FILE.nq")
    _store_options(ld)
    ld.set_defaults(func=cmd_load)
    rm = sub.add_parser("remove", help="remove the claims of sources from the store")
    rm.add_argument("paths", nargs="+", metavar="PATH")
    _store_options(rm)
    _server_options(rm)
    rm.set_defaults(func=cmd_remove)
    q = sub.add_parser("query", help="run a SPARQL query (or @file.rq) over the store")
    q.add_argument("query")
    q.add_argument("--format", default="table", choices=["table", "json", "csv", "tsv", "xml", "ttl", "nt", "jsonld"])
    _store_options(q)
    q.set_defaults(func=cmd_query)
    li = sub.add_parser("lineage", help="what implements a document (or, --up, what it rests on), as a tree")
    li.add_argument("ref", help="a key (tw-nq-2021-02) or a reference (\"Nghị quyết số 02-NQ/TW\")")
    direction = li.add_mutually_exclusive_group()
    direction.add_argument("--up", action="store_true", help="what it rests on")
    direction.add_argument("--down", action="store_true", help="what implements it (the default)")
    li.add_argument("--depth", type=int, default=10)
    li.add_argument("--limit", type=int, default=200)
    li.add_argument("--relations", default=None, help="comma-separated, e.g. implements,guides")
    li.add_argument("--json", action="store_true")
    _store_options(li)
    va = sub.add_parser("validity", help="whether a document is in force (as of a date), with the evidence")
    va.add_argument("ref", help="a key or a reference (\"Quy định 124-QĐ/TW\")")
    va.add_argument("--at", default=None, metavar="YYYY-MM-DD", help="as of this date")
    va.add_argument("--json", action="store_true")
    _store_options(va)
    va.set_defaults(func=cmd_validity)
    co = sub.add_parser("coverage", help="who has implemented a document: by level and province, with lags")
    co.add_argument("ref", help="a key or a reference (\"Nghị quyết 02-NQ/TW\")")
    co.add_argument("--csv", action="store_true", help="the provinces table as CSV")
    co.add_argument("--xlsx", default=None, metavar="FILE", help="write the provinces table as a spreadsheet")
    co.add_argument("--json", action="store_true")
    _store_options(co)
    co.set_defaults(func=cmd_coverage)
    li.set_defaults(func=cmd_lineage)
    ex2 = sub.add_parser("export", help="export the graph (or a lineage subgraph) for Gephi, Neo4j, Cytoscape…")
    ex2.add_argument("--format", required=True, choices=list(FORMATS))
    ex2.add_argument("-o", "--output", default=None, help="file to write (default: standard output)")
    ex2.add_argument("--root", default=None, help="a document key: export only its lineage")
    ex2.add_argument("--direction", default="down", choices=["down", "up", "both"])
    ex2.add_argument("--depth", type=int, default=10)
    _store_options(ex2)
    ex2.set_defaults(func=cmd_export)
    sv = sub.add_parser("serve", help="serve the SPARQL endpoint (and the API) over HTTP")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    _store_options(sv)
    sv.set_defaults(func=cmd_serve)
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
