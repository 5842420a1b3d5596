"""Who wrote an article: plausible person or agency names, and nothing else.

Author fields of real pages hold a lot that is not a name: the outlet
(``DER SPIEGEL``, ``Frankfurter Allgemeine Zeitung GmbH``), its address
(``hessenschau.de, Frankfurt, Germany``), a site name (``Mac & i``), page
furniture (``Lesedauer``, ``So Artikel Empfehlen``) or a byline with its
decoration (``Capital Von Jemima Kelly``, ``David Straub, MDR THÜRINGEN``).
Each candidate is split into names, decoration is cut off, and a name is kept
only if it looks like a person (two to five capitalised words) or is a news
agency. The first source that yields a plausible name wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pressearchiv.archive.outlets import known_outlet, name_key

__all__ = ["AGENCIES", "plausible_authors"]

AGENCIES = {
    "dpa": "dpa",
    "afp": "AFP",
    "ap": "AP",
    "reuters": "Reuters",
    "apa": "APA",
    "sda": "SDA",
    "keystonesda": "Keystone-SDA",
    "kna": "KNA",
    "epd": "epd",
    "dts": "dts",
    "ddp": "ddp",
    "sid": "SID",
    "bloomberg": "Bloomberg",
}
# Particles that may stand in lower case inside a person's name.
_PARTICLES = {"von", "van", "der", "den", "de", "del", "della", "da", "di", "du", "zu", "le", "la"}
_PARTICLES |= {"al", "el", "bin", "ibn", "ten", "ter", "vom", "y", "dos", "das"}
# Words that never make part of a byline's name.
_NOT_NAMES = {
    "redaktion",
    "online",
    "lesedauer",
    "artikel",
    "empfehlen",
    "teilen",
    "germany",
    "deutschland",
    "österreich",
    "schweiz",
    "nachrichten",
    "news",
    "newsroom",
    "team",
    "gmbh",
    "verlag",
    "zeitung",
    "magazin",
    "radio",
    "fernsehen",
    "rundfunk",
    "agentur",
    "agenturen",
    "min",
    "minuten",
    "uhr",
    "foto",
    "bild",
    "quelle",
    "autor",
    "autorin",
    "kommentare",
    "so",
}
_SPLIT = re.compile(r"\s*(?:[,;|/]|\s&\s|\bund\b|\band\b|\bsowie\b)\s*")
# What stands before the names in a byline: "Von", "Text:", "Capital Von", a date.
# Lower-case "von" elsewhere belongs to the name ("Ursula von der Leyen").
_BYLINE_LEAD = re.compile(
    r"^(?:(?i:von|by|text:|autor(?:in)?:|autorin/autor)|\S+\s+Von|[a-zäöü]\S*\s+von|"
    r".*\d.*?\b(?i:von))\s+"
)
_TRAILING_DATE = re.compile(r"\s+\d.*$")
_TOKEN = re.compile(r"^[A-ZÄÖÜ][\w'’.\-]*$|^[A-ZÄÖÜ]\.$")


def _agency(part: str) -> str | None:
    return AGENCIES.get(name_key(part))


def _person(part: str, site_keys: set[str]) -> str | None:
    part = part.strip(" .,:;-–()")
    words = part.split()
    if not 2 <= len(words) <= 5 or any(c.isdigit() for c in part) or "@" in part:
        return None
    if name_key(part) in site_keys or known_outlet(part):
        return None
    for index, word in enumerate(words):
        bare = word.strip(".")
        if bare.lower() in _NOT_NAMES or "." in word[1:-1]:
            return None
        if bare.lower() in _PARTICLES and 0 < index < len(words) - 1:
            continue
        if not _TOKEN.match(word) or (word.isupper() and len(word) > 3):
            return None  # "MDR THÜRINGEN", "SPIEGEL": an outlet, not a person
    return " ".join(words)


def names_in(candidate: str, site_names: Iterable[str]) -> list[str]:
    """The plausible names in one author field, in order, without repeats."""
    site_keys = {name_key(n) for n in site_names}
    candidate = " ".join(candidate.replace("\u00ad", "").split())
    candidate = _BYLINE_LEAD.sub("", candidate, count=1)
    found: list[str] = []
    for part in _SPLIT.split(candidate):
        part = _BYLINE_LEAD.sub("", part, count=1).strip()
        part = _TRAILING_DATE.sub("", part)  # "Jemima Kelly 05. November 2024 15:36 Uhr"
        if not part:
            continue
        name = _agency(part) or _person(part, site_keys)
        if name and name not in found:
            found.append(name)
    return found


def plausible_authors(sources: Iterable[Iterable[str]], site_names: Iterable[str]) -> str | None:
    """The names of the first source that has any, joined with ``, ``; None if none has.

    ``sources`` are author fields, strongest source first (JSON-LD authors,
    meta tags, byline elements, the extractor's guess).
    """
    names = list(site_names)
    for source in sources:
        found: list[str] = []
        for candidate in source:
            found.extend(n for n in names_in(candidate, names) if n not in found)
        if found:
            return ", ".join(found)
    return None
