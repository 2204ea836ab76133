"""Ingest and remove sources: read → extract → build RDF → write the source's named graph.

Unchanged files (same SHA-256) are skipped; a file that cannot be read is reported and the batch goes
on. Reading and extraction run in worker processes (pure functions of the bytes) while this process
builds the RDF, in file order, and writes new sources in batches (`Store.add_sources`: whole
sources or nothing after a crash); a changed source replaces its graph in one transaction. After every
write the conflicts of the documents it touched are recomputed (sources disagreeing on a date are
kept, and marked).
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
import re
import signal
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from pyoxigraph import Literal, NamedNode, Quad

from .errors import InputError, VanbanError
from .extract import Extraction, extract_reading
from .identity import source_id
from .rdf import MODEL, RDF_TYPE, RELATION_PROPERTY, VB, Built, build, vb
from .read import SUFFIXES, PageProgress, ReadLimits, printable, read, read_file
from .store import Store, quads_to_insert
from .vocab import Vocabulary, load
from .workers import leave_with

CLAIM_SOURCES = 20  # sources listed per claim (all are counted): keeps a popular document's update small
BATCH = 200  # new sources per bulk write: large enough to amortise, small enough to lose little on a crash
AHEAD = 32  # files in flight per worker beyond the one being written (see _in_order)
PARALLEL_FROM = 64  # files below this are read in-process: a worker pool costs more than it saves
XSD_DATE = NamedNode("http://www.w3.org/2001/XMLSchema#date")
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
Progress = Callable[[int, int, str], None]


@dataclass
class IngestReport:
    ingested: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: int = 0
    links_written: int = 0
    documents: int = 0
    nodes: int = 0
    links: int = 0
    conflicts: int = 0
    ambiguous: int = 0
    older_model: int = 0  # sources written in an earlier graph model and not read again (files not given)
    seconds: dict[str, float] = field(default_factory=dict)  # time per phase, where measured
    since: str = ""  # the store's write stamp before this ingest
    added: list[str] = field(default_factory=list)  # graphs of new sources
    replaced: list[str] = field(default_factory=list)  # graphs of changed sources

    def summary(self) -> str:
        return (
            f"{self.ingested} ingested, {self.skipped} unchanged, {len(self.failed)} failed; "
            f"store: {self.documents} source documents, {self.nodes} document nodes, {self.links} links, "
            f"{self.conflicts} conflicts, {self.ambiguous} ambiguous references; {self.warnings} warnings"
            + (f"; {self.older_model} sources of an earlier graph model still to ingest again (their files were "
               "not given: give them, or remove them)" if self.older_model else "")
        )


def iter_sources(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given; folders walked for documents of every format read (by extension), in name order
    — but not the folder a saved web page keeps its pictures in (`Kế hoạch.htm` beside `Kế hoạch_files/`):
    a logo is no scan."""
    for p in paths:
        if p.is_dir():
            yield from sorted(x for x in p.rglob("*") if x.is_file() and x.suffix.lower() in SUFFIXES
                              and not any(_page_assets(d) for d in x.parents if d.is_relative_to(p) and d != p))
        else:
            yield p


_ASSETS = re.compile(r"^(?P<stem>.+)(?:_files|\.fld)$")


def _page_assets(folder: Path) -> bool:
    """`X_files` (or `X.fld`) beside a saved page `X.htm`, `X.html` or `X.mht`."""
    m = _ASSETS.match(folder.name)
    return m is not None and any(folder.with_name(m["stem"] + ext).exists() for ext in (".htm", ".html", ".mht"))


def source_name(path: Path) -> str:
    """How a source is recorded: relative to the working folder when inside it; printable whatever bytes
    its name has; a link that loops named as given (it fails when read, with its own line)."""
    try:
        resolved = path.resolve()
    except (RuntimeError, OSError):
        resolved = Path(os.path.abspath(path))
    try:
        name = os.path.relpath(resolved, Path.cwd()) if resolved.is_relative_to(Path.cwd()) else str(resolved)
    except ValueError:
        name = str(resolved)
    return printable(name)


@dataclass(frozen=True)
class _Read:
    """One file after the worker: unchanged, unreadable (problem), or extracted."""

    path: str
    digest: str = ""
    problem: str = ""
    extraction: Extraction | None = None


class FileTimeout(InputError):
    """A file that took longer than `ReadLimits.file_seconds` to read and extract."""


