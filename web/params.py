"""The search parameters, declared once: each reads itself from a request and describes itself.

The JSON API, the exports, the Atom feed and the HTML search page read ``q,
outlet, from, to, sort, group, page, size`` through :func:`search_request`, and the OpenAPI document
describes them from the same declarations (:data:`SEARCH_PARAMS`), so the
service and its documentation cannot disagree. Each declaration's
:meth:`Param.schema` says exactly which values its :meth:`Param.read` accepts
(the one exception: a pattern cannot know that 30 February does not exist).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from starlette.datastructures import QueryParams

from pressearchiv.archive.errors import InvalidDate
from pressearchiv.archive.model import PartialDate
from pressearchiv.index import MAX_QUERY_CHARS, MAX_QUERY_WORDS, SearchRequest, Sort
from pressearchiv.settings import Settings
from pressearchiv.web.errors import BadParameter

__all__ = [
    "MAX_OUTLETS",
    "MAX_OUTLET_CHARS",
    "MAX_PAGE",
    "NO_NUL",
    "SEARCH_PARAMS",
    "Grouping",
    "Param",
    "search_request",
]

# Bounds that keep one request from costing unbounded work. Deep paging in a
# full-text index is expensive and nobody reads page 1001; exports exist for that.
# The query's own bounds are the index's (MAX_QUERY_CHARS, MAX_QUERY_WORDS).
MAX_OUTLETS = 50
MAX_OUTLET_CHARS = 200
MAX_PAGE = 1000

# JSON Schema (ECMA-262) for "no NUL character": NUL is refused in every text.
NO_NUL = "^[^\\x00]*$"
# Year 0001-9999, month 1-12, day 1-31, optionally between spaces (typed into a
# form field). Whether the day exists in that month is checked by reading it.
_DATE_SHAPE = (
    r"^ *(([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
    r"(-(0?[1-9]|1[0-2])(-(0?[1-9]|[12][0-9]|3[01]))?)?)? *$"
)
# Read more loosely, so that "2022-13" is told "month 13 does not exist".
_DATE = re.compile(r" *([0-9]{4}(-[0-9]{1,2}(-[0-9]{1,2})?)?)? *")


@dataclass(frozen=True)
class Param:
    """One query parameter: its name, what it means, and how it is read and documented."""

    name: str
    help: str

    @property
    def repeatable(self) -> bool:
        """Whether it may be given more than once (``?outlet=a&outlet=b``)."""
        return False

    @property
    def empty_is_default(self) -> bool:
        """Whether an empty value, which its schema does not admit, means the default."""
        return False

    def schema(self, settings: Settings) -> dict[str, Any]:
        """The JSON Schema of the values :meth:`read` accepts."""
        raise NotImplementedError

    def read(self, params: QueryParams, settings: Settings) -> Any:
        """The parameter's value, or :class:`BadParameter` naming it."""
        raise NotImplementedError

    def _single(self, params: QueryParams) -> str:
        values = params.getlist(self.name)
        if len(values) > 1:
            raise BadParameter(f"parameter {self.name!r} may be given only once")
        return values[0] if values else ""


@dataclass(frozen=True)
class Text(Param):
    """Free text up to ``max_length`` characters as sent; surrounding space is dropped."""

    max_length: int

    def schema(self, settings: Settings) -> dict[str, Any]:
        return {"type": "string", "maxLength": self.max_length, "pattern": NO_NUL}

    def read(self, params: QueryParams, settings: Settings) -> str:
        text = self._single(params)
        if len(text) > self.max_length:
            raise BadParameter(
                f"parameter {self.name!r} is longer than {self.max_length} characters"
            )
        if "\x00" in text:
            raise BadParameter(f"parameter {self.name!r} contains a NUL character")
        return text.strip()


@dataclass(frozen=True)
class TextList(Param):
    """A repeatable text; blank values are ignored, duplicates kept once, order kept."""

    max_items: int
    max_length: int

    @property
    def repeatable(self) -> bool:
        return True

    def schema(self, settings: Settings) -> dict[str, Any]:
        item = {"type": "string", "maxLength": self.max_length, "pattern": NO_NUL}
        return {"type": "array", "maxItems": self.max_items, "items": item}

    def read(self, params: QueryParams, settings: Settings) -> tuple[str, ...]:
        given = params.getlist(self.name)
        # The limit counts what was sent (as the schema says), empty values included.
        if len(given) > self.max_items:
            raise BadParameter(f"at most {self.max_items} {self.name!r} parameters are allowed")
        if any(len(v) > self.max_length or "\x00" in v for v in given):
            raise BadParameter(
                f"an {self.name!r} parameter is too long or contains a NUL character"
            )
        return tuple(dict.fromkeys(v.strip() for v in given if v.strip()))


