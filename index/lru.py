"""A least-recently-used store of numpy arrays, bounded by their size.

The index keeps several caches of arrays computed from immutable segments (a
term's postings, a word's scores); each is bounded by the bytes its arrays
hold, counted in 8-byte units (a document number and a frequency; a position
key; a row and a score), and forgets the least recently used entry first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["ArrayLru", "units"]


class ArrayLru:
    """Arrays under keys, least recently used first, within ``max_units``.

    Not locked: its owner's lock guards it. An entry larger than the whole
    budget is still kept (alone): the search that computed it needs it, and
    the next one may too.
    """

    def __init__(self, max_units: int) -> None:
        self.max = max_units
        self.held = 0
        self.entries: OrderedDict[Any, tuple[np.ndarray, ...]] = OrderedDict()

    def get(self, key: Any) -> tuple[np.ndarray, ...] | None:
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def put(self, key: Any, arrays: tuple[np.ndarray, ...]) -> None:
        if key in self.entries:
            return  # another thread computed it meanwhile
        self.entries[key] = arrays
        self.held += units(arrays)
        self._evict()

    def resize(self, max_units: int) -> None:
        """A new budget; entries over it go at once, the oldest first."""
        self.max = max_units
        self._evict()

    def keep(self, wanted: Callable[[Any], bool]) -> None:
        """Drop the entries not ``wanted``."""
        for gone in [key for key in self.entries if not wanted(key)]:
            self.held -= units(self.entries.pop(gone))

    def _evict(self) -> None:
        while self.held > self.max and len(self.entries) > 1:
            _, evicted = self.entries.popitem(last=False)
            self.held -= units(evicted)


def units(arrays: tuple[np.ndarray, ...]) -> int:
    """What an entry counts against a budget: its bytes in 8-byte units."""
    return sum(a.nbytes for a in arrays) // 8
