"""A read-only index that follows its owner's commits.

When the service runs several worker processes, one process owns the index
and writes it; each worker opens it read-only (see
:meth:`pressearchiv.index.SearchIndex.open`). :class:`IndexFollower` is the
worker's thread that notices the owner's commits: every ``follow_seconds``
the index compares its latest generation (a file name in the index
folder, so one ``listdir``) with the generation of the worker's current
view, and opens a new view when it has changed; it also reloads the story
map beside the index when that was saved again.

Checking is cheap, so a short interval keeps "stored in one worker,
searchable in all" well under a second without any message between the
processes: the index folder is the message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

__all__ = ["IndexFollower"]

log = logging.getLogger(__name__)


class IndexFollower(threading.Thread):
    """Calls ``follow()`` every ``interval`` seconds; it takes up whatever is new."""

    def __init__(self, follow: Callable[[], None], interval: float) -> None:
        super().__init__(name="pressearchiv-index-follower", daemon=True)
        self._follow, self._interval = follow, interval
        self._halt = threading.Event()

    def run(self) -> None:
        failures = 0
        while not self._halt.wait(self._interval):
            try:
                self._follow()
                failures = 0
            except Exception as exc:
                # The owner may be replacing files right now (a merge, a
                # rebuild): the next look usually succeeds. Say so once.
                failures += 1
                if failures == 1 or failures % 100 == 0:
                    log.warning("cannot follow the index yet (%s); retrying", exc)

    def stop(self) -> None:
        self._halt.set()
