"""What a search asks for and what it answers: the index package's public types.

These are plain data, free of Whoosh, so ``web/`` can build requests and
render responses without knowing how the index works.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pressearchiv.archive.model import PartialDate

__all__ = [
    "FacetValue",
    "Facets",
    "Hit",
    "IndexStatus",
    "SearchRequest",
    "SearchResponse",
    "Sort",
    "StoryVersions",
]


class Sort(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True)
class SearchRequest:
    """A search: query text, filters, order and page (pages count from 1).

    An empty ``query`` lists every article that passes the filters. ``date_from``
    and ``date_to`` are inclusive and may be a year, a month or a day; an
    article known only to its month matches every range that overlaps that month.
    """

    query: str = ""
    outlets: tuple[str, ...] = ()
    date_from: PartialDate | None = None
    date_to: PartialDate | None = None
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    size: int = 20
    # Whether to compute facets and snippets; exports switch both off.
    facets: bool = True
    snippets: bool = True
    # One hit per story (the version that comes first in the requested order);
    # ``total`` and the facets still count articles.
    group: bool = False


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    outlet: str
    date: PartialDate | None
    url: str | None
    snippet: str  # HTML-safe: matched words in <mark>, everything else escaped
    score: float | None  # None when sorted by date or listing without a query
    # The story: the article id of its first version (the hit's own id while
    # it has no other), and how many articles are versions of it.
    story: str | None = None
    versions: int = 1


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facets:
    outlet: list[FacetValue] = field(default_factory=list)
    year: list[FacetValue] = field(default_factory=list)
    month: list[FacetValue] = field(default_factory=list)  # values "YYYY-MM"


@dataclass(frozen=True)
class SearchResponse:
    total: int
    page: int
    size: int
    hits: list[Hit]
    facets: Facets
    suggestion: str | None
    took_ms: float
    timed_out: bool = False  # True when the time limit cut collection short
    # What of the query the search ran without: German stop words such as
    # "die" or "wird", which count only inside a quoted phrase, and (also
    # listed in ignored_syntax) dangling operators, unpaired parentheses and quotes.
    ignored: tuple[str, ...] = ()
    ignored_syntax: tuple[str, ...] = ()
    # How many stories the ``total`` articles belong to.
    stories: int = 0


@dataclass(frozen=True)
class StoryVersions:
    """An article's story: its id and the *other* versions, oldest first (by
    date, then arrival; no snippets). An article not indexed yet, or alone in
    its story, has no others."""

    story: str
    others: list[Hit]


@dataclass(frozen=True)
class IndexStatus:
    store_count: int
    index_count: int
    in_step: bool
    pending: int  # articles stored but not yet searchable
    # Of those, articles analysed by bulk workers, searchable at their next commit.
    analysing: int = 0
    # Why the last attempt to index failed (the writer retries), or None.
    error: str | None = None
