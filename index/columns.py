"""Per-document numpy columns (outlet, dates, seq, id) indexed by document number.

Whoosh's own facet and range machinery walks documents in Python and costs
hundreds of milliseconds at 100k articles. Instead, every segment's columns are
read once into compact numpy arrays and cached by segment id (a segment never
changes after its commit; only its deletions do). A searcher's columns are the
concatenation of its segments' arrays, so document number ``n`` of the
searcher is row ``n``; filters and facet counts are then vectorised numpy.

Reading a segment's columns from Whoosh still walks its documents in Python
(over a second at 100,000 articles), and every process that opens the index
would do it again: a worker, a restart. So each segment's arrays are also
kept in a file of their own beside the index (``<index>.columns/<segment
id>.npz``, derived data like the index), written once by whichever process
reads the segment first, and read back in milliseconds.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from whoosh.searching import Searcher

from pressearchiv.index.engine import read_numeric_column

__all__ = ["ColumnCache", "Columns", "Periods", "columns_dir"]

log = logging.getLogger(__name__)

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
class Periods:
    """The distinct (year, month) pairs of a searcher's rows, and each row's pair."""

    codes: np.ndarray  # int32 per row: index into years and months
    years: np.ndarray  # int32 per pair, 0 when undated
    months: np.ndarray  # int32 per pair, 0-11, or -1 when only the year is known


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

    @functools.cached_property
    def periods(self) -> Periods:
        """Each row's year and month as one code (for facet counts), built on first use."""
        # Rows with a year but no month get month -1; undated rows year 0.
        key = self.year.astype(np.int32) * 13 + np.where(self.month >= 0, self.month % 12, -1) + 1
        keys, codes = np.unique(key, return_inverse=True)
        year, month = np.divmod(keys, 13)
        return Periods(codes.astype(np.int32), year.astype(np.int32), month - 1)

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


def columns_dir(index_dir: Path) -> Path:
    """Where the segments' column files are kept (beside the index folder)."""
    return index_dir.with_name(index_dir.name + ".columns")


class ColumnCache:
    """Builds :class:`Columns` for searchers, reusing arrays of unchanged segments
    (in memory, and in ``directory`` across processes when given)."""

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory
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
                    cols = self._read(key, reader)
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
                    self._forget_file(key)
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

    def _file(self, key: str) -> Path | None:
        return self._directory / f"{key}.npz" if self._directory is not None else None

    def _read(self, key: str, reader: object) -> _SegmentColumns:
        """A segment's columns from its file, else from Whoosh (then filed)."""
        path = self._file(key)
        if path is not None and path.exists():
            try:
                return self._from_file(path, reader.doc_count_all())  # type: ignore[attr-defined]
            except Exception as exc:  # any damage: the segment itself is the truth
                log.warning("column file %s unusable (%s); reading the segment", path, exc)
        cols = self._load(reader)
        if path is not None:
            self._to_file(path, cols)
        return cols

    def _from_file(self, path: Path, count: int) -> _SegmentColumns:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        if any(len(a) != count for k, a in arrays.items() if k != "outlet_names"):
            raise ValueError(f"it does not hold {count} documents")
        # Outlet codes are this process's: map the file's names onto them.
        codes = np.array(
            [self._outlet_code(str(name)) for name in arrays["outlet_names"]], dtype=np.int32
        )
        return _SegmentColumns(
            ids=arrays["ids"].tolist(),
            seq=arrays["seq"],
            outlet=codes[arrays["outlet"]] if len(codes) else arrays["outlet"],
            day_start=arrays["day_start"],
            day_end=arrays["day_end"],
            year=arrays["year"],
            month=arrays["month"],
        )

    def _to_file(self, path: Path, cols: _SegmentColumns) -> None:
        """Written to a temporary file and renamed, so a reader sees all or nothing;
        best effort (a read-only folder only costs the next process the time)."""
        used = np.unique(cols.outlet)
        local = np.zeros(len(self._outlet_names) + 1, dtype=np.int32)
        local[used] = np.arange(len(used), dtype=np.int32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as out:
                    np.savez(
                        out,
                        ids=np.array(cols.ids, dtype=str),
                        seq=cols.seq,
                        outlet=local[cols.outlet],
                        outlet_names=np.array([self._outlet_names[c] for c in used], dtype=str),
                        day_start=cols.day_start,
                        day_end=cols.day_end,
                        year=cols.year,
                        month=cols.month,
                    )
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.debug("column file %s not written: %s", path, exc)

    def prune_files(self) -> None:
        """Remove the files of segments this cache does not hold (merged away or
        from an index that was rebuilt); the index's owner does it at open."""
        if self._directory is None or not self._directory.is_dir():
            return
        with self._lock:
            keep = {f"{key}.npz" for key in self._segments}
        for path in self._directory.iterdir():
            if path.name not in keep:
                path.unlink(missing_ok=True)

    def _forget_file(self, key: str) -> None:
        path = self._file(key)
        if path is not None:
            path.unlink(missing_ok=True)

    def _outlet_code(self, name: str) -> int:
        code = self._outlet_codes.get(name)
        if code is None:
            code = self._outlet_codes[name] = len(self._outlet_names)
            self._outlet_names.append(name)
        return code

    def _load(self, reader: object) -> _SegmentColumns:
        n = reader.doc_count_all()  # type: ignore[attr-defined]

        def column(name: str) -> list:  # type: ignore[type-arg]
            return list(reader.column_reader(name))  # type: ignore[attr-defined]

        def numbers(name: str, dtype: type) -> np.ndarray:
            raw = reader.column_reader(name, translate=False)  # type: ignore[attr-defined]
            return read_numeric_column(raw, n).astype(dtype)

        ids = [str(v) for v in column("id")]
        outlet = np.empty(n, dtype=np.int32)
        for i, name in enumerate(column("outlet_name")):
            outlet[i] = self._outlet_code(name)
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
