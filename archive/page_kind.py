"""Pages that are not an article: start pages and section fronts.

A start page or a section front (``/``, ``/politik/``, ``/campus/index``) is a
list of teasers. Its text can pass for an article, so it is recognised by its
shape instead: it declares no article in its JSON-LD, its address is a
section's, and links to other pages outweigh its paragraphs. An article page
in a section (``/politik/2024/…-100.html``) has a longer address, and its own
paragraphs dominate.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from pressearchiv.archive.outlets import name_key
from pressearchiv.archive.page_meta import PageMeta

__all__ = ["front_page_reason"]

_SECTION_SEGMENT = re.compile(r"^[a-zäöü]+(?:\.html?|\.php)?$", re.I)
_INDEX = {"index", "index.html", "index.htm", "index.php", "home", "startseite"}


def _section_path(url: str) -> bool:
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    segments = [s for s in path.split("/") if s]
    if not segments or segments[-1].lower() in _INDEX:
        return len(segments) <= 2
    return len(segments) == 1 and bool(_SECTION_SEGMENT.match(segments[0]))


def _teasers_and_paragraphs(tree: HtmlElement) -> tuple[int, int]:
    teasers = len(tree.xpath("//h2[.//a] | //h3[.//a] | //a[.//h2] | //a[.//h3]"))
    paragraphs = sum(
        1
        for p in tree.iter("p")
        if len(" ".join(p.text_content().split())) > 150 and not p.xpath("ancestor::a")
    )
    return teasers, paragraphs


def front_page_reason(tree: HtmlElement, meta: PageMeta, url: str | None) -> str | None:
    """Why the page is not an article (a sentence for the uploader), or None if it may be one."""
    if meta.ld_headlines or meta.ld_published:
        return None  # the page declares an article
    section = bool(url) and _section_path(url or "")
    titles = [meta.first("og:title") or "", meta.title_tag]
    named_only = any(t and name_key(t) in {name_key(n) for n in meta.site_names} for t in titles)
    if not (section or named_only):
        return None
    teasers, paragraphs = _teasers_and_paragraphs(tree)
    if teasers >= paragraphs:
        where = (
            "a start page"
            if named_only or urlsplit(url or "/").path in ("", "/")
            else ("a section front")
        )
        return (
            f"is {where}: a list of {teasers} teasers linking to other pages, not an "
            "article; save the article's own page instead"
        )
    return None
