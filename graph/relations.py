"""Relations: which cue governs each mention (EXTRACT.md rules 1–4) and the links between citations.

1. nested: a cue inside the description of a cited document A whose first object (or a list that
   starts there) is B gives the link A → B, and B itself `cites`;
2. otherwise the nearest cue before the mention in its clause, shared by a list after it;
3. otherwise the cue that opens the paragraph or the heading above it (a `Căn cứ` paragraph makes
   every citation that is not nested `based_on`);
4. otherwise `cites`.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from .citations import PINPOINT
from .model import Decision, Mention
from .text import Source, fold
from .vocab import Cue, Vocabulary


@dataclass(frozen=True)
class CueHit:
    start: int
    end: int
    cue: Cue


_FILLER = re.compile(
    rf"^[ ,]*(?:(?:{PINPOINT}|nghiêm túc|nghiêm|có hiệu quả|hiệu quả|tốt|đầy đủ|kịp thời|và|các|nội dung|những|"
    r"toàn văn|một số (?:điều|nội dung|điểm|quy định)|quy định|các quy định|của|tại|theo|cả|đúng|"
    r"thi hành|thực hiện|bởi)[ ,]*)*$",
    re.IGNORECASE,
)
# What may stand between an acting cue and the locator of its object: a pinpoint or an annexed text
_OBJECT_START = re.compile(
    rf"^[ ,]*(?:{PINPOINT}|một số|các|nội dung|toàn bộ|(?:quy định|quy chế|điều lệ|danh mục|phụ lục|biểu|bảng|"
    r"mục|phần)(?!\w))",
    re.IGNORECASE,
)
# one-word cues that are also everyday verbs: they act through a locator only on a pinpointed object
_WEAK = frozenset({"bổ sung", "sửa đổi", "thực hiện", "triển khai", "hướng dẫn"})
_PINPOINTED = re.compile(rf"{PINPOINT}|một số|nội dung|quy định", re.IGNORECASE)
_GENERIC_HOLDER = re.compile(
    r"(?<!\w)(?:(?:dự|soạn) thảo[ ]+\w+|(?:các|những|một số|mọi)[ ]+(?:văn bản|quyết định|nghị quyết|chỉ thị|"
    r"thông tư|kế hoạch|hướng dẫn|chương trình|quy định|nghị định|công văn)|văn bản)(?![ ]*(?:này|số)(?!\w))(?!\w)"
)
_SEPARATOR_END = re.compile(r"(?:,|;|(?<!\w)và|(?<!\w)hoặc|(?<!\w)cùng)[ ]*(?:(?:các|với)[ ]*)?$")
_CLAUSE_END = re.compile(r"[;\n]|\.(?=[ ]|$)|:(?=[ ]*[+•\-–][ ])|(?<=[ ])[+•](?=[ ])")
_LINE_LEAD = re.compile(
    r"[ ]*(?:#+[ ]*)?(?:(?:(?:\d+(?:\.\d+)*|[a-zđ]|[IVXLC]+)[.)/]|[-+•–])[ ]*)*"
    r"(?:(?:v/v|về việc)[ ]*:?[ ]*)?(?:(?:để|nhằm|tiếp tục|đồng thời)[ ]+)?"
)
_LIST_LINE = re.compile(r"[ ]*(?:[-+•–][ ]|\d+(?:\.\d+)*[.)][ ]|[a-zđ][.)][ ])")


@lru_cache(maxsize=4)
def _cue_re(vocab: Vocabulary) -> tuple[re.Pattern[str], dict[str, Cue]]:
    by_key: dict[str, Cue] = {}
    parts = []
    for cue in sorted(vocab.cues, key=lambda c: len(c.phrase), reverse=True):
        tokens = [t for t in re.split(r"[\s,]+", fold(cue.phrase)) if t]
        key = " ".join(tokens)
        by_key[key] = cue
        parts.append("(?:[ ]*,[ ]*|[ ]+)".join(re.escape(t) for t in tokens))
    return re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)"), by_key


def find_cues(src: Source, vocab: Vocabulary, mentions: list[Mention]) -> list[CueHit]:
    """Cue words in text order, leaving out those that are part of a mention (`Hướng dẫn số 1360`)."""
    pattern, by_key = _cue_re(vocab)
    blocked = sorted((m.start, m.title_end if m.named else m.end) for m in mentions)
    starts = [b[0] for b in blocked]
    hits = []
    for m in pattern.finditer(src.fold):
        key = " ".join(t for t in re.split(r"[\s,]+", m.group(0)) if t)
        cue = by_key.get(key)
        if cue is None:
            continue
        i = bisect.bisect_right(starts, m.end()) - 1
        if i >= 0 and blocked[i][0] < m.end() and m.start() < blocked[i][1]:
            continue
        hits.append(CueHit(m.start(), m.end(), cue))
    return hits


@dataclass
class _Layout:
    """Clause and line boundaries of a text, for bisecting."""

    clause_ends: list[int]
    line_starts: list[int]

    @classmethod
    def of(cls, work: str) -> _Layout:
        return cls(
            clause_ends=[m.start() for m in _CLAUSE_END.finditer(work)],
            line_starts=[0] + [m.end() for m in re.finditer(r"\n", work)],
        )

    def clause_start(self, pos: int) -> int:
        i = bisect.bisect_left(self.clause_ends, pos) - 1
        return self.clause_ends[i] + 1 if i >= 0 else 0

    def line_of(self, pos: int) -> int:
        return bisect.bisect_right(self.line_starts, pos) - 1


@dataclass(frozen=True)
class _Reading:
    """What deciding one text's mentions shares: the folded text, its cues and mentions, and the
    decisions made so far (with the cue each decided mention is an object of)."""

    folded: str
    vocab: Vocabulary
    cues: list[CueHit]
    mentions: list[Mention]
    order: _Order
    decisions: list[Decision]
    governed_by: list[int | None]


def decide(src: Source, vocab: Vocabulary, mentions: list[Mention]) -> list[Decision]:
    """One decision per mention (same order)."""
    work, folded = src.work, src.fold
    cues = find_cues(src, vocab, mentions)
    cue_starts = [c.start for c in cues]
    layout = _Layout.of(work)
    para_cue, para_at = _paragraph_cues(src, cues, layout, mentions)
    r = _Reading(folded, vocab, cues, mentions, _Order.of(mentions), [], [])

    for k, m in enumerate(mentions):
        line = layout.line_of(m.start)
        clause = max(layout.clause_start(m.item_start), layout.line_starts[line])
        para = para_cue.get(line)
        in_basis = para is not None and para.relation == "based_on"
        clause_cues = _last_cues(cues, cue_starts, clause, m.item_start, in_basis)
        before = r.order.before(k, clause, m.item_start)
        decision: Decision | None = None
        gov: int | None = None
        if clause_cues:
            ci, hit = clause_cues[-1]
            is_object = bool(_FILLER.match(folded, hit.end, m.item_start)) or (
                m.item_start - hit.end <= FILLER_REACH and bool(_FILLER.fullmatch(folded[hit.end : m.item_start]))
            )
            sibling = None
            if not is_object:
                sibling = _sibling(mentions, k, before, folded, r.governed_by, ci)
                is_object = sibling is not None
            if is_object:
                gov = ci
                hit = _governing(r, ci, clause_cues)
                decision = replace(_as_object(r, k, hit, sibling, before, clause), cue=hit.start)
        if decision is None:
            sib = _sibling(mentions, k, before, folded, r.governed_by, None)
            if sib is not None:
                decision, gov = _continuing(r, k, sib, "2-list")
            elif not clause_cues or clause == layout.line_starts[line]:
                prev = _list_across_semicolon(mentions, k, clause, work, layout, r.order)
                if prev is not None:
                    decision, gov = _continuing(r, k, prev, "2-list;")
        if decision is None:
            if para is not None and para.role == "acting":
                decision = Decision(para.relation, rule="3", cue=para_at.get(line))
            else:
                decision = Decision("cites", rule="4")
        r.decisions.append(decision)
        r.governed_by.append(gov)
    return r.decisions


def _governing(r: _Reading, ci: int, clause_cues: list[tuple[int, CueHit]]) -> CueHit:
    """The cue that governs an object of cue ci: ci itself, or the acting cue a tại/theo/kèm theo only
    locates the object of ("được sửa đổi … tại X", "Bãi bỏ khoản 3 … kèm theo X")."""
    hit = r.cues[ci]
    if hit.cue.role in ("cites", "locator"):
        behind = _acting_before(clause_cues, ci, r.folded)
        hit = behind if behind else hit
    if hit.cue.role == "locator":
        acting = _acting_behind(r.cues, clause_cues, r.order, ci, r.folded)
        hit = acting if acting else hit
    return hit


def _as_object(r: _Reading, k: int, hit: CueHit, sibling: int | None, before: Sequence[int],
               clause: int) -> Decision:
    """The decision for mention k as an object of cue `hit` (or of the list a sibling began under it)."""
    if sibling is not None and r.decisions[sibling].link_from is not None:
        return _continuing(r, k, sibling, "1-list")[0]
    if sibling is not None:
        return Decision(r.decisions[sibling].relation, rule="2-list")
    holders = r.order.ending_by(before, hit.start)
    if holders and hit.cue.role == "acting":
        return _held(r, k, holders[-1], hit)
    if holders:
        return Decision("cites", rule="1-cites")
    if hit.cue.role in ("blocker", "locator"):
        return Decision("cites", rule="2-" + hit.cue.role)
    if _GENERIC_HOLDER.search(r.folded, clause, hit.start):
        # "các văn bản của tỉnh hướng dẫn thực hiện Thông tư …": the cue describes a
        # document that is no citation
        return Decision("cites", rule="1-generic")
    return Decision(hit.cue.relation, rule="2")


# "… thay thế Thông tư số 57/2007/TT-BTC ngày 11/6/2007 và thay thế mục II Thông tư số 127 …": an active
# cue right after an object's date and issuer, joined by `và`, is a second verb of the same subject (a
# comma is not enough: "Hướng dẫn số 41 ngày … của Ban Tổ chức Trung ương, hướng dẫn thực hiện …"
# describes the guide; nor a passive cue: "Luật … ngày 25/6/2015 và được sửa đổi … tại Luật …")
_COORDINATED = re.compile(r"[ ,]*(?<!\w)và(?:[ ]+(?:đồng thời|cũng))?[ ]*")


def _held(r: _Reading, k: int, h: int, hit: CueHit) -> Decision:
    """Mention k after an acting cue that follows a cited document h: the cue is in h's description
    (rule 1: h → k), unless the list moved on to an item named by kind only, the cue is a second verb
    of the subject that governs h (`… thay thế A ngày … và thay thế B`), or h could not act on k
    because k is the later document (then the cue is the document's own, as rule 2 reads it)."""
    m, held = r.mentions[k], r.mentions[h]
    if _other_item(r.folded, held.end, hit.start, r.vocab):
        # "Kế hoạch số 9 về thực hiện NQ 56 và Kế hoạch của BTV Tỉnh ủy về triển khai
        # NQ 78": the cue describes the next item of the list, which is no citation
        return Decision("cites", rule="1-other-item")
    if _second_verb(r, h, hit):
        prior = r.decisions[h]
        if prior.link_from is None:
            return Decision(hit.cue.relation, rule="2-and")
        h = prior.link_from  # "A sửa đổi B ngày … và thay thế C": A replaces C
        held = r.mentions[h]
    actor, target = (m, held) if hit.cue.passive else (held, m)
    if _later(target, actor):
        return Decision(hit.cue.relation, rule="2-later")  # rule 1 cannot hold: rule 2's reading
    return Decision("cites", h, hit.cue.relation, hit.cue.passive, "1-nested")


def _second_verb(r: _Reading, h: int, hit: CueHit) -> bool:
    """Whether an active cue after document h is joined by `và` to the active verb h is an object of."""
    held, prior, gov = r.mentions[h], r.decisions[h], r.governed_by[h]
    if hit.cue.passive or gov is None or held.tail_end > hit.start:
        return False
    if not _COORDINATED.fullmatch(r.folded, held.tail_end, hit.start):
        return False
    if prior.link_from is not None:
        return not prior.passive and prior.link_relation not in (None, "cites")
    verb = r.cues[gov].cue
    return verb.role == "acting" and not verb.passive and prior.relation == verb.relation


def _continuing(r: _Reading, k: int, j: int, rule: str) -> tuple[Decision, int | None]:
    """Mention k continues the list of mention j: its decision (and governing cue) is j's — but when
    j is the object of a document A (A → j), and k was issued after A, A cannot act on k: the list k
    continues is that of the outermost document of the chain (`Căn cứ …; Thông tư 45/2006 sửa đổi
    Thông tư 63/2002 … và Thông tư 97/2006 ngày 16/10/2006`: 97 is a basis like 45, not amended by it)."""
    d = r.decisions[j]
    if d.link_from is not None:
        actor, target = (r.mentions[k], r.mentions[d.link_from]) if d.passive else (
            r.mentions[d.link_from], r.mentions[k])
        if _later(target, actor):
            while d.link_from is not None:  # the list of the outermost document: "Căn cứ A; B sửa đổi C
                j = d.link_from             # hướng dẫn D, E" — E is a basis like A and B
                d = r.decisions[j]
    return Decision(d.relation, d.link_from, d.link_relation, d.passive, rule), r.governed_by[j]


def _later(target: Mention, actor: Mention) -> bool:
    """Whether `target` was issued after `actor` (by their dates, else their years), so that `actor`
    cannot implement, guide or act on it: every link runs from a document to an earlier one."""
    if target.date and actor.date:
        return target.date > actor.date
    return target.year is not None and actor.year is not None and target.year > actor.year


FILLER_REACH = 400  # characters between a cue and its object that can be filler words at all
_LIST_LEAD = re.compile(r"[ ,]*(?:(?:và(?: các)?|hoặc)[ ,]*)?")  # what may open a list item after `;`
SIBLING_REACH = 64  # earlier mentions of a clause looked at for the list one continues


def _last_cues(cues: list[CueHit], cue_starts: list[int], clause: int, item_start: int,
               in_basis: bool) -> list[tuple[int, CueHit]]:
    """The last two cues of the clause before a mention (what the rules look at: the cue that governs
    it and the one before that), found backwards instead of listing every cue of a long clause."""
    lo = bisect.bisect_left(cue_starts, clause)
    found: list[tuple[int, CueHit]] = []
    for i in range(bisect.bisect_left(cue_starts, item_start) - 1, lo - 1, -1):
        c = cues[i]
        if c.end <= item_start and not (in_basis and c.cue.role in ("cites", "locator")):
            found.append((i, c))
            if len(found) == 2:
                break
    return found[::-1]


@dataclass(frozen=True)
class _Order:
    """Mention starts and ends as sorted arrays, so that 'the mentions of this clause before this one'
    is two bisections, not a scan of every earlier mention (a document of 200,000 mentions is linear).
    Mentions come in text order; their ends are in order too unless an evidence span reaches past the
    next mention, and then the lists are built by scanning as before."""

    starts: list[int]
    ends: list[int]
    ordered: bool

    @classmethod
    def of(cls, mentions: list[Mention]) -> _Order:
        ends = [m.end for m in mentions]
        return cls([m.start for m in mentions], ends, all(a <= b for a, b in itertools.pairwise(ends)))

    def before(self, k: int, clause: int, item_start: int) -> Sequence[int]:
        lo = bisect.bisect_left(self.starts, clause, 0, k)
        if self.ordered:
            return range(lo, bisect.bisect_right(self.ends, item_start, lo, k))
        return [j for j in range(lo, k) if self.ends[j] <= item_start]

    def ending_by(self, among: Sequence[int], pos: int) -> Sequence[int]:
        if self.ordered and isinstance(among, range):
            return range(among.start, bisect.bisect_right(self.ends, pos, among.start, among.stop))
        return [j for j in among if self.ends[j] <= pos]

    def any_starting(self, lo: int, hi: int) -> bool:
        i = bisect.bisect_left(self.starts, lo)
        return i < len(self.starts) and self.starts[i] < hi

    def first_starting(self, lo: int, hi: int, k: int) -> int | None:
        i = bisect.bisect_left(self.starts, lo, 0, k)
        return i if i < k and self.starts[i] < hi else None


@lru_cache(maxsize=8)
def _item_re(vocab: Vocabulary) -> re.Pattern[str]:
    """`và` (or a comma) opening another item of a list with a kind word: `và Kế hoạch của …`."""
    words = sorted({fold(w.word) for w in vocab.words}, key=len, reverse=True)
    return re.compile(r"(?:(?<!\w)và|,|;)[ ]*(?:các[ ]+)?(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")


def _other_item(folded: str, holder_end: int, cue_start: int, vocab: Vocabulary) -> bool:
    """Whether, between a cited document and a cue after it, the list moved on to another item that is
    named by its kind only (no symbol: no citation of its own to hold the cue)."""
    return holder_end < cue_start and _item_re(vocab).search(folded, holder_end, cue_start) is not None


def _sibling(
    mentions: list[Mention], k: int, before: Sequence[int], folded: str, governed_by: list[int | None],
    cue_index: int | None,
) -> int | None:
    """The earlier mention of the same clause whose list `mentions[k]` continues, if any."""
    m = mentions[k]
    for j in itertools.islice(reversed(before), SIBLING_REACH):
        p = mentions[j]
        if cue_index is not None and governed_by[j] != cue_index:
            continue
        gap_start = p.tail_end if p.tail_end <= m.item_start else p.end
        gap = folded[gap_start : m.item_start]
        if _SEPARATOR_END.search(gap) and not _CLAUSE_END.search(gap):
            if p.named and len(gap) > 3:
                return None
            if m.item_start < m.start and governed_by[j] is not None and j > 0:
                # "… kèm theo Quyết định A và Điều 1 Quyết định B": a pinpointed item after a
                # locator's single object belongs to the enclosing list, not to the locator.
                head = before[0]
                if head != j:
                    return head
            return j
        return None
    return None


def _list_across_semicolon(
    mentions: list[Mention], k: int, clause: int, work: str, layout: _Layout, order: _Order
) -> int | None:
    """`…; Kế hoạch số 179/KH-TLĐ`: an item that opens its clause after `;` continues the list."""
    m = mentions[k]
    if clause == 0 or work[clause - 1] != ";" or not _LIST_LEAD.fullmatch(work, clause, m.item_start):
        return None
    prev_clause = layout.clause_start(clause - 1)
    if layout.line_of(prev_clause) != layout.line_of(m.start):
        return None
    # the list head is the first document of the previous clause
    return order.first_starting(prev_clause, clause, k)


def _acting_before(clause_cues: list[tuple[int, CueHit]], ci: int, folded: str) -> CueHit | None:
    """The acting cue right before cue `ci`, when only a pinpoint or filler stands between them."""
    prev = [h for i, h in clause_cues if i < ci]
    if not prev:
        return None
    p = prev[-1]
    here = next(h for i, h in clause_cues if i == ci)
    gap = folded[p.end : here.start]
    if p.cue.role == "acting" and _FILLER.fullmatch(gap) and (p.cue.passive or _PINPOINTED.search(gap)):
        return p  # "được sửa đổi tại X", "sửa đổi một số điều tại X" — but not "bổ sung theo X"
    return None


def _acting_behind(
    cues: list[CueHit], clause_cues: list[tuple[int, CueHit]], order: _Order, ci: int, folded: str
) -> CueHit | None:
    """The acting cue whose object a locator only pinpoints (`Bãi bỏ khoản 3 … kèm theo QĐ …`):
    the nearest cue before the locator, with no citation and no other cue between them."""
    loc = cues[ci]
    for i, hit in reversed(clause_cues):
        if i >= ci:
            continue
        if hit.cue.role != "acting":
            return None  # a blocker, or a "theo"/"tại" that the locator belongs to
        if order.any_starting(hit.end, loc.start):
            return None
        gap = folded[hit.end : loc.start]
        if hit.cue.phrase in _WEAK and gap.strip(" ,") and not _OBJECT_START.match(gap):
            return None  # "bổ sung tên vào danh sách (quy định tại …)": an everyday verb, not the act
        return hit
    return None


def _paragraph_cues(
    src: Source, cues: list[CueHit], layout: _Layout, mentions: list[Mention]
) -> tuple[dict[int, Cue], dict[int, int]]:
    """The cue that opens each line, or the heading it stands under (by line index), and where the cue
    of a line that opens with its own stands."""
    by_start = {c.start: c.cue for c in cues}
    lines = src.work.split("\n")
    result: dict[int, Cue] = {}
    at: dict[int, int] = {}
    heading: Cue | None = None
    heading_level = 0
    list_heading: Cue | None = None
    for n, line in enumerate(lines):
        base = layout.line_starts[n]
        stripped = line.strip()
        if not stripped:
            continue
        lead = _LINE_LEAD.match(src.fold, base)
        pos = lead.end() if lead else base
        own = by_start.get(pos)
        is_md_heading = stripped.startswith("#")
        if is_md_heading:
            level = len(stripped) - len(stripped.lstrip("#"))
            if heading is None or level <= heading_level:
                heading, heading_level = None, level
            if own is not None and len(stripped) < 80:
                heading, heading_level = own, level
            list_heading = None
        elif own is not None and len(stripped) < 40 and stripped.endswith(":"):
            list_heading = own  # "Căn cứ:" over a list of lines
            result[n] = own
            continue
        elif list_heading is not None and not _LIST_LINE.match(line):
            list_heading = None
        if own is not None:
            result[n] = own
            at[n] = pos
        elif list_heading is not None:
            result[n] = list_heading
        elif heading is not None and not is_md_heading:
            result[n] = heading
    return result, at


def links_of(mentions: list[Mention], decisions: list[Decision]) -> list[tuple[int, int, str]]:
    """(from mention, to mention, relation) for every nested acting cue."""
    out = []
    for k, d in enumerate(decisions):
        if d.link_from is None or d.link_relation is None or d.link_relation == "cites":
            continue
        a, b = (k, d.link_from) if d.passive else (d.link_from, k)
        out.append((a, b, d.link_relation))
    return out
