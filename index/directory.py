"""Opening and creating the Whoosh index in a folder: every part of the index
goes through :func:`open_dir` and :func:`create_in`, which refuse any Whoosh
other than 2.7.4 (``UnsupportedWhoosh``), because the engine
(:mod:`pressearchiv.index.engine`) relies on its internals.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex, Index

from pressearchiv.index.engine import require_supported_whoosh

__all__ = ["create_in", "inspect_dir", "open_dir"]

T = TypeVar("T")


def open_dir(index_dir: Path) -> Index:
    """Open the index in ``index_dir`` (Whoosh's ``open_dir``, guarded)."""
    require_supported_whoosh()
    return FileIndex(FileStorage(str(index_dir)))


def inspect_dir(index_dir: Path, read: Callable[[Index], T]) -> T:
    """``read(index)`` of the index in ``index_dir``."""
    return read(open_dir(index_dir))


def create_in(index_dir: Path, schema: Schema) -> Index:
    """Create an empty index in ``index_dir`` (Whoosh's ``create_in``, guarded)."""
    require_supported_whoosh()
    return FileIndex.create(FileStorage(str(index_dir)), schema)
