"""The contract's grammar, as a table of (text, expected) pairs taken from EXTRACT.md and real documents."""

from __future__ import annotations

import pytest

from graph.extract import extract_text

# (text, {symbol or title: relations}, {(from, to, relation)})
RELATION_CASES = [
    (
        "Thực hiện Chương trình hành động số 12-CTr/TU, ngày 28/9/2021 của Ban Thường vụ Tỉnh uỷ thực hiện "
        "Nghị quyết số 02-NQ/TW, ngày 12/6/2021 của Bộ Chính trị;",
        {"12-CTr/TU": ["implements"], "02-NQ/TW": ["cites"]},
        {("12-CTr/TU", "02-NQ/TW", "implements")},
    ),
    (
        "Căn cứ Kế hoạch số 13/KH-MTTQ-BTT, ngày 17/10/2019 của Ban Thường trực MTTQ Việt Nam tỉnh Lai Châu "
        "về thực hiện Quy chế số 06-QC/TU, ngày 04/4/2019 của Ban Thường vụ Tỉnh ủy;",
        {"13/KH-MTTQ-BTT": ["based_on"], "06-QC/TU": ["cites"]},
        {("13/KH-MTTQ-BTT", "06-QC/TU", "implements")},
    ),
    (
        "Căn cứ Luật Bầu cử số 85/2015/QH13 được sửa đổi, bổ sung bởi Luật số 83/2025/QH15;",
        {"85/2015/QH13": ["based_on"], "83/2025/QH15": ["cites"]},
        {("83/2025/QH15", "85/2015/QH13", "amends")},
    ),
    (
        "Thực hiện Kế hoạch số 121/KH-UBND của UBND tỉnh về tổ chức thực hiện phong trào thi đua trong năm "
        "và Kế hoạch số 40/KH-UBND của UBND tỉnh.",
        {"121/KH-UBND": ["implements"], "40/KH-UBND": ["implements"]},
        set(),
    ),
    (
        "Các văn bản của tỉnh hướng dẫn thực hiện Thông tư 23/2007/TT-BTC.",
        {"23/2007/TT-BTC": ["cites"]},
        set(),
    ),
    (
        "3. Lãnh đạo, chỉ đạo triển khai, thực hiện giám sát và phản biện xã hội theo Quyết định 217/QĐ-TW, "
        "Quyết định 218-QĐ/TW, ngày 12/12/2013 của Bộ Chính trị (khoá XI), Chỉ thị số 18-CT/TW, ngày "
        "26/10/2022 của Ban Bí thư về phát huy vai trò.",
        {"217-QĐ/TW": ["cites"], "218-QĐ/TW": ["cites"], "18-CT/TW": ["cites"]},
        set(),
    ),
    (
        "Quyết định này thay thế Quyết định số 79/2007/QĐ-UB; Thông báo số 427/TB-UBND và Quyết định số "
        "51/2008/QĐ-UBND.",
        {"79/2007/QĐ-UB": ["replaces"], "427/TB-UBND": ["replaces"], "51/2008/QĐ-UBND": ["replaces"]},
        set(),
    ),
    (
        "Thực hiện Thông tri số 04-TT/TU, ngày 15/3/2022 của Ban Thường vụ Tỉnh uỷ về lãnh đạo đại hội; "
        "Kế hoạch số 179/KH-TLĐ, ngày 03/03/2022 của Đoàn Chủ tịch Tổng Liên đoàn.",
        {"04-TT/TU": ["implements"], "179/KH-TLĐ": ["implements"]},
        set(),
    ),
    (
        "Căn cứ thành lập tổ chức đảng tại: Điểm 10 Quy định số 294-QĐ/TW ngày 26/5/2025.",
        {"294-QĐ/TW": ["based_on"]},
        set(),
    ),
    (
        "Sửa đổi, bổ sung một số nội dung quy định tại khoản 3, điều 1 của quyết định số 23/2007/QĐ-UBND.",
        {"23/2007/QĐ-UBND": ["amends"]},
        set(),
    ),
    (
        "Bãi bỏ khoản 3 Điều 10 Quy chế ban hành kèm theo Quyết định số 64/2008/QĐ-TTg.",
        {"64/2008/QĐ-TTg": ["repeals"]},
        set(),
    ),
    (
        "Hướng dẫn này thay thế Hướng dẫn số 08-HD/BTCTU ngày 05/01/2020.",
        {"08-HD/BTCTU": ["replaces"]},
        set(),
    ),
    (
        "Quy định 366-QĐ/TW có hiệu lực từ ngày 30/8/2025 và thay thế Quy định 124-QĐ/TW năm 2023.",
        {"366-QĐ/TW": ["cites"], "124-QĐ/TW": ["cites"]},
        {("366-QĐ/TW", "124-QĐ/TW", "replaces")},
    ),
    (
        "Chấp hành nghiêm Quy định số 47-QĐ/TW ngày 1-11-2011 của Ban Chấp hành Trung ương.",
        {"47-QĐ/TW": ["cites"]},
        set(),
    ),
    (
        "Theo đề nghị của Giám đốc Sở Xây dựng tại văn bản số 8648/SXD-QLCP ngày 02/11/2009,",
        {"8648/SXD-QLCP": ["cites"]},
        set(),
    ),
    (
        "- Người không được ghi tên hoặc bổ sung tên vào danh sách cử tri (quy định tại Điều 30 của Luật số "
        "85/2015/QH13);",
        {"85/2015/QH13": ["cites"]},
        set(),
    ),
    (
        "2. Bãi bỏ mức thu phí qua bến phà quy định tại mục II của Nghị quyết số 06/2007/NQ-HĐND.",
        {"06/2007/NQ-HĐND": ["repeals"]},
        set(),
    ),
    (
        "Thông báo số 427/TB-UBND về việc tạm dừng thực hiện một điểm của Quy định ban hành kèm theo "
        "Quyết định số 79/2007/QĐ-UB ngày 11/7/2007.",
        {"427/TB-UBND": ["cites"], "79/2007/QĐ-UB": ["cites"]},
        set(),
    ),
    (  # a cue describing the next item of a list (named by kind only) links nothing from the first item
        "Thực hiện Kế hoạch số 14/KH-UBND ngày 02/01/2024 về thực hiện Nghị quyết số 21/NQ-CP và Kế hoạch của Ban "
        "Thường vụ Tỉnh ủy về triển khai Nghị quyết số 19-NQ/TW, Sở ban hành kế hoạch.",
        {"14/KH-UBND": ["implements"], "21/NQ-CP": ["cites"], "19-NQ/TW": ["cites"]},
        {("14/KH-UBND", "21/NQ-CP", "implements")},
    ),
    (  # a cited document that issues a plan implementing B implements B (EXTRACT.md rule 1)
        "Thực hiện Quyết định số 733/QĐ-TTg ngày 05/4/2024 của Thủ tướng Chính phủ ban hành Kế hoạch thực hiện "
        "Kết luận số 36-KL/TW ngày 12/8/2023 của Bộ Chính trị, Ủy ban nhân dân tỉnh ban hành kế hoạch.",
        {"733/QĐ-TTg": ["implements"], "36-KL/TW": ["cites"]},
        {("733/QĐ-TTg", "36-KL/TW", "implements")},
    ),
    (  # "thực hiện nghiêm X": the adverb stands between the cue and its object
        "Để tiếp tục thực hiện nghiêm Chỉ thị số 12/CT-TTg ngày 02/3/2023 của Thủ tướng Chính phủ; Chỉ thị "
        "số 08-CT/TU ngày 06/6/2023, Kế hoạch số 44-KH/TU ngày 29/12/2023 của Ban Thường vụ Tỉnh ủy, Ủy ban "
        "nhân dân tỉnh yêu cầu:",
        {"12/CT-TTg": ["implements"], "08-CT/TU": ["implements"], "44-KH/TU": ["implements"]},
        set(),
    ),
    (  # a second verb of the document itself, joined by `và` after the first object's date
        "Quyết định này thay thế Quyết định số 15/2010/QĐ-UBND ngày 02/3/2010 và bãi bỏ Điều 3 Quyết định số "
        "40/2012/QĐ-UBND ngày 05/9/2012 của Ủy ban nhân dân tỉnh.",
        {"15/2010/QĐ-UBND": ["replaces"], "40/2012/QĐ-UBND": ["repeals"]},
        set(),
    ),
    (  # … and of a cited document: A amends B and replaces C
        "Căn cứ Nghị định số 20/2015/NĐ-CP ngày 14/02/2015 của Chính phủ sửa đổi Nghị định số 12/2009/NĐ-CP "
        "ngày 12/02/2009 và thay thế Nghị định số 83/2009/NĐ-CP ngày 15/10/2009;",
        {"20/2015/NĐ-CP": ["based_on"], "12/2009/NĐ-CP": ["cites"], "83/2009/NĐ-CP": ["cites"]},
        {("20/2015/NĐ-CP", "12/2009/NĐ-CP", "amends"), ("20/2015/NĐ-CP", "83/2009/NĐ-CP", "replaces")},
    ),
    (  # a comma then a verb describes the document before it; `và được …` (passive) too
        "Thực hiện Hướng dẫn số 41-HD/BTCTW ngày 13/4/2005 của Ban Tổ chức Trung ương, hướng dẫn thực hiện "
        "Quy định số 127-QĐ/TW ngày 03/11/2004 của Ban Bí thư.",
        {"41-HD/BTCTW": ["implements"], "127-QĐ/TW": ["cites"]},
        {("41-HD/BTCTW", "127-QĐ/TW", "guides")},
    ),
    (
        "Căn cứ Luật Bầu cử số 85/2015/QH13, ngày 25/6/2015 và được sửa đổi, bổ sung một số điều tại Luật số "
        "83/2025/QH15, ngày 24/6/2025;",
        {"85/2015/QH13": ["based_on"], "83/2025/QH15": ["cites"]},
        {("83/2025/QH15", "85/2015/QH13", "amends")},
    ),
    (  # a document cannot act on a later one: the item after the nested list is the outer list's
        "Căn cứ Nghị định số 57/2002/NĐ-CP ngày 03/6/2002 của Chính phủ; Thông tư số 45/2006/TT-BTC ngày "
        "25/5/2006 của Bộ Tài chính sửa đổi, bổ sung Thông tư số 63/2002/TT-BTC ngày 24/7/2002 và Thông tư "
        "số 97/2006/TT-BTC ngày 16/10/2006 của Bộ Tài chính;",
        {"57/2002/NĐ-CP": ["based_on"], "45/2006/TT-BTC": ["based_on"], "63/2002/TT-BTC": ["cites"],
         "97/2006/TT-BTC": ["based_on"]},
        {("45/2006/TT-BTC", "63/2002/TT-BTC", "amends")},
    ),
    (  # … while an earlier one in the same place is the nested list's
        "Căn cứ Thông tư số 45/2006/TT-BTC ngày 25/5/2006 của Bộ Tài chính sửa đổi, bổ sung Thông tư số "
        "63/2002/TT-BTC ngày 24/7/2002 và Thông tư số 97/2004/TT-BTC ngày 16/10/2004;",
        {"45/2006/TT-BTC": ["based_on"], "63/2002/TT-BTC": ["cites"], "97/2004/TT-BTC": ["cites"]},
        {("45/2006/TT-BTC", "63/2002/TT-BTC", "amends"), ("45/2006/TT-BTC", "97/2004/TT-BTC", "amends")},
    ),
    (  # a document still to be drafted is no citation: what its description replaces is not replaced yet
        "Soạn thảo Quyết định của Thủ tướng Chính phủ ban hành Quy chế xúc tiến thương mại quốc gia (thay thế "
        "Quy chế ban hành kèm theo Quyết định số 279/2005/QĐ-TTg ngày 03/11/2005).",
        {"279/2005/QĐ-TTg": ["cites"]},
        set(),
    ),
    (  # a later document is no object of an earlier one's description: the cue is the document's own
        "Sau 03 năm thực hiện Quyết định số 131/2006/QĐ-UBND ngày 01/9/2006 của Ủy ban nhân dân thành phố "
        "về phê duyệt Chương trình giai đoạn 2006 - 2010 và hơn 2 năm thực hiện Quyết định số 17/2007/QĐ-UBND "
        "ngày 05/02/2007 của Ủy ban nhân dân thành phố.",
        {"131/2006/QĐ-UBND": ["implements"], "17/2007/QĐ-UBND": ["implements"]},
        set(),
    ),
]


