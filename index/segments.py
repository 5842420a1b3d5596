"""Writing segments of this schema: the engine's writer with our codec and fields.

:class:`SegmentBuilder` is :class:`~pressearchiv.index.engine.TermPoolWriter`
(Whoosh's segment writer with a faster posting path) set up for this index:
the :class:`~pressearchiv.index.formats.PressCodec` at zlib level 1, and every
:class:`~pressearchiv.index.formats.FastPositions` field taking its terms and
positions from the German analyzer in one call.

``tests/index/test_segments.py`` checks that a segment written this way reads
back, through Whoosh, exactly like one written by Whoosh's ``SegmentWriter``.

A commit merges as Whoosh's ``commit()`` does unless given a policy: the
service's writer passes ``mergetype=``:class:`~pressearchiv.index.merging.TierMerge`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from whoosh.index import Index

from pressearchiv.archive.model import Article
from pressearchiv.index.analysis import GermanAnalyzer
from pressearchiv.index.engine import PositionalField, TermPoolWriter
from pressearchiv.index.formats import FastPositions, PressCodec
from pressearchiv.index.parts import CompoundPartsAnalyzer
from pressearchiv.index.schema import analyzer_of, document_for

__all__ = ["COMPRESSION", "SegmentBuilder"]

# zlib level 1 packs these blocks within 1% of level 3 (Whoosh's default) in
# two thirds of the time; the level is not part of the format.
COMPRESSION = 1


class SegmentBuilder(TermPoolWriter):
    """A segment writer for this schema; takes what ``SegmentWriter`` takes
    (``ix.writer(**kwargs)`` becomes ``SegmentBuilder(ix, **kwargs)``) and
    ``locked=False`` (see :class:`~pressearchiv.index.engine.TermPoolWriter`)."""

    def __init__(self, ix: Index, **kwargs: Any) -> None:
        kwargs.setdefault("codec", PressCodec(compression=COMPRESSION))
        super().__init__(ix, **kwargs)

    def positional_fields(self) -> dict[str, PositionalField]:
        """The FastPositions fields, each with its analyzer's ``term_positions``
        (the German analyzer's, or the compound parts' built on it)."""
        found: dict[str, PositionalField] = {}
        for name, field in self.schema.items():
            if isinstance(field.format, FastPositions):
                if not isinstance(field.analyzer, GermanAnalyzer | CompoundPartsAnalyzer):
                    raise ValueError(f"field {name!r}: FastPositions needs one of our analyzers")
                found[name] = (field.format.field_boost, field.analyzer.term_positions)
        return found

    def add_articles(self, articles: Iterable[Article]) -> int:
        """Add articles as index documents; returns how many."""
        analyzer = analyzer_of(self.schema)
        count = 0
        add = self.add_document
        for article in articles:
            add(**document_for(article, analyzer))
            count += 1
        return count
