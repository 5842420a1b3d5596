"""Postings in memory while a segment is written (see :mod:`pressearchiv.index.engine.writing`).

Whoosh's own pool holds each posting as a 5-tuple in one big list that is
sorted as a whole before writing. :class:`TermPool` files each posting under
its field and term as it arrives, with a few appends to arrays, so that only
the distinct terms need sorting when the segment is written.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from typing import Any

__all__ = [
    "ITEM_SIZE",
    "Postings",
    "TermPool",
    "new_postings",
    "positional_postings",
    "widened",
]

ITEM_SIZE = array("I").itemsize  # bytes per packed position

# One term's postings in a field that is not positional: (docnums, weights, values).
Postings = tuple["array[int]", "array[Any]", Any]


class TermPool:
    """Postings in memory, grouped by field and term as they arrive.

    ``positional`` maps the fields stored with
    :class:`~pressearchiv.index.formats.FastPositions` to their boost: their weight is
    boost x frequency and their value the packed positions. A term of such a
    field keeps its postings in one flat array, ``docnum, frequency,
    positions...`` after each other (:meth:`positional_postings` reads them
    back): one object per term instead of a tuple of three arrays, because
    most terms of a segment occur in one or two of its documents, and the
    objects were most of a bulk worker's memory. In other fields a term
    whose every posting has weight 1.0 and no value (the spelling and id
    fields) keeps a bare array of docnums, and the rest :data:`Postings`.
    """

    def __init__(self, positional: dict[str, float]) -> None:
        self.positional = positional
        self.fields: dict[str, dict[bytes, Any]] = {}
        # Terms of fields that are not positional whose document numbers
        # arrived out of order (only possible through merges); sorted before
        # writing. (Positional postings are checked as they are read back.)
        self.unsorted: set[tuple[str, bytes]] = set()

    def terms(self, fieldname: str) -> dict[bytes, Any]:
        found = self.fields.get(fieldname)
        if found is None:
            found = self.fields[fieldname] = {}
        return found

    def add_positions(self, fieldname: str, docnum: int, found: dict[str, list[int]]) -> int:
        """One document's terms and positions in a positional field; returns
        the field's length in terms."""
        terms = self.terms(fieldname)
        length = 0
        for word, positions in found.items():
            tbytes = word.encode("utf-8")
            flat = terms.get(tbytes)
            if flat is None:
                flat = terms[tbytes] = array("I")
            freq = len(positions)
            flat.append(docnum)
            flat.append(freq)
            flat.extend(positions)
            length += freq
        return length

    def add_postings(
        self, fieldname: str, docnum: int, items: Iterable[tuple[bytes, int, float, bytes]]
    ) -> int:
        """One document's ``field.index()`` output in any other field; returns
        the sum of the frequencies."""
        terms = self.terms(fieldname)
        length = 0
        for tbytes, freq, weight, vbytes in items:
            length += freq
            postings = terms.get(tbytes)
            plain = weight == 1.0 and not vbytes
            if postings is None:
                if plain:  # a bare array of docnums (see the class docstring)
                    terms[tbytes] = array("I", (docnum,))
                    continue
                postings = terms[tbytes] = new_postings()
            elif type(postings) is array:
                if plain:
                    postings.append(docnum)
                    continue
                postings = terms[tbytes] = widened(postings)
            postings[0].append(docnum)
            postings[1].append(weight)
            postings[2].append(vbytes)
        return length

    def add_block(
        self,
        fieldname: str,
        tbytes: bytes,
        ids: Any,
        weights: Any,
        values: Any,
        startdoc: int,
        docmap: dict[int, int] | None,
    ) -> None:
        """One block of a merged segment's postings, renumbered from ``startdoc``
        or through ``docmap`` (whose missing documents are deleted)."""
        if docmap is None:
            docs = [startdoc + d for d in ids]
        else:
            kept = [i for i, d in enumerate(ids) if d in docmap]
            if not kept:
                return
            if len(kept) < len(ids):
                ids = [ids[i] for i in kept]
                weights = [weights[i] for i in kept]
                values = [values[i] for i in kept]
            docs = [docmap[d] for d in ids]
        terms = self.terms(fieldname)
        if fieldname in self.positional:
            flat = terms.get(tbytes)
            if flat is None:
                flat = terms[tbytes] = array("I")
            for doc, packed in zip(docs, values, strict=True):
                flat.append(doc)
                flat.append(len(packed) // ITEM_SIZE)
                flat.frombytes(packed)
            return
        postings = terms.get(tbytes)
        if postings is None:
            postings = terms[tbytes] = new_postings()
        elif type(postings) is array:
            postings = terms[tbytes] = widened(postings)
        if len(postings[0]) and docs[0] < postings[0][-1]:
            self.unsorted.add((fieldname, tbytes))
        postings[0].extend(docs)
        postings[1].extend(weights)
        postings[2].extend(v or b"" for v in values)

    def cleanup(self) -> None:
        """Nothing on disk to remove (Whoosh's pool interface)."""
        self.fields.clear()


def positional_postings(flat: array[int], boost: float) -> tuple[Postings, bool]:
    """A positional term's flat array (see :class:`TermPool`) as docnums,
    weights (boost x frequency) and each posting's packed positions, and
    whether the docnums are in order."""
    packed = flat.tobytes()
    if flat[1] + 2 == len(flat):  # one posting: most terms
        return (array("I", flat[:1]), array("f", [boost * flat[1]]), [packed[8:]]), True
    docs = array("I")
    weights = array("f")
    values = []
    in_order = True
    last = -1
    i, end = 0, len(flat)
    while i < end:
        doc, freq = flat[i], flat[i + 1]
        in_order = in_order and doc > last
        last = doc
        docs.append(doc)
        weights.append(boost * freq)
        start = (i + 2) * ITEM_SIZE
        values.append(packed[start : start + freq * ITEM_SIZE])
        i += 2 + freq
    return (docs, weights, values), in_order


def new_postings() -> Postings:
    return (array("I"), array("f"), [])


def widened(docs: array[int]) -> Postings:
    """A bare array of docnums (every weight 1.0, every value empty) as :data:`Postings`."""
    return (docs, array("f", [1.0]) * len(docs), [b""] * len(docs))
