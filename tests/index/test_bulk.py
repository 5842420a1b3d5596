"""Bulk building in worker processes: the same index as one process builds, committed
segment by segment, resumable, and fed while a bulk ingest stores."""

from __future__ import annotations

import re
import time
from pathlib import Path

from whoosh import index as windex

from pressearchiv.archive.parsing import parse_document
from pressearchiv.archive.seeding import sample_files
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import IndexOptions, SearchIndex, SearchRequest, Sort
from pressearchiv.index.bulk import BulkBuild, build_segments, staging_dir
from pressearchiv.index.directory import open_dir
from pressearchiv.index.merging import committed_segments
from pressearchiv.index.schema import build_schema
from tests.index.conftest import ARTICLES

QUERIES = ["Gespräch", '"russischen Kollegen"', "Impf*", "Lawrow OR Flüchtlinge", ""]


def _build(path: Path, store: ArchiveStore, workers: int) -> list[list[str]]:
    path.mkdir()
    windex.create_in(str(path), build_schema()).close()
    assert build_segments(path, store, workers=workers, segment_size=3) == store.count()
    ix = windex.open_dir(str(path))
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 5  # 13 articles in chunks of 3
    ix.close()
    results = []
    with SearchIndex.open(path, store) as index:
        assert index.recreated is None
        assert index.status().in_step
        for query in QUERIES:
            response = index.search(SearchRequest(query=query, sort=Sort.NEWEST, size=50))
            assert response.total == len(response.hits)
            results.append([hit.id for hit in response.hits])
    return results


def test_two_workers_build_the_same_index_as_one(tmp_path: Path) -> None:
    with ArchiveStore.open(tmp_path / "data") as store:
        store.add_many(ARTICLES)
        store.add_many([parse_document(d, n).drafts[0] for n, d in sample_files()])
        parallel = _build(tmp_path / "parallel", store, workers=2)
        serial = _build(tmp_path / "serial", store, workers=1)
        # Independently of the index: articles with a word starting "impf".
        impf = {
            a.id
            for a in store.iter_articles()
            if re.search(r"\bimpf", a.title + " " + a.text, re.I)
        }
    assert parallel == serial
    assert set(serial[2]) == impf and len(impf) == 4
    assert len(serial[4]) == 13


def test_appending_in_bulk_indexes_only_the_new_articles(tmp_path: Path) -> None:
    with ArchiveStore.open(tmp_path / "data") as store:
        store.add_many(ARTICLES)
        first = store.max_seq()
        store.add_many([parse_document(d, n).drafts[0] for n, d in sample_files()])
        path = tmp_path / "index"
        path.mkdir()
        windex.create_in(str(path), build_schema()).close()
        assert build_segments(path, store, up_to_seq=first, segment_size=3) == len(ARTICLES)
        assert build_segments(path, store, after_seq=first, segment_size=3) == 5
        with SearchIndex.open(path, store) as index:
            status = index.status()
            assert (status.index_count, status.store_count, status.in_step) == (13, 13, True)


def _many(store: ArchiveStore) -> None:
    """13 articles: the eight handwritten ones and the five samples."""
    store.add_many(ARTICLES)
    store.add_many([parse_document(d, n).drafts[0] for n, d in sample_files()])


def _doc_count(path: Path) -> int:
    ix = windex.open_dir(str(path))
    try:
        return int(ix.doc_count())
    finally:
        ix.close()


def _submit_all(build: BulkBuild, store: ArchiveStore, size: int) -> None:
    after = 0
    while after < store.max_seq():
        last = store.seq_after(after, size) or store.max_seq()
        build.submit(after, last)
        after = last


