"""What the analyzer knows about German words, derived from simplemma's dictionary.

simplemma (a pinned dependency) ships a German form → lemma dictionary of
about 1.1 million entries (``Viren`` → ``Virus``, ``Kölns`` → ``Köln``,
``Alltagsmasken`` → ``Alltagsmaske``). Two things are derived from its nouns
and names (entries whose form and lemma are capitalised):

* ``irregular``: lowercase forms whose Snowball stem differs from their
  lemma's (``viren``, ``museen``, ``zentren``, ``praxen``, ``kölns``), mapped to
  the lemma. Every other form is left to the stemmer, which already joins
  regular inflection (``Masken``/``Maske``).
* the parts a compound may be built from: forms of *simplex* nouns (nouns
  that are not themselves compounds of two other nouns), their lemmas (for the
  linking ``-s-`` and the dropped ``-e`` of ``Schul-``) and verb stems of four
  letters or more (``Impf-``, ``Test-``). See :mod:`pressearchiv.index.compounds`.

Reading and deriving this takes seconds (measured: about 2 s to decode the
dictionary and 6 s to derive), so it happens once per machine and package
version: the result is written into a cache folder, its word sets as
marisa-trie files (:class:`~pressearchiv.index.compounds.WordSet`) and the
irregular forms as a pickle. A process maps the tries instead of reading them:
they stay in the page cache, shared by the command and its bulk workers, and a
process holds only the pages it touched (a few MB) where the frozensets of
format 7 took 68 MB each. It is loaded on first use, never at import time, and
shared by every analyzer of a process (:func:`load_lexicon` is cached): the
data is read-only and the same for all of them, and an index opens an analyzer
per searcher.
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
import os
import pickle
import shutil
import tempfile
from pathlib import Path

from pressearchiv.index.compounds import Lexicon, Splitter, WordSet

__all__ = [
    "LEXICON_FORMAT",
    "Lexicon",
    "build_lexicon",
    "cache_dir",
    "derive_lexicon",
    "lexicon_folder",
    "load_lexicon",
]

log = logging.getLogger(__name__)

# Part of the cache folder's name: bump when the derivation or the files change.
LEXICON_FORMAT = 8  # 6: Lexicon pickled from pressearchiv.index.compounds; 7: corrections;
# 8: a folder of marisa-trie files and a pickle of the irregular forms
# The word sets of a Lexicon, one trie file each in the cache folder.
_WORD_SETS = ("nouns", "lemmas", "verb_stems", "modifiers", "noun_ends")
# Nouns with a single form count from this length on (see derive_lexicon).
SINGLE_FORM_LETTERS = 6
# Corrections of simplemma's data: the only hand-typed words. simplemma lists
# these genitives and plurals of nouns and names that end in a vowel as lemmas
# of their own ("Chinas" -> "Chinas"), and Snowball keeps an -s after a vowel,
# so "Chinas" did not meet "China". Found by reading all 46 capitalised entries
# that are their own only form, end in vowel + s and are a lemma plus -s; the
# other 29 are words or names of their own (Basis, Lagos, Lukas, Vegas, Santos)
# and stay apart.
VOWEL_S_FORMS = {
    form: form[:-1]
    for form in (
        "chinas", "nigerias", "lateinamerikas", "lankas", "fidschis", "junis",
        "papas", "countys", "azzurris", "bambis", "disneys", "sonys", "nokias",
        "toshibas", "motorolas", "nintendos", "fellinis",
    )
}  # fmt: skip
# Verb stems shorter than four letters are no compound modifiers: "rat"
# (raten) and "erb" (erben) would split Ratte-like words and Erbarmen.


def cache_dir() -> Path:
    """``$PRESSEARCHIV_CACHE_DIR``, else ``$XDG_CACHE_HOME/pressearchiv`` (~/.cache)."""
    explicit = os.environ.get("PRESSEARCHIV_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pressearchiv"


def lexicon_folder() -> Path:
    """The cache folder of this simplemma version's lexicon in this format."""
    # The installed version names the folder; importing simplemma would cost more.
    version = importlib.metadata.version("simplemma")
    return cache_dir() / f"lexicon-de-simplemma{version}-{LEXICON_FORMAT}"


