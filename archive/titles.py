"""A saved page's headline: without the site name the page title carries around it.

Page titles are built for search engines and browser tabs: ``… | MDR.DE``,
``… - Golem.de``, ``… | DW | 28.04.2023``, ``SPIEGEL ONLINE - …``. A segment is
dropped from either end when it is the outlet's name in any spelling (its
table names, its site names, its domain, its initials), a domain, or a date.
Some pages truncate their ``og:title`` at a quote mark; then the full
headline of the same start wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pressearchiv.archive.outlets import name_key
from pressearchiv.archive.page_meta import PageMeta

__all__ = ["page_headline", "strip_site_name"]

# A separator between headline and site name, with blanks on both sides.
_TAIL = re.compile(r"^(?P<head>.*\S)\s+(?:[|–—\-·•›»:]|::)\s+(?P<seg>[^|–—·•›»]+?)\s*$")
_HEAD = re.compile(r"^\s*(?P<seg>[^|–—·•›»:]+?)\s+(?:[|–—\-·•›»:]|::)\s+(?P<rest>\S.*)$")
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.(?:de|at|ch|com|net|org|eu|info|li|lu)$", re.I)
_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2,4}$")
_TRUNCATION = " \"„“”«»'‚‘’"


def _initials(key_source: str) -> str:
    words = re.findall(r"[A-Za-zÄÖÜäöü]+", key_source)
    return "".join(w[0] for w in words).lower() if len(words) > 1 else ""


def _is_site_segment(segment: str, site_keys: set[str]) -> bool:
    segment = segment.strip()
    key = name_key(segment)
    if not key:
        return True  # a separator left alone
    return (
        key in site_keys
        or bool(_DOMAIN.match(segment))
        or bool(_DATE.match(segment))
        or (len(key) <= 4 and key in {_initials(k) for k in site_keys if " " in k})
    )


def strip_site_name(title: str, site_names: Iterable[str]) -> str:
    """``title`` without a site name, domain or date segment at its start or end.

    ``site_names`` are every name the outlet goes by (in any spelling); what
    is left is never empty: a title that is *only* a site name is returned as is.
    """
    site_keys = {name_key(n) for n in site_names if name_key(n)}
    spelled = {n for n in site_names if " " in n}
    site_keys |= {n.lower() for n in spelled}  # for the initials check
    title = " ".join(title.replace("\u00ad", "").split())
    while (match := _TAIL.match(title)) and _is_site_segment(match["seg"], site_keys):
        title = match["head"]
    while (match := _HEAD.match(title)) and _is_site_segment(match["seg"], site_keys):
        title = match["rest"]
    return title


def page_headline(meta: PageMeta, site_names: Iterable[str], fallback: str | None) -> str | None:
    """The article's headline from the page's own claims, or ``fallback`` if it has none.

    Order: ``og:title``, ``twitter:title``, JSON-LD ``headline``, the only
    ``<h1>``, ``<title>``, then the extractor's title.
    """
    names = list(site_names)
    keys = {name_key(n) for n in names}
    h1 = meta.h1[:1] if len(meta.h1) == 1 else []
    raw = [
        meta.first("og:title"),
        meta.first("twitter:title"),
        *meta.ld_headlines[:1],
        *h1,
        meta.title_tag,
        fallback,
    ]
    candidates = [strip_site_name(c, names) for c in raw if c and c.strip()]
    candidates = [c for c in candidates if name_key(c) not in keys and len(c) > 3]
    if not candidates:
        return None
    chosen = candidates[0]
    cut = chosen.rstrip(_TRUNCATION)
    for other in [*meta.h1, *meta.ld_headlines]:
        other = strip_site_name(other, names)
        # 'Sieger und ' in og:title, 'Sieger und "royaler Besuch"' in the <h1>.
        if len(other) > len(chosen) and other.startswith(cut) and chosen != other:
            return other
    return chosen
