"""Property-based API testing: schemathesis generates requests from /openapi.json and checks every
response against the schema (no server errors, documented status codes and content types)."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app
from api.settings import Settings
from graph.ingest import ingest
from graph.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent

_store = GraphStore()
ingest([ROOT / "data" / "documents"], _store)
app = create_app(Settings(store=None, query_timeout=2.0, row_cap=1000), _store)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms(case: schemathesis.Case) -> None:
    # The SPARQL grammar is not in the schema: a generated "query" is rarely SPARQL, and refusing it with
    # 400 is right; its graph parameters are free strings that the query layer checks as IRIs. Every
    # other check (no 5xx, documented codes and types, methods) still runs there. Derandomized: the same
    # examples every run, so CI does not flicker.
    excluded = [schemathesis.checks.positive_data_acceptance, schemathesis.checks.negative_data_rejection] \
        if case.path == "/sparql" else []
    case.call_and_validate(excluded_checks=excluded)
