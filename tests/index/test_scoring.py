"""The numpy evaluator matches exactly what Whoosh's own matchers match, across segments."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pressearchiv.archive.parsing import parse_document
from pressearchiv.archive.seeding import sample_files
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex, SearchRequest, word_scores
from pressearchiv.index.postings import PostingCache, segment_key
from pressearchiv.index.query import parse_query
from pressearchiv.index.scoring import evaluate
from pressearchiv.index.word_scores import WordScores
from tests.index.conftest import ARTICLES

QUERIES = [
    "Gespräch",
    "Gesundheitsamt",
    "Lawrow Genf",
    "Lawrow OR Impfung",
    "Lawrow NOT Genf",
    "Blinken -Genf",
    '"russischen Kollegen"',
    '"Herr Lawrow"',
    '"Lawrow Blinken"~3',
    '"Blinken Lawrow"~8',
    '"Ukraine Konflikt"',
    "Ukraine-Konflikt",
    "G20-Treffen",
    "New-Start-Abkommen",
    "Impf*",
    "title:Gespräche",
    "outlet:spiegel",
    "(Lawrow OR Müller) AND (Genf OR Aussenminister)",
    "Flüchtlinge Grenze",
    "Corona-Pandemie Dezember",
    '"die Regierung in Washington"',
    "nichtvorhandeneswort",
]


@pytest.fixture
def two_segment_index(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The handwritten articles and the five samples, committed in two batches."""
    with ArchiveStore.open(tmp_path / "data") as store:
        store.add_many(ARTICLES)
        ix = SearchIndex.open(tmp_path / "index", store)
        assert ix.wait_indexed(store.max_seq(), timeout=10)
        samples = [parse_document(data, name).drafts[0] for name, data in sample_files()]
        store.add_many(samples)
        assert ix.wait_indexed(store.max_seq(), timeout=10)
        yield ix
        ix.close()


@pytest.mark.parametrize("text", QUERIES)
def test_evaluator_matches_whoosh(two_segment_index: SearchIndex, text: str) -> None:
    with two_segment_index._views.acquire() as view:
        parsed = parse_query(text, two_segment_index._analyzer, view.searcher.reader())
        assert parsed.query is not None
        ours = evaluate(
            view.searcher, parsed.query, view.columns.live, view.postings, time.monotonic() + 10
        )
        theirs = {hit.docnum for hit in view.searcher.search(parsed.query, limit=None)}
        assert set(np.flatnonzero(ours.mask).tolist()) == theirs
        assert (ours.scores[ours.mask] > 0).all() or text.startswith("outlet:")


def test_title_match_ranks_above_body_only(two_segment_index: SearchIndex) -> None:
    hits = two_segment_index.search(SearchRequest(query="Verhandlungen")).hits
    assert {"Flüchtlinge an der Grenze", "G20-Treffen in Rom"} <= {h.title for h in hits}
    assert hits[0].title == "Verhandlungen in Brüssel"
    scores = [h.score for h in hits]
    assert all(s is not None for s in scores)
    values = [s for s in scores if s is not None]
    assert values[0] > values[1]
    assert values == sorted(values, reverse=True)


def test_phrase_requires_adjacent_words(two_segment_index: SearchIndex) -> None:
    adjacent = two_segment_index.search(SearchRequest(query='"Herr Lawrow"'))
    assert [h.title for h in adjacent.hits] == [
        "Angeblich war des US-Außenminister Antony Blinken, der beim G20-Treffen in Neu-Delhi "
        "seinen russischen Kollegen Sergej Lawrow um ein…"
    ]
    reversed_words = two_segment_index.search(SearchRequest(query='"Lawrow Herr"'))
    assert reversed_words.total == 0


def _answers(ix: SearchIndex) -> dict[str, tuple[int, list[tuple[str, float | None]]]]:
    return {
        text: (found.total, [(h.id, h.score) for h in found.hits])
        for text in QUERIES
        for found in [ix.search(SearchRequest(query=text, size=50, snippets=False))]
    }


def test_scores_kept_over_large_segments_stay_exact_across_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word's postings, a phrase's rows and a wildcard's terms over the large
    segments are kept from one generation to the next; new small segments must
    still count, in matches and in the statistics (document count, average
    lengths) every score depends on."""
    monkeypatch.setattr(word_scores, "STABLE_DOCUMENTS", len(ARTICLES))
    asked: list[str] = []
    postings = PostingCache.postings

    def counting(self: PostingCache, reader: Any, fieldname: str, text: str) -> Any:
        asked.append(segment_key(reader))
        return postings(self, reader, fieldname, text)

    monkeypatch.setattr(PostingCache, "postings", counting)
    prefixed = PostingCache.prefixed

    def listing(self: PostingCache, reader: Any, fieldname: str, prefix: str) -> Any:
        asked.append(segment_key(reader))  # a wildcard's terms
        return prefixed(self, reader, fieldname, prefix)

    monkeypatch.setattr(PostingCache, "prefixed", listing)
    with ArchiveStore.open(tmp_path / "data") as store:
        store.add_many(ARTICLES)  # one large segment
        with SearchIndex.open(tmp_path / "index", store) as ix:
            assert ix.wait_indexed(store.max_seq(), timeout=10)
            before = _answers(ix)
            with ix._views.acquire() as view:
                (large,) = [segment_key(s.reader()) for s, _ in view.searcher.leaf_searchers()]
            samples = [parse_document(data, name).drafts[0] for name, data in sample_files()]
            for sample in samples:  # five small segments, five generations
                stored = store.add_many([sample])
                assert ix.wait_indexed(stored[0].seq, timeout=10)
                if sample is samples[-2]:
                    # (A phrase with no candidates in the large segment alone
                    # first looks for itself there once it has some.)
                    _answers(ix)
                    asked.clear()
            after = _answers(ix)
            assert large not in asked  # not read again after the last commit
            assert asked  # the small segments are
            with SearchIndex.open(tmp_path / "index", store, read_only=True) as fresh:
                assert after == _answers(fresh)  # a process that never cached anything
    assert after != before


def test_word_scores_forget_the_least_recently_used_word_first() -> None:
    def scores(n: int) -> tuple[np.ndarray, np.ndarray]:
        return np.arange(n, dtype=np.int64), np.ones(n, dtype=np.float32)  # 1.5 units each

    words = WordScores(max_units=12)  # two words of four postings
    words.put(("a",), *scores(4))
    words.put(("b",), *scores(4))
    assert words.get(("a",)) is not None  # "a" is now the more recent
    words.put(("c",), *scores(4))
    assert words.get(("b",)) is None
    assert words.get(("a",)) is not None and words.get(("c",)) is not None
    assert words.held == 12
    words.put(("huge",), *scores(100))  # larger than the budget: kept alone
    assert words.get(("huge",)) is not None and words.get(("a",)) is None
