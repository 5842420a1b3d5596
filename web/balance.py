"""Kept-alive connections evened out over the worker processes.

Each worker listens with a socket of its own (``SO_REUSEPORT``), and the
kernel places every new connection on one of them by a hash of its addresses:
at random, for good. A client that keeps its connections open (a reverse
proxy's pool of upstream connections, a load test) keeps that first split:
16 connections opened at once fell 8/8 over two workers three times in twelve,
10/6 four times, 13/3 once (docs/benchmarks.md). The worker with more connections
then queues more requests, and its clients wait longer, while the other one
idles between requests.

So each worker counts its open connections into a small array shared by all
of them (:class:`ConnectionShares`), and a worker holding two or more
connections more than the least busy one closes one connection after its next
answer, with ``Connection: close`` (:class:`EvenOut`), as HTTP/1.1 allows. The
client opens a new connection, which the kernel places at random again; each
close thus moves a connection to another worker with probability (N-1)/N, and
the split settles within one connection of even (8/8 in every sample of four
load runs with 16 connections). Only an answer closes a connection, so an idle
one (a browser's spare) is left alone.
"""

from __future__ import annotations

from collections.abc import MutableSequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["NOT_LISTENING", "ConnectionShares", "EvenOut"]

# The count of a worker that is starting, or dead and not yet replaced: the
# kernel gives it no connections, so the others must not wait for it to get some.
NOT_LISTENING = -1

# A worker closes a connection when it holds at least this many more than the
# least busy worker: with 1, two workers would pass a connection back and forth
# for ever when the count is odd.
_UNEVEN = 2
_CLOSE = (b"connection", b"close")


class ConnectionShares:
    """Every worker's number of open connections, one slot each, in memory shared
    by the workers (``counts``: a ``multiprocessing`` ``RawArray`` of integers).

    Each worker writes only its own slot and reads all of them without a lock: a
    count read while another worker changes its own is off by one at most, and
    the next answer reads again. A slot holds :data:`NOT_LISTENING` until its
    worker's app has started.
    """

    def __init__(self, counts: MutableSequence[int], slot: int) -> None:
        if not 0 <= slot < len(counts):
            raise ValueError(f"slot {slot} is not one of {len(counts)} workers")
        self._counts = counts
        self._slot = slot

    def update(self, open_connections: int) -> None:
        """This worker now has ``open_connections`` open (and takes new ones)."""
        self._counts[self._slot] = open_connections

    def over_share(self) -> bool:
        """Whether this worker holds :data:`_UNEVEN` or more connections beyond
        the least busy worker that takes connections."""
        counts = [c for c in self._counts if c != NOT_LISTENING]
        mine = self._counts[self._slot]
        return mine != NOT_LISTENING and mine - min(counts) >= _UNEVEN


class EvenOut:
    """ASGI middleware: while this worker is over its share of connections, its
    next answer says ``Connection: close`` (uvicorn then closes the connection).

    The close lowers this worker's count once the answer is out, normally
    before its next answer asks again; an answer in between closes one more,
    which the next ones make up for.
    """

    def __init__(self, app: ASGIApp, shares: ConnectionShares | None) -> None:
        self.app = app
        self.shares = shares

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        shares = self.shares
        if shares is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_maybe_closing(message: Message) -> None:
            if message["type"] == "http.response.start" and shares.over_share():
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"connection" for name, _ in headers):
                    message = {**message, "headers": [*headers, _CLOSE]}
            await send(message)

        await self.app(scope, receive, send_maybe_closing)
