"""Small, deterministic sketches over 64-bit shingle hashes: MinHash and count-min.

:class:`MinHasher` turns a set of shingle hashes into a MinHash signature:
for each of ``perms`` permutations ``h -> a*h + b (mod 2**32)`` (``a`` odd,
so each is a bijection) the smallest permuted value. Two signatures agree in
a position with probability equal to the Jaccard similarity of the two sets.
This is the ``affine32`` scheme of datasketch 2.x; we compute it in one numpy
expression instead of datasketch's per-value Python calls (measured: 570 µs
per 600-shingle article with datasketch, ~100 µs here, see
docs/benchmarks.md), and we keep the signatures in flat arrays rather than
one object per article.

:class:`CountMin` estimates how often a shingle was counted before,
in a fixed amount of memory: a count-min sketch with conservative update and
saturating 8-bit counters. It never underestimates, so "seen in at least N
articles" may wrongly hold for a rare shingle only when all of its cells
collide with frequent shingles.

Both draw their parameters from a seed through splitmix64, never from a
random generator whose stream could change between numpy versions: the same
seed gives the same sketches on every machine, forever.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pressearchiv.index.shingles import UInt64Array, mix64

__all__ = ["CountMin", "MinHasher", "Signature", "agreement"]

# Signatures keep the low 16 bits of each minimum: two articles then agree in
# a position with probability J + (1 - J) / 65536 instead of J, which no
# threshold here can tell apart, at half the memory of 32-bit values.
Signature = npt.NDArray[np.uint16]


def _seeded(seed: int, count: int, salt: int) -> UInt64Array:
    base = np.arange(count, dtype=np.uint64) + np.uint64(salt * 1_000_003 + seed * 7_919)
    return mix64(mix64(base))


class MinHasher:
    """MinHash signatures of ``perms`` values (16-bit, see :data:`Signature`)."""

    def __init__(self, perms: int, seed: int, salt: int = 0) -> None:
        if perms < 1:
            raise ValueError("a signature needs at least one permutation")
        self.perms = perms
        self._a = ((_seeded(seed, perms, 2 * salt + 1) >> np.uint64(32)) | np.uint64(1)).astype(
            np.uint32
        )
        self._b = (_seeded(seed, perms, 2 * salt + 2) >> np.uint64(32)).astype(np.uint32)

    def signature(self, shingles: UInt64Array) -> Signature:
        """The signature of a non-empty set of shingle hashes."""
        if shingles.size == 0:
            raise ValueError("an empty set has no MinHash signature")
        # The low 32 bits of a mixed 64-bit hash are as good as any 32 bits;
        # uint32 arithmetic wraps modulo 2**32 by itself.
        values = shingles.astype(np.uint32)[:, None]
        with np.errstate(over="ignore"):
            permuted = values * self._a + self._b
        signature: Signature = permuted.min(axis=0).astype(np.uint16)
        return signature


def agreement(signature: Signature, others: Signature) -> npt.NDArray[np.float64]:
    """Fraction of equal positions between one signature and each row of ``others``:
    the MinHash estimate of their Jaccard similarity."""
    result: npt.NDArray[np.float64] = (others == signature[None, :]).mean(axis=1)
    return result


class CountMin:
    """Saturating 8-bit count-min sketch of ``depth`` rows of ``2**width_bits`` cells."""

    def __init__(self, width_bits: int, depth: int, seed: int) -> None:
        if not 8 <= width_bits <= 30 or depth < 1:
            raise ValueError("count-min needs 2**8..2**30 cells per row and one row or more")
        self.width_bits = width_bits
        self.depth = depth
        self.cells = np.zeros(depth << width_bits, dtype=np.uint8)
        # Which cells changed since the last take_changes() (for saving). A
        # mask, one byte per cell: listing the changed indices instead and
        # sorting them out at each save (np.unique over millions of entries)
        # took a quarter of a story catch-up's time.
        self._changed = np.zeros(self.cells.size, dtype=bool)
        self._salts = _seeded(seed, depth, 99)

    def cells_of(self, shingles: UInt64Array) -> npt.NDArray[np.int64]:
        """The cells of each shingle, one row per sketch row (pass to the methods below)."""
        # Row r hashes with h1 + r * h2 (Kirsch and Mitzenmacher's double
        # hashing): one mixing pass for all rows. Shingle hashes are mixed
        # already, so they serve as h1.
        shift = np.uint64(64 - self.width_bits)
        h2 = mix64(shingles ^ self._salts[0]) | np.uint64(1)
        with np.errstate(over="ignore"):
            rows = [
                ((shingles + np.uint64(row) * h2) >> shift).astype(np.int64)
                + (row << self.width_bits)
                for row in range(self.depth)
            ]
        return np.stack(rows) if rows else np.zeros((0, 0), dtype=np.int64)

    def estimate(self, cells: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
        """Upper bounds of the counts of distinct shingles (their ``cells_of``)."""
        if cells.size == 0:
            return np.zeros(cells.shape[1] if cells.ndim == 2 else 0, dtype=np.uint8)
        result: npt.NDArray[np.uint8] = self.cells[cells].min(axis=0)
        return result

    def add(self, cells: npt.NDArray[np.int64]) -> None:
        """Count each of some distinct shingles (their ``cells_of``) once more,
        by conservative update."""
        if cells.size == 0:
            return
        current = self.cells[cells].min(axis=0)
        target = np.minimum(current.astype(np.uint16) + 1, 255).astype(np.uint8)
        # Only cells below the new estimate rise: this keeps collisions from
        # inflating counts (two shingles in one cell raise it once, not twice).
        flat = cells.ravel()
        wanted = np.broadcast_to(target, cells.shape).ravel()
        rise = self.cells[flat] < wanted
        flat, wanted = flat[rise], wanted[rise]
        # Where two shingles of this article share a cell, the larger target wins.
        np.maximum.at(self.cells, flat, wanted)
        self._changed[flat] = True

    def take_changes(self) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint8]]:
        """(cells, values) changed since the last call, and forget them."""
        where = np.flatnonzero(self._changed)
        if where.size > self._changed.size // 64:
            self._changed.fill(False)
        else:
            self._changed[where] = False
        return where.astype(np.uint32), self.cells[where]

    def apply(self, where: npt.NDArray[np.uint32], values: npt.NDArray[np.uint8]) -> None:
        """Replay changes returned by :meth:`take_changes` (when loading)."""
        self.cells[where.astype(np.int64)] = values
