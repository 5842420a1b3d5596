"""One upload request, end to end: authorise, receive, ingest.

The JSON API (``POST /api/articles``) and the HTML form (``POST /hochladen``)
both take uploads through :func:`take_upload` and differ only in how they show
the outcome. ``web/uploads.py`` reads the bytes under their limits and
``web/ingest.py`` turns them into stored, searchable articles.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from pressearchiv.archive.errors import InvalidDate
from pressearchiv.archive.model import Overrides, PartialDate
from pressearchiv.settings import Settings
from pressearchiv.web.access import check_write_access, presented_token
from pressearchiv.web.errors import BadParameter, UnsupportedMediaType
from pressearchiv.web.ingest import IngestOutcome, UploadItem, ingest
from pressearchiv.web.outcomes import ErrorCode
from pressearchiv.web.uploads import ReceivedFile, UploadLimits, receive_body, receive_multipart

__all__ = ["MAX_OVERRIDE_CHARS", "OVERRIDE_FIELDS", "overrides_from_form", "take_upload"]

MAX_OVERRIDE_CHARS = 500
OVERRIDE_FIELDS = ("title", "outlet", "date", "url")


async def take_upload(request: Request) -> IngestOutcome:
    """Authorise, receive and ingest an upload; :class:`ApiError` if it cannot be taken."""
    settings: Settings = request.app.state.settings
    store, index = request.app.state.store, request.app.state.index
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    early = settings.api_token is None or presented_token(request) is not None
    if early or media_type != "multipart/form-data":
        # Decide before reading the body whenever the body cannot change the answer.
        check_write_access(request, settings)
    if media_type == "application/json":
        data = await receive_body(request, settings.max_file_bytes, settings.body_timeout)
        item = UploadItem(data, None, "application/json")
        return await run_in_threadpool(
            ingest, [item], Overrides(), store, index, settings.max_items
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
            raise BadParameter("the upload has no 'file' field", code=ErrorCode.NO_FILE)
        overrides = overrides_from_form(form.fields)
        items = _read_lazily(form.files)
        return await run_in_threadpool(ingest, items, overrides, store, index, settings.max_items)


def _read_lazily(files: list[ReceivedFile]) -> Iterator[UploadItem]:
    # Read one file at a time inside the worker thread, not all of them up front.
    for received in files:
        yield UploadItem(received.read_bytes(), received.filename, received.content_type)


def overrides_from_form(fields: dict[str, str]) -> Overrides:
    """Metadata the uploader typed in; blank fields mean "use what extraction finds"."""
    sent = {k: fields.get(k, "") for k in OVERRIDE_FIELDS}
    for name, text in sent.items():
        # The limit counts what was sent, as the schema says.
        if len(text) > MAX_OVERRIDE_CHARS or "\x00" in text:
            raise BadParameter(f"the field {name!r} is too long or contains a NUL character")
    values = {k: text.strip() or None for k, text in sent.items()}
    date = None
    if values["date"]:
        try:
            date = PartialDate.parse(values["date"])
        except InvalidDate as exc:
            raise BadParameter(f"the field 'date': {exc}", code=ErrorCode.INVALID_DATE) from None
    url = values["url"]
    if url is not None:
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. an unbalanced "[" in the host
            parts = urlsplit("")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BadParameter("the field 'url' must be an http:// or https:// address")
    return Overrides(title=values["title"], outlet=values["outlet"], date=date, url=url)