@contextmanager
def _time_limit(path: str, seconds: float) -> Iterator[None]:
    """Stop the work on one file after `seconds` (SIGALRM: only on a process's main thread, which is
    where the workers and the CLI run it; elsewhere the file runs unbounded). An exception raised by a
    signal handler while the collector runs a finaliser is printed and dropped: the timer re-arms
    itself so the next attempt lands, and a file that finished past its limit fails all the same."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    problem = (f"took more than {seconds:g} s to read and extract (setting --file-timeout); "
               "the rest of the batch goes on")

    def expire(signum: int, frame: object) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0.05)  # again soon, should this one be swallowed
        raise FileTimeout(printable(path), problem)

    before = signal.signal(signal.SIGALRM, expire)
    # a worker forked from a thread that blocks SIGALRM (an event loop's, say) inherits the block
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
    deadline = time.monotonic() + seconds
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
    if time.monotonic() > deadline:
        raise FileTimeout(printable(path), problem)


def _read_and_extract(path: str, known_hash: str | None, vocab: Vocabulary | None = None,
                      limits: ReadLimits | None = None, on_page: PageProgress | None = None) -> _Read:
    """Pure of the file's bytes (the hash is of the original bytes, whatever the format): what a worker
    process does, within the file's time limit."""
    try:
        with _time_limit(path, (limits or ReadLimits()).file_seconds):
            return _read_and_extract_now(path, known_hash, vocab, limits, on_page)
    except InputError as e:
        return _Read(printable(path), problem=e.problem)


def _read_and_extract_now(path: str, known_hash: str | None, vocab: Vocabulary | None,
                          limits: ReadLimits | None, on_page: PageProgress | None,
                          location: str | None = None) -> _Read:
    """The file at `location` (default: `path`) read and extracted, or skipped when its hash is known."""
    try:
        return extract_bytes(path, read_file(Path(location or path), limits), known_hash, vocab, limits, on_page)
    except InputError as e:
        return _Read(printable(path), problem=e.problem)


def extract_bytes(path: str, data: bytes, known_hash: str | None, vocab: Vocabulary | None = None,
                  limits: ReadLimits | None = None, on_page: PageProgress | None = None) -> _Read:
    """What becomes of a file's bytes (named `path`): unchanged (its hash is known), extracted, or a
    problem — the same in a local worker process and in a task on a cluster."""
    try:
        digest = hashlib.sha256(data).hexdigest()
        if digest == known_hash:
            return _Read(path, digest)
        reading = read(data, path, limits, on_page)
        return _Read(path, digest, extraction=extract_reading(reading, path, vocab or load()))
    except InputError as e:
        return _Read(printable(path), problem=e.problem)
    except VanbanError as e:
        return _Read(printable(path), problem=str(e))


PagesSeen = Callable[[str, int, int], None]  # (file, pages done, pages in all): a long scan's OCR
_PAGE_EVENTS: Any = None  # in a worker process: where page events go (the ingest's queue)


def _star(job: tuple[str, str | None, ReadLimits]) -> _Read:
    path, known, limits = job
    events = _PAGE_EVENTS
    on_page = None if events is None else (lambda done, total: events.put((path, done, total)))
    return _read_and_extract(path, known, None, limits, on_page)


