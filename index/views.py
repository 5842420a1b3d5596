"""The current view of one index, replaced after every commit.

A view (:class:`~pressearchiv.index.searcher.View`) is a Whoosh searcher of one
generation with its numpy columns. Searches never wait for the writer: each
takes the view that is current when it begins, and holds a reference to it;
a replaced view closes its searcher when its last search finishes, so a
commit never pulls files from under a running search. The story map is
handed to the current view and to every later one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from whoosh.index import Index

from pressearchiv.index import searcher as run
from pressearchiv.index.columns import ColumnCache, Columns
from pressearchiv.index.errors import IndexUnavailable
from pressearchiv.index.options import IndexOptions
from pressearchiv.index.postings import PostingCache, segment_key
from pressearchiv.index.story_tracker import StoryMap
from pressearchiv.index.word_scores import WordScores

__all__ = ["Views"]


class Views:
    """The views of one open index: the current one, and fresh ones after commits."""

    def __init__(
        self, ix: Index, columns: ColumnCache, postings: PostingCache, options: IndexOptions
    ) -> None:
        self._ix = ix
        self._options = options
        self._columns = columns
        self._postings = postings
        self._lock = threading.Lock()  # guards the current view and reference counts
        self._story_map = StoryMap.empty()
        self._closed = False
        self._current = self.fresh()

    @property
    def current(self) -> run.View:
        """The current view, unreferenced: for a glance at it, not for a search."""
        return self._current

    @property
    def story_map(self) -> StoryMap:
        return self._story_map

    def fresh(self) -> run.View:
        """A view of the index's newest commit (not yet current: see :meth:`swap`)."""
        searcher = self._ix.searcher()
        try:
            columns: Columns = self._columns.columns(searcher)
        except BaseException:
            searcher.close()  # its segments' files would stay open until collected
            raise
        self._postings.retain({segment_key(sub.reader()) for sub, _ in searcher.leaf_searchers()})
        # The caches whose entries grow with the archive get budgets that grow
        # with it (IndexOptions.cache_units).
        documents, options = searcher.doc_count_all(), self._options
        self._postings.size_runs(options.cache_units(options.run_cache_postings, documents))
        words = WordScores(options.cache_units(options.word_scores_postings, documents))
        return run.View(
            searcher,
            columns,
            self._postings,
            doc_count=searcher.doc_count(),
            words=words,
            story_map=self._story_map,
        )

    def swap(self, view: run.View) -> None:
        """Make ``view`` current; the old one closes once its searches are done."""
        with self._lock:
            old, self._current = self._current, view
            self._retire(old)

    def publish_stories(self, stories: StoryMap) -> None:
        """A new story map: the current view and every later one use it."""
        with self._lock:
            self._story_map = stories
            self._current.story_map = stories

    @contextmanager
    def acquire(self) -> Iterator[run.View]:
        """The current view, held (not closed) until the block ends."""
        if self._closed:
            raise IndexUnavailable("the search index is closed")
        with self._lock:
            view = self._current
            view.refs += 1
        try:
            yield view
        finally:
            with self._lock:
                view.refs -= 1
                if view.retired and view.refs == 0:
                    view.searcher.close()

    def close(self) -> None:
        """No more searches; the current view closes once its searches are done."""
        self._closed = True
        with self._lock:
            self._retire(self._current)

    @staticmethod
    def _retire(view: run.View) -> None:
        view.retired = True
        if view.refs == 0:
            view.searcher.close()
