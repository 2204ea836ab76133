"""One error shape for the whole API: {"ok": false, "error": …, "status": …}, mapped from typed errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import (
    AccessDenied,
    InputError,
    NeedsToken,
    QueryError,
    QueryTimeout,
    QueryTooBig,
    RowCapExceeded,
    ServerBusy,
    StoreError,
    UnknownDocument,
    UpdateRefused,
    VanbanError,
)


class ErrorBody(BaseModel):
    """The one error shape of the API."""

    ok: Literal[False]
    error: str
    status: int


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text} for code, text in (
        (400, "malformed, too large or refused request or query"), (401, "a bearer token is required"),
        (403, "read-only (updates need the admin token), or the token's role may not see this"),
        (404, "no such document"), (413, "more results than the row cap, or more memory than a query may take"),
        (422, "invalid parameters"), (500, "the store failed"),
        (503, "the query ran past its time limit, or every slot is busy"),
    )
}

STATUS: list[tuple[type[VanbanError], int]] = [
    (QueryTimeout, 503),
    (ServerBusy, 503),
    (RowCapExceeded, 413),
    (QueryTooBig, 413),
    (NeedsToken, 401),
    (AccessDenied, 403),
    (QueryError, 400),
    (UpdateRefused, 403),
    (UnknownDocument, 404),
    (InputError, 400),
    (StoreError, 500),
    (VanbanError, 500),
]


def error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message, "status": status}, status_code=status)


def status_of(exc: VanbanError) -> int:
    return next(code for cls, code in STATUS if isinstance(exc, cls))


def _flat(routes: Any) -> Any:
    for route in routes:
        inner = getattr(route, "original_router", None)  # an included router (FastAPI ≥ 0.16x)
        nested = inner.routes if inner is not None else getattr(route, "routes", None)
        if nested is not None and not hasattr(route, "path_regex"):
            yield from _flat(nested)
        else:
            yield route


def response_for(exc: Exception) -> JSONResponse:
    """The one shape for any failure: a typed error's status (a 401 says how to authenticate), else a
    500 that names the defect's type and no more (no traceback to the client)."""
    if not isinstance(exc, VanbanError):
        return error_response(500, f"internal error ({type(exc).__name__}); the server goes on")
    response = error_response(status_of(exc), str(exc))
    if isinstance(exc, NeedsToken):
        response.headers["www-authenticate"] = 'Bearer realm="vanban"'
    return response


API_PATHS = ("/api/", "/sparql", "/static/", "/openapi.json", "/doc/", "/docs")
PageRenderer = Callable[[Request, int, str], Response]


def wants_page(request: Request) -> bool:
    """A browser asking for a page (not the API, not a script's fetch of JSON)."""
    path = request.url.path
    return not path.startswith(API_PATHS) and not path.endswith((".json", ".csv", ".atom")) \
        and "text/html" in request.headers.get("accept", "")


def install(app: FastAPI, page: PageRenderer | None = None) -> None:
    """Register the handlers that give every failure the one shape (as a page, in the same words, where a
    browser asked for a page)."""

    def shaped(request: Request, response: JSONResponse) -> Response:
        if page is None or not wants_page(request):
            return response
        body = json.loads(bytes(response.body))
        html = page(request, body["status"], body["error"])
        for name in ("www-authenticate", "allow"):
            if name in response.headers:
                html.headers[name] = response.headers[name]
        return html

    @app.exception_handler(VanbanError)
    async def vanban_error(request: Request, exc: VanbanError) -> Response:
        return shaped(request, response_for(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        return shaped(request, response_for(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = error_response(exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        if exc.status_code == 405:  # Allow lists every method of the path, not only the first route's
            methods = sorted({m for route in _flat(request.app.routes)
                              if getattr(route, "path_regex", None) is not None
                              and route.path_regex.match(request.url.path)
                              for m in getattr(route, "methods", None) or ()})
            if methods:
                response.headers["allow"] = ", ".join(methods)
        return shaped(request, response)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        return shaped(request, error_response(422, f"{where}: {first.get('msg', 'invalid request')}"))
