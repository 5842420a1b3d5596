"""The numpy evaluator matches exactly what Whoosh's own matchers match, across segments."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from pressearchiv.archive.parsing import parse_document
from pressearchiv.archive.seeding import sample_files
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex, SearchRequest
from pressearchiv.index.query import parse_query
from pressearchiv.index.scoring import evaluate
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
