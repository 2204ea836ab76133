"""The document's own record: issuing block, `Số:` line, place and date, kind, subject, `Kính gửi`,
signature block and `Nơi nhận`; for documents with no header, what the first lines say."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .dates import DATE_RE, iso_from_match
from .model import Header, Signer
from .symbols import Symbol, find_symbols
from .text import Source, alternation, fold
from .vocab import KindWord, Vocabulary, fold_key

HEAD_LINES = 45
_PLACE_WORDS = ("tỉnh", "thành phố", "huyện", "quận", "xã", "phường", "thị xã", "thị trấn", "công ty tnhh",
                "công ty cổ phần", "công ty", "tp.")
_PLACES_BY_FIRST: dict[str, list[str]] = {}
for _p in sorted(_PLACE_WORDS, key=len, reverse=True):
    _PLACES_BY_FIRST.setdefault(_p.split()[0], []).append(_p)
_NAME_STOP = frozenset("về của và trên ban theo năm giai đến trong cho với tại nhiệm khóa khoá lần".split())
_VOWELS = set("aeiouyàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")
_SYMBOL_LINE = re.compile(
    r"^[ ]*(?:#+[ ]*)?(?:(?P<kw>Nghị quyết|Luật|Bộ luật|Pháp lệnh|Nghị định|Quyết định|Thông tư|Chỉ thị)[ ]+số|Số)"
    r"[ ]*:?[ ]*(?P<rest>.*)$"
)
_BLANK_NUMBER = re.compile(r"^[ .…_]*(?P<sep>[-/])[ ]*(?P<codes>[A-Za-zĐđ][A-Za-zĐđ0-9]*(?:[-/][A-Za-zĐđ0-9]+)*)")
_PLACE_DATE = re.compile(
    r"(?:^|[ ])(?P<place>[A-ZĐÀ-Ỹ][^\n,;:|\d]{0,40}?)[ ]*,[ ]*ngày(?P<rest>[^\n]{0,40}?năm[ ]*(?:19|20)\d\d)"
)
_VV = re.compile(r"^[ ]*(?:V/v|V/V|Về việc)[ ]*:?[ ]*(?P<s>.+)$")
_KINH_GUI = re.compile(r"^[ ]*Kính[ ]+gửi[ ]*:?[ ]*(?P<s>.*)$", re.IGNORECASE)
_NOI_NHAN = re.compile(r"^[ ]*Nơi[ ]+nhận[ ]*:?[ ]*(?P<s>.*)$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^[ ]*[-+•–][ ]*(?P<s>.+)$")
_SEPARATOR_LINE = re.compile(r"^[\s\-_=*~.·]*$")
_BODY_START = re.compile(
    r"^[ ]*(?:[-+•][ ]*)?(?:Căn cứ|Thực hiện|Kính gửi|Theo|Xét|Để|Nhằm|Trên cơ sở|Điều 1|I\.|1\.)", re.IGNORECASE
)
_ORG_START = re.compile(
    r"^(?:Ủy ban|Uỷ ban|UBND|HĐND|Hội đồng|Bộ|Thủ tướng|Chính phủ|Ban|Sở|Tổng|Liên đoàn|Công đoàn|Đảng|"
    r"Tỉnh ủy|Tỉnh uỷ|Huyện ủy|Huyện uỷ|Thành ủy|Thành uỷ|Văn phòng|Ngân hàng|Kiểm toán|Tòa án|Toà án|Viện|"
    r"Quốc hội|Mặt trận|Cục|Tổng cục)(?=\W)",
    re.IGNORECASE,
)


# Upper-case header lines that open an organisation of their own; any other line continues the one above.
_ORG_HEAD = re.compile(
    r"^(?:ban|uỷ ban|ủy ban|đảng đoàn|đảng uỷ|đảng bộ|công đoàn|liên đoàn|sở|phòng|tỉnh uỷ|thành uỷ|huyện uỷ|"
    r"quận uỷ|thị uỷ|chi bộ|hội đồng|tiểu ban|cđcs|tổng|bộ|văn phòng|cục|viện|trường|công ty|mặt trận|đoàn|"
    r"chính phủ|thủ tướng|ubnd|hđnd|lđlđ|mttq|uỷ ban mttq|tòa án|toà án|ngân hàng|kho bạc|trung tâm|"
    r"hội|học viện|tạp chí|báo)(?!\w)"
)


def _mostly_upper(s: str) -> bool:
    if len(s) > 240:
        return False  # header lines are short; a long line is body text
    n_upper = sum(map(str.__ne__, s, s.lower()))  # letters that have a lower case and are upper
    n_lower = sum(map(str.__ne__, s, s.upper()))
    return n_upper >= 2 and n_upper >= 4 * n_lower


@lru_cache(maxsize=4)
def _casings(vocab: Vocabulary) -> dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]]:
    """Known spellings indexed by their first folded word, longest first."""
    spellings = {c[0] for c in vocab.casings}
    for org in vocab.organisations:
        spellings.update(org.names)
    spellings.update(name for name, _ in vocab.positions)
    index: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for s in spellings:
        key = tuple(fold(s).split())
        index.setdefault(key[0], []).append((key, tuple(s.split())))
    return {k: tuple(sorted(v, key=lambda x: len(x[0]), reverse=True)) for k, v in index.items()}


def restore_case(text: str, vocab: Vocabulary, force: bool = False) -> str:
    """Upper-case header text in its usual spelling: `ĐẢNG ĐOÀN LIÊN ĐOÀN LAO ĐỘNG TỈNH` →
    `Đảng đoàn Liên đoàn Lao động tỉnh`; names after a place word keep capitals (`tỉnh Lai Châu`)."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return text
    if not force and not _mostly_upper(text):
        return " ".join(_capitalise_places(text.split()))
    words = [w.lower() for w in text.split()]
    out = list(words)
    protected: set[int] = set()
    i = 0
    casings = _casings(vocab)
    while i < len(words):
        for key, spelled in casings.get(fold_key(words[i]), ()):
            n = len(key)
            if tuple(fold_key(w) for w in words[i : i + n]) == key:
                out[i : i + n] = list(spelled)
                protected.update(range(i, i + n))
                i += n
                break
        else:
            i += 1
    for k, w in enumerate(out):
        letters = [c for c in w.lower() if c.isalpha()]
        if letters and not any(c in _VOWELS for c in letters) and len(letters) <= 8:
            out[k] = w.upper()
    out = _capitalise_places(out, protected)
    if out and out[0][:1].islower():
        out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out)


