"""One entry point from uploaded bytes to article drafts: :func:`parse_document`.

It detects the format (plain text, JSON, JSON Lines, HTML), decodes, extracts
metadata and cleans the text. A problem with the whole file raises a
:class:`~pressearchiv.archive.errors.ParseError`; a problem with one article of a batch
(a bad JSON line) becomes a ParseError *item*, so the good ones are kept.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pressearchiv.archive import metadata, pages
from pressearchiv.archive.characters import LoneSurrogate, check_json_strings
from pressearchiv.archive.decoding import decode_bytes
from pressearchiv.archive.errors import InvalidDate, MalformedJSON, ParseError, UnsupportedFormat
from pressearchiv.archive.json_records import json_records, too_many
from pressearchiv.archive.model import ArticleDraft, DocumentFormat, Overrides
from pressearchiv.archive.pages import DEFAULT_EXTRACTION, ExtractionSettings

__all__ = [
    "JSONL_SUFFIXES",
    "ParsedDocument",
    "detect_format",
    "parse_document",
    "parse_jsonl_lines",
]

_TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
_JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".jsonlines"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
_CONTENT_TYPES = {
    "text/plain": DocumentFormat.TEXT,
    "application/json": DocumentFormat.JSON,
    "application/x-ndjson": DocumentFormat.JSONL,
    "application/jsonl": DocumentFormat.JSONL,
    "application/x-jsonlines": DocumentFormat.JSONL,
    "text/html": DocumentFormat.HTML,
    "application/xhtml+xml": DocumentFormat.HTML,
}
CONTENT_TYPE_OF = {
    DocumentFormat.TEXT: "text/plain; charset=utf-8",
    DocumentFormat.JSON: "application/json",
    DocumentFormat.JSONL: "application/json",
    DocumentFormat.HTML: "text/html; charset=utf-8",
}


@dataclass
class ParsedDocument:
    format: DocumentFormat
    encoding: str | None
    items: list[ArticleDraft | ParseError] = field(default_factory=list)

    @property
    def drafts(self) -> list[ArticleDraft]:
        return [item for item in self.items if isinstance(item, ArticleDraft)]

    @property
    def errors(self) -> list[ParseError]:
        return [item for item in self.items if isinstance(item, ParseError)]


def parse_document(
    data: bytes,
    filename: str | None = None,
    *,
    content_type: str | None = None,
    overrides: Overrides | None = None,
    extraction: ExtractionSettings = DEFAULT_EXTRACTION,
    max_items: int | None = None,
) -> ParsedDocument:
    """Parse an uploaded document into article drafts.

    ``filename`` is only a hint (and the name errors are reported under); the
    content decides. ``extraction`` tunes how HTML pages are read (the
    benchmark compares settings with it). Raises a ParseError subclass when
    nothing in it can become an article, and TooManyItems when it holds more
    than ``max_items`` articles (None: no limit), before reading the rest.
    """
    decoded = decode_bytes(data, source=filename)
    fmt = detect_format(decoded.text, filename, content_type)
    overrides = overrides or Overrides()
    doc = ParsedDocument(format=fmt, encoding=decoded.encoding)
    if fmt is DocumentFormat.TEXT:
        doc.items.append(
            metadata.draft_from_text(decoded.text, data, filename, decoded.encoding, overrides)
        )
    elif fmt is DocumentFormat.HTML:
        doc.items.append(
            pages.draft_from_html(
                decoded.text, data, filename, decoded.encoding, overrides, extraction
            )
        )
    elif fmt is DocumentFormat.JSONL:
        doc.items.extend(_parse_jsonl(decoded.text, filename, overrides, max_items))
    else:
        doc.items.extend(_parse_json(decoded.text, data, filename, overrides, max_items))
    return doc


def detect_format(text: str, filename: str | None, content_type: str | None) -> DocumentFormat:
    """Decide the format from the content, using the name and type as tie-breakers."""
    head = text.lstrip()[:2048]
    lowered = head.lower()
    suffix = _suffix(filename)
    declared = _CONTENT_TYPES.get((content_type or "").split(";")[0].strip().lower())
    if (
        content_type
        and declared is None
        and not content_type.startswith(("text/", "application/octet-stream", "multipart/"))
    ):
        raise UnsupportedFormat(
            f"the type {content_type.split(';')[0]!r} is not supported; upload plain "
            "text, JSON, JSON Lines or HTML",
            source=filename,
        )
    if declared is DocumentFormat.JSON and not head.startswith(("{", "[")):
        # Declared JSON that is a bare value (42, "x", null) or no JSON at all.
        return DocumentFormat.JSON
    if head.startswith(("{", "[")):
        if suffix in JSONL_SUFFIXES or declared is DocumentFormat.JSONL:
            return DocumentFormat.JSONL
        if head.startswith("{") and _looks_like_jsonl(text):
            return DocumentFormat.JSONL
        return DocumentFormat.JSON
    if lowered.startswith(("<!doctype html", "<html", "<?xml", "<head", "<body", "<article")):
        return DocumentFormat.HTML
    if (suffix in _HTML_SUFFIXES or declared is DocumentFormat.HTML) and "<" in head:
        return DocumentFormat.HTML
    if suffix in _JSON_SUFFIXES | JSONL_SUFFIXES:
        raise MalformedJSON("is named as JSON but does not start with { or [", source=filename)
    return DocumentFormat.TEXT


def _suffix(filename: str | None) -> str:
    if not filename or "." not in filename.rsplit("/", 1)[-1]:
        return ""
    return "." + filename.rsplit(".", 1)[-1].lower()


def _looks_like_jsonl(text: str) -> bool:
    """Several lines, the first a complete JSON object of its own."""
    lines = [line for line in text.split("\n", 3)[:3] if line.strip()]
    if len(lines) < 2:
        return False
    try:
        return isinstance(json.loads(lines[0]), dict)
    except (ValueError, RecursionError):
        return False


def _parse_json(
    text: str, data: bytes, filename: str | None, overrides: Overrides, limit: int | None
) -> list[ArticleDraft | ParseError]:
    records, single = json_records(text, filename, limit)
    items: list[ArticleDraft | ParseError] = []
    for position, record in enumerate(records, start=1):
        # A lone object keeps the file's own bytes; list members are re-serialised.
        raw = data if single else None
        where = None if single else position
        items.append(_record_item(record, raw, filename, where, overrides, DocumentFormat.JSON))
    return items


def _parse_jsonl(
    text: str, filename: str | None, overrides: Overrides, limit: int | None
) -> Iterator[ArticleDraft | ParseError]:
    seen_any = False
    count = 0
    # Split on "\n" only: str.splitlines() would also split at U+2028 and U+0085,
    # which are legal inside JSON strings (and do occur in real exports).
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        seen_any = True
        count += 1
        if limit is not None and count > limit:
            raise too_many(limit, filename, number)
        yield _jsonl_item(line, number, filename, overrides)
    if not seen_any:
        raise MalformedJSON("holds no JSON lines", source=filename)


def parse_jsonl_lines(
    lines: Iterable[bytes], filename: str | None, overrides: Overrides | None = None
) -> Iterator[ArticleDraft | ParseError]:
    """The articles of a JSON Lines file given line by line, as bytes split at
    ``\n``: a large export is parsed as it is read, never held whole.

    Each line is decoded on its own: UTF-8 (a BOM on the first line is
    skipped), else what :func:`decode_bytes` finds for it. A bad line
    becomes a ParseError item; a file without any line raises MalformedJSON
    (after the stream is exhausted).
    """
    overrides = overrides or Overrides()
    seen_any = False
    for number, raw in enumerate(lines, start=1):
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        if not raw.strip():
            continue
        seen_any = True
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                line = decode_bytes(raw, source=filename).text
            except ParseError as exc:
                yield type(exc)(exc.reason, source=filename, line=number)
                continue
        yield _jsonl_item(line, number, filename, overrides)
    if not seen_any:
        raise MalformedJSON("holds no JSON lines", source=filename)


def _jsonl_item(
    line: str, number: int, filename: str | None, overrides: Overrides
) -> ArticleDraft | ParseError:
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        return MalformedJSON(f"is not valid JSON ({reason})", source=filename, line=number)
    raw = line.encode("utf-8")
    return _record_item(record, raw, filename, number, overrides, DocumentFormat.JSONL)


def _record_item(
    record: Any,
    raw: bytes | None,
    filename: str | None,
    line: int | None,
    overrides: Overrides,
    fmt: DocumentFormat,
) -> ArticleDraft | ParseError:
    if not isinstance(record, dict):
        return MalformedJSON(
            f"is a JSON {type(record).__name__}, not an article object", source=filename, line=line
        )
    try:
        check_json_strings(record)
    except LoneSurrogate as exc:
        return MalformedJSON(str(exc), source=filename, line=line)
    if raw is None:
        raw = json.dumps(record, ensure_ascii=False).encode("utf-8")
    try:
        return metadata.draft_from_record(record, raw, filename, fmt, overrides)
    except ParseError as exc:
        return type(exc)(exc.reason, source=filename, line=line)
    except InvalidDate as exc:
        return MalformedJSON(str(exc), source=filename, line=line)
