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
"""

from __future__ import annotations

from typing import Any

from whoosh.reading import SegmentReader

__all__ = ["LARGEST_MERGED", "MERGE_FACTOR", "merge_tiers"]

MERGE_FACTOR = 8
LARGEST_MERGED = 1_000


def _tier(documents: int) -> int:
    return len(str(max(documents, 1)))  # 1–9 → 1, 10–99 → 2, …


def merge_tiers(writer: Any, segments: list[Any]) -> list[Any]:
    """A Whoosh merge policy (``writer.commit(mergetype=merge_tiers)``): adds
    the merged segments' documents to ``writer`` and returns the segments kept."""
    keep = []
    tiers: dict[int, list[Any]] = {}
    # The segment this commit writes counts in its tier too: what is merged
    # goes into it.
    adding = writer.doc_count()
    new_tier = _tier(adding) if adding else None
    for segment in segments:
        if segment.doc_count() == 0:
            continue  # every document deleted: nothing to keep or merge
        if segment.doc_count_all() >= LARGEST_MERGED:
            keep.append(segment)
        else:
            tiers.setdefault(_tier(segment.doc_count_all()), []).append(segment)
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
