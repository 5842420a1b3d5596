"""The HTML pages: search, article and upload, server-rendered in German.

The pages work without JavaScript: every filter is a form field or a link.
Jinja autoescapes everything; the only markup we trust is the index's
snippets, which are escaped there with nothing but ``<mark>`` left in.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from pressearchiv.archive.errors import ArticleNotFound
from pressearchiv.archive.model import PartialDate
from pressearchiv.index import FacetValue, Hit, IndexError_, SearchRequest, Sort
from pressearchiv.web.access import uploads_disabled_reason
from pressearchiv.web.admission import Overloaded, admitted_search
from pressearchiv.web.errors import ApiError, BadParameter, classify
from pressearchiv.web.intake import take_upload
from pressearchiv.web.params import search_request
from pressearchiv.web.rendering import german_date, render
from pressearchiv.web.shapes import RELATED_HITS

__all__ = ["article_page", "search_page", "upload_page"]

MONTHS_SHORT = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")
PAGE_SIZE = 10
# Beyond this many months the histogram shows years instead, so bars stay clickable.
MAX_MONTH_BARS = 48


# -- search ----------------------------------------------------------------------


def _link(search: SearchRequest, **changes: Any) -> str:
    """A URL of the search page for ``search`` with some parameters changed."""
    values: dict[str, Any] = {
        "q": search.query,
        "outlet": list(search.outlets),
        "from": search.date_from.isoformat() if search.date_from else "",
        "to": search.date_to.isoformat() if search.date_to else "",
        "sort": search.sort.value,
        "page": search.page,
    }
    values.update(changes)
    # Leave out the sort when it is the default for this query, for short, stable URLs.
    default_sort = Sort.RELEVANCE if values["q"] else Sort.NEWEST
    if values["sort"] == default_sort.value:
        values["sort"] = ""
    pairs = []
    for key, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            if item not in ("", None) and not (key == "page" and item == 1):
                pairs.append((key, item))
    return "/?" + urlencode(pairs) if pairs else "/"


def _histogram(
    search: SearchRequest, months: list[FacetValue], years: list[FacetValue]
) -> list[dict[str, Any]]:
    """Bars for the date histogram, one per month from the first to the last.

    Empty months get an empty bar so the time axis is honest; when the span is
    longer than MAX_MONTH_BARS months, one bar per year instead.
    """
    counts = {v.value: v.count for v in months}
    dates = sorted(d for d in (_partial(v) for v in counts) if d is not None and d.month)
    if not dates:
        return []
    first, last = dates[0], dates[-1]
    span = (last.year - first.year) * 12 + (last.month or 1) - (first.month or 1) + 1
    if span <= MAX_MONTH_BARS:
        steps = [
            PartialDate(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1)
            for i in range(span)
            if first.month
        ]
    else:
        counts = {v.value: v.count for v in years}
        steps = [PartialDate(y) for y in range(first.year, last.year + 1)]
    peak = max(counts.values(), default=0) or 1
    bars = []
    for date in steps:
        count = counts.get(date.isoformat(), 0)
        label = (
            f"{MONTHS_SHORT[date.month - 1]} {date.year % 100:02d}"
            if date.month
            else str(date.year)
        )
        bars.append(
            {
                "label": label,
                "title": f"{german_date(date)}: {count} Artikel",
                "count": count,
                # CSS classes h0..h100 in steps of 5: the CSP allows no inline styles.
                "percent": max(5, 5 * round(20 * count / peak)) if count else 0,
                "href": _link(
                    search, **{"from": date.isoformat(), "to": date.isoformat(), "page": 1}
                )
                if count
                else None,
                "selected": search.date_from == date and search.date_to == date,
            }
        )
    return bars


def _partial(value: str) -> PartialDate | None:
    try:
        return PartialDate.parse(value)
    except ValueError:
        return None


def _pages(search: SearchRequest, total: int) -> dict[str, Any]:
    last = max(1, -(-total // search.size))
    window = range(max(1, search.page - 3), min(last, search.page + 3) + 1)
    return {
        "current": search.page,
        "last": last,
        "links": [{"number": n, "href": _link(search, page=n)} for n in window],
        "prev": _link(search, page=search.page - 1) if search.page > 1 else None,
        "next": _link(search, page=search.page + 1) if search.page < last else None,
    }


async def search_page(request: Request) -> Response:
    """``GET /``: the search page; with no query it browses the newest articles."""
    settings = request.app.state.settings
    try:
        search = search_request(request.query_params, settings, default_size=PAGE_SIZE)
    except BadParameter as exc:
        context = {"error": exc.message, "search": SearchRequest(), "result": None}
        return render(request, "search.html", context, status=400)
    try:
        result = await admitted_search(request, request.app.state.index.search, search)
    except (IndexError_, Overloaded) as exc:
        status, _, message = classify(exc)
        context = {"error": message, "search": search, "result": None}
        page = render(request, "search.html", context, status=status)
        if isinstance(exc, Overloaded):
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    query_string = request.url.query
    context = {
        "search": search,
        "result": result,
        "hits": [_hit_view(h) for h in result.hits],
        "histogram": _histogram(search, result.facets.month, result.facets.year),
        "pages": _pages(search, result.total),
        "suggestion_href": _link(search, q=result.suggestion, page=1)
        if result.suggestion
        else None,
        "clear_dates_href": _link(search, **{"from": "", "to": "", "page": 1}),
        "export_csv": "/api/search.csv" + (f"?{query_string}" if query_string else ""),
        "export_jsonl": "/api/search.jsonl" + (f"?{query_string}" if query_string else ""),
        "sorts": list(Sort),
        "default_sort": Sort.RELEVANCE if search.query else Sort.NEWEST,
    }
    return render(request, "search.html", context)


def _hit_view(hit: Hit) -> dict[str, Any]:
    return {
        "hit": hit,
        # Escaped by the index with only <mark> left in: the one place we trust markup.
        "snippet": Markup(hit.snippet),
    }


# -- article -----------------------------------------------------------------------


async def article_page(request: Request) -> Response:
    """``GET /artikel/{id}``: metadata, clean text, the original and related articles."""
    article_id = request.path_params["article_id"]
    article = await run_in_threadpool(request.app.state.store.get, article_id)
    try:
        index = request.app.state.index
        related = await admitted_search(request, index.related, article_id, RELATED_HITS)
    except (IndexError_, ArticleNotFound, Overloaded):
        # Stored but not yet indexed: the page is still worth showing.
        related = []
    paragraphs = [p.strip() for p in article.text.split("\n") if p.strip()]
    if paragraphs and paragraphs[0] == article.title:
        paragraphs = paragraphs[1:]  # the heading already shows it
    context = {"article": article, "paragraphs": paragraphs, "related": related}
    return render(request, "article.html", context)


# -- upload ------------------------------------------------------------------------


async def upload_page(request: Request) -> Response:
    """``GET/POST /hochladen``: the upload form and what happened to each file."""
    settings = request.app.state.settings
    context: dict[str, Any] = {
        "needs_token": settings.api_token is not None,
        "disabled": uploads_disabled_reason(settings),
        "outcome": None,
        "error": None,
        "max_mb": settings.max_file_bytes // (1024 * 1024),
        "max_files": settings.max_files,
    }
    if request.method != "POST":
        return render(request, "upload.html", context)
    status = 200
    try:
        outcome = await take_upload(request)
        context["outcome"] = outcome
        status = outcome.status
    except ApiError as exc:
        context["error"] = exc.message
        status = exc.status
    return render(request, "upload.html", context, status=status)