@pytest.mark.parametrize(("text", "relations", "links"), RELATION_CASES)
def test_relations(text: str, relations: dict[str, list[str]], links: set[tuple[str, str, str]]) -> None:
    ex = extract_text(text)
    got = {c.symbol or c.title: sorted(c.relations) for c in ex.citations}
    assert got == {k: sorted(v) for k, v in relations.items()}
    assert {(lk.source, lk.target, lk.relation) for lk in ex.links} == links


def test_heading_cue_governs_list() -> None:
    text = (
        "## 1. Căn cứ\n\n- Điều 10 Điều lệ Đảng.\n\n- Điểm 10 Quy định số 294-QĐ/TW ngày 26/5/2025.\n\n"
        "## 2. Quy trình\n\n(Quy định tại Hướng dẫn 02-HD/BTCTU)\n"
    )
    ex = extract_text(text)
    got = {c.symbol or c.title: list(c.relations) for c in ex.citations}
    assert got["294-QĐ/TW"] == ["based_on"]
    assert got["02-HD/BTCTU"] == ["cites"]
    assert got["Điều lệ Đảng"] == ["based_on"]


# (text, expected fields of the first citation)
CITATION_CASES = [
    ("Chỉ thị 17 của Ban Bí thư", {"symbol": "17-CT/TW", "kind": "CT", "year": None}),
    ("Thông tri 12 của Tỉnh uỷ", {"symbol": "12-TT/TU", "kind_name": "Thông tri"}),
    ("theo Chỉ thị 05 về công tác", {"symbol": None, "number": "05", "kind": "CT"}),
    ("Quyết định 217/QĐ-TW", {"symbol": "217-QĐ/TW", "kind_name": "Quyết định"}),
    ("Quy định 124-QĐ/TW, ngày 02/2/2018 của Ban Bí thư", {"kind_name": "Quy định", "date": "2018-02-02",
                                                            "issuer": "Ban Bí thư"}),
    ("Nghị quyết số\n02-NQ/TW ngày 12/6/2021", {"symbol": "02-NQ/TW", "date": "2021-06-12"}),
    ("Kế hoạch 22/KH-TLĐ năm 2025", {"year": 2025, "date": None}),
    ("Nghị định 145/2020/NĐ-CP", {"year": 2020, "kind": "NĐ"}),
    ("Bộ luật Lao động năm 2019", {"symbol": None, "title": "Bộ luật Lao động", "year": 2019, "kind": "BLUAT"}),
    ("theo quy định của Điều lệ Đảng.", {"symbol": None, "title": "Điều lệ Đảng"}),
    ("cần thực hiện có hiệu quả Nghị quyết Trung ương 4 khoá XI: Một số vấn đề", {
        "title": "Nghị quyết Trung ương 4 khoá XI"}),
    ("Luật Công đoàn số 50/2024/QH15", {"symbol": "50/2024/QH15", "kind": "LUAT", "title": "Luật Công đoàn"}),
    ("Thông tư 03/2009/TT-BXD của Bộ Xây dựng quy định chi tiết", {"issuer": "Bộ Xây dựng", "kind_name": "Thông tư"}),
    ("văn bản số 8648/SXD-QLCP ngày 02/11/2009", {"kind": "CV", "kind_name": "Văn bản"}),
    ("Số: 570/LĐLĐ\nV/v trả lời", None),
    # `&` inside an issuer part, dots between the parts of old symbols: kept as written (made up)
    ("Căn cứ Thông tư liên tịch số 09/2013/TTLT-BYT-BLĐTB&XH ngày 04/3/2013;", {
        "symbol": "09/2013/TTLT-BYT-BLĐTB&XH", "kind": "TTLT"}),
    ("Thực hiện Công văn số 412/BVHTT&DL-VP ngày 02/3/2016 của Bộ;", {"symbol": "412/BVHTT&DL-VP", "kind": "CV"}),
    ("Căn cứ Quyết định số 61/2006/QĐ.UBND ngày 10/5/2006 của UBND tỉnh;", {"symbol": "61/2006/QĐ.UBND",
                                                                          "kind": "QĐ", "year": 2006}),
    ("Theo đề nghị tại Tờ trình số 77/TTr.SGD-KH ngày 05/6/2011;", {"symbol": "77/TTr.SGD-KH", "kind": "TTr"}),
    ("Thực hiện Công văn số 12/UBND.Tiếp theo, các đơn vị báo cáo.", {"symbol": "12/UBND"}),
    ("Căn cứ Thông tư liên bộ số 31/TTLB ngày 01/3/1991;", {"symbol": "31/TTLB", "kind": "TTLT"}),
    # the old doubled form: kind, year, kind again and the issuer, kept as written
    ("Bãi bỏ Quyết định số 318/QĐ/2006/QĐ-UBND ngày 03/4/2006;", {"symbol": "318/QĐ/2006/QĐ-UBND", "kind": "QĐ",
                                                               "year": 2006}),
    # a record named by its kind, its maker and its date, with no number: a citation by name
    ("Biên bản của Hội đồng tư vấn xét duyệt về đất ở đô thị ngày 14/12/1998.", {
        "symbol": None, "title": "Biên bản của Hội đồng tư vấn xét duyệt về đất ở đô thị", "date": "1998-12-14",
        "kind": "BB"}),
    ("Thực hiện Thông báo của Thường trực Tỉnh ủy ngày 5 tháng 3 năm 2024, Ban Thường vụ yêu cầu:", {
        "title": "Thông báo của Thường trực Tỉnh ủy", "date": "2024-03-05"}),
    ("Kế hoạch của Ban Thường vụ Tỉnh ủy về triển khai công tác năm 2024.", None),  # no date: none
    ("lập biên bản của tổ công tác ngày 14/12/1998.", None),  # not a name: lower case
    # a plural kind word opening a list after a qualifier; a comma OCR read as a full stop before "ngày"
    ("và các Nghị định dưới luật của Hội đồng Chính phủ số : 88/CP, ngày 17/8/1994", {"symbol": "88/CP",
                                                                                    "kind": "NĐ"}),
    ("Căn cứ Chỉ thị số 12/CT-UB. ngày 05/7/1994 của UBND tỉnh.", {"date": "1994-07-05"}),
    ("Thực hiện Chỉ thị số 12/CT-UB. Ngày 05/7/1994, Ủy ban nhân dân tỉnh họp.", {"date": None}),
]


