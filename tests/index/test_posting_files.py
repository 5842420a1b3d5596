"""Posting files: memory-mapped postings answer exactly what decoding the segment does."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import IndexOptions, SearchIndex, SearchRequest
from pressearchiv.index import postings as postings_module
from pressearchiv.index.directory import open_dir
from pressearchiv.index.engine import FieldPostings, read_positions, read_postings
from pressearchiv.index.formats import FastPositions
from pressearchiv.index.mapped_postings import MappedPostings
from pressearchiv.index.posting_files import (
    SUFFIX,
    DamagedPostingFile,
    SegmentPostings,
    postings_dir,
    write_posting_file,
)

from .conftest import ARTICLES, draft
from .flood import FLOOD

# Every kind of query the scorer reads postings for: words in several fields,
# compounds and their parts, AND, OR, NOT, phrases, wildcards, an outlet.
QUERIES = [
    "Dresden",
    "Impfung",
    "Gesundheitsamt",
    "Elbe Hochwasser",
    "Flüchtlinge OR Verhandlungen",
    "Dresden -Prag",
    '"Technisches Hilfswerk"',
    '"Katastrophenalarm ausgelöst"',
    "Hochwasser*",
    "Impf*",
    "Corona-Fällen",
    "outlet:spiegel",
    "Sandsäcke",
    "Verhandlung Aufnahme",
    "Wörter, die es nicht gibt",
]
EVERY_SEGMENT = IndexOptions(posting_file_documents=1)
NO_SEGMENT = IndexOptions(posting_file_documents=10**9)


@pytest.fixture
def index_dir(tmp_path: Path, store: ArchiveStore) -> Iterator[Path]:
    """An index of two segments (the eight articles, then the flood stories)
    whose owner wrote a posting file for each."""
    folder = tmp_path / "index"
    batches = [ARTICLES, [draft(*article) for article in FLOOD]]
    for batch in batches:
        store.add_many(batch)
        with SearchIndex.open(folder, store, options=EVERY_SEGMENT) as ix:
            assert ix.wait_indexed(store.max_seq(), timeout=10)
            assert ix.wait_posting_files(timeout=20)
    yield folder


def posting_files(index_dir: Path) -> list[Path]:
    return sorted(postings_dir(index_dir).glob(f"*{SUFFIX}"))


def hits(
    index_dir: Path, store: ArchiveStore, options: IndexOptions
) -> list[list[tuple[str, float | None]]]:
    """Every query's hits (id, score) in the index opened as a worker opens it."""
    with SearchIndex.open(index_dir, store, options=options, read_only=True) as ix:
        return [
            [(h.id, h.score) for h in ix.search(SearchRequest(query=q, size=100)).hits]
            for q in QUERIES
        ]


def test_every_term_of_every_searched_field_reads_the_same_from_the_file(
    index_dir: Path,
) -> None:
    files = MappedPostings(postings_dir(index_dir), 1)
    ix = open_dir(index_dir)
    with ix.searcher() as searcher:
        readers = [sub.reader() for sub, _ in searcher.leaf_searchers()]
        assert len(readers) == 2 and len(posting_files(index_dir)) == 2
        fields = [n for n, f in ix.schema.items() if isinstance(f.format, FastPositions)]
        assert sorted(fields) == ["body", "outlet", "parts", "title"]
        checked = 0
        for reader in readers:
            mapped = files.segment(reader)
            assert mapped is not None
            for fieldname in fields:
                for term in reader.lexicon(fieldname):
                    text = term.decode("utf-8")
                    ids, tf = read_postings(reader, fieldname, text)
                    found = mapped.postings(fieldname, text)
                    assert found is not None
                    assert found[0].dtype == np.int32 and np.array_equal(found[0], ids)
                    assert found[1].dtype == np.float32 and np.array_equal(found[1], tf)
                    keys = mapped.positions(fieldname, text)
                    assert keys is not None and keys.dtype == np.int64
                    assert np.array_equal(keys, read_positions(reader, fieldname, text))
                    checked += 1
                # Wildcards list a segment's terms by prefix, as its lexicon does.
                for prefix in ("", "a", "ge", "hoch", "ü", "zzz"):
                    lexicon = [
                        (raw.decode("utf-8"), info.doc_frequency())
                        for raw, info in reader.iter_prefix(fieldname, prefix)
                    ]
                    assert mapped.prefixed(fieldname, prefix) == lexicon
            # A word the segment lacks is empty; a field the file does not hold
            # (the spelling words) and a term it cannot hold are left to the segment.
            lacking = mapped.postings("body", "zzzunbekannt")
            assert lacking is not None and len(lacking[0]) == len(lacking[1]) == 0
            assert mapped.postings("spell", "Dresden") is None
            assert mapped.postings("body", "a\x00b") is None
        assert checked > 500


