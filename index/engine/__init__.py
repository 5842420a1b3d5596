"""The one door to Whoosh's internals: everything that relies on Whoosh 2.7.4
beyond its public API lives in this package, and nowhere else in ``index/``
(``tests/index/test_engine_boundary.py`` enforces it).

Its public API, used by the rest of the index:

* :func:`require_supported_whoosh` — raises ``UnsupportedWhoosh`` on any
  Whoosh other than :data:`WHOOSH_VERSION` (called whenever an index is opened).
* :class:`TermPoolWriter` — a ``SegmentWriter`` with our posting path;
  :meth:`TermPoolWriter.finish_segment` writes a segment without committing it.
* :func:`read_postings`, :func:`read_positions`, :func:`read_lengths`,
  :func:`read_numeric_column`, :func:`postings_file` — a segment into numpy;
  :func:`read_field_postings` — every term of a segment's fields at once
  (:class:`FieldPostings`, what the posting files are made of).
* :class:`SharedCompoundStorage`, :class:`SharedBufferFile` — segment files
  as per-thread views of one mmap.
* :mod:`.blocks` — the W3 posting block format, encoded and decoded by one
  implementation (used by the writer, the merge path and the readers).

Private Whoosh names used, and why (each has no public equivalent that is not
a Python call per posting, per term or per document):

* ``SegmentWriter._flush_segment`` (overridden) — write the pool's postings
  instead of Whoosh's sorted posting list.
* ``SegmentWriter._check_state``, ``SegmentWriter._added`` — what Whoosh's
  own ``add_document`` checks and sets, kept by ours.
* ``SegmentWriter(_lk=False)`` — a bulk worker writes its segment without the
  index lock; its parent commits all segments at once.
* ``SegmentWriter._finalize_segment`` — finish a worker's segment without
  committing it (what ``MpWriter`` does with its sub-writers).
* ``W3Codec._blocklimit``, ``W3Codec._compression`` — the block size and zlib
  level our block writer must honour.
* ``W3FieldWriter._fieldid``, ``._postfile``, ``._tindex`` — write a field's
  terms and postings in one go instead of one ``add()`` per posting.
* ``whoosh.filedb.filetables._lengths`` — the record header of the terms hash
  table, written for many terms with one write.
* ``W3TermInfo._struct`` — the layout of a term's statistics, packed for all
  terms of a segment without building a ``W3TermInfo`` per term.
* ``SegmentReader._terms`` with ``W3TermsReader._postfile``, ``._tindex``,
  ``._keycoder``, ``._keydecoder`` — a term's entry and raw postings (the
  public ``term_info().extent()`` returns the length as a 1-tuple), and every
  term of a segment in file order (merges, posting files).
* ``SegmentReader._perdoc`` and ``whoosh.codec.whoosh3._lenfield`` — the
  per-document length column of a field, read in one go.
* ``NumericColumn.Reader._count``, ``._dbfile``, ``._basepos``,
  ``._fixedlen``, ``._typecode``, ``._default`` — a numeric column in one read
  and one ``numpy.frombuffer``.
* ``CompoundStorage._source`` — the segment's mmap, viewed instead of copied
  (and advised: :mod:`pressearchiv.index.readahead`).
* ``SegmentReader._storage`` — the overlay whose first storage is the segment's
  compound file, read ahead whole before a pass over every term.
* ``BufferFile._buf``, ``BufferFile._name`` — what ``BufferFile``'s methods
  read; set without its ``__init__``, which copies the buffer.
"""

from __future__ import annotations

from pressearchiv.index.engine.reading import (
    FieldPostings,
    postings_file,
    read_field_postings,
    read_lengths,
    read_numeric_column,
    read_positions,
    read_postings,
)
from pressearchiv.index.engine.sharedfile import SharedBufferFile, SharedCompoundStorage
from pressearchiv.index.engine.version import WHOOSH_VERSION, require_supported_whoosh
from pressearchiv.index.engine.writing import PositionalField, TermPoolWriter

__all__ = [
    "WHOOSH_VERSION",
    "FieldPostings",
    "PositionalField",
    "SharedBufferFile",
    "SharedCompoundStorage",
    "TermPoolWriter",
    "postings_file",
    "read_field_postings",
    "read_lengths",
    "read_numeric_column",
    "read_positions",
    "read_postings",
    "require_supported_whoosh",
]
