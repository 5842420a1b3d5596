"""Posting lists and field lengths as numpy arrays, cached per segment.

Scoring and matching visit every posting of every query term. Doing that
through Whoosh's matchers costs a Python call per posting (hundreds of
milliseconds for a word in most of 100,000 articles). A Whoosh segment never
changes after its commit, so its postings are read once, block by block, into
numpy arrays and kept until the segment is merged away; after that a query
term costs a few vectorised operations.

The cache is bounded by the number of postings it holds (least recently used
terms go first).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.reading import TermNotFound
from whoosh.util.numeric import _length_byte_cache

__all__ = ["PostingCache", "Postings"]

# Whoosh stores a document's field length as one byte on a log scale.
_BYTE_TO_LENGTH = np.asarray(_length_byte_cache, dtype=np.float32)
_EMPTY_IDS = np.zeros(0, dtype=np.int32)
_EMPTY_TF = np.zeros(0, dtype=np.float32)

Postings = tuple[np.ndarray, np.ndarray]  # (docnums int32, term frequencies float32)


def segment_key(reader: Any) -> str:
    segment = reader.segment()
    return segment.segment_id() if segment is not None else f"reader-{id(reader)}"


class PostingCache:
    """Numpy postings, positions and field lengths per segment, LRU-bounded.

    Postings and positions share one budget, counted in array elements.
    """

    def __init__(self, max_postings: int = 40_000_000) -> None:
        self._max = max_postings
        self._held = 0
        # key: (segment id, "postings" or "positions", field, term)
        self._arrays: OrderedDict[tuple[str, str, str, str], tuple[np.ndarray, ...]] = OrderedDict()
        self._lengths: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()

    def postings(self, reader: Any, fieldname: str, text: str) -> Postings:
        """Document numbers (within the segment) and frequencies of one term."""
        ids, tf = self._cached(reader, "postings", fieldname, text, _read_postings)
        return ids, tf

    def positions(self, reader: Any, fieldname: str, text: str) -> np.ndarray:
        """Sorted int64 keys ``docnum << 32 | position`` of every occurrence of a term."""
        (keys,) = self._cached(
            reader, "positions", fieldname, text, lambda *a: (_read_positions(*a),)
        )
        return keys

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
            found = _read_lengths(reader, fieldname)
            with self._lock:
                self._lengths[key] = found
        return found

    def retain(self, segment_keys: set[str]) -> None:
        """Forget segments that no longer exist (merged away by a commit)."""
        with self._lock:
            for gone in [k for k in self._arrays if k[0] not in segment_keys]:
                self._held -= len(self._arrays.pop(gone)[0])
            for lengths in [k for k in self._lengths if k[0] not in segment_keys]:
                del self._lengths[lengths]


def _read_postings(reader: Any, fieldname: str, text: str) -> Postings:
    try:
        matcher = reader.postings(fieldname, text)
    except TermNotFound:
        return _EMPTY_IDS, _EMPTY_TF
    # Deletions are applied by the caller's live mask; read the raw list.
    matcher = getattr(matcher, "child", matcher)
    ids: list[Any] = []
    weights: list[Any] = []
    # A W3 leaf matcher decodes a block of postings at a time; take whole blocks.
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.append(np.asarray(matcher._ids, dtype=np.int32))
            weights.append(np.asarray(matcher._weights, dtype=np.float32))
            matcher._next_block()
    else:  # any other matcher: one posting at a time
        docs, tfs = [], []
        while matcher.is_active():
            docs.append(matcher.id())
            tfs.append(matcher.weight())
            matcher.next()
        ids.append(np.asarray(docs, dtype=np.int32))
        weights.append(np.asarray(tfs, dtype=np.float32))
    if not ids:
        return _EMPTY_IDS, _EMPTY_TF
    return np.concatenate(ids), np.concatenate(weights)


def _read_positions(reader: Any, fieldname: str, text: str) -> np.ndarray:
    """Position keys of a term in a field stored with FastPositions."""
    try:
        matcher = reader.postings(fieldname, text)
    except TermNotFound:
        return np.zeros(0, dtype=np.int64)
    return _read_packed_positions(getattr(matcher, "child", matcher))


def _read_packed_positions(matcher: Any) -> np.ndarray:
    """Positions stored by FastPositions: each value is a packed uint32 array,
    so a whole block decodes with one join and one frombuffer."""
    docs: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    chunks: list[bytes] = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_values()
        values = matcher._values
        chunks.append(b"".join(values))
        docs.append(np.asarray(matcher._ids, dtype=np.int64))
        counts.append(np.fromiter(map(len, values), dtype=np.int64, count=len(values)) // 4)
        matcher._next_block()
    if not docs:
        return np.zeros(0, dtype=np.int64)
    positions = np.frombuffer(b"".join(chunks), dtype=np.uint32).astype(np.int64)
    keys = (np.repeat(np.concatenate(docs), np.concatenate(counts)) << 32) | positions
    keys.sort()
    return keys


def _read_lengths(reader: Any, fieldname: str) -> np.ndarray:
    count = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    column = None
    if perdoc is not None and hasattr(perdoc, "_cached_reader"):
        column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column is None:  # not a W3 segment (or no lengths): ask per document
        return np.asarray(
            [reader.doc_field_length(d, fieldname, 0) or 0 for d in range(count)],
            dtype=np.float32,
        )
    # A fixed one-byte column: its bytes, then zeros for documents past its end.
    stored = min(column._count, count)
    raw = bytes(column._dbfile.get(column._basepos, stored)) if stored else b""
    codes = np.zeros(count, dtype=np.uint8)
    codes[:stored] = np.frombuffer(raw, dtype=np.uint8)
    return _BYTE_TO_LENGTH[codes]
