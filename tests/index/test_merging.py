"""Commits merge small segments tier by tier and never touch big ones."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as windex

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import IndexOptions, SearchIndex, SearchRequest
from pressearchiv.index.merging import TierMerge, committed_segments
from pressearchiv.index.schema import build_schema
from pressearchiv.index.segments import SegmentBuilder
from tests.index.conftest import draft

MERGE_FACTOR = IndexOptions().merge_factor
# "Big" from 20 documents on, so the tests stay small.
POLICY = TierMerge(factor=MERGE_FACTOR, largest=20)


@pytest.fixture
def ix(tmp_path: Path) -> Any:
    return windex.create_in(str(tmp_path), build_schema())


def _commit(ix: Any, ids: list[str], merge: bool = True) -> None:
    writer = SegmentBuilder(ix)
    for article_id in ids:
        writer.add_document(id=article_id, title=f"Meldung {article_id}", body="Bericht")
    if merge:
        writer.commit(mergetype=POLICY)
    else:
        writer.commit(merge=False)


def _sizes(ix: Any) -> list[int]:
    return sorted(s.doc_count() for s in committed_segments(ix))


def test_one_document_commits_merge_once_a_tier_is_full(ix: Any) -> None:
    for n in range(MERGE_FACTOR - 1):
        _commit(ix, [f"u{n}"])
    assert _sizes(ix) == [1] * (MERGE_FACTOR - 1)
    _commit(ix, ["last"])
    assert _sizes(ix) == [MERGE_FACTOR]
    with ix.searcher() as searcher:
        assert searcher.doc_frequency("body", "bericht") == MERGE_FACTOR


def test_big_segments_are_never_merged(ix: Any) -> None:
    # Whoosh's MERGE_SMALL merged all of these into one on the next commit.
    for n in range(20):
        _commit(ix, [f"b{n}-{i}" for i in range(25)], merge=False)
    big = {s.segment_id() for s in committed_segments(ix)}
    for n in range(MERGE_FACTOR):
        _commit(ix, [f"u{n}"])
    segments = committed_segments(ix)
    assert big <= {s.segment_id() for s in segments}
    assert _sizes(ix) == [MERGE_FACTOR] + [25] * 20


def test_merged_tiers_move_up_and_deleted_segments_go(ix: Any) -> None:
    for n in range(MERGE_FACTOR - 1):  # seven segments of two documents
        _commit(ix, [f"p{n}a", f"p{n}b"])
    _commit(ix, ["gone"], merge=False)
    writer = SegmentBuilder(ix)
    writer.delete_by_term("id", "gone")
    writer.add_document(id="x", title="Meldung x", body="Bericht")
    writer.commit(mergetype=POLICY)  # eighth small segment: the tier of 1–9 merges
    assert _sizes(ix) == [2 * (MERGE_FACTOR - 1) + 1]
    with ix.searcher() as searcher:
        assert searcher.doc_frequency("id", "gone") == 0
        assert searcher.doc_count() == 2 * (MERGE_FACTOR - 1) + 1


def test_a_merge_is_due_once_a_tier_is_full_or_a_segment_is_empty(ix: Any) -> None:
    for n in range(MERGE_FACTOR - 1):
        _commit(ix, [f"u{n}"], merge=False)
    assert not POLICY.due(committed_segments(ix))
    _commit(ix, ["full"], merge=False)
    assert POLICY.due(committed_segments(ix))
    _commit(ix, [])  # a commit without documents merges the full tier
    assert _sizes(ix) == [MERGE_FACTOR] and not POLICY.due(committed_segments(ix))
    writer = SegmentBuilder(ix)
    writer.delete_by_term("id", "full")
    writer.commit(merge=False)
    _commit(ix, [f"b{i}" for i in range(25)], merge=False)
    writer = SegmentBuilder(ix)
    for i in range(25):
        writer.delete_by_term("id", f"b{i}")
    writer.commit(merge=False)
    assert POLICY.due(committed_segments(ix))  # a big segment with nothing left in it
    _commit(ix, [])
    assert _sizes(ix) == [MERGE_FACTOR - 1]


def test_the_service_writer_merges_a_full_tier_of_uploads(tmp_path: Path) -> None:
    factor = 3  # not the default: the options reach the writer's merge policy
    with ArchiveStore.open(tmp_path / "data") as store:
        options = IndexOptions(merge_factor=factor)
        index = SearchIndex.open(tmp_path / "index", store, options=options)
        try:
            for n in range(factor):
                article = draft(f"Meldung {n}", f"Eilmeldung Nummer {n}.", "taz.de", None)
                seq = store.add(article).seq
                index.notify()
                assert index.wait_indexed(seq, timeout=5)
                assert index.search(SearchRequest(query="Eilmeldung")).total == n + 1
            raw = windex.open_dir(str(tmp_path / "index"))
            deadline = time.monotonic() + 10
            while len(committed_segments(raw)) > 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _sizes(raw) == [factor]
            assert index.search(SearchRequest(query="Eilmeldung")).total == factor
        finally:
            index.close()
