"""Dates as Vietnamese documents write them: `ngày 28/9/2021`, `ngày 03/03/2022`,
`ngày 26 tháng 11 năm 2003`, `30-3-2007`; a day left blank (`ngày tháng 4 năm 2026`) is no date."""

from __future__ import annotations

import datetime as dt
import re

_NUMERIC = r"(?P<d>\d{1,2})\s?[/.\-]\s?(?P<m>\d{1,2})\s?[/.\-]\s?(?P<y>(?:19|20)\d\d)"
_WORDS = r"(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s*(?:,\s*)?năm\s+(?P<y2>(?:19|20)\d\d)"
DATE_PATTERN = rf"(?:{_NUMERIC}|{_WORDS})(?!\d)"
DATE_RE = re.compile(rf"(?<![\d/.\-]){DATE_PATTERN}", re.IGNORECASE)
# "ngày …" directly after a citation (optionally "ban hành ngày", "ký ngày", "(ngày …)")
DATED_RE = re.compile(
    # a full stop before a lower-case "ngày" is a comma OCR misread ("số 60/CP. ngày 05/7/1994")
    rf"\s*(?:[,(]|\.(?=\s*(?-i:ngày)))?\s*(?:được\s+)?(?:ban\s+hành|ký|thông\s+qua)?\s*ngày\s*:?\s*{DATE_PATTERN}\)?",
    re.IGNORECASE,
)
BLANK_DAY_RE = re.compile(
    r"ngày\s*(?:[.…_]+\s*)?tháng\s*(?:[.…_]+|\d{1,2})\s*năm\s*(?P<y>(?:19|20)\d\d)", re.IGNORECASE
)
YEAR_AFTER_RE = re.compile(r"\s*,?\s*năm\s+(?P<y>(?:19|20)\d\d)(?!\d)", re.IGNORECASE)


def to_iso(day: str, month: str, year: str) -> str | None:
    """ISO date, or None for an impossible one (31/2/2020)."""
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def iso_from_match(m: re.Match[str]) -> str | None:
    """ISO date from a match of DATE_PATTERN (either form)."""
    if m.group("d") is not None:
        return to_iso(m.group("d"), m.group("m"), m.group("y"))
    return to_iso(m.group("d2"), m.group("m2"), m.group("y2"))


def parse_date(text: str) -> str | None:
    """The first valid date in `text` as ISO, or None; never raises."""
    for m in DATE_RE.finditer(text):
        iso = iso_from_match(m)
        if iso:
            return iso
    return None
