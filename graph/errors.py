"""Typed errors: one base class so callers (CLI, API) can map every failure in one place."""

from __future__ import annotations


class VanbanError(Exception):
    """Base of every error vanban raises on purpose."""


class InputError(VanbanError):
    """A source file cannot be read as a document: names the input and the problem."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class VocabularyError(VanbanError):
    """A vocabulary file in data/vocab is malformed."""


class QueryError(VanbanError):
    """A SPARQL query is malformed, refused, or ran past its limits."""


class StoreError(VanbanError):
    """The store cannot be opened, read or written."""


class UnknownDocument(VanbanError):
    """No document with that key or reference is known."""


class QueryRefused(QueryError):
    """A request refused before it runs: too big, too deep, or calling out where no setting allows it."""


class QueryTooBig(QueryError):
    """A query that needed more memory than its worker may take (it was stopped)."""


class QueryTimeout(QueryError):
    """A query ran past its time limit."""


class RowCapExceeded(QueryError):
    """A query returned more rows than the cap allows."""


class NeedsToken(VanbanError):
    """A request without a valid bearer token where the settings require one (401)."""


class AccessDenied(VanbanError):
    """A token whose role may not do or see this (403)."""


class ServerBusy(QueryError):
    """Every slot for this kind of work is taken (503: try again)."""


class UpdateRefused(VanbanError):
    """A SPARQL update without the admin token (the endpoint is read-only)."""


class ToolMissing(InputError):
    """A file needs a system program that is not installed (Tesseract, LibreOffice): says which package
    to install. The file fails; the rest of a batch goes on."""

    def __init__(self, source: str, need: str, program: str, packages: str) -> None:
        super().__init__(source, f"{need}, but {program} is not installed: apt-get install {packages} "
                                 "(or `make sysdeps` as root)")
        self.program = program
        self.packages = packages
