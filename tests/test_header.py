"""The document's own record, on header shapes taken from real documents."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


WEB_PAGE = """Trang chủ | Văn bản pháp luật | Tải văn bản
Kế hoạch 45-KH/TU năm 2025 triển khai công tác tuyên giáo tỉnh Hà Tĩnh
Lượt xem: 1.204 | Tải về
Số hiệu: 45-KH/TU
Loại văn bản: Kế hoạch
Nơi ban hành: Tỉnh ủy Hà Tĩnh
Ngày ban hành: 12/03/2025
Tình trạng: Còn hiệu lực
Nội dung văn bản đang được cập nhật, quý khách vui lòng chờ trong giây lát.
Bạn cần đăng nhập để tải văn bản gốc và xem các văn bản liên quan của văn bản này.
Mọi sao chép, đăng tải lại nội dung cần ghi rõ nguồn của trang thông tin điện tử.
Liên hệ với ban biên tập khi phát hiện sai sót trong nội dung văn bản này.
Văn bản liên quan cùng lĩnh vực và cùng cơ quan ban hành được liệt kê ở cuối trang.
Các bản dịch tiếng Anh chỉ có giá trị tham khảo cho người đọc.
Xem thêm hướng dẫn sử dụng trang ở mục trợ giúp phía trên.
TỈNH ỦY HÀ TĨNH
*
ĐẢNG CỘNG SẢN VIỆT NAM
Số 45-KH/TU
Hà Tĩnh, ngày 12 tháng 3 năm 2025
KẾ HOẠCH
triển khai công tác tuyên giáo năm 2025
Thực hiện Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị, Ban Thường vụ Tỉnh ủy ban hành kế hoạch.
"""


def test_a_header_below_a_web_page_is_found() -> None:
    """A document saved inside a web page: its own header is where it is, and the page's own symbol
    in its title and metadata is the document itself, not a citation (made up)."""
    ex = extract_text(WEB_PAGE)
    doc = ex.to_json()["document"]
    assert (doc["symbol"], doc["kind"], doc["date"], doc["place"]) == ("45-KH/TU", "KH", "2025-03-12", "Hà Tĩnh")
    assert doc["issuer"] == "Tỉnh ủy Hà Tĩnh"
    assert [c.symbol for c in ex.citations] == ["05-CT/TW"]


def test_a_header_at_the_top_stays_there() -> None:
    """A document whose own header opens it, and which quotes another header further down (an annex),
    keeps its own."""
    text = WEB_PAGE.split("TỈNH ỦY HÀ TĨNH\n", 1)[1]
    annex = "TỈNH ỦY NGHỆ AN\n*\nĐẢNG CỘNG SẢN VIỆT NAM\nSố 99-KH/TU\nVinh, ngày 01 tháng 4 năm 2025\n"
    annexed = "TỈNH ỦY HÀ TĨNH\n" + text + "\n" * 3 + "Phụ lục\n" * 30 + annex
    assert extract_text(annexed).to_json()["document"]["symbol"] == "45-KH/TU"


@given(st.lists(st.sampled_from([*WEB_PAGE.split("\n"), "|", "**", "", "Số 12-KH/TU", "MẬT"]), max_size=60))
def test_header_finder_never_raises(lines: list[str]) -> None:
    text = "\n".join(lines)
    ex = extract_text(text)
    for c in ex.citations:
        for s, e in c.mentions:
            assert 0 <= s <= e <= len(ex.text)


def test_the_page_around_a_document_cites_nothing() -> None:
    """After the document's signature, a web page's own notices (citing the decree the site follows)
    are no citations of the document; its signer is still read."""
    page = (WEB_PAGE + "Nơi nhận:\n- Các huyện ủy,\n- Lưu Văn phòng Tỉnh ủy.\n**T/M BAN THƯỜNG VỤ\nBÍ THƯ**\n"
            "Nguyễn Văn Hùng\n## Văn bản liên quan\nThông báo về lưu trữ thông tin khách hàng\n"
            "Thực hiện Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân, chúng tôi cập nhật quy chế.\n")
    ex = extract_text(page)
    assert [c.symbol for c in ex.citations] == ["05-CT/TW"]
    assert ex.to_json()["document"]["signers"][0]["name"] == "Nguyễn Văn Hùng"


@pytest.mark.parametrize(
    ("raw", "lines"),
    [
        ("|\n**ỦY BAN NHÂN\nDÂN**\nTỈNH AN GIANG\n--------\n|", ["ỦY BAN NHÂN DÂN", "TỈNH AN GIANG"]),
        ("|\n**ỦY BAN NHÂN DÂN\n**\nTỈNH AN GIANG\n-------\n|", ["TỈNH AN GIANG", "-------"]),
        ("|\n**BAN\nCHẤP HÀNH TRUNG ƯƠNG**\n*\n|\n**ĐẢNG\nCỘNG SẢN VIỆT NAM**\n",
         ["BAN CHẤP HÀNH TRUNG ƯƠNG", "ĐẢNG CỘNG SẢN VIỆT NAM"]),
        ("**T/M ĐẢNG ĐOÀN\nBÍ THƯ**\n\nNguyễn Thị Thiện", ["T/M ĐẢNG ĐOÀN", "BÍ THƯ"]),  # no table: lines stay
    ],
)
def test_cells_broken_inside_emphasis(raw: str, lines: list[str]) -> None:
    from graph.text import prepare

    work = [" ".join(ln.split()) for ln in prepare(raw).work.split("\n")]
    assert all(ln in work for ln in lines), work


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("PHỤ LỤC\n(Kèm theo Hướng dẫn số 07-HD/BTGTU ngày 11/4/2024 của Ban Tuyên giáo Tỉnh ủy)\n\n"
         "DANH MỤC\n1. Thực hiện Nghị quyết số 02-NQ/TW.\n",
         {"symbol": "07-HD/BTGTU", "kind": "HD", "date": "2024-04-11", "issuer": "Ban Tuyên giáo Tỉnh ủy"}),
        ("TOÀN VĂN Kết luận 81-KL/TW của Bộ Chính trị về công tác cán bộ\n\nBộ Chính trị kết luận: thực hiện "
         "Nghị quyết số 26-NQ/TW.\n", {"symbol": "81-KL/TW", "kind": "KL", "issuer": "Bộ Chính trị"}),
        # a Kèm theo that is not on one of the first lines names another document
        ("Căn cứ Luật Tổ chức chính quyền địa phương;\nThực hiện Kế hoạch số 12-KH/TU;\n"
         + "Các đơn vị triển khai thực hiện nghiêm túc.\n" * 5 + "(Kèm theo Quyết định số 5-QĐ/TU)\n",
         {"symbol": None}),
    ],
)
def test_a_text_naming_itself_on_its_first_lines(text: str, fields: dict[str, object]) -> None:
    """An annex under `(Kèm theo Hướng dẫn số …)`, a reproduction under `TOÀN VĂN Kết luận …`: the
    symbol is the text's own, not a citation (made up)."""
    ex = extract_text(text)
    doc = ex.to_json()["document"]
    for k, v in fields.items():
        assert doc[k] == v, (k, doc[k])
    if fields["symbol"]:
        assert fields["symbol"] not in [c.symbol for c in ex.citations]
