"""HTTP errors: one JSON shape for every error the service answers with.

Every error body looks like this, whatever raised it::

    {"error": {"status": 413, "code": "payload_too_large", "message": "..."}}

Domain code (``archive``, ``index``) raises plain exceptions without HTTP in
them; :func:`classify` maps them to a status and a code here, and
:func:`error_response` renders the body: the shape
:class:`~pressearchiv.web.outcomes.Error`, with a code from
:class:`~pressearchiv.web.outcomes.ErrorCode`. (An upload of which nothing
could be kept answers :class:`~pressearchiv.web.outcomes.UploadRejected`: the
same ``error`` plus each item's result.)

ApiError                        raised by web/ itself
 ├── BadParameter          400  a query parameter or form field we cannot use
 ├── Unauthorized          401  a token is configured and none was sent
 ├── Forbidden             403  wrong token, or uploads are closed to this client
 ├── RequestTimeout        408  an upload body stopped arriving
 ├── PayloadTooLarge       413  a file or the request body is over its limit
 └── UnsupportedMediaType  415  a body that is neither multipart nor JSON

Overloaded (web/admission.py)   429  too many searches waiting; with Retry-After
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

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
    TooManyItems,
    UndecodableInput,
    UnsupportedFormat,
)
from pressearchiv.index import IndexUnavailable, QueryTooComplex
from pressearchiv.web.admission import Overloaded
from pressearchiv.web.outcomes import Error, ErrorCode, ErrorDetail
from pressearchiv.web.rendering import render_error
from pressearchiv.web.shapes import ShapeResponse

__all__ = [
    "ApiError",
    "BadParameter",
    "Forbidden",
    "PayloadTooLarge",
    "RequestTimeout",
    "Unauthorized",
    "UnsupportedMediaType",
    "classify",
    "error_response",
    "handle_exception",
    "parse_error_code",
]

log = logging.getLogger("pressearchiv.web")


class ApiError(Exception):
    """An error with its HTTP status, a stable machine code and a human message."""

    status = 400
    code = ErrorCode.BAD_REQUEST

    def __init__(self, message: str, *, code: ErrorCode | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class BadParameter(ApiError):
    status = 400
    code = ErrorCode.INVALID_PARAMETER


class Unauthorized(ApiError):
    status = 401
    code = ErrorCode.UNAUTHORIZED


class Forbidden(ApiError):
    status = 403
    code = ErrorCode.FORBIDDEN


class RequestTimeout(ApiError):
    status = 408
    code = ErrorCode.REQUEST_TIMEOUT


class PayloadTooLarge(ApiError):
    status = 413
    code = ErrorCode.PAYLOAD_TOO_LARGE


class UnsupportedMediaType(ApiError):
    status = 415
    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE


# Codes for the ways an upload can fail to be an article. Binary files and
# declared types we do not read are 415; everything else that decodes is 422.
_PARSE_CODES: tuple[tuple[type[ParseError], int, ErrorCode], ...] = (
    (BinaryInput, 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE),
    (UnsupportedFormat, 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE),
    (EmptyInput, 422, ErrorCode.EMPTY_INPUT),
    (UndecodableInput, 422, ErrorCode.UNDECODABLE_INPUT),
    (MalformedJSON, 422, ErrorCode.MALFORMED_JSON),
    (NotAnArticle, 422, ErrorCode.NOT_AN_ARTICLE),
    (TooManyItems, 413, ErrorCode.TOO_MANY_ITEMS),
)

# What Starlette's own HTTPExceptions (unknown route, wrong method) are called.
_HTTP_CODES = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    408: ErrorCode.REQUEST_TIMEOUT,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    422: ErrorCode.UNPROCESSABLE,
    429: ErrorCode.OVERLOADED,
    500: ErrorCode.INTERNAL_ERROR,
    503: ErrorCode.UNAVAILABLE,
}
_HTTP_MESSAGES = {
    404: "no such page or endpoint",
    405: "this method is not allowed here",
}


def parse_error_code(exc: ParseError) -> tuple[int, ErrorCode]:
    """Status and code for one rejected upload item."""
    for kind, status, code in _PARSE_CODES:
        if isinstance(exc, kind):
            return status, code
    return 422, ErrorCode.NOT_AN_ARTICLE


def classify(exc: BaseException) -> tuple[int, ErrorCode, str]:
    """Map any exception to (status, code, message); unknown ones become a 500."""
    if isinstance(exc, ApiError):
        return exc.status, exc.code, exc.message
    if isinstance(exc, HTTPException):
        message = _HTTP_MESSAGES.get(exc.status_code, str(exc.detail))
        fallback = ErrorCode.BAD_REQUEST if exc.status_code < 500 else ErrorCode.INTERNAL_ERROR
        return exc.status_code, _HTTP_CODES.get(exc.status_code, fallback), message
    if isinstance(exc, Overloaded):
        return 429, ErrorCode.OVERLOADED, exc.message
    if isinstance(exc, ArticleNotFound):
        return 404, ErrorCode.NOT_FOUND, str(exc)
    if isinstance(exc, ParseError):
        status, code = parse_error_code(exc)
        return status, code, str(exc)
    if isinstance(exc, InvalidDate):
        return 400, ErrorCode.INVALID_DATE, str(exc)
    if isinstance(exc, QueryTooComplex):
        return 400, ErrorCode.QUERY_TOO_COMPLEX, str(exc) or "the query has too many terms"
    if isinstance(exc, IndexUnavailable):
        return 503, ErrorCode.INDEX_UNAVAILABLE, str(exc) or "the search index is not available"
    if isinstance(exc, DiskFull):
        # 507 tells the client the request was fine and may be retried later.
        return 507, ErrorCode.INSUFFICIENT_STORAGE, str(exc)
    if isinstance(exc, StorageError):
        return 503, ErrorCode.STORAGE_UNAVAILABLE, str(exc)
    return 500, ErrorCode.INTERNAL_ERROR, "an unexpected error occurred; it has been logged"


def error_response(
    status: int, code: ErrorCode, message: str, *, headers: Mapping[str, str] | None = None
) -> Response:
    """The response for an error: the :class:`Error` shape with this status."""
    body = Error(error=ErrorDetail(status=status, code=code, message=message))
    return ShapeResponse(body, status_code=status, headers=dict(headers) if headers else None)


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
        return render_error(request, status, message)
    # Keep headers such as Allow (405) and WWW-Authenticate (401).
    headers = getattr(exc, "headers", None)
    if isinstance(exc, Unauthorized):
        headers = {"WWW-Authenticate": 'Bearer realm="pressearchiv"'}
    if isinstance(exc, Overloaded):
        headers = {"Retry-After": str(exc.retry_after)}
    return error_response(status, code, message, headers=headers)
