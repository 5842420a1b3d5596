"""Which letters every written form of an index term begins with.

Snowball only strips endings (and folds ß, umlauts and ``ae``/``oe``/``ue``),
so a word's term is a prefix of the word as written, up to those spellings:
``impfungen`` → ``impfung``. The exceptions are the lexicon's irregular
forms, whose term is their lemma's: ``viren`` → ``virus`` share only
``vir``, and as the head of a compound ``impfzentren`` → ``impfzentrum``
share ``impfzentr``.

:func:`written_openings` gives the openings that every word with a term
is sure to begin with one of. Snippets look for words by them (a regex, in
C) before they analyse anything; the longer the openings, the fewer words
are analysed in vain (``schul`` finds neither Schutz nor Schatten).
"""

from __future__ import annotations

import functools
import logging
import os
import pickle
import re
import tempfile

from pressearchiv.index.analysis import fold
from pressearchiv.index.lexicon import lexicon_folder, load_lexicon

__all__ = ["written_openings"]

log = logging.getLogger(__name__)

# Part of the cached table's name: bump when the derivation changes.
_OPENINGS_FORMAT = 1

# The stemmer reads ae/oe/ue as umlauts, except in "que" (Quelle) and where
# the u stands between vowels and counts as a consonant (Steuer, Mauer).
_DIGRAPH = re.compile(r"ae|oe|(?<![qaeiouyäöü])ue")


def _as_stemmed(word: str) -> str:
    """A lowercase word in the letters of Snowball's output (``müller`` → ``muller``)."""
    if "e" in word:  # ae/oe/ue as written, before ä/ö/ü are folded (apogäen)
        word = _DIGRAPH.sub(lambda m: m.group()[0], word)
    return fold(word)


@functools.cache
def _irregular_openings() -> dict[str, tuple[str, ...]]:
    """For every opening of a lemma that one of its irregular forms does not
    begin with, those forms: ``viru`` and ``virus`` → ``viren`` (the forms of
    Virus share only ``vir``), ``kassel`` → ``cassel``.

    Derived once per lexicon and kept beside its cache folder: deriving takes
    0.2 s, which every process's first snippet would otherwise wait for.
    """
    lexicon = lexicon_folder()
    path = lexicon.with_name(f"{lexicon.name}.openings-{_OPENINGS_FORMAT}.pickle")
    try:
        with path.open("rb") as fh:
            found = pickle.load(fh)
        if isinstance(found, dict):
            return found
    except (OSError, ValueError, pickle.UnpicklingError, EOFError):
        pass
    table = _derive_openings()
    try:  # whole or not at all; a read-only cache only costs the time again
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".openings", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            pickle.dump(table, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("cannot keep the irregular openings in %s: %s", path, exc)
    return table


def _derive_openings() -> dict[str, tuple[str, ...]]:
    forms_by_opening: dict[str, set[str]] = {}
    for form, lemma in load_lexicon().irregular.items():
        if form.startswith(lemma):  # most irregular forms: the lemma plus an ending
            continue
        a, b = _as_stemmed(form), _as_stemmed(lemma)
        shared, limit = 0, min(len(a), len(b))
        while shared < limit and a[shared] == b[shared]:
            shared += 1
        for end in range(shared + 1, len(b) + 1):
            forms_by_opening.setdefault(b[:end], set()).add(a)
    return {opening: tuple(sorted(forms)) for opening, forms in forms_by_opening.items()}


@functools.lru_cache(maxsize=4096)
def written_openings(term: str) -> tuple[str, ...]:
    """Openings (in the stemmer's letters: no umlauts, ß as ss) of which every
    word indexed as ``term`` begins with one: the term itself, and where the
    rest of the term opens an irregular lemma (as a word of its own or as the
    head of a compound), the term with that lemma's irregular forms instead
    (``virus``, ``viren``; ``impfzentrum``, ``impfzentren``)."""
    openings = [term]
    table = _irregular_openings()
    for i in range(len(term)):
        for form in table.get(term[i:], ()):
            openings.append(term[:i] + form)
    return tuple(openings)
