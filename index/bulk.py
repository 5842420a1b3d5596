"""Bulk indexing: build an index from the store with one process per core.

Whoosh's writer is pure Python and single-threaded, and one writer holding a
whole archive spills its postings to temporary runs that it merges again at
the end. Instead the store is cut into chunks of consecutive articles; worker
processes each turn a chunk into a finished segment of its own (as Whoosh's
``MpWriter`` does in its multi-segment mode, but reading the store directly
instead of receiving pickled documents), and the parent lists all segments in
one commit of the index's table of contents. Searching handles many segments
well: :mod:`pressearchiv.index.columns` and :mod:`pressearchiv.index.postings` work per segment.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index.directory import open_dir
from pressearchiv.index.segments import SegmentBuilder

__all__ = ["build_segments"]


def _chunks(
    store: ArchiveStore, size: int, after_seq: int, up_to_seq: int | None
) -> list[tuple[int, int]]:
    """(after_seq, last_seq) ranges of ``size`` articles each, in seq order."""
    top = up_to_seq if up_to_seq is not None else float("inf")
    seqs = sorted(s for s in store.id_seqs().values() if after_seq < s <= top)
    return [
        (seqs[start - 1] if start else after_seq, seqs[min(start + size, len(seqs)) - 1])
        for start in range(0, len(seqs), size)
    ]


def _build_chunk(index_dir: str, db_path: str, after: int, last: int) -> tuple[Any, int]:
    """Worker: index the articles with ``after < seq <= last`` into a new segment."""
    ix = open_dir(Path(index_dir))
    store = ArchiveStore(Path(db_path))
    try:
        # No lock: the parent, the index's one writer, commits every segment.
        writer = SegmentBuilder(ix, locked=False)
        articles = itertools.takewhile(
            lambda a: a.seq <= last, store.iter_articles(after_seq=after, batch_size=1000)
        )
        count = writer.add_articles(articles)
        segment = writer.finish_segment() if count else None
        # The temporary folder is shared by all workers; the parent's commit
        # removes it (as with MpWriter's sub-writers).
        return segment, count
    finally:
        store.close()
        ix.close()


def build_segments(
    index_dir: Path,
    store: ArchiveStore,
    *,
    segment_size: int,
    workers: int | None = None,
    on_progress: Callable[[int], object] | None = None,
    after_seq: int = 0,
    up_to_seq: int | None = None,
) -> int:
    """Add the articles with ``after_seq < seq <= up_to_seq`` (default: all) to the
    index, in segments of ``segment_size`` articles.

    Returns the number of articles indexed. ``workers`` defaults to the
    number of cores; with one worker (or one chunk) everything runs here.
    The caller must be the index's only writer: the new segments are listed
    in one commit at the end, so an interrupted build adds nothing.
    """
    chunks = _chunks(store, segment_size, after_seq, up_to_seq)
    if not chunks:
        return 0
    workers = max(1, min(workers or os.cpu_count() or 1, len(chunks)))
    results: list[tuple[Any, int]] = []
    if workers == 1:
        for after, last in chunks:
            results.append(_build_chunk(str(index_dir), str(store.path), after, last))
            if on_progress:
                on_progress(results[-1][1])
    else:
        context = multiprocessing.get_context("spawn")
        # Workers run without the cyclic garbage collector: the pool holds
        # hundreds of thousands of small containers that it would traverse
        # again and again, and a worker exits after its last chunk anyway.
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=gc.disable
        ) as pool:
            futures = [
                pool.submit(_build_chunk, str(index_dir), str(store.path), after, last)
                for after, last in chunks
            ]
            for future in futures:
                results.append(future.result())
                if on_progress:
                    on_progress(results[-1][1])
    built = [segment for segment, count in results if count]
    ix = open_dir(index_dir)
    try:
        writer = SegmentBuilder(ix)
        try:
            # One commit lists every worker's segment (what MpWriter does): a
            # merge policy that keeps the index's segments and adds the new ones.
            writer.commit(mergetype=lambda _writer, segments: segments + built)
        except BaseException:
            writer.cancel()
            raise
    finally:
        ix.close()
    return sum(count for _, count in results)
