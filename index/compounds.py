"""Splitting German compounds into the nouns they are built from.

``Maskenpflicht`` is ``Masken`` + ``Pflicht``, ``Alltagsmasken`` is
``Alltags`` + ``Masken``, ``Impfzentren`` is ``Impf`` + ``Zentren``. A word is
split into a *head* (the last part: a form of a noun) and one or more
*modifiers* before it, each of them one of

* a form of a noun, which covers most linking elements, because German joins
  with a form of the noun: ``Masken-`` (-n-), ``Alltags-`` (-s-),
  ``Länder-`` (-er-), ``Hunde-`` (-e-), ``Bundes-`` (-es-);
* a noun lemma with ``-s-`` that is no form of it: ``Gesundheits-``, ``Impfungs-``;
* a noun lemma without its final ``-e``: ``Schul-``, ``Sprach-``;
* a verb stem of four letters or more: ``Impf-``, ``Test-``, ``Such-``.

Every part is checked against the :class:`Lexicon`
(simplex nouns of simplemma's dictionary), and the split into the fewest
parts wins. As the lexicon holds no compounds, ``Schutzmaskenpflicht`` still
gives ``Schutz`` + ``Masken`` + ``Pflicht``.

Precision rules, because short nouns hide inside many words:

* parts have at least three letters;
* a three-letter part must be a noun lemma as it stands (``Rat``, ``Arm``,
  ``Amt``), and the parts beside it must have five letters or more: so
  ``Ration`` is not ``Rat`` + ``Ion``, ``Protest`` not ``Pro`` + ``Test``, and
  ``Erbarmen`` not ``Erb`` + ``Armen``;
* :data:`NEVER_HEADS` are nouns that look like suffixes (``Wirtschaft`` is not
  ``Wirt`` + ``Schaft``) and :data:`NEVER_SPLIT` the few words found split
  wrongly on fang-covid. These two are the only hand-typed word lists.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from marisa_trie import Trie as WordSet

__all__ = ["MIN_PART", "NEVER_HEADS", "NEVER_SPLIT", "Lexicon", "Splitter", "WordSet"]

MIN_PART = 3
# A three-letter part needs neighbours at least this long (Zentrum is not
# Zen + Trum, Landrat is not split, Stadtrat is).
SHORT_NEIGHBOUR = 5
# Only words this long are split: two parts of three letters cannot form a
# compound under the rules above, and most short words are simplex.
MIN_WORD = 7
# Longest part looked for (longer simplex nouns are rare, and each length
# costs a set look-up per position).
MAX_PART = 18
# Nouns that end many words as a suffix, not as a head noun.
NEVER_HEADS = frozenset({"schaft", "schaften", "tum", "tums", "heit", "keit", "ling", "linge"})
# Words the rules split wrongly, found by reading the splits of fang-covid's
# frequent words (Dienstag is not Diens + Tag, Maskerade not Maske + Rade).
NEVER_SPLIT = frozenset(
    {"dienstag", "dienstags", "sonntag", "sonntags", "sonntage", "maskerade", "maskeraden"}
)


@dataclasses.dataclass(frozen=True)
class Lexicon:
    """Word knowledge for lemmas and compound splitting (all lowercase); derived
    from simplemma by :mod:`pressearchiv.index.lexicon`.

    The word sets are tries (marisa-trie): a few megabytes in files that every
    process maps, where frozensets of Python strings took 68 MB per process.
    Build one with :meth:`of`.
    """

    irregular: dict[str, str]  # form -> lemma, where Snowball would not join them
    nouns: WordSet  # every form of a simplex noun (a possible head or modifier)
    lemmas: WordSet  # simplex noun lemmas (modifier + "s", modifier without "e")
    verb_stems: WordSet  # impf, test, such … (modifiers only)
    # Every string that may stand before a head: nouns, verb stems, lemma + s,
    # lemma without its final e.
    modifiers: WordSet
    # The nouns written backwards: the heads that end a word are the prefixes
    # of the word backwards, found in one look-up.
    noun_ends: WordSet

    @classmethod
    def of(
        cls,
        irregular: dict[str, str],
        nouns: Iterable[str],
        lemmas: Iterable[str],
        verb_stems: Iterable[str],
    ) -> Lexicon:
        """A lexicon of these words, its modifiers derived from them."""
        nouns, lemmas, verb_stems = set(nouns), set(lemmas), set(verb_stems)
        modifiers = nouns | verb_stems | {lemma + "s" for lemma in lemmas}
        modifiers.update(lemma[:-1] for lemma in lemmas if lemma.endswith("e"))
        return cls(
            irregular,
            WordSet(nouns),
            WordSet(lemmas),
            WordSet(verb_stems),
            WordSet(modifiers),
            WordSet(noun[::-1] for noun in nouns),
        )


class Splitter:
    """Splits words with one :class:`Lexicon`; pure and cheap to create."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._nouns = lexicon.nouns
        self._lemmas = lexicon.lemmas
        self._verbs = lexicon.verb_stems
        self._modifier_set = lexicon.modifiers
        self._noun_ends = lexicon.noun_ends

    def split(self, word: str, *, known: bool = True) -> tuple[str, ...]:
        """The parts of a lowercase word (substrings that join to it), or ``()``.

        A word that is itself a simplex noun form (``Bergamasken``) is not
        split unless ``known`` is false (to tell compounds among lemmas).
        """
        if len(word) < MIN_WORD or not word.isalpha() or word in NEVER_SPLIT:
            return ()
        if known and word in self._nouns:
            return ()
        best: tuple[str, ...] = ()
        best_rank: tuple[int, bool] | None = None
        memo: dict[str, list[tuple[str, ...]]] = {}
        size = len(word)
        # Heads from the longest down: among splits into equally few parts the
        # one with the longest head wins (Impf + Zentren, not Impfzent + Ren).
        for length in sorted(map(len, self._noun_ends.prefixes(word[::-1])), reverse=True):
            cut = size - length
            if cut < MIN_PART or length < MIN_PART or length > MAX_PART:
                continue
            head = word[cut:]
            if head in NEVER_HEADS:
                continue
            for front in self._modifiers(word[:cut], memo):
                parts = (*front, head)
                if not _acceptable(parts, self._lemmas):
                    continue
                # A linking -s- belongs to the modifier: Gesundheits + Amt, not
                # Gesundheit + Samt; Bundes + Tag, not Bunde + Stag.
                shifted = head[0] == "s" and self._is_modifier(front[-1] + "s")
                rank = (len(parts), shifted)
                if best_rank is None or rank < best_rank:
                    best, best_rank = parts, rank
        return best

    def _modifiers(
        self, text: str, memo: dict[str, list[tuple[str, ...]]]
    ) -> list[tuple[str, ...]]:
        """Every way to cut ``text`` into modifiers (usually none or one)."""
        found = memo.get(text)
        if found is not None:
            return found
        found = [(text,)] if self._is_modifier(text) else []
        longest = min(len(text) - MIN_PART, MAX_PART)
        # The modifiers that begin text, shortest first.
        for first in sorted(self._modifier_set.prefixes(text), key=len):
            if MIN_PART <= len(first) <= longest:
                found.extend((first, *rest) for rest in self._modifiers(text[len(first) :], memo))
        memo[text] = found
        return found

    def _is_modifier(self, part: str) -> bool:
        return part in self._modifier_set and len(part) >= MIN_PART

    def base(self, part: str, head: bool) -> str:
        """The word a part stands for, to be analysed like a word of its own:
        ``gesundheits`` → ``gesundheit``, ``schul`` → ``schule``."""
        if head or part in self._nouns or part in self._verbs:
            return part
        if part.endswith("s") and part[:-1] in self._lemmas:
            return part[:-1]
        return part + "e"


def _acceptable(parts: tuple[str, ...], lemmas: WordSet) -> bool:
    """The precision rules for three-letter parts (see the module docstring)."""
    for i, part in enumerate(parts):
        if len(part) > MIN_PART:
            continue
        if part not in lemmas:
            return False
        neighbours = parts[max(i - 1, 0) : i] + parts[i + 1 : i + 2]
        if any(len(n) < SHORT_NEIGHBOUR for n in neighbours):
            return False
    return True