def _capitalise_places(out: list[str], protected: set[int] | None = None) -> list[str]:
    words = list(out)
    protected = protected or set()
    k = 0
    while k < len(words):
        matched = 0
        first = fold_key(words[k]).strip(",.")
        for place in _PLACES_BY_FIRST.get(first, ()):
            parts = place.split()
            if [fold_key(w).strip(",.") for w in words[k : k + len(parts)]] == parts:
                matched = len(parts)
                break
        if matched and k + matched in protected:
            matched = 0  # "tỉnh ủy" is an organisation, not a place
        if not matched and fold_key(words[k]) in ("ủy", "uỷ") and k > 0:
            matched = 1
        if matched:
            j = k + matched
            count = 0
            while j < len(words) and count < 4:
                w = words[j]
                bare = fold_key(w).strip(",.;:")
                if bare in _NAME_STOP or not any(c.isalpha() for c in w):
                    break
                if j in protected:
                    break
                if w[:1].islower():
                    words[j] = w[:1].upper() + w[1:]
                count += 1
                if w.endswith((",", ".", ";", ":")):
                    break
                j += 1
            k = j
        else:
            k += 1
    return words


HEADER_SEARCH = 400  # lines searched below the top for a document's own header (inside a web page)
HEADER_WINDOW = 14  # lines in which a header block shows its three signs


def _own_number_line(line: str, vocab: Vocabulary) -> bool:
    m = _SYMBOL_LINE.match(line)
    if not m or m.group("kw"):
        return False
    found = find_symbols(m.group("rest"), vocab)
    return bool(found) and found[0][0] <= 2


