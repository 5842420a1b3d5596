"""Which outlet published an article: from its URL's domain, or its own words.

The table maps registered domains of German-language outlets to the name the
outlet uses for itself. A domain that is not in the table is kept as it is
(``example-news.de``): that is what the input supports, and nothing more.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = [
    "UNKNOWN_OUTLET",
    "canonical_outlet",
    "outlet_for_domain",
    "outlet_for_url",
    "outlet_named_in_text",
    "strip_datelines",
]

UNKNOWN_OUTLET = "unbekannt"

OUTLETS: dict[str, str] = {
    # Germany
    "abendblatt.de": "Hamburger Abendblatt",
    "augsburger-allgemeine.de": "Augsburger Allgemeine",
    "berliner-zeitung.de": "Berliner Zeitung",
    "bild.de": "BILD",
    "br.de": "BR24",
    "cicero.de": "Cicero",
    "deutschlandfunk.de": "Deutschlandfunk",
    "dw.com": "Deutsche Welle",
    "epochtimes.de": "Epoch Times",
    "faz.net": "Frankfurter Allgemeine Zeitung",
    "focus.de": "FOCUS online",
    "fr.de": "Frankfurter Rundschau",
    "freitag.de": "der Freitag",
    "handelsblatt.com": "Handelsblatt",
    "heise.de": "heise online",
    "jungewelt.de": "junge Welt",
    "ksta.de": "Kölner Stadt-Anzeiger",
    "mdr.de": "MDR",
    "merkur.de": "Merkur",
    "mopo.de": "Hamburger Morgenpost",
    "morgenpost.de": "Berliner Morgenpost",
    "n-tv.de": "n-tv",
    "nd-aktuell.de": "nd",
    "ndr.de": "NDR",
    "netzpolitik.org": "netzpolitik.org",
    "nzz.ch": "Neue Zürcher Zeitung",
    "rnd.de": "RedaktionsNetzwerk Deutschland",
    "rp-online.de": "Rheinische Post",
    "spiegel.de": "DER SPIEGEL",
    "stern.de": "stern",
    "stuttgarter-zeitung.de": "Stuttgarter Zeitung",
    "sueddeutsche.de": "Süddeutsche Zeitung",
    "swr.de": "SWR",
    "t-online.de": "t-online",
    "tagesschau.de": "tagesschau.de",
    "tagesspiegel.de": "Der Tagesspiegel",
    "taz.de": "taz",
    "welt.de": "WELT",
    "wdr.de": "WDR",
    "wiwo.de": "WirtschaftsWoche",
    "zdf.de": "ZDF",
    "zeit.de": "ZEIT ONLINE",
    "de.rt.com": "RT DE",
    "de.wikinews.org": "Wikinews",
    # Austria
    "derstandard.at": "DER STANDARD",
    "diepresse.com": "Die Presse",
    "falter.at": "Falter",
    "krone.at": "Kronen Zeitung",
    "kurier.at": "Kurier",
    "orf.at": "ORF",
    "profil.at": "profil",
    "salzburg.com": "Salzburger Nachrichten",
    "kleinezeitung.at": "Kleine Zeitung",
    "wienerzeitung.at": "Wiener Zeitung",
    # Switzerland
    "aargauerzeitung.ch": "Aargauer Zeitung",
    "blick.ch": "Blick",
    "derbund.ch": "Der Bund",
    "srf.ch": "SRF",
    "tagesanzeiger.ch": "Tages-Anzeiger",
    "watson.ch": "watson",
    "woz.ch": "WOZ Die Wochenzeitung",
}

# Names an outlet signs with, besides its table name (lower case).
_ALIASES: dict[str, str] = {
    "epoch times": "Epoch Times",
    "der standard": "DER STANDARD",
    "derstandard.at": "DER STANDARD",
    "der spiegel": "DER SPIEGEL",
    "spiegel online": "DER SPIEGEL",
    "zeit online": "ZEIT ONLINE",
    "die zeit": "ZEIT ONLINE",
    "süddeutsche zeitung": "Süddeutsche Zeitung",
    "sz.de": "Süddeutsche Zeitung",
    "der tagesspiegel": "Der Tagesspiegel",
    "tagesspiegel": "Der Tagesspiegel",
    "frankfurter allgemeine zeitung": "Frankfurter Allgemeine Zeitung",
    "faz.net": "Frankfurter Allgemeine Zeitung",
    "neue zürcher zeitung": "Neue Zürcher Zeitung",
    "junge welt": "junge Welt",
    "deutsche welle": "Deutsche Welle",
    "die presse": "Die Presse",
    "tagesschau.de": "tagesschau.de",
    "wikinews": "Wikinews",
}

# Subdomains that say nothing about the outlet.
_NOISE_LABELS = {"www", "m", "mobil", "mobile", "amp", "edition", "epaper"}


def _host(url: str) -> str | None:
    candidate = url.strip()
    if "://" not in candidate:
        candidate = "http://" + candidate
    try:
        host = urlsplit(candidate).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    labels = host.lower().rstrip(".").split(".")
    while len(labels) > 2 and labels[0] in _NOISE_LABELS:
        labels = labels[1:]
    return ".".join(labels)


def outlet_for_domain(domain: str) -> str | None:
    """The table's name for a host (``www.zeit.de``, ``blog.zeit.de``), if any."""
    host = _host(domain)
    if host is None:
        return None
    labels = host.split(".")
    # Try the host, then its parents: ``de.rt.com`` before ``rt.com``.
    for start in range(len(labels) - 1):
        name = OUTLETS.get(".".join(labels[start:]))
        if name:
            return name
    return None


