"""Admin writes over HTTP: files extracted for review, ingested, removed. The server stays the single
writer of its store: the CLI beside it (`vanban ingest`) and the upload page both come here, one write
at a time, and the lineage and search indexes are in step before the answer goes out."""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from graph.errors import QueryError, QueryTooBig, VanbanError
from graph.extract import extract_path
from graph.identity import source_id
from graph.ingest import source_name
from graph.service import ingest_files, remove_files
from graph.sources import documents_of
from graph.store import Store

from .deps import current_index
from .errors import ERRORS
from .security import require_admin

router = APIRouter(prefix="/api", tags=["admin"], responses=ERRORS, dependencies=[Depends(require_admin)])
CHUNK = 2**20


def uploads_dir(request: Request) -> Path:
    """Where uploaded files are kept (so that their originals can be downloaded): the setting's folder
    (a disk several servers share), else beside the store (a remote store: this server's own folder)."""
    folder: Path | None = request.app.state.settings.uploads_dir
    if folder is None:
        home = request.app.state.store.home
        folder = Path(str(home) + ".uploads") if home is not None else Path(tempfile.gettempdir()) / "vanban-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def safe_name(name: str) -> str:
    """A file name from a browser, made safe to keep: its last segment, printable, no leading dots."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.\- ()]+", "_", base).strip(" .")[:120]
    return base or "upload"


async def _files(request: Request) -> tuple[list[UploadFile], list[str], dict[str, str]]:
    """The uploaded files, their names and the other fields, within the upload limits."""
    cfg = request.app.state.settings
    limit = cfg.upload_max_mb * 2**20
    size = request.headers.get("content-length")
    if size is not None and size.isdigit() and int(size) > limit:
        raise QueryTooBig(f"upload of {int(size) // 2**20} MB is over the limit (setting upload_max_mb: "
                          f"{cfg.upload_max_mb} MB)")
    form = await request.form(max_files=cfg.upload_max_files, max_fields=cfg.upload_max_files + 10)
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    if not files:
        raise QueryError("no files: send them as multipart form field `files`")
    if sum(f.size or 0 for f in files) > limit:
        raise QueryTooBig(f"upload over the limit (setting upload_max_mb: {cfg.upload_max_mb} MB)")
    names = [str(n) for n in form.getlist("names")]
    fields = {k: str(v) for k, v in form.items() if k not in ("files", "names") and isinstance(v, str)}
    return files, names, fields


async def _save(files: list[UploadFile], folder: Path) -> list[Path]:
    saved = []
    for i, f in enumerate(files):
        target = folder / safe_name(f.filename or f"upload-{i}")
        with target.open("wb") as out:
            while chunk := await f.read(CHUNK):
                out.write(chunk)
        saved.append(target)
    return saved


@router.post("/extract", operation_id="extract_files", summary="Read and extract files without storing them "
             "(for review before an ingest)")
async def extract_files(request: Request) -> dict[str, Any]:
    files, _, _ = await _files(request)
    with tempfile.TemporaryDirectory(prefix="vanban-extract-") as tmp:
        saved = await _save(files, Path(tmp))

        def extract_all() -> list[dict[str, Any]]:
            out = []
            for f, path in zip(files, saved, strict=True):
                try:
                    out.append({"file": f.filename, "ok": True, "extraction": extract_path(path).to_json()})
                except VanbanError as e:
                    out.append({"file": f.filename, "ok": False, "error": str(e)})
            return out

        return {"ok": True, "items": await asyncio.to_thread(extract_all)}


@router.post("/ingest", operation_id="ingest_files", summary="Ingest files (the server stays the one writer)")
async def ingest_uploaded(request: Request) -> dict[str, Any]:
    """Files from the upload page are kept beside the store under their own names (a new file of the same
    name replaces its source, as a changed file does on disk); files from the CLI come with `names`, the
    names a local ingest would record, and are read from a temporary folder."""
    files, names, fields = await _files(request)
    if names and len(names) != len(files):
        raise QueryError(f"{len(names)} names for {len(files)} files")
    allow_marked = fields.get("allow_marked", "false").lower() == "true"
    store = request.app.state.store
    async with request.app.state.write_lock:
        with tempfile.TemporaryDirectory(prefix="vanban-ingest-") as tmp:
            folder = Path(tmp) if names else uploads_dir(request)
            saved = await _save(files, folder) if not names else await _save_numbered(files, folder)
            recorded = dict(zip(saved, names, strict=True)) if names else {p: source_name(p) for p in saved}
            report, idx = await asyncio.to_thread(
                ingest_files, saved, store, request.app.state.indexes, allow_marked=allow_marked,
                name_of=lambda p: recorded.get(p, source_name(p)))
            request.app.state.lineage = idx
    described = await asyncio.to_thread(documents_of, store, [_graph(store, n) for n in recorded.values()])
    keys = {g: idx.nodes.columns["key"][n] for g, d in described.items() if (n := idx.ids.get(d)) is not None}
    failed = {str(p): problem for p, problem in report.failed}
    items = []
    for path, name in recorded.items():
        item: dict[str, Any] = {"name": name, "ok": str(path) not in failed}
        if str(path) in failed:
            item["error"] = failed[str(path)]
        item["document"] = keys.get(_graph(store, name))
        items.append(item)
    return {"ok": True, "ingested": report.ingested, "skipped": report.skipped,
            "failed": [[recorded.get(Path(p), p), problem] for p, problem in report.failed],
            "items": items, "summary": report.summary()}


def _graph(store: Store, name: str) -> str:
    return store.iris.graph(source_id(name))


async def _save_numbered(files: list[UploadFile], folder: Path) -> list[Path]:
    """Files from the CLI, each in its own folder under its own base name (the reader looks at the
    suffix): two files of one name from different folders do not collide."""
    saved = []
    for i, f in enumerate(files):
        sub = folder / str(i)
        sub.mkdir()
        saved.extend(await _save([f], sub))
    return saved


class RemoveRequest(BaseModel):
    paths: Annotated[list[str], Field(min_length=1, max_length=10_000)]


@router.post("/remove", operation_id="remove_sources", summary="Remove the claims of sources (by their names)")
async def remove_sources(request: Request, body: RemoveRequest) -> dict[str, Any]:
    store = request.app.state.store
    async with request.app.state.write_lock:
        removed, idx = await asyncio.to_thread(remove_files, [Path(p) for p in body.paths], store,
                                               request.app.state.indexes)
        request.app.state.lineage = idx
    current_index(request)
    return {"ok": True, "removed": removed, "summary": f"{len(removed)} sources removed"}