@lru_cache(maxsize=8)
def _motto_keys(vocab: Vocabulary) -> tuple[frozenset[str], frozenset[str]]:
    """The mottos folded, and their first words (a cheap first test for a line)."""
    mottos = frozenset(fold(" ".join(re.sub(r"[^\w\s]", " ", m).split())) for m in vocab.mottos)
    return mottos, frozenset(m.split(" ", 1)[0] for m in mottos)


def _header_signs(line: str, vocab: Vocabulary) -> set[str]:
    """Which signs of an official header a line shows: the motto, the own number (`Số …`), the place and
    date (`…, ngày … tháng … năm …`)."""
    signs = set()
    mottos, firsts = _motto_keys(vocab)
    first = line.lstrip(" *|#_-").split(" ", 1)[0]
    if (len(line) < 80 and fold_key(first) in firsts
            and fold(" ".join(re.sub(r"[^\w\s]", " ", line).split())) in mottos):
        signs.add("motto")
    if "ố" in line[:12] and _own_number_line(line, vocab):
        signs.add("number")
    if "ngày" in line and _PLACE_DATE.search(line):
        signs.add("date")
    return signs


def header_start(nonempty: list[tuple[int, str]], vocab: Vocabulary) -> int:
    """Where a document's own header begins among its non-empty lines: the top, unless the top shows
    none of its signs and a block further down shows all three together (a document saved inside a
    web page: title lines, a metadata table, notices, then the official header). The block starts at
    the lines in capitals (the issuer) just above its first sign."""
    top = [_header_signs(ln, vocab) for _, ln in nonempty[:HEADER_WINDOW]]
    if any(top):
        return 0  # the top has a header of its own, whole or not
    signs = top + [_header_signs(ln, vocab) for _, ln in nonempty[HEADER_WINDOW:HEADER_SEARCH]]
    for n, here in enumerate(signs):
        if not here or len(set().union(*signs[n : n + HEADER_WINDOW])) < 3:
            continue
        k = n
        while k > 0 and _issuer_like(nonempty[k - 1][1]):
            k -= 1
        return k
    return 0


SELF_LINES = 5  # first lines in which a text names the document it is (self_reference in header.toml)


def _self_reference(head: list[tuple[int, str]], offsets: list[int],
                    vocab: Vocabulary) -> tuple[Symbol, tuple[int, int], int, str | None, str | None] | None:
    """A first line naming the document the text is: `(Kèm theo Hướng dẫn số 12-HD/BTGTU ngày …)` over
    an annex, `TOÀN VĂN Kết luận 99-KL/TW …` over a reproduction. Its symbol (and date) are the text's own."""
    leads = sorted((fold(p) for p, _ in vocab.self_references), key=len, reverse=True)
    if not leads:
        return None
    lead_re = re.compile(r"^[\s(\[*_#]*(?:" + "|".join(re.escape(p) for p in leads) + r")(?!\w)")
    for i, ln in head:
        m = lead_re.match(fold(ln))
        if not m:
            continue
        found = find_symbols(ln[m.end() :], vocab)
        if not found or found[0][0] > 60:
            continue
        s, e, sym = found[0]
        start = offsets[i] + m.end() + s
        dm = DATE_RE.search(ln, m.end() + e, m.end() + e + 40)
        om = _SELF_ISSUER.search(ln, m.end() + e)
        org = " ".join(om.group("org").split()) if om else None
        issuer = restore_case(org, vocab) if org and _mostly_upper(org) else org
        return sym, (start, start + (e - s)), i, iso_from_match(dm) if dm else None, issuer
    return None


_SELF_ISSUER = re.compile(r"(?<!\w)của[ ]+(?P<org>[^,;()\n]+?)(?=[ ]+(?:về|ngày|năm)(?!\w)|[),;.]|[ ]*$)")


def _issuer_like(line: str) -> bool:
    """A line of the issuing block: capitals, or no letters at all (rules, table bars)."""
    letters = [c for c in line if c.isalpha()]
    return not letters or all(c.isupper() for c in letters)


