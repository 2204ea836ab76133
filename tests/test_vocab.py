"""Vocabulary is data: every entry's example must read back as that entry; no duplicate keys."""

from __future__ import annotations

from collections import Counter

import pytest

from graph.extract import extract_text
from graph.header import _position_of, restore_case
from graph.symbols import parse_symbol
from graph.text import fold, strip_marks
from graph.vocab import RELATIONS, load

V = load()


@pytest.mark.parametrize("entry", V.codes, ids=lambda e: e.code)
def test_kind_code_example(entry):  # type: ignore[no-untyped-def]
    ex = extract_text("Căn cứ " + entry.example + ";")
    assert ex.citations, entry.example
    assert ex.citations[0].kind == (entry.reported or entry.code)


@pytest.mark.parametrize("entry", V.words, ids=lambda e: e.word)
def test_kind_word_example(entry):  # type: ignore[no-untyped-def]
    ex = extract_text("Thực hiện " + entry.example + ".")
    assert ex.citations, entry.example
    c = ex.citations[0]
    assert c.kind_name is not None and fold(c.kind_name) == fold(entry.word)
    assert c.kind in (entry.party, entry.state) or entry.word in ("Văn bản", "Công văn", "Thông tư liên bộ")


@pytest.mark.parametrize("entry", V.issuers, ids=lambda e: e.code)
def test_issuer_example(entry):  # type: ignore[no-untyped-def]
    sym = parse_symbol(entry.example)
    assert sym is not None, entry.example
    assert sym.issuer is not None
    assert entry.code in sym.issuer.replace("/", "-").split("-") or sym.issuer.startswith(entry.code)
    assert sym.party == entry.party


@pytest.mark.parametrize("org", V.organisations, ids=lambda o: o.names[0])
def test_organisation_example(org):  # type: ignore[no-untyped-def]
    ex = extract_text("Thực hiện " + org.example + ".")
    assert ex.citations, org.example
    c = ex.citations[0]
    if org.party:
        assert c.symbol is not None and c.symbol.endswith("/" + org.code), (org.example, c.symbol)
    assert c.issuer is not None
    assert any(strip_marks(c.issuer).startswith(strip_marks(n)) for n in org.names), (org.example, c.issuer)


@pytest.mark.parametrize("cue", V.cues, ids=lambda c: c.phrase)
def test_cue_example(cue):  # type: ignore[no-untyped-def]
    ex = extract_text(cue.example)
    assert ex.citations, cue.example
    if cue.passive or (len(ex.citations) > 1 and ex.links):
        assert any(lk.relation == cue.relation for lk in ex.links), (cue.example, ex.links)
    else:
        assert cue.relation in ex.citations[-1].relations, (cue.example, ex.citations)


def test_cue_relations_closed() -> None:
    assert {c.relation for c in V.cues} <= set(RELATIONS)


@pytest.mark.parametrize("pos", V.positions, ids=lambda p: p[0])
def test_position_example(pos):  # type: ignore[no-untyped-def]
    assert _position_of(pos[1], V) == pos[0]


@pytest.mark.parametrize("casing", V.casings, ids=lambda c: c[0])
def test_casing_example(casing):  # type: ignore[no-untyped-def]
    assert restore_case(casing[1], V) == casing[0]


def test_capacity_examples() -> None:
    from graph.header import _capacity_re

    for pattern, canonical, example in V.capacities:
        m = _capacity_re(V).search(example)
        assert m, example
        assert canonical.rstrip(".") == m.group("cap").rstrip(".") or pattern == canonical


@pytest.mark.parametrize(
    "field",
    [
        [fold(c.code) for c in V.codes],
        [fold(w.word) for w in V.words],
        [fold(i.code) for i in V.issuers],
        [fold(c.phrase) for c in V.cues],
        [fold(n) for o in V.organisations for n in o.names],
    ],
    ids=["codes", "words", "issuers", "cues", "organisation names"],
)
def test_no_duplicates(field: list[str]) -> None:
    dupes = [k for k, n in Counter(field).items() if n > 1]
    assert not dupes


def test_legacy_encoding_examples() -> None:
    """data/vocab/encodings.toml: each example in its old encoding reads back as its text; the TCVN3
    table maps each byte to one letter and no two bytes to the same one."""
    from graph.read.legacy import convert, tables

    t = tables()
    assert {e[0] for e in t.examples} == {"tcvn3", "vni"}
    for encoding, old, text in t.examples:
        assert convert(old, encoding) == text, old
    assert len(t.tcvn3) == 74 and len(set(t.tcvn3.values())) == 74
    assert all(len(k) == 1 and 0xA1 <= ord(k) <= 0xFE for k in t.tcvn3)


@pytest.mark.parametrize("entry", V.markings, ids=lambda e: e[1])
def test_marking_example(entry):  # type: ignore[no-untyped-def]
    _phrase, level, example = entry
    ex = extract_text(f"TỈNH ỦY BẮC NINH\n{example}\nSố 12-KH/TU\n\nKẾ HOẠCH\nThực hiện Nghị quyết số 02-NQ/TW.\n")
    assert ex.header.marking == level


@pytest.mark.parametrize("entry", V.companions, ids=lambda e: e[0])
def test_marking_companion_example(entry):  # type: ignore[no-untyped-def]
    word, example = entry
    ex = extract_text(f"TỈNH ỦY BẮC NINH\n{example}\nSố 12-KH/TU\n\nKẾ HOẠCH\n")
    assert ex.header.marking is not None and word in example.casefold()


@pytest.mark.parametrize("line", ["MẶT TRẬN TỔ QUỐC", "văn bản theo chế độ mật", "Mật độ dân số", "MẬT ĐỘ",
                                  "- Bảo vệ bí mật nhà nước", "KHẨN"])
def test_no_marking_where_none_is_stamped(line: str) -> None:
    ex = extract_text(f"TỈNH ỦY BẮC NINH\n{line}\nSố 12-KH/TU\n\nKẾ HOẠCH\n")
    assert ex.header.marking is None


@pytest.mark.parametrize("entry", V.self_references, ids=lambda e: e[0])
def test_self_reference_example(entry):  # type: ignore[no-untyped-def]
    _phrase, example = entry
    ex = extract_text(f"{example}\n\nThực hiện Nghị quyết số 26-NQ/TW của Bộ Chính trị.\n")
    own = ex.header.symbol
    assert own is not None and own in example
    assert [c.symbol for c in ex.citations] == ["26-NQ/TW"]
