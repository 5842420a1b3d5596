"""How postings are written: a leaner positions format and codec for Whoosh.

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
  read-only mmap) but hands out :class:`SharedBufferFile` views of it.
  Whoosh's own ``BufferFile`` copies every sub-file into a ``BytesIO`` —
  the whole posting list of a segment each time a searcher is opened after a
  commit (161 ms at 20,000 articles) — and one shared ``BytesIO`` position
  is then used by every thread that reads postings (seek, then read).
  A ``SharedBufferFile`` copies nothing and keeps one position per thread.

All of them are named in the pickled schema and segments, so changing them
means bumping :data:`pressearchiv.index.analysis.ANALYZER_VERSION` (which rebuilds old
indexes).
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterator
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3Segment
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.formats import Positions

__all__ = ["FastPositions", "PressCodec", "PressSegment", "SharedBufferFile"]

_ITEM = array("I").itemsize  # 4 on every platform CPython supports


class FastPositions(Positions):
    """Positions stored as a packed ``array('I')`` of absolute positions."""

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
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
        return float(self.decode_frequency(valuestring) * self.field_boost)


class PressCodec(W3Codec):
    """W3 without per-posting length statistics, with :class:`PressSegment`."""

    length_stats = False

    def new_segment(self, storage: Any, indexname: str) -> PressSegment:
        return PressSegment(self, indexname)


class PressSegment(W3Segment):
    """A W3 segment whose compound file is read through shared views."""

    def open_compound_file(self, storage: Any) -> CompoundStorage:
        dbfile = storage.open_file(self.make_filename(self.COMPOUND_EXT))
        return _SharedCompoundStorage(dbfile, use_mmap=storage.supports_mmap)


class _SharedCompoundStorage(CompoundStorage):
    def open_file(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self._source is None or self.is_closed:  # no mmap: Whoosh's own way
            return super().open_file(name, *args, **kwargs)
        offset, length = self.range(name)
        return SharedBufferFile(memoryview(self._source)[offset : offset + length], name=name)


class SharedBufferFile(BufferFile):
    """A read-only Whoosh file over a buffer: no copy, one position per thread."""

    def __init__(self, buf: memoryview, name: str | None = None, onclose: Any = None) -> None:
        # BufferFile.__init__ would copy ``buf`` into a BytesIO.
        self._buf = buf
        self._name = name
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False
        self.file = _Cursor(buf)

    def subset(self, position: int, length: int, name: str | None = None) -> SharedBufferFile:
        return SharedBufferFile(self._buf[position : position + length], name=name or self._name)


class _Cursor:
    """The file-like part: ``read``/``seek``/``tell`` over a buffer, with the
    position kept per thread, so searches in parallel cannot move each
    other's position between a seek and a read."""

    def __init__(self, buf: memoryview) -> None:
        self._buf = buf
        self._size = len(buf)
        self._local = threading.local()

    def tell(self) -> int:
        return getattr(self._local, "pos", 0)

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 1:
            offset += self.tell()
        elif whence == 2:
            offset += self._size
        self._local.pos = offset
        return offset

    def read(self, size: int | None = -1) -> bytes:
        start = self.tell()
        end = self._size if size is None or size < 0 else min(start + size, self._size)
        self._local.pos = max(end, start)
        return bytes(self._buf[start:end])

    def readinto(self, target: Any) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        start = self.tell()
        end = self._size if size is None or size < 0 else min(start + size, self._size)
        at = start
        while at < end:  # look for the newline a page at a time
            found = bytes(self._buf[at : min(at + 4096, end)]).find(b"\n")
            if found >= 0:
                return self.read(at + found + 1 - start)
            at += 4096
        return self.read(end - start)

    def close(self) -> None:
        pass
