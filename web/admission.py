"""Admission to the search slots: a fair queue on the event loop, 429 when it is full.

Searches are CPU-bound Python and share one interpreter lock, so only a few
run at once (``IndexOptions.search_slots``); more add no throughput. Before
issue 12 a search waited for a slot in a worker thread and answered 503 after
the query timeout, so three slow queries made everyone else's searches fail,
and the waiting threads also starved uploads and article reads of the thread
pool. Now a search waits here, on the event loop, costing no thread:

* The waiting line holds at most ``search_queue`` searches; a search that
  finds it full, or waits longer than ``search_queue_wait`` seconds, is refused
  with :class:`Overloaded` (429 with ``Retry-After``). A burst well beyond the
  slots is thus queued and answered, not refused.
* A freed slot goes to the waiting search whose client has the fewest searches
  running, earliest first among equals. One client's slow queries hold at most
  the slots no one else asks for, so they can delay others' searches by one
  query deadline at most, and never make them fail.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

__all__ = ["Overloaded", "SearchAdmission", "admitted_search"]

T = TypeVar("T")


class Overloaded(Exception):
    """Too many searches are waiting; ``retry_after`` is a hint in whole seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(eq=False)
class _Ticket:
    client: str
    order: int
    admitted: asyncio.Event = field(default_factory=asyncio.Event)


class SearchAdmission:
    """At most ``slots`` searches at once; the rest wait in a fair, bounded line."""

    def __init__(self, slots: int, max_waiting: int, max_wait: float, query_timeout: float):
        self._free = slots
        self._max_waiting = max_waiting
        self._max_wait = max_wait
        self._retry_after = max(1, math.ceil(query_timeout))
        self._running: Counter[str] = Counter()
        self._waiting: list[_Ticket] = []
        self._order = itertools.count()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @asynccontextmanager
    async def slot(self, client: str) -> AsyncIterator[None]:
        """Hold a search slot for ``client`` (an address) while the block runs."""
        await self._enter(client)
        try:
            yield
        finally:
            self._leave(client)

    async def _enter(self, client: str) -> None:
        if self._free > 0 and not self._waiting:
            self._take(client)
            return
        if len(self._waiting) >= self._max_waiting:
            raise Overloaded(
                f"the search service is overloaded: {self._max_waiting} searches are "
                "already waiting; try again shortly",
                self._retry_after,
            )
        ticket = _Ticket(client, next(self._order))
        self._waiting.append(ticket)
        try:
            await asyncio.wait_for(ticket.admitted.wait(), timeout=self._max_wait)
        except TimeoutError:
            if ticket.admitted.is_set():  # admitted at the very last moment: keep it
                return
            self._waiting.remove(ticket)
            raise Overloaded(
                f"the search service is overloaded: no search slot became free within "
                f"{self._max_wait:g} s; try again shortly",
                self._retry_after,
            ) from None
        except BaseException:
            # Cancelled (the client went away): give back what we may have got.
            if ticket.admitted.is_set():
                self._leave(client)
            else:
                self._waiting.remove(ticket)
            raise

    def _take(self, client: str) -> None:
        self._free -= 1
        self._running[client] += 1

    def _leave(self, client: str) -> None:
        self._running[client] -= 1
        if self._running[client] <= 0:
            del self._running[client]
        self._free += 1
        while self._free > 0 and self._waiting:
            # The client with the fewest running searches first; then arrival.
            chosen = min(self._waiting, key=lambda t: (self._running[t.client], t.order))
            self._waiting.remove(chosen)
            self._take(chosen.client)
            chosen.admitted.set()


async def admitted_search(request: Request, func: Callable[..., T], *args: Any) -> T:
    """Run ``func(*args)`` (a search) in the thread pool once a slot is free."""
    admission: SearchAdmission = request.app.state.admission
    client = request.client.host if request.client else ""
    async with admission.slot(client):
        return await run_in_threadpool(func, *args)
