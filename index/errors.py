"""Errors the index raises; ``web/`` maps them to HTTP statuses.

IndexError_
 ├── QueryTooComplex       too many terms or clauses for a bounded search
 └── IndexUnavailable      the index cannot be opened or written
      └── UnsupportedWhoosh  the installed Whoosh is not the version the engine was written for
"""

from __future__ import annotations

__all__ = ["IndexError_", "IndexUnavailable", "QueryTooComplex", "UnsupportedWhoosh"]


class IndexError_(Exception):  # trailing underscore: do not shadow the builtin IndexError
    """Base of every error the index raises on purpose."""


class QueryTooComplex(IndexError_):
    pass


class IndexUnavailable(IndexError_):
    pass


class UnsupportedWhoosh(IndexUnavailable):
    """The index reads and writes Whoosh's files through its internals
    (:mod:`pressearchiv.index.engine`), so it refuses any other Whoosh version."""
