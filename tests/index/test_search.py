"""Searching the eight fixture articles: syntax, filters, facets, order, snippets."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from pressearchiv.archive.model import PartialDate
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import IndexOptions, QueryTooComplex, SearchIndex, SearchRequest, Sort
from pressearchiv.index.analysis import GermanAnalyzer
from pressearchiv.index.highlight import snippet


def titles(index: SearchIndex, query: str, **kw: object) -> list[str]:
    response = index.search(SearchRequest(query=query, size=50, **kw))  # type: ignore[arg-type]
    assert response.total == len(response.hits)
    return sorted(h.title for h in response.hits)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Compounds count: Gesprächsbedarf, Gesprächstermin, Flüchtlingsrat.
        (
            "Gesprächen",
            [
                "Archivtext ohne Datum",
                "G20-Treffen in Rom",
                "Gespräche über den Ukraine-Konflikt",
                "Verhandlungen in Brüssel",
            ],
        ),
        ("Außenminister", ["G20-Treffen in Rom", "Gespräche über den Ukraine-Konflikt"]),
        ("Mueller", ["G20-Treffen in Rom", "Impfkampagne startet"]),
        (
            "Flüchtling",
            [
                "Corona-Pandemie im Dezember",
                "Flüchtlinge an der Grenze",
                "Gesundheitsämter überlastet",
            ],
        ),
        (
            "Gesundheitsamt",
            ["Archivtext ohne Datum", "Gesundheitsämter überlastet", "Impfkampagne startet"],
        ),
        ("Ukraine-Konflikt", ["Gespräche über den Ukraine-Konflikt"]),
        ("Ukrainekonflikt", ["Gespräche über den Ukraine-Konflikt"]),
        ('"Ukraine Konflikt"', ["Gespräche über den Ukraine-Konflikt"]),
        ("New-Start-Abkommen", ["G20-Treffen in Rom"]),
        ("Abkommen", ["G20-Treffen in Rom"]),
        ("G20", ["G20-Treffen in Rom"]),
        # Terms are ANDed …
        ("Impfung Gesundheitsamt", ["Impfkampagne startet"]),
        # … unless OR is said.
        ("Grenze OR Brüssel", ["Flüchtlinge an der Grenze", "Verhandlungen in Brüssel"]),
        ("Verhandlung -Flüchtlinge", ["G20-Treffen in Rom", "Verhandlungen in Brüssel"]),
        ("Verhandlung NOT Flüchtlinge", ["G20-Treffen in Rom", "Verhandlungen in Brüssel"]),
        (
            "(Grenze OR Brüssel) Verhandlungen",
            ["Flüchtlinge an der Grenze", "Verhandlungen in Brüssel"],
        ),
        ('"Gespräche der Außenminister"', ["Gespräche über den Ukraine-Konflikt"]),
        # A phrase is exact: "der" stands between the two words.
        ('"Gespräch Außenminister"', []),
        ('"Gespräch Außenminister"~2', ["Gespräche über den Ukraine-Konflikt"]),
        # Every word takes a position, stop words too: Montag is 9 after Gespräche.
        ('"Gespräche Montag"~9', ["Gespräche über den Ukraine-Konflikt"]),
        ('"Gespräche Montag"~8', []),
        ('"Gespräche Montag"', []),
        ("title:Verhandlungen", ["Verhandlungen in Brüssel"]),
        ("outlet:taz", ["Archivtext ohne Datum"]),
        (
            "Impf*",
            [
                "Corona-Pandemie im Dezember",
                "Gesundheitsämter überlastet",
                "Impfkampagne startet",
                "Verhandlungen in Brüssel",
            ],
        ),
        ("3,5", ["G20-Treffen in Rom"]),
        ("z.B.", ["Flüchtlinge an der Grenze"]),
        ("der die das", []),
    ],
)
def test_query_syntax(index: SearchIndex, query: str, expected: list[str]) -> None:
    assert titles(index, query) == expected


@pytest.mark.parametrize(
    "query",
    [
        '"Ukraine Konflikt',
        "(Grenze OR",
        "Grenze)",
        "*",
        "**",
        '"',
        "()",
        "OR",
        "NOT",
        "title:",
        ":",
        "AND OR NOT",
        "Impf*ung*",
        "~5",
        "^2",
        "-",
        "a:b:c",
        "\x00",
    ],
)
def test_malformed_queries_degrade_without_errors(index: SearchIndex, query: str) -> None:
    response = index.search(SearchRequest(query=query))
    assert response.total >= 0


def test_unbalanced_quote_searches_the_words(index: SearchIndex) -> None:
    assert titles(index, '"Ukraine Konflikt') == ["Gespräche über den Ukraine-Konflikt"]


def test_lone_star_lists_everything(index: SearchIndex) -> None:
    assert index.search(SearchRequest(query="*")).total == 8


def test_too_many_terms_is_a_clear_error(index: SearchIndex) -> None:
    with pytest.raises(QueryTooComplex, match="höchstens 64 Wörter"):
        index.search(SearchRequest(query=" ".join(["Impfung"] * 5000)))


def test_empty_query_lists_all_newest_first_undated_last(index: SearchIndex) -> None:
    response = index.search(SearchRequest(query="", sort=Sort.NEWEST, size=8))
    assert [h.date.isoformat() if h.date else None for h in response.hits] == [
        # A partial date sorts by its first day; ties go by seq (later stored first).
        "2022-03",
        "2022-02-03",
        "2021-02-01",
        "2021-01-31",
        "2021",
        "2021-01",
        "2020-12-15",
        None,
    ]
    assert all(h.score is None for h in response.hits)


def test_oldest_first_keeps_undated_last(index: SearchIndex) -> None:
    response = index.search(SearchRequest(query="", sort=Sort.OLDEST, size=8))
    assert [h.date.isoformat() if h.date else None for h in response.hits] == [
        "2020-12-15",
        "2021-01",
        "2021",
        "2021-01-31",
        "2021-02-01",
        "2022-02-03",
        "2022-03",
        None,
    ]


def test_pages(index: SearchIndex) -> None:
    first = index.search(SearchRequest(query="", sort=Sort.NEWEST, size=3, page=1))
    third = index.search(SearchRequest(query="", sort=Sort.NEWEST, size=3, page=3))
    assert (first.total, len(first.hits), third.total, len(third.hits)) == (8, 3, 8, 2)
    assert [h.title for h in third.hits] == ["Corona-Pandemie im Dezember", "Archivtext ohne Datum"]


def test_title_matches_rank_above_body_matches(index: SearchIndex) -> None:
    response = index.search(SearchRequest(query="Verhandlungen"))
    assert response.hits[0].title == "Verhandlungen in Brüssel"
    assert response.hits[0].score is not None and response.hits[0].score > 0


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        # The month-only 2021-01 article matches a range touching January 2021 …
        (
            "2021-01-31",
            "2021-01-31",
            ["Flüchtlinge an der Grenze", "G20-Treffen in Rom", "Impfkampagne startet"],
        ),
        # … and the year-only 2021 article every range inside 2021.
        ("2021-02-01", "2021-12", ["G20-Treffen in Rom", "Gesundheitsämter überlastet"]),
        ("2020", "2020", ["Corona-Pandemie im Dezember"]),
        ("2020-12-16", "2020-12-31", []),
        ("2022-03-31", None, ["Verhandlungen in Brüssel"]),
        (None, "2020-12-15", ["Corona-Pandemie im Dezember"]),
        ("2022", "2022-02", ["Gespräche über den Ukraine-Konflikt"]),
    ],
)
def test_date_range_with_partial_dates_at_the_edges(
    index: SearchIndex, date_from: str | None, date_to: str | None, expected: list[str]
) -> None:
    found = titles(
        index,
        "",
        date_from=PartialDate.parse(date_from) if date_from else None,
        date_to=PartialDate.parse(date_to) if date_to else None,
    )
    assert found == expected


def test_outlet_filter_takes_several_outlets(index: SearchIndex) -> None:
    assert titles(index, "Impfung", outlets=("zeit.de", "faz.net")) == [
        "Corona-Pandemie im Dezember",
        "Impfkampagne startet",
    ]
    assert titles(index, "Impfung", outlets=("unknown.example",)) == []
    # Ranked by score, where a higher-scoring article of another outlet exists.
    assert titles(index, "Außenminister", outlets=("faz.net",)) == ["G20-Treffen in Rom"]


def _store_counts(
    store: ArchiveStore, word: str, lo: str | None, outlets: tuple[str, ...]
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Facet counts computed from the store alone, without the index."""
    low = PartialDate.parse(lo).start if lo else None
    by_outlet: Counter[str] = Counter()
    by_year: Counter[str] = Counter()
    by_month: Counter[str] = Counter()
    for a in store.iter_articles():
        if word not in a.text.lower() and word not in a.title.lower():
            continue
        in_dates = low is None or (a.date is not None and a.date.end >= low)
        if in_dates:
            by_outlet[a.outlet] += 1
        if (not outlets or a.outlet in outlets) and a.date is not None:
            by_year[f"{a.date.year:04d}"] += 1
            if a.date.month is not None:
                by_month[f"{a.date.year:04d}-{a.date.month:02d}"] += 1
    return dict(by_outlet), dict(by_year), dict(by_month)


