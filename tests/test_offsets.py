"""Properties of extraction on any text: it never raises, and every mention's offsets slice to its text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.extract import extract_text

PIECES = st.sampled_from([
    "Thực hiện ", "Căn cứ ", "Nghị quyết số ", "Quyết định ", "02-NQ/TW", "217/QĐ-TW", "145/2020/NĐ-CP",
    ", ngày 12/6/2021", " của Bộ Chính trị", " về ", "“Đổi mới”", "; ", ".\n", "\n\n", " thực hiện ",
    "Luật Công đoàn", " năm 2019", " và ", "Chỉ thị 17", " thay thế ", "được sửa đổi, bổ sung bởi ",
    "Ð", "hoà", "Số: ", "T/M BAN THƯỜNG VỤ\nCHỦ TỊCH\n\nNguyễn Văn A", "KẾ HOẠCH\n", "Điều 1 ",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=30))
def test_mentions_slice_to_text(parts: list[str]) -> None:
    text = "".join(parts)
    ex = extract_text(text)
    obj = ex.to_json()
    for c in obj["citations"]:
        assert c["relations"]
        for m in c["mentions"]:
            assert 0 <= m["start"] <= m["end"] <= len(ex.text)
            assert ex.text[m["start"] : m["end"]] == m["text"]
