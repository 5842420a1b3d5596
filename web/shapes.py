"""The JSON shapes of the API, each defined once as a typed model.

The handlers (``web/api.py``), the exports (``web/export.py``) and the OpenAPI
document (``web/openapi.py``) all use these models (the service's own state, stats
and health, is in ``web/service_shapes.py``): a handler builds one from
the domain objects with its ``of`` constructor, msgspec encodes it, and the
OpenAPI components are generated from the same classes. Fields have no
defaults: each is always in the JSON (``null`` when unknown), so the schema
lists it as required. Upload results and errors are in ``web/outcomes.py``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import msgspec
from msgspec import Meta, Struct
from starlette.responses import Response

from pressearchiv.archive.model import Article as StoredArticle
from pressearchiv.archive.model import DatePrecision, DateSource, DocumentFormat, PartialDate
from pressearchiv.index import RELATED_MIN_SIMILARITY
from pressearchiv.index import Facets as FoundFacets
from pressearchiv.index import FacetValue as FoundFacetValue
from pressearchiv.index import Hit as FoundHit
from pressearchiv.index import SearchResponse as FoundResponse

__all__ = [
    "RELATED_HITS",
    "Article",
    "ArticleId",
    "ExportRow",
    "FacetValue",
    "Facets",
    "Hit",
    "Related",
    "SearchResponse",
    "Shape",
    "ShapeResponse",
    "Version",
    "Versions",
]


ArticleId = Annotated[str, Meta(description="16 hex digits of the SHA-256 of the clean text")]
KnownDate = Annotated[
    str,
    Meta(
        pattern=r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
        description="YYYY, YYYY-MM or YYYY-MM-DD: exactly as precise as it is known",
    ),
]
Timestamp = Annotated[str, Meta(extra_json_schema={"format": "date-time"})]


def _date(date: PartialDate | None) -> tuple[str | None, DatePrecision | None]:
    return (date.isoformat(), date.precision) if date else (None, None)


class Shape(Struct, kw_only=True):
    """Common configuration: built by keyword (fields never have defaults)."""


class Listed(Shape):
    """What every list of articles shows of one: id, title, outlet, date and link."""

    id: ArticleId
    title: str
    outlet: str
    date: KnownDate | None
    date_precision: DatePrecision | None
    url: str | None

    @staticmethod
    def fields_of(hit: FoundHit | StoredArticle) -> dict[str, Any]:
        """The listed fields of a hit or a stored article (which every shape of one shows)."""
        date, precision = _date(hit.date)
        return dict(
            id=hit.id,
            title=hit.title,
            outlet=hit.outlet,
            date=date,
            date_precision=precision,
            url=hit.url,
        )


class Hit(Listed):
    """One article that matches a search."""

    snippet: Annotated[str, Meta(description="HTML: escaped text, the query's words in <mark>")]
    score: Annotated[float | None, Meta(description="Relevance; null when sorted by date")]
    story: Annotated[
        str,
        Meta(
            description="The story this article is a version of: the id of the story's "
            "first article (the article's own id while it has no other version)"
        ),
    ]
    versions: Annotated[
        int,
        Meta(ge=1, description="How many articles are versions of the story, this one included"),
    ]

    @classmethod
    def of(cls, hit: FoundHit) -> Hit:
        return cls(
            **cls.fields_of(hit),
            snippet=hit.snippet,
            score=hit.score,
            story=hit.story or hit.id,
            versions=hit.versions,
        )


class FacetValue(Shape):
    """How many matches have this value; ``selected`` when the search filters by it."""

    value: str
    count: int
    selected: bool


def _values(values: list[FoundFacetValue]) -> list[FacetValue]:
    return [FacetValue(value=v.value, count=v.count, selected=v.selected) for v in values]


class Facets(Shape):
    """Counts over all matches: outlets ignore the outlet filter, years and months the dates."""

    outlet: list[FacetValue]
    year: list[FacetValue]
    month: Annotated[list[FacetValue], Meta(description="Values YYYY-MM")]


class SearchResponse(Shape):
    """One page of hits, with facets over the whole result set."""

    total: int
    page: int
    size: int
    hits: list[Hit]
    facets: Facets
    suggestion: Annotated[str | None, Meta(description="A spelling to try instead")]
    ignored: Annotated[
        list[str],
        Meta(
            description="What of the query was left out: German stop words such as 'die' "
            "or 'wird' (and lower-case 'and'/'or'), which count only inside a quoted "
            "phrase; dangling or doubled operators (AND, OR, NOT); parentheses and quotes "
            "without a partner."
        ),
    ]
    stories: Annotated[
        int,
        Meta(
            description="How many stories the total articles belong to; with group=story "
            "there is one hit per story, so this counts the hits of all pages"
        ),
    ]
    took_ms: float
    timed_out: Annotated[bool, Meta(description="The time limit cut the search short")]

    @classmethod
    def of(cls, found: FoundResponse) -> SearchResponse:
        facets: FoundFacets = found.facets
        return cls(
            total=found.total,
            page=found.page,
            size=found.size,
            hits=[Hit.of(h) for h in found.hits],
            facets=Facets(
                outlet=_values(facets.outlet),
                year=_values(facets.year),
                month=_values(facets.month),
            ),
            suggestion=found.suggestion,
            ignored=list(found.ignored),
            stories=found.stories,
            took_ms=found.took_ms,
            timed_out=found.timed_out,
        )


class Article(Shape):
    """An article's metadata and clean text."""

    id: ArticleId
    title: str
    text: str
    outlet: str
    date: KnownDate | None
    date_precision: DatePrecision | None
    date_source: DateSource | None
    url: str | None
    author: str | None
    source_name: Annotated[str | None, Meta(description="The uploaded file's name")]
    format: DocumentFormat
    content_type: str
    encoding: Annotated[str | None, Meta(description="The text encoding that was detected")]
    raw_size: Annotated[int, Meta(description="Bytes of the original")]
    ingested_at: Timestamp
    raw_url: str
    related_url: str
    versions_url: str

    @classmethod
    def of(cls, article: StoredArticle) -> Article:
        return cls(
            **Listed.fields_of(article),
            text=article.text,
            date_source=article.date_source,
            author=article.author,
            source_name=article.source_name,
            format=article.format,
            content_type=article.content_type,
            encoding=article.encoding,
            raw_size=article.raw_size,
            ingested_at=article.ingested_at.isoformat(),
            raw_url=f"/api/articles/{quote(article.id)}/raw",
            related_url=f"/api/articles/{quote(article.id)}/related",
            versions_url=f"/api/articles/{quote(article.id)}/versions",
        )


