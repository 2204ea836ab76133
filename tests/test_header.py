"""The document's own record, on header shapes taken from real documents."""

from __future__ import annotations

import pytest

from graph.extract import extract_text

HEADERS = [
    (
        "TỈNH ỦY LAI CHÂU\nĐẢNG ĐOÀN LIÊN ĐOÀN LAO ĐỘNG TỈNH\n\nĐẢNG CỘNG SẢN VIỆT NAM\n\nSố 98-CV/ĐĐ\n\n"
        "Lai Châu, ngày 27 tháng 02 năm 2023\n\nV/v quan tâm lãnh đạo, chỉ đạo\nhoạt động của tổ chức Công đoàn\n",
        {"symbol": "98-CV/ĐĐ", "kind": "CV", "kind_name": "Công văn", "issuer": "Đảng đoàn Liên đoàn Lao động tỉnh",
         "parent_issuer": "Tỉnh ủy Lai Châu", "place": "Lai Châu", "date": "2023-02-27",
         "subject": "quan tâm lãnh đạo, chỉ đạo hoạt động của tổ chức Công đoàn"},
    ),
    (
        "ỦY BAN THƯỜNG VỤ\nQUỐC HỘI\n-------\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "---------------\n\nNghị quyết số: 101/2025/UBTVQH15\n\nHà Nội, ngày 26 tháng 9 năm 2025\n\nNGHỊ QUYẾT\n\n"
        "QUY ĐỊNH CHI TIẾT VIỆC BẦU CỬ\n",
        {"symbol": "101/2025/UBTVQH15", "kind": "NQ", "issuer": "Ủy ban Thường vụ Quốc hội", "parent_issuer": None,
         "date": "2025-09-26", "place": "Hà Nội"},
    ),
    (
        "BAN CHẤP HÀNH TRUNG ƯƠNG  \n* \n ĐẢNG CỘNG SẢN VIỆT NAM \n--------------- \n"
        "Số 294-QĐ/TW Hà Nội, ngày 26 tháng 5 năm 2025  \n  \nQUY ĐỊNH \nTHI HÀNH ĐIỀU LỆ ĐẢNG \n",
        {"symbol": "294-QĐ/TW", "kind": "QĐ", "kind_name": "Quy định", "issuer": "Ban Chấp hành Trung ương",
         "date": "2025-05-26", "place": "Hà Nội", "subject": "Thi hành Điều lệ Đảng"},
    ),
    (
        "/ỦY BAN MTTQ VIỆT NAM\n\nXÃ LƯƠNG MINH\n\nBAN THƯỜNG TRỰC\n\nSố: /KH-MTTQ-BTT\n\n"
        "Lương Minh, ngày tháng 01 năm 2026\n\nKẾ HOẠCH\n\nTổ chức hội nghị hiệp thương lần thứ hai\n",
        {"symbol": None, "number": None, "kind": "KH", "issuer": "Ban Thường trực",
         "parent_issuer": "Ủy ban MTTQ Việt Nam xã Lương Minh", "date": None, "place": "Lương Minh",
         "subject": "Tổ chức hội nghị hiệp thương lần thứ hai"},
    ),
    (
        "\n\nSố: 570/LĐLĐ\n\nLai Châu, ngày 29 tháng 10 năm 2020\n\nV/v tiếp tục triển khai thực hiện  \n"
        "Quy chế số 06-QC/TU\n\nBan Thường vụ Liên đoàn Lao động tỉnh yêu cầu",
        {"symbol": "570/LĐLĐ", "kind": "CV", "issuer": "Liên đoàn Lao động tỉnh", "parent_issuer": None},
    ),
    (
        "Quyết định ban hành quy định cấp giấy phép xây dựng trên địa bàn thành phố hà nội \n"
        "Ủy ban nhân dân thành phố hà nội \nCăn cứ Luật Xây dựng;\n",
        {"symbol": None, "kind": "QĐ", "issuer": "Ủy ban nhân dân thành phố Hà Nội", "date": None,
         "subject": "ban hành quy định cấp giấy phép xây dựng trên địa bàn thành phố Hà Nội"},
    ),
    (
        "Nâng cao chất lượng sinh hoạt chi bộ \nThực hiện Chỉ thị số 10-CT/TW ngày 30-3-2007 của Ban Bí thư.\n",
        {"symbol": None, "kind": None, "issuer": None, "subject": "Nâng cao chất lượng sinh hoạt chi bộ"},
    ),
    (  # a header table saved as Markdown, each cell broken inside its bold run (made up)
        "|\n**ỦY BAN NHÂN\nDÂN**\nTỈNH BẾN TRE\n--------\n|\n**CỘNG HÒA XÃ\nHỘI CHỦ NGHĨA VIỆT NAM**\n"
        "Độc lập - Tự do - Hạnh phúc\n---------------\n|\n|\nSố: 212/KH-UBND\n|\n*Bến Tre,\nngày 03 tháng 4 năm 2025*\n"
        "|\n\n\n**KẾ HOẠCH**\n\nTRIỂN KHAI CÔNG TÁC DÂN VẬN NĂM 2025\n",
        {"symbol": "212/KH-UBND", "kind": "KH", "issuer": "Ủy ban nhân dân tỉnh Bến Tre", "place": "Bến Tre",
         "date": "2025-04-03"},
    ),
]


