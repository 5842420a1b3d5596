"""Errors the index raises; ``web/`` maps them to HTTP statuses.

IndexError_
 ├── QueryTooComplex       too many terms or clauses for a bounded search
 ├── OverBudget            a search given a time budget ran past it (nothing answered)
 └── IndexUnavailable      the index cannot be opened or written
      └── UnsupportedWhoosh  the installed Whoosh is not the version the engine was written for
"""

from __future__ import annotations

__all__ = [
    "IndexError_",
    "IndexUnavailable",
    "OverBudget",
    "QueryTooComplex",
    "UnsupportedWhoosh",
]


class IndexError_(Exception):  # trailing underscore: do not shadow the builtin IndexError
    """Base of every error the index raises on purpose."""


class QueryTooComplex(IndexError_):
    pass


class IndexUnavailable(IndexError_):
    pass


class OverBudget(IndexError_):
    """A search run with a time budget (``SearchIndex.search(budget=...)``) ran
    past it, or found no free slot, and gave up without an answer: a signal to
    run it again without one, not an error for a user."""


class UnsupportedWhoosh(IndexUnavailable):
    """The index reads and writes Whoosh's files through its internals
    (:mod:`pressearchiv.index.engine`), so it refuses any other Whoosh version."""
