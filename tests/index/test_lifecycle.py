"""Keeping the index in step with the store: live adds, repair, rebuilds."""

from __future__ import annotations

import shutil
import sys
import time
import types
from pathlib import Path

import pytest
from whoosh import index as windex

from pressearchiv import index as index_package
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import IndexOptions, SearchIndex, SearchRequest, rebuild_index
from pressearchiv.index.analysis import ANALYZER_VERSION
from pressearchiv.index.schema import build_schema

from .conftest import ARTICLES, draft


def all_titles(ix: SearchIndex) -> list[str]:
    return sorted(h.title for h in ix.search(SearchRequest(size=100)).hits)


def test_public_api_is_explicit() -> None:
    assert index_package.__all__ == [
        "MAX_QUERY_CHARS",
        "MAX_QUERY_WORDS",
        "RELATED_MIN_SIMILARITY",
        "FacetValue",
        "Facets",
        "Hit",
        "IndexError_",
        "IndexOptions",
        "IndexStatus",
        "IndexUnavailable",
        "OverBudget",
        "QueryTooComplex",
        "SearchIndex",
        "SearchRequest",
        "SearchResponse",
        "Sort",
        "StoryVersions",
        "rebuild_index",
    ]


def test_uploaded_article_is_searchable_after_wait_indexed(
    index: SearchIndex, filled_store: ArchiveStore
) -> None:
    [result] = filled_store.add_many(
        [draft("Neue Studie", "Eine Studie zur Luftqualität in Städten.", "taz.de", "2022-04-01")]
    )
    index.notify()
    assert index.wait_indexed(result.seq, timeout=2)
    assert [h.id for h in index.search(SearchRequest(query="Luftqualität")).hits] == [
        result.article_id
    ]
    assert index.status().in_step


def test_polling_picks_up_articles_added_by_another_writer(
    index: SearchIndex, tmp_path: Path
) -> None:
    # A second store object on the same file stands in for the CLI's process.
    with ArchiveStore.open(tmp_path / "data") as other:
        [result] = other.add_many([draft("Nachtrag", "Ein Nachtrag zur Wahl.", "taz.de", "2022")])
    assert index.wait_indexed(result.seq, timeout=3)  # no notify(): the poll finds it
    assert index.search(SearchRequest(query="Nachtrag")).total == 1


def test_status_counts(index: SearchIndex) -> None:
    status = index.status()
    assert (status.store_count, status.index_count, status.in_step, status.pending) == (
        8,
        8,
        True,
        0,
    )


def test_repair_after_the_index_folder_was_deleted(
    tmp_path: Path, filled_store: ArchiveStore
) -> None:
    SearchIndex.open(tmp_path / "index", filled_store).close()
    shutil.rmtree(tmp_path / "index")
    with SearchIndex.open(tmp_path / "index", filled_store) as ix:
        assert ix.recreated == "no index yet"
        assert ix.wait_indexed(filled_store.max_seq(), timeout=10)
        assert len(all_titles(ix)) == 8


def test_repair_indexes_articles_added_while_closed(tmp_path: Path, store: ArchiveStore) -> None:
    store.add_many(ARTICLES[:5])
    with SearchIndex.open(tmp_path / "index", store) as ix:
        assert ix.wait_indexed(store.max_seq())
    store.add_many(ARTICLES[5:])
    with SearchIndex.open(tmp_path / "index", store) as ix:
        assert ix.recreated is None
        assert ix.wait_indexed(store.max_seq(), timeout=10)
        assert ix.status().in_step
        assert len(all_titles(ix)) == 8


def test_repair_drops_what_the_store_lacks_and_fills_holes(tmp_path: Path) -> None:
    # Index a store of eight articles, then open the index against another store
    # holding only some of them, under other seqs, plus one the index never saw.
    with ArchiveStore.open(tmp_path / "first") as first:
        first.add_many(ARTICLES)
        with SearchIndex.open(tmp_path / "index", first) as ix:
            assert ix.wait_indexed(first.max_seq())
    with ArchiveStore.open(tmp_path / "second") as second:
        extra = draft("Nur im zweiten Archiv", "Ein Text über Windkraft.", "taz.de", "2022-05")
        second.add_many([ARTICLES[0], extra, ARTICLES[2]])
        with SearchIndex.open(tmp_path / "index", second) as ix:
            assert ix.wait_indexed(second.max_seq(), timeout=10)
            assert all_titles(ix) == [
                "G20-Treffen in Rom",
                "Gespräche über den Ukraine-Konflikt",
                "Nur im zweiten Archiv",
            ]
            status = ix.status()
            assert (status.index_count, status.in_step) == (3, True)


def test_analyzer_version_change_triggers_rebuild(
    tmp_path: Path, filled_store: ArchiveStore
) -> None:
    old = tmp_path / "index"
    old.mkdir()
    ix_old = windex.create_in(str(old), build_schema(analyzer_version="de-0"))
    writer = ix_old.writer()
    writer.add_document(id="stale", seq=1, title="Xyzzy", body="Xyzzy", outlet="x", outlet_name="x")
    writer.commit()
    ix_old.close()
    with SearchIndex.open(old, filled_store) as ix:
        assert ix.recreated == f"analyzer changed from de-0 to {ANALYZER_VERSION}"
        assert ix.wait_indexed(filled_store.max_seq(), timeout=10)
        assert len(all_titles(ix)) == 8
        assert ix.search(SearchRequest(query="Xyzzy")).total == 0


