"""German date expressions as real articles write them.

Recognised: ``21. Januar 2022``, ``21. Jänner 2022`` (Austrian), ``21. Jan. 2022``,
``21.1.2022``, ``21.01.22``, ``Januar 2022`` (month precision) and ISO
``2022-01-21``. A date found in the text is only trusted where news articles
put their own date: the dateline at the top and the signature at the bottom.
Dates elsewhere in the body are usually about something else
(``am 9. November 1989``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pressearchiv.archive.errors import InvalidDate
from pressearchiv.archive.model import PartialDate

__all__ = ["FoundDate", "find_article_date", "parse_german_date"]

_MONTHS = {
    "januar": 1,
    "jänner": 1,
    "jaenner": 1,
    "jan": 1,
    "februar": 2,
    "feber": 2,
    "feb": 2,
    "märz": 3,
    "maerz": 3,
    "mär": 3,
    "mrz": 3,
    "april": 4,
    "apr": 4,
    "mai": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "dezember": 12,
    "dez": 12,
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))

# Long forms need a word boundary; abbreviations may carry a full stop.
_DAY_MONTHNAME = re.compile(rf"(?<!\d)(\d{{1,2}})\.\s*({_MONTH_NAMES})\.?\s+(\d{{4}})(?!\d)", re.I)
_MONTHNAME_YEAR = re.compile(rf"(?<![\w.])({_MONTH_NAMES})\.?\s+(\d{{4}})(?!\d)", re.I)
_NUMERIC = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?![\d])")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")

# Where an article states its own date: the first and the last few hundred characters.
_HEAD_CHARS = 400
_TAIL_CHARS = 300


@dataclass(frozen=True)
class FoundDate:
    date: PartialDate
    start: int  # offset in the text, so callers can strip a dateline
    end: int


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # Two-digit years in news are this century (``21.01.22``).
        year += 2000
    return year


def _candidates(text: str, offset: int = 0) -> list[FoundDate]:
    """Every date in ``text``, most precise first where two overlap."""
    found: list[FoundDate] = []
    for match in _DAY_MONTHNAME.finditer(text):
        day, month, year = match.groups()
        _add(found, year, _MONTHS[month.lower()], int(day), match, offset)
    for match in _NUMERIC.finditer(text):
        day, month, year = match.groups()
        _add(found, year, int(month), int(day), match, offset)
    for match in _ISO.finditer(text):
        year, month, day = match.groups()
        _add(found, year, int(month), int(day), match, offset)
    for match in _MONTHNAME_YEAR.finditer(text):
        month, year = match.groups()
        if any(f.start <= match.start() + offset < f.end for f in found):
            continue  # part of a day-precise date already found
        _add(found, year, _MONTHS[month.lower()], None, match, offset)
    return sorted(found, key=lambda f: f.start)


def _add(
    found: list[FoundDate],
    year: str,
    month: int,
    day: int | None,
    match: re.Match[str],
    offset: int,
) -> None:
    try:
        value = PartialDate(_year(year), month, day)
    except InvalidDate:
        return  # ``31.2.2022`` or a version number: not a date
    if not 1900 <= value.year <= 2100:
        return
    found.append(FoundDate(value, match.start() + offset, match.end() + offset))


def parse_german_date(value: str) -> PartialDate:
    """Read one date written the German way, or ISO; raises InvalidDate.

    >>> parse_german_date("21. Jänner 2022")
    PartialDate(year=2022, month=1, day=21)
    """
    text = value.strip()
    try:
        return PartialDate.parse(text)
    except InvalidDate:
        pass
    dates = _candidates(text)
    if len(dates) == 1 and dates[0].end - dates[0].start >= len(text.rstrip(". ")) - 1:
        return dates[0].date
    raise InvalidDate(
        f"{value!r} is not a date; use YYYY, YYYY-MM, YYYY-MM-DD or e.g. 21. Januar 2022"
    )


def find_article_date(text: str) -> FoundDate | None:
    """The article's own date, from its dateline or its signature, if it states one.

    The signature wins over the dateline's neighbourhood when both exist,
    because agency signatures such as ``(bbl, Reuters, 21.1.2022)`` are dated
    on purpose, while the top of a text may quote an earlier date.
    """
    tail_start = max(0, len(text) - _TAIL_CHARS)
    tail = _candidates(text[tail_start:], tail_start)
    if tail:
        return tail[-1]
    head = _candidates(text[:_HEAD_CHARS])
    if head:
        return head[0]
    return None
