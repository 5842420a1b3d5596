"""The posting files of an index's segments, as one process uses them.

:class:`MappedPostings` opens each large segment's posting file
(:mod:`pressearchiv.index.posting_files`) once and hands out its arrays; a
segment without a usable file answers None, and the caller decodes the
segment as before. Files appear while a process runs (the owner writes them
in the background), so a missing one is looked for again after
:data:`RECHECK_SECONDS`.

Only the index's owner writes and removes files (the one-owner rule of
``index.owner``): :class:`PostingFileBuilder` is its thread that writes the
files of large segments lacking one, after the index is opened (an index
built before posting files existed gets them without a rebuild) and after
each commit; it waits while a bulk build keeps every core busy.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh.index import Index

from pressearchiv.index.engine import read_field_postings
from pressearchiv.index.formats import FastPositions
from pressearchiv.index.posting_files import (
    SUFFIX,
    DamagedPostingFile,
    SegmentPostings,
    write_posting_file,
)

__all__ = ["RECHECK_SECONDS", "MappedPostings", "PostingFileBuilder"]

log = logging.getLogger(__name__)

# How long a process trusts that a segment has no posting file yet.
RECHECK_SECONDS = 2.0


def _key(reader: Any) -> str:
    return reader.segment().segment_id()  # type: ignore[no-any-return]


class MappedPostings:
    """Posting files of segments of at least ``min_documents`` documents in
    ``directory``; ``owner`` removes the files of segments that are gone."""

    def __init__(self, directory: Path, min_documents: int, *, owner: bool = False) -> None:
        self.directory = directory
        self._min = min_documents
        self._owner = owner
        self._lock = threading.Lock()
        self._open: dict[str, SegmentPostings] = {}
        self._missing: dict[str, float] = {}  # segment key -> when last looked for
        self._damaged: dict[str, tuple[int, int, int]] = {}  # key -> (inode, mtime, size)
        # (Owner) Files the builder found usable, as they were then: checked
        # once, not kept open (see build).
        self._checked: dict[str, tuple[int, int, int]] = {}

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}{SUFFIX}"

    def covers(self, reader: Any) -> bool:
        """Whether the segment is large enough to have a posting file."""
        return bool(reader.doc_count_all() >= self._min and reader.segment() is not None)

    def segment(self, reader: Any) -> SegmentPostings | None:
        """The segment's mapped file, or None (small segment, or no usable file yet)."""
        if not self.covers(reader):
            return None
        key = _key(reader)
        # A query asks this for every word, field and segment: the common case
        # reads the dict without the lock (one dict read is atomic).
        found = self._open.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._open.get(key)
            if found is not None:
                return found
            looked = self._missing.get(key)
            if looked is not None and time.monotonic() - looked < RECHECK_SECONDS:
                return None
            self._missing[key] = time.monotonic()
        found = self._try_open(key, reader.doc_count_all())
        if found is not None:
            with self._lock:
                self._open.setdefault(key, found)
                self._missing.pop(key, None)
        return found

    def _try_open(self, key: str, documents: int) -> SegmentPostings | None:
        path = self._path(key)
        seen = None
        try:
            stat = path.stat()
            seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if self._damaged.get(key) == seen:
                return None  # said so already; the owner writes a new one
            return SegmentPostings(path, key, documents)
        except FileNotFoundError:
            return None
        except (OSError, DamagedPostingFile) as exc:
            log.warning("posting file %s unusable (%s); reading the segment", path, exc)
            if seen is not None:
                self._damaged[key] = seen
            return None

    def discard(self, reader: Any, why: Exception) -> None:
        """Stop using a segment's file found damaged while reading it (the
        owner's builder writes it again)."""
        key = _key(reader)
        log.warning("posting file of %s unusable (%s); reading the segment", key, why)
        with self._lock:
            self._open.pop(key, None)
            self._missing[key] = time.monotonic()
        if self._owner:
            self._path(key).unlink(missing_ok=True)

    def build(self, reader: Any, check: Callable[[], None] | None = None) -> int | None:
        """(Owner) Write the segment's file if it is large and has no usable
        one; returns the bytes written, None if nothing was to do. ``check``
        is called now and then and may raise to give up (nothing is written)."""
        if not self.covers(reader) or self._usable(reader):
            return None
        schema = reader.schema
        positional = [n for n, f in schema.items() if isinstance(f.format, FastPositions)]
        started = time.monotonic()
        key = _key(reader)
        size = write_posting_file(
            self._path(key),
            key,
            reader.doc_count_all(),
            read_field_postings(reader, positional, positional, check),
        )
        log.info(
            "posting file of %s written: %.1f MB in %.1f s",
            key,
            size / 1e6,
            time.monotonic() - started,
        )
        with self._lock:
            self._missing.pop(key, None)
        return size

    def _usable(self, reader: Any) -> bool:
        """Whether the segment has a usable file: one this process has open,
        or one checked whole (checksums and all) and let go again. The owner
        checks every file at its start, so that it writes a damaged one again,
        but keeps none of them mapped for that (some 4 MB resident each, 0.8 GB
        for the 200 segments of a million articles); a search maps what it uses."""
        key = _key(reader)
        if key in self._open:
            return True
        try:
            stat = self._path(key).stat()
        except FileNotFoundError:
            return False
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if self._checked.get(key) == seen:
            return True
        usable = self._try_open(key, reader.doc_count_all()) is not None  # unmapped when dropped
        if usable:
            self._checked[key] = seen
        return usable

    def retain(self, keys: set[str]) -> None:
        """Forget segments that no longer exist; the owner removes their files
        (a process still searching them keeps its mapping)."""
        with self._lock:
            for key in [k for k in (*self._open, *self._missing, *self._checked) if k not in keys]:
                self._open.pop(key, None)
                self._missing.pop(key, None)
                self._damaged.pop(key, None)
                self._checked.pop(key, None)
        if self._owner:
            self._remove_files(keys, unfinished=False)

    def prune_files(self, keys: set[str]) -> None:
        """(Owner, at open) Remove every file but those of ``keys``: segments
        merged away, an index rebuilt, a write cut short."""
        self._remove_files(keys, unfinished=True)

    def _remove_files(self, keys: set[str], *, unfinished: bool) -> None:
        if not self.directory.is_dir():
            return
        keep = {f"{key}{SUFFIX}" for key in keys}
        for path in self.directory.iterdir():
            # A temporary file may be one the builder is writing right now.
            if path.name not in keep and (unfinished or path.suffix == SUFFIX):
                path.unlink(missing_ok=True)


