"""The symbol grammar: table of real spellings, and properties that hold for any text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.symbols import clean_symbol, find_symbols, parse_symbol

CASES = [
    ("02-NQ/TW", "02-NQ/TW", True, "NQ"),
    ("12 - NQ/TU", "12-NQ/TU", True, "NQ"),
    ("217/QĐ-TW", "217-QĐ/TW", True, "QĐ"),
    ("952/2006/qđ-ubnd", "952/2006/QĐ-UBND", False, "QĐ"),
    ("12-ctr/tu", "12-CTr/TU", True, "CTr"),
    ("145/2020/NĐ-CP", "145/2020/NĐ-CP", False, "NĐ"),
    ("570/LĐLĐ", "570/LĐLĐ", False, None),
    ("72/2025/QH15", "72/2025/QH15", False, None),
    ("57/2002/NĐ - CP", "57/2002/NĐ-CP", False, "NĐ"),
    ("06–QC/TU", "06-QC/TU", True, "QC"),
    ("98-CV/ÐÐ", "98-CV/ĐĐ", True, "CV"),
    ("89/2007/QĐ-TTG", "89/2007/QĐ-TTg", False, "QĐ"),
    ("488-CV/TCQT-NS", "488-CV/TCQT-NS", True, "CV"),
    ("102/2025 NQLT/UBTVQH15-CP", "102/2025/NQLT/UBTVQH15-CP", False, "NQLT"),
    ("13/KH-MTTQ-BTT", "13/KH-MTTQ-BTT", False, "KH"),
    ("16/KH-BTT-MTTQ", "16/KH-BTT-MTTQ", False, "KH"),
    ("1360/HD-TLĐ", "1360/HD-TLĐ", False, "HD"),
]


@pytest.mark.parametrize(("raw", "clean", "party", "kind"), CASES)
def test_symbol_table(raw: str, clean: str, party: bool, kind: str | None) -> None:
    sym = parse_symbol(raw)
    assert sym is not None
    assert (sym.text, sym.party, sym.kind) == (clean, party, kind)


@pytest.mark.parametrize("raw", ["8-TĐV", "2026-2031", "28/9/2021", "12/2009 ngày", "abc", "", "1 - Chi"])
def test_not_symbols(raw: str) -> None:
    assert parse_symbol(raw) is None


def test_year_in_symbol() -> None:
    sym = parse_symbol("145/2020/NĐ-CP")
    assert sym is not None and sym.year == 2020 and sym.number == "145"


def test_find_in_text() -> None:
    text = "theo Quyết định 217/QĐ-TW, Quyết định 218-QĐ/TW, ngày 12/12/2013 và Nghị quyết số 02-NQ/TW."
    assert [s.text for _, _, s in find_symbols(text)] == ["217-QĐ/TW", "218-QĐ/TW", "02-NQ/TW"]
    for start, end, _sym in find_symbols(text):
        assert text[start].isdigit() and text[end - 1].isalnum()


_SYMBOLISH = st.text(alphabet="0123456789-/–— NQTWĐđUBDqđubndCPKHLTrtoàáảụ", max_size=40)


@given(st.text(max_size=200))
def test_reader_never_raises(text: str) -> None:
    parse_symbol(text)
    find_symbols(text)


@given(_SYMBOLISH)
def test_clean_is_idempotent(text: str) -> None:
    once = clean_symbol(text)
    if once is not None:
        assert clean_symbol(once) == once
