"""Snippets: which words are marked and which passage is shown."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from pressearchiv.index import surface
from pressearchiv.index.analysis import GermanAnalyzer, fold
from pressearchiv.index.highlight import _cases, _in_any_case, snippet
from pressearchiv.index.lexicon import load_lexicon
from pressearchiv.index.surface import written_openings


@pytest.fixture(scope="module")
def analyzer() -> GermanAnalyzer:
    return GermanAnalyzer()


def marked(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def test_every_irregular_form_of_the_lexicon_is_looked_for(analyzer: GermanAnalyzer) -> None:
    # Snippets look for a term's words by their openings; an irregular form
    # shares less with its lemma's term (viren/virus), alone or as a head.
    missed = []
    for form, lemma in load_lexicon().irregular.items():
        for word in (form, "test" + form):
            term = analyzer.term(word)
            if term is None:
                continue
            openings = written_openings(term)
            if any(fold(word).startswith(opening) for opening in openings):
                continue
            # Else only a spelling may join them (ae for ä): ask the regex itself.
            if not any(re.match(p, word) for o in openings for p in _in_any_case(o)):
                missed.append((word, lemma, term, openings))
    assert missed == []


def test_a_term_is_looked_for_whole_and_as_its_irregular_forms() -> None:
    assert written_openings("schul") == ("schul",)  # not "sch": Schutz, Schatten, …
    assert written_openings("impfung") == ("impfung",)
    assert "viren" in written_openings("virus")
    assert "coronaviren" in written_openings("coronavirus")
    assert "impfzentren" in written_openings("impfzentrum")
    assert "cassel" in written_openings("kassel")  # an old spelling shares no letter


@pytest.mark.parametrize(
    ("query_terms", "text", "expected"),
    [
        ({"virus"}, "Die Viren verbreiten sich.", ["Viren"]),
        ({"impfzentrum"}, "Die Impfzentren öffnen.", ["Impfzentren"]),
        ({"coronavirus"}, "Das Corona-Virus ist neu.", ["Corona-Virus"]),
        ({"1000000"}, "Es kostet 1.000.000 Euro.", ["1.000.000"]),
        ({"mull"}, "Herr Mueller und Frau Müller.", ["Mueller", "Müller"]),
        ({"strass"}, "Die STRASSE und die Straße.", ["STRASSE", "Straße"]),
        # İ grows when lowercased: positions must still be those of the text.
        ({"impfung"}, "İstanbul İzmir: die Impfung beginnt.", ["Impfung"]),
        # Every case is looked for, with no lowercased copy of the text.
        ({"arzt"}, "ÄRZTE warnen, Ärzte und AERZTE.", ["ÄRZTE", "Ärzte", "AERZTE"]),
        ({"strass"}, "Die STRAẞE ist gesperrt.", ["STRAẞE"]),
        ({"coronakris"}, "Die CORONA-KRISE hält an.", ["CORONA-KRISE"]),
        ({"kelvin"}, "Null \u212aELVIN ist kalt.", ["\u212aELVIN"]),  # the Kelvin sign
        ({"σοφος"}, "Das Wort ΣΟΦΟΣ steht da.", ["ΣΟΦΟΣ"]),  # Σ lowercases to ς here
    ],
)
def test_written_forms_of_a_term_are_marked(
    analyzer: GermanAnalyzer, query_terms: set[str], text: str, expected: list[str]
) -> None:
    assert marked(snippet(text, frozenset(query_terms), analyzer)) == expected


def test_every_character_that_lowercases_to_a_letter_is_looked_for_as_it() -> None:
    # Snippets search the text as written; Python's lower() of the whole text
    # is what the analyzer applies, so every character it maps to a letter
    # must be a way of writing that letter (per this Python's Unicode tables).
    written: dict[str, set[str]] = {}
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        lowered = character.lower()
        if lowered != character:
            written.setdefault(lowered[0], set()).add(character)
    written.setdefault("ς", set()).add("Σ")  # at the end of a word ("ΟΔΟΣ".lower() == "οδος")
    missed = {c: forms - set(_cases(c)) for c, forms in written.items()}
    assert {c: forms for c, forms in missed.items() if forms} == {}


def test_words_that_only_begin_like_a_term_are_not_marked(analyzer: GermanAnalyzer) -> None:
    text = "Schulden, Schuldner und Schulter; die Schule bleibt."
    shown = snippet(text, frozenset({"schul"}), analyzer)
    assert marked(shown) == ["Schule"]


def test_the_passage_with_the_most_matching_words_is_shown(analyzer: GermanAnalyzer) -> None:
    filler = "Ein Satz ohne jeden Bezug zum Thema steht hier. " * 20
    # Words that begin like the term but are other words come first and
    # close together; the passage with the real matches comes later.
    decoys = "Schulden Schuldner Schulter Schuldenbremse Schuldfrage. "
    dense = "Die Schule, die Schulen und der Schulleiter der Schule. "
    text = "Die Schule öffnet. " + filler + decoys + filler + dense + filler
    shown = snippet(text, frozenset({"schul"}), analyzer, parts=frozenset({"schul"}))
    assert shown.startswith("…")
    assert marked(shown) == ["Schule", "Schulen", "Schulleiter", "Schule"]


def test_a_text_whose_candidates_all_fail_shows_its_opening(analyzer: GermanAnalyzer) -> None:
    text = "Schulden und Schuldner. " + "Weiterer Text folgt. " * 30
    shown = snippet(text, frozenset({"schul"}), analyzer)
    assert shown.startswith("Schulden und Schuldner.")
    assert marked(shown) == []


def test_the_openings_table_is_kept_and_a_damaged_copy_derived_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRESSEARCHIV_CACHE_DIR", str(tmp_path))
    derived = surface._derive_openings()
    surface._irregular_openings.cache_clear()
    try:
        assert surface._irregular_openings() == derived  # derived, then kept
        [kept] = tmp_path.glob("*.openings-*.pickle")
        kept.write_bytes(b"damaged")
        surface._irregular_openings.cache_clear()
        assert surface._irregular_openings() == derived
        surface._irregular_openings.cache_clear()
        assert surface._irregular_openings() == derived  # read back whole
    finally:
        surface._irregular_openings.cache_clear()
