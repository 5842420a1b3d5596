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
  running; among equals, to the client let in longest ago (round robin), then
  to the earliest. One client's slow queries hold at most
  the slots no one else asks for, so they can delay others' searches by one
  query deadline at most, and never make them fail.
* When the line is full, a search of a client with few searches waiting
  pushes out the newest search of the client with the most waiting (which gets
  the 429), so one client filling the line cannot shut others out.
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

from pressearchiv.index import OverBudget

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
    # Set with ``admitted`` when the ticket was pushed out of a full line.
    refused: bool = False


class SearchAdmission:
    """At most ``slots`` searches at once; the rest wait in a fair, bounded line."""

    def __init__(self, slots: int, max_waiting: int, max_wait: float, query_timeout: float):
        self._free = slots
        self._max_waiting = max_waiting
        self._max_wait = max_wait
        self._retry_after = max(1, math.ceil(query_timeout))
        self._running: Counter[str] = Counter()
        # When each client with searches running or waiting was last let in.
        self._served: dict[str, int] = {}
        self._admissions = itertools.count()
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
        if len(self._waiting) >= self._max_waiting and not self._push_out_for(client):
            raise self._full()
        ticket = _Ticket(client, next(self._order))
        self._waiting.append(ticket)
        try:
            await asyncio.wait_for(ticket.admitted.wait(), timeout=self._max_wait)
            if ticket.refused:
                raise self._full()
        except TimeoutError:
            if ticket.refused:
                self._forget_if_idle(client)
                raise self._full() from None
            if ticket.admitted.is_set():  # admitted at the very last moment: keep it
                return
            self._waiting.remove(ticket)
            self._forget_if_idle(client)
            raise Overloaded(
                f"the search service is overloaded: no search slot became free within "
                f"{self._max_wait:g} s; try again shortly",
                self._retry_after,
            ) from None
        except Overloaded:
            self._forget_if_idle(client)
            raise
        except BaseException:
            # Cancelled (the client went away): give back what we may have got.
            if ticket.refused:
                pass
            elif ticket.admitted.is_set():
                self._leave(client)
            else:
                self._waiting.remove(ticket)
                self._forget_if_idle(client)
            raise

    def _forget_if_idle(self, client: str) -> None:
        if client not in self._running and all(t.client != client for t in self._waiting):
            self._served.pop(client, None)

    def _full(self) -> Overloaded:
        return Overloaded(
            f"the search service is overloaded: {self._max_waiting} searches are "
            "already waiting; try again shortly",
            self._retry_after,
        )

    def _push_out_for(self, client: str) -> bool:
        """Make room in a full line for ``client`` by refusing the newest search of
        the client with the most waiting, if that client has more waiting than
        ``client``: a full line then refuses whoever fills it, not the others."""
        counts = Counter(t.client for t in self._waiting)
        heaviest, most = counts.most_common(1)[0]
        if heaviest == client or most <= counts[client] + 1:
            return False
        newest = max((t for t in self._waiting if t.client == heaviest), key=lambda t: t.order)
        self._waiting.remove(newest)
        newest.refused = True
        newest.admitted.set()
        return True

    def _take(self, client: str) -> None:
        self._free -= 1
        self._running[client] += 1
        self._served[client] = next(self._admissions)

    def _leave(self, client: str) -> None:
        self._running[client] -= 1
        if self._running[client] <= 0:
            del self._running[client]
            self._forget_if_idle(client)
        self._free += 1
        while self._free > 0 and self._waiting:
            # The client with the fewest running searches first, then the one
            # let in longest ago (round robin), then arrival.
            chosen = min(
                self._waiting,
                key=lambda t: (self._running[t.client], self._served.get(t.client, -1), t.order),
            )
            self._waiting.remove(chosen)
            self._take(chosen.client)
            chosen.admitted.set()


async def admitted_search(
    request: Request, func: Callable[..., T], *args: Any, inline: bool = False
) -> T:
    """Run ``func(*args)`` (a search) in the thread pool once a slot is free.

    With ``inline``, ``func`` takes ``budget=`` (``SearchIndex.search``) and is
    first tried right here on the event loop with the inline search budget:
    handing a search to a thread and its answer back, with the two threads
    contending for the interpreter lock, cost about a tenth of a request's
    server CPU (docs/benchmarks.md, "Searching on the event loop"). A search
    that needs longer than the budget gives up (OverBudget) and runs again in
    the thread pool, so the loop, and with it every other request of this
    worker, is held up at most that long plus the step the search was in (the
    clock is looked at between words and stages).
    """
    admission: SearchAdmission = request.app.state.admission
    client = request.client.host if request.client else ""
    budget: float = request.app.state.settings.inline_search_budget
    async with admission.slot(client):
        if inline and budget > 0:
            try:
                return func(*args, budget=budget)
            except OverBudget:
                pass
        return await run_in_threadpool(func, *args)
