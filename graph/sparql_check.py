"""What a SPARQL request is before it runs: its size, nesting, terms, patterns and outgoing calls.

Oxigraph's parser and evaluator recurse: a 5 kB query nested 1,000 deep (or a 10,000-way UNION or `&&`
chain, which parses as a tree as deep as it is long) overflows a thread's stack and takes the process
with it. One lexical pass — strings, IRIs and comments skipped as the grammar writes them — measures
what would hurt, so a request is refused with a 400 naming the setting before the engine sees it.
The same pass finds the endpoints a query would call (`SERVICE`) and the sources an update would fetch
(`LOAD`): vanban makes no outgoing request unless a setting allows that endpoint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import QueryRefused

_TOKEN = re.compile(
    r'(?P<space>\s+)|(?P<comment>#[^\n]*)'
    r'|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r'|(?P<open>[({\[])|(?P<close>[)}\]])'
    r'|(?P<sep>[.;,](?![0-9]))'
    r'|(?P<word>[?$]?[\w\-]*(?::[\w\-]*(?:\.[\w\-]+)*)?(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)'
    r'|(?P<op>&&|\|\||!=|<=|>=|\^\^|[-+*/!=<>|^@a-zA-Z]|.)',
    re.DOTALL,
)


@dataclass(frozen=True)
class Bounds:
    """What one request may be (the settings `sparql_max_*`); `services`/`loads` are allow-lists."""

    max_bytes: int = 100_000
    max_depth: int = 64
    max_terms: int = 5_000
    max_patterns: int = 200
    services: tuple[str, ...] = ()
    loads: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shape:
    """A request as the lexer saw it."""

    depth: int
    terms: int
    patterns: int
    services: tuple[str, ...]  # endpoint IRIs of SERVICE, "?var" for a variable endpoint
    loads: tuple[str, ...]  # source IRIs of LOAD


def shape_of(text: str) -> Shape:
    """Measure a query or update in one pass (never raises: an unclosed string ends the text)."""
    depth = deepest = terms = patterns = 0
    parens = 0  # inside ( ): separators there are argument lists, not patterns
    services: list[str] = []
    loads: list[str] = []
    want: list[str] | None = None  # the next IRI or variable goes to SERVICE's or LOAD's list
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("space", "comment") or not m.group(0):
            continue
        terms += 1
        token = m.group(0)
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
            parens += token == "("
            patterns += token == "{"  # a group holds at least one pattern, with or without separators
        elif kind == "close":
            depth = max(0, depth - 1)
            parens = max(0, parens - (token == ")"))
        elif kind == "sep" and parens == 0 and depth > 0:
            patterns += 1
        elif kind == "word":
            upper = token.upper()
            if upper in ("SERVICE", "LOAD"):
                want = services if upper == "SERVICE" else loads
                continue
            if want is not None and upper != "SILENT":
                want.append(token if token.startswith(("?", "$")) else f"prefixed:{token}")
                want = None
            continue
        elif kind == "iri" and want is not None:
            want.append(token[1:-1])
            want = None
            continue
        want = None
    return Shape(deepest, terms, patterns, tuple(services), tuple(loads))


def check(text: str, bounds: Bounds, *, update: bool = False) -> Shape:
    """The request's shape, or QueryRefused naming what is too big and the setting that says so."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > bounds.max_bytes:
        raise QueryRefused(f"the request is {size:,} bytes; at most {bounds.max_bytes:,} are taken "
                           "(setting sparql_max_bytes)")
    shape = shape_of(text)
    for value, limit, what, setting in (
        (shape.depth, bounds.max_depth, "levels of nested brackets", "sparql_max_depth"),
        (shape.terms, bounds.max_terms, "terms", "sparql_max_terms"),
        (shape.patterns, bounds.max_patterns, "triple patterns", "sparql_max_patterns"),
    ):
        if value > limit:
            raise QueryRefused(f"the request has {value:,} {what}; at most {limit:,} are taken "
                               f"(setting {setting})")
    for endpoint in shape.services:
        if not _allowed(endpoint, bounds.services):
            raise QueryRefused(f"SERVICE {endpoint}: this endpoint makes no outgoing requests unless the "
                               "endpoint is listed in the setting sparql_service_allow")
    if update:
        for source in shape.loads:
            if not _allowed(source, bounds.loads):
                raise QueryRefused(f"LOAD {source}: only sources listed in the setting sparql_load_allow "
                                   "are fetched")
    return shape


def _allowed(iri: str, allow: tuple[str, ...]) -> bool:
    """An endpoint or source is allowed when it starts with an allowed prefix (never a variable or a
    prefixed name, whose IRI the lexer does not resolve)."""
    return not iri.startswith(("?", "$", "prefixed:")) and any(iri.startswith(a) for a in allow if a)
