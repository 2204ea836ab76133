"""An admin's `LOAD <source> [INTO GRAPH <g>]`, done by vanban rather than by the engine.

The engine's own LOAD fetches any URL with no time limit, follows redirects anywhere and fails with an
internal error on an answer that is no RDF. Here a source is fetched only when an allow-list names it
(IRI prefixes; `file:///…` for local files, checked after `..` and links are resolved), redirects are
not followed, the whole fetch has a deadline and a size cap, and what comes back is parsed as the RDF
its media type or extension says — or refused with one line naming the source.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError, QueryRefused
from .store import Store

_LOAD = re.compile(
    r"^\s*(?:(?:#[^\n]*\n\s*)|(?:PREFIX\s+\S*:\s*<[^>]*>\s*)|(?:BASE\s+<[^>]*>\s*))*"
    r"LOAD\s+(?P<silent>SILENT\s+)?<(?P<source>[^<>\s]+)>"
    r"(?:\s+INTO\s+GRAPH\s+<(?P<graph>[^<>\s]+)>)?\s*;?\s*$",
    re.IGNORECASE,
)
CHUNK = 1 << 16


@dataclass(frozen=True)
class Load:
    source: str
    graph: str | None
    silent: bool


@dataclass(frozen=True)
class FetchLimits:
    timeout: float = 30.0
    max_bytes: int = 100_000_000


def parse_load(update: str) -> Load:
    """The one LOAD operation of an update (QueryRefused when LOAD comes with other operations)."""
    m = _LOAD.match(update)
    if m is None:
        raise QueryRefused("send LOAD as an update of its own: LOAD [SILENT] <source> [INTO GRAPH <graph>]")
    return Load(m["source"], m["graph"], bool(m["silent"]))


def allowed(source: str, allow: list[str]) -> bool:
    """An allowed prefix of the IRI; for a file, of the real path (no `..` or link leads out)."""
    if source.startswith("file:"):
        real = _file_path(source)
        roots = [_file_path(a) for a in allow if a.startswith("file:")]
        return any(real == r or r in real.parents for r in roots)
    return any(a and not a.startswith("file:") and source.startswith(a) for a in allow)


def _file_path(iri: str) -> Path:
    return Path(urllib.parse.unquote(urllib.parse.urlparse(iri).path)).resolve()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is an answer like any other: refused below, never followed


def fetch(source: str, limits: FetchLimits) -> tuple[bytes, ox.RdfFormat]:
    """The bytes at `source` and the RDF format they are in; InputError naming the source otherwise."""
    if source.startswith("file:"):
        path = _file_path(source)
        try:
            if path.stat().st_size > limits.max_bytes:
                raise InputError(source, f"larger than {limits.max_bytes:,} bytes (setting load_max_bytes)")
            data = path.read_bytes()
        except OSError as e:
            raise InputError(source, f"cannot read: {e.strerror or e}") from None
        return data, _format(source, None)
    if not source.startswith(("http://", "https://")):
        raise InputError(source, "only http(s) and file sources can be loaded")
    opener = urllib.request.build_opener(_NoRedirect)
    deadline = time.monotonic() + limits.timeout
    request = urllib.request.Request(source, headers={"accept": "text/turtle, application/n-triples, "
                                                      "application/n-quads, application/rdf+xml;q=0.9"})
    try:
        with opener.open(request, timeout=limits.timeout) as answer:
            media = answer.headers.get_content_type()
            parts, size = [], 0
            while chunk := answer.read(CHUNK):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise InputError(source, f"larger than {limits.max_bytes:,} bytes (setting load_max_bytes)")
                if time.monotonic() > deadline:
                    raise InputError(source, f"took more than {limits.timeout:g} s (setting load_timeout)")
                parts.append(chunk)
    except urllib.error.HTTPError as e:
        raise InputError(source, f"the server answered {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise InputError(source, f"cannot fetch: {getattr(e, 'reason', e)}") from None
    return b"".join(parts), _format(source, media)


def _format(source: str, media: str | None) -> ox.RdfFormat:
    found = ox.RdfFormat.from_media_type(media) if media else None
    if found is None:
        suffix = Path(urllib.parse.urlparse(source).path).suffix.lstrip(".")
        found = ox.RdfFormat.from_extension(suffix) if suffix else None
    if found is None:
        raise InputError(source, f"not RDF (media type {media or 'unknown'}, no RDF file extension)")
    return found


def load(store: Store, update: str, allow: list[str], limits: FetchLimits) -> int:
    """Run an admin's LOAD: triples added (0 for a SILENT load that failed)."""
    op = parse_load(update)
    if not allowed(op.source, allow):
        raise QueryRefused(f"LOAD {op.source}: only sources listed in the setting sparql_load_allow are fetched")
    try:
        data, fmt = fetch(op.source, limits)
        return store.add_rdf(data, fmt, op.graph, op.source)
    except InputError:
        if op.silent:
            return 0
        raise
