"""SearchIndex: the full-text index of the archive, as the web layer sees it.

One :class:`SearchIndex` per index folder and process. It owns the one
background writer thread (:mod:`pressearchiv.index.writer`) and the current *view* (a Whoosh
searcher plus numpy columns), which is replaced after every commit. Searches
never wait for the writer: they use whichever view was current when they began.
A second thread assigns the stories of what was indexed and hands each new
story map to the current view (:mod:`pressearchiv.index.story_feed`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.index import Index

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import nearby
from pressearchiv.index import searcher as run
from pressearchiv.index.columns import ColumnCache, columns_dir
from pressearchiv.index.errors import IndexUnavailable, OverBudget
from pressearchiv.index.follower import IndexFollower
from pressearchiv.index.mapped_postings import MappedPostings, PostingFileBuilder
from pressearchiv.index.options import IndexOptions
from pressearchiv.index.ownership import OwnerLock
from pressearchiv.index.posting_files import postings_dir
from pressearchiv.index.postings import PostingCache, segment_key
from pressearchiv.index.request import (
    Hit,
    IndexStatus,
    SearchRequest,
    SearchResponse,
    StoryVersions,
)
from pressearchiv.index.schema import analyzer_of
from pressearchiv.index.storage import open_existing, open_or_create
from pressearchiv.index.story_feed import StoryFeed
from pressearchiv.index.story_tracker import stories_dir
from pressearchiv.index.views import Views
from pressearchiv.index.writer import IndexWriterThread, RepairPlan

__all__ = ["SearchIndex"]

log = logging.getLogger(__name__)


class SearchIndex:
    """Search over the archive; create with :meth:`open`, finish with :meth:`close`."""

    def __init__(
        self, ix: Index, store: ArchiveStore, options: IndexOptions, *, owner: bool = False
    ) -> None:
        self._ix = ix
        self._store = store
        self._options = options
        self._timeout = options.query_timeout
        self._analyzer = analyzer_of(ix.schema)
        folder = getattr(ix.storage, "folder", None)
        self._columns = ColumnCache(columns_dir(Path(folder)) if folder else None)
        files = (
            MappedPostings(postings_dir(Path(folder)), options.posting_file_documents, owner=owner)
            if folder
            else None
        )
        self._postings = PostingCache(
            options.posting_cache_postings, files, max_run=options.run_cache_postings
        )
        self._posting_files = files
        self._posting_builder: PostingFileBuilder | None = None
        self._slots = threading.BoundedSemaphore(options.search_slots)
        self._indexed = threading.Condition()
        self._indexed_seq = -1
        self._views = Views(ix, self._columns, self._postings, options)
        self._stories = StoryFeed(self._views, stories_dir(Path(folder)) if folder else None)
        self._writer: IndexWriterThread | None = None
        self._follower: IndexFollower | None = None
        self._closed = False
        self._owner: OwnerLock | None = None
        self.recreated: str | None = None  # why open() had to start from an empty index

    @classmethod
    def open(
        cls,
        index_dir: Path,
        store: ArchiveStore,
        *,
        options: IndexOptions | None = None,
        read_only: bool = False,
        follow: bool = False,
        on_open: Callable[[], None] | None = None,
        stories: bool = True,
    ) -> SearchIndex:
        """Open (or create) the index and start following the store.

        An index that is missing, unreadable or built by another analyzer
        version is recreated empty. From then on other processes may open it
        read-only: ``on_open`` is called (a multi-process service starts its
        workers there). Then the index is compared with the store:
        documents the store lacks (or holds under another seq) are dropped and
        missing articles are indexed, by the background writer, which then
        keeps polling the store for new articles. Use :meth:`wait_indexed` to
        wait for a given seq to become searchable.

        Only one process may have an index open for writing; a second one
        gets IndexUnavailable. ``read_only=True`` opens it for searching
        beside its owner: no repair, no writer, no lock; with ``follow=True``
        it also picks up each of the owner's commits (and story maps) within
        ``options.follow_seconds``, and :meth:`wait_indexed` waits for them
        (a worker process of a multi-process service). ``stories=False``
        (an owner that only indexes, such as a bulk ingest about to exit)
        assigns no stories: the next owner that does catches up, from the
        saved map on. ``options`` tune it
        (default: :class:`IndexOptions` ()). Any Whoosh other than 2.7.4 is
        refused with ``UnsupportedWhoosh`` (an IndexUnavailable).
        """
        options = options or IndexOptions()
        if read_only:
            ix = open_existing(Path(index_dir))
            index = cls(ix, store, options)
            index._stories.load()
            index._indexed_seq = index._views.current.columns.max_live_seq()
            if follow:
                index._follower = IndexFollower(index._follow, options.follow_seconds)
                index._follower.start()
            return index
        owner = OwnerLock(Path(index_dir)).acquire()
        try:
            ix, reason = open_or_create(Path(index_dir))
            if on_open is not None:
                on_open()  # the index is on disk: readers start beside our own setup
            index = cls(ix, store, options, owner=True)
        except BaseException:
            owner.release()
            raise
        index._owner = owner
        index.recreated = reason
        try:
            index._columns.prune_files()
            plan = index._plan_repair()
            index._indexed_seq = -1 if plan.needed else plan.watermark
            index._writer = IndexWriterThread(
                ix, store, plan, index._publish, index._recheck, options=options
            )
            index._writer.start()
            index._start_posting_files()
            if stories:
                index._stories.assign(store, index._story_target, options)
        except BaseException:
            index.close()  # the view's searcher and the owner lock
            raise
        return index

    # -- keeping up with the store -------------------------------------------

    def _plan_repair(self) -> RepairPlan:
        return RepairPlan.between(self._views.current.columns, self._store)

    def _recheck(self) -> RepairPlan | None:
        """A repair plan if the index's count disagrees with the store's (writer thread)."""
        with self._views.acquire() as view:
            in_index = view.doc_count
        if in_index == self._store.count():
            return None
        return self._plan_repair()

    def _start_posting_files(self) -> None:
        """(Owner) Write the posting files the index's large segments lack, in
        the background; a bulk build goes first (it keeps every core busy)."""
        files = self._posting_files
        if files is None:
            return
        files.prune_files(
            {segment_key(sub.reader()) for sub, _ in self._views.current.searcher.leaf_searchers()}
        )
        writer = self._writer
        self._posting_builder = PostingFileBuilder(
            self._ix, files, lambda: writer is not None and writer.bulk_running
        )
        self._posting_builder.start()
        self._posting_builder.wake()

    def _story_target(self) -> int:
        """Up to where stories may be assigned: what is indexed, but nothing while
        a bulk build runs. Its workers keep every core busy, and assignment holds
        the interpreter lock that the ingest feeding the build needs; stories
        follow once the build is done (or at the next start)."""
        writer = self._writer
        if writer is not None and writer.bulk_running:
            return -1
        return self._indexed_seq

    def _publish(self, seq: int) -> None:
        """Called by the writer after a commit: swap in a fresh view, then tell waiters."""
        view = self._views.fresh()
        if self._posting_builder is not None:
            self._posting_builder.wake()  # new segments get their posting files
        self._swap(view, seq)

    def _follow(self) -> None:
        """(Follower thread) Take up the owner's newest commit and story map, if any."""
        self._stories.load_if_newer()
        with self._views.acquire() as current:
            fresh = current.searcher.up_to_date()
        if not fresh:
            view = self._views.fresh()
            self._swap(view, view.columns.max_live_seq())

    def _swap(self, view: run.View, seq: int) -> None:
        self._views.swap(view)
        with self._indexed:
            self._indexed_seq = seq
            self._indexed.notify_all()
        self._stories.wake()

    @contextmanager
    def _slot(self, wait: bool = True) -> Iterator[None]:
        """One of the search slots, waiting at most the query timeout for it
        (or not at all: OverBudget)."""
        if not wait:
            if not self._slots.acquire(blocking=False):
                raise OverBudget("every search slot is taken")
        elif not self._slots.acquire(timeout=self._timeout):
            raise IndexUnavailable("the search service is busy; try again in a moment")
        try:
            yield
        finally:
            self._slots.release()

    def notify(self) -> None:
        """The store just got new articles: index them soon."""
        if self._writer is not None:
            self._writer.wake()

    @contextmanager
    def bulk_ingest(self) -> Iterator[None]:
        """Around storing a large stream of articles: while it lasts, the writer
        indexes them in parallel, a full segment (``bulk_segment_articles``)
        per commit, and the remainder when it ends."""
        if self._writer is not None:
            self._writer.streaming(True)
        try:
            yield
        finally:
            if self._writer is not None:
                self._writer.streaming(False)

    def wait_indexed(self, seq: int, timeout: float = 5.0) -> bool:
        """Block until every article up to ``seq`` is searchable; False on timeout.

        A following index (a worker process) then waits two more looks of its
        follower: the other workers look as often, so by then they have picked
        up the same commit too, unless one is too busy to look, and the next
        search on another connection, which may reach another worker, finds
        what this one just stored.
        """
        self.notify()
        started = time.monotonic()
        with self._indexed:
            if not self._indexed.wait_for(lambda: self._indexed_seq >= seq, timeout=timeout):
                return False
        if self._follower is not None:
            settle = 2 * self._options.follow_seconds
            time.sleep(max(0.0, min(settle, timeout - (time.monotonic() - started))))
        return True

    def wait_stories(self, seq: int, timeout: float = 5.0) -> bool:
        """Block until every article up to ``seq`` has its story; False on timeout.

        Stories follow indexing a moment later (a thread of their own), so an
        upload waits for them too before it answers.
        """
        return self._stories.wait(seq, timeout)

    def wait_posting_files(self, timeout: float = 5.0) -> bool:
        """(Owner) Block until every large segment has its posting file; False
        on timeout, or where there is no builder (a reader, or files turned off)."""
        builder = self._posting_builder
        return builder is not None and builder.idle.wait(timeout)

    # -- searching -----------------------------------------------------------

    def search(self, request: SearchRequest, budget: float | None = None) -> SearchResponse:
        """Run a search: hits for the requested page, facets, suggestion.

        Raises QueryTooComplex for overlong queries; other malformed syntax is
        searched leniently. With ``budget`` (seconds) the search never waits for
        a slot and raises OverBudget, having answered nothing, when it finds none
        free or runs longer than that: a caller that must not be held up (an
        event loop) tries it so and runs it again without a budget elsewhere.
        """
        with self._slot(wait=budget is None), self._views.acquire() as view:
            return run.search(view, self._store, self._analyzer, request, self._timeout, budget)

    def scan_ids(self, request: SearchRequest, limit: int) -> Iterator[str]:
        """Ids of all matches (up to ``limit``) in the request's order, for exports."""
        with self._slot(), self._views.acquire() as view:
            deadline = time.monotonic() + self._timeout
            parsed = view.parse(request.query, self._analyzer)
            selection = run.select(view, parsed, request, deadline)
            rows, _ = run.page_rows(view, selection, request, 0, limit)
            ids = [view.columns.ids[r] for r in rows]
        return iter(ids)

    def related(
        self, article_id: str, limit: int = 5, min_similarity: float | None = None
    ) -> list[Hit]:
        """The article's story versions, then articles like it ("more like this") whose
        similarity (``score``, 1.0 = the article itself) is at least ``min_similarity``
        (default: :data:`~pressearchiv.index.nearby.RELATED_MIN_SIMILARITY`); raises
        ArticleNotFound for unknown ids."""
        article = self._store.get(article_id)
        least = nearby.RELATED_MIN_SIMILARITY if min_similarity is None else min_similarity
        with self._slot(), self._views.acquire() as view:
            return nearby.related(
                view, self._store, self._analyzer, article, limit, self._timeout, least
            )

    def versions(self, article_id: str) -> StoryVersions:
        """An article's story and its other versions (id, outlet, date, title; no
        snippets), oldest first; raises ArticleNotFound for unknown ids."""
        article = self._store.get(article_id)
        with self._slot(), self._views.acquire() as view:
            return nearby.versions(view, self._store, article, self._analyzer)

    def status(self) -> IndexStatus:
        store_count = self._store.count()
        with self._views.acquire() as view:
            index_count = view.doc_count
        pending = max(self._store.max_seq() - max(self._indexed_seq, 0), 0)
        pending = min(pending, max(store_count - index_count, 0)) if pending else 0
        writer = self._writer
        error = writer.error if writer is not None else None
        return IndexStatus(
            store_count=store_count,
            index_count=index_count,
            in_step=pending == 0 and store_count == index_count,
            pending=pending,
            analysing=min(writer.analysing, pending) if writer is not None else 0,
            error=f"{type(error).__name__}: {error}" if error is not None else None,
        )

    def close(self) -> None:
        """Stop the writer thread (after its current commit) and release the index."""
        if self._closed:
            return
        self._stories.stop()
        if self._follower is not None:
            self._follower.stop()
            self._follower.join(timeout=10)
        if self._posting_builder is not None:
            self._posting_builder.stop()
        if self._writer is not None:
            self._writer.stop()
            self._writer.join(timeout=60)
            if self._writer.is_alive():
                log.warning("the index writer is still busy; unfinished work is redone at start-up")
        self._stories.join(timeout=60)
        if self._posting_builder is not None:
            self._posting_builder.join(timeout=60)
        self._closed = True
        self._views.close()
        self._ix.close()
        if self._owner is not None:
            self._owner.release()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
