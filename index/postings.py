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
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from pressearchiv.index.engine import read_lengths, read_positions, read_postings
from pressearchiv.index.mapped_postings import MappedPostings
from pressearchiv.index.posting_files import DamagedPostingFile

__all__ = ["PostingCache", "Postings", "segment_key"]

Postings = tuple[np.ndarray, np.ndarray]  # (docnums int32, term frequencies float32)


def segment_key(reader: Any) -> str:
    """The cache key of a leaf reader's segment (an empty index has none)."""
    segment = reader.segment()
    return segment.segment_id() if segment is not None else f"reader-{id(reader)}"


class PostingCache:
    """Numpy postings, positions and field lengths per segment, LRU-bounded.

    Postings and positions share one budget of ``max_postings`` array
    elements (``IndexOptions.posting_cache_postings``).
    """

    def __init__(self, max_postings: int, files: MappedPostings | None = None) -> None:
        self._max = max_postings
        self._files = files
        self._held = 0
        # key: (segment id, "postings" or "positions", field, term)
        self._arrays: OrderedDict[tuple[str, str, str, str], tuple[np.ndarray, ...]] = OrderedDict()
        self._lengths: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()

    @property
    def held(self) -> int:
        """Array elements held now (at most the budget, unless one term alone is bigger)."""
        with self._lock:
            return self._held

    def __len__(self) -> int:
        """Terms (postings or positions) held now."""
        with self._lock:
            return len(self._arrays)

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
        with self._lock:
            found = self._arrays.get(key)
            if found is not None:
                self._arrays.move_to_end(key)
                return found
        found = read(reader, fieldname, text)  # outside the lock: reads take a while
        with self._lock:
            if key not in self._arrays:
                self._arrays[key] = found
                self._held += len(found[0])
                while self._held > self._max and len(self._arrays) > 1:
                    _, evicted = self._arrays.popitem(last=False)
                    self._held -= len(evicted[0])
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
            for gone in [k for k in self._arrays if k[0] not in segment_keys]:
                self._held -= len(self._arrays.pop(gone)[0])
            for lengths in [k for k in self._lengths if k[0] not in segment_keys]:
                del self._lengths[lengths]
