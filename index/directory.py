"""Opening and creating the Whoosh index in a folder: every part of the index
goes through :func:`open_dir` and :func:`create_in`, which

* refuse any Whoosh other than 2.7.4 (``UnsupportedWhoosh``), because the
  engine (:mod:`pressearchiv.index.engine`) relies on its internals, and
* close the files an attempt opened when it fails: Whoosh's table-of-contents
  reader leaves its file open when the TOC is damaged or names a class that
  no longer exists (both mean the index is rebuilt, so it happens in practice).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex, Index

from pressearchiv.index.engine import require_supported_whoosh

__all__ = ["create_in", "inspect_dir", "open_dir"]

T = TypeVar("T")


def open_dir(index_dir: Path) -> Index:
    """Open the index in ``index_dir`` (Whoosh's ``open_dir``, guarded)."""
    return inspect_dir(index_dir, lambda ix: ix)


def inspect_dir(index_dir: Path, read: Callable[[Index], T]) -> T:
    """``read(index)`` of the index in ``index_dir``; if opening or reading
    fails, every file opened for it is closed before the error propagates."""
    require_supported_whoosh()
    storage = _FolderStorage(str(index_dir))
    return storage.attempt(lambda: read(FileIndex(storage)))


def create_in(index_dir: Path, schema: Schema) -> Index:
    """Create an empty index in ``index_dir`` (Whoosh's ``create_in``, guarded)."""
    require_supported_whoosh()
    storage = _FolderStorage(str(index_dir))
    return storage.attempt(lambda: FileIndex.create(storage, schema))


class _FolderStorage(FileStorage):
    """Whoosh's storage of a folder that can undo a failed attempt to open it."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self._attempting: list[Any] | None = None

    def open_file(self, name: str, **kwargs: Any) -> Any:
        opened = super().open_file(name, **kwargs)
        if self._attempting is not None:
            self._attempting.append(opened)
        return opened

    def attempt(self, make: Callable[[], T]) -> T:
        """``make()``; if it fails, close every file it opened, then re-raise."""
        self._attempting = []
        try:
            return make()
        except BaseException:
            for opened in self._attempting:
                if not opened.is_closed:
                    opened.close()
            raise
        finally:
            self._attempting = None
