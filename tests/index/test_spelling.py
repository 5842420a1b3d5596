""" "Meinten Sie …?" is bounded: candidates by first letter and length, under a deadline."""

from __future__ import annotations

import time

from pressearchiv.index import SearchIndex
from pressearchiv.index.spelling import MAX_DISTANCE, SpellingLexicon


def test_candidates_are_of_the_same_initial_and_a_reachable_length(index: SearchIndex) -> None:
    with index._views.acquire() as view:
        lexicon = SpellingLexicon(view.searcher.reader())
        found = lexicon.candidates("verhandlunk", time.monotonic() + 60)
        assert "verhandlung" in found
        assert all(w.startswith("v") for w in found)
        assert all(abs(len(w) - len("verhandlunk")) <= MAX_DISTANCE for w in found)
        # No real word is anywhere near this long: nothing to compare at all.
        assert lexicon.candidates("v" * 500, time.monotonic() + 60) == []


def test_a_passed_deadline_gives_no_candidates_and_caches_nothing(index: SearchIndex) -> None:
    with index._views.acquire() as view:
        lexicon = SpellingLexicon(view.searcher.reader())
        assert lexicon.candidates("verhandlunk", time.monotonic() - 1) == []
        assert "verhandlung" in lexicon.candidates("verhandlunk", time.monotonic() + 60)