@dataclass(frozen=True)
class Date(Param):
    """A year, a month or a day (``2022``, ``2022-01``, ``2022-01-21``); empty is no limit."""

    def schema(self, settings: Settings) -> dict[str, Any]:
        return {"type": "string", "pattern": _DATE_SHAPE}

    def read(self, params: QueryParams, settings: Settings) -> PartialDate | None:
        text = self._single(params)
        if not _DATE.fullmatch(text):
            raise BadParameter(f"parameter {self.name!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
        text = text.strip(" ")
        if not text:
            return None
        try:
            return PartialDate.parse(text)
        except InvalidDate as exc:
            raise BadParameter(f"parameter {self.name!r}: {exc}") from None


@dataclass(frozen=True)
class Choice(Param):
    """One of the values of ``choices``; empty means the default."""

    choices: type[StrEnum]

    @property
    def empty_is_default(self) -> bool:
        return True

    def schema(self, settings: Settings) -> dict[str, Any]:
        return {"type": "string", "enum": [c.value for c in self.choices]}

    def read(self, params: QueryParams, settings: Settings) -> StrEnum | None:
        text = self._single(params)
        if not text:
            return None
        try:
            return self.choices(text)
        except ValueError:
            allowed = ", ".join(c.value for c in self.choices)
            raise BadParameter(f"parameter {self.name!r} must be one of {allowed}") from None


@dataclass(frozen=True)
class Integer(Param):
    """A whole number in plain ASCII digits from ``low`` to ``high``; empty means the default."""

    low: int
    high: Callable[[Settings], int]

    @property
    def empty_is_default(self) -> bool:
        return True

    def schema(self, settings: Settings) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.low, "maximum": self.high(settings)}

    def read(self, params: QueryParams, settings: Settings) -> int | None:
        text = self._single(params)
        if not text:
            return None
        high = self.high(settings)
        # int() accepts " 12", "١٢" and "1_000"; a URL parameter should be plain ASCII digits.
        if text.isascii() and text.isdigit() and len(text) <= 9 and self.low <= int(text) <= high:
            return int(text)
        raise BadParameter(
            f"parameter {self.name!r} must be a whole number from {self.low} to {high}"
        )


class Grouping(StrEnum):
    """Whether a search lists every article or one per story."""

    ARTICLE = "article"
    STORY = "story"


Q = Text(
    "q",
    'Query: all words must occur; "phrase", OR, NOT, prefix*. Empty lists articles. '
    f"At most {MAX_QUERY_WORDS} words.",
    max_length=MAX_QUERY_CHARS,
)
OUTLET = TextList(
    "outlet", "Only these outlets (repeatable).", max_items=MAX_OUTLETS, max_length=MAX_OUTLET_CHARS
)
FROM = Date("from", "Earliest date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD. Empty: no limit.")
TO = Date("to", "Latest date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD. Empty: no limit.")
SORT = Choice("sort", "Order; default relevance with a query, newest without.", choices=Sort)
GROUP = Choice(
    "group",
    "article: every matching article (the API's default); story: one hit per story, the "
    "version that comes first in the requested order (the newest with sort=newest, the "
    "best-scoring with relevance), while total and facets still count articles. The search "
    "page groups by default.",
    choices=Grouping,
)
PAGE = Integer("page", "Page, from 1.", low=1, high=lambda settings: MAX_PAGE)
SIZE = Integer("size", "Hits per page.", low=1, high=lambda settings: settings.max_page_size)

SEARCH_PARAMS: tuple[Param, ...] = (Q, OUTLET, FROM, TO, SORT, GROUP, PAGE, SIZE)


def search_request(
    params: QueryParams,
    settings: Settings,
    *,
    default_size: int = 20,
    default_group: Grouping = Grouping.ARTICLE,
) -> SearchRequest:
    """Read a search from query parameters; raise :class:`BadParameter` naming the culprit."""
    query = Q.read(params, settings)
    outlets = OUTLET.read(params, settings)
    date_from = FROM.read(params, settings)
    date_to = TO.read(params, settings)
    if date_from and date_to and date_from.start > date_to.end:
        raise BadParameter(
            f"'from' ({date_from.isoformat()}) is after 'to' ({date_to.isoformat()})"
        )
    # Without a query there is no relevance: browsing lists the newest first.
    sort = SORT.read(params, settings) or (Sort.RELEVANCE if query else Sort.NEWEST)
    return SearchRequest(
        query=query,
        outlets=outlets,
        date_from=date_from,
        date_to=date_to,
        sort=Sort(sort),
        group=(GROUP.read(params, settings) or default_group) is Grouping.STORY,
        page=PAGE.read(params, settings) or 1,
        size=SIZE.read(params, settings) or default_size,
    )
