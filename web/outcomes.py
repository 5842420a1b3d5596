"""The shapes of outcomes: what became of each uploaded item, and every error.

Like the models in ``web/shapes.py`` (whose base and conventions these share),
each is defined once and serves the responses and the OpenAPI document alike.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from msgspec import Meta

from pressearchiv.web.shapes import ArticleId, Shape

__all__ = [
    "Error",
    "ErrorCode",
    "ErrorDetail",
    "ItemResult",
    "ItemStatus",
    "UploadRejected",
    "UploadSummary",
]


class ErrorCode(StrEnum):
    """The machine-readable ``code`` of every error the service answers with."""

    BAD_REQUEST = "bad_request"
    INVALID_PARAMETER = "invalid_parameter"
    INVALID_DATE = "invalid_date"
    NO_FILE = "no_file"
    QUERY_TOO_COMPLEX = "query_too_complex"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    UPLOADS_DISABLED = "uploads_disabled"
    INVALID_TOKEN = "invalid_token"
    CROSS_SITE = "cross_site"
    INVALID_HOST = "invalid_host"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    REQUEST_TIMEOUT = "request_timeout"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    TOO_MANY_FILES = "too_many_files"
    TOO_MANY_ITEMS = "too_many_items"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    UNPROCESSABLE = "unprocessable"
    EMPTY_INPUT = "empty_input"
    UNDECODABLE_INPUT = "undecodable_input"
    MALFORMED_JSON = "malformed_json"
    NOT_AN_ARTICLE = "not_an_article"
    OVERLOADED = "overloaded"
    INTERNAL_ERROR = "internal_error"
    UNAVAILABLE = "unavailable"
    INDEX_UNAVAILABLE = "index_unavailable"
    STORAGE_UNAVAILABLE = "storage_unavailable"
    INSUFFICIENT_STORAGE = "insufficient_storage"


class ItemStatus(StrEnum):
    """What became of one uploaded item."""

    CREATED = "created"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class ItemResult(Shape):
    """What became of one uploaded file, or of one line or entry in it."""

    source: Annotated[str | None, Meta(description="The file's name")]
    line: Annotated[int | None, Meta(description="The line in a JSON Lines file")]
    result: ItemStatus
    status: Annotated[int, Meta(description="The HTTP status this item alone would get")]
    id: ArticleId | None
    title: str | None
    code: ErrorCode | None
    reason: Annotated[str | None, Meta(description="Why the item was rejected")]


class UploadSummary(Shape):
    """One result per uploaded item, and their counts."""

    created: int
    duplicates: int
    rejected: int
    indexed: Annotated[bool, Meta(description="Every new article is searchable already")]
    results: Annotated[
        list[ItemResult],
        Meta(description="One per item, in the order of the request: file by file, entry by entry"),
    ]


class ErrorDetail(Shape):
    """What went wrong: the HTTP status, a stable code and a message for people."""

    status: int
    code: ErrorCode
    message: str


class Error(Shape):
    """The body of every error."""

    error: ErrorDetail


class UploadRejected(UploadSummary):
    """An upload of which no item could be kept: the error, and each item's result."""

    error: ErrorDetail
