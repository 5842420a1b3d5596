"""Saving and loading a :class:`~pressearchiv.index.stories.StoryDetector`.

The state lives in a folder of immutable part files (``part-<first row>.npz``).
:func:`save` writes only the rows assigned since the previous save, plus the
count-min cells they changed, so saving after each indexing batch costs what
the batch added, not the whole archive. Each part is written to a temporary
file, flushed to disk and renamed: a crash leaves the previous parts intact,
and the rows of an unsaved batch are assigned again from the archive (same
input, same order, same stories). :func:`compact` folds all parts into one.

The head keys are saved as (row, key) pairs; :func:`load` sorts them into
the inverted index again.

Every part names the parameter version it was made with. State made with
other parameters, or damaged, raises :class:`StoryStateError`: the caller
discards the folder (:func:`discard`) and assigns the archive again, which is
the source of truth.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pressearchiv.index.stories import StoryDetector, StoryParams

__all__ = ["SavedRows", "StoryStateError", "compact", "discard", "load", "load_rows", "save"]

_PART = re.compile(r"part-(\d{12})\.npz")
_ARRAYS = (
    *("seq", "ids", "founder", "size", "signatures"),
    *("key_rows", "keys", "cms_where", "cms_values"),
)


class StoryStateError(Exception):
    """Saved story state that cannot be used (other parameters, damaged, gaps)."""


def _parts(directory: Path) -> list[tuple[int, Path]]:
    if not directory.is_dir():
        return []
    found = [(_PART.fullmatch(p.name), p) for p in directory.iterdir()]
    return sorted((int(m.group(1)), p) for m, p in found if m)


# A part file as a reader listed it: first row, inode, size, modification time.
# A part is never changed in place (a compaction renames a new part 0 over the
# old one and removes the rest), so a part with the same stamp holds the same rows.
PartStamp = tuple[int, int, int, int]


def _stamped(directory: Path) -> list[tuple[PartStamp, Path]]:
    found = []
    for start, path in _parts(directory):
        try:
            st = path.stat()
        except FileNotFoundError:  # removed by a compaction since the listing
            continue
        found.append(((start, st.st_ino, st.st_size, st.st_mtime_ns), path))
    return found


def _write(directory: Path, start: int, arrays: dict[str, np.ndarray], version: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".part-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            everything = {"version": np.array(version), "start": np.array(start), **arrays}
            np.savez(out, **everything)  # type: ignore[arg-type]  # numpy's stub types **kwds oddly
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, directory / f"part-{start:012d}.npz")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(detector: StoryDetector, directory: Path) -> int:
    """Write the rows assigned since the last save; returns how many."""
    rows = detector.rows
    start, end = rows.saved, len(rows)
    if end == start:
        return 0
    where, values = detector.counts.take_changes()
    filed = detector.unsaved_keys
    arrays: dict[str, np.ndarray] = {
        "seq": rows.seq[start:end],
        "ids": rows.ids[start:end],
        "founder": rows.founder[start:end],
        "size": rows.size[start:end],
        "signatures": rows.signatures[start:end],
        "key_rows": np.array([row for row, keys in filed for _ in keys], dtype=np.int32),
        "keys": np.concatenate([keys for _, keys in filed] + [np.zeros(0, np.uint32)]),
        "cms_where": where,
        "cms_values": values,
    }
    _write(directory, start, arrays, detector.params.version)
    rows.saved = end
    detector.unsaved_keys = []
    return end - start


def _read_parts(
    directory: Path,
    version: str,
    names: tuple[str, ...],
    parts: list[tuple[int, Path]] | None = None,
    rows: int = 0,
) -> Iterator[tuple[int, dict[str, np.ndarray]]]:
    """``names`` of every part (or of ``parts``, following ``rows`` rows read
    before) in row order, each part's first row checked against the rows
    before it (parts a compacted part covers are skipped)."""
    for start, path in _parts(directory) if parts is None else parts:
        try:
            with np.load(path, allow_pickle=False) as part:
                made_by = str(part["version"])
                if made_by != version:
                    raise StoryStateError(f"{path.name} was made by {made_by}, not {version}")
                # An npz member is read when asked for: only the arrays needed.
                data = {name: part[name] for name in ("seq", *names)}
        except (OSError, ValueError, KeyError) as exc:
            raise StoryStateError(f"{path.name} cannot be read: {exc}") from exc
        count = data["seq"].size
        if start + count <= rows:
            continue  # already covered by a compacted part (a crash during compact)
        if start != rows:
            raise StoryStateError(f"{path.name} starts at row {start}, expected {rows}")
        rows += count
        yield start, data


def _check_order(seq: np.ndarray, founder: np.ndarray) -> None:
    if not np.all(np.diff(seq) > 0) or np.any(founder > np.arange(len(seq))):
        raise StoryStateError("saved rows are out of order")


def load(directory: Path, params: StoryParams | None = None) -> StoryDetector:
    """The detector as saved in ``directory`` (empty if there is nothing)."""
    detector = StoryDetector(params)
    rows = detector.rows
    key_rows: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    for _, data in _read_parts(directory, detector.params.version, _ARRAYS[1:]):
        rows.extend(
            data["seq"],
            data["ids"],
            data["founder"],
            data["size"],
            data["signatures"],
        )
        detector.counts.apply(data["cms_where"], data["cms_values"])
        key_rows.append(data["key_rows"])
        keys.append(data["keys"])
    _check_order(rows.seq, rows.founder)
    rows.saved = len(rows)
    detector.counts.take_changes()  # loaded cells are saved already
    if keys:
        detector.heads.add_many(np.concatenate(key_rows).astype(np.int64), np.concatenate(keys))
    return detector


@dataclass(frozen=True)
class SavedRows:
    """The saved rows' ``seq``, ``ids`` and ``founder``, and the parts they were read from."""

    seq: np.ndarray
    ids: np.ndarray
    founder: np.ndarray
    parts: tuple[PartStamp, ...] = ()


