"""Posting lists and field lengths as numpy arrays, cached per segment.

Scoring and matching visit every posting of every query term. Doing that
through Whoosh's matchers costs a Python call per posting (hundreds of
milliseconds for a word in most of 100,000 articles). A Whoosh segment never
changes after its commit, so its postings are read once, block by block, into
numpy arrays (:mod:`pressearchiv.index.engine.reading`) and kept until the
segment is merged away; after that a query term costs a few vectorised
operations.

The cache is bounded by the number of postings it holds (least recently used
terms go first).

A large segment's posting file (:mod:`pressearchiv.index.mapped_postings`)
answers without decoding: its postings are views of a memory map, shared by
every process through the page cache, and bypass the budget; its positions
are computed from it and cached like decoded ones.

A term's postings over a *run* of segments (:meth:`PostingCache.run_postings`)
are also kept concatenated, with each segment's offset added and each
document's field length beside them. Scoring a word then costs a few vector
operations however many segments the run has, and since a run is named by its
segments and offsets, which never change, it stays valid from one commit to
the next: after an upload only the new small segments are read again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from pressearchiv.index.engine import read_lengths, read_positions, read_postings
from pressearchiv.index.lru import ArrayLru
from pressearchiv.index.mapped_postings import MappedPostings
from pressearchiv.index.posting_files import DamagedPostingFile

__all__ = ["PostingCache", "Postings", "Run", "RunKey", "RunPostings", "segment_key"]

Postings = tuple[np.ndarray, np.ndarray]  # (docnums int32, term frequencies float32)
# A run of segments: (leaf reader, its first row in the searcher) each.
Run = tuple[tuple[Any, int], ...]
# What names a run across generations: (segment key, first row) each.
RunKey = tuple[tuple[str, int], ...]
# One term over a run: rows (int64), frequencies (float32), field lengths
# (float32; empty for a field without lengths).
RunPostings = tuple[np.ndarray, np.ndarray, np.ndarray]


def segment_key(reader: Any) -> str:
    """The cache key of a leaf reader's segment (an empty index has none)."""
    segment = reader.segment()
    return segment.segment_id() if segment is not None else f"reader-{id(reader)}"


