"""The one writer of an open index: a background thread that follows the store.

Whoosh allows one writer per index. While the service runs, this thread is the
only code that writes: it first repairs what :class:`~pressearchiv.index.search_index.SearchIndex`
found wrong at start-up (documents to drop, store articles missing from the
index), then polls ``store.max_seq()`` about every half second (or at once on
:meth:`IndexWriterThread.wake`) and indexes whatever is new, in batches, one
commit per batch. After each commit it calls ``publish(seq)`` so the facade can
refresh its searcher before anyone is told that ``seq`` is searchable.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.index import Index, LockError

from pressearchiv.archive.model import Article
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index.analysis import GermanAnalyzer
from pressearchiv.index.merging import merge_due
from pressearchiv.index.schema import document_for
from pressearchiv.index.segments import SegmentBuilder

__all__ = ["IndexWriterThread", "RepairPlan", "add_articles"]

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
# Articles per commit when catching up: large enough for throughput, small
# enough that a long rebuild becomes searchable step by step.
CATCH_UP_BATCH = 5_000
# From this many unindexed articles on, catch up with parallel workers.
BULK_BACKLOG = 5_000
# How often an idle writer compares the index with the store.
RECHECK_SECONDS = 30.0


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


def add_articles(writer: object, articles: Iterable[Article], analyzer: GermanAnalyzer) -> int:
    """Add articles to an open Whoosh writer; returns how many."""
    count = 0
    add = writer.add_document  # type: ignore[attr-defined]
    for article in articles:
        add(**document_for(article, analyzer))
        count += 1
    return count


class IndexWriterThread(threading.Thread):
    """Background thread keeping the index in step with the store."""

    def __init__(
        self,
        ix: Index,
        store: ArchiveStore,
        analyzer: GermanAnalyzer,
        plan: RepairPlan,
        publish: Callable[[int], None],
        recheck: Callable[[], RepairPlan | None] | None = None,
    ) -> None:
        super().__init__(name="pressearchiv-index-writer", daemon=True)
        self._ix = ix
        self._store = store
        self._analyzer = analyzer
        self._plan = plan
        self._publish = publish
        self._recheck = recheck
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self.indexed_seq = plan.watermark
        self.error: BaseException | None = None

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
                if self._recheck is not None and time.monotonic() - checked > RECHECK_SECONDS:
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
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()

    def _writer(self) -> object:
        # Segments stay compound files: Whoosh then reads them by slicing a
        # buffer, which concurrent searches can share. Plain files would open
        # 50x faster (3.4 ms instead of 164 ms at 20k) but Whoosh reads them
        # with seek()+read() on one shared file object, and concurrent searches
        # tore each other's reads (measured in the load test).
        return SegmentBuilder(self._ix, timeout=5.0)

    def _bulk(self, target: int) -> None:
        """A large backlog (a fresh index, a big ingest): index it in parallel."""
        from pressearchiv.index.bulk import build_segments  # bulk imports this module

        started = time.monotonic()
        count = build_segments(
            Path(self._ix.storage.folder),
            self._store,
            after_seq=self.indexed_seq,
            up_to_seq=target,
        )
        log.info("indexed %d articles in bulk in %.0f s", count, time.monotonic() - started)
        self.indexed_seq = target
        self._publish(target)

    def _repair(self) -> None:
        plan = self._plan
        writer = self._writer()
        try:
            if plan.delete_ids:
                # One searcher for all of them: otherwise Whoosh opens a new
                # one (every segment) for every id.
                with writer.searcher() as searcher:  # type: ignore[attr-defined]
                    for article_id in plan.delete_ids:
                        writer.delete_by_term(  # type: ignore[attr-defined]
                            "id", article_id, searcher=searcher
                        )
            for start in range(0, len(plan.index_ids), 500):
                chunk = plan.index_ids[start : start + 500]
                add_articles(writer, self._store.get_many(chunk), self._analyzer)
            writer.commit()  # type: ignore[attr-defined]
        except BaseException:
            writer.cancel()  # type: ignore[attr-defined]
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
            if target - self.indexed_seq >= BULK_BACKLOG:
                self._bulk(target)
                continue
            batch = list(
                itertools.islice(
                    self._store.iter_articles(after_seq=self.indexed_seq), CATCH_UP_BATCH
                )
            )
            if not batch:
                self.indexed_seq = target
                self._publish(target)
                return
            writer = self._writer()
            try:
                add_articles(writer, batch, self._analyzer)
                # The new articles are committed (and published) first, as a
                # segment of their own; merging waits until they are searchable.
                writer.commit(merge=False)  # type: ignore[attr-defined]
            except BaseException:
                writer.cancel()  # type: ignore[attr-defined]
                raise
            self.indexed_seq = batch[-1].seq
            self._publish(self.indexed_seq)
            self._merge_if_due()

    def _merge_if_due(self) -> None:
        """Merge small segments once a size tier is full (see index.merging)."""
        if not merge_due(self._ix._segments()):
            return
        writer = self._writer()
        try:
            writer.commit()  # type: ignore[attr-defined]
        except BaseException:
            writer.cancel()  # type: ignore[attr-defined]
            raise
        self._publish(self.indexed_seq)