@dataclass(frozen=True)
class _OwnNumber:
    symbol: str | None = None
    number: str | None = None
    kind: str | None = None
    span: tuple[int, int] | None = None
    line: int | None = None


def _own_number(head: list[tuple[int, str]], offsets: list[int], vocab: Vocabulary,
                warnings: list[str]) -> _OwnNumber:
    """The `Số …` line: the document's own symbol (or its blank number, with a warning)."""
    for i, ln in head:
        m = _SYMBOL_LINE.match(ln)
        if not m:
            continue
        rest = m.group("rest")
        base = offsets[i] + m.start("rest")
        found = find_symbols(rest, vocab)
        if found and m.group("kw") and not re.fullmatch(r"[ ]*(?:[^\n,]{0,40},[ ]*ngày.*)?", rest[found[0][1] :]):
            continue  # "Nghị định số 145/2020/NĐ-CP được …" is a citation, not the own number line
        if found and found[0][0] <= 2:
            s, e, sym = found[0]
            return _OwnNumber(sym.text, sym.number, sym.kind, (base + s, base + e), i)
        blank = _BLANK_NUMBER.match(rest)
        if blank:
            code = vocab.code(re.split(r"[-/]", blank.group("codes"))[0])
            warnings.append(f"own number left blank ('Số: {rest.strip()[:40]}'): symbol and number null")
            return _OwnNumber(kind=code.code if code else None, line=i)
    return _OwnNumber()


def _place_and_date(head: list[tuple[int, str]], offsets: list[int], warnings: list[str]
                    ) -> tuple[str | None, str | None, int | None, tuple[int, int] | None]:
    """The `Hà Nội, ngày … tháng … năm …` line: place, date (None with a warning when a part is blank),
    its line and span."""
    for i, ln in head:
        m = _PLACE_DATE.search(ln)
        if not m or len(m.group("place").split()) > 6 or re.match(r"(?:Căn cứ|Theo|Thực hiện|Xét)", m.group("place")):
            continue
        place = re.sub(r"\s+", " ", m.group("place")).strip(" -–")
        place = re.sub(r"^Số[ ]*:?[ ]*\S+[ ]+", "", place)
        whole = "ngày" + m.group("rest")
        dm = DATE_RE.search(whole)
        date = iso_from_match(dm) if dm else None
        if date is None:
            warnings.append(f"own date has no day or month ('{whole.strip()[:40]}'): date null")
        return place, date, i, (offsets[i] + m.start("rest"), offsets[i] + m.end("rest"))
    return None, None, None, None


def _kind_line(head: list[tuple[int, str]], offsets: list[int], words_by_len: list[KindWord], vocab: Vocabulary,
               date_line: int | None, sym_line: int | None
               ) -> tuple[int | None, KindWord | None, str | None, tuple[int, int] | None]:
    """The title line in capitals (`KẾ HOẠCH`, `QUYẾT ĐỊNH VỀ VIỆC …`): the kind word, and the subject when
    it follows on the same line."""
    for i, ln in head:
        stripped = ln.strip().strip("#").strip()
        if not stripped or len(stripped) > 160 or not _mostly_upper(stripped):
            continue
        f = fold(stripped)
        for w in words_by_len:
            fw = fold_key(w.word)
            if f == fw or (f.endswith(" " + fw) and (date_line == i or sym_line == i)):
                return i, w, None, None
            if f.startswith(fw + " ") and i != sym_line and len(f) < 120:
                rest = stripped[len(w.word) :].strip()
                span = (offsets[i] + ln.find(rest), offsets[i] + ln.find(rest) + len(rest))
                return i, w, restore_case(rest, vocab), span
    return None, None, None, None


