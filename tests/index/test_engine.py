"""The engine: the Whoosh version guard, index files under their pickled names,
and fast paths that are taken (the per-posting and per-document fallbacks are gone)."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import whoosh
from whoosh import index as windex
from whoosh.codec.whoosh3 import W3LeafMatcher, W3PerDocReader
from whoosh.columns import NumericColumn
from whoosh.filedb.filestore import FileStorage

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import IndexUnavailable, SearchIndex, SearchRequest, rebuild_index
from pressearchiv.index.directory import open_dir
from pressearchiv.index.engine import SharedCompoundStorage, read_numeric_column
from pressearchiv.index.engine.blocks import decode_blocks
from pressearchiv.index.errors import UnsupportedWhoosh
from pressearchiv.index.formats import FastPositions, PressCodec, PressSegment
from pressearchiv.index.merging import committed_segments

from .conftest import ARTICLES


def test_the_indexes_classes_keep_the_names_they_are_pickled_under(tmp_path: Path) -> None:
    """Existing indexes name these classes in their TOC; moving them would
    make every index unreadable (and rebuilt)."""
    for cls in (FastPositions, PressCodec, PressSegment):
        assert cls.__module__ == "pressearchiv.index.formats"
    with ArchiveStore.open(tmp_path / "data") as store:
        store.add_many(ARTICLES)
        SearchIndex.open(tmp_path / "index", store).close()
        with SearchIndex.open(tmp_path / "index", store) as ix:
            assert ix.recreated is None and ix.wait_indexed(store.max_seq(), timeout=10)
    toc = b"".join(p.read_bytes() for p in (tmp_path / "index").glob("_MAIN_*.toc"))
    assert b"pressearchiv.index.formats" in toc and b"PressSegment" in toc
    assert b"engine" not in toc


@pytest.fixture
def other_whoosh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whoosh, "__version__", (2, 7, 5))


@pytest.mark.usefixtures("other_whoosh")
def test_another_whoosh_version_is_refused_when_the_index_is_opened(
    tmp_path: Path, filled_store: ArchiveStore
) -> None:
    with pytest.raises(UnsupportedWhoosh, match=r"needs Whoosh 2\.7\.4, but Whoosh 2\.7\.5"):
        SearchIndex.open(tmp_path / "index", filled_store)
    with pytest.raises(UnsupportedWhoosh, match="install whoosh==2.7.4"):
        SearchIndex.open(tmp_path / "index", filled_store, read_only=True)
    with pytest.raises(UnsupportedWhoosh):
        rebuild_index(tmp_path / "index", filled_store)
    assert issubclass(UnsupportedWhoosh, IndexUnavailable)  # web/ answers 503


def test_a_refused_version_leaves_the_index_and_its_lock_alone(
    tmp_path: Path, filled_store: ArchiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SearchIndex.open(tmp_path / "index", filled_store) as ix:
        assert ix.wait_indexed(filled_store.max_seq(), timeout=10)
    before = sorted(p.name for p in (tmp_path / "index").iterdir())
    with monkeypatch.context() as m:
        m.setattr(whoosh, "__version__", (3, 0, 0))
        with pytest.raises(UnsupportedWhoosh):
            SearchIndex.open(tmp_path / "index", filled_store)
    assert sorted(p.name for p in (tmp_path / "index").iterdir()) == before
    with SearchIndex.open(tmp_path / "index", filled_store) as ix:  # not locked, not rebuilt
        assert ix.recreated is None
        assert ix.search(SearchRequest(query="Impfung")).total > 0


def test_searching_reads_whole_blocks_never_a_posting_at_a_time(
    tmp_path: Path, filled_store: ArchiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pressearchiv.index.engine import reading

    decoded: list[int] = []

    def spy(raw: bytes) -> Any:
        decoded.append(len(raw))
        return decode_blocks(raw)

    def refuse(*args: Any) -> None:
        raise AssertionError("a per-posting or per-document path was taken")

    monkeypatch.setattr(reading, "decode_blocks", spy)
    for slow in ("id", "weight", "value", "next", "all_ids"):
        monkeypatch.setattr(W3LeafMatcher, slow, refuse)
    monkeypatch.setattr(W3PerDocReader, "doc_field_length", refuse)
    monkeypatch.setattr(NumericColumn.Reader, "__getitem__", refuse)
    monkeypatch.setattr(NumericColumn.Reader, "__iter__", refuse)
    # Opened after the spies: its columns, lengths and postings are all read under them.
    with SearchIndex.open(tmp_path / "index", filled_store) as ix:
        assert ix.wait_indexed(filled_store.max_seq(), timeout=10)
        response = ix.search(
            SearchRequest(query='Impfung OR "Ukraine-Konflikt"', outlets=("zeit.de", "spiegel.de"))
        )
        assert response.total == 2 and response.facets.year
    assert len(decoded) >= 3  # both words, and the phrase's positions


def test_a_column_that_is_not_numeric_fails_loudly(tmp_path: Path, index: SearchIndex) -> None:
    with windex.open_dir(str(tmp_path / "index")).reader() as reader:
        column = reader.column_reader("id", translate=False)  # strings, not numbers
        with pytest.raises(TypeError, match="not a numeric column"):
            read_numeric_column(column, reader.doc_count_all())


def test_a_segment_that_cannot_be_memory_mapped_fails_loudly(
    tmp_path: Path, filled_store: ArchiveStore
) -> None:
    with SearchIndex.open(tmp_path / "index", filled_store) as ix:
        assert ix.wait_indexed(filled_store.max_seq(), timeout=10)
    storage = FileStorage(str(tmp_path / "index"))
    [segment] = committed_segments(windex.open_dir(str(tmp_path / "index")))
    dbfile = storage.open_file(segment.make_filename(segment.COMPOUND_EXT))
    compound = SharedCompoundStorage(dbfile, use_mmap=False)  # Whoosh's copying fallback
    try:
        with pytest.raises(IndexUnavailable, match="cannot memory-map"):
            compound.open_file(compound.list()[0])
    finally:
        compound.close()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_damaged_index_leaves_no_file_open(tmp_path: Path, filled_store: ArchiveStore) -> None:
    SearchIndex.open(tmp_path / "index", filled_store).close()
    shutil.copytree(tmp_path / "index", tmp_path / "damaged")
    [toc] = (tmp_path / "damaged").glob("_MAIN_*.toc")
    toc.write_bytes(b"garbage")

    def open_files() -> set[str]:
        fds = Path("/proc/self/fd")
        found = set()
        for fd in fds.iterdir():
            with contextlib.suppress(OSError):  # closed since it was listed
                found.add(os.readlink(fd))
        return found

    with pytest.raises(Exception, match="different architecture") as caught:
        open_dir(tmp_path / "damaged")
    # Checked while the error (and the frames it holds) is alive, as in a log
    # handler: Whoosh's reader left the file open until they were collected.
    assert caught.traceback and str(toc) not in open_files()
