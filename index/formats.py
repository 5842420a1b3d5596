"""How postings are written: a leaner positions format and codec for Whoosh.

Profiling a rebuild showed most of the time in per-token Python: Whoosh's
``Positions`` format collects positions from Token objects and pickles one
list per term and document, and its posting writer looks up every posting's
document length to keep block statistics that only Whoosh's own scorer reads.

* :class:`FastPositions` takes all of a text's term positions from the
  German analyzer in one pass and stores them as a packed array of unsigned
  32-bit integers (``decode_positions`` is then one C call).
* :class:`PressCodec` is Whoosh's W3 codec without those length statistics:
  relevance is computed by :mod:`index.scoring` from the per-document length
  column, which the codec still writes.

Both are named in the pickled schema and segments, so changing them means
bumping :data:`index.analysis.ANALYZER_VERSION` (which rebuilds old indexes).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

from whoosh.codec.whoosh3 import W3Codec
from whoosh.formats import Positions

__all__ = ["FastPositions", "PressCodec"]

_ITEM = array("I").itemsize  # 4 on every platform CPython supports


class FastPositions(Positions):
    """Positions stored as a packed ``array('I')`` of absolute positions."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[
        tuple[str, int, float, bytes]
    ]:
        positions_of = getattr(analyzer, "term_positions", None)
        if positions_of is None or kwargs.get("mode") == "query":
            # Not our analyzer (or a query): Whoosh's token-by-token path.
            poses: dict[str, list[int]] = {}
            kwargs["positions"] = True
            for token in analyzer(value, **kwargs):
                poses.setdefault(token.text, []).append(token.pos)
        else:
            poses = positions_of(value)
        boost = self.field_boost
        for word, positions in poses.items():
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
        return self.decode_frequency(valuestring) * self.field_boost


class PressCodec(W3Codec):
    """W3 without per-posting length statistics (see the module docstring)."""

    length_stats = False
