"""A real server and headless Chromium: search, facet, paging and upload as a user does them."""

from __future__ import annotations

import httpx
import pytest

from tests.web import documents as doc
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
]
__all__ = ["server"]  # the fixture, used by name


def test_search_facet_paging_and_upload_in_a_browser(server: str) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Twelve extra articles with a shared word: two pages of ten on the search page.
    for i in range(12):
        article = doc.article_json(
            f"Probemeldung {i:02d} aus Hamburg",
            f"Die Probemeldungsreihe berichtet heute über das Ereignis Nummer {i} im Hafen "
            "und nennt weitere Einzelheiten.",
            "dpa",
            f"2022-04-{i + 1:02d}",
        )
        assert httpx.post(f"{server}/api/articles", json=article).status_code == 201

    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de-DE")
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

            # Search.
            page.goto(server + "/")
            page.fill("#q", "Lawrow")
            page.click("button:has-text('Suchen')")
            page.wait_for_url("**/?q=Lawrow*")
            assert page.locator("article.hit").count() == 5
            assert page.locator("mark").first.inner_text() == "Lawrow"
            page.screenshot(path=str(SCREENSHOTS / "pressearchiv-search.png"), full_page=True)

            # A facet click narrows the results (the checkbox submits the form by itself).
            page.goto(server + "/")
            page.check("input[name=outlet][value='Epoch Times']")
            page.wait_for_url("**outlet=Epoch+Times*")
            assert page.locator("article.hit").count() == 1
            assert "1 Artikel" in page.inner_text(".summary")

            # Paging.
            page.goto(server + "/?q=Probemeldungsreihe")
            assert "Seite 1 von 2" in page.inner_text(".summary")
            page.click("a[rel=next]")
            page.wait_for_url("**page=2*")
            assert page.locator("article.hit").count() == 2
            assert "Seite 2 von 2" in page.inner_text(".summary")

            # The article page.
            page.goto(server + "/artikel/8318da219830f381")
            assert page.inner_text("h1") == "Blinken und Lawrow beenden Gespräch vorzeitig"
            page.screenshot(path=str(SCREENSHOTS / "pressearchiv-article.png"), full_page=True)

            # Upload through the form.
            page.goto(server + "/hochladen")
            page.set_input_files(
                "input[name=file]",
                [
                    {"name": "kiel.txt", "mimeType": "text/plain", "buffer": doc.TEXT},
                    {"name": "bild.png", "mimeType": "image/png", "buffer": doc.PNG},
                ],
            )
            page.fill("input[name=outlet]", "Kieler Nachrichten")
            page.click("button:has-text('Hochladen')")
            page.wait_for_selector(".outcome")
            rows = page.locator(".results-table tbody tr").all_inner_texts()
            assert "kiel.txt" in rows[0] and "neu archiviert" in rows[0]
            assert "bild.png" in rows[1] and "abgelehnt" in rows[1]
            page.screenshot(path=str(SCREENSHOTS / "pressearchiv-upload.png"), full_page=True)
            page.click(".result-created a")
            assert page.inner_text("h1") == "Kanzler besucht Werft in Kiel"
            assert page.inner_text(".kicker .outlet").casefold() == "kieler nachrichten"

            assert problems == []  # no CSP violations or script errors
        finally:
            browser.close()
