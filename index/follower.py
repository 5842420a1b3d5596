"""A read-only index that follows its owner's commits.

When the service runs several worker processes, one process owns the index
and writes it; each worker opens it read-only (see
:meth:`pressearchiv.index.SearchIndex.open`). :class:`IndexFollower` is the
worker's thread that notices the owner's commits: every ``follow_seconds``
it compares the index's latest generation (a file name in the index
folder, so one ``listdir``) with the generation of the worker's current
view, and when it has changed asks for a new view. It also notices when the
story map beside the index was saved again.

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
    """Calls ``refresh()`` whenever ``changed()`` says there is something new."""

    def __init__(
        self, changed: Callable[[], bool], refresh: Callable[[], None], interval: float
    ) -> None:
        super().__init__(name="pressearchiv-index-follower", daemon=True)
        self._changed, self._refresh, self._interval = changed, refresh, interval
        self._halt = threading.Event()

    def run(self) -> None:
        failures = 0
        while not self._halt.wait(self._interval):
            try:
                if self._changed():
                    self._refresh()
                failures = 0
            except Exception as exc:
                # The owner may be replacing files right now (a merge, a
                # rebuild): the next look usually succeeds. Say so once.
                failures += 1
                if failures == 1 or failures % 100 == 0:
                    log.warning("cannot follow the index yet (%s); retrying", exc)

    def stop(self) -> None:
        self._halt.set()
