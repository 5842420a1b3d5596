"""The JSON API: search, articles, upload, stats and health.

Every store or index call is synchronous work and runs in the thread pool, so a
slow search never stalls the event loop that serves everyone else. Each
handler declares its :class:`~pressearchiv.web.operations.Operation`, from
which the route and its OpenAPI entry are made.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex
from pressearchiv.web.admission import admitted_search
from pressearchiv.web.intake import take_upload
from pressearchiv.web.operations import Operation, Reply, operation
from pressearchiv.web.outcomes import Error, ErrorCode, ErrorDetail, UploadRejected, UploadSummary
from pressearchiv.web.params import SEARCH_PARAMS, search_request
from pressearchiv.web.service_shapes import Health, Stats
from pressearchiv.web.shapes import (
    RELATED_HITS,
    Article,
    Hit,
    Related,
    SearchResponse,
    ShapeResponse,
    Version,
    Versions,
)

__all__ = ["article", "healthz", "raw", "related", "search", "stats", "upload", "versions"]


def _store(request: Request) -> ArchiveStore:
    return request.app.state.store  # type: ignore[no-any-return]


def _index(request: Request) -> SearchIndex:
    return request.app.state.index  # type: ignore[no-any-return]


# -- reading -------------------------------------------------------------------


@operation(
    Operation(
        "GET",
        "Search or browse articles",
        {200: Reply("One page of hits", (SearchResponse,))},
        errors=(400, 429),
        query=SEARCH_PARAMS,
        description="An empty q lists articles newest first, so one can browse by outlet "
        "and date alone. Every hit names its story and how many versions it has; with "
        "group=story the page holds one hit per story, the version that comes first in the "
        "requested order, and stories says how many there are.",
    )
)
async def search(request: Request) -> Response:
    """``GET /api/search``: one page of hits with facets; an empty ``q`` browses."""
    search_req = search_request(request.query_params, request.app.state.settings)
    response = await admitted_search(request, _index(request).search, search_req, inline=True)
    return ShapeResponse(SearchResponse.of(response))


@operation(
    Operation(
        "GET", "One article", {200: Reply("Metadata and clean text", (Article,))}, errors=(404,)
    )
)
async def article(request: Request) -> Response:
    """``GET /api/articles/{id}``: metadata and clean text."""
    found = await run_in_threadpool(_store(request).get, request.path_params["article_id"])
    return ShapeResponse(Article.of(found))


# Types we hand back as they came; anything odd is served as opaque bytes.
_SAFE_TYPE = re.compile(r"^[a-z0-9.+-]+/[a-z0-9.+-]+(; ?charset=[a-z0-9_.:-]+)?$", re.IGNORECASE)
_INLINE_TYPES = ("text/plain", "application/json", "application/x-ndjson", "application/jsonl")


@operation(
    Operation(
        "GET",
        "The original bytes as uploaded",
        {200: Reply("Original document", media_type="*/*")},
        errors=(404,),
    )
)
async def raw(request: Request) -> Response:
    """``GET /api/articles/{id}/raw``: the original bytes, never active content on our origin.

    Plain text and JSON are shown inline; HTML and everything else download as
    an attachment. A ``sandbox`` CSP and ``nosniff`` guard the inline case too.
    """
    article_id = request.path_params["article_id"]
    document = await run_in_threadpool(_store(request).raw, article_id)
    content_type = document.content_type.strip()
    if content_type.startswith("text/") and "charset" not in content_type.lower():
        # Name the encoding we detected, so a browser does not guess (and garble) it.
        stored = await run_in_threadpool(_store(request).get, article_id)
        if stored.encoding:
            content_type = f"{content_type}; charset={stored.encoding}"
    if not _SAFE_TYPE.match(content_type):
        content_type = "application/octet-stream"
    inline = content_type.split(";")[0].strip().lower() in _INLINE_TYPES
    filename = document.source_name or f"{article_id}.bin"
    headers = {
        "Content-Disposition": _disposition("inline" if inline else "attachment", filename),
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(document.data, media_type=content_type, headers=headers)


def _disposition(kind: str, filename: str) -> str:
    # An ASCII fallback for old clients plus the exact name in RFC 5987 form.
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename)[:100] or "original"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@operation(
    Operation(
        "GET",
        "Similar articles",
        {200: Reply(f"Up to {RELATED_HITS} similar articles", (Related,))},
        errors=(404, 429),
    )
)
async def related(request: Request) -> Response:
    """``GET /api/articles/{id}/related``: articles with similar wording."""
    article_id = request.path_params["article_id"]
    hits = await admitted_search(request, _index(request).related, article_id, RELATED_HITS)
    return ShapeResponse(Related(id=article_id, hits=[Hit.of(h) for h in hits]))


@operation(
    Operation(
        "GET",
        "The other versions of the article's story",
        {200: Reply("The story id and the other versions, oldest first", (Versions,))},
        errors=(404,),
        description="Versions are articles that print one text (an agency copy with "
        "another lead, cut or lightly edited, in another outlet). A new article's story is "
        "assigned a moment after it becomes searchable; until then it has no versions.",
    )
)
async def versions(request: Request) -> Response:
    """``GET /api/articles/{id}/versions``: the other articles of the same story."""
    article_id = request.path_params["article_id"]
    found = await run_in_threadpool(_index(request).versions, article_id)
    listed = [Version.of(h) for h in found.others]
    return ShapeResponse(Versions(id=article_id, story=found.story, versions=listed))


@operation(
    Operation(
        "GET",
        "Counts, and whether index and store are in step",
        {200: Reply("Statistics", (Stats,))},
    )
)
async def stats(request: Request) -> Response:
    """``GET /api/stats``: articles per outlet and year, and whether the index is in step."""

    def collect() -> Stats:
        return Stats.of(_store(request).stats(), _index(request).status())

    return ShapeResponse(await run_in_threadpool(collect))


@operation(Operation("GET", "Liveness", {200: Reply("Alive", (Health,))}))
async def healthz(request: Request) -> Response:
    """``GET /healthz``: 200 when the store answers; cheap enough for a load balancer."""
    count = await run_in_threadpool(_store(request).count)
    return ShapeResponse(Health(status="ok", articles=count))


# -- writing -------------------------------------------------------------------

_REJECTED = Reply("No item could be kept", (UploadRejected, Error))


@operation(
    Operation(
        "POST",
        "Upload articles",
        {
            201: Reply("At least one article created", (UploadSummary,)),
            200: Reply("Only duplicates", (UploadSummary,)),
            415: _REJECTED,
            422: _REJECTED,
        },
        errors=(400, 401, 403, 408, 413, 507),
        takes_upload=True,
    )
)
async def upload(request: Request) -> Response:
    """``POST /api/articles``: multipart files or a JSON body; one result per item."""
    outcome = await take_upload(request)
    summary = outcome.summary()
    if outcome.status < 400:
        return ShapeResponse(summary, status_code=outcome.status)
    if outcome.status == 422:
        code, message = ErrorCode.NOT_AN_ARTICLE, "no uploaded item is an article we can keep"
    else:
        code, message = ErrorCode.UNSUPPORTED_MEDIA_TYPE, "no uploaded file has a type we can read"
    error = ErrorDetail(status=outcome.status, code=code, message=message)
    rejected = UploadRejected(**msgspec.structs.asdict(summary), error=error)
    return ShapeResponse(rejected, status_code=outcome.status)
