"""Column files: a segment's columns are read from Whoosh once, then from a file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex, SearchRequest
from pressearchiv.index.columns import ColumnCache, Columns, columns_dir
from pressearchiv.index.directory import open_dir


def indexed(tmp_path: Path, store: ArchiveStore) -> Path:
    with SearchIndex.open(tmp_path / "index", store) as ix:
        assert ix.wait_indexed(store.max_seq(), timeout=10)
    return tmp_path / "index"


def read_columns(index_dir: Path, cache: ColumnCache) -> Columns:
    with open_dir(index_dir).searcher() as searcher:
        return cache.columns(searcher)


def same(a: Columns, b: Columns) -> None:
    assert a.ids == b.ids
    assert a.outlet_names == b.outlet_names
    for name in ("seq", "outlet", "day_start", "day_end", "year", "month", "live"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_another_process_reads_a_segment_s_columns_from_its_file(
    tmp_path: Path, filled_store: ArchiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = indexed(tmp_path, filled_store)
    files = sorted(columns_dir(index_dir).glob("*.npz"))
    assert files, "the owner filed its segments' columns"
    from_whoosh = read_columns(index_dir, ColumnCache())

    def no_whoosh(self: ColumnCache, reader: object) -> object:
        raise AssertionError("read from Whoosh although the file is there")

    monkeypatch.setattr(ColumnCache, "_load", no_whoosh)
    same(read_columns(index_dir, ColumnCache(columns_dir(index_dir))), from_whoosh)


def test_a_damaged_column_file_is_read_again_from_the_segment(
    tmp_path: Path, filled_store: ArchiveStore
) -> None:
    index_dir = indexed(tmp_path, filled_store)
    from_whoosh = read_columns(index_dir, ColumnCache())
    damage = [b"", b"not a numpy archive", None]  # None: cut in half
    for i, path in enumerate(sorted(columns_dir(index_dir).glob("*.npz"))):
        content = damage[i % len(damage)]
        path.write_bytes(
            path.read_bytes()[: path.stat().st_size // 2] if content is None else content
        )
    same(read_columns(index_dir, ColumnCache(columns_dir(index_dir))), from_whoosh)
    # ... and filed again, whole.
    same(read_columns(index_dir, ColumnCache(columns_dir(index_dir))), from_whoosh)


def test_outlets_keep_their_names_whatever_order_a_process_met_them_in(
    tmp_path: Path, filled_store: ArchiveStore
) -> None:
    index_dir = indexed(tmp_path, filled_store)
    with SearchIndex.open(index_dir, filled_store, read_only=True) as ix:
        expected = ix.search(SearchRequest(query="", size=100)).facets.outlet
    cache = ColumnCache(columns_dir(index_dir))
    cache._outlet_code("Zuerst gesehen")  # this process met another outlet first
    cols = read_columns(index_dir, cache)
    counted = {
        cols.outlet_names[code]: int(n) for code, n in enumerate(np.bincount(cols.outlet)) if n
    }
    assert counted == {f.value: f.count for f in expected}


def test_the_owner_removes_files_of_segments_the_index_no_longer_has(
    tmp_path: Path, filled_store: ArchiveStore
) -> None:
    index_dir = indexed(tmp_path, filled_store)
    stray = columns_dir(index_dir) / "merged0away0segment.npz"
    stray.write_bytes(b"")
    kept = sorted(p.name for p in columns_dir(index_dir).glob("*.npz") if p != stray)
    SearchIndex.open(index_dir, filled_store).close()
    assert sorted(p.name for p in columns_dir(index_dir).glob("*.npz")) == kept
