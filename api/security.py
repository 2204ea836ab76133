"""Who may read and write, and the headers every answer carries.

Roles, weakest first: `reader` (everything not marked), `marked` (also a store holding documents with a
security marking), `admin` (also SPARQL updates). Tokens are compared in constant time; the scheme
word is case-insensitive (`Bearer`, `bearer`). With `require_token` off (the default, for a laptop)
reading is open and the admin token only unlocks updates.
"""

from __future__ import annotations

import hmac

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.errors import AccessDenied, NeedsToken, UpdateRefused

from .settings import Settings

ROLES = ("reader", "marked", "admin")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'")
HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
           (b"referrer-policy", b"no-referrer"), (b"cross-origin-resource-policy", b"same-origin")]
OPEN_PATHS = ("/login", "/lang")
DOC_PAGES = ("/docs",)  # Swagger UI's page (vendored): kept out of the CSP until a browser test covers it


COOKIE = "vanban_token"  # set by the login form (HttpOnly, SameSite=Strict): the pages' bearer token


def bearer(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def role_of(token: str | None, settings: Settings, local: str | None = None) -> str | None:
    """The role a token gives, or None (`local`: the admin token the server announced beside its store)."""
    if not token:
        return None
    given = token.encode()
    found = None
    for admin in (settings.admin_token, local):
        if admin and hmac.compare_digest(given, admin.encode()):
            found = "admin"
    for known, role in settings.tokens.items():  # every token compared: the time tells nothing
        if hmac.compare_digest(given, known.encode()) and found is None:
            found = role if role in ROLES else None
    return found


def at_least(role: str | None, wanted: str) -> bool:
    return role is not None and role in ROLES and ROLES.index(role) >= ROLES.index(wanted)


async def authorize(request: Request) -> None:
    """Every route's first step: the caller's role, and whether it may read at all."""
    settings: Settings = request.app.state.settings
    token = bearer(request.headers.get("authorization")) or request.cookies.get(COOKIE)
    role = role_of(token, settings, getattr(request.app.state, "local_token", None))
    request.state.role = role
    if request.url.path in OPEN_PATHS:  # the login form must be reachable to log in
        return
    if settings.require_token and role is None:
        raise NeedsToken("this server needs a bearer token (Authorization: Bearer …)")
    if request.app.state.store.holds_marked() and not at_least(role, "marked"):
        raise AccessDenied("this store holds documents with a security marking: only a token with the role "
                           "`marked` or `admin` may read it")


def require_admin(request: Request) -> None:
    if not at_least(getattr(request.state, "role", None), "admin"):
        raise UpdateRefused("the SPARQL endpoint is read-only: updates need the admin token")


class SecurityHeaders:
    """A plain ASGI middleware (no per-request task): nosniff, no framing, no referrer, and a CSP that lets
    pages load only what vanban serves."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = not str(scope.get("path", "")).startswith(DOC_PAGES)

        async def send_with(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += HEADERS
                if csp:
                    headers.append((b"content-security-policy", CSP.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with)
