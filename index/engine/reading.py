"""Reading a segment into numpy: postings, positions, field lengths, columns.

Whoosh hands these out one value per Python call (a matcher's ``id()`` and
``next()``, a column reader's ``__getitem__``). A committed segment never
changes, so each is read here in one pass over its bytes instead: a term's
postings with one read of its extent in the postings file, decoded block by
block (:func:`~pressearchiv.index.engine.blocks.decode_blocks`), a fixed-width
column with one read and one ``frombuffer``.

Each function takes a leaf reader of a searcher (a ``SegmentReader``; an
empty index's ``EmptyReader`` has no documents and no terms). Deleted
documents are included: callers apply their own live mask.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any, NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import NumericColumn
from whoosh.util.numeric import byte_to_length

from pressearchiv.index.engine.blocks import decode_blocks, term_extent
from pressearchiv.index.engine.sharedfile import SharedCompoundStorage

__all__ = [
    "FieldPostings",
    "postings_file",
    "read_field_postings",
    "read_lengths",
    "read_numeric_column",
    "read_positions",
    "read_postings",
]

_EMPTY_IDS = np.zeros(0, dtype=np.int32)
_EMPTY_TF = np.zeros(0, dtype=np.float32)
_EMPTY_KEYS = np.zeros(0, dtype=np.int64)
_ITEM = np.dtype(np.uint32).itemsize  # FastPositions packs positions as uint32


def read_postings(reader: Any, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers (int32) and weights (float32) of one term's postings."""
    raw = _term_bytes(reader, fieldname, text)
    if raw is None:
        return _EMPTY_IDS, _EMPTY_TF
    ids: list[int] = []
    weights: list[float] = []
    for block in decode_blocks(raw):
        ids.extend(block.ids)
        weights.extend(block.weights_list())
    return np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32)


def read_positions(reader: Any, fieldname: str, text: str) -> np.ndarray:
    """Sorted int64 keys ``docnum << 32 | position`` of every occurrence of a
    term in a field stored with FastPositions (each value is the posting's
    positions packed as uint32, so a block decodes with one join)."""
    raw = _term_bytes(reader, fieldname, text)
    if raw is None:
        return _EMPTY_KEYS
    docs: list[int] = []
    counts: list[int] = []
    chunks: list[bytes] = []
    for block in decode_blocks(raw):
        values = block.values_list()
        chunks.append(b"".join(values))
        docs.extend(block.ids)
        counts.extend(map(len, values))
    positions = np.frombuffer(b"".join(chunks), dtype=np.uint32).astype(np.int64)
    per_doc = np.asarray(counts, dtype=np.int64) // _ITEM
    keys = (np.repeat(np.asarray(docs, dtype=np.int64), per_doc) << 32) | positions
    keys.sort()
    return keys


class FieldPostings(NamedTuple):
    """Every term of one field of a segment, flat: term ``i``'s postings are
    ``ids[starts[i]:starts[i+1]]`` and ``weights[...]`` (what
    :func:`read_postings` returns), and posting ``j`` has ``counts[j]`` of the
    ``positions`` (uint32, in posting order; empty unless asked for)."""

    fieldname: str
    terms: list[str]
    starts: np.ndarray  # int64, len(terms) + 1
    ids: np.ndarray  # int32
    weights: np.ndarray  # float32
    counts: np.ndarray  # int64 per posting (empty without positions)
    positions: np.ndarray  # uint32


def read_field_postings(
    reader: Any,
    fieldnames: Iterable[str],
    positional: Iterable[str] = (),
    check: Callable[[], None] | None = None,
) -> Iterator[FieldPostings]:
    """The postings of every term of ``fieldnames`` (text fields), read in one
    pass over the terms table; with positions for the ``positional`` ones
    (FastPositions fields). One field is held at a time. ``check`` is called
    every thousand terms: it may raise to stop a read that is no longer wanted."""
    if reader.doc_count_all() == 0:
        return
    wanted = set(fieldnames) & set(reader.schema.names())
    with_positions = set(positional)
    # A compound segment's storage is an overlay of its file and the folder.
    compound = getattr(reader._storage, "a", None)
    if isinstance(compound, SharedCompoundStorage):
        compound.read_whole()  # every term is read, in file order
    terms = reader._terms
    postfile = terms._postfile
    current: _FieldReader | None = None
    for number, (keybytes, valbytes) in enumerate(terms._tindex.items()):
        if check is not None and number % 1000 == 0:
            check()
        fieldname, tbytes = terms._keydecoder(keybytes)
        if fieldname not in wanted:
            continue
        if current is None or current.fieldname != fieldname:
            if current is not None:
                yield current.finish()
            current = _FieldReader(fieldname, fieldname in with_positions)
        offset, length = term_extent(valbytes)
        current.add(tbytes.decode("utf-8"), postfile.get(offset, length))
    if current is not None:
        yield current.finish()


