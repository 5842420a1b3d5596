"""IndexOptions: validated values, today's defaults, and each one reaching its part."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as windex

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import (
    IndexOptions,
    IndexUnavailable,
    SearchIndex,
    SearchRequest,
    word_scores,
)
from pressearchiv.index import options as options_module
from pressearchiv.index.merging import committed_segments

from .conftest import ARTICLES


def test_the_defaults_are_the_values_the_index_was_tuned_with() -> None:
    assert dataclasses.asdict(IndexOptions()) == {
        "search_slots": 3,
        "query_timeout": 5.0,
        "posting_cache_postings": 40_000_000,
        "run_cache_postings": 8_000_000,
        "word_scores_postings": 3_000_000,
        "cache_documents": 100_000,
        "posting_file_documents": 1_000,
        "catch_up_batch": 5_000,
        "bulk_backlog": 5_000,
        "bulk_segment_articles": 5_000,
        "poll_seconds": 0.5,
        "follow_seconds": 0.1,
        "recheck_seconds": 30.0,
        "story_load_after": 3.0,
        "merge_factor": 8,
        "largest_merged": 1_000,
    }


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"search_slots": 0}, ValueError, "search_slots must be at least 1, not 0"),
        ({"search_slots": 2.5}, TypeError, "search_slots must be an int, not float"),
        ({"catch_up_batch": True}, TypeError, "catch_up_batch must be an int, not bool"),
        ({"merge_factor": 1}, ValueError, "merge_factor must be at least 2"),
        ({"largest_merged": -5}, ValueError, "largest_merged must be at least 1"),
        ({"poll_seconds": 0}, ValueError, "poll_seconds must be a finite number more than 0"),
        ({"recheck_seconds": float("inf")}, ValueError, "recheck_seconds must be a finite"),
        ({"query_timeout": -1}, ValueError, "query_timeout must be a finite number at least 0"),
        ({"story_load_after": -1}, ValueError, "story_load_after must be a finite number at"),
        ({"query_timeout": "5"}, TypeError, "query_timeout must be a number, not str"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(
    changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        IndexOptions(**changes)


def test_options_are_frozen_numbers_become_floats_and_replace_validates() -> None:
    options = IndexOptions(query_timeout=2, poll_seconds=1)
    assert options.query_timeout == 2.0 and isinstance(options.query_timeout, float)
    assert options.query_timeout == IndexOptions(query_timeout=2.0).query_timeout
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.search_slots = 5  # type: ignore[misc]
    with pytest.raises(ValueError, match="search_slots"):
        dataclasses.replace(options, search_slots=0)
    with pytest.raises(TypeError):
        IndexOptions(3)  # type: ignore[call-arg]  # keyword-only: no silent mix-ups


def _segment_sizes(index_dir: Path) -> list[int]:
    return sorted(s.doc_count_all() for s in committed_segments(windex.open_dir(str(index_dir))))


def test_catch_up_commits_in_batches_of_catch_up_batch(
    tmp_path: Path, filled_store: ArchiveStore
) -> None:
    options = IndexOptions(catch_up_batch=3)
    with SearchIndex.open(tmp_path / "index", filled_store, options=options) as ix:
        assert ix.wait_indexed(filled_store.max_seq(), timeout=10)
    assert _segment_sizes(tmp_path / "index") == [2, 3, 3]


def test_a_backlog_of_bulk_backlog_is_built_in_bulk_segments(
    tmp_path: Path, filled_store: ArchiveStore
) -> None:
    options = IndexOptions(bulk_backlog=4, bulk_segment_articles=5)
    with SearchIndex.open(tmp_path / "index", filled_store, options=options) as ix:
        assert ix.wait_indexed(filled_store.max_seq(), timeout=60)
        assert ix.status().in_step
    # One full segment; the three left over are spread over the two workers.
    assert _segment_sizes(tmp_path / "index") == [1, 2, 5]


def test_rebuild_index_takes_its_segment_size_from_the_options(
    tmp_path: Path, filled_store: ArchiveStore
) -> None:
    from pressearchiv.index import rebuild_index

    options = IndexOptions(bulk_segment_articles=3)
    assert rebuild_index(tmp_path / "index", filled_store, workers=1, options=options) == 8
    assert _segment_sizes(tmp_path / "index") == [2, 3, 3]


def test_search_slots_bound_parallel_searches(tmp_path: Path, filled_store: ArchiveStore) -> None:
    options = IndexOptions(search_slots=1, query_timeout=0.3)
    with SearchIndex.open(tmp_path / "index", filled_store, options=options) as ix:
        assert ix.wait_indexed(filled_store.max_seq(), timeout=10)
        outcome: list[object] = []

        def search_elsewhere() -> None:
            try:
                outcome.append(ix.search(SearchRequest(query="Impfung")).total)
            except IndexUnavailable as exc:
                outcome.append(exc)

        with ix._slot():  # the one slot is taken …
            thread = threading.Thread(target=search_elsewhere)
            thread.start()
            thread.join()
        assert isinstance(outcome[0], IndexUnavailable) and "busy" in str(outcome[0])
        assert ix.search(SearchRequest(query="Impfung")).total == 2  # … and free again


def test_the_posting_cache_keeps_to_its_budget(tmp_path: Path, store: ArchiveStore) -> None:
    store.add_many(ARTICLES)
    options = IndexOptions(posting_cache_postings=3)
    with SearchIndex.open(tmp_path / "index", store, options=options) as ix:
        assert ix.wait_indexed(store.max_seq(), timeout=10)
        for word in ("Impfung", "Flüchtlinge", "Verhandlungen", "Gespräch"):
            assert ix.search(SearchRequest(query=word)).total >= 2
            assert ix._postings.held <= 3 or len(ix._postings) == 1


def test_what_is_kept_over_large_segments_keeps_to_its_budget(
    tmp_path: Path, store: ArchiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(word_scores, "STABLE_DOCUMENTS", 1)  # every segment is large here
    store.add_many(ARTICLES)
    options = IndexOptions(run_cache_postings=3)
    with SearchIndex.open(tmp_path / "index", store, options=options) as ix:
        assert ix.wait_indexed(store.max_seq(), timeout=10)
        for word in ("Impfung", "Flüchtlinge", "Verhandlungen", "Gespräch", "Impf*"):
            assert ix.search(SearchRequest(query=word)).total >= 2
            runs = ix._postings._runs
            assert runs.entries  # something is kept …
            assert runs.held <= 3 or len(runs.entries) == 1  # … within the budget


def test_the_budgets_of_growing_caches_follow_the_index_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    options = IndexOptions()
    run, words = options.run_cache_postings, options.word_scores_postings
    assert options.cache_units(run, 0) == run  # never less than the budget …
    assert options.cache_units(run, 100_000) == run
    assert options.cache_units(words, 1_000_000) == 10 * words  # … in proportion above
    assert options.cache_units(run, 250_000) == run * 5 // 2
    # … and within a share of the memory the process may use
    monkeypatch.setattr(options_module, "usable_memory", lambda: 8 * 32 * 50_000_000)
    assert options.cache_units(run, 1_000_000) == 50_000_000
    assert options.cache_units(run, 10_000) == run  # the cap never cuts below the budget


def test_usable_memory_is_at_most_the_machines() -> None:
    import os

    machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert 0 < options_module.usable_memory() <= machine


def test_each_generation_gets_budgets_for_its_size(tmp_path: Path, store: ArchiveStore) -> None:
    store.add_many(ARTICLES)
    options = IndexOptions(cache_documents=1, run_cache_postings=5, word_scores_postings=7)
    with SearchIndex.open(tmp_path / "index", store, options=options) as ix:
        assert ix.wait_indexed(store.max_seq(), timeout=10)
        documents = ix._views.current.searcher.doc_count_all()
        assert documents == len(ARTICLES)
        assert ix._views.current.words.budget == 7 * documents
        assert ix._postings.run_budget == 5 * documents
