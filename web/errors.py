"""HTTP errors: one JSON shape for every error the service answers with.

Every error body looks like this, whatever raised it::

    {"error": {"status": 413, "code": "payload_too_large", "message": "..."}}

Domain code (``archive``, ``index``) raises plain exceptions without HTTP in
them; :func:`classify` maps them to a status and a code here, and
:func:`error_response` is the single place that renders the body.

ApiError                        raised by web/ itself
 ├── BadParameter          400  a query parameter or form field we cannot use
 ├── Unauthorized          401  a token is configured and none was sent
 ├── Forbidden             403  wrong token, or uploads are closed to this client
 ├── PayloadTooLarge       413  a file or the request body is over its limit
 └── UnsupportedMediaType  415  a body that is neither multipart nor JSON
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pressearchiv.archive.errors import (
    ArticleNotFound,
    BinaryInput,
    DiskFull,
    EmptyInput,
    InvalidDate,
    MalformedJSON,
    NotAnArticle,
    ParseError,
    StorageError,
    UndecodableInput,
    UnsupportedFormat,
)
from pressearchiv.index.errors import IndexUnavailable, QueryTooComplex

__all__ = [
    "ApiError",
    "BadParameter",
    "Forbidden",
    "PayloadTooLarge",
    "Unauthorized",
    "UnsupportedMediaType",
    "classify",
    "error_response",
    "parse_error_code",
]

log = logging.getLogger("pressearchiv.web")


class ApiError(Exception):
    """An error with its HTTP status, a stable machine code and a human message."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class BadParameter(ApiError):
    status = 400
    code = "invalid_parameter"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


# Codes for the ways an upload can fail to be an article. Binary files and
# declared types we do not read are 415; everything else that decodes is 422.
_PARSE_CODES: tuple[tuple[type[ParseError], int, str], ...] = (
    (BinaryInput, 415, "unsupported_media_type"),
    (UnsupportedFormat, 415, "unsupported_media_type"),
    (EmptyInput, 422, "empty_input"),
    (UndecodableInput, 422, "undecodable_input"),
    (MalformedJSON, 422, "malformed_json"),
    (NotAnArticle, 422, "not_an_article"),
)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    500: "internal_error",
    503: "unavailable",
}


def parse_error_code(exc: ParseError) -> tuple[int, str]:
    """Status and code for one rejected upload item."""
    for kind, status, code in _PARSE_CODES:
        if isinstance(exc, kind):
            return status, code
    return 422, "not_an_article"


def classify(exc: BaseException) -> tuple[int, str, str]:
    """Map any exception to (status, code, message); unknown ones become a 500."""
    if isinstance(exc, ApiError):
        return exc.status, exc.code, exc.message
    if isinstance(exc, HTTPException):
        message = _HTTP_MESSAGES.get(exc.status_code, str(exc.detail))
        return exc.status_code, _STATUS_CODES.get(exc.status_code, "error"), message
    if isinstance(exc, ArticleNotFound):
        return 404, "not_found", str(exc)
    if isinstance(exc, ParseError):
        status, code = parse_error_code(exc)
        return status, code, str(exc)
    if isinstance(exc, InvalidDate):
        return 400, "invalid_date", str(exc)
    if isinstance(exc, QueryTooComplex):
        return 400, "query_too_complex", str(exc) or "the query has too many terms"
    if isinstance(exc, IndexUnavailable):
        return 503, "index_unavailable", str(exc) or "the search index is not available"
    if isinstance(exc, DiskFull):
        # 507 tells the client the request was fine and may be retried later.
        return 507, "insufficient_storage", str(exc)
    if isinstance(exc, StorageError):
        return 503, "storage_unavailable", str(exc)
    return 500, "internal_error", "an unexpected error occurred; it has been logged"


_HTTP_MESSAGES = {
    404: "no such page or endpoint",
    405: "this method is not allowed here",
}


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    extra: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """THE renderer of error bodies. ``extra`` adds top-level keys (e.g. upload results)."""
    body: dict[str, Any] = {"error": {"status": status, "code": code, "message": message}}
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=dict(headers) if headers else None)


def wants_html(request: Request) -> bool:
    """Browsers visiting pages get an HTML error page; API clients always get JSON."""
    path = request.url.path
    if path.startswith("/api/") or path == "/api" or path == "/healthz":
        return False
    return "text/html" in request.headers.get("accept", "")


async def handle_exception(request: Request, exc: Exception) -> Response:
    """Exception handler for every error; the HTML page renders the same status and text."""
    status, code, message = classify(exc)
    if status >= 500 and not isinstance(exc, (StorageError, IndexUnavailable)):
        # The catch-all: log the traceback, never show it to the client.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if wants_html(request):
        from pressearchiv.web.pages import render_error  # pages imports errors; import late

        return render_error(request, status, message)
    # Keep headers such as Allow (405) and WWW-Authenticate (401).
    headers = getattr(exc, "headers", None)
    if isinstance(exc, Unauthorized):
        headers = {"WWW-Authenticate": 'Bearer realm="pressearchiv"'}
    return error_response(status, code, message, headers=headers)
