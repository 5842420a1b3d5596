"""How the index's memory maps are read from disk: advice to the kernel.

A page of a memory-mapped file is read from disk when it is first touched,
and Linux then reads around it as well: up to the device's ``read_ahead_kb``
(128 KiB by default, 8 MiB on the virtual disk of the machine the
benchmarks ran on). That suits a file read from front to back, but the
index's files are read in scattered spans: Whoosh's segment files (a term's
entry in the terms table, a few blocks of postings) and the posting files
(a trie lookup, then one term's slices of the ``ids``, ``weights`` and
``positions`` arrays). Measured on the 300k archive with an empty page
cache, a read-only open read 987 MB and its first search 1,754 MB more, for
a few megabytes used (docs/benchmarks.md, "Reading what is used").

So the maps are marked for scattered reading (:func:`read_scattered`: only
the touched pages are read), and a span that is about to be read whole is
asked for in one go (:func:`read_soon`), so that the kernel reads it in
large requests instead of a page per touch. Both are only advice: where the
platform lacks them, or the kernel refuses, reading works as before.
"""

from __future__ import annotations

import contextlib
import mmap

__all__ = ["read_scattered", "read_soon"]

# A span shorter than this is left to the page faults: one or two pages, and
# a system call would cost more than it saves when the pages are cached.
_WORTH_ASKING = 8 * 1024
_PAGE = mmap.PAGESIZE
_STEP = 128 * 1024  # Linux's default read_ahead_kb


def read_scattered(buffer: mmap.mmap) -> None:
    """Read only the pages of ``buffer`` that are touched (no read-around)."""
    advice = getattr(mmap, "MADV_RANDOM", None)
    if advice is not None:
        with contextlib.suppress(OSError):  # advice only
            buffer.madvise(advice)


def read_soon(buffer: mmap.mmap, start: int, end: int) -> None:
    """Have the kernel start reading bytes ``start`` to ``end`` of ``buffer`` now,
    in large requests, if the span is long enough to be worth it."""
    advice = getattr(mmap, "MADV_WILLNEED", None)
    if advice is None or end - start < _WORTH_ASKING:
        return
    end = min(end, len(buffer))
    # The kernel reads at most its read-ahead size (read_ahead_kb, or the
    # device's largest request) per piece of advice, so a long span is asked
    # for in steps small enough for any device.
    for at in range(start - start % _PAGE, end, _STEP):  # page-aligned, as madvise wants
        with contextlib.suppress(OSError, ValueError):  # advice only
            buffer.madvise(advice, at, min(_STEP, end - at))
