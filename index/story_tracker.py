"""Following the archive with the story detector, and what searches see of it.

:class:`StoryTracker` belongs to the index's owner. A thread of its own
(:class:`StoryFollower`) assigns every newly indexed article its story with
:class:`~pressearchiv.index.stories.StoryDetector`, in ``seq`` order, and
saves the state after each batch beside the index (``index.stories/``). It
runs apart from the index writer on purpose: assigning is sequential and
costs about a millisecond an article, so a bulk build of 100,000 articles
must not hold back the next upload's commit. An article is searchable as
soon as it is indexed; its story follows a moment later (until then it is
a story of its own).

A large backlog (a first start, a rebuild) is fingerprinted in worker
processes that read the texts from the store themselves; only the
assignment, which depends on every earlier article, runs in order here.

Searches never touch the detector: they get a :class:`StoryMap`, an
immutable snapshot of which article belongs to which story (a read-only
index, beside a running owner, loads the same map from the saved parts).
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import numpy.typing as npt

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import story_files
from pressearchiv.index.orphans import end_with_parent
from pressearchiv.index.stories import Fingerprint, StoryDetector, StoryParams

__all__ = ["StoryFollower", "StoryMap", "StoryTracker", "stories_dir"]

log = logging.getLogger(__name__)

# Articles assigned (and saved) at a time while following.
BATCH = 2_000
# From this many articles behind, fingerprints are computed in worker processes.
PARALLEL_FROM = 4_000
# Parts saved one batch at a time are folded into one beyond this many.
MAX_PARTS = 64
# ... or once they hold this much more than the first (folded) part. A part
# written after many changes holds every count-min cell in use (tens of MB at
# 40,000 articles), so parts by count alone grew to 830 MB at 41k, all of it
# read at the next start; by size, the folder stays within about twice the
# folded state and its floor, and the folding rewrites little when it is small.
COMPACT_SLACK_BYTES = 32 << 20


def stories_dir(index_dir: Path) -> Path:
    """Where the story state of the index in ``index_dir`` lives (beside it)."""
    return index_dir.with_name(index_dir.name + ".stories")


@dataclass(frozen=True)
class StoryMap:
    """Which article belongs to which story: rows in ``seq`` order."""

    seq: npt.NDArray[np.int64]
    ids: npt.NDArray[np.uint64]
    founder: npt.NDArray[np.int32]  # row of the story's first article
    # The saved rows this map was loaded from (None: not loaded from files).
    saved: story_files.SavedRows | None = None

    @classmethod
    def empty(cls) -> StoryMap:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.uint64), np.zeros(0, np.int32))

    @classmethod
    def of(cls, detector: StoryDetector) -> StoryMap:
        rows = detector.rows
        # Slices of the current buffers: rows below len() never change, and a
        # growing detector copies into new buffers, so this is a snapshot.
        return cls(rows.seq, rows.ids, rows.founder)

    @classmethod
    def load(cls, directory: Path, previous: StoryMap | None = None) -> StoryMap:
        """The map saved in ``directory`` (what a read-only index sees); given
        the ``previous`` map loaded from there, only what was saved since is read."""
        try:
            rows = story_files.load_rows(directory, after=previous.saved if previous else None)
            return cls(rows.seq, rows.ids, rows.founder, rows)
        except story_files.StoryStateError as exc:
            log.warning("story state in %s is not usable yet: %s", directory, exc)
            return cls.empty()

    def __len__(self) -> int:
        return int(self.seq.size)

    def agrees_with(self, store: ArchiveStore) -> bool:
        """Whether the map's rows are this archive's articles (spot checks of the
        first, middle and last row: saved state of another archive fails them)."""
        count = len(self)
        for row in {0, count // 2, count - 1} if count else ():
            seq = int(self.seq[row])
            article = next(iter(store.iter_articles(after_seq=seq - 1, batch_size=1)), None)
            if article is None or article.seq != seq or article.id != f"{int(self.ids[row]):016x}":
                return False
        return True

    @property
    def watermark(self) -> int:
        """The highest ``seq`` with a story (0 when none)."""
        return int(self.seq[-1]) if len(self) else 0

    def founder_seqs(self, seqs: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Per article ``seq``: the ``seq`` of its story's first article, or its own
        ``seq`` while it has no story yet (a story of its own)."""
        if not len(self):
            return seqs.astype(np.int64, copy=True)
        at = np.minimum(np.searchsorted(self.seq, seqs), len(self) - 1)
        known = self.seq[at] == seqs
        return np.where(known, self.seq[self.founder[at]], seqs).astype(np.int64)


