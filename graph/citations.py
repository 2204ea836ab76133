"""Find the places where a text refers to documents (mentions) and read what each says of it.

Three shapes: a symbol, with or without a kind word before it (`Nghị quyết số 02-NQ/TW`,
`218-QĐ/TW`); a kind word and a bare number (`Chỉ thị 17 của Ban Bí thư`, `Quy định 366`); a name
only (`Luật Công đoàn`, `Điều lệ Đảng`). After each: the date, `năm YYYY`, the issuer after `của`,
and the title after `về` or in quotes.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import replace
from functools import lru_cache

from .dates import DATE_RE, DATED_RE, YEAR_AFTER_RE, iso_from_match
from .model import Mention
from .symbols import Symbol, find_symbols
from .text import Source, alternation, fold
from .vocab import Vocabulary

_WS = r"[ \t]+"
PINPOINT = (
    r"(?:(?:điều|khoản|điểm|mục|phần|chương|tiết|phụ lục)[ ]+(?:thứ[ ]+\w+|[\dIVXLCivxlc]+[a-zđ]?(?:\.\d+)*|[a-zđ])"
    r"(?:[ ]*,[ ]*|[ ]+)(?:(?:của|tại)[ ]+)?)+"
)
_PINPOINT_BEFORE = re.compile(rf"{PINPOINT}$", re.IGNORECASE)
_FORM_BEFORE = re.compile(r"(?:mẫu|biểu|phụ lục)(?:[ ]+số)?[ ]*:?[ ]*$", re.IGNORECASE)
_OWN_NUMBER_BEFORE = re.compile(r"(?:^|\n)[ ]*(?:#+[ ]*)?số[ ]*:?[ ]*$", re.IGNORECASE)
_SO = r"(?:[ ]*(?:số|so)[ ]*:?|[ ]*:)?[ ]*"
_SO_RE = re.compile(_SO)
# kinds that are only a reference with "số" before the number (a list item "Văn bản 1" is none)
_NEEDS_SO = frozenset(fold(w) for w in ("Văn bản", "Công văn", "Biên bản", "Báo cáo", "Tờ trình", "Phương án"))
_NAMED_KINDS = ("Bộ luật", "Bộ Luật", "Luật", "Hiến pháp", "Pháp lệnh", "Điều lệ")
_PARTY_RESOLUTION = re.compile(
    r"Nghị quyết[ ]+(?:(?:Hội nghị|Đại hội)[ ]+)?(?:lần[ ]+thứ[ ]+\w+[ ]+)?(?:Ban Chấp hành[ ]+)?"
    r"(?:Trung ương(?:[ ]+Đảng)?[ ]+(?:lần[ ]+thứ[ ]+)?\w+|Đại hội[ ]+(?:(?:đại biểu|Đảng|toàn quốc|lần thứ)[ ]+)*"
    r"[IVXL]+(?:[ ]+của[ ]+Đảng)?|Đại hội[ ]+Đảng[ ]+bộ[^,;.\n]{0,60}?(?=[ ]+(?:nhiệm kỳ|lần)|[,;.\n]))"
    r"(?:[ ]*,?[ ]*(?:khoá|khóa)[ ]+[IVXL]+)?"
)
_NAME_STOP = re.compile(
    r"[;:()\"“”\[\]\n]|\.(?=\s|$)|,(?![ ]*(?:bổ sung|chống))|[ ]số(?=[ ]*:?[ ]*\d)|"
    r"[ ](?:ngày|được|đã|đang|sẽ|theo|tại|thì|để|nhằm|là|về|"
    r"quy định|hướng dẫn|yêu cầu|nhấn mạnh|xác định|có|gồm|không|cũng|vẫn|trong|từ|đến|với|nêu|hiện hành|một cách|"
    r"nhiệm kỳ|"
    r"và các|và những|và văn bản|hoặc các|cho|khi|này|đó)(?=\W|$)|[ ]năm[ ]+\d{4}|"
    r"[ ](?:và|hoặc)[ ]+(?=(?:Luật|Bộ luật|Nghị định|Nghị quyết|Pháp lệnh|Quyết định|Thông tư|Chỉ thị|"
    r"Điều lệ|Hiến pháp)(?=\W))"
)
_NAME_NOT = re.compile(r"^(?:này|đó|định|trên|nêu|hiện|mới|cũ|pháp|sư|và|của|số|các|về)(?=\W|$)", re.IGNORECASE)

# The issuer after "của": words in upper case, the lower-case syllables of organisation names, and
# a lower-case word right after an upper-case one (Bộ Xây dựng); these words end it.
_ISSUER_STOP = frozenset(
    """về việc thực triển hướng quy thí tại theo đã ngày năm số nhằm để cho với trong là được phê hoặc trên đối khi
    gồm kèm nay sửa bổ bãi thay cụ quán tiếp có đề này như và thì ký phải sẽ đang từ đến tổ hiện thông lãnh
    chỉ""".split()
)
_ISSUER_LOWER = frozenset(
    """nhân dân tỉnh thành phố huyện xã phường quận thị trấn vụ trực thư trị ủy uỷ đoàn động hành ương quốc hội
    khóa khoá đảng bộ chủ tịch chính phủ tướng lao kiểm tra tuyên giáo vận chức viên ngành cơ sở trung thường
    mặt trận việt nam liên cấp nước cộng hòa hoà nghĩa công an sự nghiệp giám đốc văn phòng lâm thời nhà đại
    biểu""".split()
)
_TITLE_START = re.compile(r"[ ]*,?[ ]*(?:(?:về[ ]+việc|về|v/v)[ ]*:?[ ]*|(?=[“\"]))", re.IGNORECASE)
_TITLE_VERB = re.compile(
    r"[ ]*,?[ ]*(?=(?:quy định|hướng dẫn|sửa đổi|ban hành|thí điểm|phê duyệt|bãi bỏ)(?=\W))", re.IGNORECASE
)
_SIBLING_END = re.compile(r"(?:,|;|(?<!\w)và|(?<!\w)hoặc)[ ]*$")
_TITLE_STOP = re.compile(r"[;\n]|\.(?=\s|$)")
_PAREN_ERA = re.compile(r"[ ]*\((?:khoá|khóa|nhiệm kỳ)[^)\n]{0,30}\)", re.IGNORECASE)
_NUMBER_ONLY = re.compile(
    r"(?P<num>\d{1,5})(?!\d)(?![/\-–.,]\d|[ ]?[/\-–][ ]?[A-Za-zĐđ\d])"
    r"(?![ ]*(?:tháng|năm|ngày|quý|lần|người|%|đồng|giờ|phút|tuổi|ha|km|m2|triệu|tỷ|nghìn|điều|khoản)(?=\W|$))",
    re.IGNORECASE,
)


@lru_cache(maxsize=4)
def _kind_word_re(vocab: Vocabulary) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?P<kw>{alternation(fold(w.word) for w in vocab.words)})(?!\w)")


# "các Luật liên quan", "theo mẫu …": what before a kind word makes it generic, no citation
_GENERIC_BEFORE = re.compile(r"(?:các|những|mọi|nhiều)[ ]+$")
_NO_RECORD_BEFORE = re.compile(r"(?:các|những|mọi|nhiều|số|mẫu|theo)[ ]+$")


@lru_cache(maxsize=4)
def _kind_before_re(vocab: Vocabulary) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Kind word right before a symbol (`Nghị quyết số`), a law's name before `số` (`Luật Công
    đoàn số 50/2024/QH15`), and a plural kind word that opens a list after a qualifier (`các Nghị định
    dưới luật của Hội đồng Chính phủ số: 88/CP, …`)."""
    alt = alternation(fold(w.word) for w in vocab.words)
    law = alternation(fold(w) for w in _NAMED_KINDS)
    name_word = r"(?!(?:số|theo|tại|được|đã|của|kèm|ban|ngày|năm)(?!\w))[^\s;.,()\d/]+"
    return (
        re.compile(rf"(?<!\w)(?P<kw>{alt}){_SO}$"),
        re.compile(rf"(?<!\w)(?P<lkw>{law})[ ]+(?P<name>{name_word}(?:[ ]+{name_word}){{0,14}})[ ]+số[ ]*:?[ ]*$"),
        re.compile(rf"(?<!\w)(?:các|những)[ ]+(?P<kw>{alt})[ ]+(?!số)[^\d;.:()/]{{1,60}}?[ ]+số[ ]*:?[ ]*$"),
    )


