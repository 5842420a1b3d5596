"""Bulk indexing: a large backlog indexed by one worker process per core.

Whoosh's writer is pure Python and single-threaded, and one writer holding a
whole archive spills its postings to temporary runs that it merges again at
the end. Instead the store is cut into chunks of consecutive articles; worker
processes each turn a chunk into a finished segment of its own (as Whoosh's
``MpWriter`` does in its multi-segment mode, but reading the store directly
instead of receiving pickled documents), and the parent, the index's one
writer, lists each segment in a commit of its own as soon as it and every
chunk before it are done. So a long build becomes searchable step by step,
an interrupted one keeps every segment it committed, and the index's
watermark (its highest ``seq``) never passes an article it lacks.

Workers write into a staging folder beside the index, not into the index
itself: every Whoosh commit deletes the files of segments its table of
contents does not list, which would include segments still being written.
A finished segment is one compound file, moved into the index just before
the commit that lists it.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import shutil
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

from whoosh.index import Index

from pressearchiv.archive.model import Article
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index.directory import create_in, open_dir
from pressearchiv.index.orphans import end_with_parent
from pressearchiv.index.segments import SegmentBuilder
from pressearchiv.index.words import limit_caches

__all__ = ["BulkBuild", "build_segments", "staging_dir"]

# Articles a worker analyses between two updates of the shared progress counter.
_TICK = 100
# Words a worker remembers per cache of its analyzer (index.words; the default
# is 300,000). Measured on one worker building a segment of 4,999 fang-covid
# articles: 250 MB for the chunk with the default caches (200,000 words each
# by then, and more later), 192 MB with 50,000, for some 10 % more CPU; news
# vocabulary is Zipfian, and the frequent words come first.
BULK_CACHE_MAX = 50_000

# Set in each worker by _init_worker: the parent's counter of analysed articles.
_analysed: Synchronized[int] | None = None


def staging_dir(index_dir: Path) -> Path:
    """Where bulk workers write their segments (beside the index folder)."""
    return index_dir.with_name(index_dir.name + ".staging")


class BulkBuild:
    """A pool of worker processes building segments from ranges of the store.

    :meth:`submit` queues a range; :meth:`commit_ready` commits the finished
    segments in the order they were submitted and calls ``on_commit(last_seq,
    articles)`` after each commit. :attr:`analysed` counts the articles the
    workers have analysed, committed or not (for progress). The caller must
    be the index's only writer (hold its owner lock). Use as a context
    manager; leaving it stops the workers, and what they had not finished
    is dropped (it was never committed).
    """

    def __init__(
        self,
        ix: Index,
        store: ArchiveStore,
        *,
        workers: int | None = None,
        on_commit: Callable[[int, int], object] | None = None,
    ) -> None:
        self._ix = ix
        self._index_dir = Path(ix.storage.folder)
        self._staging = staging_dir(self._index_dir)
        self._db_path = str(store.path)
        self._on_commit = on_commit
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._queue: deque[tuple[int, AsyncResult[tuple[Any, int]]]] = deque()
        context = multiprocessing.get_context("spawn")
        self._counter: Synchronized[int] = context.Value("q", 0)
        # Left over by a build that was killed: never listed, so never needed.
        shutil.rmtree(self._staging, ignore_errors=True)
        self._staging.mkdir(parents=True)
        create_in(self._staging, ix.schema).close()
        self._pool = context.Pool(self.workers, _init_worker, (self._counter, os.getpid()))
        self.committed = 0

    def __enter__(self) -> BulkBuild:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def in_flight(self) -> int:
        """Ranges submitted and not yet committed."""
        return len(self._queue)

    @property
    def analysed(self) -> int:
        return int(self._counter.value)

    def submit(self, after_seq: int, last_seq: int) -> None:
        """Index the articles with ``after_seq < seq <= last_seq`` in a worker."""
        args = (str(self._staging), self._db_path, after_seq, last_seq)
        self._queue.append((last_seq, self._pool.apply_async(_build_chunk, args)))

    def commit_ready(self, timeout: float = 0.0) -> int:
        """Commit every finished segment whose predecessors are committed, waiting
        up to ``timeout`` seconds for the oldest; returns the articles committed.
        A worker's error is raised here."""
        done = 0
        while self._queue:
            last_seq, result = self._queue[0]
            result.wait(timeout if not done else 0)
            if not result.ready():
                break
            segment, count = result.get()
            self._queue.popleft()
            if count:
                self._commit(segment)
            done += count
            self.committed += count
            if self._on_commit:
                self._on_commit(last_seq, count)
        return done

    def _commit(self, segment: Any) -> None:
        for path in self._staging.glob(f"{segment.segment_id()}.*"):
            path.rename(self._index_dir / path.name)
        writer = SegmentBuilder(self._ix)
        try:
            # A merge policy that keeps the index's segments and adds this one.
            writer.commit(mergetype=lambda _writer, segments: [*segments, segment])
        except BaseException:
            writer.cancel()
            raise

    def close(self) -> None:
        """Stop the workers (at once: nothing uncommitted is kept) and clean up."""
        self._pool.terminate()
        self._pool.join()
        self._queue.clear()
        shutil.rmtree(self._staging, ignore_errors=True)


def _init_worker(counter: Synchronized[int], parent: int) -> None:
    global _analysed
    _analysed = counter
    # The parent decides when to stop (Ctrl-C reaches the whole process group).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # No orphan keeps writing after its build was killed.
    end_with_parent(parent)
    limit_caches(BULK_CACHE_MAX)
    # No cyclic garbage collector: the pool holds hundreds of thousands of
    # small containers that it would traverse again and again.
    gc.disable()


def _counted(articles: Iterable[Article]) -> Iterator[Article]:
    for n, article in enumerate(articles, start=1):
        yield article
        if n % _TICK == 0 and _analysed is not None:
            with _analysed.get_lock():
                _analysed.value += _TICK
    # The remainder is counted by the caller, once it knows the total.


def _build_chunk(staging: str, db_path: str, after: int, last: int) -> tuple[Any, int]:
    """Worker: index the articles with ``after < seq <= last`` into a new segment."""
    # The collector is off while a chunk is built (see _init_worker); what the
    # last chunk left in cycles goes now, so a worker that builds many chunks
    # stays at the size of one.
    gc.collect()
    ix = open_dir(Path(staging))
    store = ArchiveStore(Path(db_path))
    try:
        # No lock: the parent, the index's one writer, commits every segment.
        writer = SegmentBuilder(ix, locked=False)
        articles = itertools.takewhile(
            lambda a: a.seq <= last, store.iter_articles(after_seq=after, batch_size=1000)
        )
        count = writer.add_articles(_counted(articles))
        if _analysed is not None:
            with _analysed.get_lock():
                _analysed.value += count % _TICK
        segment = writer.finish_segment() if count else None
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
    index in ``index_dir``, in segments of ``segment_size`` articles, each committed as
    soon as it and those before it are done. Returns the number indexed;
    ``on_progress(n)`` is called after each commit of ``n`` articles."""
    top = store.max_seq() if up_to_seq is None else up_to_seq
    total = 0
    ix = open_dir(index_dir)
    try:
        with BulkBuild(ix, store, workers=workers) as build:
            submitted = after_seq
            while submitted < top or build.in_flight:
                while submitted < top and build.in_flight < 2 * build.workers:
                    last = store.seq_after(submitted, segment_size)
                    last = top if last is None or last > top else last
                    build.submit(submitted, last)
                    submitted = last
                done = build.commit_ready(timeout=1.0)
                total += done
                if done and on_progress:
                    on_progress(done)
    finally:
        ix.close()
    return total
