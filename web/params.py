"""Query parameters → :class:`SearchRequest`, with a 400 for anything we cannot use.

The JSON API, the exports and the HTML search page share this one reading of
``q, outlet, from, to, sort, page, size`` so they can never disagree.
"""

from __future__ import annotations

import re

from starlette.datastructures import QueryParams

from pressearchiv.archive.errors import InvalidDate
from pressearchiv.archive.model import PartialDate
from pressearchiv.index.request import SearchRequest, Sort
from pressearchiv.settings import Settings
from pressearchiv.web.errors import BadParameter

__all__ = ["MAX_OUTLETS", "MAX_PAGE", "MAX_QUERY_CHARS", "search_request"]

# Bounds that keep one request from costing unbounded work. Deep paging in a
# full-text index is expensive and nobody reads page 1001; exports exist for that.
MAX_QUERY_CHARS = 1000
MAX_OUTLETS = 50
MAX_OUTLET_CHARS = 200
MAX_PAGE = 1000

_SINGLE = ("q", "from", "to", "sort", "page", "size")


def search_request(
    params: QueryParams, settings: Settings, *, default_size: int = 20
) -> SearchRequest:
    """Read a search from query parameters; raise :class:`BadParameter` naming the culprit."""
    for name in _SINGLE:
        if len(params.getlist(name)) > 1:
            raise BadParameter(f"parameter {name!r} may be given only once")

    query = params.get("q", "").strip()
    if len(query) > MAX_QUERY_CHARS:
        raise BadParameter(f"parameter 'q' is longer than {MAX_QUERY_CHARS} characters")
    if "\x00" in query:
        raise BadParameter("parameter 'q' contains a NUL character")

    given = params.getlist("outlet")
    # The limit counts what was sent (as the schema says), empty values included.
    if len(given) > MAX_OUTLETS:
        raise BadParameter(f"at most {MAX_OUTLETS} 'outlet' parameters are allowed")
    outlets = tuple(dict.fromkeys(o.strip() for o in given if o.strip()))
    if any(len(o) > MAX_OUTLET_CHARS or "\x00" in o for o in outlets):
        raise BadParameter("an 'outlet' parameter is too long or contains a NUL character")

    date_from = _date(params, "from")
    date_to = _date(params, "to")
    if date_from and date_to and date_from.start > date_to.end:
        raise BadParameter(
            f"'from' ({date_from.isoformat()}) is after 'to' ({date_to.isoformat()})"
        )

    sort_text = params.get("sort", "").strip()
    if sort_text:
        try:
            sort = Sort(sort_text)
        except ValueError:
            allowed = ", ".join(s.value for s in Sort)
            raise BadParameter(f"parameter 'sort' must be one of {allowed}") from None
    else:
        # Without a query there is no relevance: browsing lists the newest first.
        sort = Sort.RELEVANCE if query else Sort.NEWEST

    page = _integer(params, "page", default=1, low=1, high=MAX_PAGE)
    size = _integer(params, "size", default=default_size, low=1, high=settings.max_page_size)
    return SearchRequest(
        query=query,
        outlets=outlets,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=page,
        size=size,
    )


_DATE_SHAPE = re.compile(r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$")


def _date(params: QueryParams, name: str) -> PartialDate | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    if not _DATE_SHAPE.match(text):
        raise BadParameter(f"parameter {name!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
    try:
        return PartialDate.parse(text)
    except InvalidDate as exc:
        raise BadParameter(f"parameter {name!r}: {exc}") from None


def _integer(params: QueryParams, name: str, *, default: int, low: int, high: int) -> int:
    text = params.get(name, "").strip()
    if not text:
        return default
    # int() accepts "١٢" and "1_000"; a URL parameter should be plain ASCII digits.
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise BadParameter(f"parameter {name!r} must be a whole number from {low} to {high}")
    value = int(text)
    if not low <= value <= high:
        raise BadParameter(f"parameter {name!r} must be a whole number from {low} to {high}")
    return value