@lru_cache(maxsize=4)
def _named_re() -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{_PARTY_RESOLUTION.pattern}|(?P<lk>{alternation(_NAMED_KINDS)})[ ]+(?=\S))")


def _issuer_after(work: str, pos: int) -> tuple[str | None, int]:
    """The issuer named after `của` at `pos` and where it ends."""
    m = _OF.match(work, pos)
    if not m:
        return None, pos
    i = m.end()
    words: list[str] = []
    end = i
    prev_upper = False
    for wm in _ISSUER_WORD.finditer(work, i):
        if wm.start() != end or len(words) >= 18:
            break
        sep, word = wm.group("sep") or "", wm.group("word")
        joiner = sep.strip()
        if "\n" in sep or (not words and sep):
            break
        is_upper = word[:1].isupper()
        low = word.lower()
        if joiner in (",", "và") and (not is_upper or _kind_word_start(work, wm.start("word"))):
            break
        if joiner in ("-", "–") and not is_upper:
            break
        if is_upper and words and _kind_word_start(work, wm.start("word")):
            break
        if low == "ban" and re.match(r"[ ]+hành(?!\w)", work[wm.end() : wm.end() + 6]):
            break  # "… ban hành …"
        if low == "thành" and not re.match(r"[ ]+(?:phố|ủy|uỷ|viên)(?!\w)", work[wm.end() : wm.end() + 6]):
            break  # "Thủ tướng Chính phủ thành lập …"
        if not (is_upper or (prev_upper and low not in _ISSUER_STOP) or low in _ISSUER_LOWER):
            break
        if not words and not is_upper:
            break
        glue = {",": ", ", "và": " và ", "-": " - ", "–": " - "}.get(joiner, " " if sep else "")
        words.append(glue + word)
        prev_upper = is_upper
        end = wm.end()
    if not words:
        return None, pos
    text = re.sub(r"\s+", " ", "".join(words)).strip()
    era = _PAREN_ERA.match(work, end)
    if era:
        end = era.end()
    return text, end


