"""Child processes that end with their parent.

A pool worker (bulk indexing, story fingerprints) or a web worker whose
parent was SIGKILLed is not told: it waits forever on a queue whose other
end no one will ever write to, holding its memory (seen after the crash
tests: bulk workers still alive, idle, long after their ``ingest`` was
killed). Linux can send a signal to a process when its parent dies
(``prctl(PR_SET_PDEATHSIG)``); :func:`end_with_parent` asks for SIGTERM,
which ends a pool worker and shuts a web worker down cleanly.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import select
import signal
import sys
import threading

__all__ = ["end_with_parent"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def end_with_parent(parent_pid: int | None = None) -> None:
    """Have this process get SIGTERM when its parent dies (Linux; elsewhere a no-op).

    ``parent_pid``, when given, is a process we must not outlive, watched as
    well: if it is already gone, we end at once, and we get SIGTERM when it
    ends. It need not be the parent: a web worker's parent is the fork server
    (:mod:`pressearchiv.web.forking`), which outlives the owner as long as any
    worker holds its end of the pipe that would tell it.
    """
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        return  # not allowed here (a sandbox): the worker lives as before
    if parent_pid is not None and parent_pid != os.getppid():
        # Not the parent, or the parent died before the prctl above.
        _watch(parent_pid)


def _watch(pid: int) -> None:
    """SIGTERM to this process when ``pid`` ends (a pidfd becomes readable then)."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:  # gone already
        os.kill(os.getpid(), signal.SIGTERM)
        return
    except OSError:  # no pidfds here (Linux < 5.3): only the parent is watched
        return

    def wait() -> None:
        select.select([pidfd], [], [])
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=wait, name=f"end-with-{pid}", daemon=True).start()
