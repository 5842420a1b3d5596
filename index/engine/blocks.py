"""Whoosh's W3 posting format, written and read by one implementation.

A term's postings in the ``.pst`` file are a 4-byte header followed by blocks
of at most ``blocklimit`` postings. Each block is ``int size`` (negative for
the last block), a pickled info tuple ``(count, last id, max weight,
compression, min length byte, max length byte)``, then the pickled, possibly
zlib-compressed data ``(ids, weights, values)`` in their "mini" forms: ids
delta-encoded (the first absolute), weights ``None`` when all are 1.0, one
float when all are equal, else a tuple; values a tuple of bytes, ``None`` for
a format without values, or one joined bytes object for fixed-size values.
This is the layout ``W3PostingsWriter._write_block`` writes and
``W3LeafMatcher`` reads; :func:`encode_postings` writes it (segments and
merges) and :func:`decode_blocks` reads it (numpy postings, positions and
merges), so the two cannot drift apart.

A term's entry in the terms table is ``W3TermInfo``'s struct followed by the
postings' offset and length (:func:`pack_term_info`, :func:`term_extent`).
"""

from __future__ import annotations

import io
import zlib
from array import array
from collections.abc import Iterator, Sequence
from itertools import accumulate
from operator import sub
from pickle import dumps, load, loads
from struct import Struct
from typing import Any, NamedTuple

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import pack_int
from whoosh.util.numeric import length_to_byte

__all__ = [
    "COMPRESS_FROM",
    "Block",
    "decode_blocks",
    "encode_postings",
    "pack_term_info",
    "term_extent",
]

# A block's pickled data is compressed only from this size on: below it zlib
# saves a few bytes at best and costs more than writing the whole block.
COMPRESS_FROM = 256
_NO_LENGTH = length_to_byte(None)  # PressCodec keeps no per-block length stats
_MAX_LENGTH = length_to_byte(0)
_TERM_STATS = W3TermInfo._struct
# W3TermInfo's struct followed by the postings' offset and length.
_TERM_INFO = Struct(_TERM_STATS.format + "qi")
_INT = Struct("!i")


class Block(NamedTuple):
    """One decoded block: absolute document numbers, and weights and values
    in the block's mini forms (see :meth:`weights_list`, :meth:`values_list`)."""

    ids: list[int]
    weights: Any
    values: Any

    def weights_list(self) -> Sequence[float]:
        """One weight per posting."""
        weights = self.weights
        if weights is None:
            return (1.0,) * len(self.ids)
        if isinstance(weights, float):
            return (weights,) * len(self.ids)
        return weights  # type: ignore[no-any-return]

    def values_list(self) -> Sequence[bytes]:
        """One value per posting (``b""`` for a format without values)."""
        values = self.values
        count = len(self.ids)
        if values is None:
            return (b"",) * count
        if isinstance(values, bytes):  # fixed-size values, joined
            step = len(values) // count
            return [values[i : i + step] for i in range(0, len(values), step)]
        return values  # type: ignore[no-any-return]


def encode_postings(
    docs: array[int],
    weights: array[Any],
    values: Any,
    fixed: int | None,
    compression: int,
    blocklimit: int,
) -> tuple[bytes, float]:
    """One term's postings (sorted by document) as the bytes of the postings
    file, and their highest weight."""
    count = len(docs)
    if count <= blocklimit:  # nearly every term of a segment
        block, maxweight = _block(docs, weights, values, fixed, compression, True)
        return WHOOSH3_HEADER_MAGIC + block, maxweight
    parts = [WHOOSH3_HEADER_MAGIC]
    maxweight = 0.0
    for first in range(0, count, blocklimit):
        last = min(first + blocklimit, count)
        block, blockmax = _block(
            docs[first:last],
            weights[first:last],
            values[first:last],
            fixed,
            compression,
            last == count,
        )
        parts.append(block)
        maxweight = max(maxweight, blockmax)
    return b"".join(parts), maxweight


def pack_term_info(
    weight: float, count: int, maxweight: float, first: int, last: int, offset: int, length: int
) -> bytes:
    """What ``W3TermInfo.to_bytes`` writes for postings that are not inlined."""
    return _TERM_INFO.pack(
        0, weight, count, _NO_LENGTH, _MAX_LENGTH, maxweight, first, last, offset, length
    )


def term_extent(valbytes: bytes) -> tuple[int, int]:
    """(offset, length) of a term's postings, from its entry in the terms table."""
    flags, *_, offset, length = _TERM_INFO.unpack(valbytes[: _TERM_INFO.size])
    if flags:
        # Whoosh 2.7.4 never inlines (its limit test is off by one) and nor do we.
        raise ValueError("postings inlined in the terms table are not supported")
    return offset, length


def _block(
    docs: array[int],
    weights: array[Any],
    values: Any,
    fixed: int | None,
    compression: int,
    last: bool,
) -> tuple[bytes, float]:
    """One block as ``W3PostingsWriter._write_block`` lays it out, and its
    highest weight."""
    ids = docs.tolist()
    if len(ids) == 1:
        mini_ids: tuple[int, ...] = (ids[0],)
    else:  # delta-encoded, the first id absolute
        mini_ids = (ids[0], *map(sub, ids[1:], ids))
    w0 = weights[0]
    if weights.count(w0) == len(weights):
        mini_weights: Any = None if w0 == 1.0 else w0
        maxweight = w0
    else:
        mini_weights = tuple(weights)
        maxweight = max(weights)
    if fixed is None or fixed < 0:
        mini_values: Any = tuple(values)
    elif fixed == 0:
        mini_values = None
    else:
        mini_values = b"".join(values)
    data = dumps((mini_ids, mini_weights, mini_values), 2)
    comp = compression if len(data) >= COMPRESS_FROM else 0
    if comp:
        data = zlib.compress(data, comp)
    info = dumps((len(ids), ids[-1], maxweight, comp, _NO_LENGTH, _MAX_LENGTH), 2)
    size = len(info) + len(data)
    return pack_int(-size if last else size) + info + data, maxweight


def decode_blocks(raw: bytes) -> Iterator[Block]:
    """Each block of one term's postings, as :func:`encode_postings` (or
    Whoosh's ``W3PostingsWriter``) wrote them."""
    stream = io.BytesIO(raw)
    if stream.read(len(WHOOSH3_HEADER_MAGIC)) != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not W3 postings (wrong block header)")
    last = False
    while not last:
        (size,) = _INT.unpack(stream.read(_INT.size))
        last = size < 0
        end = stream.tell() + abs(size)
        _count, _, _, comp, _, _ = load(stream)
        data = raw[stream.tell() : end]
        stream.seek(end)
        mini_ids, weights, values = loads(zlib.decompress(data) if comp else data)
        yield Block(list(accumulate(mini_ids)), weights, values)
