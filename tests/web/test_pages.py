"""The German HTML pages: search, article, upload; escaping and error pages."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from pressearchiv.archive.model import PartialDate
from pressearchiv.settings import Settings
from pressearchiv.web.app import create_app
from pressearchiv.web.rendering import german_date
from tests.web import documents as doc
from tests.web.conftest import LOOPBACK

HTML = {"Accept": "text/html"}


@pytest.mark.parametrize(
    ("date", "shown"),
    [
        (PartialDate(2022, 1, 21), "21.01.2022"),
        (PartialDate(2022, 1), "Januar 2022"),
        (PartialDate(2022, 3), "März 2022"),
        (PartialDate(2022), "2022"),
        (None, "ohne Datum"),
    ],
)
def test_german_date_shows_exactly_the_known_precision(
    date: PartialDate | None, shown: str
) -> None:
    assert german_date(date) == shown


def test_search_page_lists_samples_with_facets_and_histogram(client: TestClient) -> None:
    page = client.get("/", headers=HTML)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="de">' in html
    assert "5 Artikel" in html
    assert 'name="outlet" value="Epoch Times"' in html
    assert "Blinken und Lawrow beenden Gespräch vorzeitig" in html
    assert "21.01.2022" in html  # day precision
    assert "März 2023" in html  # month precision
    # One bar per month from Dec 2021 to Mar 2023 (16); the 3 with articles are links.
    assert html.count('<span class="bar empty"') == 13
    assert html.count('<a class="bar') == 3
    assert 'href="/?from=2022-01&amp;to=2022-01"' in html
    assert "<script>" not in html  # only the external, deferred app.js


def test_search_page_marks_snippets_and_offers_a_suggestion(client: TestClient) -> None:
    html = client.get("/", params={"q": "Lawrwo"}).text
    assert re.search(r"Meinten Sie <a href=\"/\?q=lawrow\">lawrow</a>\?", html, re.IGNORECASE)
    html = client.get("/", params={"q": "Lawrow"}).text
    assert "<mark>Lawrow</mark>" in html


def test_search_page_names_the_words_it_left_out(client: TestClient) -> None:
    html = client.get("/", params={"q": "wir und die anderen"}).text
    assert "Ohne die sehr häufigen Wörter" in html
    assert "<q>wir</q>, <q>und</q>, <q>die</q>, <q>anderen</q>" in html
    single = client.get("/", params={"q": "die Lawrow"}).text
    assert "Ohne das sehr häufige Wort" in single and "zählt es mit" in single
    assert "Ohne die sehr" not in client.get("/", params={"q": "Lawrow"}).text
    assert "Ohne die sehr" not in client.get("/", params={"q": '"wir und die"'}).text


def test_search_page_pages_through_results(client: TestClient) -> None:
    for i in range(12):
        client.post(
            "/api/articles",
            json=doc.article_json(
                f"Meldung Nummer {i}",
                f"Die Probemeldungsreihe meldet heute das Ereignis {i} "
                "aus Berlin mit weiteren Einzelheiten.",
                "dpa",
                "2022-04-0" + str(i % 9 + 1),
            ),
        )
    first = client.get("/", params={"q": "Probemeldungsreihe"}).text
    assert "12 Artikel" in first
    assert "Seite 1 von 2" in first
    assert 'href="/?q=Probemeldungsreihe&amp;page=2"' in first
    second = client.get("/", params={"q": "Probemeldungsreihe", "page": "2"}).text
    assert second.count('class="hit"') == 2


def test_bad_parameters_on_the_search_page_are_400_with_a_message(client: TestClient) -> None:
    page = client.get("/", params={"from": "2022-13"}, headers=HTML)
    assert page.status_code == 400
    assert "month 13 does not exist" in page.text


def test_script_title_is_escaped_everywhere(client: TestClient) -> None:
    article_id = client.post("/api/articles", json=doc.SCRIPT_ARTICLE).json()["results"][0]["id"]

    for html in (
        client.get("/", params={"q": "Hafenfest"}).text,
        client.get(f"/artikel/{article_id}").text,
        client.get("/", params={"q": '<script>alert("q")</script>'}).text,
    ):
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(" in html


def test_article_page_shows_text_metadata_original_and_related(client: TestClient) -> None:
    html = client.get("/artikel/8318da219830f381").text

    assert "<h1>Blinken und Lawrow beenden Gespräch vorzeitig</h1>" in html
    assert "Epoch Times" in html
    assert "21.01.2022" in html
    assert 'href="/api/articles/8318da219830f381/raw"' in html
    assert "Ähnliche Artikel" in html
    assert html.count('class="related"') >= 1


def test_unknown_article_page_is_a_german_404_page(client: TestClient) -> None:
    page = client.get("/artikel/0000000000000000", headers=HTML)
    assert page.status_code == 404
    assert "Nicht gefunden" in page.text


def test_upload_form_reports_each_file(client: TestClient) -> None:
    form = client.get("/hochladen").text
    assert 'enctype="multipart/form-data"' in form
    assert 'name="token"' not in form  # no token configured

    page = client.post(
        "/hochladen",
        files=[("file", ("kiel.txt", doc.TEXT)), ("file", ("bild.png", doc.PNG))],
    )
    assert page.status_code == 201
    assert "kiel.txt" in page.text and "neu archiviert" in page.text
    assert "bild.png" in page.text and "abgelehnt" in page.text and "PNG" in page.text
    again = client.post("/hochladen", files=[("file", ("kiel.txt", doc.TEXT))])
    assert "schon im Archiv" in again.text


def test_upload_form_has_a_token_field_when_a_token_is_set(settings: Settings) -> None:
    with TestClient(create_app(replace(settings, api_token="t")), client=LOOPBACK) as client:
        form = client.get("/hochladen").text
        assert form.index('name="token"') < form.index('name="file"')
        wrong = client.post("/hochladen", data={"token": "x"}, files={"file": ("a.txt", doc.TEXT)})
        assert wrong.status_code == 403
        assert "the API token is wrong" in wrong.text
        right = client.post("/hochladen", data={"token": "t"}, files={"file": ("a.txt", doc.TEXT)})
        assert right.status_code == 201


def test_static_files_are_served(client: TestClient) -> None:
    assert client.get("/static/style.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/app.js").status_code == 200
