"""Reading: encodings, normalisation, repaired line breaks, and aligned offsets."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import InputError
from graph.text import decode, fold, prepare, read_bytes, repair_breaks

SAMPLE = "Thực hiện Nghị quyết số 02-NQ/TW của Bộ Chính trị"
TONES = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters precomposed, tone marks combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        d = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in d if c in TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize(
    "data",
    [
        SAMPLE.encode("utf-8"),
        b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"),
        SAMPLE.encode("utf-16"),
        SAMPLE.encode("utf-16-le"),
        SAMPLE.encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-le", "utf-16-be"],
)
def test_decodes(data: bytes) -> None:
    assert unicodedata.normalize("NFC", decode(data, "x")).strip() == SAMPLE


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"\x00\x01\x02\x03binary\x00\xff" * 10, "binary"),
        (windows_1258("Thực hiện Nghị quyết của Tỉnh ủy"), "not UTF-8"),
    ],
    ids=["empty", "blank", "binary", "windows-1258"],
)
def test_decode_errors(data: bytes, problem: str) -> None:
    with pytest.raises(InputError) as e:
        decode(data, "doc.txt")
    assert "doc.txt" in str(e.value) and problem in str(e.value)


def test_read_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_bytes(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="directory"):
        read_bytes(tmp_path)


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