_KIND_START = re.compile(
    r"(?:Nghị quyết|Quyết định|Quy định|Chỉ thị|Kết luận|Quy chế|Hướng dẫn|Thông báo|Thông tri|Thông tư|"
    r"Kế hoạch|Chương trình|Đề án|Báo cáo|Tờ trình|Công văn|Nghị định|Luật|Bộ luật|Pháp lệnh|Điều lệ)(?=\W)"
)
_OF = re.compile(r"[ ]*,?[ ]*(?:của|do)[ ]+")
_ISSUER_WORD = re.compile(r"(?P<sep>[ ]*,[ ]*|[ ]+và[ ]+|[ ]*[-–][ ]*|[ ]+)?(?P<word>[^\s,;.()\"“”:\-–]+)")


def _kind_word_start(work: str, pos: int) -> bool:
    return bool(_KIND_START.match(work, pos))


def _tail(work: str, pos: int) -> tuple[str | None, int | None, str | None, int, int]:
    """Date, year and issuer after a symbol: (date, year, issuer, end of the evidence, end of the tail)."""
    date: str | None = None
    year: int | None = None
    issuer: str | None = None
    evidence_end = pos
    for _ in range(4):
        m = DATED_RE.match(work, pos)
        if m and date is None:
            date = iso_from_match(m)
            if issuer is None:
                evidence_end = m.end()
            pos = m.end()
            continue
        m = YEAR_AFTER_RE.match(work, pos)
        if m and year is None and date is None:
            year = int(m.group("y"))
            pos = m.end()
            if issuer is None:
                evidence_end = m.end()
            continue
        if issuer is None:
            found, end = _issuer_after(work, pos)
            if found:
                issuer, pos = found, end
                continue
        era = _PAREN_ERA.match(work, pos)
        if era:
            pos = era.end()
            continue
        break
    return date, year, issuer, evidence_end, pos


def _title(work: str, pos: int, limit: int) -> tuple[str | None, int]:
    """The title after `về` or in quotes (or a verb-led description), and where it ends."""
    m = _TITLE_START.match(work, pos)
    verb = False
    if not m:
        m = _TITLE_VERB.match(work, pos)
        verb = True
        if not m:
            return None, pos
    start = m.end()
    if start < len(work) and work[start] in "“\"":
        close = work.find("”" if work[start] == "“" else '"', start + 1)
        if 0 < close - start < 400:
            return work[start + 1 : close].strip() or None, close + 1
    stop = _TITLE_STOP.search(work, start, min(len(work), start + 400))
    end = stop.start() if stop else min(len(work), start + 400)
    if start < limit < end and _SIBLING_END.search(work, start, limit):
        end = limit  # the next item of a list starts here
    text = re.sub(r"\s+", " ", work[start:end]).strip(" ,")
    if verb and not text:
        return None, pos
    return (text or None), end


