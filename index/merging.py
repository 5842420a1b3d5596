"""Which segments a commit merges: small ones, tier by tier, never big ones.

Each upload becomes a segment of its own, so segments must be merged as they
accumulate. Whoosh's default policy (``MERGE_SMALL``) compares the running
total of the smallest segments with a Fibonacci number of their count; with
the twenty 5,000-article segments of a 100,000-article bulk build, the first
upload after it pushed the count to 21 and merged the *whole* index in that
commit, several minutes during which nothing new became searchable.

:class:`TierMerge` sorts segments into tiers by size (1–9 documents, 10–99,
100–999) and merges a tier once it holds ``factor`` segments, the one being
committed included; the result moves up a tier. Segments of ``largest``
documents or more (bulk segments and large catch-up batches) are never merged
here, so a commit merges at most a few thousand documents. Segments whose
documents were all deleted are dropped. It is a Whoosh merge policy, given to
a commit as ``writer.commit(mergetype=TierMerge(...))``.

The service's writer commits new articles without merging, publishes them,
and only then runs a merge commit when :meth:`TierMerge.due` says a tier is
full: the upload that fills a tier does not wait for the merge (one that
arrives during it does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from whoosh.index import TOC, Index
from whoosh.reading import SegmentReader

from pressearchiv.index.options import IndexOptions

__all__ = ["TierMerge", "committed_segments"]


def committed_segments(ix: Index) -> list[Any]:
    """The segments listed by the index's latest commit."""
    return TOC.read(ix.storage, ix.indexname).segments  # type: ignore[no-any-return]


def _tier(documents: int) -> int:
    return len(str(max(documents, 1)))  # 1–9 → 1, 10–99 → 2, …


@dataclass(frozen=True)
class TierMerge:
    """Merge small segments by size tier (see the module docstring)."""

    factor: int  # a tier merges once it holds this many segments
    largest: int  # segments of this many documents or more are never merged

    @classmethod
    def of(cls, options: IndexOptions) -> TierMerge:
        """The policy with the options' ``merge_factor`` and ``largest_merged``."""
        return cls(options.merge_factor, options.largest_merged)

    def _sort(self, segments: list[Any]) -> tuple[list[Any], dict[int, list[Any]]]:
        """(big segments, small ones by tier); segments with no live document dropped."""
        big: list[Any] = []
        tiers: dict[int, list[Any]] = {}
        for segment in segments:
            if segment.doc_count() == 0:
                continue  # every document deleted: nothing to keep or merge
            if segment.doc_count_all() >= self.largest:
                big.append(segment)
            else:
                tiers.setdefault(_tier(segment.doc_count_all()), []).append(segment)
        return big, tiers

    def due(self, segments: list[Any]) -> bool:
        """Whether a commit without new documents would merge or drop anything."""
        big, tiers = self._sort(segments)
        kept = len(big) + sum(len(group) for group in tiers.values())
        return kept < len(segments) or any(len(g) >= self.factor for g in tiers.values())

    def __call__(self, writer: Any, segments: list[Any]) -> list[Any]:
        """The policy: adds the merged segments' documents to ``writer`` and
        returns the segments kept."""
        keep, tiers = self._sort(segments)
        # The segment this commit writes counts in its tier too: what is merged
        # goes into it.
        adding = writer.doc_count()
        new_tier = _tier(adding) if adding else None
        for tier in sorted(tiers):
            group = tiers[tier]
            if len(group) + (tier == new_tier) < self.factor:
                keep.extend(group)
                continue
            for segment in group:
                reader = SegmentReader(writer.storage, writer.schema, segment)
                try:
                    writer.add_reader(reader)
                finally:
                    reader.close()
        return keep
