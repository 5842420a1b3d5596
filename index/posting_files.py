"""Posting files: a large segment's postings as flat arrays on disk, memory-mapped.

Decoding a term's Whoosh postings (pickled blocks of Python ints) costs
milliseconds; a query word is read in three fields of twenty segments, and a
wildcard expands to a hundred words, so the first use of a word in a process
cost up to a second (issue #11). Every worker process paid it again.

So each large segment also gets one file beside the index
(``<index>.postings/<segment id>.pst``), derived data like the column files
of :mod:`pressearchiv.index.columns`, holding every term of its text fields
as arrays: reading a term's postings is a trie lookup and two slices of a
memory map, shared by all processes through the page cache.

Layout (little-endian; arrays start on 64-byte boundaries)::

    b"PRESSPST"  uint32 header length  header (JSON)  arrays...

The header names the segment, its document count, the fields held (and
which have positions) and each array's offset, dtype and length:

* ``keys`` — a marisa-trie of ``field + "\\x1f" + term``; ``rows[key id]``
  is the term's row.
* ``starts`` (int64, rows + 1) — row ``r``'s postings are
  ``ids[starts[r]:starts[r+1]]`` (int32) and ``weights[...]``: what
  :func:`~pressearchiv.index.engine.read_postings` returns, but the weights
  (float32) as uint8, uint16 or uint32 when all are whole numbers (term
  frequencies: a quarter of the size).
* ``counts`` (one per posting) and ``pstarts`` (int64, rows + 1) — row
  ``r``'s positions are ``positions[pstarts[r]:pstarts[r+1]]``, ``counts`` of
  them per posting, in posting order (uint16 when the values fit, else
  uint32). Without ``counts`` (the usual case) each posting's whole-number
  weight is its count of positions.

A file is written to a temporary name, synced and renamed, so a reader sees
all of it or none. One that does not open cleanly (wrong magic, version,
segment or document count, arrays past its end, a checksum of the trie or the
offsets that does not match, offsets out of order) is treated as missing: the
caller decodes the segment as before.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import tempfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

import marisa_trie
import numpy as np

from pressearchiv.index.engine import FieldPostings
from pressearchiv.index.readahead import read_scattered, read_soon

__all__ = [
    "DamagedPostingFile",
    "SegmentPostings",
    "postings_dir",
    "write_posting_file",
]

MAGIC = b"PRESSPST"
VERSION = 1
SUFFIX = ".pst"
# Between field and term in the trie's keys; a field name never holds it.
SEPARATOR = "\x1f"
_ALIGN = 64
_LENGTH = struct.Struct("<I")
# Arrays whose checksum is tested when a file is opened: the trie (a damaged
# one could crash its C++ reader) and the map from its keys to rows (1.2 MB
# for 5,000 articles, about a millisecond). Offsets are checked for order and
# ends, postings for range, term by term: checksumming all 30 MB would cost
# every process 4 ms per segment before its first search.
_CHECKED = ("rows", "keys")
_EMPTY_IDS = np.zeros(0, dtype=np.int32)
_EMPTY_TF = np.zeros(0, dtype=np.float32)
_EMPTY_KEYS = np.zeros(0, dtype=np.int64)


class DamagedPostingFile(ValueError):
    """A posting file that must not be used (its segment is read instead)."""


def postings_dir(index_dir: Path) -> Path:
    """Where the segments' posting files are kept (beside the index folder)."""
    return index_dir.with_name(index_dir.name + ".postings")


def _usable(text: str) -> bool:
    # marisa-trie cannot hold a NUL in a key: such terms are left out of the
    # file and always read from the segment.
    return "\x00" not in text


