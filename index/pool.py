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

__all__ = ["ITEM_SIZE", "Postings", "TermPool", "new_postings"]

ITEM_SIZE = array("I").itemsize  # bytes per packed position

# One term's postings. Positional fields: (docnums, frequencies, all
# positions one after the other); other fields: (docnums, weights, values).
Postings = tuple["array[int]", "array[Any]", Any]


class TermPool:
    """Postings in memory, grouped by field and term as they arrive.

    ``positional`` maps the fields stored with
    :class:`~pressearchiv.index.formats.FastPositions` to their boost: their weight is
    boost x frequency and their value the packed positions, so the pool keeps
    frequencies and one array of positions instead of a bytes object per
    posting.
    """

    def __init__(self, positional: dict[str, float]) -> None:
        self.positional = positional
        self.fields: dict[str, dict[bytes, Postings]] = {}
        # Terms whose document numbers arrived out of order (only possible
        # through merges); sorted before writing.
        self.unsorted: set[tuple[str, bytes]] = set()

    def terms(self, fieldname: str) -> dict[bytes, Postings]:
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
            postings = terms.get(tbytes)
            if postings is None:
                postings = terms[tbytes] = new_postings(True)
            freq = len(positions)
            postings[0].append(docnum)
            postings[1].append(freq)
            postings[2].extend(positions)
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
            postings = terms.get(tbytes)
            if postings is None:
                postings = terms[tbytes] = new_postings(False)
            postings[0].append(docnum)
            postings[1].append(weight)
            postings[2].append(vbytes)
            length += freq
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
        postings = terms.get(tbytes)
        positional = fieldname in self.positional
        if postings is None:
            postings = terms[tbytes] = new_postings(positional)
        elif docs[0] < postings[0][-1]:
            self.unsorted.add((fieldname, tbytes))
        postings[0].extend(docs)
        if positional:
            postings[1].extend(len(v) // ITEM_SIZE for v in values)
            postings[2].frombytes(b"".join(values))
        else:
            postings[1].extend(weights)
            postings[2].extend(v or b"" for v in values)

    def cleanup(self) -> None:
        """Nothing on disk to remove (Whoosh's pool interface)."""
        self.fields.clear()


def new_postings(positional: bool) -> Postings:
    return (array("I"), array("I"), array("I")) if positional else (array("I"), array("f"), [])