def test_index_pickled_under_the_old_top_level_names_is_rebuilt(
    tmp_path: Path, filled_store: ArchiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0.1.0 installed the layers as top-level packages, so its index names
    ``index.analysis.GermanAnalyzer`` (and the formats) in its pickles."""
    from pressearchiv.index import analysis, formats

    old = tmp_path / "index"
    old.mkdir()
    with monkeypatch.context() as m:
        # Make pickle write the 0.1.0 class paths: the classes claim to live in
        # modules named as 0.1.0 named them, and those modules exist for now.
        for module, classes in (
            (analysis, ["GermanAnalyzer"]),
            (formats, ["FastPositions", "PressCodec", "PressSegment"]),
        ):
            legacy = types.ModuleType(module.__name__.removeprefix("pressearchiv."))
            for name in classes:
                cls = getattr(module, name)
                setattr(legacy, name, cls)
                m.setattr(cls, "__module__", legacy.__name__)
            m.setitem(sys.modules, legacy.__name__, legacy)
        m.setitem(sys.modules, "index", types.ModuleType("index"))
        ix_old = windex.create_in(str(old), build_schema(analyzer_version="de-3"))
        ix_old.close()
    assert b"index.analysis" in b"".join(p.read_bytes() for p in old.glob("_MAIN_*.toc"))
    with SearchIndex.open(old, filled_store) as ix:
        assert ix.recreated is not None and ix.recreated.startswith("unreadable")
        # Either the old module names do not exist (an installed 0.2.0), or, in
        # a checkout on sys.path, they name a second copy of the modules, whose
        # analyzer the index refuses as not its own: rebuilt in both cases.
        assert "No module named 'index" in ix.recreated or "not built by" in ix.recreated
        assert ix.wait_indexed(filled_store.max_seq(), timeout=10)
        assert len(all_titles(ix)) == 8


def test_unreadable_index_is_rebuilt(tmp_path: Path, filled_store: ArchiveStore) -> None:
    SearchIndex.open(tmp_path / "index", filled_store).close()
    for toc in (tmp_path / "index").glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage")
    with SearchIndex.open(tmp_path / "index", filled_store) as ix:
        assert ix.recreated is not None and ix.recreated.startswith("unreadable")
        assert ix.wait_indexed(filled_store.max_seq(), timeout=10)
        assert len(all_titles(ix)) == 8


def test_stale_lock_file_does_not_block(tmp_path: Path, filled_store: ArchiveStore) -> None:
    SearchIndex.open(tmp_path / "index", filled_store).close()
    # What a killed writer leaves: the lock file, no process holding the lock.
    (tmp_path / "index" / "MAIN_WRITELOCK").write_text("")
    filled_store.add_many([draft("Nach dem Absturz", "Text nach dem Absturz.", "taz.de", None)])
    with SearchIndex.open(tmp_path / "index", filled_store) as ix:
        assert ix.wait_indexed(filled_store.max_seq(), timeout=10)
        assert ix.search(SearchRequest(query="Absturz")).total == 1


def test_rebuild_index_from_scratch(tmp_path: Path, filled_store: ArchiveStore) -> None:
    assert rebuild_index(tmp_path / "index", filled_store) == 8
    assert rebuild_index(tmp_path / "index", filled_store, progress=False) == 8
    with SearchIndex.open(tmp_path / "index", filled_store) as ix:
        assert ix.recreated is None
        assert ix.wait_indexed(filled_store.max_seq())
        assert len(all_titles(ix)) == 8
        assert not (tmp_path / "index.rebuilding").exists()


def test_drift_while_running_is_repaired(tmp_path: Path, filled_store: ArchiveStore) -> None:
    options = IndexOptions(recheck_seconds=0.2)
    with SearchIndex.open(tmp_path / "index", filled_store, options=options) as ix:
        assert ix.wait_indexed(filled_store.max_seq(), timeout=10)
        # Something wrote behind the owner's back: a document the store lacks.
        raw = windex.open_dir(str(tmp_path / "index"))
        behind = raw.writer()
        behind.add_document(
            id="0000000000000000",
            seq=999,
            title="Geist",
            body="Geist",
            outlet="x",
            outlet_name="x",
            day_start=0,
            day_end=0,
        )
        behind.commit()
        raw.close()
        ix._publish(filled_store.max_seq())  # as after any commit: a fresh view
        assert ix.search(SearchRequest(query="Geist")).total == 1
        assert not ix.status().in_step
        deadline = time.monotonic() + 10
        while ix.search(SearchRequest(query="Geist")).total and time.monotonic() < deadline:
            ix.notify()
            time.sleep(0.1)
        assert ix.search(SearchRequest(query="Geist")).total == 0
        assert ix.status().in_step
