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
from whoosh.fields import Schema
from whoosh.index import Index

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index.analysis import ANALYZER_VERSION
from pressearchiv.index.bulk import build_segments
from pressearchiv.index.directory import create_in, inspect_dir, open_dir
from pressearchiv.index.engine import require_supported_whoosh
from pressearchiv.index.errors import IndexUnavailable, UnsupportedWhoosh
from pressearchiv.index.options import IndexOptions
from pressearchiv.index.ownership import OwnerLock
from pressearchiv.index.schema import analyzer_of, build_schema

__all__ = ["open_existing", "open_or_create", "rebuild_index"]

log = logging.getLogger(__name__)

_NEW = "no index yet"


def open_existing(index_dir: Path) -> Index:
    """Open the index in ``index_dir`` as it is (for reading beside its owner)."""
    try:
        return open_dir(index_dir)
    except UnsupportedWhoosh:
        raise
    except Exception as exc:  # missing or unreadable: only the owner may rebuild it
        raise IndexUnavailable(f"there is no readable search index in {index_dir}") from exc


def open_or_create(index_dir: Path) -> tuple[Index, str | None]:
    """Open the index in ``index_dir``, recreating it empty when it cannot be used.

    Returns the index and the reason it was recreated (None if it was opened).
    """
    require_supported_whoosh()  # before anything is judged unusable and deleted
    index_dir = Path(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexUnavailable(f"cannot create the index folder {index_dir}: {exc}") from exc
    reason = _why_unusable(index_dir)
    if reason is None:
        return open_dir(index_dir), None
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

    def read(ix: Index) -> tuple[Schema, str]:
        schema = ix.schema
        version = analyzer_of(schema).version
        with ix.searcher() as searcher:
            searcher.doc_count()
        return schema, version

    try:
        schema, version = inspect_dir(index_dir, read)
    except UnsupportedWhoosh:
        raise  # not the index's fault: never delete it for that
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
        return create_in(index_dir, build_schema())
    except OSError as exc:
        raise IndexUnavailable(f"cannot create the index in {index_dir}: {exc}") from exc


def _clear(index_dir: Path) -> None:
    for path in index_dir.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def rebuild_index(
    index_dir: Path,
    store: ArchiveStore,
    *,
    progress: bool = False,
    workers: int | None = None,
    options: IndexOptions | None = None,
) -> int:
    """Rebuild the index from scratch from the store; returns the number indexed.

    For use when no service holds the index open (the CLI). The new index is
    built next to the old one, in parallel (:mod:`pressearchiv.index.bulk`), in
    segments of ``options.bulk_segment_articles``, and swapped in at the end,
    so a failed rebuild leaves the old index as it was.
    """
    require_supported_whoosh()
    index_dir = Path(index_dir)
    segment_size = (options or IndexOptions()).bulk_segment_articles
    owner = OwnerLock(index_dir).acquire()
    try:
        return _rebuild(index_dir, store, progress, workers, segment_size)
    finally:
        owner.release()


def _rebuild(
    index_dir: Path, store: ArchiveStore, progress: bool, workers: int | None, segment_size: int
) -> int:
    building = index_dir.with_name(index_dir.name + ".rebuilding")
    if building.exists():
        shutil.rmtree(building)
    building.mkdir(parents=True)
    create_in(building, build_schema()).close()
    try:
        with tqdm(total=store.count(), unit="art", disable=not progress, desc="Indexing") as bar:
            count = build_segments(
                building,
                store,
                segment_size=segment_size,
                workers=workers,
                on_progress=bar.update,
            )
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