def test_a_listed_number_takes_the_kind_of_its_list() -> None:
    """`các Công văn số A …; số B …`: B (no kind in its symbol) is a Công văn too."""
    ex = extract_text("Thực hiện các Công văn số 2210/UBND-KT ngày 02/10/2023; số 2291/UBND-KT ngày 10/10/2023 và "
                      "số 2305/UBND-KT ngày 12/10/2023 của Ủy ban nhân dân tỉnh;")
    assert [(c.symbol, c.kind, c.relations) for c in ex.citations] == [
        ("2210/UBND-KT", "CV", ("implements",)), ("2291/UBND-KT", "CV", ("implements",)),
        ("2305/UBND-KT", "CV", ("implements",))]
    other = extract_text("Thực hiện Quyết định số 12/QĐ-UBND ngày 02/10/2023; số 3412/UBND-VX ngày 10/10/2023;")
    assert other.citations[1].kind is None  # a Quyết định's list gives a công văn no kind


@pytest.mark.parametrize(("text", "fields"), CITATION_CASES)
def test_citation_fields(text: str, fields: dict[str, object] | None) -> None:
    ex = extract_text(text)
    if fields is None:
        assert not ex.citations
        return
    assert ex.citations, text
    c = ex.citations[0]
    for k, v in fields.items():
        assert getattr(c, k) == v, (k, getattr(c, k), v)