def _named_title(work: str, start: int) -> tuple[str, int]:
    m = _NAME_STOP.search(work, start, min(len(work), start + 200))
    end = m.start() if m else min(len(work), start + 200)
    words = work[start:end].split()
    if len(words) > 22:
        words = words[:22]
    title = " ".join(words).rstrip(" ,-–.;:")
    return title, start + len(work[start:end].rstrip(" ,-–"))


def find_mentions(src: Source, vocab: Vocabulary) -> list[Mention]:
    """Every mention of a document in `src`, in text order; never raises on any text. Three shapes, each
    its own step, in this order (a later one never takes what an earlier one took): a symbol with the
    kind word before it, a kind word with a bare number, a name alone."""
    taken = _Spans()
    mentions = _symbol_mentions(src, vocab, taken)
    mentions += _numbered_mentions(src, vocab, taken)
    mentions += _named_mentions(src, vocab, taken, mentions)
    mentions += _dated_records(src, vocab, taken, mentions)
    mentions.sort(key=lambda x: x.start)
    return share_list_attributes(mentions, src.work)


def _symbol_mentions(src: Source, vocab: Vocabulary, taken: _Spans) -> list[Mention]:
    """`Nghị quyết số 02-NQ/TW ngày … của …`: a symbol, the kind word (and pinpoint) before it, its tail."""
    work, folded = src.work, src.fold
    kind_before = _kind_before_re(vocab)
    mentions: list[Mention] = []
    symbol_hits: list[tuple[int, int, int, Symbol, str | None, str | None]] = []
    for s, e, sym in find_symbols(work, vocab):
        window = folded[max(0, s - 140) : s]
        kb = kind_before[0].search(window) or kind_before[1].search(window) or kind_before[2].search(window)
        kw_start = s
        kind_word = None
        law_name = None
        if kb:
            kw = kb.groupdict().get("kw")  # (the list form's kind word stands after its "các")
            kw_start = s - len(window) + (kb.start("kw") if kw else kb.start())
            if kw:
                kind_word = work[kw_start : kw_start + len(kw)]
            else:
                kind_word = work[kw_start : kw_start + len(kb.group("lkw"))]
                law_name = work[kw_start : kw_start + len(kind_word) + 1 + len(kb.group("name"))]
                law_name = re.sub(r"\s+", " ", law_name).strip()
        before = folded[max(0, kw_start - 40) : kw_start]
        if _FORM_BEFORE.search(before) or (kind_word is None and sym.needs_word and not _numbered(work, s, sym, vocab)):
            continue  # a form code (Mẫu số 01/…), or a công văn number with no word naming a document
        if _OWN_NUMBER_BEFORE.search(folded[max(0, s - 20) : s]):
            continue  # the document's own "Số:" line
        if kind_word is None and sym.kind is None and symbol_hits:
            kind_word = _listed_kind(work, symbol_hits[-1], s)
        symbol_hits.append((kw_start, s, e, sym, kind_word, law_name))

    next_of = _NextStart([h[0] for h in symbol_hits])
    row_date = _RowDates(work)
    for kw_start, _s, e, sym, kind_word, law_name in symbol_hits:
        date, year, issuer, ev_end, tail_end = _tail(work, e)
        if date is None:
            date = row_date(e)
        nxt = next_of(kw_start)
        title, title_end = _title(work, tail_end, nxt)
        if law_name and not title:
            title = law_name
        pin = _PINPOINT_BEFORE.search(folded[max(0, kw_start - 80) : kw_start])
        item_start = kw_start - (len(pin.group(0)) if pin else 0)
        kind = _kind_of(sym, kind_word, vocab)
        mentions.append(
            Mention(
                start=kw_start,
                end=max(ev_end, e),
                item_start=item_start,
                tail_end=tail_end,
                title_end=max(title_end, tail_end),
                symbol=sym,
                kind=kind,
                kind_word=kind_word,
                number=sym.number,
                date=date,
                year=sym.year if date is None and year is None else (int(date[:4]) if date else year),
                issuer=issuer,
                title=title,
            )
        )
        taken.add(kw_start, e)
    return mentions