def parse_header(src: Source, vocab: Vocabulary) -> Header:
    """Read the document's own fields; anything unstated is None (a list: empty)."""
    work = src.work
    lines = work.split("\n")
    offsets = []
    pos = 0
    for ln in lines:
        offsets.append(pos)
        pos += len(ln) + 1
    warnings: list[str] = []
    nonempty = [(i, ln) for i, ln in enumerate(lines) if ln.strip()]
    start = header_start(nonempty, vocab)
    head = nonempty[start : start + HEAD_LINES]

    own = _own_number(head, offsets, vocab, warnings)
    symbol, number, kind, symbol_span, sym_line = own.symbol, own.number, own.kind, own.span, own.line
    kind_name = None

    self_date = self_issuer = None
    if symbol is None and sym_line is None:
        found_self = _self_reference(head[:SELF_LINES], offsets, vocab)
        if found_self is not None:
            sym, symbol_span, sym_line, self_date, self_issuer = found_self
            symbol, number, kind = sym.text, sym.number, sym.kind

    place, date, date_line, date_span = _place_and_date(head, offsets, warnings)
    if date is None and self_date is not None:
        date = self_date  # `(Kèm theo Hướng dẫn số 12-HD/BTGTU ngày 05/3/2024 …)`

    words_by_len = sorted(vocab.words, key=lambda w: len(w.word), reverse=True)
    kind_line, kind_word, subject, subject_span = _kind_line(head, offsets, words_by_len, vocab, date_line, sym_line)
    vv = None
    for i, ln in head:
        m = _VV.match(ln)
        if m:
            vv = m
            subject = re.sub(r"\s+", " ", m.group("s")).strip().rstrip(".")
            subject_span = (offsets[i] + m.start("s"), offsets[i] + m.end("s"))
            break
    if kind_line is not None and subject is None:
        for i, ln in nonempty:
            if i <= kind_line:
                continue
            if _KINH_GUI.match(ln) or re.match(r"^[ ]*(?:[-+•][ ]*)?Căn cứ", ln) or i == date_line:
                break
            text = re.sub(r"^[ ]*(?:V/v|Về việc|Về)[ ]*:?[ ]*", "", ln.strip())
            subject = re.sub(r"\s+", " ", text).strip()
            subject = restore_case(subject, vocab) if _mostly_upper(subject) else subject
            subject_span = (offsets[i], offsets[i] + len(ln))
            break

    first_content = min([i for i in (sym_line, date_line, kind_line) if i is not None], default=None)
    issuer, parent = _issuing_block(head, first_content, vocab)
    if self_issuer is not None:  # an annex or a reproduction: who issued it is said after its symbol
        issuer, parent = self_issuer, None

    headerless = sym_line is None and date_line is None and issuer is None
    if headerless and nonempty and not nonempty[0][1].lstrip().startswith("#"):
        subject, subject_span, kind_word, issuer = _first_line_record(nonempty, offsets, words_by_len, vocab)
    elif headerless and nonempty:
        heading = next((ln for _, ln in nonempty[:5] if re.match(r"^[ ]*#[ ]", ln)), nonempty[0][1])
        subject = re.sub(r"^[ ]*#+[ ]*(?:[IVXLC]+\.|\d+\.)?[ ]*", "", heading).strip()
    if kind is None:
        if kind_word is not None:
            kind = kind_word.party if symbol and "/" in symbol and "-" in symbol.split("/")[0] else kind_word.state
        elif vv is not None:
            kind = "CV"
    if kind is not None:
        code = vocab.code(kind)
        party = bool(symbol and re.match(r"^\d+-", symbol))
        default = (code.party_name if party else code.state_name) if code else None
        if kind_word is not None and kind in (kind_word.party, kind_word.state):
            kind_name = kind_word.word
        elif vv is not None and kind == "CV":
            kind_name = "Công văn"
        else:
            kind_name = default
        kind = vocab.reported_kind(kind)
    if issuer is None and symbol:
        issuer = _issuer_from_symbol(symbol, src, vocab)

    recipients = _recipients(nonempty)
    region = None
    if start > 0:  # inside a web page: the document runs from its header to its first signature
        signers, last = _signers(lines, vocab, tail_from=nonempty[start][0], first_only=True)
        if last is not None:
            region = (offsets[nonempty[start][0]], offsets[last] + len(lines[last]))
    else:
        signers, _ = _signers(lines, vocab)
    distribution = _distribution(lines)
    province = _province(issuer, parent, place)
    return Header(
        symbol=symbol,
        number=number,
        kind=kind,
        kind_name=kind_name,
        issuer=issuer,
        parent_issuer=parent,
        place=place,
        date=date,
        subject=subject,
        recipients=tuple(recipients),
        signers=tuple(signers),
        distribution=tuple(distribution),
        symbol_span=symbol_span,
        date_span=date_span,
        subject_span=subject_span,
        province=province,
        warnings=tuple(warnings),
        marking=marking_of([ln for _, ln in head], vocab),
        region=region,
    )


