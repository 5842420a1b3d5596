"""The one writer of an open index: a background thread that follows the store.

Whoosh allows one writer per index. While the service runs, this thread is the
only code that writes: it first repairs what :class:`~pressearchiv.index.search_index.SearchIndex`
found wrong at start-up (documents to drop, store articles missing from the
index), then polls ``store.max_seq()`` every ``poll_seconds`` (or at once on
:meth:`IndexWriterThread.wake`) and indexes whatever is new, in batches, one
commit per batch (a large backlog in parallel, :mod:`pressearchiv.index.bulk`).
After each commit it calls ``publish(seq)`` so the facade can refresh its
searcher before anyone is told that ``seq`` is searchable. Its numbers come
from :class:`~pressearchiv.index.options.IndexOptions`.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from whoosh.index import Index, LockError

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index.bulk import BulkBuild
from pressearchiv.index.columns import Columns
from pressearchiv.index.merging import TierMerge, committed_segments
from pressearchiv.index.options import IndexOptions
from pressearchiv.index.segments import SegmentBuilder

__all__ = ["IndexWriterThread", "RepairPlan"]

log = logging.getLogger(__name__)

# Seconds a commit waits for Whoosh's write lock (held by a CLI rebuild, say).
LOCK_TIMEOUT = 5.0
# Articles read from the store per step of a repair.
REPAIR_CHUNK = 500


@dataclass
class RepairPlan:
    """What start-up found: ids to drop, ids to (re)index, and the seq up to
    which the index is otherwise complete."""

    delete_ids: list[str] = field(default_factory=list)
    index_ids: list[str] = field(default_factory=list)
    watermark: int = 0

    @property
    def needed(self) -> bool:
        return bool(self.delete_ids or self.index_ids)

    @classmethod
    def between(cls, columns: Columns, store: ArchiveStore) -> RepairPlan:
        """What makes the index (its live ``columns``) hold exactly the store's
        articles: ids it holds under another seq (or twice, or that the store
        lacks) are dropped, and articles up to its highest valid seq that it
        lacks are indexed; above that, the writer simply catches up."""
        live_ids = [columns.ids[r] for r in np.flatnonzero(columns.live)]
        index_seqs = columns.id_seqs()
        store_seqs = store.id_seqs()
        delete = {i for i, s in index_seqs.items() if store_seqs.get(i) != s}
        if len(live_ids) != len(index_seqs):  # an id indexed twice: drop and re-add
            delete.update(i for i, n in Counter(live_ids).items() if n > 1)
        valid = {i: s for i, s in index_seqs.items() if i not in delete}
        watermark = max(valid.values(), default=0)
        missing = sorted((s, i) for i, s in store_seqs.items() if s <= watermark and i not in valid)
        return cls(sorted(delete), [i for _, i in missing], watermark)


class IndexWriterThread(threading.Thread):
    """Background thread keeping the index in step with the store."""

    def __init__(
        self,
        ix: Index,
        store: ArchiveStore,
        plan: RepairPlan,
        publish: Callable[[int], None],
        recheck: Callable[[], RepairPlan | None] | None = None,
        *,
        options: IndexOptions,
    ) -> None:
        super().__init__(name="pressearchiv-index-writer", daemon=True)
        self._ix = ix
        self._store = store
        self._options = options
        self._merge = TierMerge.of(options)
        self._plan = plan
        self._publish = publish
        self._recheck = recheck
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self.indexed_seq = plan.watermark
        self.error: BaseException | None = None
        self._build: BulkBuild | None = None
        self._streaming = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def run(self) -> None:
        checked = time.monotonic()
        while not self._stopping.is_set():
            try:
                if self._plan.needed:
                    self._repair()
                self._catch_up()
                recheck_due = time.monotonic() - checked > self._options.recheck_seconds
                if self._recheck is not None and recheck_due:
                    # Derived data heals itself: if the index and the store
                    # disagree although nothing is pending, plan a repair.
                    checked = time.monotonic()
                    plan = self._recheck()
                    if plan is not None and plan.needed:
                        log.warning(
                            "index out of step with the store: dropping %d, indexing %d",
                            len(plan.delete_ids),
                            len(plan.index_ids),
                        )
                        self._plan = plan
                        continue
                self.error = None
            except LockError as exc:
                # Another process (a CLI rebuild) holds the lock; try again later.
                log.warning("index is locked by another writer: %s", exc)
                self.error = exc
            except Exception as exc:  # keep the thread alive; the next poll retries
                log.exception("indexing failed")
                self.error = exc
            self._wake.wait(self._options.poll_seconds)
            self._wake.clear()

    def _writer(self) -> SegmentBuilder:
        # Segments stay compound files: Whoosh then reads them by slicing a
        # buffer, which concurrent searches can share. Plain files would open
        # 50x faster (3.4 ms instead of 164 ms at 20k) but Whoosh reads them
        # with seek()+read() on one shared file object, and concurrent searches
        # tore each other's reads (measured in the load test).
        return SegmentBuilder(self._ix, timeout=LOCK_TIMEOUT)

    def _bulk(self) -> None:
        """A large backlog (a fresh index, a big ingest): index it in parallel,
        one commit per segment, until it is indexed and no bulk ingest is
        storing more."""
        started = time.monotonic()
        with BulkBuild(self._ix, self._store, on_commit=self._committed) as build:
            self._build = build
            try:
                self._feed(build)
            finally:
                self._build = None
        log.info(
            "indexed %d articles in bulk in %.0f s", build.committed, time.monotonic() - started
        )

    def _feed(self, build: BulkBuild) -> None:
        """Submit full segments as the store fills; the rest, spread over the
        workers, once no more is expected (at once, unless a bulk ingest is
        storing: see :meth:`streaming`)."""
        size, poll = self._options.bulk_segment_articles, self._options.poll_seconds
        submitted = self.indexed_seq
        while not self._stopping.is_set():
            streaming = self._streaming.is_set()
            target = self._store.max_seq()
            while build.in_flight < 2 * build.workers and submitted < target:
                last = self._store.seq_after(submitted, size)
                if last is not None and last <= target:
                    build.submit(submitted, last)
                    submitted = last
                    continue
                if not streaming:
                    submitted = self._submit_rest(build, submitted, target)
                break
            if build.in_flight:
                build.commit_ready(timeout=poll)
            elif not streaming and submitted >= target:
                return
            else:  # all committed, more articles expected: wait for them
                self._wake.wait(poll)
                self._wake.clear()

    def streaming(self, on: bool) -> None:
        """A bulk ingest is storing articles (``on``) or has stopped: while it
        stores, everything is indexed in parallel in full segments, the rest
        when it stops."""
        if on:
            self._streaming.set()
        else:
            self._streaming.clear()
        self._wake.set()

    def _submit_rest(self, build: BulkBuild, after: int, target: int) -> int:
        """Less than a segment is left: one piece per worker (of a tenth of a
        segment at least); returns the last seq submitted."""
        rest = self._store.count_between(after, target)
        piece = max(-(-rest // build.workers), self._options.bulk_segment_articles // 10, 1)
        while after < target:
            last = min(self._store.seq_after(after, piece) or target, target)
            build.submit(after, last)
            after = last
        return after

    def _committed(self, last_seq: int, count: int) -> None:
        """A bulk segment is committed: everything up to ``last_seq`` is searchable."""
        self.indexed_seq = last_seq
        self._publish(last_seq)

    @property
    def bulk_running(self) -> bool:
        return self._build is not None

    @property
    def analysing(self) -> int:
        """Articles analysed by bulk workers but not committed yet."""
        build = self._build
        return max(build.analysed - build.committed, 0) if build is not None else 0

    def _repair(self) -> None:
        plan = self._plan
        writer = self._writer()
        try:
            if plan.delete_ids:
                # One searcher for all of them: otherwise Whoosh opens a new
                # one (every segment) for every id.
                with writer.searcher() as searcher:
                    for article_id in plan.delete_ids:
                        writer.delete_by_term("id", article_id, searcher=searcher)
            for start in range(0, len(plan.index_ids), REPAIR_CHUNK):
                chunk = plan.index_ids[start : start + REPAIR_CHUNK]
                writer.add_articles(self._store.get_many(chunk))
            writer.commit(mergetype=self._merge)
        except BaseException:
            writer.cancel()
            raise
        log.info(
            "index repaired: %d dropped, %d indexed", len(plan.delete_ids), len(plan.index_ids)
        )
        self._plan = RepairPlan(watermark=plan.watermark)
        self._publish(self.indexed_seq)

    def _catch_up(self) -> None:
        while not self._stopping.is_set():
            target = self._store.max_seq()
            if self.indexed_seq >= target:
                return
            if target - self.indexed_seq >= self._options.bulk_backlog:
                self._bulk()
                continue
            if self._streaming.is_set():
                return  # more is coming: indexed in bulk once there is enough
            batch = list(
                itertools.islice(
                    self._store.iter_articles(after_seq=self.indexed_seq),
                    self._options.catch_up_batch,
                )
            )
            if not batch:
                self.indexed_seq = target
                self._publish(target)
                return
            writer = self._writer()
            try:
                writer.add_articles(batch)
                # The new articles are committed (and published) first, as a
                # segment of their own; merging waits until they are searchable.
                writer.commit(merge=False)
            except BaseException:
                writer.cancel()
                raise
            self.indexed_seq = batch[-1].seq
            self._publish(self.indexed_seq)
            self._merge_if_due()

    def _merge_if_due(self) -> None:
        """Merge small segments once a size tier is full (see index.merging)."""
        if not self._merge.due(committed_segments(self._ix)):
            return
        writer = self._writer()
        try:
            writer.commit(mergetype=self._merge)
        except BaseException:
            writer.cancel()
            raise
        self._publish(self.indexed_seq)
