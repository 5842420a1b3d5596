"""Locality-sensitive hashing of MinHash signatures in flat numpy arrays.

A signature is cut into ``bands`` bands of ``rows`` values; two articles
become candidates when all values of at least one band agree. Each band is
reduced to a 32-bit key, ``band << 27 | 27 bits of hash(values)``, so one
sorted array of keys serves every band, and a lookup is one ``searchsorted``
per run. (27 bits give a spurious match per band once in 130 million rows
per row filed, i.e. < 1 % of lookups at a million articles; the detector's
confirmation step discards such candidates.)

datasketch's ``MinHashLSH`` keeps a dict of byte strings per band and a set
per bucket: 5.1 kB per article measured at 64 permutations, 5 GB at a
million articles. Here an article costs 8 bytes per band (key and row).

New rows collect in a pending buffer; every :data:`RUN_ROWS` they become a
sorted run, and runs of similar size merge (as in a log-structured merge
tree), so adding costs amortised O(log n) and a lookup touches a few runs.
A bucket shared by very many articles (text that slipped past the
boilerplate filter) yields only its ``max_bucket`` most recent rows, which
bounds the work per lookup.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pressearchiv.index.shingles import mix64

__all__ = ["RUN_ROWS", "BandIndex"]

RUN_ROWS = 4096

Int64Array = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
KeyArray = npt.NDArray[np.uint32]

_HASH_BITS = 27
MAX_BANDS = 32


class BandIndex:
    """Rows (ints) filed under the band keys of their signatures."""

    def __init__(self, bands: int, rows: int, max_bucket: int = 64) -> None:
        if not 1 <= bands <= MAX_BANDS or rows < 1:
            raise ValueError(f"1..{MAX_BANDS} bands of one value or more")
        self.bands = bands
        self.rows = rows
        self.max_bucket = max_bucket
        self._runs: list[tuple[KeyArray, Int32Array]] = []  # (sorted keys, rows)
        # The pending buffer: RUN_ROWS rows of keys, the first _pending in use.
        self._pending_keys = np.zeros((RUN_ROWS, bands), dtype=np.uint32)
        self._pending_rows = np.zeros(RUN_ROWS, dtype=np.int32)
        self._pending = 0

    def keys(self, signatures: npt.NDArray[np.uint16]) -> KeyArray:
        """Band keys of one signature (shape ``(bands,)``) or of many (``(n, bands)``)."""
        single = signatures.ndim == 1
        sig = np.atleast_2d(signatures)[:, : self.bands * self.rows].astype(np.uint64)
        parts = sig.reshape(sig.shape[0], self.bands, self.rows)
        acc = np.zeros(parts.shape[:2], dtype=np.uint64)
        for r in range(self.rows):
            acc = mix64(acc ^ parts[:, :, r])
        band = np.arange(self.bands, dtype=np.uint64)[None, :] << np.uint64(_HASH_BITS)
        keys = ((acc >> np.uint64(64 - _HASH_BITS)) | band).astype(np.uint32)
        return keys[0] if single else keys

    def add(self, row: int, keys: KeyArray) -> None:
        self._pending_keys[self._pending] = keys
        self._pending_rows[self._pending] = row
        self._pending += 1
        if self._pending == RUN_ROWS:
            self._flush()

    def add_many(self, rows: Int64Array, keys: KeyArray) -> None:
        """File many rows at once (``keys`` of shape ``(n, bands)``), e.g. when loading."""
        if rows.size:
            self._flush()
            self._push(np.repeat(rows.astype(np.int32), self.bands), keys.ravel())

    def candidates(self, keys: KeyArray) -> Int64Array:
        """Distinct rows sharing at least one band key, ascending."""
        found: list[npt.NDArray[np.int32]] = []
        cap = self.max_bucket
        for run_keys, run_rows in self._runs:
            left = np.searchsorted(run_keys, keys, "left")
            right = np.searchsorted(run_keys, keys, "right")
            for lo, hi in zip(left.tolist(), right.tolist(), strict=True):
                if hi > lo:
                    found.append(run_rows[max(lo, hi - cap) : hi])
        if self._pending:
            hits = self._pending_keys[: self._pending] == keys[None, :]
            for band in np.flatnonzero(hits.any(axis=0)).tolist():
                found.append(self._pending_rows[: self._pending][hits[:, band]][-cap:])
        if not found:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate(found)).astype(np.int64)

    def _flush(self) -> None:
        if not self._pending:
            return
        rows = np.repeat(self._pending_rows[: self._pending], self.bands)
        keys = self._pending_keys[: self._pending].ravel().copy()
        self._pending = 0
        self._push(rows, keys)

    def _push(self, rows: Int32Array, keys: KeyArray) -> None:
        order = np.argsort(keys, kind="stable")  # rows stay ascending within a key
        self._runs.append((keys[order], rows[order]))
        # Merge while the newest run is as large as the one before it.
        while len(self._runs) > 1 and self._runs[-1][0].size * 2 >= self._runs[-2][0].size:
            (k2, r2), (k1, r1) = self._runs.pop(), self._runs.pop()
            keys_all, rows_all = np.concatenate((k1, k2)), np.concatenate((r1, r2))
            order = np.lexsort((rows_all, keys_all))
            self._runs.append((keys_all[order], rows_all[order]))

    @property
    def nbytes(self) -> int:
        runs = sum(k.nbytes + r.nbytes for k, r in self._runs)
        return runs + self._pending_keys.nbytes + self._pending_rows.nbytes
