"""Links and cells (issue 12, class 6): only http(s) URLs become links, and no
CSV cell can start a formula, also where a spreadsheet splits cells at ";"."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from starlette.testclient import TestClient

from pressearchiv.web.export import csv_cell
from pressearchiv.web.rendering import is_web_link

TEXT = "Die Stadtwerke Kleinhausen erhöhen die Preise für Fernwärme zum April deutlich."


def _upload(client: TestClient, **fields: str) -> str:
    # \u escapes as a JSON exporter writes them (control characters included).
    body = json.dumps({"text": f"{TEXT} {fields.pop('marker', '')}", **fields}).encode()
    response = client.post(
        "/api/articles", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["results"][0]["id"])


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.domain)",
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        " javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "//evil.example/pfad",
        "https:evil.example",
    ],
)
def test_a_url_of_another_scheme_is_shown_as_text(client: TestClient, url: str) -> None:
    article_id = _upload(client, url=url, marker="Schema")
    page = client.get(f"/artikel/{article_id}").text
    source = page.split("<dt>Quelle</dt>", 1)[1].split("</dd>", 1)[0]
    assert "<a " not in source and "href" not in source, source
    assert not re.search(r'href="\s*(javascript|data|vbscript)', page, re.IGNORECASE)


@pytest.mark.parametrize("url", ["https://www.derstandard.at/story/1", "http://kn-online.de/a"])
def test_an_http_url_is_a_link(client: TestClient, url: str) -> None:
    article_id = _upload(client, url=url, marker="Verweis")
    page = client.get(f"/artikel/{article_id}").text
    assert f'<a href="{url}" rel="noopener noreferrer nofollow">' in page


def test_is_web_link_rejects_what_is_not_text() -> None:
    assert not is_web_link(None)
    assert not is_web_link("http://[::1")  # urlsplit raises on this


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('Titel;=HYPERLINK("http://evil.example")', 'Titel;\'=HYPERLINK("http://evil.example")'),
        ("Titel; +1+cmd|' /C calc'!A0", "Titel; '+1+cmd|' /C calc'!A0"),
        ("Preis, -5 Euro", "Preis, '-5 Euro"),
        ("Zeile 1\n@SUM(A1)", "Zeile 1\n'@SUM(A1)"),
        ("Zeile 1\r\n=1", "Zeile 1\r\n'=1"),
        (";=1", ";'=1"),
        ("\r=1", "'\r=1"),
        ("2022-01-21", "2022-01-21"),
        ("E-Mail an a@b.de", "E-Mail an a@b.de"),
    ],
)
def test_formula_starts_after_separators_are_defused(value: str, cell: str) -> None:
    assert csv_cell(value) == cell


def test_the_csv_export_quotes_every_cell(client: TestClient) -> None:
    _upload(client, title="Titel;=1+1", marker="Tabellenangriff; @SUM(A1)")
    raw = client.get("/api/search.csv", params={"q": "Tabellenangriff"}).content.decode()
    lines = raw.lstrip("\ufeff").splitlines()
    # Every cell of the header and of the row is quoted, also empty ones and numbers.
    for line in lines[:2]:
        assert line.startswith('"') and line.endswith('"')
        assert all(c.startswith('"') for c in re.split(r",(?=\")", line))
    (row,) = list(csv.DictReader(io.StringIO(raw.lstrip("\ufeff"))))
    assert row["title"] == "Titel;'=1+1"
    assert row["text"].endswith("Tabellenangriff; '@SUM(A1)")


def test_the_csv_export_read_as_a_german_spreadsheet_reads_it_has_no_formula(
    client: TestClient,
) -> None:
    """Split every line at ";" as Excel with a German locale does: no piece is a formula."""
    _upload(client, title='Titel;=HYPERLINK("x");-2+3', marker="Semikolon;+B")
    raw = client.get("/api/search.csv", params={"q": "Semikolon"}).content.decode()
    for line in raw.lstrip("\ufeff").splitlines():
        for piece in line.split(";"):
            assert not piece.strip().lstrip('"').startswith(("=", "+", "-", "@")), piece
