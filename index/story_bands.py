"""An inverted index from 32-bit keys to rows, in flat sorted numpy arrays.

The story detector files each article under a sample of the shingles of its
head (see :mod:`pressearchiv.index.stories`); the articles sharing a key
with a new one are its candidates, and how many keys they share is the
first test of the confirmation.

datasketch's ``MinHashLSH`` keeps a dict of byte strings per band and a set
per bucket: 5.1 kB per article measured at 64 permutations, 5 GB at a
million articles. Here a key costs 8 bytes (key and row).

New entries collect in a pending buffer; every :data:`RUN_ENTRIES` they
become a sorted run, and runs of similar size merge (as in a log-structured
merge tree), so adding costs amortised O(log n) and a lookup is one
``searchsorted`` per run, over a handful of runs. A key shared by very many
rows (text that slipped past the boilerplate filter) yields only its
``max_bucket`` most recent rows, which bounds the work per lookup.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["RUN_ENTRIES", "KeyIndex"]

RUN_ENTRIES = 1 << 12

Int64Array = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
KeyArray = npt.NDArray[np.uint32]


class KeyIndex:
    """Rows filed under any number of 32-bit keys each."""

    def __init__(self, max_bucket: int = 64) -> None:
        self.max_bucket = max_bucket
        self._runs: list[tuple[KeyArray, Int32Array]] = []  # (sorted keys, rows)
        self._pending_keys = np.zeros(RUN_ENTRIES, dtype=np.uint32)
        self._pending_rows = np.zeros(RUN_ENTRIES, dtype=np.int32)
        self._pending = 0
        # The same pending entries by key, for lookups (a dict beats any numpy
        # search over a buffer that changes with every article).
        self._pending_by_key: dict[int, list[int]] = {}

    def add(self, row: int, keys: KeyArray) -> None:
        if keys.size == 0:
            return
        if self._pending + keys.size > RUN_ENTRIES:
            self._flush()
        end = self._pending + keys.size
        self._pending_keys[self._pending : end] = keys
        self._pending_rows[self._pending : end] = row
        self._pending = end
        for key in keys.tolist():
            self._pending_by_key.setdefault(key, []).append(row)

    def add_many(self, rows: Int64Array, keys: KeyArray) -> None:
        """File ``rows[i]`` under ``keys[i]`` for all i at once (loading)."""
        if rows.size:
            self._flush()
            self._push(rows.astype(np.int32), keys.astype(np.uint32))

    def matches(self, keys: KeyArray) -> tuple[Int64Array, Int64Array]:
        """Rows sharing at least one of the distinct ``keys``, ascending, and how many."""
        found: list[Int32Array] = []
        cap = self.max_bucket
        for run_keys, run_rows in self._runs:
            left = np.searchsorted(run_keys, keys, "left")
            right = np.searchsorted(run_keys, keys, "right")
            present = np.flatnonzero(right > left)  # most keys are in no run
            for lo, hi in zip(left[present].tolist(), right[present].tolist(), strict=True):
                found.append(run_rows[max(lo, hi - cap) : hi])
        if self._pending_by_key:
            pending = self._pending_by_key
            for key in keys.tolist():
                filed = pending.get(key)
                if filed is not None:  # the same cap as for the runs: the most recent
                    found.append(np.asarray(filed[-cap:], dtype=np.int32))
        if not found:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        rows, counts = np.unique(np.concatenate(found), return_counts=True)
        return rows.astype(np.int64), counts.astype(np.int64)

    def _flush(self) -> None:
        if not self._pending:
            return
        rows = self._pending_rows[: self._pending].copy()
        keys = self._pending_keys[: self._pending].copy()
        self._pending = 0
        self._pending_by_key = {}
        self._push(rows, keys)

    def _push(self, rows: Int32Array, keys: KeyArray) -> None:
        order = np.lexsort((rows, keys))  # by key, rows ascending within a key
        self._runs.append((keys[order], rows[order]))
        # Merge while the newest run is as large as the one before it.
        while len(self._runs) > 1 and self._runs[-1][0].size * 2 >= self._runs[-2][0].size:
            (k2, r2), (k1, r1) = self._runs.pop(), self._runs.pop()
            keys_all, rows_all = np.concatenate((k1, k2)), np.concatenate((r1, r2))
            order = np.lexsort((rows_all, keys_all))
            self._runs.append((keys_all[order], rows_all[order]))

    def entries(self) -> tuple[Int32Array, KeyArray]:
        """Every (row, key) filed, in no particular order (compacting saved state)."""
        rows = [r for _, r in self._runs] + [self._pending_rows[: self._pending]]
        keys = [k for k, _ in self._runs] + [self._pending_keys[: self._pending]]
        return np.concatenate(rows), np.concatenate(keys)

    @property
    def nbytes(self) -> int:
        runs = sum(k.nbytes + r.nbytes for k, r in self._runs)
        return runs + self._pending_keys.nbytes + self._pending_rows.nbytes
