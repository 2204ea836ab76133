"""One error shape for the whole API: {"ok": false, "error": …, "status": …}, mapped from typed errors."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import (
    InputError,
    QueryError,
    QueryTimeout,
    RowCapExceeded,
    StoreError,
    UnknownDocument,
    UpdateRefused,
    VanbanError,
)

STATUS: list[tuple[type[VanbanError], int]] = [
    (QueryTimeout, 503),
    (RowCapExceeded, 413),
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


def install(app: FastAPI) -> None:
    """Register the handlers that give every failure the one shape."""

    @app.exception_handler(VanbanError)
    async def vanban_error(request: Request, exc: VanbanError) -> JSONResponse:
        return error_response(status_of(exc), str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        return error_response(422, f"{where}: {first.get('msg', 'invalid request')}")