@functools.cache
def load_lexicon() -> Lexicon:
    """The lexicon, from the cache folder or derived (and cached) from simplemma."""
    folder = lexicon_folder()
    found = _read_cache(folder)
    if found is not None:
        return found
    lexicon = derive_lexicon()
    _write_cache(folder, lexicon)
    return _read_cache(folder) or lexicon


def _read_cache(folder: Path) -> Lexicon | None:
    """The lexicon in ``folder``, its tries mapped; None if it is missing or damaged."""
    try:
        with (folder / "irregular.pickle").open("rb") as fh:
            irregular = pickle.load(fh)
        sets = []
        for name in _WORD_SETS:
            words = WordSet()
            words.mmap(str(folder / f"{name}.marisa"))
            sets.append(words)
    except (OSError, RuntimeError, ValueError, pickle.UnpicklingError, EOFError):
        return None
    if not isinstance(irregular, dict):
        return None
    return Lexicon(irregular, *sets)


def _write_cache(folder: Path, lexicon: Lexicon) -> None:
    """Write the folder whole or not at all (another process may be reading or
    writing it too); a read-only disk is fine."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=folder.name, suffix=".tmp"))
        try:
            with (tmp / "irregular.pickle").open("wb") as fh:
                pickle.dump(lexicon.irregular, fh, protocol=pickle.HIGHEST_PROTOCOL)
            for name in _WORD_SETS:
                getattr(lexicon, name).save(str(tmp / f"{name}.marisa"))
            tmp.rename(folder)  # fails if another process was first: theirs is as good
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:
        if not folder.is_dir():
            log.warning("cannot cache the German lexicon in %s: %s", folder.parent, exc)


def derive_lexicon() -> Lexicon:
    """Build the lexicon from simplemma's German dictionary (takes seconds)."""
    import Stemmer
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    entries = DefaultDictionaryFactory().get_dictionary("de")
    stem = Stemmer.Stemmer("german").stemWord
    forms_of: dict[str, set[str]] = {}
    irregular: dict[str, str] = {}
    conflicting: set[str] = set()
    verb_stems: set[str] = set()
    for form, lemma in entries.items():
        if not (form.isalpha() and lemma.isalpha()):
            continue
        if form[0].isupper() and lemma[0].isupper():
            low, lemma_low = form.lower(), lemma.lower()
            forms_of.setdefault(lemma_low, set()).add(low)
            forms_of[lemma_low].add(lemma_low)
            # One lowercase form with two lemmas of different stems is
            # ambiguous: it is left to the stemmer.
            irregular_form = low != lemma_low and stem(low) != stem(lemma_low)
            if irregular_form and irregular.setdefault(low, lemma_low) != lemma_low:
                conflicting.add(low)
        elif form == lemma and lemma.islower() and lemma.endswith("en") and len(lemma) > 5:
            verb_stems.add(lemma[:-2])  # four letters or more
    for low in conflicting:
        del irregular[low]
    irregular.update(VOWEL_S_FORMS)
    # A short noun with a single form is mostly an abbreviation or a name
    # fragment ("Sch", "Besch"), and such entries made most of the wrong
    # splits; longer ones are mass nouns (Jugend, Pharma, Sorgfalt).
    forms_of = {
        lemma: forms
        for lemma, forms in forms_of.items()
        if len(forms) > 1 or len(lemma) >= SINGLE_FORM_LETTERS
    }
    return build_lexicon(forms_of, irregular, verb_stems)


def build_lexicon(
    forms_of: dict[str, set[str]], irregular: dict[str, str], verb_stems: set[str]
) -> Lexicon:
    """A lexicon of the simplex nouns among ``forms_of`` (lemma -> its forms).

    A lemma that splits into known parts is a compound; the rest is simplex.
    (Public so that ``bench/lexicons.py`` can compare word lists.)
    """
    all_forms = {f for forms in forms_of.values() for f in forms}
    everything = Lexicon.of(irregular, all_forms, forms_of, verb_stems)
    splitter = Splitter(everything)
    simplex = [lemma for lemma in forms_of if not splitter.split(lemma, known=False)]
    nouns = {f for lemma in simplex for f in forms_of[lemma]}
    return Lexicon.of(irregular, nouns, simplex, verb_stems)