@pytest.mark.parametrize(
    "text",
    [
        "các chỉ thị, nghị quyết của Đảng, chính sách pháp luật của Nhà nước",
        "văn bản hướng dẫn của cấp trên",
        "Quyết định này có hiệu lực sau 15 ngày kể từ ngày ký.",
        "Kế hoạch này được phổ biến đến các chi bộ.",
        "Quy định số .....-QĐ/TW của Bộ Chính trị",
        "theo Mẫu số 01/BCĐBHĐND-MT",
        "các Luật liên quan đến đầu tư",
    ],
)
def test_no_citation(text: str) -> None:
    assert extract_text(text).citations == ()


def test_shared_trailing_date_and_issuer() -> None:
    ex = extract_text("theo Quyết định 217/QĐ-TW, Quyết định 218-QĐ/TW, ngày 12/12/2013 của Bộ Chính trị (khoá XI)")
    assert [(c.symbol, c.date, c.issuer) for c in ex.citations] == [
        ("217-QĐ/TW", "2013-12-12", "Bộ Chính trị"),
        ("218-QĐ/TW", "2013-12-12", "Bộ Chính trị"),
    ]


def test_same_symbol_different_years_are_two_citations() -> None:
    ex = extract_text("Quy định 124-QĐ/TW, ngày 02/2/2018 của Ban Bí thư; Quy định 124-QĐ/TW năm 2023.")
    assert [(c.symbol, c.year) for c in ex.citations] == [("124-QĐ/TW", 2018), ("124-QĐ/TW", 2023)]


def test_short_mention_joins_full_citation() -> None:
    ex = extract_text("Căn cứ Quy định 366-QĐ/TW năm 2025; theo Điều 19 Quy định 366 thì có hiệu lực.")
    assert len(ex.citations) == 1 and len(ex.citations[0].mentions) == 2


def test_own_symbol_is_no_citation() -> None:
    ex = extract_text("TỈNH ỦY LAI CHÂU\nSố 98-CV/ĐĐ\n\nTheo công văn số 98-CV/ĐĐ đã gửi.")
    assert ex.header.symbol == "98-CV/ĐĐ"
    assert ex.citations == ()


def test_listed_short_mentions_take_no_title_from_the_next_item() -> None:
    """`(Quy định 57, Quy định 75, Quy định 126)`: five short mentions, none titled by the ones after it."""
    ex = extract_text("đối chiếu với các quy định (Quy định 57, Quy định 75, Quy định 126, Quy định 58).")
    assert [(c.number, c.title) for c in ex.citations] == [("57", None), ("75", None), ("126", None), ("58", None)]
    assert extract_text("Thực hiện Đề án 02 về phát triển văn hóa đọc.").citations[0].title == "phát triển văn hóa đọc"
