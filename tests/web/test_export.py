"""CSV and JSON Lines exports: whole result sets, streamed, safe for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from pressearchiv.settings import Settings
from pressearchiv.web.app import create_app
from pressearchiv.web.export import csv_cell
from tests.web.conftest import LOOPBACK

# The export's columns, in order: what a spreadsheet user (and a script) relies on.
CSV_COLUMNS = (
    "id",
    "date",
    "date_precision",
    "outlet",
    "title",
    "author",
    "url",
    "source_name",
    "ingested_at",
    "text",
)
FORMULA_ARTICLE = {
    "title": '=HYPERLINK("http://evil.example";"Klick")',
    "text": "+Dieser Text beginnt mit einem Pluszeichen und hat genug Wörter für einen Artikel.",
    "outlet": "@Kanal",
    "date": "2022-05-01",
}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30", "'+49 30"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Bürger", "Bürger"),
        (None, ""),
        ("a=b", "a=b"),
    ],
)
def test_csv_cell_defuses_formulas(value: str | None, cell: str) -> None:
    assert csv_cell(value) == cell


def read_csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_export_of_a_search(client: TestClient) -> None:
    response = client.get("/api/search.csv", params={"q": "Lawrow", "outlet": "Epoch Times"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="pressearchiv-export.csv"'
    )
    rows = read_csv(response)
    assert len(rows) == 1
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0]["id"] == "8318da219830f381"
    assert rows[0]["title"] == "Blinken und Lawrow beenden Gespräch vorzeitig"
    assert rows[0]["outlet"] == "Epoch Times"
    assert rows[0]["date"] == "2022-01-21"
    assert rows[0]["date_precision"] == "day"


def test_csv_export_defuses_formula_cells(client: TestClient) -> None:
    assert client.post("/api/articles", json=FORMULA_ARTICLE).status_code == 201
    rows = read_csv(client.get("/api/search.csv", params={"q": "Pluszeichen"}))

    assert rows[0]["title"] == '\'=HYPERLINK("http://evil.example";"Klick")'
    assert rows[0]["text"].startswith("'+Dieser Text")


def test_csv_export_without_query_applies_the_filters(client: TestClient) -> None:
    rows = read_csv(client.get("/api/search.csv", params={"outlet": "Epoch Times"}))
    assert [(r["id"], r["title"], r["date"]) for r in rows] == [
        ("8318da219830f381", "Blinken und Lawrow beenden Gespräch vorzeitig", "2022-01-21")
    ]


def test_jsonl_export_lists_the_whole_result_set(client: TestClient) -> None:
    response = client.get("/api/search.jsonl", params={"from": "2022-01", "to": "2022-01"})

    assert response.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert sorted(line["id"] for line in lines) == [
        "29b4d111e893e525",
        "5d2c86734e52ffa1",
        "8318da219830f381",
    ]
    assert set(lines[0]) == set(CSV_COLUMNS)


def test_export_of_nothing_is_just_the_header(client: TestClient) -> None:
    assert read_csv(client.get("/api/search.csv", params={"q": "Quetzalcoatl"})) == []
    assert client.get("/api/search.jsonl", params={"q": "Quetzalcoatl"}).text == ""


def test_export_stops_at_export_limit(settings: Settings) -> None:
    with TestClient(create_app(replace(settings, export_limit=2)), client=LOOPBACK) as client:
        assert len(client.get("/api/search.jsonl").text.splitlines()) == 2
        assert len(read_csv(client.get("/api/search.csv"))) == 2
