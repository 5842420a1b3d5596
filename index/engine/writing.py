"""Writing a segment: Whoosh's ``SegmentWriter`` with a faster posting path.

Profiling a bulk build (3,000 articles, one process) put 70% of the time in
Whoosh's posting machinery rather than in the German analysis: every posting
became a 5-tuple in one big list (with per-item size accounting), the list
was sorted as a whole, and each posting then passed through several Python
calls with type assertions on its way into a block.

:class:`TermPoolWriter` keeps Whoosh's segment files, codec and per-document
writer (lengths and columns) and changes only how postings travel:

* a :class:`~pressearchiv.index.pool.TermPool` files each posting under its
  field and term as it arrives (three appends to arrays), so only the
  distinct terms need sorting;
* :func:`write_postings` writes each term's blocks in the W3 posting format
  directly (:mod:`pressearchiv.index.engine.blocks`), and compresses a block
  only when it is big enough for zlib to pay: most terms occur in one or two
  articles of a segment;
* a merged segment's postings are taken a block at a time, straight from its
  terms and postings files.

The pool is in memory: a writer holds one batch (bulk: one segment);
merges of small segments add theirs.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping
from typing import Any

from whoosh.filedb.filetables import _lengths as _RECORD_HEADER
from whoosh.index import Index
from whoosh.system import pack_ushort
from whoosh.writing import SegmentWriter, UnknownFieldError

from pressearchiv.index.engine.blocks import (
    decode_blocks,
    encode_postings,
    pack_term_info,
    term_extent,
)
from pressearchiv.index.pool import Postings, TermPool, positional_postings, widened

__all__ = ["PositionalField", "TermPoolWriter", "write_postings"]

# A positional field: its boost, and the analyzer's ``term_positions`` (text →
# {term: [positions]}). Its postings are stored as FastPositions stores them:
# weight = boost × frequency, value = the positions packed as uint32.
PositionalField = tuple[float, Callable[[str], dict[str, list[int]]]]
# Encoded postings held before they are written (write_postings).
_FLUSH_BYTES = 1 << 20


class TermPoolWriter(SegmentWriter):
    """A Whoosh ``SegmentWriter`` whose postings go through a :class:`TermPool`.

    Fields named by :meth:`positional_fields` are stored as packed positions;
    ``locked=False`` writes a segment without taking the index's write lock (a
    bulk worker, whose parent commits). Not supported, because this schema has
    none: term vectors, separate spelling fields and per-document or per-field
    boosts.
    """

    def __init__(self, ix: Index, *, codec: Any, locked: bool = True, **kwargs: Any) -> None:
        kwargs.pop("limitmb", None)  # the pool does not spill
        super().__init__(ix, codec=codec, _lk=locked, **kwargs)
        try:
            for name, field in self.schema.items():
                if field.vector or field.separate_spelling():
                    raise ValueError(f"field {name!r}: vectors and spelling fields are unsupported")
            positional = self.positional_fields()
        except BaseException:
            self.cancel()  # release the lock and the new segment's files
            raise
        self._positions_of = {name: of for name, (_, of) in positional.items()}
        self.pool = TermPool({name: boost for name, (boost, _) in positional.items()})

    def positional_fields(self) -> Mapping[str, PositionalField]:
        """The fields of ``self.schema`` stored as packed positions (none here)."""
        return {}

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
        terms = reader._terms  # a W3TermsReader: every segment of a W3 codec has one
        postfile = terms._postfile
        for keybytes, valbytes in terms._tindex.items():
            fieldname, tbytes = terms._keydecoder(keybytes)
            if fieldname not in self.schema:
                continue
            offset, length = term_extent(valbytes)
            for block in decode_blocks(postfile.get(offset, length)):
                pool.add_block(
                    fieldname,
                    tbytes,
                    block.ids,
                    block.weights_list(),
                    block.values_list(),
                    startdoc,
                    docmap,
                )

    def finish_segment(self) -> Any:
        """Write this writer's segment and return it, without committing it to
        the index (a bulk worker's segment, listed later by its parent)."""
        return self._finalize_segment()

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        write_postings(self.fieldwriter, self.schema, self.pool, self.codec)
        self.fieldwriter.close()


def write_postings(fieldwriter: Any, schema: Any, pool: TermPool, codec: Any) -> None:
    """Write every term of ``pool`` through a W3 field writer, in term order,
    taking each out of the pool as it goes (the pool is empty afterwards)."""
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
        written = 0  # bytes in chunks
        # Each term leaves the pool as it is written, and what is encoded goes
        # to the files a megabyte at a time: the segment is never held twice.
        for tbytes in sorted(terms):
            if boost is not None:
                (docs, weights, values), in_order = positional_postings(terms.pop(tbytes), boost)
            else:
                postings = terms.pop(tbytes)
                if type(postings) is array:
                    postings = widened(postings)
                docs, weights, values = postings
                in_order = (fieldname, tbytes) not in pool.unsorted
            if not in_order:
                docs, weights, values = _sorted_postings(docs, weights, values)
            chunk, maxweight = encode_postings(
                docs, weights, values, fixed, compression, blocklimit
            )
            chunks.append(chunk)
            info = pack_term_info(
                sum(weights), len(docs), maxweight, docs[0], docs[-1], offset, len(chunk)
            )
            rows.append((prefix + tbytes, info))
            offset += len(chunk)
            written += len(chunk)
            if written >= _FLUSH_BYTES:
                _flush(postfile, chunks, fieldwriter._tindex, rows)
                written = 0
        _flush(postfile, chunks, fieldwriter._tindex, rows)
        fieldwriter.finish_field()


def _flush(postfile: Any, chunks: list[bytes], table: Any, rows: list[tuple[bytes, bytes]]) -> None:
    """Write the postings encoded so far and their terms' rows; empty both lists."""
    postfile.write(b"".join(chunks))
    _add_terms(table, rows)
    chunks.clear()
    rows.clear()


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
        record = _RECORD_HEADER.pack(len(key), len(value)) + key + value
        records.append(record)
        pos += len(record)
    dbfile.write(b"".join(records))
    table.lastkey = rows[-1][0]


def _sorted_postings(docs: array[int], weights: array[Any], values: Any) -> Postings:
    order = sorted(range(len(docs)), key=docs.__getitem__)
    return (
        array("I", (docs[i] for i in order)),
        array("f", (weights[i] for i in order)),
        [values[i] for i in order],
    )
