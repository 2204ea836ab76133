"""Where a document stands: its province as provinces are since 2025 (`data/vocab/provinces.toml`: a 2021
document of Hà Giang counts for Tuyên Quang) and its level (central, ministry, province, district,
grassroots: `level` of each issuer in `data/vocab/issuers.toml`), from the parts of its IRI."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .identity import slug
from .vocab import load

LEVELS = ("central", "ministry", "province", "district", "grassroots", "unknown")
_PREFIXES = ("thanh-pho-", "tp-", "tinh-")


@dataclass(frozen=True)
class Registry:
    """Province slugs (current and former) → the current province's name."""

    current: dict[str, str]
    names: tuple[str, ...]

    def province_of(self, scope: str) -> str | None:
        for p in ("", *_PREFIXES):
            if p and not scope.startswith(p):
                continue
            found = self.current.get(scope[len(p):])
            if found:
                return found
        return None


@lru_cache(maxsize=1)
def registry() -> Registry:
    current: dict[str, str] = {}
    for p in load().provinces:
        for name in (p.name, *p.merged):
            current[slug(name)] = p.name
    return Registry(current, tuple(p.name for p in load().provinces))


@lru_cache(maxsize=1)
def _levels() -> dict[str, str]:
    """Issuer codes as IRIs spell them (`ldld`, `du`) → their level."""
    return {slug(i.code): i.level for i in load().issuers}


def level_of(issuer: str, province: str | None) -> str:
    """The level of an issuer code as an IRI spells it; a provincial organ the vocabulary does not know is
    taken for the province's own."""
    return _levels().get(issuer) or ("province" if province else "unknown")


def scope_of(iri: str) -> tuple[str, str]:
    """(province slug, issuer code) of a document IRI `…/doc/[province/]issuer/kind/year/number`; empty
    where the IRI does not say (a document known by name, or only as a source)."""
    parts = iri.split("/doc/", 1)[-1].split("/")
    if parts[0] in ("name", "source") or len(parts) < 4:
        return "", ""
    if len(parts) >= 5:
        return ("" if parts[0] == "_" else parts[0]), parts[1]
    return "", parts[0]
