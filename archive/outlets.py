"""Which outlet published an article: one canonical name, whatever the source says.

A page names its outlet in many ways: its domain (``www.zeit.de``), its site name
(``ZEIT ONLINE``, ``Süddeutsche.de``), a publisher with its legal form
(``St.Galler Tagblatt AG``) or slogan (``CORRECTIV - Recherchen für die
Gesellschaft``), a handle (``Futurezoneat``), or its own signature in the text.
All of these are folded to one *key* (lower case, umlauts spelt out, nothing but
letters and digits) and looked up in the table of
:mod:`pressearchiv.archive.outlet_table`, so an outlet gets one name in the facet.
An outlet the table does not know keeps its domain, or its site name stripped of
legal form and slogan: that is what the input supports, and nothing more.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit

from pressearchiv.archive.outlet_table import OUTLET_ROWS

__all__ = [
    "UNKNOWN_OUTLET",
    "canonical_outlet",
    "name_key",
    "names_of_outlet",
    "outlet_for_domain",
    "outlet_for_url",
    "outlet_named_in_text",
    "strip_datelines",
]

UNKNOWN_OUTLET = "unbekannt"

# Subdomains that say nothing about the outlet.
_NOISE_LABELS = {"www", "www1", "www2", "m", "mobil", "mobile", "amp", "edition", "epaper", "news"}
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e"})
# Legal forms and publishing-house words that are not part of the outlet's name.
_LEGAL_FORM = re.compile(
    r"(?:\s*,)?\s+(?:GmbH\s*&\s*Co\.?\s*KGa?A?|Ges\.?\s?m\.?\s?b\.?\s?H\.?|m\.?b\.?H\.?|"
    r"gGmbH|GmbH|AG|SE|KG|e\.\s?V\.|Ltd\.?|Inc\.?|S\.A\.|Verlagsgesellschaft|Verlag)\.?$",
    re.I,
)
# Where a site name's slogan, place or legal owner starts: "CORRECTIV - Recherchen …".
_SEPARATORS = re.compile(r"\s+[-–—|·:•]\s+|\s*[|,;]\s*|\s+\(")


def name_key(value: str) -> str:
    """The form in which two spellings of one outlet's name are equal."""
    folded = value.casefold().translate(_FOLD).strip()
    folded = re.sub(r"^(?:https?://)?(?:www\.)?@?", "", folded)
    return re.sub(r"[^0-9a-z]", "", folded)


@cache
def _table() -> dict[str, str]:
    """key → canonical name, for every name, other name and domain in the table."""
    table: dict[str, str] = {}
    for canonical, domains, others in OUTLET_ROWS:
        for name in (canonical, *others, *domains):
            table.setdefault(name_key(name), canonical)
    return table


@cache
def _domains() -> dict[str, str]:
    return {domain: canonical for canonical, domains, _ in OUTLET_ROWS for domain in domains}


@cache
def _names_by_outlet() -> dict[str, frozenset[str]]:
    return {
        canonical: frozenset(name_key(n) for n in (canonical, *others, *domains))
        for canonical, domains, others in OUTLET_ROWS
    }


def names_of_outlet(outlet: str) -> frozenset[str]:
    """The keys of every name an outlet goes by (just its own key if it is not in the table)."""
    return _names_by_outlet().get(outlet, frozenset({name_key(outlet)}))


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
        name = _domains().get(".".join(labels[start:]))
        if name:
            return name
    return None


def outlet_for_url(url: str) -> str | None:
    """Outlet named by a URL: the table's name, else the bare domain; None if no URL."""
    return outlet_for_domain(url) or _host(url)


def looks_like_domain(value: str) -> bool:
    return bool(re.fullmatch(r"(?:https?://)?[\w.-]+\.[a-z]{2,}(?:/.*)?", value.strip(), re.I))


def known_outlet(value: str) -> str | None:
    """The canonical name of an outlet the table knows under this name, part or domain."""
    value = " ".join(value.split()).lstrip("@")
    if not value:
        return None
    if found := _table().get(name_key(value)):
        return found
    if looks_like_domain(value):
        return outlet_for_domain(value)
    for part in _SEPARATORS.split(value):
        if part.strip() and (found := _table().get(name_key(_strip_legal_form(part)))):
            return found
    return None


def canonical_outlet(value: str) -> str:
    """One name for an outlet named by an uploader, an export or a page's site name.

    Known outlets get the table's name; a domain becomes the table's name or
    stays the bare domain; an unknown name loses its slogan and legal form
    (``Meine Lokalzeitung GmbH - Nachrichten aus der Region`` → ``Meine
    Lokalzeitung``).
    """
    value = " ".join(value.split())
    if found := known_outlet(value):
        return found
    if looks_like_domain(value):
        return outlet_for_url(value) or value
    first = _SEPARATORS.split(value.lstrip("@"), maxsplit=1)[0]
    return _strip_legal_form(first).strip(" .,-–") or value


def _strip_legal_form(name: str) -> str:
    previous = None
    while previous != name:  # "… Verlag GmbH & Co. KG": both go
        previous, name = name, _LEGAL_FORM.sub("", name).strip()
    return name


@cache
def _signature_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    names = {canonical.lower() for canonical, _, _ in OUTLET_ROWS}
    names |= {other.lower() for _, _, others in OUTLET_ROWS for other in others if len(other) > 3}
    pattern = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    # "Epoch Times21. Januar 2022": a dateline, the outlet glued to the date.
    dateline = re.compile(rf"^\s*({pattern})\s*\d{{1,2}}\.", re.I | re.M)
    # "Ihre Epoch Times - Redaktion", "© DER STANDARD 2022", "Quelle: ZEIT ONLINE".
    signature = re.compile(rf"^\s*(?:ihre?|©|\(c\)|copyright|quelle:)\s*({pattern})\b", re.I | re.M)
    dateline_only = re.compile(rf"^\s*(?:{pattern})\s*\d{{1,2}}\.\s*\w+\.?\s*\d{{2,4}}\s*$", re.I)
    return dateline, signature, dateline_only


def strip_datelines(text: str) -> str:
    """Remove lines that hold nothing but an outlet's name and a date."""
    only = _signature_patterns()[2]
    return "\n".join(line for line in text.split("\n") if not only.match(line))


def outlet_named_in_text(text: str) -> str | None:
    """An outlet the article names as its own in a dateline or a signature."""
    for pattern in _signature_patterns()[:2]:
        match = pattern.search(text)
        if match:
            return canonical_outlet(match.group(1))
    return None
