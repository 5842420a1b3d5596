"""A generation's word scores: each query word's matching rows and BM25F scores.

Kept for one generation of the index (a commit starts a new one), shared by
its searches, bounded in memory; see :class:`WordScores`.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from pressearchiv.index.lru import ArrayLru
from pressearchiv.index.postings import Run, RunKey, segment_key

__all__ = ["STABLE_DOCUMENTS", "WordScores"]

# Segments this large are never merged (IndexOptions.largest_merged): a word's
# postings over them are kept concatenated from one generation to the next
# (PostingCache.run_postings). Any size would be correct; this one leaves out
# the upload segments that come and go.
STABLE_DOCUMENTS = 1_000


class WordScores:
    """Each query word's (and phrase's) matching rows and BM25F scores, for one generation.

    A word's scores depend only on the generation (its segments, deletions
    and field statistics), so a repeated word costs one scatter into the
    result instead of a pass over every segment and field; a repeated phrase
    also skips checking positions. Bounded by what it holds, in 8-byte units
    (a posting's row and score take one and a half); the least recently used
    word goes first.
    Its budget follows the index's size (:meth:`IndexOptions.cache_units
    <pressearchiv.index.options.IndexOptions.cache_units>`): a common word's
    postings grow with the archive, and a budget sized for 100,000 articles
    held only a few of them at a million, so every search computed its words
    again.
    """

    def __init__(self, max_units: int) -> None:
        self._scores = ArrayLru(max_units)
        self._lock = threading.Lock()
        self._runs: tuple[Run, RunKey, Run] | None = None

    @property
    def budget(self) -> int:
        """What it may hold, in 8-byte units."""
        return self._scores.max

    @property
    def held(self) -> int:
        """What it holds now, in 8-byte units."""
        with self._lock:
            return self._scores.held

    def runs(self, segments: list[tuple[Any, int]]) -> tuple[Run, RunKey, Run]:
        """The generation's stable run (its large segments), the run's key, and
        the other segments; ``segments`` are the generation's, in order."""
        if self._runs is None:
            stable = tuple(s for s in segments if s[0].doc_count_all() >= STABLE_DOCUMENTS)
            recent = tuple(s for s in segments if s[0].doc_count_all() < STABLE_DOCUMENTS)
            key = tuple((segment_key(reader), offset) for reader, offset in stable)
            self._runs = (stable, key, recent)
        return self._runs

    def get(self, key: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray] | None:
        with self._lock:
            found = self._scores.get(key)
        return None if found is None else (found[0], found[1])

    def put(self, key: tuple[Any, ...], rows: np.ndarray, scores: np.ndarray) -> None:
        # Searches share it; two that race on a word both compute it, and the
        # first one's arrays are kept.
        with self._lock:
            self._scores.put(key, (rows, scores))
