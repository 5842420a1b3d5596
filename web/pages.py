"""The HTML pages: search, article and upload, server-rendered in German.

The pages work without JavaScript: every filter is a form field or a link.
Jinja autoescapes everything; the only markup we trust is the index's
snippets, which are escaped there with nothing but ``<mark>`` left in.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from pressearchiv.archive.errors import ArticleNotFound
from pressearchiv.index import (
    Hit,
    IndexError_,
    SearchIndex,
    SearchRequest,
    SearchResponse,
    Sort,
    StoryVersions,
)
from pressearchiv.web import search_view as view
from pressearchiv.web.access import uploads_disabled_reason
from pressearchiv.web.admission import Overloaded, admitted_search
from pressearchiv.web.errors import ApiError, BadParameter, classify
from pressearchiv.web.feed import feed_url
from pressearchiv.web.intake import take_upload
from pressearchiv.web.params import Grouping, search_request
from pressearchiv.web.rendering import render
from pressearchiv.web.shapes import RELATED_HITS

__all__ = ["article_page", "search_page", "upload_page"]

PAGE_SIZE = 10


# -- search ----------------------------------------------------------------------


def _search(
    index: SearchIndex, search: SearchRequest, budget: float | None = None
) -> tuple[SearchResponse, dict[str, StoryVersions]]:
    """The search, and for a grouped page the other versions of each story shown
    (``budget``: see :func:`~pressearchiv.web.admission.admitted_search`)."""
    result = index.search(search, budget)
    versions: dict[str, StoryVersions] = {}
    if search.group:
        for hit in result.hits:
            if hit.versions > 1:
                try:
                    versions[hit.id] = index.versions(hit.id)
                except ArticleNotFound:  # deleted since the search: show it alone
                    continue
    return result, versions


def _feed_pairs(request: Request, search: SearchRequest) -> list[tuple[str, str]]:
    """The query parameters of this search's feed: the page's grouping spelled out,
    since the feed, like the API, lists every article unless told otherwise."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "group"]
    return pairs + ([("group", "story")] if search.group else [])


async def search_page(request: Request) -> Response:
    """``GET /``: the search page; with no query it browses the newest articles."""
    settings = request.app.state.settings
    try:
        search = search_request(
            request.query_params, settings, default_size=PAGE_SIZE, default_group=Grouping.STORY
        )
    except BadParameter as exc:
        context = {"error": exc.message, "search": SearchRequest(), "result": None}
        return render(request, "search.html", context, status=400)
    try:
        result, versions = await admitted_search(
            request, _search, request.app.state.index, search, inline=True
        )
    except (IndexError_, Overloaded) as exc:
        status, _, message = classify(exc)
        context = {"error": message, "search": search, "result": None}
        page = render(request, "search.html", context, status=status)
        if isinstance(exc, Overloaded):
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    query_string = request.url.query
    back = view.link(search)
    top, rest = view.outlet_lists(result.facets.outlet)
    context = {
        "search": search,
        "result": result,
        "hits": [view.hit_view(h, back, versions.get(h.id)) for h in result.hits],
        "outlets_top": top,
        "outlets_rest": rest,
        "outlets_count": len(result.facets.outlet),
        "histogram": view.histogram(search, result.facets.month, result.facets.year),
        "pages": view.pages(search, result.stories if search.group else result.total),
        "suggestion_href": view.link(search, q=result.suggestion, page=1)
        if result.suggestion
        else None,
        "clear_dates_href": view.link(search, **{"from": "", "to": "", "page": 1}),
        "group_href": view.link(search, group="article" if search.group else "", page=1),
        "export_csv": "/api/search.csv" + (f"?{query_string}" if query_string else ""),
        "export_jsonl": "/api/search.jsonl" + (f"?{query_string}" if query_string else ""),
        "feed_href": feed_url(_feed_pairs(request, search)),
        "sorts": list(Sort),
        "default_sort": Sort.RELEVANCE if search.query else Sort.NEWEST,
    }
    return render(request, "search.html", context)


# -- article -----------------------------------------------------------------------


async def article_page(request: Request) -> Response:
    """``GET /artikel/{id}``: metadata, clean text, the original, the other versions
    of its story and related articles, and the way back to the search it came from."""
    article_id = request.path_params["article_id"]
    index: SearchIndex = request.app.state.index
    article = await run_in_threadpool(request.app.state.store.get, article_id)
    back = view.back_target(request.query_params.get(view.BACK))

    def nearby() -> tuple[list[Hit], list[Hit]]:
        try:
            others = index.versions(article_id).others
            # related() lists the versions first: ask for enough to fill the rest.
            related = index.related(article_id, RELATED_HITS + len(others))
        except (IndexError_, ArticleNotFound):
            # Stored but not yet indexed: the page is still worth showing.
            return [], []
        known = {v.id for v in others}
        return others, [h for h in related if h.id not in known][:RELATED_HITS]

    try:
        versions, related = await admitted_search(request, nearby)
    except Overloaded:
        versions, related = [], []  # the article itself is still worth showing
    paragraphs = [p.strip() for p in article.text.split("\n") if p.strip()]
    if paragraphs and paragraphs[0] == article.title:
        paragraphs = paragraphs[1:]  # the heading already shows it
    context = {
        "article": article,
        "paragraphs": paragraphs,
        "back": back,
        "versions": [(h, view.article_href(h.id, back)) for h in versions],
        "related": [(h, view.article_href(h.id, back)) for h in related],
    }
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