def test_a_search_finds_the_same_hits_and_scores_with_and_without_the_files(
    index_dir: Path, store: ArchiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    without = hits(index_dir, store, NO_SEGMENT)
    assert sum(map(len, without)) > 30

    def no_decoding(*args: object) -> None:
        raise AssertionError("a segment was decoded although its posting file is there")

    monkeypatch.setattr(postings_module, "read_postings", no_decoding)
    monkeypatch.setattr(postings_module, "read_positions", no_decoding)
    assert hits(index_dir, store, EVERY_SEGMENT) == without


@pytest.mark.parametrize(
    "damage",
    ["empty", "garbage", "cut", "other segment", "offsets", "ids", "trie"],
)
def test_a_damaged_posting_file_is_never_used(
    index_dir: Path, store: ArchiveStore, damage: str
) -> None:
    without = hits(index_dir, store, NO_SEGMENT)
    first, second = posting_files(index_dir)
    content = first.read_bytes()
    if damage == "empty":
        first.write_bytes(b"")
    elif damage == "garbage":
        first.write_bytes(b"PRESSPST" + b"\xff" * 100)
    elif damage == "cut":
        first.write_bytes(content[: len(content) // 2])
    elif damage == "other segment":
        first.write_bytes(second.read_bytes())
    else:  # the last offset, every document number, or the trie's start overwritten
        raw = bytearray(content)
        (length,) = struct.unpack_from("<I", raw, 8)
        array = {"offsets": "starts", "ids": "ids", "trie": "keys"}[damage]
        offset, dtype, count = json.loads(raw[12 : 12 + length])["arrays"][array]
        end = offset + count * np.dtype(dtype).itemsize
        start = {"offsets": end - 4, "ids": offset, "trie": offset}[damage]
        end = offset + 8 if damage == "trie" else end
        raw[start:end] = b"\x7f" * (end - start)
        first.write_bytes(bytes(raw))
    assert hits(index_dir, store, EVERY_SEGMENT) == without


def test_the_owner_writes_missing_files_and_removes_those_of_gone_segments(
    index_dir: Path, store: ArchiveStore
) -> None:
    kept = posting_files(index_dir)
    kept[0].unlink()  # an index from before posting files, in part
    stray = postings_dir(index_dir) / f"MAIN_merged0away0segment{SUFFIX}"
    stray.write_bytes(b"old")
    unfinished = postings_dir(index_dir) / ".abc.tmp"
    unfinished.write_bytes(b"cut short")
    with SearchIndex.open(index_dir, store, options=EVERY_SEGMENT) as ix:
        builder = ix._posting_builder
        assert builder is not None and builder.idle.wait(timeout=20)
        assert builder.written == 1
    assert posting_files(index_dir) == kept
    assert not unfinished.exists()


def test_small_segments_get_no_file(tmp_path: Path, filled_store: ArchiveStore) -> None:
    with SearchIndex.open(tmp_path / "index", filled_store) as ix:  # default: 1,000 articles
        assert ix.wait_indexed(filled_store.max_seq(), timeout=10)
        builder = ix._posting_builder
        assert builder is not None and builder.idle.wait(timeout=20)
        assert builder.written == 0
    assert posting_files(tmp_path / "index") == []


def test_a_build_given_up_halfway_leaves_no_file(index_dir: Path) -> None:
    for path in posting_files(index_dir):
        path.unlink()
    files = MappedPostings(postings_dir(index_dir), 1, owner=True)
    calls: list[int] = []

    def give_up() -> None:  # the builder's check when the index closes
        calls.append(1)
        raise KeyboardInterrupt

    with open_dir(index_dir).searcher() as searcher:
        reader = searcher.leaf_searchers()[1][0].reader()
        with pytest.raises(KeyboardInterrupt):
            files.build(reader, give_up)
        assert len(calls) == 1
        assert list(postings_dir(index_dir).iterdir()) == []
        assert files.build(reader) is not None and files.segment(reader) is not None


def test_fractional_weights_and_positions_round_trip(tmp_path: Path) -> None:
    # Two terms of a boosted field: weights are no counts, so both are kept.
    field = FieldPostings(
        fieldname="title",
        terms=["elbe", "pegel"],
        starts=np.array([0, 2, 3], dtype=np.int64),
        ids=np.array([0, 3, 1], dtype=np.int32),
        weights=np.array([2.5, 5.0, 2.5], dtype=np.float32),
        counts=np.array([1, 2, 1], dtype=np.int64),
        positions=np.array([4, 0, 70_000, 9], dtype=np.uint32),
    )
    path = tmp_path / f"seg{SUFFIX}"
    write_posting_file(path, "seg", 4, [field])
    mapped = SegmentPostings(path, "seg", 4)
    found = mapped.postings("title", "elbe")
    assert found is not None
    assert found[0].tolist() == [0, 3] and found[1].tolist() == [2.5, 5.0]
    assert found[1].dtype == np.float32
    keys = mapped.positions("title", "elbe")
    assert keys is not None and keys.tolist() == [4, 3 << 32, (3 << 32) | 70_000]
    assert mapped.positions("title", "pegel").tolist() == [(1 << 32) | 9]  # type: ignore[union-attr]
    with pytest.raises(DamagedPostingFile):
        SegmentPostings(path, "seg", 5)  # another segment's document count


def test_the_owner_checks_every_file_at_its_start_but_keeps_none_mapped(
    index_dir: Path, store: ArchiveStore
) -> None:
    first, second = posting_files(index_dir)
    first.write_bytes(first.read_bytes()[:100])  # damaged since the last run
    with SearchIndex.open(index_dir, store, options=EVERY_SEGMENT) as ix:
        assert ix.wait_posting_files(timeout=20)
        builder, files = ix._posting_builder, ix._posting_files
        assert builder is not None and files is not None
        assert builder.written == 1  # the damaged one, written again
        assert list(files._checked) == [second.stem]  # the other one passed its check
        assert not files._open  # checked, then let go
        assert ix.search(SearchRequest(query="Hochwasser")).total > 0
        assert files._open  # a search maps the files it reads
