"""The baseline for the endpoint benchmark: plain pyoxigraph behind the same HTTP server (uvicorn), with
nothing of vanban in between — no FastAPI, no limits, no content negotiation, no worker threads.

    VANBAN_STORE=var/store .venv/bin/python -m uvicorn plain_server:app --app-dir bench --port 8001

POST /sparql with a form field `query` answers SPARQL JSON results. Not for use: a measuring stick.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox

STORE = ox.Store.read_only(os.environ["VANBAN_STORE"])


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    query = (parse_qs(body.decode()) or parse_qs(scope["query_string"].decode())).get("query", [""])[0]
    if not query:
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    result = STORE.query(query, use_default_graph_as_union=True)
    payload = result.serialize(format=ox.QueryResultsFormat.JSON)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/sparql-results+json")]})
    await send({"type": "http.response.body", "body": payload})
