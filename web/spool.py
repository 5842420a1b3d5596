"""The spool folder of uploads (``DATA_DIR/tmp``), and what killed processes leave in it.

Each multipart upload is spooled to a temporary folder of its own there
(``web/intake.py``), removed when its request ends however it ends, except
when the process itself is killed. A service starting on a data folder
removes those leftovers: 8 SIGKILLs during uploads left 62 MB forever before.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

__all__ = ["remove_leftovers"]

log = logging.getLogger("pressearchiv.web")


def remove_leftovers(tmp_dir: Path) -> tuple[int, int]:
    """Delete what uploads of an earlier process left in ``tmp_dir``: (entries, bytes).

    A spooled upload lives in a temporary folder that is removed when its
    request ends, but not when the process is killed (SIGKILL, OOM, power
    loss). Call this only while no upload can be running: at start-up, after
    the index lock has made this process the only service on the data folder.
    """
    entries = removed_bytes = 0
    if not tmp_dir.is_dir():
        return 0, 0
    for entry in tmp_dir.iterdir():
        try:
            if entry.is_dir() and not entry.is_symlink():
                files = [f for f in entry.rglob("*") if f.is_file() and not f.is_symlink()]
                size = sum(f.stat().st_size for f in files)
                shutil.rmtree(entry)
            else:
                size = entry.lstat().st_size
                entry.unlink(missing_ok=True)
        except OSError as exc:  # not ours to delete, or gone meanwhile: not fatal
            log.warning("could not remove %s: %s", entry, exc)
            continue
        entries += 1
        removed_bytes += size
    return entries, removed_bytes
