"""Writing a segment: Whoosh's writer with a faster posting path.

Profiling a bulk build (3,000 articles, one process) put 70% of the time in
Whoosh's posting machinery rather than in the German analysis: every posting
became a 5-tuple in one big list (with per-item size accounting), the list
was sorted as a whole, and each posting then passed through several Python
calls with type assertions on its way into a block.

:class:`SegmentBuilder` keeps Whoosh's segment files, codec and per-document
writer (lengths and columns) and changes only how postings travel:

* :class:`~pressearchiv.index.pool.TermPool` files each posting under its field and term as it
  arrives (three appends to arrays), so only the distinct terms need sorting;
* :func:`write_postings` writes each term's blocks in the W3 posting format
  directly (the layout ``W3PostingsWriter`` writes, read back by Whoosh's own
  ``W3LeafMatcher``), and compresses a block only when it is big enough for
  zlib to pay: most terms occur in one or two articles of a segment.

``tests/index/test_segments.py`` checks that a segment written this way reads
back, through Whoosh, exactly like one written by Whoosh's ``SegmentWriter``.
The pool is in memory: a writer holds one batch (bulk: one segment of
:data:`pressearchiv.index.bulk.SEGMENT_ARTICLES`); merges of small segments add theirs.
"""

from __future__ import annotations

import io
import zlib
from array import array
from collections.abc import Iterator
from itertools import accumulate, pairwise
from operator import sub
from pickle import dumps, load, loads
from struct import Struct
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.filetables import _lengths as _LENGTHS
from whoosh.index import Index
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter, UnknownFieldError

from pressearchiv.index.formats import FastPositions, PressCodec
from pressearchiv.index.merging import merge_tiers
from pressearchiv.index.pool import ITEM_SIZE, Postings, TermPool

__all__ = ["SegmentBuilder", "write_postings"]

# A block's pickled data is compressed only from this size on: below it zlib
# saves a few bytes at best and costs more than writing the whole block.
COMPRESS_FROM = 256
# zlib level 1 packs these blocks within 1% of level 3 (Whoosh's default) in
# two thirds of the time; the level is not part of the format.
COMPRESSION = 1
_NO_LENGTH = length_to_byte(None)  # PressCodec keeps no per-block length stats
_MAX_LENGTH = length_to_byte(0)
# W3TermInfo's struct followed by the postings' offset and length.
_TERM_INFO = Struct(W3TermInfo._struct.format + "qi")
_INT = Struct("!i")


