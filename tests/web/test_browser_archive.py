"""The search and article pages at archive scale, in Chromium: 41 outlets over two
years, and one agency story printed by five outlets.

Each test drives the page as a reader does and saves a screenshot in /tmp
(``pressearchiv-archive-*.png``) for looking at.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import feedparser
import httpx
import pytest

from tests.index.flood import FLOOD, STORY
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
]
__all__ = ["server"]  # the fixture, used by name

OUTLETS = 41
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ter",
    "sen",
    "bur",
    "gal",
    "fen",
    "dor",
    "wis",
    "rup",
    "tan",
    "bel",
    "kor",
    "nus",
    "pil",
]


def word(rng: random.Random) -> str:
    """A made-up word: texts of them share no topic, only the one real word below."""
    return "".join(rng.choice(SYLLABLES) for _ in range(4)).capitalize()


def sentence(rng: random.Random) -> str:
    return " ".join(word(rng) for _ in range(8)) + "."


def archive() -> list[dict[str, str]]:
    """About 240 unrelated articles in 41 outlets (from 11 articles down to 1) over
    2022 and 2023, all of them from a "Gemeindebrief", and the five versions of the
    flood story beside two other stories."""
    rng = random.Random(14)
    articles = []
    for n in range(OUTLETS):
        outlet = f"Lokalblatt {chr(65 + n % 26)}{n // 26 + 1}"
        for k in range(11 - n // 4):
            month = rng.randrange(24)
            text = "Aus dem Gemeindebrief. " + " ".join(sentence(rng) for _ in range(12))
            articles.append(
                {
                    "title": f"{word(rng)} {word(rng)} ({outlet}, {k + 1})",
                    "text": text,
                    "outlet": outlet,
                    "date": f"{2022 + month // 12}-{month % 12 + 1:02d}-{rng.randrange(1, 28):02d}",
                }
            )
    articles += [
        {"title": title, "text": text, "outlet": outlet, "date": date}
        for title, text, outlet, date in FLOOD
    ]
    return articles


@pytest.fixture
def site(server: str) -> str:
    response = httpx.post(f"{server}/api/articles", json=archive(), timeout=120)
    assert response.status_code == 201, response.text
    return server


@pytest.fixture
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(browser: Any, width: int = 1280) -> tuple[Any, list[str]]:
    """A page of ``width`` CSS pixels, and the console errors it logs (CSP violations too)."""
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="de-DE")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    return page, problems


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"pressearchiv-archive-{name}.png"), full_page=True)


def test_results_are_grouped_by_story_and_the_article_lists_its_versions(
    site: str, browser: Any
) -> None:
    page, problems = open_page(browser)
    page.goto(site + "/?q=Dresden+OR+Laubegast&sort=newest")
    assert "7 Artikel" in page.inner_text(".summary")
    assert "3 Meldungen" in page.inner_text(".summary")
    assert page.locator("article.hit").count() == 3
    versions = page.locator("article.hit .versions")
    assert versions.count() == 1
    assert versions.inner_text() == (
        "+ 4 weitere Fassungen: Sächsische Zeitung, MDR, Kleine Zeitung, …"
    )
    shot(page, "grouped")

    page.click("text=Alle Fassungen einzeln zeigen")
    page.wait_for_url("**group=article*")
    assert page.locator("article.hit").count() == 7

    page.goto(site + "/?q=Dresden+OR+Laubegast&sort=newest")
    page.click("article.hit .versions a")
    page.wait_for_url("**/artikel/**")
    titles = page.locator("#fassungen .version a").all_inner_texts()
    assert titles == [
        "Katastrophenalarm in Dresden",
        "Die Elbe steigt und steigt",
        "Dresden löst Katastrophenalarm aus",
        "Hochwasser: Alarm in Dresden",
    ]
    # Versions come before the related articles, which never repeat them.
    panels = page.locator("aside .panel h2").all_inner_texts()
    assert panels.index("FASSUNGEN DIESER MELDUNG (5)") < panels.index("ÄHNLICHE ARTIKEL")
    related = page.locator("#aehnliche .related a").all_inner_texts()
    assert not set(related) & set(titles)
    shot(page, "versions")
    assert problems == []


def test_the_search_offers_its_atom_feed(site: str, browser: Any) -> None:
    page, problems = open_page(browser)
    page.goto(site + "/?q=Elbe&outlet=MDR")
    alternate = page.locator('head link[rel=alternate][type="application/atom+xml"]')
    assert alternate.get_attribute("href") == "/api/search.atom?q=Elbe&outlet=MDR&group=story"
    offered = page.locator("a:has-text('Als Feed abonnieren')")
    assert offered.get_attribute("href") == alternate.get_attribute("href")
    feed = feedparser.parse(httpx.get(site + str(offered.get_attribute("href"))).content)
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["Die Elbe steigt und steigt"]
    assert problems == []


def test_outlets_show_the_top_ten_and_all_on_request(site: str, browser: Any) -> None:
    page, problems = open_page(browser)
    page.goto(site + "/")
    visible = page.locator(".filter input[name=outlet]:visible")
    assert visible.count() == 10
    # The 41 local papers, the six of the flood story and the samples' outlets.
    every = page.locator(".filter input[name=outlet]").count()
    assert every > OUTLETS + 6
    summary = page.locator(".more-outlets summary")
    assert summary.inner_text() == f"alle {every} anzeigen"
    shot(page, "outlets")
    summary.click()
    assert visible.count() == every
    page.check("input[name=outlet][value='Lokalblatt O2']")  # one of the smallest
    page.wait_for_url("**outlet=Lokalblatt+O2*")
    assert "1 Artikel" in page.inner_text(".summary")
    # The chosen outlet stays in view although it is not among the ten largest.
    assert page.locator("input[name=outlet][value='Lokalblatt O2']:visible").is_checked()
    assert problems == []


def test_the_histogram_is_labelled_marks_the_range_and_filters_by_month(
    site: str, browser: Any
) -> None:
    page, problems = open_page(browser)
    page.goto(site + "/")
    bars = page.locator(".histogram .bar")
    # The samples begin in December 2021, the flood story is of September 2024.
    assert bars.count() == 34
    labels = [t for t in page.locator(".histogram .bar-label").all_inner_texts() if t]
    assert labels == ["2022", "2023", "2024"]  # not 2021: its one bar is too narrow
    assert page.locator(".histogram .bar-label").first.is_visible()
    assert "Meiste:" in page.inner_text(".histogram-note")

    march = page.locator('.histogram a.bar[title^="März 2023"]')
    count = int(str(march.get_attribute("title")).split(": ")[1].split()[0])
    march.click()
    page.wait_for_url("**from=2023-03&to=2023-03*")
    assert page.inner_text(".summary").startswith(f"{count} Artikel")
    selected = page.locator(".histogram .bar.selected")
    assert selected.count() == 1
    assert selected.get_attribute("title") == f"März 2023: {count} Artikel"
    assert selected.get_attribute("aria-current") == "true"
    shot(page, "histogram")

    # A range typed into the date fields is marked too.
    page.goto(site + "/?from=2022-11&to=2023-02")
    titles = page.locator(".histogram .bar.selected").evaluate_all(
        "bars => bars.map(b => b.title.split(':')[0])"
    )
    assert titles == ["November 2022", "Dezember 2022", "Januar 2023", "Februar 2023"]
    assert problems == []


def test_the_article_page_leads_back_to_the_same_search_and_page(site: str, browser: Any) -> None:
    page, problems = open_page(browser)
    page.goto(site + "/?q=Gemeindebrief")
    page.click("a[rel=next]")
    page.wait_for_url("**page=2*")
    search_url = page.url
    first_title = page.locator("article.hit h3 a").first.inner_text()
    page.locator("article.hit h3 a").first.click()
    page.wait_for_url("**/artikel/**")
    assert page.inner_text("h1") == first_title
    page.click("text=‹ Zur Suche")
    page.wait_for_url(search_url)
    assert page.input_value("#q") == "Gemeindebrief"
    assert page.locator(".pager [aria-current=page]").inner_text() == "2"
    # A way back that is not the search page is not followed.
    page.goto(site + "/artikel/" + STORY + "?zurueck=https://example.org/")
    assert page.locator("a:has-text('‹ Zur Suche')").get_attribute("href") == "/"
    assert problems == []


def test_only_related_articles_are_offered_as_related(site: str, browser: Any) -> None:
    page, problems = open_page(browser)
    page.goto(site + "/?q=Gemeindebrief")
    page.locator("article.hit h3 a").first.click()
    page.wait_for_url("**/artikel/**")
    # Made-up words share no topic with anything: nothing is offered.
    assert page.locator("#aehnliche .related").count() == 0
    assert "Keine ähnlichen Artikel im Archiv." in page.inner_text("#aehnliche")
    # The agency copy: its versions, and of the rest only the follow-up on the
    # flood (which ends with the same paragraph), not the reportage or anything else.
    page.goto(site + "/artikel/" + STORY)
    assert page.locator("#fassungen .version").count() == 4
    related = page.locator("#aehnliche .related a").all_inner_texts()
    assert related == ["Elbe-Pegel sinkt wieder"]
    assert problems == []


@pytest.mark.parametrize("path", ["/?q=Dresden", "/", "/artikel/" + "{flood}"])
def test_the_pages_fit_a_390_pixel_phone(site: str, browser: Any, path: str) -> None:
    page, problems = open_page(browser, width=390)
    page.goto(site + path.format(flood=STORY))
    # Nothing wider than the screen, and the navigation on one line.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    tops = page.locator(".masthead nav a").evaluate_all(
        "links => links.map(a => a.getBoundingClientRect().top)"
    )
    assert len(set(tops)) == 1
    name = "phone-article" if "artikel" in path else f"phone-{'search' if 'q' in path else 'home'}"
    shot(page, name)
    assert problems == []
