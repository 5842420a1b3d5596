"""The classes of page metadata the fixture pages exercise, each on its own.

Dates from structured sources and never from header bars or modified dates,
titles without site names, outlets under one name, authors that are people or
agencies, datelines that never become titles, and login walls refused.
"""

from __future__ import annotations

import json

import pytest

from pressearchiv.archive.authors import names_in
from pressearchiv.archive.cleaning import guess_title
from pressearchiv.archive.errors import NotAnArticle
from pressearchiv.archive.model import DateSource, Overrides, PartialDate
from pressearchiv.archive.outlets import canonical_outlet, outlet_for_url
from pressearchiv.archive.parsing import parse_document
from pressearchiv.archive.published import date_from_string
from pressearchiv.archive.titles import strip_site_name

BODY = (
    "<p>Die Landesregierung hat am Montag ein neues Gesetz zur Förderung des öffentlichen "
    "Nahverkehrs vorgestellt, das vor allem kleinere Gemeinden entlasten soll.</p>"
    "<p>Die Opposition kritisierte den Entwurf als zu zaghaft und verlangte mehr Geld für "
    "die Busverbindungen auf dem Land, die seit Jahren ausgedünnt werden.</p>"
)


def page(head: str = "", top: str = "", body: str = BODY) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">{head}</head><body>'
        f"{top}<article><h1>Neues Nahverkehrsgesetz vorgestellt</h1>{body}</article>"
        "</body></html>"
    ).encode()


def draft_of(data: bytes):  # type: ignore[no-untyped-def]
    (draft,) = parse_document(data, "seite.html").drafts
    return draft


# -- dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2024-05-03T15:47:42.389Z", PartialDate(2024, 5, 3)),
        ("2024-05-03T23:30:00Z", PartialDate(2024, 5, 4)),  # 01:30 in Berlin
        ("2024-04-27T07:39+0200", PartialDate(2024, 4, 27)),
        ("2023-04-28 18:11:01.0", PartialDate(2023, 4, 28)),
        ("Fri Apr 28 19:20:36 CEST 2023", PartialDate(2023, 4, 28)),
        ("2024-04", PartialDate(2024, 4)),
        ("2999-01-01", None),
        ("1970-01-01T00:00:00Z", None),
        ("gestern", None),
    ],
)
def test_machine_dates_are_read_as_the_newsrooms_day(value: str, day: PartialDate | None) -> None:
    assert date_from_string(value) == day


def test_published_wins_over_modified_and_created() -> None:
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "X",'
        '"dateCreated": "2020-01-02T10:00:00+01:00", "dateModified": "2024-06-01T10:00:00+02:00",'
        '"datePublished": "2024-05-03T10:00:00+02:00"}</script>'
        '<meta property="article:modified_time" content="2024-06-01T10:00:00+02:00">'
    )
    draft = draft_of(page(ld))
    assert (draft.date, draft.date_source) == (PartialDate(2024, 5, 3), DateSource.JSONLD)


def test_a_modified_date_alone_is_not_the_publication_date() -> None:
    head = '<meta property="article:modified_time" content="2024-06-01T10:00:00+02:00">'
    draft = draft_of(page(head))
    assert draft.date is None and draft.date_source is None


def test_the_header_bar_of_the_day_the_page_was_saved_is_no_date() -> None:
    bar = '<header><div class="date">Dienstag, 27. August 2024</div><nav>Politik</nav></header>'
    assert draft_of(page(top=bar)).date is None


def test_a_date_in_the_page_title() -> None:
    draft = draft_of(page("<title>Neues Gesetz | Europa | DW | 28.04.2023</title>"))
    assert (draft.date, draft.date_source) == (PartialDate(2023, 4, 28), DateSource.TITLE)


def test_the_canonical_url_gives_only_the_month() -> None:
    head = '<link rel="canonical" href="https://www.rbb24.de/politik/beitrag/2024/04/gesetz.html">'
    draft = draft_of(page(head))
    assert (draft.date, draft.date_source) == (PartialDate(2024, 4), DateSource.URL)


# -- titles ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "names", "clean"),
    [
        ("Neue Grafikkarten im Test - CNET.de", ["CNET.de"], "Neue Grafikkarten im Test"),
        ("Das harte Geschäft mit dem Tod | MDR.DE", ["MDR"], "Das harte Geschäft mit dem Tod"),
        ("Bischöfe tagen in Einsiedeln – kath.ch", [], "Bischöfe tagen in Einsiedeln"),
        ("Feuer in Hannover - SAT.1 REGIONAL", ["SAT.1 REGIONAL"], "Feuer in Hannover"),
        ("Gegenoffensive: Ziele | Europa | DW | 28.04.2023", ["Deutsche Welle"], None),
        ("SPIEGEL ONLINE - Merkel reist nach Paris", ["DER SPIEGEL", "Spiegel Online"], None),
        ("USA: Neue Zölle auf Stahl", ["ZEIT ONLINE"], "USA: Neue Zölle auf Stahl"),
        ("Ukraine-Krieg - Kiew meldet Erfolge", ["n-tv"], "Ukraine-Krieg - Kiew meldet Erfolge"),
        ("tagesschau.de", ["tagesschau.de"], "tagesschau.de"),
    ],
)
def test_site_names_leave_titles(title: str, names: list[str], clean: str | None) -> None:
    expected = {
        "Gegenoffensive: Ziele | Europa | DW | 28.04.2023": "Gegenoffensive: Ziele | Europa",
        "SPIEGEL ONLINE - Merkel reist nach Paris": "Merkel reist nach Paris",
    }.get(title, clean)
    assert strip_site_name(title, names) == expected