def _numbered_mentions(src: Source, vocab: Vocabulary, taken: _Spans) -> list[Mention]:
    """`Quyết định số 12 ngày …`, `Đề án 02`: a kind word and a bare number (a short mention)."""
    work, folded = src.work, src.fold
    mentions: list[Mention] = []
    for m in _kind_word_re(vocab).finditer(folded):
        ks, ke = m.start(), m.end()
        if _overlaps(taken, ks, ke):
            continue
        nm = _SO_RE.match(work, ke)
        p = nm.end() if nm else ke
        num = _NUMBER_ONLY.match(work, p)
        if not num or (p == ke and not work[ke : ke + 1].isspace()):
            continue
        number = num.group("num")
        if len(number) == 4 and number[:2] in ("19", "20"):
            continue
        kind_word = work[ks:ke]
        has_so = bool(re.match(r"[ ]*(?:số|so)\b", work[ke : ke + 5], re.IGNORECASE))
        if not has_so and (not kind_word[:1].isupper() or fold(kind_word) in _NEEDS_SO):
            continue  # "các quyết định 5", "Văn bản 1:": a bare number names no document here
        end = num.end()
        date, year, issuer, ev_end, tail_end = _tail(work, end)
        title, title_end = _title(work, tail_end, -1)
        if title and _NEXT_ITEM.match(title):
            title, title_end = None, tail_end  # "Quy định 57, Quy định 75, …": the next item, no title
        word = vocab.word(kind_word)
        mentions.append(
            Mention(
                start=ks,
                end=max(ev_end, end),
                item_start=ks,
                tail_end=tail_end,
                title_end=max(title_end, tail_end),
                symbol=None,
                kind=word.party if word else None,
                kind_word=kind_word,
                number=number,
                date=date,
                year=int(date[:4]) if date else year,
                issuer=issuer,
                title=title,
                short=True,
            )
        )
        taken.add(ks, end)
    return mentions


def _named_mentions(src: Source, vocab: Vocabulary, taken: _Spans, found: list[Mention]) -> list[Mention]:
    """`Luật Công đoàn`, `Điều lệ Đảng`, `Nghị quyết Trung ương 4 khoá XI`: a document by its name alone
    (not inside the title of one already found)."""
    work, folded = src.work, src.fold
    mentions: list[Mention] = []
    quoted = _Spans()
    for mm in found:
        if mm.title:
            quoted.add(mm.tail_end, mm.title_end)
    named_spans = _Spans()
    for m in _named_re().finditer(work):
        s = m.start()
        if _overlaps(taken, s, s + 1) or _overlaps(named_spans, s, s + 1) or _inside(quoted, s):
            continue
        if _GENERIC_BEFORE.search(folded[max(0, s - 12) : s]) and not work[
            m.end() : m.end() + 1
        ].isupper():
            continue  # "các Luật liên quan": generic, no citation
        if m.group("lk"):
            rest = work[m.end() : m.end() + 12]
            lk = m.group("lk")
            starts = ("sửa đổi", "năm", "ban hành") if lk == "Luật" else ("năm",)
            if _NAME_NOT.match(rest) or not (rest[:1].isupper() or rest.startswith(starts)):
                if not (lk in ("Luật", "Hiến pháp") and rest[:1].islower() and not _NAME_NOT.match(rest)):
                    continue
            kind_word = "Bộ luật" if lk == "Bộ Luật" else lk
            if kind_word == "Hiến pháp":
                title, end = _named_title(work, s)
                ym = re.compile(r"[ ]+năm[ ]+((?:19|20)\d\d)").match(work, end)
                if ym:
                    end = ym.end()
                    title = work[s:end]
            else:
                title, end = _named_title(work, m.end())
                title = kind_word + " " + title if title else ""
        else:
            kind_word = "Nghị quyết"
            end = m.end()
            title = re.sub(r"\s+", " ", work[s:end]).strip()
        if not title or len(title.split()) < 2:
            continue
        ym = YEAR_AFTER_RE.match(work, end)
        date_m = DATED_RE.match(work, end)
        date = iso_from_match(date_m) if date_m else None
        year = int(date[:4]) if date else (int(ym.group("y")) if ym else _year_in(title))
        word = vocab.word(kind_word)
        mentions.append(
            Mention(
                start=s,
                end=end,
                item_start=s,
                tail_end=end,
                title_end=end,
                symbol=None,
                kind=word.state if word else None,
                kind_word=kind_word,
                number=None,
                date=date,
                year=year,
                issuer=None,
                title=title,
                named=True,
            )
        )
        named_spans.add(s, end)
    return mentions


