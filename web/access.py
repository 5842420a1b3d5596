"""Who may write: the token rules for uploads. Reads are open to everyone.

* A token is configured (``PRESSEARCHIV_API_TOKEN``): every upload must carry it,
  as ``Authorization: Bearer <token>`` or, from the HTML form, a ``token``
  field. None → 401, a wrong one → 403.
* No token, listening on loopback: uploads only from loopback clients.
* No token, listening on a public interface: uploads are off (403); ``serve``
  says so at start-up.

Browsers also send cookies-free form posts across sites, so a page elsewhere
could make a journalist's browser upload to their local archive. Writes that a
browser marks as cross-site are refused whatever the token rules say.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

from starlette.requests import Request

from pressearchiv.settings import Settings
from pressearchiv.web.errors import Forbidden, Unauthorized
from pressearchiv.web.outcomes import ErrorCode

__all__ = ["check_write_access", "is_loopback", "uploads_disabled_reason"]

NO_TOKEN_HINT = "set PRESSEARCHIV_API_TOKEN to accept uploads from other machines"


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 (also IPv4-mapped) and the name ``localhost``."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def uploads_disabled_reason(settings: Settings) -> str | None:
    """Why this configuration takes no uploads at all, or None when it takes some."""
    if settings.api_token is None and not is_loopback(settings.host):
        return (
            f"uploads are disabled: the service listens on {settings.host} without an API "
            f"token; {NO_TOKEN_HINT}"
        )
    return None


def presented_token(request: Request, form: Mapping[str, str] | None = None) -> str | None:
    """The token a client sent, from the Authorization header or the form's ``token`` field."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if form is not None and form.get("token", "").strip():
        return form["token"].strip()
    return None


def check_write_access(
    request: Request, settings: Settings, form: Mapping[str, str] | None = None
) -> None:
    """Raise 401/403 unless this request may upload. ``form`` holds fields read so far."""
    _check_same_origin(request)
    reason = uploads_disabled_reason(settings)
    if reason:
        raise Forbidden(reason, code=ErrorCode.UPLOADS_DISABLED)
    if settings.api_token is None:
        client = request.client.host if request.client else None
        if not is_loopback(client):
            raise Forbidden(
                f"uploads without a token are accepted only from this machine; {NO_TOKEN_HINT}",
                code=ErrorCode.UPLOADS_DISABLED,
            )
        return
    token = presented_token(request, form)
    if token is None:
        raise Unauthorized("an API token is required to upload (Authorization: Bearer <token>)")
    # Constant-time comparison so the token cannot be guessed byte by byte.
    if not hmac.compare_digest(token.encode("utf-8"), settings.api_token.encode("utf-8")):
        raise Forbidden("the API token is wrong", code=ErrorCode.INVALID_TOKEN)


def _check_same_origin(request: Request) -> None:
    """Refuse writes a browser made for another site.

    ``Origin`` decides; without it (older browsers, some form posts) the
    ``Referer``. ``Host`` can be compared with them because the
    :class:`~pressearchiv.web.hosts.TrustedHosts` middleware has already made
    sure it is one of our own names. A request without either header is no
    browser's cross-site request (curl, scripts) and passes.
    """
    if request.headers.get("sec-fetch-site", "") == "cross-site":
        raise Forbidden("uploads from other web sites are not accepted", code=ErrorCode.CROSS_SITE)
    host = request.headers.get("host", "").lower()
    origin = request.headers.get("origin")
    referer = request.headers.get("referer")
    if origin:
        # "null" is what sandboxed frames send: treat it as foreign, not as absent.
        foreign = origin == "null" or _netloc(origin) != host
    elif referer:
        foreign = _netloc(referer) != host
    else:
        foreign = False
    if foreign:
        raise Forbidden("uploads from other web sites are not accepted", code=ErrorCode.CROSS_SITE)


def _netloc(url: str) -> str | None:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:  # an unbalanced "[" in the host
        return None