class PostingCache:
    """Numpy postings, positions and field lengths per segment, LRU-bounded.

    Postings and positions share one budget of ``max_postings`` array
    elements (``IndexOptions.posting_cache_postings``).
    """

    def __init__(
        self, max_postings: int, files: MappedPostings | None = None, max_run: int | None = None
    ) -> None:
        self._files = files
        # key: (segment id, "postings" or "positions", field, term)
        self._arrays = ArrayLru(max_postings)
        # key: ((run key, kind), "run", field, term); apart, so that a few
        # large runs cannot push every decoded segment out (and the reverse)
        self._runs = ArrayLru(max_postings if max_run is None else max_run)
        self._lengths: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()

    @property
    def held(self) -> int:
        """Postings held now for segments, in 8-byte units (at most the budget,
        unless one term alone is bigger); runs not counted."""
        with self._lock:
            return self._arrays.held

    @property
    def run_budget(self) -> int:
        """The budget of what is kept over runs, in 8-byte units."""
        return self._runs.max

    def size_runs(self, max_units: int) -> None:
        """Give what is kept over runs a new budget (it follows the index's
        size, :meth:`IndexOptions.cache_units
        <pressearchiv.index.options.IndexOptions.cache_units>`)."""
        with self._lock:
            self._runs.resize(max_units)

    def __len__(self) -> int:
        """Terms (postings or positions) held now for segments."""
        with self._lock:
            return len(self._arrays.entries)

    def postings(self, reader: Any, fieldname: str, text: str) -> Postings:
        """Document numbers (within the segment) and frequencies of one term."""
        mapped = self._mapped(reader, fieldname, text, positions=False)
        if mapped is not None:
            ids, tf = mapped
            return ids, tf
        ids, tf = self._cached(reader, "postings", fieldname, text, read_postings)
        return ids, tf

    def positions(self, reader: Any, fieldname: str, text: str) -> np.ndarray:
        """Sorted int64 keys ``docnum << 32 | position`` of every occurrence of a term."""

        def read(reader: Any, fieldname: str, text: str) -> tuple[np.ndarray, ...]:
            mapped = self._mapped(reader, fieldname, text, positions=True)
            return mapped if mapped is not None else (read_positions(reader, fieldname, text),)

        (keys,) = self._cached(reader, "positions", fieldname, text, read)
        return keys

    def run_postings(
        self, run: Run, key: RunKey, fieldname: str, text: str, lengths: bool
    ) -> RunPostings:
        """:meth:`gathered` over a run of segments, kept under ``key`` (which
        names the run, :data:`RunKey`) from one generation to the next."""
        found = self.over_run(
            key, "postings", fieldname, text, lambda: self.gathered(run, fieldname, text, lengths)
        )
        return found[0], found[1], found[2]

    def gathered(self, run: Run, fieldname: str, text: str, lengths: bool) -> RunPostings:
        """One term's postings over some segments, concatenated in their order:
        rows (offsets added), frequencies and, if ``lengths``, the documents'
        field lengths (else an empty array). Not kept."""
        rows, tfs, dls = [], [], []
        for reader, offset in run:
            ids, tf = self.postings(reader, fieldname, text)
            if not len(ids):
                continue
            rows.append(ids.astype(np.int64) + offset)
            tfs.append(tf)
            if lengths:
                dls.append(self.lengths(reader, fieldname)[ids])
        return (
            np.concatenate(rows) if rows else np.zeros(0, np.int64),
            np.concatenate(tfs) if tfs else np.zeros(0, np.float32),
            np.concatenate(dls) if dls else np.zeros(0, np.float32),
        )

    def over_run(
        self,
        key: RunKey,
        kind: str,
        fieldname: str,
        text: str,
        compute: Callable[[], tuple[np.ndarray, ...]],
    ) -> tuple[np.ndarray, ...]:
        """Arrays of one term (or phrase: ``text``) over the run named ``key``,
        computed once and kept within the budget until a segment of the run is gone."""
        return self._held_or(self._runs, ((key, kind), "run", fieldname, text), compute)

    def prefixed(self, reader: Any, fieldname: str, prefix: str) -> list[tuple[str, int]] | None:
        """A segment's terms starting with ``prefix`` and their document
        frequencies, from its posting file (None without one: ask the segment)."""
        segment = self._files.segment(reader) if self._files is not None else None
        return segment.prefixed(fieldname, prefix) if segment is not None else None

    def _mapped(
        self, reader: Any, fieldname: str, text: str, *, positions: bool
    ) -> tuple[np.ndarray, ...] | None:
        """The term from the segment's posting file, None without a usable one."""
        if self._files is None:
            return None
        segment = self._files.segment(reader)
        if segment is None:
            return None
        try:
            if positions:
                keys = segment.positions(fieldname, text)
                return None if keys is None else (keys,)
            return segment.postings(fieldname, text)
        except DamagedPostingFile as exc:
            self._files.discard(reader, exc)
            return None

    def _cached(
        self,
        reader: Any,
        kind: str,
        fieldname: str,
        text: str,
        read: Callable[[Any, str, str], tuple[np.ndarray, ...]],
    ) -> tuple[np.ndarray, ...]:
        key = (segment_key(reader), kind, fieldname, text)
        return self._held_or(self._arrays, key, lambda: read(reader, fieldname, text))

    def _held_or(
        self,
        budget: ArrayLru,
        key: tuple[Any, str, str, str],
        compute: Callable[[], tuple[np.ndarray, ...]],
    ) -> tuple[np.ndarray, ...]:
        with self._lock:
            found = budget.get(key)
        if found is None:
            found = compute()  # outside the lock: reads take a while
            with self._lock:
                budget.put(key, found)
        return found

    def lengths(self, reader: Any, fieldname: str) -> np.ndarray:
        """Every document's length in ``fieldname`` (float32, Whoosh's approximation)."""
        key = (segment_key(reader), fieldname)
        with self._lock:
            found = self._lengths.get(key)
        if found is None:
            found = read_lengths(reader, fieldname)
            with self._lock:
                self._lengths[key] = found
        return found

    def retain(self, segment_keys: set[str]) -> None:
        """Forget segments that no longer exist (merged away by a commit)."""
        if self._files is not None:
            self._files.retain(segment_keys)
        with self._lock:
            self._arrays.keep(lambda key: key[0] in segment_keys)
            self._runs.keep(lambda key: all(s in segment_keys for s, _ in key[0][0]))
            for lengths in [k for k in self._lengths if k[0] not in segment_keys]:
                del self._lengths[lengths]
