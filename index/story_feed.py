"""How an index's views get their story maps: assigned by its owner, read by the others.

The index's owner publishes the map it saved last and runs a thread
(:class:`~pressearchiv.index.story_tracker.StoryFollower`) that assigns the
stories of what was indexed since, saving each new map. A read-only index (a
worker process of a multi-process service) loads the owner's saved map when
it opens and again whenever the owner saved a newer one. Either way each new
map goes to the views (the current one and every later one use it) and wakes
whoever waits for an article's story (an upload's answer).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index.options import IndexOptions
from pressearchiv.index.story_tracker import StoryFollower, StoryMap, StoryTracker
from pressearchiv.index.views import Views

__all__ = ["StoryFeed"]

log = logging.getLogger(__name__)


class StoryFeed:
    """The story maps of one index's views, kept in ``directory`` by the owner."""

    def __init__(self, views: Views, directory: Path | None) -> None:
        self._views = views
        self._directory = directory
        self._published = threading.Condition()  # notified with each new map
        self._assigner: StoryFollower | None = None
        self._loaded: int | None = None  # (reader) stamp of the map loaded last

    def assign(self, store: ArchiveStore, target: Callable[[], int], options: IndexOptions) -> None:
        """(Owner) Publish the saved story map and assign the rest in the background,
        up to ``target()`` (the indexed watermark, or -1 to wait)."""
        if self._directory is None:
            return
        saved = StoryMap.load(self._directory)
        if not saved.agrees_with(store):  # the tracker discards it when made
            saved = StoryMap.empty()
        self.publish(saved)
        self._assigner = StoryFollower(
            functools.partial(StoryTracker, self._directory, store),
            target,
            self.publish,
            options.poll_seconds,
            saved=saved.watermark,
            load_after=options.story_load_after,
        )
        self._assigner.start()

    def load(self) -> None:
        """(Reader) Load the map the owner saved last."""
        if self._directory is not None:
            self._loaded = self._saved_stamp()
            self.publish(StoryMap.load(self._directory, self._views.story_map))

    def load_if_newer(self) -> None:
        """(Reader) Load the owner's map if it saved one since the last load."""
        if self._saved_stamp() != self._loaded:
            self.load()

    def _saved_stamp(self) -> int | None:
        """When the owner last saved its stories (their folder changes with each save)."""
        try:
            return self._directory.stat().st_mtime_ns if self._directory else None
        except OSError:
            return None

    def publish(self, stories: StoryMap) -> None:
        """A new story map (the assigning thread, or at open): the current view
        and every later one use it."""
        self._views.publish_stories(stories)
        with self._published:
            self._published.notify_all()

    def wake(self) -> None:
        """(Owner) Something was indexed: assign its stories soon."""
        if self._assigner is not None:
            self._assigner.wake()

    def wait(self, seq: int, timeout: float) -> bool:
        """Block until every article up to ``seq`` has its story; False on timeout."""
        with self._published:
            return self._published.wait_for(
                lambda: self._views.story_map.watermark >= seq, timeout=timeout
            )

    def stop(self) -> None:
        """Ask the assigning thread to stop (after the map it is working on)."""
        if self._assigner is not None:
            self._assigner.stop()

    def join(self, timeout: float) -> None:
        """Wait for the assigning thread to end, at most ``timeout`` seconds."""
        if self._assigner is not None:
            self._assigner.join(timeout=timeout)
            if self._assigner.is_alive():
                log.warning("stories are still being assigned; the rest follows at start-up")
