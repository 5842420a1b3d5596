"""A search with a time budget answers in full or not at all (for the event loop's first try)."""

from __future__ import annotations

import dataclasses
from contextlib import ExitStack

import pytest

from pressearchiv.index import OverBudget, SearchIndex, SearchRequest, SearchResponse, Sort

REQUESTS = [
    SearchRequest(query="Gespräch"),
    SearchRequest(query="Impfung Müller", facets=True),
    SearchRequest(query='"Ukraine-Konflikt"', sort=Sort.NEWEST),
    SearchRequest(query="Gesprach*", size=3, page=2),
    SearchRequest(query="Impfnug"),  # a typo: the suggestion runs too
    SearchRequest(query=""),
]


def _without_time(response: SearchResponse) -> SearchResponse:
    return dataclasses.replace(response, took_ms=0.0)


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: r.query or "browse")
def test_a_search_within_its_budget_answers_as_one_without(
    index: SearchIndex, request_: SearchRequest
) -> None:
    budgeted = index.search(request_, budget=30.0)
    assert _without_time(budgeted) == _without_time(index.search(request_))


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: r.query or "browse")
def test_a_search_past_its_budget_gives_no_answer(
    index: SearchIndex, request_: SearchRequest
) -> None:
    # No stage of a search ends within a nanosecond: the first check gives up.
    with pytest.raises(OverBudget):
        index.search(request_, budget=1e-9)
    # Nothing was left behind: the same search without a budget answers whole.
    assert not index.search(request_).timed_out


def test_a_budget_at_or_above_the_query_timeout_is_no_budget(index: SearchIndex) -> None:
    request_ = SearchRequest(query="Gespräch")
    budgeted = index.search(request_, budget=1e9)
    assert _without_time(budgeted) == _without_time(index.search(request_))


def test_a_budgeted_search_does_not_wait_for_a_slot(index: SearchIndex) -> None:
    with ExitStack() as held:
        # Every slot taken by others: waiting for one would block the event loop.
        while index._slots.acquire(blocking=False):
            held.callback(index._slots.release)
        with pytest.raises(OverBudget, match="slot"):
            index.search(SearchRequest(query="Gespräch"), budget=30.0)
    assert index.search(SearchRequest(query="Gespräch"), budget=30.0).hits


def test_a_wildcard_looks_at_the_clock_before_each_of_its_words(
    index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An expanded wildcard is one node of up to a hundred words, each read from
    disk on first use: the budget (and the query timeout) must not wait for all."""
    from pressearchiv.index import scoring

    counts = {"words": 0, "clock": 0}
    word, clock = scoring._Evaluator.word, scoring._Evaluator.check_clock

    def counted_word(self: scoring._Evaluator, *args: object, **kwargs: object) -> object:
        counts["words"] += 1
        return word(self, *args, **kwargs)  # type: ignore[arg-type]

    def counted_clock(self: scoring._Evaluator) -> None:
        counts["clock"] += 1
        clock(self)

    monkeypatch.setattr(scoring._Evaluator, "word", counted_word)
    monkeypatch.setattr(scoring._Evaluator, "check_clock", counted_clock)
    assert index.search(SearchRequest(query="Ge*"), budget=30.0).total >= 2
    assert counts["words"] >= 2
    assert counts["clock"] >= counts["words"]
