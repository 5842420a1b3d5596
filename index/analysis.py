"""German text analysis: one regex pass, lowercase, stop words, Snowball stemming.

The same :class:`GermanAnalyzer` turns article text into index terms and query
words into search terms, so that inflected forms and spelling variants meet:

>>> a = GermanAnalyzer()
>>> [a.term(w) for w in ("gespräch", "gesprächen", "außenminister", "aussenminister")]
['gesprach', 'gesprach', 'aussenminist', 'aussenminist']

Snowball's German stemmer (through PyStemmer, a C extension) already folds
ß→ss, ä/ö/ü→a/o/u and ae/oe/ue→a/o/u, so ``Müller`` and ``Mueller`` meet.
Irregular forms meet through their lemma (``Viren``/``Virus``), and the
parts of compounds (``Maskenpflicht`` → ``mask``, ``pflicht``) go to a field
of their own: both live in :mod:`pressearchiv.index.words`. One indexing pass
over a text gives its terms and its compound parts (:meth:`GermanAnalyzer.term_positions`).

Hyphenated compounds are indexed by their parts *and* as a whole: the index
gets ``ukrain``, ``konflikt`` and ``ukrainekonflikt`` for ``Ukraine-Konflikt``.
Queries only split into parts; :mod:`pressearchiv.index.query` adds the whole word itself.

Stop words (``die``, ``wird``, ``das``) are indexed too, unstemmed and marked
with :data:`STOP_MARK`, and take positions like every other word, so an exact
phrase matches exactly: ``"Wir schaffen das"`` needs all three words in that
order. Single query words leave them out (:meth:`GermanAnalyzer.query_terms`):
"die Regierung" searches for ``regier`` only.

Whoosh pickles the schema, analyzer included, into the index. A PyStemmer
object cannot be pickled, so the word knowledge is looked up lazily and
left out of the pickle; only :attr:`GermanAnalyzer.version` is stored, which is
how an index notices that it was built by a different analyzer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Analyzer, Token

from pressearchiv.index.words import Words, shared_words, stop_words

__all__ = ["ANALYZER_VERSION", "STOP_MARK", "GermanAnalyzer", "fold"]

# Bump whenever a change here would give a document different terms: an index
# built with another version is rebuilt on open.
ANALYZER_VERSION = "de-6"  # de-2: FastPositions; de-3: stop words indexed, plain columns;
# de-4: classes pickled under pressearchiv.index.*; de-5: lemmas of irregular nouns,
# compound parts (a field of their own), "and"/"or" are stop words, raw frequencies;
# de-6: genitives of names ending in a vowel that simplemma lists as lemmas (Chinas)

# One pass over the text finds three kinds of token, most specific first:
#   abbreviations of single letters with dots (z.B., U.S.A.),
#   numbers with inner separators (3,5  12.03.2022  1.000  24/7),
#   words, possibly hyphenated compounds (G20-Treffen, New-Start-Abkommen).
# Every alternative begins with a word character: the look-ahead turns away
# the spaces and punctuation between words before any alternative is tried,
# and the atomic group keeps the engine from backtracking into a finished
# token (nothing follows it in the pattern). Same tokens, about a fifth faster.
_TOKEN = re.compile(r"(?=\w)(?>(?:[^\W\d_]\.){2,}|\d+(?:[.,:/]\d+)+|\w+(?:-\w+)*)")
# Texts whose compound parts are remembered (a document's title, body, outlet).
_RECENT = 4

# Marks a stop word's index term ("\x01die"). It sorts before every letter, so
# no wildcard prefix ever expands to a stop word.
STOP_MARK = "\x01"

_FOLD = str.maketrans({"ß": "ss", "ä": "a", "ö": "o", "ü": "u"})


def fold(word: str) -> str:
    """Lowercase and strip umlauts/ß the way the stemmer's output does.

    Used for wildcard prefixes, which are matched against stems unstemmed.
    """
    return word.lower().translate(_FOLD)


class GermanAnalyzer(Analyzer):
    """Whoosh analyzer for German news text (see the module docstring)."""

    def __init__(self, version: str = ANALYZER_VERSION) -> None:
        self.version = version
        self._lazy_init()

    def _lazy_init(self) -> None:
        self._words: Words | None = None
        # The last few texts term_positions analysed, with their terms and
        # compound parts (by id, checked by identity): the parts field reuses
        # the body's analysis, and the title field the one the parts field did.
        self._recent: dict[int, tuple[str, dict[str, list[int]], dict[str, list[int]]]] = {}

    # -- pickling: only the version travels into the index -------------------

    def __getstate__(self) -> dict[str, Any]:
        return {"version": self.version}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.version = state["version"]
        self._lazy_init()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.version == self.version

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.version))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(version={self.version!r})"

    # -- single words --------------------------------------------------------

    def term(self, word: str) -> str | None:
        """The index term for one lowercase word without hyphens, or None for a stop word."""
        return self._known().term(word)

    def parts(self, word: str) -> tuple[str, ...]:
        """The terms of the nouns a lowercase compound is built from, or ``()``:
        ``maskenpflicht`` → ``("mask", "pflicht")`` (see :mod:`~pressearchiv.index.compounds`)."""
        return self._known().parts(word)

    def _known(self) -> Words:
        words = self._words
        if words is None:
            words = self._words = shared_words(self.version)
        return words

    # -- whole texts ---------------------------------------------------------

    def spans(
        self, text: str, *, compounds: bool = True, stops: bool = True
    ) -> Iterator[tuple[str, int, int, int]]:
        """Yield ``(term, position, startchar, endchar)`` for every term in ``text``.

        Every word takes a position. Stop words (and single letters) are yielded
        as ``STOP_MARK + word`` when ``stops`` is true, and skipped otherwise.
        A compound's whole word (``compounds=True``, i.e. at indexing) shares
        the position of its last part, where German puts the head of a compound.
        """
        term = self.term
        pos = 0
        for match in _TOKEN.finditer(text):
            raw = match.group().lower()
            start = match.start()
            if "-" not in raw:
                t = term(raw)
                if t is not None:
                    yield t, pos, start, match.end()
                elif stops:
                    yield STOP_MARK + raw, pos, start, match.end()
                pos += 1
                continue
            offset = 0
            for part in raw.split("-"):
                if part:
                    t = term(part)
                    if t is not None:
                        yield t, pos, start + offset, start + offset + len(part)
                    elif stops:
                        yield STOP_MARK + part, pos, start + offset, start + offset + len(part)
                    pos += 1
                offset += len(part) + 1
            if compounds:
                whole = term(raw.replace("-", ""))
                if whole is not None:
                    yield whole, pos - 1, start, match.end()

    def term_positions(self, text: str) -> dict[str, list[int]]:
        """Every term of ``text`` with its positions, as :meth:`spans` gives them.

        The indexing path: one regex pass and dictionary look-ups, without the
        generator and the character offsets that highlighting needs. The same
        pass finds the text's compound parts, which :meth:`part_positions`
        then hands out without a second pass (the body is analysed for its
        own field first, then for the parts field).
        """
        seen = self._recent.get(id(text))
        if seen is not None and seen[0] is text:
            return seen[1]
        known = self._known()
        words, term, parts_of = known.entries, known.term, known.parts
        cache_max = known.cache_max
        found: dict[str, list[int]] = {}
        parts: dict[str, list[int]] = {}
        pos = 0
        # Words keep their case here: only a capitalised word (a noun, in
        # German) is split into compound parts.
        for raw in _TOKEN.findall(text):
            if "-" in raw:  # compounds are rare: the general path is fine
                raw = raw.lower()
                last = -1
                for part, p, _, _ in self.spans(raw):
                    found.setdefault(part, []).append(pos + p)
                    last = max(last, p)
                for p, piece in enumerate(raw.split("-")):
                    for t in parts_of(piece) if len(piece) > 6 else ():
                        parts.setdefault(t, []).append(pos + p)
                pos += last + 1
                continue
            # One look-up per word for its term and its compound parts.
            entry = words.get(raw)
            if entry is None:
                low = raw.lower()
                stem = term(low)
                noun = len(raw) > 6 and raw[0].isupper()
                entry = (STOP_MARK + low if stem is None else stem, parts_of(low) if noun else ())
                if len(words) < cache_max:
                    words[raw] = entry
            t, pieces = entry
            positions = found.get(t)
            if positions is None:
                found[t] = [pos]
            else:
                positions.append(pos)
            for t in pieces:
                parts.setdefault(t, []).append(pos)
            pos += 1
        recent = self._recent
        recent[id(text)] = (text, found, parts)
        if len(recent) > _RECENT:
            del recent[next(iter(recent))]
        return found

    def part_positions(self, text: str) -> dict[str, list[int]]:
        """The compound parts of ``text`` with the positions of their words
        (word positions as :meth:`term_positions` counts them)."""
        seen = self._recent.get(id(text))
        if seen is not None and seen[0] is text:
            return seen[2]
        self.term_positions(text)
        return self._recent[id(text)][2]

    def surface_words(self, text: str) -> set[str]:
        """Distinct lowercase unstemmed words, for spelling suggestions ("Meinten Sie …?")."""
        stops = self._known().stops or stop_words()
        words = set()
        for match in _TOKEN.finditer(text):
            for part in match.group().lower().split("-"):
                if len(part) > 2 and part.isalpha() and part not in stops:
                    words.add(part)
        return words

    def query_terms(self, text: str) -> list[str]:
        """The terms a query word or phrase becomes (compound parts, no whole words)."""
        return [t for t, _, _, _ in self.spans(text, compounds=False, stops=False)]

    def compound_term(self, word: str) -> str | None:
        """The whole-word term of a hyphenated compound, as indexed."""
        return self.term(word.lower().replace("-", ""))

    # -- the Whoosh analyzer protocol ----------------------------------------

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        # One Token object is reused, as Whoosh's own tokenizers do: the
        # indexer reads each token before asking for the next.
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.stopped = False
        token.boost = 1.0
        # In query mode Whoosh asks for the words of a quoted phrase: parts of
        # compounds only, and stop words included, so the phrase is exact.
        compounds = mode != "query"
        if not tokenize:
            word = value.lower()
            t = self.term(word) if "-" not in word else self.compound_term(word)
            if t is not None:
                token.text = t
                token.pos = start_pos
                token.startchar, token.endchar = start_char, start_char + len(value)
                yield token
            return
        for text, pos, start, end in self.spans(value, compounds=compounds):
            token.text = text
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token