def write_posting_file(
    path: Path, segment_id: str, documents: int, fields: Iterable[FieldPostings]
) -> int:
    """Write one segment's posting file (atomically); returns its size in bytes."""
    keys: list[str] = []
    starts: list[np.ndarray] = []
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    pstarts: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    names: list[str] = []
    positional: list[str] = []
    held = placed = 0
    for field in fields:
        if SEPARATOR in field.fieldname:
            raise ValueError(f"field name {field.fieldname!r} holds the key separator")
        names.append(field.fieldname)
        keys.extend(field.fieldname + SEPARATOR + term for term in field.terms)
        starts.append(field.starts[:-1] + held)
        ids.append(field.ids)
        weights.append(field.weights)
        if len(field.counts) == len(field.ids):  # read with positions
            positional.append(field.fieldname)
            counts.append(field.counts)
            positions.append(field.positions)
            # Where each term's positions begin: the counts summed up to its first posting.
            before = np.concatenate(([0], np.cumsum(field.counts, dtype=np.int64)))
        else:
            counts.append(np.zeros(len(field.ids), dtype=np.int64))
            before = np.zeros(len(field.ids) + 1, dtype=np.int64)
        pstarts.append(before[field.starts[:-1]] + placed)
        held += len(field.ids)
        placed += int(before[-1])
    all_counts = _cat(counts, np.int64)
    all_weights = _cat(weights, np.float32)
    trie = marisa_trie.Trie([k for k in keys if _usable(k)])
    rows = np.full(len(trie), -1, dtype=np.int32)
    for row, key in enumerate(keys):
        if _usable(key):
            rows[trie[key]] = row
    arrays: dict[str, np.ndarray] = {
        "rows": rows,
        "starts": np.append(_cat(starts, np.int64), held).astype(np.int64),
        "ids": _cat(ids, np.int32),
        "weights": _whole(all_weights),
        "pstarts": np.append(_cat(pstarts, np.int64), placed).astype(np.int64),
        "positions": _narrow(_cat(positions, np.uint32)),
        "keys": np.frombuffer(trie.tobytes(), dtype=np.uint8),
    }
    if arrays["weights"].dtype.kind != "u" or not np.array_equal(all_counts, all_weights):
        arrays["counts"] = _narrow(all_counts)  # else each weight is its count of positions
    header: dict[str, Any] = {
        "version": VERSION,
        "complete": len(trie) == len(keys),  # no term left out (see _usable)
        "segment": segment_id,
        "documents": documents,
        "fields": names,
        "positional": positional,
        "arrays": {},
    }
    # Offsets depend on the header's length, which depends on the offsets'
    # digits: lay out with room to spare for the header.
    base = _aligned(len(MAGIC) + _LENGTH.size + len(json.dumps(header)) + 64 * len(arrays) + 64)
    offset = base
    for name, array in arrays.items():
        header["arrays"][name] = [offset, array.dtype.str, len(array)]
        offset = _aligned(offset + array.nbytes)
    header["crc32"] = {name: zlib.crc32(arrays[name].tobytes()) for name in _CHECKED}
    text = json.dumps(header).encode()
    if len(MAGIC) + _LENGTH.size + len(text) > base:
        raise AssertionError("posting file header outgrew its room")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + _LENGTH.pack(len(text)) + text)
            for name, array in arrays.items():
                _pad_to(out, header["arrays"][name][0])
                out.write(array.tobytes())
            _pad_to(out, offset)
            out.flush()
            # On disk before the rename: after a crash the name never points
            # at a file whose blocks were not written yet.
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return offset


