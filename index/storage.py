"""The index directory: opening it, recreating it, and rebuilding it from the store.

The index is derived data. Whenever it cannot be trusted — missing, unreadable,
built by another analyzer version or another schema — it is recreated empty and
refilled from the store, which is the source of truth.

A writer killed mid-commit leaves Whoosh's lock *file* behind, but the lock
itself is an ``fcntl`` lock that the kernel released with the process, so it
does not block the next writer; the half-written segment files are not listed
in the table of contents and Whoosh ignores them (and deletes them on the next
commit).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from tqdm import tqdm
from whoosh import index as windex
from whoosh.index import Index

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index.analysis import ANALYZER_VERSION
from pressearchiv.index.bulk import build_segments
from pressearchiv.index.errors import IndexUnavailable
from pressearchiv.index.ownership import OwnerLock
from pressearchiv.index.schema import analyzer_of, build_schema

__all__ = ["open_or_create", "rebuild_index"]

log = logging.getLogger(__name__)

_NEW = "no index yet"


def open_or_create(index_dir: Path) -> tuple[Index, str | None]:
    """Open the index in ``index_dir``, recreating it empty when it cannot be used.

    Returns the index and the reason it was recreated (None if it was opened).
    """
    index_dir = Path(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexUnavailable(f"cannot create the index folder {index_dir}: {exc}") from exc
    reason = _why_unusable(index_dir)
    if reason is None:
        return windex.open_dir(str(index_dir)), None
    log.log(
        logging.INFO if reason == _NEW else logging.WARNING,
        "recreating the index in %s: %s",
        index_dir,
        reason,
    )
    return _create_empty(index_dir), reason


def _why_unusable(index_dir: Path) -> str | None:
    if not any(index_dir.glob("_MAIN_*.toc")):
        return _NEW
    try:
        ix = windex.open_dir(str(index_dir))
        try:
            schema = ix.schema
            version = analyzer_of(schema).version
            with ix.searcher() as searcher:
                searcher.doc_count()
        finally:
            ix.close()
    except Exception as exc:  # any damage means: rebuild
        return f"unreadable ({type(exc).__name__}: {exc})"
    if version != ANALYZER_VERSION:
        return f"analyzer changed from {version} to {ANALYZER_VERSION}"
    if sorted(schema.names()) != sorted(build_schema().names()):
        return "schema changed"
    return None


def _create_empty(index_dir: Path) -> Index:
    _clear(index_dir)
    try:
        return windex.create_in(str(index_dir), build_schema())
    except OSError as exc:
        raise IndexUnavailable(f"cannot create the index in {index_dir}: {exc}") from exc


def _clear(index_dir: Path) -> None:
    for path in index_dir.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def rebuild_index(
    index_dir: Path, store: ArchiveStore, *, progress: bool = False, workers: int | None = None
) -> int:
    """Rebuild the index from scratch from the store; returns the number indexed.

    For use when no service holds the index open (the CLI). The new index is
    built next to the old one, in parallel (:mod:`pressearchiv.index.bulk`), and swapped in
    at the end, so a failed rebuild leaves the old index as it was.
    """
    index_dir = Path(index_dir)
    owner = OwnerLock(index_dir).acquire()
    try:
        return _rebuild(index_dir, store, progress, workers)
    finally:
        owner.release()


def _rebuild(index_dir: Path, store: ArchiveStore, progress: bool, workers: int | None) -> int:
    building = index_dir.with_name(index_dir.name + ".rebuilding")
    if building.exists():
        shutil.rmtree(building)
    building.mkdir(parents=True)
    windex.create_in(str(building), build_schema()).close()
    try:
        with tqdm(total=store.count(), unit="art", disable=not progress, desc="Indexing") as bar:
            count = build_segments(building, store, workers=workers, on_progress=bar.update)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    old = index_dir.with_name(index_dir.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if index_dir.exists():
        index_dir.rename(old)
    building.rename(index_dir)
    shutil.rmtree(old, ignore_errors=True)
    return count
