"""The day a saved page was first published, and where that date comes from.

Pages carry many dates: when the article was published, when it was last
modified, when the CMS record was created (sometimes years apart), the dates of
teasers and videos around it, and "today" in the header bar of the day the page
was saved. Only the first is the article's date, so the sources are tried from
the most explicit to the least, and a date that only a weaker source gives is
dropped when it is one of the page's *modified* dates:

1. JSON-LD ``datePublished`` of the article object;
2. published-time meta tags (``article:published_time``, ``date``, ``dc.date`` …);
3. ``itemprop="datePublished"`` in the markup;
4. a date printed in the page title (``… | DW | 28.04.2023``);
5. htmldate's estimate of the *original* date, without its extensive search of
   the whole text (which is what finds header bars and teaser dates);
6. the article's own dateline or signature (:func:`~pressearchiv.archive.dates.find_article_date`);
7. a date in the canonical URL (``/2024/04/`` is April 2024, no more).

Times with a UTC offset are read as the publishing newsroom's local day
(Central European Time), so ``2024-05-03T23:30:00Z`` is 4 May, as printed.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

from pressearchiv.archive.dates import find_article_date
from pressearchiv.archive.errors import InvalidDate
from pressearchiv.archive.model import DateSource, PartialDate
from pressearchiv.archive.page_meta import PageMeta

__all__ = ["date_from_string", "publication_date"]

_ISO = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?)?"
)
_ISO_MONTH = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")
# "Fri Apr 28 19:20:36 CEST 2023" (Java's Date.toString) and RFC 2822 dates.
_ZONE_NAMES = {"CET": "+0100", "CEST": "+0200", "MEZ": "+0100", "MESZ": "+0200", "UTC": "+0000"}
_JAVA_DATE = re.compile(r"^\w{3} (\w{3}) (\d{1,2}) (\d{2}:\d{2}:\d{2}) (\w{3,4}) (\d{4})$")
_TITLE_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\d.])")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{2})(?:[/-](\d{2}))?(?=[/-])")
_EARLIEST = date(1990, 1, 1)


def _local_zone() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Berlin")
    except Exception:  # no time zone database: one hour east of UTC is close enough
        return timezone(timedelta(hours=1))


def date_from_string(value: str) -> PartialDate | None:
    """A page's machine-readable date, as the newsroom's calendar day; None if unreadable."""
    value = value.strip()
    match = _ISO.match(value)
    if match:
        year, month, day, hour, minute, second, zone = match.groups()
        if zone and hour:
            offset = zone.replace(":", "")
            stamp = f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}"
            zone_text = "+0000" if offset == "Z" else offset
            try:
                moment = datetime.strptime(stamp + zone_text, "%Y-%m-%dT%H:%M:%S%z")
            except ValueError:
                return None
            return _checked(moment.astimezone(_local_zone()).date())
        with contextlib.suppress(ValueError):
            return _checked(date(int(year), int(month), int(day)))
        return None
    if month_match := _ISO_MONTH.match(value):
        with contextlib.suppress(InvalidDate):
            return PartialDate(int(month_match.group(1)), int(month_match.group(2)))
        return None
    return _textual(value)


def _textual(value: str) -> PartialDate | None:
    java = _JAVA_DATE.match(value)
    if java:
        month, day, clock, zone, year = java.groups()
        value = f"{day} {month} {year} {clock} {_ZONE_NAMES.get(zone, '+0000')}"
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(_local_zone())
    return _checked(moment.date())


def _checked(day: date) -> PartialDate | None:
    """Dates before 1990 or after tomorrow are template junk, not publication dates."""
    if not _EARLIEST <= day <= date.today() + timedelta(days=1):
        return None
    return PartialDate.from_date(day)


def _first(values: list[str]) -> PartialDate | None:
    for value in values:
        found = date_from_string(value)
        if found is not None:
            return found
    return None


def publication_date(
    meta: PageMeta, estimate: Callable[[], str | None], clean_text: str
) -> tuple[PartialDate | None, DateSource | None]:
    """The page's publication date and its source; (None, None) if none is trustworthy.

    ``estimate`` computes htmldate's original-date estimate for the page (only
    called when the page has no structured date), ``clean_text`` is the
    extracted article text.
    """
    for source, values in (
        (DateSource.JSONLD, meta.ld_published),
        (DateSource.META, meta.published_meta),
        (DateSource.MARKUP, meta.markup_published),
    ):
        if (found := _first(values)) is not None:
            return found, source
    if (found := _title_date(meta)) is not None:
        return found, DateSource.TITLE
    modified = {d for v in meta.ld_modified + meta.modified_meta if (d := date_from_string(v))}
    guess = estimate()
    if guess and (found := date_from_string(guess)) is not None and found not in modified:
        return found, DateSource.HTML
    if (dateline := find_article_date(clean_text)) is not None:
        return dateline.date, DateSource.TEXT
    if meta.canonical_url and (found := _url_date(meta.canonical_url)) is not None:
        return found, DateSource.URL
    return None, None


def _title_date(meta: PageMeta) -> PartialDate | None:
    for title in (meta.title_tag, meta.first("og:title") or ""):
        match = _TITLE_DATE.search(title)
        if match:
            day, month, year = (int(g) for g in match.groups())
            with contextlib.suppress(ValueError):
                return _checked(date(year, month, day))
    return None


def _url_date(url: str) -> PartialDate | None:
    match = _URL_DATE.search(url)
    if not match:
        return None
    year, month, day = match.groups()
    try:
        found = PartialDate(int(year), int(month), int(day) if day else None)
    except InvalidDate:
        return None
    return found if _EARLIEST <= found.start <= date.today() else None
