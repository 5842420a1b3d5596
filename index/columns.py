"""Per-document numpy columns (outlet, dates, seq, id) indexed by document number.

Whoosh's own facet and range machinery walks documents in Python and costs
hundreds of milliseconds at 100k articles. Instead, every segment's columns are
read once into compact numpy arrays and cached by segment id (a segment never
changes after its commit; only its deletions do). A searcher's columns are the
concatenation of its segments' arrays, so document number ``n`` of the
searcher is row ``n``; filters and facet counts are then vectorised numpy.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

import numpy as np
from whoosh.searching import Searcher

from pressearchiv.index.engine import read_numeric_column

__all__ = ["ColumnCache", "Columns"]

# date.toordinal() of 0001-01-01 is 1, so 0 is free to mean "undated".
UNDATED = 0


@dataclass(frozen=True)
class _SegmentColumns:
    ids: list[str]
    seq: np.ndarray  # int64
    outlet: np.ndarray  # int32 code into ColumnCache.outlet_names
    day_start: np.ndarray  # int32, date ordinal or UNDATED
    day_end: np.ndarray  # int32
    year: np.ndarray  # int16, 0 when undated
    month: np.ndarray  # int32, year*12 + month-1, or -1 when the month is unknown


@dataclass(frozen=True)
class Columns:
    """All columns of one searcher; row = global document number."""

    ids: list[str]
    seq: np.ndarray
    outlet: np.ndarray
    day_start: np.ndarray
    day_end: np.ndarray
    year: np.ndarray
    month: np.ndarray
    live: np.ndarray  # bool: False for deleted documents
    outlet_names: list[str]  # code -> outlet name (a snapshot; codes never change)

    @property
    def size(self) -> int:
        return len(self.ids)

    def outlet_codes(self, names: tuple[str, ...]) -> list[int]:
        lookup = {name: code for code, name in enumerate(self.outlet_names)}
        return [lookup[n] for n in names if n in lookup]

    def max_live_seq(self) -> int:
        """The highest seq among live documents (-1 for none): how far a view reaches."""
        return int(self.seq[self.live].max()) if self.live.any() else -1

    def id_seqs(self) -> dict[str, int]:
        """Live documents' article ids with their seq (what repair compares)."""
        rows = np.flatnonzero(self.live)
        ids, seqs = self.ids, self.seq
        return {ids[r]: int(seqs[r]) for r in rows}


class ColumnCache:
    """Builds :class:`Columns` for searchers, reusing arrays of unchanged segments."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._segments: dict[str, _SegmentColumns] = {}
        self._outlet_codes: dict[str, int] = {}
        self._outlet_names: list[str] = []

    def columns(self, searcher: Searcher) -> Columns:
        with self._lock:
            parts: list[_SegmentColumns] = []
            lives: list[np.ndarray] = []
            seen: set[str] = set()
            for sub, _offset in searcher.leaf_searchers():
                reader = sub.reader()
                if reader.doc_count_all() == 0:
                    continue  # an empty index has no segment (and no columns)
                segment = reader.segment()
                key = segment.segment_id() if segment is not None else str(id(reader))
                seen.add(key)
                cols = self._segments.get(key)
                if cols is None:
                    cols = self._load(reader)
                    self._segments[key] = cols
                parts.append(cols)
                live = np.ones(reader.doc_count_all(), dtype=bool)
                if reader.has_deletions():
                    deleted = np.fromiter(segment.deleted_docs(), dtype=np.int64)
                    live[deleted] = False
                lives.append(live)
            # Forget segments that were merged away.
            for key in list(self._segments):
                if key not in seen:
                    del self._segments[key]
            ids: list[str] = []
            for p in parts:
                ids.extend(p.ids)

            def cat(name: str, dtype: type) -> np.ndarray:
                arrays = [getattr(p, name) for p in parts]
                return np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)

            return Columns(
                ids=ids,
                seq=cat("seq", np.int64),
                outlet=cat("outlet", np.int32),
                day_start=cat("day_start", np.int32),
                day_end=cat("day_end", np.int32),
                year=cat("year", np.int16),
                month=cat("month", np.int32),
                live=np.concatenate(lives) if lives else np.zeros(0, dtype=bool),
                outlet_names=list(self._outlet_names),
            )

    def _load(self, reader: object) -> _SegmentColumns:
        n = reader.doc_count_all()  # type: ignore[attr-defined]

        def column(name: str) -> list:  # type: ignore[type-arg]
            return list(reader.column_reader(name))  # type: ignore[attr-defined]

        def numbers(name: str, dtype: type) -> np.ndarray:
            raw = reader.column_reader(name, translate=False)  # type: ignore[attr-defined]
            return read_numeric_column(raw, n).astype(dtype)

        ids = [str(v) for v in column("id")]
        codes = self._outlet_codes
        names = self._outlet_names
        outlet = np.empty(n, dtype=np.int32)
        for i, name in enumerate(column("outlet_name")):
            code = codes.get(name)
            if code is None:
                code = codes[name] = len(names)
                names.append(name)
            outlet[i] = code
        day_start = numbers("day_start", np.int32)
        day_end = numbers("day_end", np.int32)
        # A document written without dates (not by us) counts as undated.
        bad = (day_start < 1) | (day_end < day_start)
        day_start[bad] = UNDATED
        day_end[bad] = UNDATED
        year = np.zeros(n, dtype=np.int16)
        month = np.full(n, -1, dtype=np.int32)
        # Distinct dates are few (days in the archive), so convert each once.
        for ordinal in np.unique(day_start):
            if ordinal == UNDATED:
                continue
            rows = day_start == ordinal
            start = date.fromordinal(int(ordinal))
            year[rows] = start.year
            # A month is known when the date's range stays inside one month.
            ends = day_end[rows]
            end_month = (
                np.array([date.fromordinal(int(e)).month for e in ends], dtype=np.int32)
                if len(np.unique(ends)) > 1
                else np.full(len(ends), date.fromordinal(int(ends[0])).month, dtype=np.int32)
            )
            known = end_month == start.month
            key = start.year * 12 + start.month - 1
            month[rows] = np.where(known, key, -1)
        return _SegmentColumns(
            ids=ids,
            seq=numbers("seq", np.int64),
            outlet=outlet,
            day_start=day_start,
            day_end=day_end,
            year=year,
            month=month,
        )