_ROW_ARRAYS = (("seq", np.int64), ("ids", np.uint64), ("founder", np.int32))


def load_rows(
    directory: Path, params: StoryParams | None = None, after: SavedRows | None = None
) -> SavedRows:
    """Only the saved rows' ``seq``, ``ids`` and ``founder``: what a search needs
    to name stories, without the sketches that assigning new articles needs
    (a fraction of the state, and of the time to load it).

    Given ``after``, an earlier load of the same folder whose parts are all
    still there unchanged, only the parts saved since are read: a reader that
    follows the owner's saves (one after each upload) then reads what the
    save added, not every row of the archive again.
    """
    version = (params or StoryParams()).version
    listed = _stamped(directory)
    stamps = tuple(stamp for stamp, _ in listed)
    known = after.parts if after is not None else ()
    if not known or stamps[: len(known)] != known:
        after, known = None, ()
    new = [(stamp[0], path) for stamp, path in listed[len(known) :]]
    before = 0 if after is None else len(after.seq)
    read = [data for _, data in _read_parts(directory, version, ("ids", "founder"), new, before)]
    if after is not None and not read:
        return after
    earlier = [] if after is None else [after]
    seq, ids, founder = (
        np.concatenate([getattr(e, name) for e in earlier] + [data[name] for data in read])
        if earlier or read
        else np.zeros(0, dtype)
        for name, dtype in _ROW_ARRAYS
    )
    _check_order(seq, founder)
    return SavedRows(seq, ids, founder, stamps)


def compact(detector: StoryDetector, directory: Path) -> None:
    """Replace all parts by one holding every row and the whole count-min sketch."""
    save(detector, directory)
    rows, counts = detector.rows, detector.counts
    where = np.flatnonzero(counts.cells).astype(np.uint32)
    key_rows, keys = detector.heads.entries()
    arrays: dict[str, np.ndarray] = {
        "seq": rows.seq,
        "ids": rows.ids,
        "founder": rows.founder,
        "size": rows.size,
        "signatures": rows.signatures,
        "key_rows": key_rows,
        "keys": keys,
        "cms_where": where,
        "cms_values": counts.cells[where],
    }
    _write(directory, 0, arrays, detector.params.version)
    for start, path in _parts(directory):
        if start > 0:
            path.unlink()


def discard(directory: Path) -> None:
    """Remove saved state (before assigning the archive again)."""
    for _, path in _parts(directory):
        path.unlink()
