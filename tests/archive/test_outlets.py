"""Outlets from domains, from uploader input and from an article's own signature."""

from __future__ import annotations

import pytest

from pressearchiv.archive.outlets import canonical_outlet, outlet_for_url, outlet_named_in_text


@pytest.mark.parametrize(
    ("url", "outlet"),
    [
        ("https://www.derstandard.at/story/2000132650", "DER STANDARD"),
        ("https://www.tagesspiegel.de/politik/x.html", "Der Tagesspiegel"),
        ("https://www.zeit.de/politik/2022-01/x", "ZEIT ONLINE"),
        ("https://blog.zeit.de/x", "ZEIT ONLINE"),
        ("https://www.sueddeutsche.de/politik/x-1.5", "Süddeutsche Zeitung"),
        ("https://de.rt.com/international/1", "RT DE"),
        ("https://m.spiegel.de/politik/a", "DER SPIEGEL"),
        ("http://WWW.NZZ.CH/x", "Neue Zürcher Zeitung"),
        ("https://www.unbekannte-zeitung.de/a/b", "unbekannte-zeitung.de"),
        ("journalistenwatch.com", "journalistenwatch.com"),
    ],
)
def test_outlet_for_url(url: str, outlet: str) -> None:
    assert outlet_for_url(url) == outlet


@pytest.mark.parametrize("url", ["", "nicht eine url", "http://", "https://[::1"])
def test_no_outlet_from_junk_urls(url: str) -> None:
    assert outlet_for_url(url) is None


@pytest.mark.parametrize(
    ("given", "outlet"),
    [
        ("tagesspiegel.de", "Der Tagesspiegel"),
        ("Der Standard", "DER STANDARD"),
        ("  Meine   Lokalzeitung ", "Meine Lokalzeitung"),
        ("https://www.faz.net/aktuell", "Frankfurter Allgemeine Zeitung"),
    ],
)
def test_canonical_outlet(given: str, outlet: str) -> None:
    assert canonical_outlet(given) == outlet


def test_outlet_named_in_dateline_and_signature() -> None:
    assert outlet_named_in_text("Titel\nEpoch Times21. Januar 2022\nText") == "Epoch Times"
    assert outlet_named_in_text("Text.\n\nIhre Epoch Times - Redaktion") == "Epoch Times"
    assert outlet_named_in_text("Text.\n© DER STANDARD 2022") == "DER STANDARD"
    assert outlet_named_in_text("Wie der Spiegel berichtet, war die Zeit knapp.") is None
