"""One process owns an index: it alone repairs it and writes to it.

Whoosh's own lock is held only while a writer commits, so two processes that
both follow the store (a running service and ``pressearchiv ingest``) would
each index the same new articles. The owner lock is a kernel ``flock`` on a
file beside the index folder, held for as long as the index is open: the
kernel drops it when the process ends, however it ends, so a crash never
leaves a stale owner behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from pressearchiv.index.errors import IndexUnavailable

__all__ = ["OwnerLock"]


class OwnerLock:
    """The exclusive right to write the index in ``index_dir``."""

    def __init__(self, index_dir: Path) -> None:
        self.path = Path(index_dir).with_name(Path(index_dir).name + ".owner")
        self._fd: int | None = None

    def acquire(self) -> OwnerLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise IndexUnavailable(
                f"the search index {self.path.with_suffix('')} is in use by another process "
                "(is the service running?)"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