def _reads(jobs: list[tuple[str, str | None]], vocab: Vocabulary | None, workers: int, limits: ReadLimits,
           on_pages: PagesSeen | None) -> Iterator[_Read]:
    """Results in file order; in worker processes when there are enough files to pay for them (each
    then OCRs with its share of the cores)."""
    if workers < 1 or vocab is not None or len(jobs) < PARALLEL_FROM:
        for path, known in jobs:
            seen = None if on_pages is None else (lambda done, total, p=path: on_pages(p, done, total))
            yield _read_and_extract(path, known, vocab, limits, seen)
        return
    share = replace(limits, ocr_workers=max(1, limits.ocr_workers // workers))
    events: Any = multiprocessing.SimpleQueue() if on_pages else None
    relay = threading.Thread(target=_relay, args=(events, on_pages), daemon=True) if on_pages else None
    if relay:
        relay.start()
    try:
        with ProcessPoolExecutor(max_workers=workers, initializer=_worker_start,
                                 initargs=(os.getpid(), events)) as pool:
            yield from _in_order(pool, [(p, k, share) for p, k in jobs], workers * AHEAD)
    finally:
        if relay and events is not None:
            events.put(None)
            relay.join(timeout=5)


def _in_order(pool: ProcessPoolExecutor, jobs: list[tuple[str, str | None, ReadLimits]],
              ahead: int) -> Iterator[_Read]:
    """Results in file order (what is written, and how year-less references resolve, stays the same from
    run to run) while the workers finish files in any order: up to `ahead` files are in flight, so a
    slow file holds back the writing of those behind it, never their reading, and only until its time
    limit."""
    window: deque[Future[_Read]] = deque()
    todo = iter(jobs)
    for job in itertools.islice(todo, ahead):
        window.append(pool.submit(_star, job))
    while window:
        yield window.popleft().result()
        job_ = next(todo, None)
        if job_ is not None:
            window.append(pool.submit(_star, job_))


def _relay(events: Any, on_pages: PagesSeen) -> None:
    """In the ingest: page events from the workers to the progress display."""
    while (item := events.get()) is not None:
        on_pages(*item)


def _worker_start(parent: int, events: Any) -> None:
    global _PAGE_EVENTS
    _PAGE_EVENTS = events
    leave_with(parent)


class _Batch:
    """New sources waiting for one bulk write; their series resolve year-less references meanwhile."""

    def __init__(self, store: Store, collect: Callable[[str], None] | None = None) -> None:
        self.store, self.collect = store, collect
        self.built: list[Built] = []
        self.names: list[str] = []
        self.series: dict[str, set[str]] = defaultdict(set)
        self.written: list[str] = []
        self.touched: set[str] = set()

    def resolve(self, series: str) -> list[str]:
        return sorted(set(self.store.series(series)) | self.series.get(series, set()))

    def add(self, built: Built, name: str) -> None:
        self.built.append(built)
        self.names.append(name)
        for series, iri in built.series:
            self.series[series].add(iri)

    def commit(self) -> list[str]:
        """Write the batch; returns the names written. Its conflicts are recomputed once, at the end of
        the ingest (a resolution cited by every batch would otherwise be re-read by every batch); until
        then the store is marked, so that a crash in between leaves a full recomputation to the next."""
        if not self.built:
            return []
        if not self.written:
            self.store.set_mark("conflictsStale")
        text = "".join(b.nquads for b in self.built)
        self.store.add_sources([b.graph for b in self.built], text)
        if self.collect is not None:
            self.collect(text)
        self.touched.update(n for b in self.built for n in b.nodes)
        names = self.names
        self.written += [b.graph for b in self.built]
        self.built, self.names, self.series = [], [], defaultdict(set)
        return names


def ingest(
    paths: Iterable[Path], store: Store, vocab: Vocabulary | None = None, progress: Progress | None = None,
    *, workers: int | None = None, batch: int = BATCH, collect: Callable[[str], None] | None = None,
    limits: ReadLimits | None = None, on_pages: PagesSeen | None = None, allow_marked: bool = False,
    name_of: Callable[[Path], str] = source_name, cluster: str | None = None, cluster_files: str = "bytes",
) -> IngestReport:
    """Ingest files and folders of any format read; never stops for one bad file.

    `workers` extraction processes (default: one per core beyond this one, at least one; 0 = none); `batch` new
    sources per write; `collect` is handed the N-Quads of each write of new sources once it is stored (the
    lineage index takes them from there instead of reading them back); `limits` bound each file's reading;
    `on_pages` hears of each page a scan's OCR reads. A document with a security marking on its header
    (MẬT, TỐI MẬT, TUYỆT MẬT, Lưu hành nội bộ) fails unless `allow_marked`: a store holding one answers
    only to the roles that may see it (api/security.py). `name_of` is how a file is recorded (a file sent
    to a server is recorded under the name its sender gave it). With `cluster` (a Dask scheduler's address,
    or `local:N`), reading and extraction run as tasks on the cluster (graph.cluster), files sent as
    bytes or, with `cluster_files="path"`, by their path on a shared disk."""
    v = vocab or load()
    ensure_ontology(store)
    report = IngestReport(since=store.stamp())
    started = time.perf_counter()
    if store.has_mark("conflictsStale"):  # an earlier ingest stopped before its conflicts were done
        recompute_conflicts(store)
        store.clear_mark("conflictsStale")
    files = list(iter_sources(paths))
    names = [name_of(p) for p in files]
    graphs = [store.iris.graph(source_id(n)) for n in names]
    known = store.source_hashes()
    model, jobs = _plan(store, files, graphs, known)
    run = _Run(store, v, report, _Batch(store, collect), known, batch, allow_marked, progress, len(files))
    if progress:
        progress(0, len(files), "")
    if cluster:
        from .cluster import cluster_reads

        reads: Iterator[_Read] = cluster_reads(jobs, cluster, limits or ReadLimits(), cluster_files)
    else:
        n_workers = workers if workers is not None else max(1, (os.cpu_count() or 2) - 1)
        reads = _reads(jobs, vocab, n_workers, limits or ReadLimits(), on_pages)
    for name, graph, got in zip(names, graphs, reads, strict=True):
        run.take(name, graph, got)
    run.finish()
    if model != MODEL:
        report.older_model = len(set(store.source_hashes()) - set(graphs))
        if not report.older_model:
            store.set_model(MODEL)
    store.flush()
    report.seconds["ingest"] = time.perf_counter() - started
    totals(store, report)
    return report


def _plan(store: Store, files: list[Path], graphs: list[str],
          known: dict[str, str]) -> tuple[int, list[tuple[str, str | None]]]:
    """The store's graph model, and the jobs: each file with the hash it is known by (None: read it
    whatever its hash — a store of an earlier model, or a source stored before its text was kept)."""
    model = store.model()  # a store of an earlier graph model: every source given is read again
    if model == 0:  # no source yet: whatever this ingest writes (even if cut short) is of this model
        store.set_model(MODEL)
        model = MODEL
    texted = store.sources_with_text() if model in (0, MODEL) else set()
    return model, [(str(p), known.get(g) if g in texted else None) for p, g in zip(files, graphs, strict=True)]


@dataclass
class _Run:
    """One ingest's writing side: each file's result taken in file order (failed, unchanged, refused,
    replaced or added to the batch), the progress ticked as files are stored."""

    store: Store
    vocab: Vocabulary
    report: IngestReport
    pending: _Batch
    known: dict[str, str]
    batch: int
    allow_marked: bool
    progress: Progress | None
    total: int
    done: int = 0

    def tick(self, finished: list[str]) -> None:
        for name in finished:
            self.done += 1
            if self.progress:
                self.progress(self.done, self.total, name)

    def take(self, name: str, graph: str, got: _Read) -> None:
        report = self.report
        if got.problem:
            report.failed.append((got.path, got.problem))
        elif got.extraction is None:
            report.skipped += 1
        elif got.extraction.header.marking and not self.allow_marked:
            report.failed.append((got.path, f"marked {got.extraction.header.marking} on its header: not stored (a "
                                            "store with marked documents answers only to the roles marked and "
                                            "admin; ingest with --allow-marked to store it)"))
        else:
            report.ingested += 1
            report.warnings += len(got.extraction.warnings)
            if graph in self.known:  # a changed source: replace its graph in one transaction, after the batch
                self._replace(name, graph, got)
            else:
                self._add(name, graph, got)
                return  # ticked when its batch is written
        self.tick([name])

    def _replace(self, name: str, graph: str, got: _Read) -> None:
        assert got.extraction is not None
        self.tick(self.pending.commit())
        before = _nodes_of(self.store, graph)
        built = build(got.extraction, source_id(name), name, got.digest, self.store.iris, self.vocab,
                      resolve=self.store.series)
        self.store.replace_graph(graph, built.ntriples)
        self.report.replaced.append(graph)
        update_conflicts(self.store, set(built.nodes) | before)
        self.report.links_written += built.links

    def _add(self, name: str, graph: str, got: _Read) -> None:
        assert got.extraction is not None
        built = build(got.extraction, source_id(name), name, got.digest, self.store.iris, self.vocab,
                      resolve=self.pending.resolve)
        self.report.links_written += built.links
        self.known[graph] = got.digest  # a second path to the same source in one run replaces, not duplicates
        self.pending.add(built, name)
        if len(self.pending.built) >= self.batch:
            self.tick(self.pending.commit())

    def finish(self) -> None:
        """The last batch written, then the conflicts of everything the batches touched, once."""
        self.tick(self.pending.commit())
        self.report.added = self.pending.written
        if self.pending.touched:
            update_conflicts(self.store, self.pending.touched)
            self.store.clear_mark("conflictsStale")


ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology.ttl"
ONTOLOGY_GRAPH = "https://w3id.org/vanban/ontology"


def ensure_ontology(store: Store, path: Path = ONTOLOGY) -> None:
    """The ontology (classes, properties, and the SKOS scheme of kinds whose concepts name each kind) as a
    graph of the store, so that SPARQL reads a kind's name and class where the lean graph states only the
    kind's IRI. Rewritten, in one transaction, when ontology.ttl changes (its hash is its owl:versionInfo)."""
    if not path.is_file():
        return
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    g = ox.NamedNode(ONTOLOGY_GRAPH)
    version = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
    stamp = f"sha256:{digest}"  # (not vb:contentHash: that marks a source)
    if any(q.object.value == stamp for q in store.quads(g, version.value, None, ONTOLOGY_GRAPH)
           if isinstance(q.object, ox.Literal)):
        return
    quads = [*ox.parse(raw, ox.RdfFormat.TURTLE, base_iri=ONTOLOGY_GRAPH), ox.Quad(g, version, ox.Literal(stamp))]
    store.update_derived(f"DROP SILENT GRAPH <{ONTOLOGY_GRAPH}> ;\n"
                         f"INSERT DATA {{ {quads_to_insert(ONTOLOGY_GRAPH, quads)} }}")


def load_dumps(paths: list[Path], store: Store) -> IngestReport:
    """Build a store from N-Quads dumps (`vanban export --format nq`, or bench/generate.py --graph) with
    the bulk loader, then derive what ingest derives per write: the date conflicts."""
    for p in paths:
        if not p.is_file():
            raise InputError(str(p), "no such file" if not p.exists() else "is not a file")
    report = IngestReport()
    t0 = time.perf_counter()
    store.load_nquads(paths)
    store.set_model(MODEL)  # (a dump of this vanban's export or generator)
    ensure_ontology(store)
    t1 = time.perf_counter()
    recompute_conflicts(store)
    store.flush()
    t2 = time.perf_counter()
    totals(store, report)
    report.ingested = report.documents
    report.seconds = {"bulk load": t1 - t0, "conflicts": t2 - t1, "totals": time.perf_counter() - t2}
    return report


def recompute_conflicts(store: Store) -> None:
    """The conflicts of the whole store, from one scan of each dated property's index (no per-document
    queries)."""
    multi: set[str] = set()
    for prop in CONFLICT_PROPERTIES:
        first: dict[str, str] = {}
        for q in store.quads(p=vb(prop).value):
            d, v = q.subject.value, q.object.value  # type: ignore[union-attr]
            seen = first.setdefault(d, v)
            if seen != v:
                multi.add(d)
    cg = NamedNode(store.iris.conflicts_graph)
    had = {q.object.value for q in store.quads(p=vb("about").value, g=cg.value)}  # type: ignore[union-attr]
    update_conflicts(store, multi | had)


def remove(paths: Iterable[Path], store: Store) -> list[str]:
    """Remove the claims of these sources (files need not exist any more); returns the graphs removed."""
    removed = []
    known = {s["path"]: s["g"] for s in store.sources()}
    for path in paths:
        name = source_name(path)
        graph = known.get(name) or known.get(str(path)) or store.iris.graph(source_id(name))
        nodes = _nodes_of(store, graph)
        if not nodes and graph not in known.values():
            continue
        store.drop_graph(graph)
        update_conflicts(store, nodes)
        removed.append(graph)
    store.flush()
    return removed


def _nodes_of(store: Store, graph: str) -> set[str]:
    return {r["d"] for r in store.rows(f"SELECT DISTINCT ?d WHERE {{ GRAPH <{graph}> {{ ?d a vb:Document }} }}")}


CONFLICT_PROPERTIES = ("date", "effectiveFrom", "effectiveUntil")  # dated claims sources may disagree on


def update_conflicts(store: Store, nodes: Iterable[str], batch: int = 200) -> None:
    """Recompute the conflicts of `nodes`: one vb:Conflict per document and property (its date, the date it
    comes into force, the date it ceases to be) whose sources disagree."""
    todo = sorted(nodes)
    cg = store.iris.conflicts_graph
    for i in range(0, len(todo), batch):
        chunk = todo[i : i + batch]
        values = " ".join(f"<{d}>" for d in chunk)
        # cheap first: which documents have two values of a property, and which had a conflict; most neither.
        # One query per property, its predicate fixed: a landmark cited by 40,000 sources is 40,000 dates
        # read, not its 200,000 claims of every kind filtered.
        seen: dict[tuple[str, str], set[str]] = defaultdict(set)
        for prop in CONFLICT_PROPERTIES:
            for row in store.rows(f"SELECT DISTINCT ?d ?v WHERE {{ VALUES ?d {{ {values} }} "
                                  f"GRAPH ?g {{ ?d vb:{prop} ?v }} }}"):
                seen[(row["d"], prop)].add(row["v"])
        multi_props = {(d, p) for (d, p), vs in seen.items() if len(vs) > 1}
        multi = sorted({d for d, _ in multi_props})
        had = {r["d"] for r in store.rows(
            f"SELECT DISTINCT ?d WHERE {{ GRAPH <{cg}> {{ VALUES ?d {{ {values} }} ?c vb:about ?d }} }}")}
        if not multi and not had:
            continue
        values = " ".join(f"<{d}>" for d in sorted(set(multi) | had))
        claims: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
        for prop in CONFLICT_PROPERTIES:
            disputed = sorted(d for d, p in multi_props if p == prop)
            if not disputed:
                continue
            for row in store.rows(
                "SELECT ?d ?v ?g ?src WHERE { VALUES ?d { " + " ".join(f"<{d}>" for d in disputed) + " } "
                f"GRAPH ?g {{ ?d vb:{prop} ?v . ?g vb:describes ?src }} }}"
            ):
                claims[(row["d"], VB + prop)].append((row["v"], row["g"], row["src"]))
        quads = [q for (d, p), found in sorted(claims.items()) for q in _conflict_quads(store, d, p, found)]
        insert = ""
        if quads:
            insert = f" ;\nINSERT DATA {{ {quads_to_insert(cg, quads)} }}"
        # claims first, then the conflicts: two linear deletes (one joined delete is a cross product)
        store.update_derived(
            f"PREFIX vb: <{vb('').value}>\n"
            f"DELETE {{ GRAPH <{cg}> {{ ?cl ?p ?o }} }} WHERE {{ GRAPH <{cg}> {{ "
            f"VALUES ?d {{ {values} }} ?c vb:about ?d ; vb:claim ?cl . ?cl ?p ?o }} }} ;\n"
            f"DELETE {{ GRAPH <{cg}> {{ ?c ?p ?o }} }} WHERE {{ GRAPH <{cg}> {{ "
            f"VALUES ?d {{ {values} }} ?c vb:about ?d ; ?p ?o }} }}"
            + insert
        )


def _conflict_quads(store: Store, d: str, prop: str, found: list[tuple[str, str, str]]) -> list[Quad]:
    """One vb:Conflict about document d's property, a vb:Claim per value with the sources claiming it;
    nothing where the sources agree."""
    by_value: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for value, graph, src in found:
        by_value[value].append((src, graph))
    if len(by_value) < 2:
        return []
    name = prop.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    c = NamedNode(store.iris.conflict(d.split("/doc/", 1)[-1], name))
    g = NamedNode(store.iris.conflicts_graph)
    quads = [Quad(c, RDF_TYPE, vb("Conflict"), g), Quad(c, vb("about"), NamedNode(d), g),
             Quad(c, vb("onProperty"), NamedNode(prop), g)]
    for n, (value, sources) in enumerate(sorted(by_value.items()), 1):
        cl = NamedNode(f"{c.value}/claim/{n}")
        quads += [Quad(c, vb("claim"), cl, g), Quad(cl, RDF_TYPE, vb("Claim"), g),
                  Quad(cl, vb("value"), Literal(value, datatype=XSD_DATE), g),
                  Quad(cl, vb("sourceCount"), Literal(str(len(sources)), datatype=XSD_INTEGER), g)]
        for src, graph in sorted(sources)[:CLAIM_SOURCES]:
            quads += [Quad(cl, vb("claimedBy"), NamedNode(src), g), Quad(cl, vb("inGraph"), NamedNode(graph), g)]
    return quads


def totals(store: Store, report: IngestReport) -> IngestReport:
    rels = " ".join(f"vb:{p}" for p in RELATION_PROPERTY.values())
    report.documents = store.count("GRAPH ?x { ?x vb:describes ?d }")
    report.nodes = store.count("?x a vb:Document")
    for row in store.rows(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {rels} }} ?s ?p ?o }} }}"
    ):
        report.links = int(row["n"])
    report.conflicts = store.count("?x a vb:Conflict")
    report.ambiguous = store.count("?x a vb:UnresolvedReference")
    return report
