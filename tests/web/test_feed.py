"""The Atom feed of a search, read by a real feed parser (feedparser), and its
conditional GET."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import pytest
from starlette.testclient import TestClient

from tests.web.shapes import assert_error
from tests.web.stories import FOLLOW_UP_ID, REPORTAGE_ID, STORY, VERSION_IDS, upload_flood

BASE = "http://testserver"


@pytest.fixture
def flood(client: TestClient) -> TestClient:
    upload_flood(client)
    return client


def parse(client: TestClient, params: dict[str, str] | list[tuple[str, str]]) -> Any:
    response = client.get("/api/search.atom", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    # bozo is feedparser's flag for anything not well-formed.
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_the_feed_is_atom_with_the_newest_matches_first(flood: TestClient) -> None:
    feed = parse(flood, {"q": "Dresden OR Laubegast"})
    assert feed.feed.title == "Pressearchiv: „Dresden OR Laubegast“"
    assert feed.feed.id == f"{BASE}/api/search.atom?q=Dresden+OR+Laubegast"
    # When the feed last changed: its newest entry's date, or the archiving of an
    # entry, if later (here: today).
    assert feed.feed.updated >= "2024-09-20T00:00:00Z"
    links = {(link.rel, link.type): link.href for link in feed.feed.links}
    assert links == {
        ("self", "application/atom+xml"): f"{BASE}/api/search.atom?q=Dresden+OR+Laubegast",
        ("alternate", "text/html"): f"{BASE}/?q=Dresden+OR+Laubegast",
    }
    entries = feed.entries
    assert [e.updated[:10] for e in entries] == [
        "2024-09-20",
        "2024-09-19",
        "2024-09-18",
        "2024-09-18",
        "2024-09-18",
        "2024-09-17",
        "2024-09-17",
    ]
    first = entries[0]
    assert first.id == f"{BASE}/artikel/{FOLLOW_UP_ID}"
    assert first.link == f"{BASE}/artikel/{FOLLOW_UP_ID}"
    assert first.title == "Elbe-Pegel sinkt wieder"
    assert first.updated == "2024-09-20T00:00:00Z"
    assert first.author == "Sächsische Zeitung"
    assert first.source.title == "Sächsische Zeitung"
    assert first.summary_detail.type == "text/html"
    # feedparser's sanitizer keeps the words but drops <mark>; in the XML it is there.
    assert first.summary.startswith("Dresden (dpa) - Das Hochwasser der Elbe")
    xml = flood.get("/api/search.atom", params={"q": "Dresden OR Laubegast"}).text
    assert "&lt;mark&gt;Dresden&lt;/mark&gt;" in xml
    # Atom is the default namespace: plain <feed>/<entry>, no ns0: prefixes.
    assert '<feed xmlns="http://www.w3.org/2005/Atom"' in xml and "ns0:" not in xml
    versions = [e for e in entries if e.id.rsplit("/", 1)[1] in VERSION_IDS]
    assert len(versions) == 5
    assert all(e.tags[0].term == f"story:{STORY}" for e in versions)


def test_the_feed_takes_the_search_parameters(flood: TestClient) -> None:
    by_outlet = parse(flood, [("q", "Dresden OR Laubegast"), ("outlet", "Sächsische Zeitung")])
    assert [e.title for e in by_outlet.entries] == [
        "Elbe-Pegel sinkt wieder",
        "Katastrophenalarm in Dresden",
    ]
    assert "in Sächsische Zeitung" in by_outlet.feed.title
    grouped = parse(flood, {"q": "Dresden OR Laubegast", "group": "story"})
    assert [e.id.rsplit("/", 1)[1] for e in grouped.entries] == [
        FOLLOW_UP_ID,
        VERSION_IDS[4],
        REPORTAGE_ID,
    ]
    two = parse(flood, {"q": "Dresden OR Laubegast", "size": "2", "sort": "oldest", "page": "3"})
    # Newest first whatever sort and page say; size is the number of entries.
    assert [e.updated[:10] for e in two.entries] == ["2024-09-20", "2024-09-19"]
    dated = parse(flood, {"q": "Dresden", "from": "2024-09-18", "to": "2024-09-18"})
    assert {e.updated[:10] for e in dated.entries} == {"2024-09-18"}


def test_bad_feed_parameters_are_json_errors(client: TestClient) -> None:
    assert_error(client.get("/api/search.atom", params={"size": "0"}), 400)
    assert_error(client.get("/api/search.atom", params={"from": "2024-13"}), 400)
    assert_error(client.get("/api/search.atom", params={"group": "nie"}), 400)


def test_titles_and_snippets_are_escaped_not_markup(client: TestClient) -> None:
    article = {
        "title": "Warnung <script>alert(1)</script> & Co.",
        "text": "Die Verbraucherzentrale warnt vor <b>gefälschten</b> Mahnungen & Rechnungen "
        "per E-Mail, die derzeit im Namen bekannter Versandhändler verschickt werden.",
        "outlet": "Verbraucherdienst",
        "date": "2024-10-01",
    }
    assert client.post("/api/articles", json=article).status_code == 201
    feed = parse(client, {"q": "Verbraucherzentrale"})
    [entry] = feed.entries
    assert entry.title == "Warnung <script>alert(1)</script> & Co."
    assert "&lt;b&gt;gefälschten&lt;/b&gt;" in entry.summary
    unsanitized = feedparser.parse(
        client.get("/api/search.atom", params={"q": "Verbraucherzentrale"}).content,
        sanitize_html=False,
    )
    assert "<mark>Verbraucherzentrale</mark>" in unsanitized.entries[0].summary


def test_control_characters_never_break_the_xml(client: TestClient) -> None:
    article = {
        "title": "Steuer\x0bzeichen\x01 im Titel",
        "text": "Ein Bericht über Steuerzeichen\x0c in Texten, die aus alten Redaktionssystemen "
        "stammen und beim Export in Feeds Probleme machen können.",
        "outlet": "Archivdienst",
        "date": "2024-10-02",
    }
    assert client.post("/api/articles", json=article).status_code == 201
    [entry] = parse(client, {"q": "Redaktionssystemen"}).entries
    assert "zeichen" in entry.title


def test_conditional_get_answers_304_until_something_new_matches(flood: TestClient) -> None:
    params = {"q": "Elbe"}
    first = flood.get("/api/search.atom", params=params)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and modified.endswith(" GMT")

    again = flood.get("/api/search.atom", params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    since = flood.get("/api/search.atom", params=params, headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    listed = flood.get(
        "/api/search.atom", params=params, headers={"If-None-Match": f'"other", W/{etag}'}
    )
    assert listed.status_code == 304
    other = flood.get("/api/search.atom", params=params, headers={"If-None-Match": '"other"'})
    assert other.status_code == 200
    bad_date = flood.get("/api/search.atom", params=params, headers={"If-Modified-Since": "nie"})
    assert bad_date.status_code == 200

    article = {
        "title": "Elbe wieder schiffbar",
        "text": "Nach dem Hochwasser ist die Elbe bei Dresden wieder für Schiffe freigegeben. "
        "Die Fähren nehmen den Betrieb am Wochenende auf, teilte die Stadt mit.",
        "outlet": "MDR",
        "date": "2024-09-24",
    }
    assert flood.post("/api/articles", json=article).status_code == 201
    changed = flood.get("/api/search.atom", params=params, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert feedparser.parse(changed.content).entries[0].title == "Elbe wieder schiffbar"
    # Archived in the same second as the flood or later, never earlier.
    later = parsedate_to_datetime(changed.headers["last-modified"])
    assert later >= parsedate_to_datetime(modified)


def test_an_empty_feed_is_valid(client: TestClient) -> None:
    feed = parse(client, {"q": "Zyxwvutsrqp"})
    assert feed.entries == []
    assert feed.feed.updated == "1970-01-01T00:00:00Z"
