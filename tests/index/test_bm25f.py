"""Scores pinned on a tiny index, computed by hand from the BM25F formula."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex, SearchRequest
from tests.index.conftest import draft

# Four articles. Every title is one word long and every body three words, so
# the average lengths are 1 and 3 (Whoosh stores such small lengths exactly).
# The compound-parts field holds "mask" and "pflicht" for Maskenpflicht only:
# its average length (2 / 4 documents) is clamped to 1.
ARTICLES = [
    draft("Alpha", "Maske Maske Zebra", "a.de", "2021-01-01"),
    draft("Maske", "Zebra Zebra Zebra", "a.de", "2021-01-02"),
    draft("Beta", "Maskenpflicht Zebra Zebra", "a.de", "2021-01-03"),
    draft("Gamma", "Zebra Okapi Zebra", "a.de", "2021-01-04"),
]

# "Maske" is in 3 of 4 articles (in any field): idf = ln(1 + (4 - 3 + 0.5) / (3 + 0.5)).
IDF = 0.356675
# k1 = 1.2, b = 0.75; tf~ = Σ weight · tf / (1 - b + b · dl / avgdl);
# score = idf · 2.2 · tf~ / (tf~ + 1.2)
EXPECTED = {
    # body: tf 2, dl 3 = avgdl → tf~ = 2 → 0.356675 · 4.4 / 3.2
    "Alpha": 0.490428,
    # title (weight 2.5, applied once): tf 1, dl 1 = avgdl → tf~ = 2.5 → 0.356675 · 5.5 / 3.7
    "Maske": 0.530192,
    # parts (weight 0.2): tf 1, dl 2, avgdl 1 → tf~ = 0.2 / 1.75 = 0.114286 → · 2.2 / 1.314286
    "Beta": 0.068234,
}


@pytest.fixture
def tiny(tmp_path: Path) -> Iterator[SearchIndex]:
    with ArchiveStore.open(tmp_path / "data") as store:
        store.add_many(ARTICLES)
        ix = SearchIndex.open(tmp_path / "index", store)
        assert ix.wait_indexed(store.max_seq(), timeout=10)
        yield ix
        ix.close()


def test_the_hand_computed_numbers_follow_from_the_formula() -> None:
    assert math.log(1 + 1.5 / 3.5) == pytest.approx(IDF, abs=1e-6)
    assert pytest.approx(EXPECTED["Alpha"], abs=1e-6) == IDF * 2.2 * 2 / 3.2
    assert pytest.approx(EXPECTED["Maske"], abs=1e-6) == IDF * 2.2 * 2.5 / 3.7
    tilde = 0.2 / (0.25 + 0.75 * 2)
    assert IDF * 2.2 * tilde / (tilde + 1.2) == pytest.approx(EXPECTED["Beta"], abs=1e-6)


def test_bm25f_scores_are_pinned(tiny: SearchIndex) -> None:
    response = tiny.search(SearchRequest(query="Maske"))
    scores = {h.title: h.score for h in response.hits}
    assert scores == pytest.approx(EXPECTED, abs=1e-5)
    # The title word first, the body word next, the compound part last.
    assert [h.title for h in response.hits] == ["Maske", "Alpha", "Beta"]


def test_a_field_prefix_scores_that_field_alone(tiny: SearchIndex) -> None:
    # title: only, df 1 of 4: idf = ln(1 + 3.5 / 1.5); tf~ = 2.5 → · 2.2 / 3.7
    idf = math.log(1 + 3.5 / 1.5)
    (hit,) = tiny.search(SearchRequest(query="title:Maske")).hits
    assert hit.title == "Maske"
    assert hit.score == pytest.approx(idf * 5.5 / 3.7, abs=1e-5)


def test_a_quoted_word_does_not_search_compound_parts(tiny: SearchIndex) -> None:
    assert {h.title for h in tiny.search(SearchRequest(query='"Maske"')).hits} == {
        "Maske",
        "Alpha",
    }
