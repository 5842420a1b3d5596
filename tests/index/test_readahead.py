"""The index's maps read what is used: scattered spans, not the kernel's read-around.

Residency is checked with the kernel's own answer (``mincore``) on files whose
pages were dropped from the page cache first (``POSIX_FADV_DONTNEED``, which
needs no privilege for pages nobody has mapped). Linux only.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import IndexOptions, SearchIndex, readahead
from pressearchiv.index.directory import open_dir
from pressearchiv.index.engine import FieldPostings
from pressearchiv.index.posting_files import (
    SUFFIX,
    SegmentPostings,
    postings_dir,
    write_posting_file,
)

from .conftest import ARTICLES, draft
from .flood import FLOOD

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux madvise")

PAGE = mmap.PAGESIZE


def _address(buffer: mmap.mmap) -> int:
    return int(np.frombuffer(buffer, dtype=np.uint8).ctypes.data)


def resident_pages(buffer: mmap.mmap) -> np.ndarray:
    """Which pages of a mapping are in the page cache (the kernel's ``mincore``)."""
    libc = ctypes.CDLL(None, use_errno=True)
    pages = (len(buffer) + PAGE - 1) // PAGE
    vector = (ctypes.c_ubyte * pages)()
    if libc.mincore(ctypes.c_void_p(_address(buffer)), ctypes.c_size_t(len(buffer)), vector):
        raise OSError(ctypes.get_errno(), "mincore")
    return np.frombuffer(bytes(vector), dtype=np.uint8) & 1


def flags_of(buffer: mmap.mmap) -> set[str]:
    """The VmFlags the kernel shows for the mapping holding ``buffer``."""
    start = _address(buffer)
    inside = False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()[0]
        if "-" in head and ":" not in head:
            low, high = (int(part, 16) for part in head.split("-"))
            inside = low <= start < high
        elif inside and line.startswith("VmFlags:"):
            return set(line.split()[1:])
    raise AssertionError("mapping not found")


def drop_from_page_cache(path: Path) -> None:
    with path.open("rb") as f:  # written and synced by its builder: clean pages
        os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


@pytest.fixture
def index_dir(tmp_path: Path, store: ArchiveStore) -> Path:
    """An index of two segments with a posting file each."""
    folder = tmp_path / "index"
    for batch in (ARTICLES, [draft(*article) for article in FLOOD]):
        store.add_many(batch)
        with SearchIndex.open(folder, store, options=IndexOptions(posting_file_documents=1)) as ix:
            assert ix.wait_indexed(store.max_seq(), timeout=10)
            assert ix.wait_posting_files(timeout=20)
    return folder


def test_segment_and_posting_file_maps_are_read_in_scattered_spans(index_dir: Path) -> None:
    ix = open_dir(index_dir)
    with ix.searcher() as searcher:
        reader = searcher.leaf_searchers()[0][0].reader()
        compound = reader._storage.a  # the segment file's map (engine detail)
        assert "rr" in flags_of(compound._source)
        key, documents = reader.segment().segment_id(), reader.doc_count_all()
    mapped = SegmentPostings(postings_dir(index_dir) / f"{key}{SUFFIX}", key, documents)
    assert "rr" in flags_of(mapped._map)


def test_a_posting_file_is_read_as_far_as_it_is_used(tmp_path: Path) -> None:
    """Opening a posting file and reading one term reads its look-up arrays and
    that term's pages, not the rest of the postings (as read-around of the
    first touch would, on any disk: 128 KiB at least)."""
    terms, per_term, documents = 2_000, 64, 100_000
    rng = np.random.default_rng(7)
    ids = np.sort(rng.integers(0, documents, size=(terms, per_term)), axis=1).astype(np.int32)
    field = FieldPostings(
        fieldname="body",
        terms=[f"wort{i:05d}" for i in range(terms)],
        starts=np.arange(0, terms * per_term + 1, per_term, dtype=np.int64),
        ids=ids.ravel(),
        weights=np.ones(terms * per_term, dtype=np.float32),
        counts=np.ones(terms * per_term, dtype=np.int64),
        positions=rng.integers(0, 5_000, size=terms * per_term).astype(np.uint32),
    )
    path = tmp_path / f"seg{SUFFIX}"
    write_posting_file(path, "seg", documents, [field])
    drop_from_page_cache(path)
    mapped = SegmentPostings(path, "seg", documents)
    found = mapped.postings("body", "wort01000")
    assert found is not None and np.array_equal(found[0], ids[1000])
    resident = resident_pages(mapped._map)
    assert len(resident) > 64  # over 256 KiB: larger than any read-around of a touch
    assert 0 < resident.sum() < len(resident) // 2


class _Recorder:
    """A stand-in for a map that records the advice it is given."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.calls: list[tuple[int, int, int]] = []

    def __len__(self) -> int:
        return self.size

    def madvise(self, advice: int, start: int = 0, length: int = 0) -> None:
        self.calls.append((advice, start, length))


def test_a_long_span_is_asked_for_in_page_aligned_steps() -> None:
    buffer = _Recorder(1_000_000)
    readahead.read_soon(buffer, 5_000, 600_000)  # type: ignore[arg-type]
    starts = [start for _, start, _ in buffer.calls]
    assert starts[0] == 5_000 - 5_000 % PAGE and all(s % PAGE == 0 for s in starts)
    assert all(a == mmap.MADV_WILLNEED and 0 < n <= 128 * 1024 for a, _, n in buffer.calls)
    # Contiguous and covering the span.
    assert all(s + n == t for (_, s, n), t in zip(buffer.calls, starts[1:], strict=False))
    last = buffer.calls[-1]
    assert last[1] + last[2] == 600_000


def test_a_span_past_the_end_is_cut_and_a_short_one_left_to_the_page_faults() -> None:
    buffer = _Recorder(100_000)
    readahead.read_soon(buffer, 0, 10**9)  # type: ignore[arg-type]
    assert buffer.calls[-1][1] + buffer.calls[-1][2] == 100_000
    short = _Recorder(100_000)
    readahead.read_soon(short, 0, 2 * PAGE - 1)  # type: ignore[arg-type]
    assert short.calls == []


def test_advice_the_kernel_refuses_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    class Refusing(_Recorder):
        def madvise(self, advice: int, start: int = 0, length: int = 0) -> None:
            raise OSError(22, "Invalid argument")

    readahead.read_scattered(Refusing(100_000))  # type: ignore[arg-type]
    readahead.read_soon(Refusing(1_000_000), 0, 1_000_000)  # type: ignore[arg-type]
    monkeypatch.delattr(mmap, "MADV_WILLNEED")
    monkeypatch.delattr(mmap, "MADV_RANDOM")
    absent = _Recorder(1_000_000)
    readahead.read_soon(absent, 0, 1_000_000)  # type: ignore[arg-type]
    readahead.read_scattered(absent)  # type: ignore[arg-type]
    assert absent.calls == []
