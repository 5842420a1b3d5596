"""Which segments a commit merges: small ones, tier by tier, never big ones.

Each upload becomes a segment of its own, so segments must be merged as they
accumulate. Whoosh's default policy (``MERGE_SMALL``) compares the running
total of the smallest segments with a Fibonacci number of their count; with
the twenty 5,000-article segments of a 100,000-article bulk build, the first
upload after it pushed the count to 21 and merged the *whole* index in that
commit, several minutes during which nothing new became searchable.

:func:`merge_tiers` sorts segments into tiers by size (1–9 documents, 10–99,
100–999) and merges a tier once it holds :data:`MERGE_FACTOR` segments, the
one being committed included; the result moves up a tier. Segments of
:data:`LARGEST_MERGED` documents or more (bulk segments and large catch-up
batches) are never merged here, so a commit merges at most a few thousand
documents. Segments whose documents were all
deleted are dropped.

The service's writer commits new articles without merging, publishes them,
and only then runs a merge commit when :func:`merge_due` says a tier is full:
the upload that fills a tier does not wait for the merge (one that arrives
during it does).
"""

from __future__ import annotations

from typing import Any

from whoosh.reading import SegmentReader

__all__ = ["LARGEST_MERGED", "MERGE_FACTOR", "merge_due", "merge_tiers"]

MERGE_FACTOR = 8
LARGEST_MERGED = 1_000


def _tier(documents: int) -> int:
    return len(str(max(documents, 1)))  # 1–9 → 1, 10–99 → 2, …


def _sort(segments: list[Any]) -> tuple[list[Any], dict[int, list[Any]]]:
    """(big segments, small ones by tier); segments with no live document dropped."""
    big: list[Any] = []
    tiers: dict[int, list[Any]] = {}
    for segment in segments:
        if segment.doc_count() == 0:
            continue  # every document deleted: nothing to keep or merge
        if segment.doc_count_all() >= LARGEST_MERGED:
            big.append(segment)
        else:
            tiers.setdefault(_tier(segment.doc_count_all()), []).append(segment)
    return big, tiers


def merge_due(segments: list[Any]) -> bool:
    """Whether a commit without new documents would merge or drop anything."""
    big, tiers = _sort(segments)
    kept = len(big) + sum(len(group) for group in tiers.values())
    return kept < len(segments) or any(len(g) >= MERGE_FACTOR for g in tiers.values())


def merge_tiers(writer: Any, segments: list[Any]) -> list[Any]:
    """A Whoosh merge policy (``writer.commit(mergetype=merge_tiers)``): adds
    the merged segments' documents to ``writer`` and returns the segments kept."""
    keep, tiers = _sort(segments)
    # The segment this commit writes counts in its tier too: what is merged
    # goes into it.
    adding = writer.doc_count()
    new_tier = _tier(adding) if adding else None
    for tier in sorted(tiers):
        group = tiers[tier]
        if len(group) + (tier == new_tier) < MERGE_FACTOR:
            keep.extend(group)
            continue
        for segment in group:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            try:
                writer.add_reader(reader)
            finally:
                reader.close()
    return keep
