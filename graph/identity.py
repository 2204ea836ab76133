"""Identity: one key (and one IRI) per real document.

A key is issuer scope + kind + number + year. Party numbers restart every committee term and state
numbers every year, so the year is part of the key (`124-QĐ/TW` of 2018 ≠ of 2023). Central issuer
codes (TW, CP, QH, TLĐ…) name one body in the country; local ones (TU, HU, ĐĐ, LĐLĐ, UBND, MTTQ…)
are scoped by the citing document's province (`lai-chau/tu`). Keys are readable and URL-safe
(`tw-nq-2021-02`); IRIs follow ELI's shape under a configurable base
(`{base}/doc/tw/nq/2021/02`, `{base}/doc/lai-chau/tu/qc/2019/06`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from .text import strip_marks
from .vocab import Vocabulary

DEFAULT_BASE = "https://w3id.org/vanban"
UNKNOWN = "_"  # a year or province the text does not give


@lru_cache(maxsize=1 << 16)
def slug(text: str) -> str:
    """ASCII, lower case, words joined by '-': `Lai Châu` → `lai-chau`, `MTTQ-BTT` → `mttq-btt`."""
    s = strip_marks(text)
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-") or UNKNOWN


@dataclass(frozen=True)
class DocKey:
    """The identity of a document: what makes two mentions the same document."""

    scope: tuple[str, ...]  # ("tw",) or ("lai-chau", "tu")
    kind: str  # slug of the kind code: nq, qd, ctr, cv…
    year: str  # "2021" or "_" when unknown
    number: str  # "02" — at least two digits, leading zeros otherwise dropped

    @property
    def path(self) -> str:
        return "/".join((*self.scope, self.kind, self.year, self.number))

    @property
    def text(self) -> str:
        """URL-safe readable key: `tw-nq-2021-02`, `lai-chau-tu-qc-2019-06`."""
        return self.path.replace("/", "-").replace("_", "x")


@dataclass(frozen=True)
class NamedKey:
    """A document known by name only (`Luật Công đoàn`, `Điều lệ Đảng`)."""

    name: str  # slug of the title
    year: str

    @property
    def path(self) -> str:
        return f"name/{self.name}" + ("" if self.year == UNKNOWN else f"/{self.year}")

    @property
    def text(self) -> str:
        return self.path.replace("/", "-")


Key = DocKey | NamedKey


def norm_number(number: str) -> str:
    """`6` and `06` are one number; keep two digits as the documents mostly write them."""
    n = int(number) if number.isdigit() else 0
    return f"{n:02d}" if number.isdigit() else slug(number)


def issuer_scope(issuer: str | None, province: str | None, vocab: Vocabulary) -> tuple[str, ...]:
    """Scope of an issuer part of a symbol (`TU`, `MTTQ-BTT`, `CP`, `QH15`)."""
    if not issuer:
        return (UNKNOWN,)
    first = re.split(r"[-/]", issuer)[0]
    code = vocab.issuer(first) or vocab.issuer(re.sub(r"\d+$", "", first))
    local = code is None or code.scope == "local"
    own = slug(issuer)
    if local:
        return (slug(province) if province else UNKNOWN, own)
    return (own,)


def key_for(
    symbol_issuer: str | None,
    kind: str | None,
    number: str | None,
    year: int | None,
    province: str | None,
    vocab: Vocabulary,
) -> DocKey | None:
    """The key of a document cited or issued with a symbol; None without a number."""
    if not number:
        return None
    return DocKey(
        scope=issuer_scope(symbol_issuer, province, vocab),
        kind=slug(kind) if kind else UNKNOWN,
        year=str(year) if year else UNKNOWN,
        number=norm_number(number),
    )


def named_key(title: str, year: int | None) -> NamedKey:
    return NamedKey(name=slug(title)[:80].strip("-"), year=str(year) if year else UNKNOWN)


def source_id(path: str) -> str:
    """A stable id for a source file (its graph): a slug of its name and a short hash of its path."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", path.replace("\\", "/").rsplit("/", 1)[-1])
    digest = hashlib.sha1(path.encode("utf-8")).hexdigest()[:10]
    return f"{slug(stem)[:60]}-{digest}"


@dataclass(frozen=True)
class Iris:
    """Where every kind of node lives, under one base."""

    base: str = DEFAULT_BASE

    def doc(self, key: Key) -> str:
        return f"{self.base}/doc/{key.path}"

    def graph(self, source: str) -> str:
        return f"{self.base}/graph/{source}"

    def evidence(self, source: str, n: int) -> str:
        return f"{self.base}/graph/{source}/evidence/{n}"

    def signature(self, source: str, n: int) -> str:
        return f"{self.base}/graph/{source}/signature/{n}"

    def person(self, name: str) -> str:
        return f"{self.base}/person/{slug(name)}"

    def org(self, scope: tuple[str, ...]) -> str:
        return f"{self.base}/org/{'/'.join(scope)}"

    def org_named(self, name: str, province: str | None) -> str:
        return f"{self.base}/org/name/{slug(province) + '/' if province else ''}{slug(name)}"

    def kind(self, code: str) -> str:
        return f"https://w3id.org/vanban/kind/{slug(code)}"

    def conflict(self, key_path: str, prop: str) -> str:
        return f"{self.base}/conflict/{key_path}/{prop}"

    def reference(self, source: str, n: int) -> str:
        return f"{self.base}/graph/{source}/reference/{n}"

    @property
    def conflicts_graph(self) -> str:
        return f"{self.base}/graph/derived/conflicts"

    @property
    def validity_graph(self) -> str:
        return f"{self.base}/graph/derived/validity"
