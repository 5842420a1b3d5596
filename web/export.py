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
import re
from collections.abc import Callable, Iterator
from dataclasses import replace

import msgspec
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from pressearchiv.archive.model import Article
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex
from pressearchiv.settings import Settings
from pressearchiv.web.admission import admitted_search
from pressearchiv.web.operations import Operation, Reply, operation
from pressearchiv.web.params import SEARCH_PARAMS, search_request
from pressearchiv.web.shapes import ExportRow

__all__ = ["CSV_COLUMNS", "csv_cell", "export_csv", "export_jsonl"]

BATCH = 500

# The columns are the fields of the one export shape, in its order.
CSV_COLUMNS: tuple[str, ...] = ExportRow.__struct_fields__

# A cell starting with one of these is a formula to Excel and LibreOffice
# (tab and CR too: some spreadsheets strip them and then see the "=").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The same after a separator inside a cell: a spreadsheet that splits at ";"
# (German locales) or "," regardless of our quotes, or a line break, would
# start a new cell there (OWASP, CSV injection).
_FORMULA_AFTER_SEPARATOR = re.compile(r"([,;\t\r\n][ \t\r\n]*)(?=[=+\-@])")


def csv_cell(value: object) -> str:
    """One CSV cell, defused: every formula start gets a ``'`` in front.

    At the start of the cell and after every ``,``, ``;`` or line break in it,
    so the cell stays text also where a spreadsheet splits it differently.
    Every cell is also quoted by the writer (``QUOTE_ALL``).
    """
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        # The first character is defused by the quote; a tab or CR there is
        # not also a separator to defuse.
        return "'" + text[:1] + _FORMULA_AFTER_SEPARATOR.sub(r"\1'", text[1:])
    return _FORMULA_AFTER_SEPARATOR.sub(r"\1'", text)


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
    render: Callable[[Iterator[list[Article]]], Iterator[str] | Iterator[bytes]],
    media_type: str,
    suffix: str,
) -> Response:
    batches = _batches(request)
    # Pull the first batch now: parameter and query errors surface as 4xx here.
    # Matching the query is the search; later batches only read the store.
    first = await admitted_search(request, next, batches, None)
    chained = itertools.chain([first] if first is not None else [], batches)
    headers = {"Content-Disposition": f'attachment; filename="pressearchiv-export.{suffix}"'}
    # A sync iterator: Starlette pulls it in the thread pool, one batch at a time.
    return StreamingResponse(render(chained), media_type=media_type, headers=headers)


def _csv_lines(batches: Iterator[list[Article]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    # The BOM makes Excel read the umlauts as UTF-8 instead of Windows-1252.
    yield "\ufeff"
    writer.writerow(CSV_COLUMNS)
    for batch in batches:
        for article in batch:
            row = ExportRow.of(article)
            writer.writerow([csv_cell(getattr(row, column)) for column in CSV_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _json_lines(batches: Iterator[list[Article]]) -> Iterator[bytes]:
    encoder = msgspec.json.Encoder()
    for batch in batches:
        yield b"".join(encoder.encode(ExportRow.of(a)) + b"\n" for a in batch)


def _export_note(settings: Settings) -> str:
    return (
        f"The whole result set of the search, at most {settings.export_limit} rows "
        "(PRESSEARCHIV_EXPORT_LIMIT), streamed; page and size are checked but do not apply. "
        "With group=story, one row per story: the version that comes first in the order."
    )


@operation(
    Operation(
        "GET",
        "Export the result set as CSV",
        {
            200: Reply(
                "CSV (UTF-8 with BOM): a header row, then one row per article",
                media_type="text/csv",
                item=ExportRow,
            )
        },
        errors=(400, 429),
        query=SEARCH_PARAMS,
        description=_export_note,
    )
)
async def export_csv(request: Request) -> Response:
    """``GET /api/search.csv``: the result set as CSV (UTF-8 with BOM)."""
    return await _stream(request, _csv_lines, "text/csv; charset=utf-8", "csv")


@operation(
    Operation(
        "GET",
        "Export the result set as JSON Lines",
        {200: Reply("One JSON object per line", media_type="application/x-ndjson", item=ExportRow)},
        errors=(400, 429),
        query=SEARCH_PARAMS,
        description=_export_note,
    )
)
async def export_jsonl(request: Request) -> Response:
    """``GET /api/search.jsonl``: the result set as JSON Lines, one article per line."""
    return await _stream(request, _json_lines, "application/x-ndjson", "jsonl")
