"""API searches run on the event loop within a budget, else again in a thread."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from pressearchiv.index import OverBudget, SearchIndex, SearchRequest, SearchResponse
from pressearchiv.settings import Settings
from pressearchiv.web.app import create_app
from tests.web.conftest import LOOPBACK, TEST_HOST, TestClient

ARTICLES = [
    {
        "title": "Bundestag berät über Maskenpflicht",
        "text": "Die Maskenpflicht in Bussen und Bahnen bleibt umstritten. Der Bundestag "
        "berät am Donnerstag über eine Verlängerung der Regeln für Masken.",
        "outlet": "tagesschau.de",
        "date": "2021-03-04",
    },
    {
        "title": "Schulen öffnen wieder",
        "text": "Nach Wochen des Lockdowns öffnen die Schulen. Lehrer tragen Masken, die "
        "Schülerinnen und Schüler werden zweimal in der Woche getestet.",
        "outlet": "zeit.de",
        "date": "2021-03-08",
    },
]


class Calls:
    """Every call of ``SearchIndex.search``: the thread, the budget, how it ended."""

    def __init__(self) -> None:
        self.made: list[tuple[int, float | None, str]] = []


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    recorded = Calls()
    original = SearchIndex.search

    def search(
        self: SearchIndex, request: SearchRequest, budget: float | None = None
    ) -> SearchResponse:
        try:
            response = original(self, request, budget)
        except OverBudget:
            recorded.made.append((threading.get_ident(), budget, "over budget"))
            raise
        recorded.made.append((threading.get_ident(), budget, "answered"))
        return response

    monkeypatch.setattr(SearchIndex, "search", search)
    return recorded


def _client(tmp_path: Path, **settings: Any) -> TestClient:
    app = create_app(
        Settings(
            data_dir=tmp_path / "data", allowed_hosts=TEST_HOST, seed_samples=False, **settings
        )
    )
    return TestClient(app, client=LOOPBACK)


def _loop_ident(client: TestClient) -> int:
    # The portal runs the app's event loop in a thread of its own.
    return int(client.portal.call(threading.get_ident))  # type: ignore[union-attr]


def _search(client: TestClient) -> dict[str, Any]:
    assert client.post("/api/articles", json=ARTICLES).status_code == 201
    response = client.get("/api/search", params={"q": "Maske", "facets": "true"})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_search_within_the_budget_runs_once_on_the_event_loop(
    tmp_path: Path, calls: Calls
) -> None:
    with _client(tmp_path) as client:
        body = _search(client)
        loop = _loop_ident(client)
    assert calls.made == [(loop, 0.02, "answered")]
    assert body["total"] == 2 and "<mark>" in body["hits"][0]["snippet"]


def test_a_search_past_the_budget_runs_again_in_a_thread_and_answers_whole(
    tmp_path: Path, calls: Calls
) -> None:
    with _client(tmp_path, inline_search_budget=1e-9) as client:
        body = _search(client)
        loop = _loop_ident(client)
    (first_thread, first_budget, first_end), (second_thread, second_budget, second_end) = calls.made
    assert (first_thread, first_budget, first_end) == (loop, 1e-9, "over budget")
    assert second_thread != loop and (second_budget, second_end) == (None, "answered")
    assert body["total"] == 2 and not body["timed_out"]
    assert all("<mark>" in hit["snippet"] for hit in body["hits"])


def test_the_answer_is_the_same_either_way(tmp_path: Path) -> None:
    answers = []
    for n, budget in enumerate((0.02, 1e-9, 0.0)):
        with _client(tmp_path / str(n), inline_search_budget=budget) as client:
            body = _search(client)
        answers.append([(h["title"], h["snippet"], h["score"]) for h in body["hits"]])
    assert answers[0] == answers[1] == answers[2]


def test_budget_zero_runs_every_search_in_a_thread(tmp_path: Path, calls: Calls) -> None:
    with _client(tmp_path, inline_search_budget=0.0) as client:
        _search(client)
        loop = _loop_ident(client)
    [(thread, budget, end)] = calls.made
    assert thread != loop and (budget, end) == (None, "answered")


def test_the_search_page_searches_on_the_event_loop_too(tmp_path: Path, calls: Calls) -> None:
    with _client(tmp_path) as client:
        _search(client)
        calls.made.clear()
        page = client.get("/", params={"q": "Maske"}, headers={"accept": "text/html"})
        loop = _loop_ident(client)
    assert page.status_code == 200 and "Bundestag berät über" in page.text
    assert calls.made == [(loop, 0.02, "answered")]
