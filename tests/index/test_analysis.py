from __future__ import annotations

import pickle

import pytest

from pressearchiv.index import words as words_module
from pressearchiv.index.analysis import ANALYZER_VERSION, STOP_MARK, GermanAnalyzer, fold
from pressearchiv.index.words import Words, limit_caches


@pytest.fixture
def analyzer() -> GermanAnalyzer:
    return GermanAnalyzer()


def terms(analyzer: GermanAnalyzer, text: str) -> list[str]:
    """The index terms of ``text`` other than stop words."""
    return [t.text for t in analyzer(text) if not t.text.startswith(STOP_MARK)]


@pytest.mark.parametrize(
    ("forms", "stem"),
    [
        (("Gespräch", "Gespräche", "Gesprächen", "Gesprächs"), "gesprach"),
        (("Verhandlung", "Verhandlungen"), "verhandl"),
        (("Flüchtling", "Flüchtlinge", "Flüchtlingen"), "fluchtling"),
        (("Gesundheitsamt", "Gesundheitsämter"), "gesundheitsamt"),
        (("Außenminister", "Aussenminister", "Außenministern"), "aussenminist"),
        (("Müller", "Mueller", "MÜLLER"), "mull"),
        (("Impfung", "Impfungen"), "impfung"),
    ],
)
def test_inflected_forms_and_spelling_variants_meet(
    analyzer: GermanAnalyzer, forms: tuple[str, ...], stem: str
) -> None:
    assert [terms(analyzer, f) for f in forms] == [[stem]] * len(forms)


def test_stop_words_are_marked_take_positions_and_are_left_out_of_query_words(
    analyzer: GermanAnalyzer,
) -> None:
    text = "Das Gespräch mit der Kanzlerin"
    tokens = [(t.text, t.pos) for t in analyzer(text, positions=True)]
    assert tokens == [("\x01das", 0), ("gesprach", 1), ("\x01mit", 2), ("\x01der", 3), ("kanzl", 4)]
    # Quoted phrases go through the analyzer as above; single words do not.
    assert analyzer.query_terms(text) == ["gesprach", "kanzl"]


def test_hyphenated_compound_gives_parts_and_whole(analyzer: GermanAnalyzer) -> None:
    tokens = [(t.text, t.pos) for t in analyzer("Der Ukraine-Konflikt eskaliert", positions=True)]
    assert tokens == [
        ("\x01der", 0),
        ("ukrain", 1),
        ("konflikt", 2),
        ("ukrainekonflikt", 2),
        ("eskaliert", 3),
    ]
    assert terms(analyzer, "G20-Treffen") == ["g20", "treff", "g20treff"]
    assert terms(analyzer, "New-Start-Abkommen") == ["new", "start", "abkomm", "newstartabkomm"]


def test_query_mode_splits_compounds_without_the_whole(analyzer: GermanAnalyzer) -> None:
    assert [t.text for t in analyzer("Ukraine-Konflikt", mode="query")] == ["ukrain", "konflikt"]


def test_numbers_dates_and_abbreviations(analyzer: GermanAnalyzer) -> None:
    assert terms(analyzer, "3,5 Prozent am 12.03.2022") == ["3,5", "prozent", "12.03.2022"]
    assert terms(analyzer, "1.000.000 Euro") == ["1000000", "euro"]
    assert terms(analyzer, "z.B. die U.S.A. und die EU") == ["zb", "usa", "eu"]
    assert terms(analyzer, "COVID-19") == ["covid", "19", "covid19"]


def test_character_offsets_point_into_the_text(analyzer: GermanAnalyzer) -> None:
    text = "Die Außenminister-Gespräche"
    spans = [(t.text, text[t.startchar : t.endchar]) for t in analyzer(text, chars=True)]
    assert spans == [
        ("\x01die", "Die"),
        ("aussenminist", "Außenminister"),
        ("gesprach", "Gespräche"),
        ("aussenministergesprach", "Außenminister-Gespräche"),
    ]


def test_surface_words_are_unstemmed(analyzer: GermanAnalyzer) -> None:
    assert analyzer.surface_words("Die Gespräche über Ukraine-Konflikt 2022") == {
        "gespräche",
        "ukraine",
        "konflikt",
    }


def test_pickles_without_the_stemmer(analyzer: GermanAnalyzer) -> None:
    analyzer.term("gespräche")  # creates the (unpicklable) stemmer
    clone = pickle.loads(pickle.dumps(analyzer))
    assert clone.version == ANALYZER_VERSION
    assert clone == analyzer
    assert clone.term("gesprächen") == "gesprach"


def test_fold_matches_the_stemmer_output() -> None:
    assert fold("Ärztestreik") == "arztestreik"
    assert fold("Außen") == "aussen"


@pytest.mark.parametrize(
    "text",
    [
        "Der Ukraine-Konflikt und das G20-Treffen: New-Start-Abkommen, z.B. 1.000 Soldaten.",
        "Gespräche, Gesprächen; des Gesprächs — und dann -- ein --Bindestrich- am Ende-",
        "Die-der-das und-oder 24/7 am 12.03.2022 um 3,5 Prozent",
        "",
    ],
)
def test_term_positions_agree_with_spans(text: str) -> None:
    analyzer = GermanAnalyzer()
    expected: dict[str, list[int]] = {}
    for term, pos, _, _ in analyzer.spans(text):
        expected.setdefault(term, []).append(pos)
    assert analyzer.term_positions(text) == expected


def test_words_with_small_caches_give_the_same_answers_and_stay_small() -> None:
    text = (
        "Die Maskenpflicht gilt in Impfzentren und Testzentren. Die Viren verbreiten "
        "sich, sagt das Gesundheitsamt Kölns: Alltagsmasken, Maskenpflicht, Viren."
    )
    small = Words(cache_max=3)
    analyzer = GermanAnalyzer()
    analyzer._words = small  # this analyzer's word knowledge, with tiny caches
    assert analyzer.term_positions(text) == GermanAnalyzer().term_positions(text)
    assert analyzer.part_positions(text) == GermanAnalyzer().part_positions(text)
    caches = (small.entries, small._terms, small._parts, small._splits)
    assert [len(cache) for cache in caches] == [3, 3, 3, 3]


def test_limit_caches_bounds_the_words_a_process_makes_from_then_on() -> None:
    before = words_module._cache_max
    try:
        limit_caches(1_000)
        assert words_module.shared_words("test-limit").cache_max == 1_000
    finally:
        limit_caches(before)
        words_module.shared_words.cache_clear()
