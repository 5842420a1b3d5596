"""German date forms, partial dates and where in a text an article's own date is."""

from __future__ import annotations

from datetime import date

import pytest

from pressearchiv.archive.dates import find_article_date, parse_german_date
from pressearchiv.archive.errors import InvalidDate
from pressearchiv.archive.model import DatePrecision, PartialDate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21. Januar 2022", PartialDate(2022, 1, 21)),
        ("21. Jänner 2022", PartialDate(2022, 1, 21)),
        ("3. März 2020", PartialDate(2020, 3, 3)),
        ("3. Maerz 2020", PartialDate(2020, 3, 3)),
        ("1. Sept. 2021", PartialDate(2021, 9, 1)),
        ("21.1.2022", PartialDate(2022, 1, 21)),
        ("21.01.22", PartialDate(2022, 1, 21)),
        ("Januar 2022", PartialDate(2022, 1)),
        ("Dezember 2021", PartialDate(2021, 12)),
        ("2022-01-21", PartialDate(2022, 1, 21)),
        ("2022-01", PartialDate(2022, 1)),
        ("2022", PartialDate(2022)),
        ("2020-04-24T20:17:56+02:00", PartialDate(2020, 4, 24)),
        ("2021-03-05 10:11:12", PartialDate(2021, 3, 5)),
    ],
)
def test_parse_german_date(text: str, expected: PartialDate) -> None:
    assert parse_german_date(text) == expected


@pytest.mark.parametrize("text", ["2022-13-45", "31.2.2022", "gestern", "2022-02-30", "13/2022"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(InvalidDate):
        parse_german_date(text)


def test_partial_date_ranges() -> None:
    january = PartialDate(2022, 1)
    assert january.precision is DatePrecision.MONTH
    assert (january.start, january.end) == (date(2022, 1, 1), date(2022, 1, 31))
    assert (PartialDate(2024, 2).end) == date(2024, 2, 29)
    year = PartialDate(2022)
    assert (year.start, year.end) == (date(2022, 1, 1), date(2022, 12, 31))
    assert str(january) == "2022-01"
    assert str(PartialDate(2022, 1, 5)) == "2022-01-05"


def test_signature_date_wins_over_a_date_in_the_body() -> None:
    text = "Am 9. November 1989 fiel die Mauer. " * 3 + "Mehr Text. " * 40 + "(bbl, APA, 8.11.2019)"
    found = find_article_date(text)
    assert found is not None and found.date == PartialDate(2019, 11, 8)


def test_dateline_near_the_top() -> None:
    text = "Schlagzeile\n\nEpoch Times21. Januar 2022\n\n" + "Der Text des Artikels. " * 50
    found = find_article_date(text)
    assert found is not None and found.date == PartialDate(2022, 1, 21)


def test_dates_deep_in_the_body_are_ignored() -> None:
    text = (
        "Einleitung ohne Datum. " * 30 + "Am 9. November 1989 fiel die Mauer. " + "Schluss. " * 40
    )
    assert find_article_date(text) is None


def test_version_numbers_are_not_dates() -> None:
    assert find_article_date("Das Update 1.2.3 kam mit Version 10.13.2020 heraus.") is None
