"""Settings of the web app: one table, read from the environment (VANBAN_*) once, overridable in tests."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.identity import DEFAULT_BASE
from graph.store import Remote


class Settings(BaseSettings):
    """Every setting with its default and what it is for (`tests/test_api.py` checks each is documented)."""

    model_config = SettingsConfigDict(env_prefix="VANBAN_", frozen=True)

    store: Path | None = Field(Path("var/store"), description="store folder; empty for an in-memory store")
    store_url: str | None = Field(None, description="a SPARQL 1.1 server to keep the graph in instead of the "
                                  "store folder (Oxigraph server: http://host:7878; Virtuoso: "
                                  "http://host:8890/sparql)")
    store_query_path: str | None = Field(None, description="the remote store's query endpoint path, where its "
                                         "URL does not say it (default: /query, or the URL's /sparql)")
    store_update_path: str | None = Field(None, description="the remote store's update endpoint path "
                                          "(default: /update, or /sparql; /sparql-auth with digest)")
    store_data_path: str = Field("auto", description="where the remote store takes N-Quads POSTed to add to its "
                                 "dataset (auto: /store on a server root, as Oxigraph server; empty: SPARQL "
                                 "Update only)")
    store_user: str | None = Field(None, description="user name for the remote store's endpoints")
    store_password: str | None = Field(None, description="password for the remote store's endpoints")
    store_auth: str = Field("basic", description="how the user name is sent: basic or digest (Virtuoso)")
    store_token: str | None = Field(None, description="bearer token sent to the remote store")
    store_timeout: float = Field(60.0, description="seconds one request to the remote store may take")
    store_poll: float = Field(1.0, description="seconds a remote store's write stamp is trusted before it is "
                              "read again: how soon this server sees what other servers and ingest jobs wrote")
    index_dir: Path | None = Field(None, description="for a remote store: where this server keeps its lineage "
                                   "and search indexes (one folder per server; default var/remote/HOST-PORT)")
    base: str = Field(DEFAULT_BASE, description="base of the document IRIs")
    query_timeout: float = Field(10.0, description="seconds a SPARQL query may run before it is stopped")
    row_cap: int = Field(100_000, description="most rows (or triples) one SPARQL query may return")
    max_concurrent_queries: int = Field(8, description="SPARQL queries evaluated at once (worker processes); "
                                        "others wait")
    query_processes: bool = Field(True, description="run SPARQL queries in worker processes (on-disk stores): "
                                  "a query that crashes, loops or eats memory is killed alone")
    query_memory_mb: int = Field(1024, description="private memory one SPARQL query's worker may take before "
                                 "it is stopped (413)")
    sparql_max_bytes: int = Field(100_000, description="largest SPARQL query or update accepted, in bytes (413)")
    sparql_max_depth: int = Field(64, description="deepest nesting of brackets a SPARQL request may have (400)")
    sparql_max_terms: int = Field(5_000, description="most terms (words, IRIs, operators) in a SPARQL request")
    sparql_max_patterns: int = Field(200, description="most triple patterns and groups in a SPARQL request")
    sparql_service_allow: list[str] = Field(default_factory=list, description="endpoints SERVICE may call "
                                            "(IRI prefixes); empty: SERVICE is refused, no outgoing request")
    sparql_load_allow: list[str] = Field(default_factory=list, description="sources an admin's LOAD may "
                                         "fetch (IRI prefixes, file:///… for local files); empty: LOAD refused")
    load_timeout: float = Field(30.0, description="seconds an admin's LOAD may take to fetch its source")
    load_max_bytes: int = Field(100_000_000, description="largest source an admin's LOAD may fetch, in bytes")
    max_concurrent_exports: int = Field(2, description="exports built at once; more get 503 (try again)")
    export_cache: bool = Field(True, description="keep the whole graph's RDF export beside the store for its "
                               "current state, so the next export of that state goes at disk speed (as much "
                               "disk as the export; replaced after the next write)")
    admin_token: str | None = Field(None, description="bearer token that allows SPARQL updates; none: read-only")
    tokens: dict[str, str] = Field(default_factory=dict, description="bearer tokens and their roles "
                                   "(reader, marked, admin), e.g. {\"t0k3n\": \"reader\"}")
    require_token: bool = Field(False, description="every request needs a bearer token of `tokens` (or the "
                                "admin token); off: reading is open to whoever reaches the server")
    serve_url: str | None = Field(None, description="the URL this server answers on (set by `vanban serve`): "
                                  "announced beside the store so that the CLI writes through the server")
    uploads_dir: Path | None = Field(None, description="where uploaded files are kept, so that their originals "
                                     "download (default: beside the store, or this server's folder for a remote "
                                     "store); several API servers over one store share it on a common disk")
    upload_max_mb: int = Field(200, description="largest upload one ingest or extract request may carry, in MB")
    upload_max_files: int = Field(1000, description="most files one ingest or extract request may carry")
    cors_origins: list[str] = Field(default_factory=list, description="origins allowed by CORS, e.g. ['*']")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def remote_of(cfg: Settings) -> Remote | None:
    """The remote store the settings name, if any."""
    if not cfg.store_url:
        return None
    return Remote(cfg.store_url, cfg.store_query_path, cfg.store_update_path, cfg.store_user, cfg.store_password,
                  cfg.store_auth, cfg.store_token, cfg.store_timeout, cfg.store_poll, data_path=cfg.store_data_path)
