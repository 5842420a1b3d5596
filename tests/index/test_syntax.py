"""Lenient syntax: dangling operators, unpaired parentheses and quotes, through the real index."""

from __future__ import annotations

import pytest

from pressearchiv.index import SearchIndex, SearchRequest
from pressearchiv.index.syntax import tidy


def ids(index: SearchIndex, query: str) -> set[str]:
    response = index.search(SearchRequest(query=query, size=50))
    return {h.id for h in response.hits}


@pytest.mark.parametrize(
    ("query", "same_as", "dropped"),
    [
        ("Grenze AND", "Grenze", ("AND",)),
        ("Grenze OR", "Grenze", ("OR",)),
        ("Grenze NOT", "Grenze", ("NOT",)),
        ("AND Grenze", "Grenze", ("AND",)),
        ("(Grenze AND", "Grenze", ("(", "AND")),
        ("Grenze)", "Grenze", (")",)),
        ("(Grenze OR) Verhandlung", "Grenze Verhandlung", ("OR",)),
        ("Grenze AND AND Verhandlung", "Grenze AND Verhandlung", ("AND",)),
        ("Grenze AND OR Brüssel", "Grenze OR Brüssel", ("AND",)),
        ("Grenze OR NOT", "Grenze", ("OR", "NOT")),
        ("NOT NOT Grenze", "NOT Grenze", ("NOT",)),
        ('"Ukraine Konflikt', "Ukraine Konflikt", ('"',)),
        ('Ukraine Konflikt"', "Ukraine Konflikt", ('"',)),
        # Lower-case and/or are stop words: terms stay ANDed.
        ("Grenze and Verhandlung", "Grenze Verhandlung", ()),
        ("Grenze or Brüssel", "Grenze Brüssel", ()),
    ],
)
def test_broken_syntax_is_dropped_and_named(
    index: SearchIndex, query: str, same_as: str, dropped: tuple[str, ...]
) -> None:
    response = index.search(SearchRequest(query=query, size=50))
    assert response.ignored_syntax == dropped
    assert set(dropped) <= set(response.ignored)
    assert {h.id for h in response.hits} == ids(index, same_as)
    assert response.total == index.search(SearchRequest(query=same_as)).total


def test_operators_are_not_searched_as_words(index: SearchIndex) -> None:
    grenze = ids(index, "Grenze")
    assert grenze
    # Before: "Grenze AND" searched "and" too and found nothing.
    assert ids(index, "Grenze AND") == grenze
    assert ids(index, "Grenze or Brüssel") == set()  # nothing holds both
    assert ids(index, "Grenze OR Brüssel") > grenze
    assert index.search(SearchRequest(query="Grenze and Brüssel")).ignored == ("and",)


def test_well_formed_queries_are_untouched() -> None:
    for text in ['"a b"~3 OR (c AND NOT d)', "-Impfung title:Grenze", "a OR b", "(a)"]:
        assert tidy(text).dropped == ()
        assert tidy(text).text == text


def test_tidy_keeps_the_text_around_what_it_drops() -> None:
    tidied = tidy('(Merkel AND "Scholz')
    assert tidied.dropped == ("(", '"')
    assert tidied.text == " Merkel AND  Scholz"
    assert tidy("Merkel AND (").dropped == ("AND", "(")


def test_only_operators_list_everything(index: SearchIndex) -> None:
    response = index.search(SearchRequest(query="AND OR NOT"))
    assert response.total == 8
    assert response.ignored_syntax == ("AND", "OR", "NOT")


def test_snippets_mark_the_compound_holding_the_word(index: SearchIndex) -> None:
    hits = {h.title: h.snippet for h in index.search(SearchRequest(query="Flüchtling")).hits}
    assert "Der <mark>Flüchtlingsrat</mark> forderte" in hits["Corona-Pandemie im Dezember"]
    assert "Viele <mark>Flüchtlinge</mark> warten" in hits["Flüchtlinge an der Grenze"]


def test_quoted_words_do_not_find_compounds(index: SearchIndex) -> None:
    quoted = index.search(SearchRequest(query='"Flüchtling"'))
    assert "Corona-Pandemie im Dezember" not in {h.title for h in quoted.hits}
    assert quoted.total == 2


def test_question_marks_and_colons_are_punctuation(index: SearchIndex) -> None:
    # "?" is no wildcard: "Grenze?" is the word Grenze, not Grenzen/Grenzer …
    assert ids(index, "Warten Flüchtlinge an der Grenze?") == ids(
        index, "Warten Flüchtlinge Grenze"
    )
    # … and a colon names no field unless it ends title: or outlet:.
    assert ids(index, "Corona: Dezember") == ids(index, "Corona Dezember") != set()
    assert ids(index, "title:Verhandlungen") < ids(index, "Verhandlungen")


def test_a_pasted_headline_finds_its_article_first(index: SearchIndex) -> None:
    # Every word of this headline is in several articles; the title holds them in order.
    hits = index.search(SearchRequest(query="Flüchtlinge an der Grenze")).hits
    assert hits[0].title == "Flüchtlinge an der Grenze"
    reordered = index.search(SearchRequest(query="Grenze der Flüchtlinge")).hits
    headline = next(h for h in hits if h.title == "Flüchtlinge an der Grenze")
    same = next(h for h in reordered if h.title == "Flüchtlinge an der Grenze")
    assert headline.score is not None and same.score is not None
    assert headline.score > same.score  # the words in the title's order count extra