_STAMP_PARTS = re.compile(r"\s*[-–—,/]\s*")
_STAMP_DECOR = " \t*_|#()[]<>:.\""


@lru_cache(maxsize=8)
def _marking_words(vocab: Vocabulary) -> tuple[dict[str, str], list[str], frozenset[str], int]:
    levels = {unicodedata.normalize("NFC", p).casefold(): lv for p, lv, _ in vocab.markings}
    companions = frozenset(unicodedata.normalize("NFC", w).casefold() for w, _ in vocab.companions)
    longest = max((len(p) for p in (*levels, *companions)), default=0)
    return levels, [lv for _, lv, _ in vocab.markings], companions, longest


def marking_of(lines: list[str], vocab: Vocabulary) -> str | None:
    """The security marking of a header: a line that is a marking stamp and nothing else (`MẬT`,
    `(Lưu hành nội bộ)`, `MẬT - KHẨN`); the highest level when several are stamped. Diacritics count
    (`MẶT` is no marking), case does not."""
    levels, order, companions, longest = _marking_words(vocab)
    found: list[str] = []
    for line in lines:
        if len(line) > 3 * longest + 20:
            continue  # a stamp is a few words: a longer line is text
        bare = unicodedata.normalize("NFC", line).strip(_STAMP_DECOR).casefold()
        parts = [" ".join(p.strip(_STAMP_DECOR).split()) for p in _STAMP_PARTS.split(bare) if p.strip(_STAMP_DECOR)]
        hits = [levels[p] for p in parts if p in levels]
        if hits and all(p in levels or p in companions for p in parts):
            found += hits
    return min(found, key=order.index) if found else None


def _first_line_record(
    nonempty: list[tuple[int, str]], offsets: list[int], words_by_len: list[KindWord], vocab: Vocabulary
) -> tuple[str | None, tuple[int, int] | None, KindWord | None, str | None]:
    """A document with no header: `Quyết định về việc …` over `Ủy ban nhân dân tỉnh …` gives kind,
    subject and issuer; any other first line is an article's title (the subject)."""
    i0, first = nonempty[0]
    first_s = first.strip()
    f = fold(first_s)
    line2 = nonempty[1][1].strip() if len(nonempty) > 1 else ""
    org_line = bool(_ORG_START.match(line2)) and len(line2.split()) <= 15 and not line2.endswith((":", ";", "."))
    for w in words_by_len:
        fw = fold_key(w.word)
        if not (f.startswith(fw + " ") or f == fw):
            continue
        rest = first_s[len(w.word) :].strip()
        if not org_line and not re.match(r"(?:về|v/v)(?!\w)", fold(rest)):
            break  # an article's title that happens to start with a kind word
        rest = re.sub(r"^(?:về việc|về|v/v)[ ]+", "", rest, flags=re.IGNORECASE)
        issuer = restore_case(line2, vocab).rstrip(". ") if org_line else None
        return restore_case(rest, vocab).rstrip(". "), (offsets[i0], offsets[i0] + len(first)), w, issuer
    heading = next((ln for _, ln in nonempty[:5] if re.match(r"^[ ]*#[ ]", ln)), first)
    subject = re.sub(r"^[ ]*#+[ ]*(?:[IVXLC]+\.|\d+\.)?[ ]*", "", heading).strip()
    return subject or None, None, None, None


@lru_cache(maxsize=4)
def _mottos(vocab: Vocabulary) -> tuple[frozenset[str], tuple[str, ...]]:
    """Motto lines folded once: as whole-line keys, and as text to cut from a two-column line."""
    keys = frozenset(re.sub(r"[\s\-–—]+", " ", fold(m)).strip() for m in vocab.mottos)
    return keys, tuple(fold(m) for m in vocab.mottos)