def outlet_for_url(url: str) -> str | None:
    """Outlet named by a URL: the table's name, else the bare domain; None if no URL."""
    known = outlet_for_domain(url)
    if known:
        return known
    return _host(url)


def looks_like_domain(value: str) -> bool:
    return bool(re.fullmatch(r"(?:https?://)?[\w.-]+\.[a-z]{2,}(?:/.*)?", value.strip(), re.I))


def canonical_outlet(value: str) -> str:
    """Normalise an outlet given by an uploader or an export (``tagesspiegel.de``)."""
    value = " ".join(value.split())
    if looks_like_domain(value):
        return outlet_for_url(value) or value
    return _ALIASES.get(value.lower(), value)


_SIGNATURE_NAMES = sorted(
    set(_ALIASES) | {name.lower() for name in OUTLETS.values()}, key=len, reverse=True
)
_NAME_PATTERN = "|".join(re.escape(n) for n in _SIGNATURE_NAMES)
# "Epoch Times21. Januar 2022": a dateline, the outlet glued to the date.
_DATELINE = re.compile(rf"^\s*({_NAME_PATTERN})\s*\d{{1,2}}\.", re.I | re.M)
# "Ihre Epoch Times - Redaktion", "© DER STANDARD 2022", "Quelle: ZEIT ONLINE".
_SIGNATURE = re.compile(
    rf"^\s*(?:ihre?|©|\(c\)|copyright|quelle:)\s*({_NAME_PATTERN})\b", re.I | re.M
)


_DATELINE_ONLY = re.compile(
    rf"^\s*(?:{_NAME_PATTERN})\s*\d{{1,2}}\.\s*\w+\.?\s*\d{{2,4}}\s*$", re.I
)


def strip_datelines(text: str) -> str:
    """Remove lines that hold nothing but an outlet's name and a date."""
    return "\n".join(line for line in text.split("\n") if not _DATELINE_ONLY.match(line))


def outlet_named_in_text(text: str) -> str | None:
    """An outlet the article names as its own in a dateline or a signature."""
    for pattern in (_DATELINE, _SIGNATURE):
        match = pattern.search(text)
        if match:
            return canonical_outlet(match.group(1))
    return None
