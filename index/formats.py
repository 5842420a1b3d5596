"""How postings are stored: a leaner positions format, codec and segment for Whoosh.

Profiling a rebuild showed most of the time in per-token Python: Whoosh's
``Positions`` format collects positions from Token objects and pickles one
list per term and document, and its posting writer looks up every posting's
document length to keep block statistics that only Whoosh's own scorer reads.

* :class:`FastPositions` takes all of a text's term positions from the
  German analyzer in one pass and stores them as a packed array of unsigned
  32-bit integers (``decode_positions`` is then one C call).
* :class:`PressCodec` is Whoosh's W3 codec without those length statistics:
  relevance is computed by :mod:`pressearchiv.index.scoring` from the per-document length
  column, which the codec still writes.
* :class:`PressSegment` opens its compound file as Whoosh does (one
  read-only mmap) but reads it through shared per-thread views
  (:class:`~pressearchiv.index.engine.SharedCompoundStorage`).

All three are named in the pickled schema and segments of every index, as
``pressearchiv.index.formats.<name>``: moving or renaming them makes existing
indexes unreadable (they are then rebuilt), and changing what they write
means bumping :data:`pressearchiv.index.analysis.ANALYZER_VERSION`.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3Segment
from whoosh.formats import Positions

from pressearchiv.index.engine import SharedCompoundStorage

__all__ = ["FastPositions", "PressCodec", "PressSegment"]

_ITEM = array("I").itemsize  # 4 on every platform CPython supports


class FastPositions(Positions):
    """Positions stored as a packed ``array('I')`` of absolute positions.

    Only for fields analysed by the German analyzer, whose ``term_positions``
    yields every term's positions at once (the schema builds no others).
    """

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        boost = self.field_boost
        for word, positions in analyzer.term_positions(value).items():
            yield word, len(positions), boost * len(positions), array("I", positions).tobytes()

    def encode(self, poslist: list[int]) -> bytes:
        return array("I", poslist).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        positions = array("I")
        positions.frombytes(valuestring)
        return positions.tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring) // _ITEM

    def decode_weight(self, valuestring: bytes) -> float:
        return float(self.decode_frequency(valuestring) * self.field_boost)


class PressCodec(W3Codec):
    """W3 without per-posting length statistics, with :class:`PressSegment`."""

    length_stats = False

    def new_segment(self, storage: Any, indexname: str) -> PressSegment:
        return PressSegment(self, indexname)


class PressSegment(W3Segment):
    """A W3 segment whose compound file is read through shared views."""

    def open_compound_file(self, storage: Any) -> SharedCompoundStorage:
        dbfile = storage.open_file(self.make_filename(self.COMPOUND_EXT))
        return SharedCompoundStorage(dbfile, use_mmap=storage.supports_mmap)