def _cat(parts: list[Any], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def _narrow(values: np.ndarray) -> np.ndarray:
    """The smallest of uint8, uint16, uint32 that holds every value (positions
    in articles of < 65,536 words: the largest array of the file at half the size)."""
    top = values.max(initial=0)
    return values.astype(np.uint8 if top < 2**8 else np.uint16 if top < 2**16 else np.uint32)


def _whole(weights: np.ndarray) -> np.ndarray:
    """The weights as unsigned integers when they are whole numbers (term
    frequencies, with a field boost of 1), else as they are (float32)."""
    if len(weights) and (weights.min() < 0 or weights.max() >= 2**32):
        return weights
    whole = _narrow(weights.astype(np.uint32))
    return whole if np.array_equal(whole, weights) else weights


def _aligned(offset: int) -> int:
    return -(-offset // _ALIGN) * _ALIGN


def _pad_to(out: BinaryIO, offset: int) -> None:
    out.write(b"\0" * (offset - out.tell()))


class SegmentPostings:
    """One segment's posting file, memory-mapped (read-only, any thread).

    :meth:`postings` and :meth:`positions` answer None for a field or term
    the file cannot answer for (the caller reads the segment instead); an
    empty answer means the segment lacks the term.
    """

    def __init__(self, path: Path, segment_id: str, documents: int) -> None:
        with open(path, "rb") as f:
            try:
                self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError as exc:  # an empty file
                raise DamagedPostingFile(str(exc)) from None
        # Read in scattered spans: a trie lookup, then one term's slices.
        read_scattered(self._map)
        try:
            self._open(segment_id, documents)
        except DamagedPostingFile:
            raise
        except Exception as exc:  # any damage: the segment itself is the truth
            raise DamagedPostingFile(f"{type(exc).__name__}: {exc}") from None

    def _open(self, segment_id: str, documents: int) -> None:
        raw = self._map
        if raw[: len(MAGIC)] != MAGIC:
            raise DamagedPostingFile("not a posting file")
        (length,) = _LENGTH.unpack_from(raw, len(MAGIC))
        start = len(MAGIC) + _LENGTH.size
        header = json.loads(raw[start : start + length])
        if header["version"] != VERSION:
            raise DamagedPostingFile(f"version {header['version']}, not {VERSION}")
        if header["segment"] != segment_id or header["documents"] != documents:
            raise DamagedPostingFile("written for another segment")
        arrays: dict[str, np.ndarray] = {}
        for name, (offset, dtype, count) in header["arrays"].items():
            kind = np.dtype(dtype)
            if offset < start + length or offset + count * kind.itemsize > len(raw):
                raise DamagedPostingFile(f"array {name} lies outside the file")
            arrays[name] = np.frombuffer(raw, dtype=kind, count=count, offset=offset)
        # Where each array lies, to ask for a span of it (_read_soon).
        self._spans = {
            name: (a, arrays[name].itemsize) for name, (a, _, _) in header["arrays"].items()
        }
        self._spans.setdefault("counts", self._spans["weights"])  # see _counts below
        # Read whole below (checksums, order of the offsets) and by every lookup.
        for name in (*_CHECKED, "starts", "pstarts"):
            self._read_soon(name, 0, len(arrays[name]))
        for name in _CHECKED:
            if zlib.crc32(arrays[name].data) != header["crc32"][name]:
                raise DamagedPostingFile(f"array {name} does not match its checksum")
        self.documents = documents
        self._fields = frozenset(header["fields"])
        self._complete = header["complete"] is True
        self._positional = frozenset(header["positional"])
        self._rows = arrays["rows"]
        self._starts, self._ids, self._weights = arrays["starts"], arrays["ids"], arrays["weights"]
        self._counts = arrays.get("counts", self._weights)
        self._pstarts = arrays["pstarts"]
        if self._weights.dtype != np.float32 and self._weights.dtype.kind != "u":
            raise DamagedPostingFile(f"weights of type {self._weights.dtype}")
        if self._counts.dtype.kind != "u":
            raise DamagedPostingFile(f"counts of type {self._counts.dtype}")
        self._positions = arrays["positions"]
        # Mapped, not copied: the trie stays in the page cache that every
        # process shares (frombytes cost 2 ms and half a megabyte per segment
        # and process). Its buffer is the file's map, which outlives it.
        self._keys = arrays["keys"].data.cast("B")  # held: it pins the map
        self._trie = marisa_trie.Trie()
        self._trie.map(self._keys)
        rows = len(self._starts) - 1
        covered = ((self._starts, len(self._ids)), (self._pstarts, len(self._positions)))
        for offsets, total in covered:
            if len(offsets) != rows + 1 or offsets[0] != 0 or offsets[-1] != total:
                raise DamagedPostingFile("offsets do not cover the arrays")
            if np.any(np.diff(offsets) < 0):
                raise DamagedPostingFile("offsets out of order")
        if len(self._counts) != len(self._ids) or len(self._weights) != len(self._ids):
            raise DamagedPostingFile("postings arrays of different lengths")
        if len(self._rows) != len(self._trie) or (
            len(self._rows) and (self._rows.min() < 0 or self._rows.max() >= rows)
        ):
            raise DamagedPostingFile("terms point past the rows")

    def _read_soon(self, name: str, first: int, last: int) -> None:
        """Ask for elements ``first`` to ``last`` of the mapped array ``name`` in one go."""
        at, size = self._spans[name]
        read_soon(self._map, at + first * size, at + last * size)

    @property
    def size(self) -> int:
        """The file's size in bytes."""
        return len(self._map)

    def _row(self, fieldname: str, text: str, positions: bool) -> int | None:
        """The term's row, -1 if the segment lacks it, None if the file cannot tell."""
        held = self._positional if positions else self._fields
        if fieldname not in held or not _usable(text):
            return None
        found = self._trie.get(fieldname + SEPARATOR + text)
        return -1 if found is None else int(self._rows[found])

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Document numbers (int32) and weights (float32) of a term, as
        ``read_postings`` returns them (read-only views of the file)."""
        row = self._row(fieldname, text, positions=False)
        if row is None or row < 0:
            return None if row is None else (_EMPTY_IDS, _EMPTY_TF)
        first, last = self._starts[row], self._starts[row + 1]
        self._read_soon("ids", first, last)
        self._read_soon("weights", first, last)
        ids = self._ids[first:last]
        if len(ids) and not 0 <= ids[-1] < self.documents:
            raise DamagedPostingFile(f"term {text!r} of {fieldname} points past the segment")
        # Whole-number weights are kept as integers: read_postings gives float32.
        return ids, self._weights[first:last].astype(np.float32, copy=False)

    def positions(self, fieldname: str, text: str) -> np.ndarray | None:
        """Sorted int64 keys ``docnum << 32 | position``, as ``read_positions`` returns them."""
        row = self._row(fieldname, text, positions=True)
        if row is None or row < 0:
            return None if row is None else _EMPTY_KEYS
        first, last = self._starts[row], self._starts[row + 1]
        at, end = self._pstarts[row], self._pstarts[row + 1]
        self._read_soon("ids", first, last)
        self._read_soon("counts", first, last)
        self._read_soon("positions", at, end)
        counts = self._counts[first:last]
        if int(counts.sum(dtype=np.int64)) != end - at:
            raise DamagedPostingFile(f"positions of {text!r} in {fieldname} do not add up")
        docs = np.repeat(self._ids[first:last].astype(np.int64), counts)
        keys = (docs << 32) | self._positions[at:end].astype(np.int64)
        keys.sort()
        return keys

    def prefixed(self, fieldname: str, prefix: str) -> list[tuple[str, int]] | None:
        """The field's terms that start with ``prefix``, sorted as the segment's
        lexicon lists them (code point order is UTF-8 byte order), with their
        document frequencies; None if the file does not hold every term."""
        if fieldname not in self._fields or not self._complete or not _usable(prefix):
            return None
        cut = len(fieldname) + len(SEPARATOR)
        starts, rows = self._starts, self._rows
        found = sorted(self._trie.items(fieldname + SEPARATOR + prefix))
        return [(key[cut:], int(starts[rows[i] + 1] - starts[rows[i]])) for key, i in found]
