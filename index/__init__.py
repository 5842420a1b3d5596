"""The full-text search index of the archive (Whoosh behind a small API).

The web layer imports only what is listed in ``__all__``.
"""

from pressearchiv.index.errors import IndexError_, IndexUnavailable, OverBudget, QueryTooComplex
from pressearchiv.index.nearby import RELATED_MIN_SIMILARITY
from pressearchiv.index.options import IndexOptions
from pressearchiv.index.query import MAX_QUERY_CHARS, MAX_QUERY_WORDS
from pressearchiv.index.request import (
    Facets,
    FacetValue,
    Hit,
    IndexStatus,
    SearchRequest,
    SearchResponse,
    Sort,
    StoryVersions,
)
from pressearchiv.index.search_index import SearchIndex
from pressearchiv.index.storage import rebuild_index

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_QUERY_WORDS",
    "RELATED_MIN_SIMILARITY",
    "FacetValue",
    "Facets",
    "Hit",
    "IndexError_",
    "IndexOptions",
    "IndexStatus",
    "IndexUnavailable",
    "OverBudget",
    "QueryTooComplex",
    "SearchIndex",
    "SearchRequest",
    "SearchResponse",
    "Sort",
    "StoryVersions",
    "rebuild_index",
]
