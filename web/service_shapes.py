"""The JSON shapes of the service's own state: statistics and liveness.

Like the search and article shapes in :mod:`pressearchiv.web.shapes` (whose
conventions they follow), they are msgspec models from which the OpenAPI
components are generated.
"""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from pressearchiv.archive.store import StoreStats
from pressearchiv.index import IndexStatus as FoundIndexStatus
from pressearchiv.web.shapes import Shape

__all__ = ["Count", "Health", "IndexStatus", "Stats"]


class Count(Shape):
    value: str
    count: int


def _counts(counts: dict[str, int]) -> list[Count]:
    return [Count(value=k, count=v) for k, v in counts.items()]


class IndexStatus(Shape):
    """Whether the index is in step with the archive."""

    store_count: int
    index_count: int
    in_step: bool
    pending: Annotated[int, Meta(description="Articles stored but not yet searchable")]


class Stats(Shape):
    """Articles per outlet and per year (``undated`` for those without a date)."""

    total: int
    by_outlet: list[Count]
    by_year: list[Count]
    index: IndexStatus

    @classmethod
    def of(cls, stored: StoreStats, status: FoundIndexStatus) -> Stats:
        return cls(
            total=stored.total,
            by_outlet=_counts(stored.by_outlet),
            by_year=_counts(stored.by_year),
            index=IndexStatus(
                store_count=status.store_count,
                index_count=status.index_count,
                in_step=status.in_step,
                pending=status.pending,
            ),
        )


class Health(Shape):
    status: Literal["ok"]
    articles: int