class ExportRow(Shape):
    """One article of an export: a CSV row (these columns, in this order) or a JSON line."""

    id: ArticleId
    date: KnownDate | None
    date_precision: DatePrecision | None
    outlet: str
    title: str
    author: str | None
    url: str | None
    source_name: str | None
    ingested_at: Timestamp
    text: str

    @classmethod
    def of(cls, article: StoredArticle) -> ExportRow:
        return cls(
            **Listed.fields_of(article),
            author=article.author,
            source_name=article.source_name,
            ingested_at=article.ingested_at.isoformat(),
            text=article.text,
        )


# How many similar articles an article's page and /related show.
RELATED_HITS = 5


class Related(Shape):
    """The article's story versions, then articles with similar wording."""

    id: ArticleId
    hits: Annotated[
        list[Hit],
        Meta(
            max_length=RELATED_HITS,
            description="Versions first (oldest first), then by similarity; a hit's score "
            "is its similarity to the article (1.0: the article itself), at least "
            f"{RELATED_MIN_SIMILARITY} for all but versions",
        ),
    ]


class Version(Listed):
    """Another article of the same story (another outlet's print of the same text)."""

    @classmethod
    def of(cls, hit: FoundHit) -> Version:
        return cls(**cls.fields_of(hit))


class Versions(Shape):
    """The other versions of an article's story, oldest first (by date, then arrival)."""

    id: ArticleId
    story: Annotated[str, Meta(description="The story id: the id of its first article")]
    versions: list[Version]


class ShapeResponse(Response):
    """A JSON response whose content is one of the shapes above (or a list of them)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return msgspec.json.encode(content)
