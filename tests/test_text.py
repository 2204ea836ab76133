"""Normalisation: repaired line breaks, folding, look-alikes, and aligned offsets (decoding files: test_read.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.text import fold, prepare, repair_breaks


@pytest.mark.parametrize(
    ("raw", "joined"),
    [
        ("Nghị quyết số\n02-NQ/TW", "Nghị quyết số 02-NQ/TW"),
        ("ngày 15/3/2022 của\n\nBan Thường vụ", "ngày 15/3/2022 của  Ban Thường vụ"),
        ("V/v quan tâm lãnh đạo\nhoạt động", "V/v quan tâm lãnh đạo hoạt động"),
    ],
)
def test_repair_joins(raw: str, joined: str) -> None:
    assert repair_breaks(raw) == joined


@pytest.mark.parametrize(
    "raw",
    ["KẾ HOẠCH\nTổ chức hội nghị", "Căn cứ Luật A;\nCăn cứ Luật B;", "Nơi nhận:\n- Như trên;", "TỈNH ỦY\nĐẢNG ĐOÀN"],
)
def test_repair_keeps(raw: str) -> None:
    assert repair_breaks(raw) == raw


def test_fold_tone_placement() -> None:
    assert fold("Hòa") == fold("Hoà") and fold("Thủy") == fold("Thuỷ") and fold("ủy") == fold("uỷ")
    assert fold("của") == "của" and fold("mùa") == "mùa"


def test_lookalike_eth() -> None:
    src = prepare("Số 98-CV/ÐÐ")
    assert "Đ" in src.work and "Ð" in src.nfc


@given(st.text(max_size=300))
def test_views_are_aligned(text: str) -> None:
    src = prepare(text)
    assert len(src.nfc) == len(src.work) == len(src.fold)