@pytest.mark.parametrize(
    ("lo", "outlets"),
    [(None, ()), ("2021-02", ()), ("2021-01", ("spiegel.de",)), (None, ("zeit.de", "faz.net"))],
)
def test_facet_counts_match_the_store(
    index: SearchIndex, filled_store: ArchiveStore, lo: str | None, outlets: tuple[str, ...]
) -> None:
    date_from = PartialDate.parse(lo) if lo else None
    response = index.search(SearchRequest(query="impf*", date_from=date_from, outlets=outlets))
    facets = response.facets
    by_outlet, by_year, by_month = _store_counts(filled_store, "impf", lo, outlets)
    assert {v.value: v.count for v in facets.outlet if v.count} == by_outlet
    assert {v.value: v.count for v in facets.year} == by_year
    assert {v.value: v.count for v in facets.month} == by_month
    assert {v.value for v in facets.outlet if v.selected} == set(outlets)


def test_facets_mark_the_selection(index: SearchIndex) -> None:
    response = index.search(
        SearchRequest(
            query="",
            outlets=("spiegel.de",),
            date_from=PartialDate.parse("2021"),
            date_to=PartialDate.parse("2021"),
        )
    )
    assert [(v.value, v.count, v.selected) for v in response.facets.outlet] == [
        ("zeit.de", 2, False),
        ("faz.net", 1, False),
        ("spiegel.de", 1, True),
    ]
    assert [(v.value, v.count, v.selected) for v in response.facets.year] == [
        ("2022", 2, False),
        ("2021", 1, True),
    ]
    month = index.search(
        SearchRequest(
            date_from=PartialDate.parse("2021-01"), date_to=PartialDate.parse("2021-01-31")
        )
    )
    assert [(v.value, v.selected) for v in month.facets.month] == [
        ("2022-03", False),
        ("2022-02", False),
        ("2021-02", False),
        ("2021-01", True),
        ("2020-12", False),
    ]


