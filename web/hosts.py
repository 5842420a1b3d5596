"""Refuse requests whose ``Host`` is no name of this service (DNS rebinding).

A page on another site can point its own name at 127.0.0.1; the browser then
sends that page's requests to us with ``Host: its-name``, and any check that
compares ``Origin`` with ``Host`` is fooled. So before anything else, ``Host``
must be one of :attr:`Settings.trusted_hosts
<pressearchiv.settings.Settings.trusted_hosts>`. Starlette's
``TrustedHostMiddleware`` does the matching (ports, IPv6 brackets, ``*.``
patterns); we only give its refusal our JSON error shape, and switch off its
``www.`` redirect, which would build a URL from the request's ``Host``.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pressearchiv.web.errors import error_response
from pressearchiv.web.outcomes import ErrorCode

__all__ = ["TrustedHosts"]

_PASSED = "pressearchiv.trusted_host"


class TrustedHosts:
    """ASGI middleware: 400 ``invalid_host`` unless ``Host`` names this service."""

    def __init__(self, app: ASGIApp, hosts: Sequence[str]) -> None:
        self.app = app
        self.hosts = tuple(hosts)
        self._guard = TrustedHostMiddleware(self._mark, allowed_hosts=hosts, www_redirect=False)

    @staticmethod
    async def _mark(scope: Scope, receive: Receive, send: Send) -> None:
        scope[_PASSED] = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return

        async def discard(message: Message) -> None:
            pass  # the guard's own plain-text refusal; ours follows

        await self._guard(scope, receive, discard)
        if scope.pop(_PASSED, False):
            await self.app(scope, receive, send)
            return
        response = error_response(
            400,
            ErrorCode.INVALID_HOST,
            "this service does not answer to the host name in the Host header; "
            "an operator can add it to PRESSEARCHIV_ALLOWED_HOSTS",
        )
        await response(scope, receive, send)
