"""Normalisation: repaired line breaks, folding, look-alikes, and aligned offsets (decoding files: test_read.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.text import fold, prepare, repair_breaks, wrap_width


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


# A made-up plan saved at a fixed width: paragraphs broken wherever the width fell, blank lines between.
WRAPPED = """UỶ BAN NHÂN DÂN TỈNH AN GIANG

KẾ HOẠCH
Triển khai công tác chuyển đổi số năm 2026

Nhằm tiếp tục triển khai thực hiện có hiệu quả các chủ trương của Đảng về khoa
học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia, bảo đảm đồng bộ từ
tỉnh đến cơ sở, Ủy ban nhân dân tỉnh ban hành Kế hoạch triển khai như sau.

Triển khai thực hiện nghiêm
Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển
khoa học, công nghệ; Nghị quyết số 03/NQ-CP ngày 09/01/2025 của Chính phủ, Kế
hoạch số 15-KH/TU ngày 20/02/2025 của Ban Thường vụ Tỉnh ủy; Quyết định số
120/QĐ-UBND ngày 05/3/2025 của Ủy ban nhân dân tỉnh về chương trình chuyển đổi
số, Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành thực hiện tốt các nội dung.

1. Các sở, ban, ngành tỉnh chủ động xây dựng kế hoạch của đơn vị mình, bố trí
nguồn lực bảo đảm thực hiện hoàn thành các mục tiêu trong năm 2026 đúng hạn.
"""


def test_hard_wrapped_text_is_read_by_paragraph() -> None:
    """The cue opening a wrapped paragraph governs every item of it, across the breaks; the same text
    with one paragraph per line reads the same."""
    from graph.extract import extract_text

    lines = WRAPPED.split("\n")
    assert wrap_width(lines) is not None
    unwrapped = "\n\n".join(" ".join(p.split("\n")) for p in WRAPPED.split("\n\n"))
    assert wrap_width(unwrapped.split("\n")) is None
    for text in (WRAPPED, unwrapped):
        got = {c.symbol: c.relations for c in extract_text(text).citations}
        assert got == {"57-NQ/TW": ("implements",), "03/NQ-CP": ("implements",), "15-KH/TU": ("implements",),
                       "120/QĐ-UBND": ("implements",)}, text[:40]
    assert len(repair_breaks(WRAPPED)) == len(WRAPPED)


@pytest.mark.parametrize(
    "raw",
    [
        # not wrapped (one paragraph per line, lines of every length): rule 3 stays exact
        "Thực hiện Nghị quyết số 02-NQ/TW của Tỉnh ủy về công tác dân vận trong tình hình mới của tỉnh\n"
        "Chỉ thị số 05-CT/TU được ban hành từ trước",
        # wrapped, but the next line is a title in capitals, or the line is a header line
        WRAPPED.replace("Triển khai thực hiện nghiêm\nNghị", "Triển khai thực hiện nghiêm\nNGHỊ").split("\n\n")[0],
    ],
)
def test_unwrapped_or_header_lines_keep_their_breaks(raw: str) -> None:
    assert repair_breaks(raw).count("\n") == raw.count("\n")