def test_snippet_marks_inflected_forms_and_escapes_html(index: SearchIndex) -> None:
    response = index.search(SearchRequest(query="Gespräch Außenministern Einigung"))
    assert [h.snippet for h in response.hits] == [
        "Die <mark>Gespräche</mark> der <mark>Außenminister</mark> über den Ukraine-Konflikt "
        "gingen am Montag weiter. Eine <mark>Einigung</mark> gab es nicht. "
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; mehr."
    ]


def test_snippet_marks_compounds_whole(index: SearchIndex) -> None:
    response = index.search(SearchRequest(query="Ukrainekonflikt"))
    assert "<mark>Ukraine-Konflikt</mark>" in response.hits[0].snippet


def test_hits_carry_store_fields(index: SearchIndex) -> None:
    hit = index.search(SearchRequest(query="Einigung")).hits[0]
    assert (hit.title, hit.outlet, hit.date, hit.url) == (
        "Gespräche über den Ukraine-Konflikt",
        "spiegel.de",
        PartialDate(2022, 2, 3),
        "https://spiegel.de/a1",
    )


def test_suggestion_for_a_typo_proposes_a_real_word(index: SearchIndex) -> None:
    response = index.search(SearchRequest(query="Verhandlungn"))
    assert (response.total, response.suggestion) == (0, "Verhandlungen")
    assert index.search(SearchRequest(query="Gespräch")).suggestion is None


