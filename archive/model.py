"""The archive's nouns: partial dates, article drafts and stored articles.

A news article's date is often known only to the month (` date 2022-01`) or the
year. :class:`PartialDate` keeps exactly what is known, so January 2022 never
turns into 1 January 2022 by accident.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from pressearchiv.archive.characters import without_invisible
from pressearchiv.archive.errors import InvalidDate

__all__ = [
    "Article",
    "ArticleDraft",
    "DatePrecision",
    "DateSource",
    "DocumentFormat",
    "Overrides",
    "PartialDate",
    "article_id_for",
]


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class DateSource(StrEnum):
    """Where a date came from, strongest first."""

    PROVIDED = "provided"  # given by the uploader (form field or JSON field)
    JSONLD = "jsonld"  # the page's JSON-LD datePublished
    META = "meta"  # a published-time meta tag (article:published_time, date, dc.date)
    MARKUP = "markup"  # itemprop="datePublished" in the page body
    TITLE = "title"  # a date printed in the page title
    HTML = "html"  # htmldate's estimate from other clues in the page
    HEADER = "header"  # the ` date YYYY-MM` header of the plain-text format
    TEXT = "text"  # found in the article text (dateline, signature)
    URL = "url"  # the canonical URL's /2024/04/ (often only the month)


class DocumentFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    JSONL = "jsonl"
    HTML = "html"


_ISO_PARTIAL = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date known to the day, the month or only the year."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise InvalidDate(f"year {self.year} is out of range")
        if self.month is None and self.day is not None:
            raise InvalidDate("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise InvalidDate(f"month {self.month} does not exist")
        if self.day is not None:
            assert self.month is not None
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise InvalidDate(
                    f"day {self.day} does not exist in {self.year:04d}-{self.month:02d}"
                )

    @classmethod
    def parse(cls, value: str) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (also ISO date-times).

        >>> PartialDate.parse("2022-01")
        PartialDate(year=2022, month=1, day=None)
        """
        text = value.strip()
        if "T" in text or " " in text:
            # An ISO date-time: the calendar day is what a news archive needs.
            text = re.split(r"[T ]", text, maxsplit=1)[0]
        match = _ISO_PARTIAL.match(text)
        if not match:
            raise InvalidDate(f"{value!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = match.groups()
        return cls(int(year), int(month) if month else None, int(day) if day else None)

    @classmethod
    def from_date(cls, value: date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    @property
    def precision(self) -> DatePrecision:
        if self.day is not None:
            return DatePrecision.DAY
        if self.month is not None:
            return DatePrecision.MONTH
        return DatePrecision.YEAR

    @property
    def start(self) -> date:
        """The first calendar day this date can mean."""
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def end(self) -> date:
        """The last calendar day this date can mean."""
        if self.day is not None:
            return self.start
        month = self.month or 12
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def isoformat(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def __str__(self) -> str:
        return self.isoformat()


def normalise_for_identity(text: str) -> str:
    """The form of a text that decides whether two uploads are the same article.

    Unicode normalisation and whitespace folding make the same article match
    whether it arrives as a file with CRLF line ends or as a JSON string;
    zero-width characters and byte order marks anywhere in it do not count.
    """
    return " ".join(without_invisible(unicodedata.normalize("NFC", text)).split())


def article_id_for(text: str) -> str:
    """Stable id of an article: 16 hex digits of the SHA-256 of its clean text."""
    digest = hashlib.sha256(normalise_for_identity(text).encode("utf-8")).hexdigest()
    return digest[:16]


@dataclass(frozen=True)
class Overrides:
    """Metadata an uploader states; it wins over anything extraction finds."""

    title: str | None = None
    outlet: str | None = None
    date: PartialDate | None = None
    url: str | None = None


@dataclass(frozen=True)
class ArticleDraft:
    """A parsed article that is not stored yet."""

    title: str
    text: str
    outlet: str
    date: PartialDate | None
    date_source: DateSource | None
    raw: bytes
    content_type: str
    format: DocumentFormat
    url: str | None = None
    author: str | None = None
    source_name: str | None = None
    encoding: str | None = None

    @property
    def id(self) -> str:
        return article_id_for(self.text)


@dataclass(frozen=True)
class Article:
    """An article as the archive keeps it (without its raw bytes)."""

    id: str
    seq: int
    title: str
    text: str
    outlet: str
    date: PartialDate | None
    date_source: DateSource | None
    content_type: str
    format: DocumentFormat
    ingested_at: datetime
    url: str | None = None
    author: str | None = None
    source_name: str | None = None
    encoding: str | None = None
    raw_size: int = field(default=0)

    @property
    def date_precision(self) -> DatePrecision | None:
        return self.date.precision if self.date else None
