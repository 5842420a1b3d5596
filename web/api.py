"""The JSON API: search, articles, upload, stats and health.

Every store or index call is synchronous work and runs in the thread pool, so a
slow search never stalls the event loop that serves everyone else.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pressearchiv.archive.errors import InvalidDate
from pressearchiv.archive.model import Article, Overrides, PartialDate
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex
from pressearchiv.index.request import Facets, FacetValue, Hit, SearchResponse
from pressearchiv.settings import Settings
from pressearchiv.web.access import check_write_access, presented_token
from pressearchiv.web.errors import BadParameter, UnsupportedMediaType, error_response
from pressearchiv.web.ingest import IngestOutcome, UploadItem, ingest
from pressearchiv.web.params import search_request
from pressearchiv.web.uploads import ReceivedFile, UploadLimits, receive_body, receive_multipart

__all__ = [
    "article",
    "article_json",
    "healthz",
    "hit_json",
    "raw",
    "related",
    "run_upload",
    "search",
    "search_json",
    "stats",
    "upload",
]

MAX_OVERRIDE_CHARS = 500


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _store(request: Request) -> ArchiveStore:
    return request.app.state.store  # type: ignore[no-any-return]


def _index(request: Request) -> SearchIndex:
    return request.app.state.index  # type: ignore[no-any-return]


# -- JSON shapes ---------------------------------------------------------------


def _date_json(date: PartialDate | None) -> tuple[str | None, str | None]:
    return (date.isoformat(), date.precision.value) if date else (None, None)


def hit_json(hit: Hit) -> dict[str, Any]:
    date, precision = _date_json(hit.date)
    return {
        "id": hit.id,
        "title": hit.title,
        "outlet": hit.outlet,
        "date": date,
        "date_precision": precision,
        "url": hit.url,
        "snippet": hit.snippet,
        "score": hit.score,
    }


def _facet_values(values: list[FacetValue]) -> list[dict[str, Any]]:
    return [{"value": v.value, "count": v.count, "selected": v.selected} for v in values]


def facets_json(facets: Facets) -> dict[str, Any]:
    return {
        "outlet": _facet_values(facets.outlet),
        "year": _facet_values(facets.year),
        "month": _facet_values(facets.month),
    }


def search_json(response: SearchResponse) -> dict[str, Any]:
    return {
        "total": response.total,
        "page": response.page,
        "size": response.size,
        "hits": [hit_json(h) for h in response.hits],
        "facets": facets_json(response.facets),
        "suggestion": response.suggestion,
        "ignored": list(response.ignored),
        "took_ms": response.took_ms,
        "timed_out": response.timed_out,
    }


def article_json(article: Article) -> dict[str, Any]:
    date, precision = _date_json(article.date)
    return {
        "id": article.id,
        "title": article.title,
        "text": article.text,
        "outlet": article.outlet,
        "date": date,
        "date_precision": precision,
        "date_source": article.date_source.value if article.date_source else None,
        "url": article.url,
        "author": article.author,
        "source_name": article.source_name,
        "format": article.format.value,
        "content_type": article.content_type,
        "encoding": article.encoding,
        "raw_size": article.raw_size,
        "ingested_at": article.ingested_at.isoformat(),
        "raw_url": f"/api/articles/{quote(article.id)}/raw",
        "related_url": f"/api/articles/{quote(article.id)}/related",
    }


# -- reading -------------------------------------------------------------------


async def search(request: Request) -> Response:
    """``GET /api/search``: one page of hits with facets; an empty ``q`` browses."""
    search_req = search_request(request.query_params, _settings(request))
    response = await run_in_threadpool(_index(request).search, search_req)
    return JSONResponse(search_json(response))


async def article(request: Request) -> Response:
    """``GET /api/articles/{id}``: metadata and clean text."""
    found = await run_in_threadpool(_store(request).get, request.path_params["article_id"])
    return JSONResponse(article_json(found))


# Types we hand back as they came; anything odd is served as opaque bytes.
_SAFE_TYPE = re.compile(r"^[a-z0-9.+-]+/[a-z0-9.+-]+(; ?charset=[a-z0-9_.:-]+)?$", re.IGNORECASE)
_INLINE_TYPES = ("text/plain", "application/json", "application/x-ndjson", "application/jsonl")


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


async def related(request: Request) -> Response:
    """``GET /api/articles/{id}/related``: articles with similar wording."""
    article_id = request.path_params["article_id"]
    hits = await run_in_threadpool(_index(request).related, article_id, 5)
    return JSONResponse({"id": article_id, "hits": [hit_json(h) for h in hits]})


async def stats(request: Request) -> Response:
    """``GET /api/stats``: articles per outlet and year, and whether the index is in step."""

    def collect() -> dict[str, Any]:
        store_stats = _store(request).stats()
        status = _index(request).status()
        return {
            "total": store_stats.total,
            "by_outlet": [{"value": k, "count": v} for k, v in store_stats.by_outlet.items()],
            "by_year": [{"value": k, "count": v} for k, v in store_stats.by_year.items()],
            "index": {
                "store_count": status.store_count,
                "index_count": status.index_count,
                "in_step": status.in_step,
                "pending": status.pending,
            },
        }

    return JSONResponse(await run_in_threadpool(collect))


async def healthz(request: Request) -> Response:
    """``GET /healthz``: 200 when the store answers; cheap enough for a load balancer."""
    count = await run_in_threadpool(_store(request).count)
    return JSONResponse({"status": "ok", "articles": count})


# -- writing -------------------------------------------------------------------


async def upload(request: Request) -> Response:
    """``POST /api/articles``: multipart files or a JSON body; one result per item."""
    outcome = await run_upload(request)
    body = outcome.summary()
    if outcome.status >= 400:
        message = (
            "no uploaded item is an article we can keep"
            if outcome.status == 422
            else "no uploaded file has a type we can read"
        )
        code = "not_an_article" if outcome.status == 422 else "unsupported_media_type"
        return error_response(outcome.status, code, message, extra=body)
    return JSONResponse(body, status_code=outcome.status)


async def run_upload(request: Request) -> IngestOutcome:
    """Authorise, receive and ingest an upload; shared by the API and the HTML form."""
    settings = _settings(request)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    early = settings.api_token is None or presented_token(request) is not None
    if early or media_type not in ("multipart/form-data",):
        # Decide before reading the body whenever the body cannot change the answer.
        check_write_access(request, settings)
    if media_type == "application/json":
        data = await receive_body(request, settings.max_file_bytes)
        item = UploadItem(data, None, "application/json")
        return await run_in_threadpool(
            ingest, [item], Overrides(), _store(request), _index(request)
        )
    if media_type != "multipart/form-data":
        raise UnsupportedMediaType(
            "send multipart/form-data with 'file' fields, or an application/json body"
        )
    settings.upload_tmp_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.upload_tmp_dir) as tmp:
        form = await receive_multipart(
            request,
            UploadLimits.from_settings(settings),
            Path(tmp),
            before_first_file=lambda fields: check_write_access(request, settings, fields),
        )
        if not early:
            check_write_access(request, settings, form.fields)
        if not form.files:
            raise BadParameter("the upload has no 'file' field", code="no_file")
        overrides = overrides_from_form(form.fields)
        items = _read_lazily(form.files)
        return await run_in_threadpool(ingest, items, overrides, _store(request), _index(request))


def _read_lazily(files: list[ReceivedFile]) -> Iterator[UploadItem]:
    # Read one file at a time inside the worker thread, not all of them up front.
    for received in files:
        yield UploadItem(received.read_bytes(), received.filename, received.content_type)


def overrides_from_form(fields: dict[str, str]) -> Overrides:
    """Metadata the uploader typed in; blank fields mean "use what extraction finds"."""
    values = {k: fields.get(k, "").strip() or None for k in ("title", "outlet", "date", "url")}
    for name, value in values.items():
        if value is not None and (len(value) > MAX_OVERRIDE_CHARS or "\x00" in value):
            raise BadParameter(f"the field {name!r} is too long or contains a NUL character")
    date = None
    if values["date"]:
        try:
            date = PartialDate.parse(values["date"])
        except InvalidDate as exc:
            raise BadParameter(f"the field 'date': {exc}", code="invalid_date") from None
    url = values["url"]
    if url is not None:
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. an unbalanced "[" in the host
            parts = urlsplit("")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BadParameter("the field 'url' must be an http:// or https:// address")
    return Overrides(title=values["title"], outlet=values["outlet"], date=date, url=url)