class StoryTracker:
    """The owner's story detector, kept in step with the archive (one thread only)."""

    def __init__(self, directory: Path, store: ArchiveStore, params: StoryParams | None = None):
        self.directory = directory
        self._store = store
        self._params = params or StoryParams()
        self.detector = self._load()

    def _load(self) -> StoryDetector:
        try:
            detector = story_files.load(self.directory, self._params)
            if StoryMap.of(detector).agrees_with(self._store):
                return detector
            reason = "it does not match the archive"
        except story_files.StoryStateError as exc:
            reason = str(exc)
        log.warning("story state in %s discarded (%s); assigning again", self.directory, reason)
        story_files.discard(self.directory)
        return StoryDetector(self._params)

    @property
    def watermark(self) -> int:
        return self.detector.watermark

    def snapshot(self) -> StoryMap:
        return StoryMap.of(self.detector)

    def catch_up(self, up_to_seq: int, stopping: threading.Event) -> int:
        """Assign every article with ``watermark < seq <= up_to_seq``; returns how many."""
        behind = up_to_seq - self.watermark
        batches = self._parallel(up_to_seq) if behind >= PARALLEL_FROM else self._serial(up_to_seq)
        done = 0
        for batch in batches:
            for article_id, seq, fingerprint in batch:
                self.detector.assign(article_id, seq, fingerprint)
            done += len(batch)
            self._save()
            if stopping.is_set():
                break
        return done

    def _save(self) -> None:
        story_files.save(self.detector, self.directory)
        sizes = sorted((p.name, p.stat().st_size) for p in self.directory.glob("part-*.npz"))
        folded = sizes[0][1] if sizes else 0
        later = sum(size for _, size in sizes[1:])
        if len(sizes) > MAX_PARTS or later > folded + COMPACT_SLACK_BYTES:
            story_files.compact(self.detector, self.directory)

    def _serial(self, up_to_seq: int) -> Iterator[list[tuple[str, int, Fingerprint]]]:
        articles = self._store.iter_articles(after_seq=self.watermark, batch_size=500)
        wanted = itertools.takewhile(lambda a: a.seq <= up_to_seq, articles)
        while batch := list(itertools.islice(wanted, BATCH)):
            yield [(a.id, a.seq, Fingerprint.of(a.text, self._params)) for a in batch]

    def _parallel(self, up_to_seq: int) -> Iterator[list[tuple[str, int, Fingerprint]]]:
        """Fingerprints of BATCH-article ranges from worker processes, in order."""
        seqs = [
            s for s in sorted(self._store.id_seqs().values()) if self.watermark < s <= up_to_seq
        ]
        ranges = [
            (seqs[i] - 1, seqs[min(i + BATCH, len(seqs)) - 1]) for i in range(0, len(seqs), BATCH)
        ]
        workers = max(1, min(os.cpu_count() or 1, len(ranges)))
        # Workers end with us: a killed service must not leave them waiting forever.
        with ProcessPoolExecutor(
            workers,
            mp_context=get_context("spawn"),
            initializer=end_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            futures = [
                pool.submit(_fingerprints, str(self._store.path), after, last, self._params)
                for after, last in ranges
            ]
            for future in futures:
                yield future.result()


def _fingerprints(
    db_path: str, after: int, last: int, params: StoryParams
) -> list[tuple[str, int, Fingerprint]]:
    """Worker: the fingerprints of the articles with ``after < seq <= last``."""
    store = ArchiveStore(Path(db_path))
    try:
        articles = itertools.takewhile(
            lambda a: a.seq <= last, store.iter_articles(after_seq=after, batch_size=500)
        )
        return [(a.id, a.seq, Fingerprint.of(a.text, params)) for a in articles]
    finally:
        store.close()


class StoryFollower(threading.Thread):
    """Runs a :class:`StoryTracker` behind the index: whenever ``indexed()``
    moves past the tracker, it assigns the new articles and hands the new
    :class:`StoryMap` to ``publish``.

    The tracker is made by ``make_tracker`` in this thread, once the index
    holds articles beyond ``saved`` (the highest ``seq`` of the saved map the
    index published at open) or ``load_after`` seconds after the start
    (``IndexOptions.story_load_after``), whichever comes first: loading a
    large archive's detector takes seconds of the interpreter that the first
    searches in the same process need (searches need only the saved map), and
    the first upload should not wait for it either.
    """

    def __init__(
        self,
        make_tracker: Callable[[], StoryTracker],
        indexed: Callable[[], int],
        publish: Callable[[StoryMap], None],
        poll_seconds: float,
        saved: int = 0,
        *,
        load_after: float,
    ) -> None:
        super().__init__(name="pressearchiv-stories", daemon=True)
        self._make_tracker = make_tracker
        self._tracker: StoryTracker | None = None
        self._saved = saved
        self._load_at = time.monotonic() + load_after
        self._indexed = indexed
        self._publish = publish
        self._poll = poll_seconds
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self.error: BaseException | None = None

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._follow(self._indexed())
                self.error = None
            except Exception as exc:  # keep following; the next round retries
                log.exception("assigning stories failed")
                self.error = exc
            self._wake.wait(self._poll)
            self._wake.clear()

    def _follow(self, target: int) -> None:
        tracker = self._tracker
        if tracker is None:
            if target <= self._saved and time.monotonic() < self._load_at:
                return  # nothing new yet: the saved map is the whole story
            tracker = self._tracker = self._make_tracker()
            # The same map as the saved one, unless the tracker found that
            # state unusable and starts again.
            self._publish(tracker.snapshot())
        if target > tracker.watermark and tracker.catch_up(target, self._stopping):
            self._publish(tracker.snapshot())