@pytest.mark.parametrize(("text", "fields"), HEADERS)
def test_header_fields(text: str, fields: dict[str, object]) -> None:
    obj = extract_text(text).to_json()["document"]
    for key, want in fields.items():
        assert obj[key] == want, (key, obj[key], want)


def test_blank_number_and_day_warn() -> None:
    ex = extract_text(HEADERS[3][0])
    assert any("number left blank" in w for w in ex.warnings)
    assert any("no day" in w for w in ex.warnings)


@pytest.mark.parametrize(
    ("block", "signer"),
    [
        ("**T/M ĐẢNG ĐOÀN\nBÍ THƯ**\n\n\n\nNguyễn Thị Thiện",
         {"name": "Nguyễn Thị Thiện", "position": "Bí thư", "capacity": "T/M", "for": "Đảng đoàn"}),
        ("**TM. BAN THƯỜNG VỤ  \nPHÓ CHỦ TỊCH**\n\n**Hoàng Văn Trinh**",
         {"name": "Hoàng Văn Trinh", "position": "Phó Chủ tịch", "capacity": "TM.", "for": "Ban Thường vụ"}),
        ("Nơi nhận: T/M. BAN CHẤP HÀNH\n- Như kính gửi; PHÓ CHỦ TỊCH\n- Lưu VT, CĐCS.\n\nHồ Thị Kim Thoa",
         {"name": "Hồ Thị Kim Thoa", "position": "Phó Chủ tịch", "capacity": "T/M", "for": "Ban Chấp hành"}),
        ("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\n(Đã ký)\n\nNguyễn Văn An",
         {"name": "Nguyễn Văn An", "position": "Phó Chủ tịch", "capacity": "KT.", "for": "Chủ tịch"}),
    ],
)
def test_signature_block(block: str, signer: dict[str, str]) -> None:
    signers = extract_text("Kính gửi: Các đơn vị\n\nNội dung.\n\n" + block).to_json()["document"]["signers"]
    assert signers and signers[0] == signer


def test_recipients_and_distribution() -> None:
    text = ("Kính gửi: - Liên đoàn Lao động các huyện, thành phố;  \n- Công đoàn ngành.\n\nNội dung.\n\n"
            "Nơi nhận:\n- Như kính gửi;\n- Thường trực Tỉnh ủy;\n- Lưu: VT.\n")
    doc = extract_text(text).to_json()["document"]
    assert doc["recipients"] == ["Liên đoàn Lao động các huyện, thành phố", "Công đoàn ngành"]
    assert doc["distribution"] == ["Như kính gửi", "Thường trực Tỉnh ủy", "Lưu: VT"]
