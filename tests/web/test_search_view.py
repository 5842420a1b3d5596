"""The search page's pieces: links that keep the search, the way back from an
article, the outlet list and the histogram."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from pressearchiv.archive.model import PartialDate
from pressearchiv.index import FacetValue, SearchRequest, Sort
from pressearchiv.web import search_view as view

HTML = {"Accept": "text/html"}


def test_links_keep_the_whole_search_and_spell_out_only_what_is_not_default() -> None:
    search = SearchRequest(
        query="Elbe",
        outlets=("MDR", "ORF"),
        date_from=PartialDate(2024, 9),
        sort=Sort.NEWEST,
        page=3,
        group=True,
    )
    assert view.link(search) == "/?q=Elbe&outlet=MDR&outlet=ORF&from=2024-09&sort=newest&page=3"
    # Browsing (no query) lists the newest first and the page groups: both defaults.
    assert view.link(SearchRequest(sort=Sort.NEWEST, group=False)) == "/?group=article"
    assert view.link(SearchRequest(sort=Sort.NEWEST, group=True)) == "/"
    back = view.link(search)
    assert view.article_href("3f23213534d91d72", back) == (
        "/artikel/3f23213534d91d72?zurueck=%2F%3Fq%3DElbe%26outlet%3DMDR%26outlet%3DORF"
        "%26from%3D2024-09%26sort%3Dnewest%26page%3D3"
    )
    assert view.article_href("3f23213534d91d72", "/") == "/artikel/3f23213534d91d72"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/?q=Elbe&page=2", "/?q=Elbe&page=2"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("https://example.org/?q=x", "/"),
        ("//example.org/?q=x", "/"),
        ("/api/articles", "/"),
        ("javascript:alert(1)", "/"),
        ("/?" + "x" * 5000, "/"),
    ],
)
def test_the_way_back_is_only_ever_the_search_page(given: str | None, expected: str) -> None:
    assert view.back_target(given) == expected


def test_outlets_list_the_top_ten_and_every_selected_one() -> None:
    facets = [FacetValue(f"Blatt {n:02d}", 100 - n, selected=n == 30) for n in range(41)]
    top, rest = view.outlet_lists(facets)
    assert [f.value for f in top] == [f"Blatt {n:02d}" for n in range(10)] + ["Blatt 30"]
    assert len(rest) == 30 and all(not f.selected for f in rest)


def test_the_histogram_marks_the_range_and_labels_years() -> None:
    months = [FacetValue(f"2022-{m:02d}", m, selected=False) for m in range(1, 13)]
    months += [FacetValue("2023-06", 4, selected=False)]
    search = SearchRequest(
        date_from=PartialDate(2022, 11), date_to=PartialDate(2023, 1), sort=Sort.NEWEST, group=True
    )
    drawn = view.histogram(search, months, [])
    assert drawn is not None
    bars = drawn["bars"]
    assert len(bars) == 18  # January 2022 to June 2023
    assert [b["title"] for b in bars if b["selected"]] == [
        "November 2022: 11 Artikel",
        "Dezember 2022: 12 Artikel",
        "Januar 2023: 0 Artikel",
    ]
    assert [b["label"] for b in bars if b["label"]] == ["2022", "2023"]
    assert bars[0]["href"] == "/?from=2022-01&to=2022-01"  # the month replaces the range
    assert bars[13]["href"] is None  # February 2023: nothing to filter to
    assert drawn["peak"] == "Dezember 2022 (12 Artikel)"
    assert not drawn["counted"]  # 18 bars: counts on hover and focus only


def test_the_page_offers_the_feed_of_its_search(client: TestClient) -> None:
    html = client.get("/", params={"q": "Lawrow", "page": "1"}, headers=HTML).text
    # The feed's order and page are its own: newest first, from the first.
    feed = "/api/search.atom?q=Lawrow&amp;group=story"
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert f'href="{feed}"' in html
    assert "Als Feed abonnieren" in html


def test_the_article_page_links_back_to_its_search(client: TestClient) -> None:
    hit = client.get("/api/search", params={"q": "Lawrow"}).json()["hits"][0]
    back = "/?q=Lawrow&page=1"
    html = client.get(f"/artikel/{hit['id']}", params={"zurueck": back}, headers=HTML).text
    assert '<a href="/?q=Lawrow&amp;page=1" rel="up">‹ Zur Suche</a>' in html
    other = client.get(f"/artikel/{hit['id']}", params={"zurueck": "//evil.example/"}).text
    assert '<a href="/" rel="up">‹ Zur Suche</a>' in other