def test_a_truncated_og_title_gives_way_to_the_full_headline() -> None:
    head = '<meta property="og:title" content="Überlegener Sieger und ">'
    body = BODY.replace("<p>", "<p>", 1)
    data = page(head, body=body).replace(
        b"<h1>Neues Nahverkehrsgesetz vorgestellt</h1>",
        '<h1>Überlegener Sieger und "royaler Besuch"</h1>'.encode(),
    )
    assert draft_of(data).title == 'Überlegener Sieger und "royaler Besuch"'


@pytest.mark.parametrize(
    "text",
    [
        "Wien.\n\nDer Bundeskanzler hat am Montag neue Maßnahmen angekündigt. Mehr folgt.",
        "Wien. Der Bundeskanzler hat am Montag neue Maßnahmen angekündigt. Mehr folgt.",
    ],
)
def test_a_dateline_is_never_the_title(text: str) -> None:
    assert guess_title(text) == "Der Bundeskanzler hat am Montag neue Maßnahmen angekündigt."
    (draft,) = parse_document(text.encode(), "meldung.txt").drafts
    assert draft.title != "Wien."


# -- outlets ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "outlet"),
    [
        ("futurezone.at", "futurezone"),
        ("Futurezoneat", "futurezone"),
        ("@futurezoneat", "futurezone"),
        ("CORRECTIV - Recherchen für die Gesellschaft", "CORRECTIV"),
        ("St.Galler Tagblatt AG", "St. Galler Tagblatt"),
        ("Freie Presse - Chemnitzer Verlag und Druck GmbH & Co. KG", "Freie Presse"),
        ("Süddeutsche.de", "Süddeutsche Zeitung"),
        ("Rbb-Online, Rundfunk Berlin-Brandenburg, Berlin, Germany", "rbb24"),
        ("Meine Lokalzeitung GmbH - Nachrichten aus der Region", "Meine Lokalzeitung"),
        ("Meine Lokalzeitung", "Meine Lokalzeitung"),
    ],
)
def test_one_name_per_outlet(given: str, outlet: str) -> None:
    assert canonical_outlet(given) == outlet


@pytest.mark.parametrize(
    ("url", "outlet"),
    [
        ("https://www.sn.at/politik/x", "Salzburger Nachrichten"),
        ("https://www.20min.ch/story/x", "20 Minuten"),
        ("https://www.kath.ch/newsd/x", "kath.ch"),
        ("https://news.orf.at/stories/1/", "ORF"),
        ("https://www1.wdr.de/nachrichten/x.html", "WDR"),
    ],
)
def test_domain_table_covers_de_at_ch(url: str, outlet: str) -> None:
    assert outlet_for_url(url) == outlet


def test_a_twitter_handle_never_names_the_outlet() -> None:
    head = '<meta name="twitter:site" content="@golemredaktion">'
    assert "golem" not in draft_of(page(head)).outlet.lower()


# -- authors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("SPIEGEL ONLINE; Hamburg; Germany", []),
        ("So Artikel Empfehlen", []),
        ("hessenschau.de, Frankfurt, Germany", []),
        ("Frankfurter Allgemeine Zeitung GmbH; Ralf Euler", ["Ralf Euler"]),
        ("Capital Von Jemima Kelly 05. November 2024 15:36 Uhr", ["Jemima Kelly"]),
        ("von David Straub, MDR THÜRINGEN", ["David Straub"]),
        ("Ursula von der Leyen", ["Ursula von der Leyen"]),
        ("sak/Reuters", ["Reuters"]),
        ("AFP", ["AFP"]),
        ("Lesedauer", []),
    ],
)
def test_only_people_and_agencies_are_authors(field: str, names: list[str]) -> None:
    assert names_in(field, ["DER SPIEGEL"]) == names


def test_an_uploaders_outlet_is_canonical_too() -> None:
    (draft,) = parse_document(
        page(), "seite.html", overrides=Overrides(outlet="derstandard.at")
    ).drafts
    assert draft.outlet == "DER STANDARD"


@pytest.mark.parametrize(
    ("byline", "author"), [("Redaktion", None), ("dpa/lnw", "dpa"), ("Anna Muster", "Anna Muster")]
)
def test_json_bylines_are_checked_as_well(byline: str, author: str | None) -> None:
    record = {
        "text": "Die Landesregierung hat am Montag ein neues Gesetz vorgestellt.",
        "author": byline,
    }
    (draft,) = parse_document(json.dumps(record).encode(), "artikel.json").drafts
    assert draft.author == author


def test_junk_author_fields_leave_no_author() -> None:
    head = '<meta name="author" content="SPIEGEL ONLINE; Hamburg; Germany">'
    assert draft_of(page(head)).author is None


# -- not an article --------------------------------------------------------------


def test_a_login_wall_is_refused() -> None:
    wall = (
        "<p>Dieser Artikel ist nur für Abonnenten. Bitte anmelden oder jetzt ein Abo "
        "abschließen, um weiterzulesen. Passwort vergessen? Noch kein Benutzerkonto? "
        "Jetzt registrieren und einloggen.</p>"
    )
    with pytest.raises(NotAnArticle, match="login or subscription"):
        parse_document(page(body=wall), "wall.html")
