"""What one German word becomes in the index: its term and its compound parts.

A :class:`Words` knows the stemmer, the stop words and the lexicon
(:mod:`pressearchiv.index.lexicon`), and remembers every answer: news
vocabulary is Zipfian, so after the first few thousand articles nearly every
word is a dictionary look-up.

* :meth:`Words.term`: a lowercase word's index term. Stop words give None.
  Irregular forms of nouns and names become their lemma before Snowball
  stems them (``viren`` → ``virus``, ``kölns`` → ``köln``), also as the head
  of a compound (``testzentren`` → ``testzentrum``).
* :meth:`Words.parts`: the terms of the nouns a compound is built from
  (``maskenpflicht`` → ``mask``, ``pflicht``), see :mod:`~pressearchiv.index.compounds`.

One :class:`Words` per analyzer version and process (:func:`shared_words`):
the answers depend only on the word and the version, and an index creates a
new analyzer each time it is opened (a bulk build: once per segment), which
would otherwise learn the whole vocabulary again each time.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from pressearchiv.index.compounds import Splitter
from pressearchiv.index.lexicon import load_lexicon

__all__ = ["CACHE_MAX", "Words", "limit_caches", "shared_words", "stop_words"]

# German thousands separators: 1.000.000 is the number 1000000, not a date.
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
# Most words remembered per cache (bounded, so memory stays bounded).
CACHE_MAX = 300_000
# The bound for the Words of this process that are yet to be made (limit_caches).
_cache_max = CACHE_MAX
# Irregular heads of compounds are looked for among a word's last 5…14 letters.
_HEAD_LENGTHS = range(5, 15)


def stop_words() -> frozenset[str]:
    from whoosh.lang.stopwords import stoplists

    # "daß" is in Whoosh's list; its modern spelling is not. Lower-case "and"
    # and "or" are no operators (see query.py) and, like "und"/"oder", are
    # left out of a search.
    return frozenset(stoplists["de"]) | {"dass", "and", "or"}


@functools.cache
def shared_words(version: str) -> Words:
    """The process's :class:`Words` for an analyzer version (see the module docstring)."""
    return Words(cache_max=_cache_max)


def limit_caches(most: int) -> None:
    """Remember at most ``most`` words per cache in the :class:`Words` this
    process makes from now on (a bulk worker, whose caches would otherwise be
    most of its memory). The answers stay the same; only fewer are remembered,
    the most frequent, which come first."""
    global _cache_max
    _cache_max = most


class Words:
    """Terms and compound parts of single words, remembered (module docstring)."""

    def __init__(self, *, cache_max: int = CACHE_MAX) -> None:
        self.cache_max = cache_max
        self._stemmer: Any = None
        self.stops: frozenset[str] = frozenset()
        self._irregular: dict[str, str] = {}
        self._heads: frozenset[str] = frozenset()
        self._head_ends: frozenset[str] = frozenset()
        self._splitter: Splitter | None = None
        self._terms: dict[str, str | None] = {}
        self._parts: dict[str, tuple[str, ...]] = {}
        self._splits: dict[str, tuple[str, ...]] = {}
        # The indexing loop's cache: a word as written -> (term, parts).
        self.entries: dict[str, tuple[str, tuple[str, ...]]] = {}

    def _load(self) -> Splitter:
        import Stemmer  # PyStemmer; imported here so nothing happens at import time

        lexicon = load_lexicon()
        self._irregular = lexicon.irregular
        # Irregular forms that can end a compound (Zentren in Impfzentren).
        self._heads = frozenset(f for f in lexicon.irregular if f in lexicon.nouns)
        # Their last five letters: a word ending in none of them ends in no
        # head, which one look-up tells (instead of one per head length).
        self._head_ends = frozenset(h[-5:] for h in self._heads if len(h) in _HEAD_LENGTHS)
        self.stops = stop_words()
        self._stemmer = Stemmer.Stemmer("german")
        self._splitter = Splitter(lexicon)
        return self._splitter

    def term(self, word: str) -> str | None:
        """The index term for one lowercase word without hyphens, or None for a stop word."""
        cache = self._terms
        try:
            return cache[word]
        except KeyError:
            pass
        if self._splitter is None:
            self._load()
        result: str | None
        if word in self.stops:
            result = None
        elif word.isdigit():
            result = word
        elif word[0].isdigit() and ("." in word or "," in word or ":" in word or "/" in word):
            result = word.replace(".", "") if _THOUSANDS.fullmatch(word) else word
        elif len(word) < 2:
            result = None
        elif "." in word:  # an abbreviation like z.b.
            result = word.replace(".", "")
        else:
            result = self._stemmer.stemWord(self._lemma(word))
        if len(cache) < self.cache_max:
            cache[word] = result
        return result

    def _lemma(self, word: str) -> str:
        """The word to stem: an irregular form's lemma (``viren`` → ``virus``),
        also as the head of a compound (``testzentren`` → ``testzentrum``)."""
        lemma = self._irregular.get(word)
        if lemma is not None:
            return lemma
        heads = self._heads
        # Split only a word that ends like an irregular head (cheap to see).
        if (
            len(word) > 7
            and word[-5:] in self._head_ends
            and any(word[-n:] in heads for n in _HEAD_LENGTHS if n < len(word) - 2)
        ):
            parts = self._split(word)
            if parts and parts[-1] in heads:
                return word[: len(word) - len(parts[-1])] + self._irregular[parts[-1]]
        return word

    def _split(self, word: str) -> tuple[str, ...]:
        # Asked twice per word (for its term and for its parts): remembered.
        found = self._splits.get(word)
        if found is None:
            splitter = self._splitter or self._load()
            found = splitter.split(word)
            if len(self._splits) < self.cache_max:
                self._splits[word] = found
        return found

    def parts(self, word: str) -> tuple[str, ...]:
        """The terms of the nouns a lowercase compound is built from, or ``()``."""
        found = self._parts.get(word)
        if found is not None:
            return found
        splitter = self._splitter or self._load()
        pieces = self._split(word)
        terms: dict[str, None] = {}
        for i, piece in enumerate(pieces):
            t = self.term(splitter.base(piece, head=i == len(pieces) - 1))
            if t is not None:
                terms[t] = None
        found = tuple(terms)
        if len(self._parts) < self.cache_max:
            self._parts[word] = found
        return found
