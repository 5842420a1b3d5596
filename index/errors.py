"""Errors the index raises; ``web/`` maps them to HTTP statuses.

IndexError_
 ├── QuerySyntaxError   a query we cannot make sense of, even leniently
 ├── QueryTooComplex    too many terms or clauses for a bounded search
 └── IndexUnavailable   the index cannot be opened or written
"""

from __future__ import annotations

__all__ = ["IndexError_", "IndexUnavailable", "QuerySyntaxError", "QueryTooComplex"]


class IndexError_(Exception):  # trailing underscore: do not shadow the builtin IndexError
    """Base of every error the index raises on purpose."""


class QuerySyntaxError(IndexError_):
    pass


class QueryTooComplex(IndexError_):
    pass


class IndexUnavailable(IndexError_):
    pass
