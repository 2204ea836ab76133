"""The CLI's side of writing through a running server: files sent to its admin routes in batches, each
recorded under the name a local ingest would give it (so that the same file is the same source).
Plain urllib: the CLI needs no HTTP library beside the standard one."""

from __future__ import annotations

import json
import re
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import VanbanError
from .ingest import iter_sources, source_name

BATCH_FILES = 64
BATCH_BYTES = 64 * 2**20


class ServerError(VanbanError):
    """The server refused a request or could not be reached."""


@dataclass(frozen=True)
class Server:
    url: str
    token: str | None

    def post(self, path: str, body: bytes, content_type: str, timeout: float = 3600) -> dict[str, Any]:
        headers = {"content-type": content_type, "accept": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.url.rstrip("/") + path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                answer: dict[str, Any] = json.loads(resp.read())
                return answer
        except urllib.error.HTTPError as e:
            try:
                message = json.loads(e.read()).get("error", e.reason)
            except ValueError:
                message = e.reason
            raise ServerError(f"{self.url}{path}: {e.code} {message}") from None
        except (urllib.error.URLError, OSError) as e:
            raise ServerError(f"{self.url}: cannot reach the server ({e})") from None


def multipart(files: list[tuple[str, bytes]], fields: dict[str, str]) -> tuple[bytes, str]:
    """A multipart/form-data body: each file as `files` (its recorded name as `names`)."""
    boundary = "vanban-" + secrets.token_hex(12)
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\ncontent-disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for i, (name, data) in enumerate(files):
        parts.append(f'--{boundary}\r\ncontent-disposition: form-data; name="names"\r\n\r\n'.encode()
                     + name.encode("utf-8", "surrogateescape") + b"\r\n")
        base = re.sub(r'[^\w.\- ()]+', "_", name.replace("\\", "/").rsplit("/", 1)[-1]) or f"file{i}"
        parts.append(f'--{boundary}\r\ncontent-disposition: form-data; name="files"; filename="{base}"\r\n'
                     f"content-type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def batches(paths: list[Path], failed: list[list[str]]) -> Iterator[list[tuple[str, bytes]]]:
    """The files in batches of at most BATCH_FILES and BATCH_BYTES; one that cannot be read goes to
    `failed` with its reason (the others still go)."""
    batch: list[tuple[str, bytes]] = []
    size = 0
    for path in iter_sources(paths):
        try:
            data = path.read_bytes()
        except OSError as e:
            failed.append([source_name(path), f"cannot read it ({e.strerror})"])
            continue
        if batch and (len(batch) >= BATCH_FILES or size + len(data) > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append((source_name(path), data))
        size += len(data)
    if batch:
        yield batch


def ingest_via(server: Server, paths: list[Path], allow_marked: bool = False) -> dict[str, Any]:
    """Send every file to the server's ingest route; the reports of all batches summed."""
    total: dict[str, Any] = {"ingested": 0, "skipped": 0, "failed": [], "summary": ""}
    for batch in batches(paths, total["failed"]):
        body, kind = multipart(batch, {"allow_marked": "true" if allow_marked else "false"})
        got = server.post("/api/ingest", body, kind)
        total["ingested"] += got.get("ingested", 0)
        total["skipped"] += got.get("skipped", 0)
        total["failed"] += got.get("failed", [])
        total["summary"] = got.get("summary", "")
    return total


def remove_via(server: Server, paths: list[Path]) -> dict[str, Any]:
    body = json.dumps({"paths": [source_name(p) for p in paths]}).encode()
    return server.post("/api/remove", body, "application/json")