def test_each_segment_is_committed_in_seq_order_as_soon_as_it_is_done(tmp_path: Path) -> None:
    path = tmp_path / "index"
    path.mkdir()
    windex.create_in(str(path), build_schema()).close()
    with ArchiveStore.open(tmp_path / "data") as store:
        _many(store)
        seqs = sorted(store.id_seqs().values())
        commits: list[tuple[int, int, int]] = []
        ix = open_dir(path)
        try:
            with BulkBuild(
                ix, store, workers=2, on_commit=lambda last, n: commits.append((last, n, 0))
            ) as build:
                _submit_all(build, store, 3)
                assert build.in_flight == 5
                while build.in_flight:
                    build.commit_ready(timeout=1.0)
                    if commits and commits[-1][2] == 0:  # what a reader sees after it
                        last, n, _ = commits[-1]
                        commits[-1] = (last, n, _doc_count(path))
                assert build.analysed == 13
        finally:
            ix.close()
    # Five commits, one per chunk of three, in seq order; after each one a reader
    # of the index finds every article up to it.
    assert [(last, n) for last, n, _ in commits] == [
        (seqs[2], 3),
        (seqs[5], 3),
        (seqs[8], 3),
        (seqs[11], 3),
        (seqs[12], 1),
    ]
    assert all(
        seen in (0, sum(n for _, n, _ in commits[: i + 1]))
        for i, (_, _, seen) in enumerate(commits)
    )
    assert _doc_count(path) == 13
    assert not staging_dir(path).exists()


def test_an_interrupted_build_keeps_what_it_committed_and_the_index_resumes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "index"
    path.mkdir()
    windex.create_in(str(path), build_schema()).close()
    with ArchiveStore.open(tmp_path / "data") as store:
        _many(store)
        ix = open_dir(path)
        try:
            with BulkBuild(ix, store, workers=2) as build:
                first, second = store.seq_after(0, 3), store.seq_after(0, 6)
                assert first is not None and second is not None
                build.submit(0, first)
                build.submit(first, second)
                while build.in_flight:
                    build.commit_ready(timeout=1.0)
                build.submit(second, store.max_seq())
                # Leaving the build now stops its workers mid-way.
        finally:
            ix.close()
        assert _doc_count(path) == 6
        assert not staging_dir(path).exists()
        # Only whole, committed segments are in the folder (the rest never got there).
        assert len(list(path.glob("*.seg"))) == 2
        # Opening the index picks up where the build stopped.
        with SearchIndex.open(path, store) as index:
            assert index.recreated is None
            assert index.wait_indexed(store.max_seq(), timeout=60)
            status = index.status()
            assert (status.index_count, status.store_count, status.in_step) == (13, 13, True)
            found = index.search(SearchRequest(query="", sort=Sort.NEWEST, size=50))
            assert len({hit.id for hit in found.hits}) == 13


def test_during_a_bulk_ingest_full_segments_are_committed_and_the_rest_at_its_end(
    tmp_path: Path,
) -> None:
    options = IndexOptions(bulk_backlog=4, bulk_segment_articles=4, poll_seconds=0.1)
    with ArchiveStore.open(tmp_path / "data") as store:
        index = SearchIndex.open(tmp_path / "index", store, options=options)
        try:
            with index.bulk_ingest():
                store.add_many(ARTICLES)  # 8: two full segments
                index.notify()
                deadline = time.monotonic() + 60
                while index.status().index_count < 8 and time.monotonic() < deadline:
                    time.sleep(0.1)
                assert index.status().index_count == 8
                store.add_many([parse_document(d, n).drafts[0] for n, d in sample_files()])
                index.notify()
                # One more full segment; the last article waits for the ingest's end.
                while index.status().index_count < 12 and time.monotonic() < deadline:
                    time.sleep(0.1)
                time.sleep(1.0)
                status = index.status()
                assert (status.index_count, status.pending) == (12, 1)
            assert index.wait_indexed(store.max_seq(), timeout=60)
            assert index.status().in_step
        finally:
            index.close()
    sizes = sorted(
        s.doc_count_all() for s in committed_segments(windex.open_dir(str(tmp_path / "index")))
    )
    assert sizes == [1, 4, 4, 4]
