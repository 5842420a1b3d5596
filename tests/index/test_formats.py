"""Segments are read through shared, per-thread views of their compound file."""

from __future__ import annotations

import mmap
import pickle
import threading
from pathlib import Path
from typing import Any

from whoosh import index as windex

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index.engine import (
    SharedBufferFile,
    postings_file,
    read_numeric_column,
)
from pressearchiv.index.formats import PressSegment
from pressearchiv.index.schema import build_schema
from pressearchiv.index.segments import SegmentBuilder


def test_the_cursor_reads_seeks_and_reads_lines_like_a_file() -> None:
    data = b"Zeile eins\nZeile zwei\n" + pickle.dumps({"a": 1}, 2) + b"Ende"
    shared = SharedBufferFile(memoryview(data), name="x")
    assert shared.read(5) == b"Zeile"
    assert shared.tell() == 5
    assert shared.readline() == b" eins\n"
    assert shared.readline() == b"Zeile zwei\n"
    assert shared.read_pickle() == {"a": 1}
    assert shared.read() == b"Ende"
    assert shared.read(10) == b""  # at the end
    shared.seek(-4, 2)
    assert shared.read(2) == b"En"
    shared.seek(1, 1)
    assert shared.read() == b"e"
    assert shared.get(0, 5) == b"Zeile"
    sub = shared.subset(6, 4)
    assert sub.read() == b"eins"


def test_each_thread_has_its_own_position() -> None:
    shared = SharedBufferFile(memoryview(bytes(range(256)) * 4))
    shared.seek(100)
    seen: list[int] = []

    def elsewhere() -> None:
        seen.append(shared.tell())
        shared.seek(7)

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert seen == [0]  # a new thread starts at the beginning …
    assert shared.tell() == 100  # … and moving there does not move this one


def _build(path: Path, store: ArchiveStore, commits: int) -> Any:
    path.mkdir()
    ix = windex.create_in(str(path), build_schema())
    articles = list(store.iter_articles())
    step = -(-len(articles) // commits)
    for start in range(0, len(articles), step):
        writer = SegmentBuilder(ix)
        writer.add_articles(articles[start : start + step])
        writer.commit(merge=False)
    return ix


def test_segments_are_read_without_copying(tmp_path: Path, filled_store: ArchiveStore) -> None:
    ix = _build(tmp_path / "ix", filled_store, commits=2)
    with ix.searcher() as searcher:
        readers = [s.reader() for s, _ in searcher.leaf_searchers()]
        assert len(readers) == 2
        for reader in readers:
            assert isinstance(reader.segment(), PressSegment)
            postings = postings_file(reader)
            assert isinstance(postings, SharedBufferFile)
            assert isinstance(postings.buffer.obj, mmap.mmap)  # a view, not a copy


def test_parallel_searches_read_the_same_postings_as_one(
    tmp_path: Path, filled_store: ArchiveStore
) -> None:
    ix = _build(tmp_path / "ix", filled_store, commits=1)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        terms = [(f, t) for f in ("title", "body") for t in reader.lexicon(f)]

        def read_all() -> list[tuple[Any, ...]]:
            out = []
            for field, text in terms:
                matcher = reader.postings(field, text)
                while matcher.is_active():
                    out.append((field, text, matcher.id(), matcher.value()))
                    matcher.next()
            return out

        expected = read_all()
        results: list[list[tuple[Any, ...]]] = []
        threads = [threading.Thread(target=lambda: results.append(read_all())) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(expected) > 100
    assert results == [expected] * 6


def test_numeric_columns_read_in_one_go_equal_whoosh_s_values(
    tmp_path: Path, filled_store: ArchiveStore
) -> None:
    ix = _build(tmp_path / "ix", filled_store, commits=2)
    with ix.searcher() as searcher:
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            n = reader.doc_count_all()
            for name in ("seq", "day_start", "day_end"):
                expected = list(reader.column_reader(name))
                column = reader.column_reader(name, translate=False)
                assert read_numeric_column(column, n).tolist() == expected
                # Documents past the stored values read as the column's default.
                assert read_numeric_column(column, n + 2).tolist() == expected + [0, 0]
            assert any(v > 0 for v in expected)