def _issuing_block(
    head: list[tuple[int, str]], first_content: int | None, vocab: Vocabulary
) -> tuple[str | None, str | None]:
    mottos, folded_mottos = _mottos(vocab)
    units: list[str] = []
    if first_content is None:
        return None, None  # no Số/date/kind line: upper-case lines are headings, not an issuing block
    for i, ln in head[:14]:
        if first_content is not None and i >= first_content:
            break
        if ln.lstrip().startswith("#"):
            continue
        text = re.sub(r"^[\s/\\|]+|[\s/\\|]+$", "", ln)
        text = re.sub(r"^\d{6,}", "", text).strip()
        if not text or _SEPARATOR_LINE.match(text):
            continue
        folded = fold(text)
        for motto in folded_mottos:
            cut = folded.find(motto)
            if cut > 0:
                text = text[:cut].strip()
                folded = folded[:cut]
        key = re.sub(r"[\s\-–—]+", " ", folded).strip()
        if key in mottos or key.replace("hòa", "hoà") in mottos:
            continue
        if not _mostly_upper(text):
            if units:
                break
            continue
        if units and not _ORG_HEAD.match(fold(text)):
            units[-1] = units[-1] + " " + text  # "ỦY BAN THƯỜNG VỤ / QUỐC HỘI", "… / XÃ LƯƠNG MINH"
        else:
            units.append(text)
    if not units:
        return None, None
    issuer = restore_case(units[-1], vocab)
    parent = restore_case(" ".join(units[:-1]), vocab) if len(units) > 1 else None
    return issuer, parent


def _issuer_from_symbol(symbol: str, src: Source, vocab: Vocabulary) -> str | None:
    code = re.split(r"[/-]", symbol.split("/")[-1])[0]
    known = vocab.issuer(code)
    if not known:
        return None
    pattern = "[ ]+".join(re.escape(w) for w in fold(known.name).split())
    for m in re.finditer(pattern + r"[ ]+(?P<lvl>tỉnh|huyện|thành phố|quận|thị xã|xã)(?!\w)", src.fold):
        return known.name + " " + m.group("lvl")
    return known.name


_PROVINCE = re.compile(
    r"(?:tỉnh|thành phố|Tỉnh ủy|Tỉnh uỷ|Thành ủy|Thành uỷ)[ ]+([A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:[ ][A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,3})"
)


def _province(issuer: str | None, parent: str | None, place: str | None) -> str | None:
    for text in (parent, issuer):
        if text:
            m = _PROVINCE.search(text)
            if m:
                return m.group(1)
    return place


def _recipients(nonempty: list[tuple[int, str]]) -> list[str]:
    out: list[str] = []
    for n, (_i, ln) in enumerate(nonempty[:HEAD_LINES + 10]):
        m = _KINH_GUI.match(ln)
        if not m:
            continue
        first = m.group("s").strip()
        items = [first] if first else []
        for _j, nxt in nonempty[n + 1 : n + 20]:
            li = _LIST_ITEM.match(nxt)
            if not li:
                break
            items.append(li.group("s"))
        for it in items:
            it = re.sub(r"^[-+•–][ ]*", "", it.strip()).strip().rstrip(";.,")
            if it:
                out.append(re.sub(r"\s+", " ", it))
        break
    return out


def _distribution(lines: list[str]) -> list[str]:
    out: list[str] = []
    for n, ln in enumerate(lines):
        if not _NOI_NHAN.match(ln):
            continue
        for nxt in lines[n + 1 : n + 40]:
            if not nxt.strip():
                continue
            li = _LIST_ITEM.match(nxt)
            if not li:
                break
            item = re.sub(r"\s+", " ", li.group("s")).strip().rstrip(";.,")
            if item:
                out.append(item)
        break
    return out


