"""The outlet of a saved page, and every name the page uses for it.

Order of trust: the URL's domain when the table knows it, then a site name the
table knows (``og:site_name``, ``application-name``, the JSON-LD publisher), then
the bare domain, then the page's own site name stripped of slogan and legal
form, then the outlet naming itself in the text. Twitter handles never name an
outlet: ``@golemredaktion`` is an account, not a masthead.
"""

from __future__ import annotations

from pressearchiv.archive.outlets import (
    UNKNOWN_OUTLET,
    canonical_outlet,
    known_outlet,
    names_of_outlet,
    outlet_for_domain,
    outlet_for_url,
    outlet_named_in_text,
)
from pressearchiv.archive.page_meta import PageMeta

__all__ = ["page_outlet", "site_names_for"]

# Site names too generic to name an outlet (heise's "Security" channel).
_GENERIC = {"security", "news", "nachrichten", "home", "startseite", "online", "aktuell"}


def _usable(name: str) -> bool:
    name = name.strip()
    return (
        2 <= len(name) <= 80
        and not name.startswith(("@", "http"))
        and (name.lower() not in _GENERIC)
    )


def page_outlet(meta: PageMeta, url: str | None, text: str) -> str:
    """One canonical outlet name for the page (trafilatura's site name is not asked:
    it may be a Twitter handle)."""
    if url and (known := outlet_for_domain(url)):
        return known
    names = [n for n in meta.site_names if _usable(n)]
    for name in names:
        if known := known_outlet(name):
            return known
    if url and (domain := outlet_for_url(url)):
        return domain
    if names:
        return canonical_outlet(names[0])
    return outlet_named_in_text(text) or UNKNOWN_OUTLET


def site_names_for(meta: PageMeta, url: str | None) -> list[str]:
    """Every spelling of the site's name the page uses, for stripping it from titles."""
    names = [n for n in meta.site_names if _usable(n)]
    if url and (host := outlet_for_url(url)):
        names += [host, host.split(".")[0]]
    for name in list(names):
        if known := known_outlet(name):
            names += [known, *sorted(names_of_outlet(known))]
    return names
