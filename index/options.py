"""How an index is tuned: one frozen, validated options object.

Everything that used to be a module constant somewhere in ``index/`` (search
slots, cache budget, batch sizes, intervals, the merge policy's numbers, the
query timeout) is a field here, with the value it had as its default. An
:class:`IndexOptions` is passed to :meth:`SearchIndex.open
<pressearchiv.index.search_index.SearchIndex.open>` and
:func:`~pressearchiv.index.storage.rebuild_index`; each part of the index takes
the fields it needs from it. Change one with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass, fields
from pathlib import Path

__all__ = ["IndexOptions", "usable_memory"]


@dataclass(frozen=True, kw_only=True)
class IndexOptions:
    """Tuning of one open index. Every field has today's value as its default.

    Raises ``TypeError`` for a value of the wrong type and ``ValueError`` for
    one out of range, naming the field.
    """

    #: Searches running at once. They are CPU-bound Python sharing one
    #: interpreter lock with the index writer: more of them add no throughput
    #: but starve the writer (measured under load: uploads waited 9 s to
    #: become searchable with more).
    search_slots: int = 3
    #: Seconds a search may run (and wait for a slot) before it is cut short.
    query_timeout: float = 5.0
    #: Budget of the numpy posting and position cache, in array elements.
    posting_cache_postings: int = 40_000_000
    #: Budget of what is kept over the run of large segments across commits
    #: (a word's postings over all of them: 16 bytes, two units, each), in
    #: 8-byte units: 64 MiB per searching process at ``cache_documents``.
    run_cache_postings: int = 8_000_000
    #: Budget of a generation's word scores (a word's or phrase's matching rows
    #: and scores: 12 bytes a posting), in 8-byte units: 24 MiB per searching
    #: process at ``cache_documents``.
    word_scores_postings: int = 3_000_000
    #: The two budgets above are for an index of this many documents. A common
    #: word's postings grow with the archive, so for a larger index they grow
    #: in proportion (:meth:`cache_units`) and hold as many words as here.
    cache_documents: int = 100_000
    #: Segments of this many documents or more get a posting file (memory-mapped
    #: postings, see index/posting_files.py); smaller ones (uploads) are decoded
    #: from Whoosh's blocks as they are used.
    posting_file_documents: int = 1_000
    #: Articles per commit when catching up with the store: large enough for
    #: throughput, small enough that a long backlog becomes searchable in steps.
    catch_up_batch: int = 5_000
    #: From this many unindexed articles on, catch up with parallel workers.
    bulk_backlog: int = 5_000
    #: Articles per segment of a bulk build: large enough that postings
    #: compress into full blocks, small enough that a worker's postings stay
    #: in memory.
    bulk_segment_articles: int = 5_000
    #: Seconds between two looks of the writer at the store.
    poll_seconds: float = 0.5
    #: Seconds between two looks of a following read-only index (a worker
    #: process) for a new commit of the index's owner.
    follow_seconds: float = 0.1
    #: Seconds between two comparisons of the whole index with the store.
    recheck_seconds: float = 30.0
    #: Seconds after the start at which the owner loads its story detector
    #: even before new articles need it (seconds of CPU for a large archive):
    #: an owner that answers searches lets its first searches go first; one
    #: that serves none (a multi-process service's) loads it at once, so the
    #: first upload does not wait for it.
    story_load_after: float = 3.0
    #: A size tier of small segments is merged once it holds this many.
    merge_factor: int = 8
    #: Segments of this many documents or more are never merged by the service.
    largest_merged: int = 1_000

    def cache_units(self, budget: int, documents: int) -> int:
        """``budget`` (``run_cache_postings`` or ``word_scores_postings``) for an
        index of ``documents`` documents: in proportion to them above
        ``cache_documents``, never less than ``budget``, and never more than
        :data:`MEMORY_SHARE` of the memory this process may use (so that a few
        searching processes with both caches full leave most of it to the page
        cache)."""
        scaled = budget * max(documents, self.cache_documents) // self.cache_documents
        return max(budget, min(scaled, usable_memory() // MEMORY_SHARE // 8))

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.type in ("int", int):
                _check_int(spec.name, value, minimum=_MINIMUM.get(spec.name, 1))
            else:
                number = _check_seconds(spec.name, value, zero=spec.name in _ZERO_ALLOWED)
                object.__setattr__(self, spec.name, number)


# Each growing cache budget may take at most 1/MEMORY_SHARE of the memory: a
# service of two workers and an owner, each with two full caches, then holds
# 6/32 of it in them.
MEMORY_SHARE = 32


@functools.cache
def usable_memory() -> int:
    """Bytes of memory this process may use: the machine's, or its control
    group's limit if lower (a container's, cgroup v2). Read once per process:
    every commit asks (:meth:`IndexOptions.cache_units`), twice."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (OSError, ValueError):
        total = 1 << 62  # unknown: no cap beyond the budgets' own
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        return total
    return min(total, int(limit)) if limit.isdigit() else total


# Float fields that may be 0 (the others must be more).
_ZERO_ALLOWED = ("query_timeout", "story_load_after")
# Smallest allowed value of an int field (1 unless named here).
_MINIMUM = {"merge_factor": 2}


def _check_int(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"IndexOptions.{name} must be an int, not {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"IndexOptions.{name} must be at least {minimum}, not {value}")


def _check_seconds(name: str, value: object, zero: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"IndexOptions.{name} must be a number, not {type(value).__name__}")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not zero):
        bound = "at least 0" if zero else "more than 0"
        raise ValueError(f"IndexOptions.{name} must be a finite number {bound}, not {value}")
    return seconds