class SegmentBuilder(SegmentWriter):
    """A Whoosh ``SegmentWriter`` whose postings go through a :class:`TermPool`.

    It takes what ``SegmentWriter`` takes (``ix.writer(**kwargs)`` becomes
    ``SegmentBuilder(ix, **kwargs)``). Not supported, because this schema
    has none: term vectors, separate spelling fields and per-document or
    per-field boosts (``_boost`` keys).
    """

    def __init__(self, ix: Index, **kwargs: Any) -> None:
        kwargs.pop("limitmb", None)  # the pool does not spill
        kwargs.setdefault("codec", PressCodec(compression=COMPRESSION))
        super().__init__(ix, **kwargs)
        # Positional fields: terms and positions come from the analyzer in one call.
        self._positions_of: dict[str, Any] = {}
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r}: vectors and spelling fields are not supported")
            if isinstance(field.format, FastPositions):
                if not hasattr(field.analyzer, "term_positions"):
                    raise ValueError(f"field {name!r}: FastPositions needs the German analyzer")
                self._positions_of[name] = field.analyzer.term_positions
        positional = {name: self.schema[name].format.field_boost for name in self._positions_of}
        self.pool = TermPool(positional)

    def add_document(self, **fields: Any) -> None:
        """Add one document, as Whoosh's ``add_document`` does for this schema."""
        self._check_state()
        schema = self.schema
        pool: TermPool = self.pool
        perdoc = self.perdocwriter
        docnum = self.docnum
        for name in fields:
            if name not in schema:
                raise UnknownFieldError(f"No field named {name!r} in {schema}")
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            positions_of = self._positions_of.get(name)
            if positions_of is not None:
                length = pool.add_positions(name, docnum, positions_of(value))
            elif field.indexed:
                length = pool.add_postings(name, docnum, field.index(value))
                if not field.scorable:
                    length = 0
            perdoc.add_field(name, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdoc.add_column_value(name, column, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def add_postings_to_pool(
        self, reader: Any, startdoc: int, docmap: dict[int, int] | None
    ) -> None:
        """Take a merged segment's postings a block at a time, straight from
        its terms and postings files (Whoosh's version opens a matcher per term
        and yields postings one by one); ``docmap`` renumbers, and leaves out
        deleted documents, when the segment has deletions."""
        pool: TermPool = self.pool
        terms: Any = getattr(reader, "_terms", None)
        if not hasattr(terms, "_tindex") or not hasattr(terms, "_postfile"):
            super().add_postings_to_pool(reader, startdoc, docmap)  # not a W3 segment
            return
        postfile = terms._postfile
        for keybytes, valbytes in terms._tindex.items():
            fieldname, tbytes = terms._keydecoder(keybytes)
            if fieldname not in self.schema:
                continue
            flags, *_, offset, length = _TERM_INFO.unpack(valbytes[: _TERM_INFO.size])
            if flags:  # postings inlined in the term info (Whoosh never does this)
                ids, weights, values = loads(valbytes[W3TermInfo._struct.size :])
                pool.add_block(fieldname, tbytes, ids, weights, values, startdoc, docmap)
                continue
            for ids, weights, values in _read_blocks(postfile.get(offset, length)):
                pool.add_block(fieldname, tbytes, ids, weights, values, startdoc, docmap)

    def _merge_segments(self, mergetype: Any, optimize: Any, merge: Any) -> list[Any]:
        # A plain commit() merges by size tiers instead of Whoosh's MERGE_SMALL
        # (see index.merging); merge=False and optimize=True keep their meaning.
        if mergetype is None and not optimize and (self.merge if merge is None else merge):
            mergetype = merge_tiers
        return super()._merge_segments(mergetype, optimize, merge)  # type: ignore[no-any-return]

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        write_postings(self.fieldwriter, self.schema, self.pool, self.codec)
        self.fieldwriter.close()


def write_postings(fieldwriter: Any, schema: Any, pool: TermPool, codec: Any) -> None:
    """Write every term of ``pool`` through a W3 field writer, in term order."""
    blocklimit = codec._blocklimit
    compression = codec._compression
    for fieldname in sorted(pool.fields):
        terms = pool.fields[fieldname]
        if not terms:
            continue
        field = schema[fieldname]
        fieldwriter.start_field(fieldname, field)
        boost = pool.positional.get(fieldname)
        fixed = field.format.fixed_value_size()
        prefix = pack_ushort(fieldwriter._fieldid)
        postfile = fieldwriter._postfile
        offset = postfile.tell()
        chunks: list[bytes] = []
        rows: list[tuple[bytes, bytes]] = []
        for tbytes in sorted(terms):
            docs, second, third = terms[tbytes]
            if boost is not None:
                weights = array("f", [boost * f for f in second])
                values = _split_positions(second, third)
            else:
                weights, values = second, third
            if (fieldname, tbytes) in pool.unsorted:
                docs, weights, values = _sorted_postings(docs, weights, values)
            count = len(docs)
            if count <= blocklimit:  # nearly every term of a segment
                block, maxweight = _block(docs, weights, values, fixed, compression, True)
                chunk = WHOOSH3_HEADER_MAGIC + block
            else:
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
                chunk = b"".join(parts)
            chunks.append(chunk)
            # What W3TermInfo.to_bytes writes for a term that is not inlined.
            rows.append(
                (
                    prefix + tbytes,
                    _TERM_INFO.pack(
                        0,
                        sum(weights),
                        count,
                        _NO_LENGTH,
                        _MAX_LENGTH,
                        maxweight,
                        docs[0],
                        docs[-1],
                        offset,
                        len(chunk),
                    ),
                )
            )
            offset += len(chunk)
        postfile.write(b"".join(chunks))
        _add_terms(fieldwriter._tindex, rows)
        fieldwriter.finish_field()


def _split_positions(freqs: array[int], positions: array[int]) -> list[bytes]:
    """Each posting's packed positions (FastPositions' value)."""
    packed = positions.tobytes()
    if len(freqs) == 1:
        return [packed]
    ends = accumulate((f * ITEM_SIZE for f in freqs), initial=0)
    return [packed[start:end] for start, end in pairwise(ends)]


def _add_terms(table: Any, rows: list[tuple[bytes, bytes]]) -> None:
    """``OrderedHashWriter.add`` for many rows in order, with one write."""
    if not rows:
        return
    if rows[0][0] <= table.lastkey:
        raise ValueError("terms must be added in order")
    dbfile = table.dbfile
    hashfn = table.hashfn
    buckets = table.buckets
    positions = table.index
    pos = dbfile.tell()
    records = []
    for key, value in rows:
        positions.append(pos)
        h = hashfn(key)
        buckets[h & 255].append((h, pos))
        record = _LENGTHS.pack(len(key), len(value)) + key + value
        records.append(record)
        pos += len(record)
    dbfile.write(b"".join(records))
    table.lastkey = rows[-1][0]


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


def _read_blocks(raw: bytes) -> Iterator[tuple[list[int], Any, Any]]:
    """(ids, weights, values) of each block of one term's postings, as
    :func:`_block` (or ``W3PostingsWriter``) wrote them."""
    stream = io.BytesIO(raw)
    stream.seek(len(WHOOSH3_HEADER_MAGIC))
    last = False
    while not last:
        (size,) = _INT.unpack(stream.read(_INT.size))
        last = size < 0
        end = stream.tell() + abs(size)
        count, _, _, comp, _, _ = load(stream)
        data = raw[stream.tell() : end]
        stream.seek(end)
        mini_ids, mini_weights, values = loads(zlib.decompress(data) if comp else data)
        if mini_weights is None:
            mini_weights = (1.0,) * count
        elif isinstance(mini_weights, float):
            mini_weights = (mini_weights,) * count
        if values is None:
            values = (b"",) * count
        elif isinstance(values, bytes):  # fixed-size values, joined
            step = len(values) // count
            values = [values[i : i + step] for i in range(0, len(values), step)]
        yield list(accumulate(mini_ids)), mini_weights, values


def _sorted_postings(docs: array[int], weights: array[Any], values: Any) -> Postings:
    order = sorted(range(len(docs)), key=docs.__getitem__)
    return (
        array("I", (docs[i] for i in order)),
        array("f", (weights[i] for i in order)),
        [values[i] for i in order],
    )
