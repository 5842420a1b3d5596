"""Bulk building in worker processes gives the same index as building in one process."""

from __future__ import annotations

import re
from pathlib import Path

from whoosh import index as windex

from pressearchiv.archive.parsing import parse_document
from pressearchiv.archive.seeding import sample_files
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex, SearchRequest, Sort
from pressearchiv.index.bulk import build_segments
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