class _FieldReader:
    """Accumulates one field's terms in compact arrays (a 5,000-article
    segment's body has two million postings: Python lists would triple that)."""

    def __init__(self, fieldname: str, positions: bool) -> None:
        self.fieldname = fieldname
        self.positional = positions
        self.terms: list[str] = []
        self.starts = array("q", [0])
        self.ids = array("i")
        self.weights = array("f")
        self.counts = array("q")
        self.positions = bytearray()

    def add(self, text: str, raw: bytes) -> None:
        self.terms.append(text)
        for block in decode_blocks(raw):
            self.ids.extend(block.ids)
            self.weights.extend(block.weights_list())
            if self.positional:
                values = block.values_list()
                self.positions += b"".join(values)
                self.counts.extend([len(v) // _ITEM for v in values])
        self.starts.append(len(self.ids))

    def finish(self) -> FieldPostings:
        return FieldPostings(
            self.fieldname,
            self.terms,
            np.frombuffer(self.starts, dtype=np.int64),
            np.frombuffer(self.ids, dtype=np.int32),
            np.frombuffer(self.weights, dtype=np.float32),
            np.frombuffer(self.counts, dtype=np.int64),
            np.frombuffer(self.positions, dtype=np.uint32),
        )


def read_lengths(reader: Any, fieldname: str) -> np.ndarray:
    """Every document's length in ``fieldname`` (float32), decoded from the
    one-byte log scale Whoosh stores lengths in, as ``doc_field_length`` does."""
    count = reader.doc_count_all()
    if count == 0:
        return np.zeros(0, dtype=np.float32)
    perdoc = reader._perdoc  # a W3PerDocReader: the segment's per-document files
    name = _lenfield(fieldname)
    if not perdoc.has_column(name):  # no document has the field: Whoosh answers 0
        return np.zeros(count, dtype=np.float32)
    codes = read_numeric_column(perdoc.column_reader(name, LENGTHS_COLUMN), count)
    lengths: np.ndarray = _length_table()[codes]
    return lengths


def read_numeric_column(column: NumericColumn.Reader, count: int) -> np.ndarray:
    """A numeric column's ``count`` values in one read (Whoosh's reader
    returns one Python int per document: 1.6 s for the columns of 100,000
    articles). Documents past the stored values get the column's default."""
    if not isinstance(column, NumericColumn.Reader):
        raise TypeError(f"not a numeric column reader: {column!r}")
    stored = min(column._count, count)
    dtype = np.dtype(column._typecode).newbyteorder(">")  # Whoosh packs big-endian
    values = np.full(count, column._default, dtype=dtype.newbyteorder("="))
    if stored:
        data = column._dbfile.get(column._basepos, stored * column._fixedlen)
        values[:stored] = np.frombuffer(data, dtype=dtype)
    return values


@cache
def _length_table() -> np.ndarray:
    """Whoosh's length byte → length, for all 256 bytes (its public decoder)."""
    return np.asarray([byte_to_length(code) for code in range(256)], dtype=np.float32)


def _term_bytes(reader: Any, fieldname: str, text: str) -> bytes | None:
    """The raw postings of a term, or None if the segment lacks it."""
    if reader.doc_count_all() == 0 or fieldname not in reader.schema:
        return None  # an empty index's reader has no terms at all
    terms = reader._terms
    # The term's entry in the terms table, decoded as it was written
    # (W3TermInfo.from_bytes would do, but stores the length as a 1-tuple).
    entry = terms._tindex.get(terms._keycoder(fieldname, reader.schema[fieldname].to_bytes(text)))
    if entry is None:
        return None
    offset, length = term_extent(entry)
    return terms._postfile.get(offset, length)  # type: ignore[no-any-return]


def postings_file(reader: Any) -> Any:
    """The segment's postings (``.pst``) file, as its terms reader reads it."""
    return reader._terms._postfile
