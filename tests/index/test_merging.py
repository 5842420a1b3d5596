"""Commits merge small segments tier by tier and never touch big ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh import index as windex

from index import merging
from index.merging import MERGE_FACTOR
from index.schema import build_schema
from index.segments import SegmentBuilder


@pytest.fixture
def ix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    # "Big" from 20 documents on, so the test stays small.
    monkeypatch.setattr(merging, "LARGEST_MERGED", 20)
    return windex.create_in(str(tmp_path), build_schema())


def _commit(ix: Any, ids: list[str], **kwargs: Any) -> None:
    writer = SegmentBuilder(ix)
    for article_id in ids:
        writer.add_document(id=article_id, title=f"Meldung {article_id}", body="Bericht")
    writer.commit(**kwargs)


def _sizes(ix: Any) -> list[int]:
    return sorted(s.doc_count() for s in ix._segments())


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
    big = {s.segment_id() for s in ix._segments()}
    for n in range(MERGE_FACTOR):
        _commit(ix, [f"u{n}"])
    segments = ix._segments()
    assert big <= {s.segment_id() for s in segments}
    assert _sizes(ix) == [MERGE_FACTOR] + [25] * 20


def test_merged_tiers_move_up_and_deleted_segments_go(ix: Any) -> None:
    for n in range(MERGE_FACTOR - 1):  # seven segments of two documents
        _commit(ix, [f"p{n}a", f"p{n}b"])
    _commit(ix, ["gone"], merge=False)
    writer = SegmentBuilder(ix)
    writer.delete_by_term("id", "gone")
    writer.add_document(id="x", title="Meldung x", body="Bericht")
    writer.commit()  # eighth small segment: the tier of 1–9 merges
    assert _sizes(ix) == [2 * (MERGE_FACTOR - 1) + 1]
    with ix.searcher() as searcher:
        assert searcher.doc_frequency("id", "gone") == 0
        assert searcher.doc_count() == 2 * (MERGE_FACTOR - 1) + 1
