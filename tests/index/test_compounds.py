"""Compound splitting and lemmas, with the real lexicon derived from simplemma."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressearchiv.index.analysis import STOP_MARK, GermanAnalyzer
from pressearchiv.index.compounds import Lexicon, Splitter
from pressearchiv.index.lexicon import _read_cache, _write_cache, build_lexicon, load_lexicon
from pressearchiv.index.parts import CompoundPartsAnalyzer


@pytest.fixture(scope="module")
def splitter() -> Splitter:
    return Splitter(load_lexicon())


@pytest.fixture(scope="module")
def analyzer() -> GermanAnalyzer:
    return GermanAnalyzer()


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("maskenpflicht", ("masken", "pflicht")),
        ("schutzmaske", ("schutz", "maske")),
        ("alltagsmasken", ("alltags", "masken")),  # linking -s-
        ("gesundheitsamt", ("gesundheits", "amt")),  # -s- after a feminine noun
        ("bundestag", ("bundes", "tag")),  # -es-
        ("schutzmaskenpflicht", ("schutz", "masken", "pflicht")),
        ("impfpflicht", ("impf", "pflicht")),  # a verb stem as modifier
        ("grippeimpfung", ("grippe", "impfung")),
        ("impfzentren", ("impf", "zentren")),
        ("hitzewelle", ("hitze", "welle")),
        ("ärztekammer", ("ärzte", "kammer")),  # -e- (a plural form)
        ("stadtrat", ("stadt", "rat")),
    ],
)
def test_compounds_split_into_their_nouns(
    splitter: Splitter, word: str, parts: tuple[str, ...]
) -> None:
    assert splitter.split(word) == parts


@pytest.mark.parametrize(
    "word",
    [
        # False friends: a short noun's letters, but not the noun.
        "testament",
        "protest",
        "attest",
        "ratte",
        "ration",
        "armee",
        "erbarmen",
        "alarm",
        "insgesamt",
        # Suffixes are no heads; simplex nouns and names stay whole.
        "wirtschaft",
        "gesellschaft",
        "zentrum",
        "bergamasken",
        "dienstag",
        "beschimpfung",
        "verpflichtung",
    ],
)
def test_false_friends_and_simplex_words_stay_whole(splitter: Splitter, word: str) -> None:
    assert splitter.split(word) == ()


@pytest.mark.parametrize(
    ("forms", "term"),
    [
        (("Virus", "Viren"), "virus"),
        (("Museum", "Museen", "Museums"), "museum"),
        (("Zentrum", "Zentren"), "zentrum"),
        (("Impfzentrum", "Impfzentren"), "impfzentrum"),
        (("Testzentrum", "Testzentren"), "testzentrum"),  # an irregular head of a compound
        (("Thema", "Themen"), "thema"),
        (("Firma", "Firmen"), "firma"),
        (("Praxis", "Praxen"), "praxis"),
        (("Köln", "Kölns"), "koln"),
        (("Merkel", "Merkels"), "merkel"),
        (("Deutschland", "Deutschlands"), "deutschland"),
        (("Maske", "Masken"), "mask"),
        (("China", "Chinas"), "china"),  # corrected simplemma entry (lexicon.VOWEL_S_FORMS)
        (("Kanada", "Kanadas"), "kanada"),
        (("Europa", "Europas"), "europa"),
    ],
)
def test_irregular_forms_and_genitives_meet(
    analyzer: GermanAnalyzer, forms: tuple[str, ...], term: str
) -> None:
    assert {analyzer.term(f.lower()) for f in forms} == {term}


def test_false_friends_keep_their_own_terms(analyzer: GermanAnalyzer) -> None:
    pairs = [("test", "testament"), ("rat", "ratte"), ("arm", "armee"), ("basi", "basis")]
    for short, friend in pairs:
        assert analyzer.term(short) != analyzer.term(friend)
        assert analyzer.term(short) not in analyzer.parts(friend)


def test_parts_are_terms_of_their_nouns(analyzer: GermanAnalyzer) -> None:
    assert analyzer.parts("maskenpflicht") == ("mask", "pflicht")
    assert analyzer.parts("alltagsmasken") == ("alltag", "mask")
    assert (
        analyzer.parts("schulpflicht")
        == ("schul", "pflicht")
        == (
            analyzer.term("schule"),
            analyzer.term("pflicht"),
        )
    )
    assert analyzer.parts("maske") == ()


def test_the_parts_analyzer_gives_parts_at_their_words_positions() -> None:
    parts = CompoundPartsAnalyzer(GermanAnalyzer())
    text = "Die Maskenpflicht gilt, auch für Corona-Schutzmasken."
    assert parts.term_positions(text) == {
        "mask": [1, 6],
        "pflicht": [1],
        "schutz": [6],
    }
    tokens = [(t.text, t.pos) for t in parts(text, positions=True)]
    assert sorted(tokens) == [("mask", 1), ("mask", 6), ("pflicht", 1), ("schutz", 6)]


def test_lower_case_and_or_are_stop_words(analyzer: GermanAnalyzer) -> None:
    assert analyzer.term("and") is None and analyzer.term("or") is None
    assert analyzer.term("not") == "not"  # German "Not"
    assert [t.text for t in analyzer("Rock and Roll")][1] == STOP_MARK + "and"


def _small_lexicon() -> Lexicon:
    forms = {
        "maske": {"maske", "masken"},
        "pflicht": {"pflicht", "pflichten"},
        "zentrum": {"zentrum", "zentren"},
        "maskenpflicht": {"maskenpflicht"},
    }
    return build_lexicon(forms, {"zentren": "zentrum"}, {"impf"})


def test_a_lexicon_is_written_to_its_cache_folder_and_mapped_back(tmp_path: Path) -> None:
    lexicon = _small_lexicon()
    assert "maskenpflicht" not in lexicon.lemmas  # a compound of two simplex nouns
    folder = tmp_path / "lexicon-test"
    _write_cache(folder, lexicon)
    read = _read_cache(folder)
    assert read is not None
    assert read.irregular == {"zentren": "zentrum"}
    for name in ("nouns", "lemmas", "verb_stems", "modifiers", "noun_ends"):
        assert sorted(getattr(read, name)) == sorted(getattr(lexicon, name))
    assert Splitter(read).split("impfzentren") == ("impf", "zentren")
    assert Splitter(read).split("maskenpflichten") == ("masken", "pflichten")


def test_a_damaged_or_missing_cache_folder_reads_as_none(tmp_path: Path) -> None:
    folder = tmp_path / "lexicon-test"
    assert _read_cache(folder) is None
    _write_cache(folder, _small_lexicon())
    (folder / "modifiers.marisa").write_bytes(b"not a trie")
    assert _read_cache(folder) is None
