""" "Meinten Sie …?": the closest frequent real word for each unknown query word.

Bounded in work, whatever the query: Whoosh's own ``terms_within`` walks a
pure-Python Levenshtein automaton over the lexicon and took 5–8 s for one very
long word or dozens of typos (issue 12). Here the candidates are the spelling
terms with the word's first letter, grouped by length once per index
generation, and only those within two letters of the word's length are
compared, by RapidFuzz's Damerau–Levenshtein in C with a cut-off. A word longer
than every real word plus two has no candidates at all and costs nothing. At
most :data:`MAX_CORRECTED_WORDS` words are looked at, and the deadline of the
search is checked before each one.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from whoosh.reading import IndexReader

from pressearchiv.index.analysis import GermanAnalyzer

__all__ = ["MAX_CORRECTED_WORDS", "MAX_DISTANCE", "SpellingLexicon", "suggest"]

SPELL_FIELD = "spell"
# Two typos ("Regeirung" is one: a swapped pair counts once) is what a reader
# still recognises as the word meant.
MAX_DISTANCE = 2
# Unknown words looked at per query; the rest stay as typed.
MAX_CORRECTED_WORDS = 8
# Nearest candidates ranked by frequency (each rank is one look-up).
MAX_RANKED = 50


class SpellingLexicon:
    """The spelling terms of one index generation, by first letter and length.

    Built lazily, one first letter at a time, because a search needs only the
    letters of its unknown words; a race only builds the same bucket twice.
    """

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader
        self._buckets: dict[str, dict[int, list[str]]] = {}
        self._lock = threading.Lock()

    def candidates(self, word: str, deadline: float) -> list[str]:
        """Spelling terms starting like ``word`` whose length is within reach of it.

        Reading a first letter's terms is the one step that grows with the
        index; if the deadline passes during it, this search gets no
        candidates and the bucket is left for the next one to read.
        """
        initial = word[:1]
        bucket = self._buckets.get(initial)
        if bucket is None:
            bucket = self._bucket(initial, deadline)
            if bucket is None:
                return []
            with self._lock:
                self._buckets[initial] = bucket
        found: list[str] = []
        for length in range(len(word) - MAX_DISTANCE, len(word) + MAX_DISTANCE + 1):
            found.extend(bucket.get(length, ()))
        return found

    def _bucket(self, initial: str, deadline: float) -> dict[int, list[str]] | None:
        by_length: dict[int, list[str]] = defaultdict(list)
        if not initial:
            return by_length
        for n, raw in enumerate(self._reader.expand_prefix(SPELL_FIELD, initial)):
            if n % 1024 == 0 and time.monotonic() > deadline:
                return None
            term = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            by_length[len(term)].append(term)
        return dict(by_length)


def suggest(
    reader: IndexReader,
    lexicon: SpellingLexicon,
    analyzer: GermanAnalyzer,
    text: str,
    words: tuple[str, ...],
    deadline: float,
) -> str | None:
    """``text`` with unknown words replaced by the closest frequent real word, or None.

    A word is unknown when neither it nor its stem occurs in the index, so an
    inflected form of an indexed word is never "corrected". Nothing is
    suggested for words that no real word resembles, and the search's
    ``deadline`` (``time.monotonic()``) ends the look-up with what was found.
    """
    suggestion = text
    looked_at = 0
    for word in words:
        if looked_at >= MAX_CORRECTED_WORDS or time.monotonic() > deadline:
            break
        lower = word.lower()
        if reader.doc_frequency(SPELL_FIELD, lower) > 0:
            continue
        term = analyzer.term(lower)
        if term is None or any(reader.doc_frequency(f, term) for f in ("title", "body")):
            continue
        looked_at += 1
        replacement = _closest(reader, lexicon, lower, deadline)
        if replacement is None:
            continue
        if word[:1].isupper():
            replacement = replacement[:1].upper() + replacement[1:]
        suggestion = re.sub(rf"\b{re.escape(word)}\b", replacement, suggestion, count=1)
    return suggestion if suggestion != text else None


def _closest(
    reader: IndexReader, lexicon: SpellingLexicon, word: str, deadline: float
) -> str | None:
    """The nearest candidate, the more frequent one among equally near ones."""
    candidates = lexicon.candidates(word, deadline)
    if not candidates:
        return None
    near = process.extract(
        word,
        candidates,
        scorer=DamerauLevenshtein.distance,
        score_cutoff=MAX_DISTANCE,
        limit=MAX_RANKED,
    )
    best: tuple[int, int, str] | None = None
    for candidate, distance, _ in near:
        rank = (int(distance), -reader.doc_frequency(SPELL_FIELD, candidate), candidate)
        if best is None or rank < best:
            best = rank
    return None if best is None else best[2]
