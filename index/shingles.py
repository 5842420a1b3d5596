"""Word shingles of an article text, hashed to 64-bit integers with numpy.

Near-duplicate detection (:mod:`pressearchiv.index.stories`) compares articles
by the runs of consecutive words they share. The text is normalised first, so
that two outlets printing the same agency copy produce the same shingles:

- Unicode NFKC and lower case (``„Maske“`` and ``"maske"`` are one word);
- a word is a run of letters or digits; everything else separates words, so
  quotes, dashes, brackets and line wraps do not matter;
- separators *inside* a number go (``13.789``, ``13 789`` and ``13789`` are
  all ``13789``; ``2,5`` is ``25``), because outlets format numbers
  differently.

Hashing runs over the whole text at once instead of word by word in Python:
every character's code point enters a polynomial hash per word, computed
from prefix sums modulo 2**64, and a shingle's hash combines the hashes of
its words. A 4,000-character article takes a few dozen microseconds.
The hashes are only compared with each other, never stored as text, and
they are deterministic across processes and machines (no salted ``hash()``).
"""

from __future__ import annotations

import unicodedata

import numpy as np
import numpy.typing as npt

__all__ = ["UInt64Array", "mix64", "shingle_hashes", "word_hashes"]

UInt64Array = npt.NDArray[np.uint64]

# Code points up to here are classified with str.isalnum once; above, every
# code point counts as a word character (CJK and other scripts rarely appear
# in German news, and never as punctuation that matters).
_TABLE_SIZE = 0x3000
_BASE = np.uint64(0x100000001B3)  # odd, so it has an inverse modulo 2**64
_MIX = np.uint64(0x9E3779B97F4A7C15)
# Characters dropped between two digits: thousands and decimal separators.
_NUMBER_SEPARATORS = ".,'\u00a0\u202f\u2009 "


def _word_table() -> npt.NDArray[np.bool_]:
    table = np.zeros(_TABLE_SIZE, dtype=np.bool_)
    for code in range(_TABLE_SIZE):
        table[code] = chr(code).isalnum()
    return table


class _Tables:
    """Lookup tables built on first use (no work at import time)."""

    word: npt.NDArray[np.bool_] | None = None
    separator: npt.NDArray[np.bool_] | None = None

    @classmethod
    def get(cls) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        if cls.word is None or cls.separator is None:
            separator = np.zeros(_TABLE_SIZE, dtype=np.bool_)
            separator[[ord(c) for c in _NUMBER_SEPARATORS]] = True
            cls.word, cls.separator = _word_table(), separator
        return cls.word, cls.separator


def mix64(values: UInt64Array) -> UInt64Array:
    """The splitmix64 finaliser: spreads every input bit over all output bits."""
    with np.errstate(over="ignore"):
        z = values + _MIX
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _code_points(text: str) -> npt.NDArray[np.uint32]:
    folded = unicodedata.normalize("NFKC", text).lower()
    return np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32)


def _powers(base: np.uint64, count: int) -> UInt64Array:
    """base**0 … base**(count-1) modulo 2**64 (numpy integer arrays wrap)."""
    factors = np.full(count, base, dtype=np.uint64)
    factors[0] = 1
    return np.cumprod(factors, dtype=np.uint64)


def word_hashes(text: str) -> UInt64Array:
    """One 64-bit hash per word of the normalised text, in text order."""
    codes = _code_points(text)
    if codes.size == 0:
        return np.zeros(0, dtype=np.uint64)
    word_table, separator_table = _Tables.get()
    small = np.minimum(codes, _TABLE_SIZE - 1)
    is_word = np.where(codes < _TABLE_SIZE, word_table[small], True)
    is_digit = (codes >= ord("0")) & (codes <= ord("9"))
    # A separator between two digits joins the number instead of splitting it.
    inner = np.zeros_like(is_word)
    inner[1:-1] = separator_table[small[1:-1]] & is_digit[:-2] & is_digit[2:]
    keep = ~inner
    codes, is_word = codes[keep], is_word[keep]
    if not is_word.any():
        return np.zeros(0, dtype=np.uint64)
    # Word boundaries: where is_word switches on (start) and off (end).
    edges = np.diff(np.concatenate(([False], is_word, [False])).astype(np.int8))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    with np.errstate(over="ignore"):
        # prefix[i] = sum of code[k] * BASE**k for k < i, modulo 2**64; a
        # word's hash is its slice of that sum, shifted back to power 0.
        powers = _powers(_BASE, codes.size)
        prefix = np.zeros(codes.size + 1, dtype=np.uint64)
        np.cumsum(codes.astype(np.uint64) * powers, out=prefix[1:])
        inverse_powers = _powers(np.uint64(pow(int(_BASE), -1, 1 << 64)), codes.size)
        raw = (prefix[ends] - prefix[starts]) * inverse_powers[starts]
        # The length keeps "ab" apart from "a" followed by a zero code point.
        return mix64(raw ^ (ends - starts).astype(np.uint64))


def shingle_hashes(text: str, size: int) -> UInt64Array:
    """Hashes of every run of ``size`` consecutive words, in text order.

    A text shorter than ``size`` words gives one shingle of all its words;
    an empty text gives none.
    """
    if size < 1:
        raise ValueError("a shingle has at least one word")
    words = word_hashes(text)
    if words.size == 0:
        return words
    count = max(1, words.size - size + 1)
    with np.errstate(over="ignore"):
        acc = np.zeros(count, dtype=np.uint64)
        for offset in range(min(size, words.size)):
            acc = acc * _BASE + words[offset : offset + count]
    return mix64(acc)
