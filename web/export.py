"""Exports of a search's whole result set as CSV or JSON Lines, streamed.

The index yields matching ids (``scan_ids``); we fetch their metadata from the
store in batches and write rows as we go, so a 100,000-row export never sits
in memory. The first batch is fetched before the response starts, so a bad
query still gets a proper 400 instead of a broken half-sent file.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from pressearchiv.archive.model import Article
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex
from pressearchiv.web.params import search_request

__all__ = ["CSV_COLUMNS", "csv_cell", "export_csv", "export_jsonl"]

BATCH = 500

CSV_COLUMNS = (
    "id",
    "date",
    "date_precision",
    "outlet",
    "title",
    "author",
    "url",
    "source_name",
    "ingested_at",
    "text",
)

# A cell starting with one of these is a formula to Excel and LibreOffice
# (tab and CR too: some spreadsheets strip them and then see the "=").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """One CSV cell, defused: a leading formula character gets a ``'`` in front."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _row(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "date": article.date.isoformat() if article.date else None,
        "date_precision": article.date_precision.value if article.date_precision else None,
        "outlet": article.outlet,
        "title": article.title,
        "author": article.author,
        "url": article.url,
        "source_name": article.source_name,
        "ingested_at": article.ingested_at.isoformat(),
        "text": article.text,
    }


def _batches(request: Request) -> Iterator[list[Article]]:
    """Articles of the whole result set (up to export_limit), BATCH at a time."""
    settings = request.app.state.settings
    index: SearchIndex = request.app.state.index
    store: ArchiveStore = request.app.state.store
    search = replace(search_request(request.query_params, settings), facets=False, snippets=False)
    ids = index.scan_ids(search, settings.export_limit)
    while True:
        chunk = list(itertools.islice(ids, BATCH))
        if not chunk:
            return
        yield store.get_many(chunk)


async def _stream(
    request: Request,
    render: Callable[[Iterator[list[Article]]], Iterator[str]],
    media_type: str,
    suffix: str,
) -> Response:
    batches = _batches(request)
    # Pull the first batch now: parameter and query errors surface as 4xx here.
    first = await run_in_threadpool(next, batches, None)
    chained = itertools.chain([first] if first is not None else [], batches)
    headers = {"Content-Disposition": f'attachment; filename="pressearchiv-export.{suffix}"'}
    # A sync iterator: Starlette pulls it in the thread pool, one batch at a time.
    return StreamingResponse(render(chained), media_type=media_type, headers=headers)


def _csv_lines(batches: Iterator[list[Article]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # The BOM makes Excel read the umlauts as UTF-8 instead of Windows-1252.
    yield "\ufeff"
    writer.writerow(CSV_COLUMNS)
    for batch in batches:
        for article in batch:
            row = _row(article)
            writer.writerow([csv_cell(row[column]) for column in CSV_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _json_lines(batches: Iterator[list[Article]]) -> Iterator[str]:
    for batch in batches:
        yield "".join(json.dumps(_row(a), ensure_ascii=False) + "\n" for a in batch)


async def export_csv(request: Request) -> Response:
    """``GET /api/search.csv``: the result set as CSV (UTF-8 with BOM)."""
    return await _stream(request, _csv_lines, "text/csv; charset=utf-8", "csv")


async def export_jsonl(request: Request) -> Response:
    """``GET /api/search.jsonl``: the result set as JSON Lines, one article per line."""
    return await _stream(request, _json_lines, "application/x-ndjson", "jsonl")