def test_stop_words_are_named_when_the_search_leaves_them_out(index: SearchIndex) -> None:
    with_stops = index.search(SearchRequest(query="die Gespräche über den Konflikt"))
    without = index.search(SearchRequest(query="Gespräche Konflikt"))
    assert with_stops.ignored == ("die", "über", "den")
    assert [h.id for h in with_stops.hits] == [h.id for h in without.hits] != []
    assert without.ignored == ()
    # Only stop words: nothing to search for, and the answer says why.
    only = index.search(SearchRequest(query="Diese wird aber noch einige"))
    assert (only.total, only.ignored) == (0, ("Diese", "wird", "aber", "noch", "einige"))
    # Operators, field names and wildcards are not words of the text.
    assert index.search(SearchRequest(query="title:Gespräch OR -Impf* AND Die")).ignored == ("Die",)


def test_exact_phrases_match_stop_words_too(index: SearchIndex) -> None:
    # "Das Gespräch dauerte" is in one article; "Gespräch" alone in several.
    assert titles(index, '"Das Gespräch dauerte"') == ["G20-Treffen in Rom"]
    assert titles(index, '"Ein Gespräch dauerte"') == []
    assert len(titles(index, "Gespräch")) > 1
    # A quote of stop words only, as it stands in the text.
    assert titles(index, '"über ihre"') == ["Flüchtlinge an der Grenze"]
    assert titles(index, '"ihre über"') == []
    response = index.search(SearchRequest(query='"Das Gespräch dauerte"'))
    assert response.ignored == ()
    assert "<mark>Gespräch</mark>" in response.hits[0].snippet
    assert "<mark>Das</mark>" not in response.hits[0].snippet


def test_scan_ids_returns_every_match_in_order(
    index: SearchIndex, filled_store: ArchiveStore
) -> None:
    ids = list(index.scan_ids(SearchRequest(query="", sort=Sort.OLDEST), limit=100))
    assert len(ids) == 8
    assert [a.title for a in filled_store.get_many(ids)][:2] == [
        "Corona-Pandemie im Dezember",
        "Impfkampagne startet",
    ]
    assert len(list(index.scan_ids(SearchRequest(query="Impfung"), limit=2))) == 2


def test_related_articles(index: SearchIndex, filled_store: ArchiveStore) -> None:
    from pressearchiv.archive.errors import ArticleNotFound

    source = index.search(SearchRequest(query="Gesundheitsämter")).hits[0]
    # Without a threshold, the best of whatever shares a key term.
    anything = index.related(source.id, limit=3, min_similarity=0.0)
    assert 0 < len(anything) <= 3
    assert source.id not in [h.id for h in anything]
    scores = [h.score or 0.0 for h in anything]
    assert all(0 < s < 1 for s in scores)
    assert scores == sorted(scores, reverse=True)
    # These eight short articles share a word here and there but no topic.
    assert index.related(source.id, limit=3) == []
    with pytest.raises(ArticleNotFound):
        index.related("0000000000000000")


def test_timeout_is_reported(tmp_path: Path, filled_store: ArchiveStore) -> None:
    ix = SearchIndex.open(tmp_path / "slow", filled_store, options=IndexOptions(query_timeout=0))
    try:
        assert ix.wait_indexed(filled_store.max_seq(), timeout=10)
        response = ix.search(SearchRequest(query="Impfung"))
        assert response.timed_out is True
    finally:
        ix.close()


def test_snippet_marks_spelling_variants(index: SearchIndex) -> None:
    snippets = {h.title: h.snippet for h in index.search(SearchRequest(query="Müller")).hits}
    assert "<mark>Mueller</mark>" in snippets["G20-Treffen in Rom"]
    assert "<mark>Müller</mark>" in snippets["Impfkampagne startet"]
    assert (
        "<mark>Aussenminister</mark>"
        in index.search(SearchRequest(query="Außenminister", outlets=("faz.net",))).hits[0].snippet
    )


def test_a_phrase_query_s_snippet_shows_the_phrase() -> None:
    analyzer = GermanAnalyzer()
    filler = "Weitere Meldungen des Tages folgen hier. " * 12
    text = (
        "Der Streit zum Ukraine-Konflikt hält an. "
        + filler
        + "Später sprachen beide über den Ukraine-Konflikt und die Folgen."
    )
    terms = frozenset({"ukrain", "konflikt"})
    phrase = ("\x01über", "\x01den", "ukrain", "konflikt")
    shown = snippet(text, terms, analyzer, phrases=(phrase,))
    assert "über den <mark>Ukraine</mark>-<mark>Konflikt</mark>" in shown
    # Without the phrase, the first (and densest) place is shown.
    assert "zum <mark>Ukraine</mark>-<mark>Konflikt</mark>" in snippet(text, terms, analyzer)