@lru_cache(maxsize=4)
def _record_kind_re(vocab: Vocabulary) -> re.Pattern[str]:
    """A kind word as a name begins (capitalised), right before `của`."""
    return re.compile(rf"(?<![\w/])(?P<kw>{alternation(w.word for w in vocab.words)})[ ]+$")


_OF_MAKER = re.compile(r"[ ]+của[ ]+")
# who made it, then its date: `Biên bản của Hội đồng tư vấn xét duyệt về đất ở đô thị ngày 14/12/1998`
_MAKER_THEN_DATE = re.compile(r"[^\d;:.,\n()\[\]\"“”/]{3,90}?(?=[ ]*,?[ ]*ngày[ ]*\d)")


def _dated_records(src: Source, vocab: Vocabulary, taken: _Spans, found: list[Mention]) -> list[Mention]:
    """A document named by its kind, its maker and its date, with no number (`Biên bản của Hội đồng …
    ngày 14/12/1998`, `Thông báo của Thường trực Tỉnh ủy ngày 5/3/2024`): one particular document, so a
    citation by name. Without the date (`Kế hoạch của Ban Thường vụ Tỉnh ủy về …`) it is none. Found
    from each `của` (a literal search) rather than by trying every kind word at every position."""
    work, folded = src.work, src.fold
    kind_re = _record_kind_re(vocab)
    seen = _Spans()
    for mm in found:
        seen.add(mm.item_start, max(mm.end, mm.title_end))
    mentions: list[Mention] = []
    for of in _OF_MAKER.finditer(work):
        if work.find("ngày", of.end(), of.end() + 100) < 0:
            continue  # no date near: most of them
        kw = kind_re.search(work, max(0, of.start() - 40), of.start() + 1)
        maker = kw and _MAKER_THEN_DATE.match(work, of.end())
        if not kw or not maker:
            continue
        s = kw.start()
        if _overlaps(taken, s, maker.end()) or _overlaps(seen, s, maker.end()) or _NO_RECORD_BEFORE.search(
                folded[max(0, s - 12) : s]):
            continue
        date_m = DATED_RE.match(work, maker.end())
        if date_m is None:
            continue
        date = iso_from_match(date_m)
        title = re.sub(r"\s+", " ", work[s : maker.end()]).strip()
        word = vocab.word(kw.group("kw"))
        mentions.append(Mention(
            start=s, end=date_m.end(), item_start=s, tail_end=date_m.end(), title_end=date_m.end(), symbol=None,
            kind=word.state if word else None, kind_word=kw.group("kw"), number=None, date=date,
            year=int(date[:4]) if date else None, issuer=None, title=title, named=True))
        seen.add(s, date_m.end())
    return mentions


_LIST_GAP = re.compile(r"[ ]*(?:,|và|,[ ]*và|;)[ ]*")


def share_list_attributes(mentions: list[Mention], work: str) -> list[Mention]:
    """`Quyết định 217/QĐ-TW, Quyết định 218-QĐ/TW, ngày 12/12/2013 của Bộ Chính trị`: the date and
    issuer after the last item of a list belong to every bare item before it."""
    out = list(mentions)
    for k in range(len(out) - 2, -1, -1):
        m, nxt = out[k], out[k + 1]
        if m.named or nxt.named or m.date or m.issuer or m.title:
            continue
        if m.tail_end > nxt.item_start or not _LIST_GAP.fullmatch(work, m.tail_end, nxt.item_start):
            continue
        if nxt.date is None and nxt.issuer is None:
            continue
        year = m.year
        if nxt.date and (m.symbol is None or m.symbol.year is None or m.symbol.year == int(nxt.date[:4])):
            year = int(nxt.date[:4])
        out[k] = replace(m, date=nxt.date if year == (int(nxt.date[:4]) if nxt.date else None) else None,
                         issuer=nxt.issuer, year=year)
    return out


def _year_in(title: str) -> int | None:
    m = re.search(r"năm[ ]+((?:19|20)\d\d)", title)
    return int(m.group(1)) if m else None


_NUMBER_WORD = re.compile(r"(?<=[\w,;)])[ ]+số[ ]*:?[ ]*$")


