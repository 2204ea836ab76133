"""Settings of the web app: one table, read from the environment (VANBAN_*) once, overridable in tests."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.identity import DEFAULT_BASE


class Settings(BaseSettings):
    """Every setting with its default and what it is for (`tests/test_api.py` checks each is documented)."""

    model_config = SettingsConfigDict(env_prefix="VANBAN_", frozen=True)

    store: Path | None = Field(Path("var/store"), description="store folder; empty for an in-memory store")
    base: str = Field(DEFAULT_BASE, description="base of the document IRIs")
    query_timeout: float = Field(10.0, description="seconds a SPARQL query may run before it is stopped")
    row_cap: int = Field(100_000, description="most rows (or triples) one SPARQL query may return")
    max_concurrent_queries: int = Field(4, description="SPARQL queries evaluated at once; others wait")
    admin_token: str | None = Field(None, description="bearer token that allows SPARQL updates; none: read-only")
    cors_origins: list[str] = Field(default_factory=list, description="origins allowed by CORS, e.g. ['*']")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
