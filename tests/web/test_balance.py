"""Evening out kept-alive connections: the shared counts and the closing answer."""

from __future__ import annotations

import multiprocessing

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pressearchiv.web.balance import NOT_LISTENING, ConnectionShares, EvenOut
from tests.web.conftest import TestClient


@pytest.mark.parametrize(
    ("counts", "slot", "over"),
    [
        ([10, 6], 0, True),
        ([10, 6], 1, False),
        ([9, 8], 0, False),  # one apart: even as an odd total allows
        ([8, 8], 1, False),
        ([7, 5, 6], 0, True),  # against the least busy of three
        ([7, 6, 6], 0, False),
        ([5, NOT_LISTENING], 0, False),  # the other is starting: it gets none yet
        ([NOT_LISTENING, 3], 0, False),
        ([0, 2], 1, True),  # a replaced worker has just begun to listen
    ],
)
def test_a_worker_is_over_its_share_two_beyond_the_least_busy(
    counts: list[int], slot: int, over: bool
) -> None:
    assert ConnectionShares(counts, slot).over_share() is over


def test_counts_in_shared_memory_are_read_by_every_worker() -> None:
    counts = multiprocessing.get_context("forkserver").RawArray("q", [NOT_LISTENING] * 2)
    first, second = ConnectionShares(counts, 0), ConnectionShares(counts, 1)
    first.update(5)
    assert not first.over_share()  # the second does not listen yet
    second.update(0)
    assert first.over_share() and not second.over_share()
    second.update(4)
    assert not first.over_share()


def test_a_slot_outside_the_workers_is_refused() -> None:
    with pytest.raises(ValueError, match="slot 2"):
        ConnectionShares([0, 0], 2)


def _app(counts: list[int]) -> Starlette:
    async def hello(request: Request) -> Response:
        return JSONResponse({"hallo": "Welt"})

    async def fails(request: Request) -> Response:
        return JSONResponse({"error": "x"}, status_code=404)

    app = Starlette(routes=[Route("/", hello), Route("/fehlt", fails)])
    app.add_middleware(EvenOut, shares=ConnectionShares(counts, 0))
    return app


def test_the_answer_of_a_worker_over_its_share_closes_the_connection() -> None:
    counts = [10, 6]
    with TestClient(_app(counts)) as client:
        for path in ("/", "/fehlt"):
            response = client.get(path)
            assert response.headers["connection"] == "close"
        assert response.json() == {"error": "x"}
        counts[0] = 7  # evened out
        assert "connection" not in client.get("/").headers
