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
import signal
import sys

__all__ = ["end_with_parent"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def end_with_parent(parent_pid: int | None = None) -> None:
    """Have this process get SIGTERM when its parent dies (Linux; elsewhere a no-op).

    ``parent_pid``, when given, is the pid the parent had when it started us:
    if it is already gone (it died before this call), we end at once.
    """
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        return  # not allowed here (a sandbox): the worker lives as before
    if parent_pid is not None and os.getppid() != parent_pid:
        os.kill(os.getpid(), signal.SIGTERM)
