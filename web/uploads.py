"""Reading upload bodies as they arrive, with every size limit enforced on the way.

A 2 GB file must cost us at most ``max_file_bytes`` of disk and a few chunks
of memory before we answer 413. So we check ``Content-Length`` before reading
anything, then count bytes chunk by chunk — per file and for the whole request —
and write file parts straight to a temporary directory. ``Content-Length`` can
lie or be absent (chunked encoding), which is why the counting is not optional.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from pressearchiv.settings import Settings
from pressearchiv.web.errors import BadParameter, PayloadTooLarge, RequestTimeout
from pressearchiv.web.outcomes import ErrorCode

__all__ = [
    "ReceivedFile",
    "ReceivedForm",
    "UploadLimits",
    "receive_body",
    "receive_multipart",
]

# Form fields are short (title, outlet, date, url, token); files are the payload.
MAX_FIELD_BYTES = 8 * 1024
MAX_FIELDS = 20
FILE_FIELD = "file"


@dataclass(frozen=True)
class UploadLimits:
    max_file_bytes: int
    max_files: int
    max_request_bytes: int
    body_timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadLimits:
        return cls(
            settings.max_file_bytes,
            settings.max_files,
            settings.max_request_bytes,
            settings.body_timeout,
        )


@dataclass(frozen=True)
class ReceivedFile:
    """One uploaded file, spooled to ``path``; its name is for display only."""

    filename: str | None
    content_type: str | None
    path: Path

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


@dataclass
class ReceivedForm:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[ReceivedFile] = field(default_factory=list)


def check_content_length(request: Request, limit: int, what: str) -> None:
    """Refuse a body that announces itself as too large before reading a byte of it."""
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.isdigit():
        raise BadParameter("the Content-Length header is not a number", code=ErrorCode.BAD_REQUEST)
    if int(declared) > limit:
        raise PayloadTooLarge(f"{what} is larger than the limit of {_megabytes(limit)}")


async def _pieces(request: Request, pause: float) -> AsyncIterator[bytes]:
    """The body as it arrives; RequestTimeout when it stops for ``pause`` seconds.

    A body that stops half-way would otherwise hold its connection (and the
    spool file) for ever: the head deadline of ``web/connections.py`` ends
    when the head is complete.
    """
    stream = request.stream().__aiter__()
    while True:
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), timeout=pause)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise RequestTimeout(
                f"the upload stopped arriving for {pause:g} s; nothing of it was stored"
            ) from None
        yield chunk


async def receive_body(request: Request, limit: int, pause: float) -> bytes:
    """The whole body (a JSON upload), refusing it once it passes ``limit`` bytes."""
    check_content_length(request, limit, "the request body")
    chunks: list[bytes] = []
    received = 0
    try:
        async for chunk in _pieces(request, pause):
            received += len(chunk)
            if received > limit:
                raise PayloadTooLarge(
                    f"the request body is larger than the limit of {_megabytes(limit)}"
                )
            chunks.append(chunk)
    except ClientDisconnect:
        raise BadParameter(
            "the client went away during the upload", code=ErrorCode.BAD_REQUEST
        ) from None
    return b"".join(chunks)


async def receive_multipart(
    request: Request,
    limits: UploadLimits,
    tmp_dir: Path,
    before_first_file: Callable[[Mapping[str, str]], None],
) -> ReceivedForm:
    """Stream a ``multipart/form-data`` body: fields into memory, files into ``tmp_dir``.

    ``before_first_file`` sees the fields sent before the first file (the HTML
    form puts its token first) and may raise to stop the upload before any file
    byte is written.
    """
    check_content_length(request, limits.max_request_bytes, "the upload")
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise BadParameter("the multipart body has no boundary", code=ErrorCode.BAD_REQUEST)
    collector = _Collector(limits, tmp_dir, before_first_file)
    try:
        parser = MultipartParser(boundary, collector.callbacks())  # type: ignore[arg-type]
        received = 0
        async for chunk in _pieces(request, limits.body_timeout):
            received += len(chunk)
            if received > limits.max_request_bytes:
                raise PayloadTooLarge(
                    f"the upload is larger than the limit of {_megabytes(limits.max_request_bytes)}"
                )
            parser.write(chunk)
        parser.finalize()
    except (FormParserError, ValueError) as exc:
        raise BadParameter(
            f"the multipart body cannot be read: {exc}", code=ErrorCode.BAD_REQUEST
        ) from None
    except ClientDisconnect:
        raise BadParameter(
            "the client went away during the upload", code=ErrorCode.BAD_REQUEST
        ) from None
    finally:
        collector.close()
    if collector.in_part:
        raise BadParameter(
            "the multipart body ends in the middle of a part", code=ErrorCode.BAD_REQUEST
        )
    return collector.form


class _Collector:
    """Callbacks for python-multipart's push parser; raising in one aborts the parse."""

    def __init__(
        self,
        limits: UploadLimits,
        tmp_dir: Path,
        before_first_file: Callable[[Mapping[str, str]], None],
    ) -> None:
        self.limits = limits
        self.tmp_dir = tmp_dir
        self.before_first_file = before_first_file
        self.form = ReceivedForm()
        self.in_part = False
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._filename: str | None = None
        self._content_type: str | None = None
        self._file: BinaryIO | None = None
        self._path: Path | None = None
        self._size = 0
        self._value = bytearray()
        self._fields = 0

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self.in_part = True
        self._headers = {}
        self._value = bytearray()
        self._size = 0

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[bytes(self._header_field).lower()] = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = options.get(b"filename")
        self._filename = (
            safe_filename(raw_filename.decode("utf-8", "replace"))
            if (raw_filename is not None)
            else None
        )
        content_type = self._headers.get(b"content-type")
        self._content_type = content_type.decode("latin-1").strip() if content_type else None
        if self._is_file():
            if not self.form.files:
                self.before_first_file(self.form.fields)
            if len(self.form.files) >= self.limits.max_files:
                raise PayloadTooLarge(
                    f"too many files: at most {self.limits.max_files} per upload",
                    code=ErrorCode.TOO_MANY_FILES,
                )
            self._path = self.tmp_dir / f"upload-{len(self.form.files):04d}"
            self._file = self._path.open("wb")
        else:
            self._fields += 1
            if self._fields > MAX_FIELDS:
                raise BadParameter(f"too many form fields: at most {MAX_FIELDS}")

    def _is_file(self) -> bool:
        # A part named "file" is a file even when a client leaves out the filename.
        return self._filename is not None or self._name == FILE_FIELD

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        piece = data[start:end]
        self._size += len(piece)
        if self._file is not None:
            if self._size > self.limits.max_file_bytes:
                name = f" {self._filename!r}" if self._filename else ""
                raise PayloadTooLarge(
                    f"the file{name} is larger than the limit of "
                    f"{_megabytes(self.limits.max_file_bytes)}"
                )
            # Chunks are at most a socket read (~64 KiB); writing them to the page
            # cache is quicker than a hop to the thread pool would be.
            self._file.write(piece)
        else:
            if self._size > MAX_FIELD_BYTES:
                raise BadParameter(f"the form field {self._name!r} is too long")
            self._value += piece

    def on_part_end(self) -> None:
        self.in_part = False
        if self._file is not None and self._path is not None:
            self._file.close()
            self._file = None
            if self._size == 0 and self._filename is None:
                # What a browser sends for a file input left empty: not an upload.
                self._path.unlink()
                return
            self.form.files.append(ReceivedFile(self._filename, self._content_type, self._path))
        else:
            value = bytes(self._value).decode("utf-8", "replace")
            self.form.fields[self._name] = value

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def safe_filename(name: str) -> str | None:
    """The last path component without control characters, at most 200 characters."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = _UNSAFE.sub("", base).strip()[:200]
    return base or None


def _megabytes(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{limit} bytes"
