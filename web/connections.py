"""Connections: a deadline for every request head, and a cap on open connections.

uvicorn closes a keep-alive connection that stays idle after a response
(``timeout_keep_alive``), but a fresh connection, or one that has sent part of
a request head, is kept open for ever: hundreds of them exhaust the process's
file descriptors (slowloris). Its ``limit_concurrency`` answers 503 only once
a request head is complete, and counts queued searches too, so it can neither
stop half-open connections nor be set low enough without refusing a burst of
searches that our waiting line (``web/admission.py``) would answer.

So we run uvicorn's own h11 protocol with two additions, as nginx
(``client_header_timeout``) and Apache (``mod_reqtimeout``) do:

* **Head deadline.** From the moment a connection opens, and again after each
  response, the client has ``header_timeout`` seconds to send a complete
  request line and headers. Otherwise the connection is closed: silently if
  nothing was sent (browsers open spare connections), with a 408 if a head
  had begun. Neither is logged above debug level, so a flood of half-open
  connections does not flood the log either.
* **Connection cap.** Beyond ``max_connections`` open connections a new one is
  answered 503 with ``Retry-After`` and closed at once, freeing its descriptor.

Request heads larger than :data:`MAX_HEAD_BYTES` are refused by h11 (400).
uvicorn logs a warning for every malformed request; :class:`QuietRepeats`
lets the same warning through once per interval, with a count of the ones it
held back, so garbage sent over many connections cannot fill the disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import socket
import time
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from pressearchiv.web.balance import ConnectionShares

__all__ = [
    "MAX_HEAD_BYTES",
    "GuardedH11Protocol",
    "QuietRepeats",
    "guarded_protocol",
    "quiet_uvicorn_warnings",
]

log = logging.getLogger("pressearchiv.web")

# Request line plus headers; uvicorn's default too, named here so it is a decision.
MAX_HEAD_BYTES = 16 * 1024


def _plain_response(status: int, reason: str, code: str, message: str, extra: str = "") -> bytes:
    """A whole HTTP/1.1 response in our error shape, written before h11 knows of a request."""
    error = {"status": status, "code": code, "message": message}
    body = json.dumps({"error": error}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n{extra}\r\n"
    )
    return head.encode("ascii") + body


_TIMEOUT_408 = _plain_response(
    408,
    "Request Timeout",
    "request_timeout",
    "the request line and headers did not arrive in time; the connection is closed",
)
_MALFORMED_400 = _plain_response(
    400,
    "Bad Request",
    "bad_request",
    "the request could not be read as HTTP/1.1: a request line and headers in ASCII "
    "(non-ASCII characters in the URL percent-encoded), at most 16 KiB, are expected",
)
_BUSY_503 = _plain_response(
    503,
    "Service Unavailable",
    "too_many_connections",
    "the service has too many open connections; try again shortly",
    "retry-after: 5\r\n",
)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a request-head deadline and a connection cap.

    Defined at module level (and configured through :func:`guarded_protocol`)
    so that the configuration can be pickled into worker processes.
    """

    def __init__(
        self,
        *args: Any,
        header_timeout: float,
        max_connections: int,
        shares: ConnectionShares | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._header_timeout = header_timeout
        self._max_connections = max_connections
        # This worker's count of open connections, for evening them out (web/balance.py).
        self._shares = shares
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_begun = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        _send_at_once(transport)
        super().connection_made(transport)
        if self._shares is not None:
            self._shares.update(len(self.connections))
        if len(self.connections) > self._max_connections:
            log.debug("connection refused: %d open", len(self.connections))
            transport.write(_BUSY_503)
            transport.close()
            return
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        if self._head_timer is not None and data:
            self._head_begun = True
        super().data_received(data)
        if self._head_timer is not None and self.conn.their_state is not h11.IDLE:
            self._disarm_head_timer()  # the head is complete

    def send_400_response(self, msg: str) -> None:
        """A request h11 cannot parse gets our JSON error shape, as every other
        error does, instead of uvicorn's plain text (the reason is logged)."""
        self.transport.write(_MALFORMED_400)
        self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm_head_timer()  # the next request's head gets the same deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)
        if self._shares is not None:
            self._shares.update(len(self.connections))

    def _arm_head_timer(self) -> None:
        self._disarm_head_timer()
        self._head_begun = False
        self._head_timer = self.loop.call_later(self._header_timeout, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        log.debug("closing a connection whose request head did not arrive in time")
        if self._head_begun:
            self.transport.write(_TIMEOUT_408)
        self.transport.close()


def _send_at_once(transport: asyncio.BaseTransport) -> None:
    """Switch off Nagle's algorithm on a client connection.

    asyncio does it only for sockets whose protocol number says TCP; a worker
    process's listening socket, rebuilt from the owner's file descriptor, says
    0, so its connections kept Nagle on. A response written in two parts (head,
    then body) then waited for the client's delayed ACK: 40 ms per request on
    a kept-alive connection (measured: /healthz took 48 ms with two workers,
    0.6 ms in one process).
    """
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):  # already closed by the client
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def guarded_protocol(header_timeout: float, max_connections: int) -> Any:
    """The protocol factory uvicorn is given (``http=``): :class:`GuardedH11Protocol`
    with these limits, picklable. (Typed ``Any``: uvicorn's annotation asks for a
    class, but it only ever calls what it is given.)"""
    return functools.partial(
        GuardedH11Protocol, header_timeout=header_timeout, max_connections=max_connections
    )


class QuietRepeats(logging.Filter):
    """Let a repeated warning through at most once per ``interval`` seconds.

    The next one that passes says how many were held back. Only WARNING and
    above are limited; access and info lines pass as they are.
    """

    def __init__(self, interval: float = 10.0) -> None:
        super().__init__()
        self.interval = interval
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = str(record.msg)
        now = time.monotonic()
        if now - self._last.get(key, -self.interval) < self.interval:
            self._held[key] = self._held.get(key, 0) + 1
            return False
        self._last[key] = now
        held = self._held.pop(key, 0)
        if held:
            record.msg = f"{record.msg} ({held} more like it in the last {self.interval:g} s)"
        return True


def quiet_uvicorn_warnings() -> None:
    """uvicorn warns once per malformed request: at most once per 10 s (in this process)."""
    logging.getLogger("uvicorn.error").addFilter(QuietRepeats())