class _Stopped(Exception):
    """The builder was stopped in the middle of a segment."""


class PostingFileBuilder(threading.Thread):
    """(Owner) Writes the missing posting files of the index's large segments
    whenever woken (:meth:`wake`), unless ``paused()``."""

    def __init__(
        self, ix: Index, files: MappedPostings, paused: Callable[[], bool] = lambda: False
    ) -> None:
        super().__init__(name="posting-files", daemon=True)
        self._ix = ix
        self._files = files
        self._paused = paused
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self.written = 0  # files written so far (tests and benchmarks watch it)
        self.idle = threading.Event()  # set while nothing is left to write

    def wake(self) -> None:
        self.idle.clear()
        self._wake.set()

    def stop(self) -> None:
        """Stop soon, leaving the file being written unwritten (a cut-off one is
        never renamed into place)."""
        self._stopping.set()
        self._wake.set()

    def run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait()
            self._wake.clear()
            while self._paused() and not self._stopping.wait(1.0):
                pass
            try:
                self._build_missing()
            except _Stopped:
                return
            except Exception:  # searches go on without the files; the next commit retries
                log.exception("writing posting files failed")
            if not self._wake.is_set():
                self.idle.set()

    def _build_missing(self) -> None:
        searcher = self._ix.searcher()
        try:
            for sub, _offset in searcher.leaf_searchers():
                if self._stopping.is_set() or self._paused():
                    self._wake.set()  # come back for the rest
                    return
                if self._files.build(sub.reader(), self._check) is not None:
                    self.written += 1
        finally:
            searcher.close()

    def _check(self) -> None:
        if self._stopping.is_set():
            raise _Stopped
