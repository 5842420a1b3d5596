"""The detector's per-article rows: flat numpy arrays that grow by doubling.

Row ``r`` is the ``r``-th article assigned, so rows are in ``seq`` order.
Per row: the article id (16 hex digits, kept as a 64-bit integer), its
``seq``, the row of its story's first article (``founder``), the number of
content shingles, and the text signature (16-bit values): 152 bytes with
the default 64 permutations. The head keys live in the detector's
:class:`~pressearchiv.index.story_bands.KeyIndex` (measured bytes per
article in docs/benchmarks.md).
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from pressearchiv.index.sketches import Signature

__all__ = ["StoryRows", "article_number"]

_ARTICLE_ID = re.compile(r"[0-9a-f]{16}")
# Ids of rows added since the sorted lookup arrays were last rebuilt.
_RECENT_MAX = 8192


def article_number(article_id: str) -> int:
    """The archive's article id (16 lowercase hex digits) as an integer."""
    if not _ARTICLE_ID.fullmatch(article_id):
        raise ValueError(f"{article_id!r} is not an article id (16 hex digits)")
    return int(article_id, 16)


class StoryRows:
    """Growable columns of the detector (see the module docstring)."""

    def __init__(self, perms: int) -> None:
        self._n = 0
        self._seq = np.zeros(0, dtype=np.int64)
        self._ids = np.zeros(0, dtype=np.uint64)
        self._founder = np.zeros(0, dtype=np.int32)
        self._size = np.zeros(0, dtype=np.uint32)
        self._signatures = np.zeros((0, perms), dtype=np.uint16)
        self._recent: dict[int, int] = {}
        self._sorted_ids = np.zeros(0, dtype=np.uint64)
        self._sorted_rows = np.zeros(0, dtype=np.int64)
        self.saved = 0  # rows already written by story_files.save

    def __len__(self) -> int:
        return self._n

    @property
    def last_seq(self) -> int:
        return int(self._seq[self._n - 1]) if self._n else 0

    @property
    def seq(self) -> npt.NDArray[np.int64]:
        return self._seq[: self._n]

    @property
    def ids(self) -> npt.NDArray[np.uint64]:
        return self._ids[: self._n]

    @property
    def founder(self) -> npt.NDArray[np.int32]:
        return self._founder[: self._n]

    @property
    def size(self) -> npt.NDArray[np.uint32]:
        return self._size[: self._n]

    @property
    def signatures(self) -> Signature:
        return self._signatures[: self._n]

    @property
    def nbytes(self) -> int:
        arrays = (self.seq, self.ids, self.founder, self.size, self.signatures)
        return sum(a.nbytes for a in arrays) + self._sorted_ids.nbytes * 2

    def article_id(self, row: int) -> str:
        return f"{int(self._ids[row]):016x}"

    def append(
        self,
        article_id: str,
        seq: int,
        founder: int,
        size: int,
        signature: Signature | None,
    ) -> int:
        number = article_number(article_id)
        row = self._n
        if row == self._seq.size:
            self._grow(max(1024, 2 * row))
        self._seq[row], self._ids[row], self._founder[row] = seq, number, founder
        self._size[row] = size
        if signature is not None:
            self._signatures[row] = signature
        self._n += 1
        self._recent[number] = row
        if len(self._recent) > _RECENT_MAX:
            self._reindex()
        return row

    def extend(
        self,
        seq: npt.NDArray[np.int64],
        ids: npt.NDArray[np.uint64],
        founder: npt.NDArray[np.int32],
        size: npt.NDArray[np.uint32],
        signatures: Signature,
    ) -> None:
        """Append saved rows in bulk (loading)."""
        count, start = seq.size, self._n
        if start + count > self._seq.size:
            self._grow(max(1024, start + count))
        end = start + count
        self._seq[start:end], self._ids[start:end] = seq, ids
        self._founder[start:end], self._size[start:end] = founder, size
        self._signatures[start:end] = signatures
        self._n = end
        self._reindex()

    def row_of(self, article_id: str) -> int | None:
        number = article_number(article_id)
        row = self._recent.get(number)
        if row is not None:
            return row
        at = int(np.searchsorted(self._sorted_ids, np.uint64(number)))
        if at < self._sorted_ids.size and int(self._sorted_ids[at]) == number:
            return int(self._sorted_rows[at])
        return None

    def founder_seqs(self, seqs: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """For each article ``seq``, the ``seq`` of its story's first article; -1 if unknown.

        Vectorised (rows are sorted by seq), for per-document numpy columns.
        """
        at = np.searchsorted(self.seq, seqs)
        inside = at < self._n
        at = np.minimum(at, max(self._n - 1, 0))
        known = inside & (self.seq[at] == seqs) if self._n else np.zeros(seqs.shape, bool)
        founders = self.seq[self.founder[at]] if self._n else np.zeros(seqs.shape, np.int64)
        return np.where(known, founders, -1).astype(np.int64)

    def _grow(self, capacity: int) -> None:
        def grown(array: np.ndarray) -> np.ndarray:
            bigger = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
            bigger[: self._n] = array[: self._n]
            return bigger

        self._seq, self._ids = grown(self._seq), grown(self._ids)
        self._founder, self._size = grown(self._founder), grown(self._size)
        self._signatures = grown(self._signatures)

    def _reindex(self) -> None:
        order = np.argsort(self.ids, kind="stable")
        self._sorted_ids, self._sorted_rows = self.ids[order], order.astype(np.int64)
        self._recent = {}