def _numbered(work: str, s: int, sym: Symbol, vocab: Vocabulary) -> bool:
    """A symbol with no kind in it still names a document where the sentence gives it a number (`… phê
    duyệt số 204/UB-QĐ-NĐ`, `các Nghị định … số : 88/CP, …, số 60/CP`) and it carries a known issuer code:
    old local symbols put their kind inside (`UB-QĐ-NĐ`) or leave it out (`88/CP` for a decree)."""
    if not _NUMBER_WORD.search(work[max(0, s - 30) : s]):
        return False
    return any(vocab.issuer(code) or vocab.code(code) for code in re.split(r"[-/]", sym.issuer or ""))


ROW_REACH = 4000  # characters of a table row searched for its date (a bound, not a layout rule)


class _RowDates:
    """A date in the same table row (`| … symbol … | 31/10/2025 |`). Line ends and the next `|` are
    found by bisection over positions listed once: a document on one long line stays linear."""

    def __init__(self, work: str) -> None:
        self.work = work
        self.bars = [m.start() for m in re.finditer(r"\|", work)] if "|" in work else []
        self.line_ends = [m.start() for m in re.finditer("\n", work)] + [len(work)] if self.bars else []

    def __call__(self, pos: int) -> str | None:
        if not self.bars:
            return None
        line_end = self.line_ends[bisect.bisect_left(self.line_ends, pos)]
        i = bisect.bisect_left(self.bars, pos)
        if i >= len(self.bars) or self.bars[i] >= line_end:
            return None  # no cell after the symbol on its line
        m = DATE_RE.search(self.work, self.bars[i], min(line_end, self.bars[i] + ROW_REACH))
        return iso_from_match(m) if m else None


_NEXT_ITEM = re.compile(r"[,;]?[ ]*(?:và[ ]+)?\w+(?:[ ]\w+){0,3}[ ]+(?:số[ ]*)?\d")  # "Quy định 75", "và Đề án 02"
_LISTED_NUMBER_GAP = re.compile(r"[^.!?\n]{0,160}?(?:;|,|\bvà\b)[ ]*(?:các[ ]+)?số[ ]*:?[ ]*$", re.IGNORECASE)


def _listed_kind(work: str, previous: tuple[int, int, int, Symbol, str | None, str | None], s: int) -> str | None:
    """The kind word a symbol without one takes from the list it continues: `các Công văn số 3310/UBND-VX
    ngày …; số 3412/UBND-VX ngày …` — the second is a Công văn too (its symbol has no kind of its own)."""
    _kw, _s, prev_end, prev_sym, prev_word, _law = previous
    if prev_word is None or prev_sym.kind is not None:
        return None
    return prev_word if _LISTED_NUMBER_GAP.fullmatch(work, prev_end, s) else None


class _NextStart:
    """Where the next symbol's mention starts after a position (-1: none), in log time: a document of
    200,000 mentions must not rescan them all for each one."""

    def __init__(self, starts: list[int]) -> None:
        self.starts = starts
        self.ordered = all(a <= b for a, b in itertools.pairwise(starts))

    def __call__(self, after: int) -> int:
        if self.ordered:
            i = bisect.bisect_right(self.starts, after)
            return self.starts[i] if i < len(self.starts) else -1
        return next((s for s in self.starts if s > after), -1)


class _Spans:
    """Non-overlapping spans kept sorted, for 'is this position taken?' in log time."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.longest = 0  # no span starting further back than this can reach a position

    def add(self, s: int, e: int) -> None:
        i = bisect.bisect_left(self.starts, s)
        self.starts.insert(i, s)
        self.ends.insert(i, e)
        self.longest = max(self.longest, e - s)

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect.bisect_left(self.starts, e) - 1
        while i >= 0:
            if self.ends[i] > s:
                return True
            if self.starts[i] < s - self.longest:
                return False
            i -= 1
        return False


def _overlaps(spans: _Spans, s: int, e: int) -> bool:
    return spans.overlaps(s, e)


def _inside(spans: _Spans, pos: int) -> bool:
    return spans.overlaps(pos, pos + 1)


def _kind_of(sym: Symbol, kind_word: str | None, vocab: Vocabulary) -> str | None:
    if sym.kind == "TT" and kind_word:
        w = vocab.word(kind_word)
        if w and w.state in ("TTr", "TT"):
            return w.state  # TT stands for Tờ trình in old symbols; the word decides
    if sym.kind:
        return sym.kind
    if kind_word:
        w = vocab.word(kind_word)
        if w:
            return w.party if sym.party else w.state
    return None