@lru_cache(maxsize=4)
def _capacity_re(vocab: Vocabulary) -> re.Pattern[str]:
    ordered = sorted(vocab.capacities, key=lambda c: -len(c[0]))
    alt = "|".join(re.escape(p).replace(r"\.", r"\.?") for p, _, _ in ordered)
    return re.compile(rf"(?:^[ ]*|[:;][ ]*)(?P<cap>{alt})\.?[ ]+(?P<rest>[^\n]*)$")


@lru_cache(maxsize=4)
def _position_re(vocab: Vocabulary) -> tuple[re.Pattern[str], dict[str, str]]:
    names = {fold(n): n for n, _ in vocab.positions}
    return re.compile(rf"(?:^|[ ;])(?P<p>{alternation(names)})[ ;.,]*$"), names


def _position_of(text: str, vocab: Vocabulary) -> str | None:
    """The signer's position a line ends with (`PHÓ CHỦ TỊCH`, `- Như kính gửi; PHÓ CHỦ TỊCH`)."""
    if len(text) > 160:
        return None
    pattern, names = _position_re(vocab)
    m = pattern.search(fold(" ".join(text.split())))
    return names.get(" ".join(m.group("p").split())) if m else None


_NAME_RE = re.compile(r"^[ ]*(?P<n>(?:[A-ZĐÀ-Ỹ][a-zđà-ỹ]*[ ]+){1,5}[A-ZĐÀ-Ỹ][a-zđà-ỹ]*)[ ]*$")
_UPPER_NAME_RE = re.compile(r"^[ ]*(?P<n>(?:[A-ZĐÀ-Ỹ]+[ ]+){1,5}[A-ZĐÀ-Ỹ]+)[ ]*$")


def _signers(lines: list[str], vocab: Vocabulary, tail_from: int | None = None,
             first_only: bool = False) -> tuple[list[Signer], int | None]:
    """Signature blocks near the end (or from `tail_from`: a document inside a web page signs far from
    the page's end; then only its first block): capacity (T/M, KT.…), the body or post it signs for,
    the signer's position and name. Also the line the last block ends on."""
    tail_from = max(0, len(lines) - 60) if tail_from is None else tail_from
    last: int | None = None
    cap_re = _capacity_re(vocab)
    canon = {p.rstrip(".").upper(): c for p, c, _ in vocab.capacities}
    signers: list[Signer] = []
    n = tail_from
    while n < len(lines):
        m = cap_re.search(lines[n])
        position = None
        capacity = for_ = None
        start = n
        if m and not _mostly_upper(m.group("rest")):
            m = None
        if m:
            capacity = canon.get(m.group("cap").rstrip(".").upper(), m.group("cap"))
            rest = m.group("rest").strip()
            for_pos = _position_of(rest, vocab)
            for_ = restore_case(rest, vocab, force=True) if rest else None
            if for_pos and fold(rest).strip() == fold(for_pos):
                for_ = for_pos
            for k in range(n + 1, min(len(lines), n + 4)):
                position = _position_of(lines[k], vocab) if len(lines[k]) < 80 else None
                if position:
                    start = k
                    break
        else:
            stripped = lines[n].strip()
            found = _position_of(stripped, vocab) if len(stripped) < 40 and stripped.isupper() else None
            if found and fold(stripped) == fold(found) and _mostly_upper(stripped):
                position = found
                start = n
            else:
                n += 1
                continue
        name = None
        for k in range(start + 1, min(len(lines), start + 9)):
            cand = lines[k].strip()
            if not cand or cand.startswith(("(", "-", "+")) or re.match(r"^[.…_]+$", cand):
                continue
            nm = _NAME_RE.match(cand)
            if nm:
                name = nm.group("n")
                start = k
                break
            um = _UPPER_NAME_RE.match(cand)
            if um and capacity and not _position_of(cand, vocab):
                name = " ".join(w.capitalize() for w in um.group("n").split())
                start = k
                break
        if name or capacity:
            if position is None and not capacity:
                n += 1
                continue
            signers.append(Signer(name=name, position=position, capacity=capacity, for_=for_))
            last = max(start, n)
            if first_only:
                break
        n = max(start, n) + 1
    return signers, last
