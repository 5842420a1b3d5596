"""What a saved page says about itself in its markup: JSON-LD, meta tags, headings.

Read once from the parsed page, before any text extraction, and kept apart by
source, because the sources are not equally trustworthy: a JSON-LD
``datePublished`` of the article means more than a ``last-modified`` meta tag,
and an ``og:site_name`` more than a Twitter handle. The choices between them are
made elsewhere (:mod:`~pressearchiv.archive.published`,
:mod:`~pressearchiv.archive.titles`, :mod:`~pressearchiv.archive.authors`).
"""

from __future__ import annotations

import html
import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

__all__ = ["PageMeta", "read_page_meta"]

# JSON-LD types that describe the article itself (not the site, a video or a breadcrumb).
_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "report",
    "scholarlyarticle",
    "techarticle",
}
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date.issued",
    "dcterms.date",
    "dc.date",
    "parsely-pub-date",
    "sailthru.date",
    "article.published",
    "cxenseparse:recs:publishtime",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
)
_AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author", "cxenseparse:author")
_SITE_META = ("og:site_name", "application-name", "apple-mobile-web-app-title", "publisher")


@dataclass
class PageMeta:
    """Structured claims of a page, each list in the page's own order."""

    ld_headlines: list[str] = field(default_factory=list)
    ld_published: list[str] = field(default_factory=list)
    ld_modified: list[str] = field(default_factory=list)
    ld_authors: list[str] = field(default_factory=list)  # persons, then organisations
    ld_publishers: list[str] = field(default_factory=list)
    ld_descriptions: list[str] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)  # lower-cased name → contents
    title_tag: str = ""
    h1: list[str] = field(default_factory=list)
    markup_published: list[str] = field(default_factory=list)  # <time itemprop=datePublished>
    canonical_url: str | None = None

    def first(self, *names: str) -> str | None:
        for name in names:
            for value in self.meta.get(name, []):
                if value.strip():
                    return value.strip()
        return None

    def all(self, *names: str) -> list[str]:
        return [v.strip() for n in names for v in self.meta.get(n, []) if v.strip()]

    @property
    def published_meta(self) -> list[str]:
        return self.all(*_PUBLISHED_META)

    @property
    def modified_meta(self) -> list[str]:
        return self.all(*_MODIFIED_META)

    @property
    def author_meta(self) -> list[str]:
        return [v for v in self.all(*_AUTHOR_META) if not v.startswith("http")]

    @property
    def site_names(self) -> list[str]:
        return self.all(*_SITE_META) + self.ld_publishers

    @property
    def descriptions(self) -> list[str]:
        return self.all("og:description", "description", "twitter:description") + list(
            self.ld_descriptions
        )


def _text(element: HtmlElement) -> str:
    return " ".join(element.text_content().replace("\u00ad", "").split())


def read_page_meta(tree: HtmlElement) -> PageMeta:
    """Collect the page's structured metadata; never raises on odd markup."""
    meta = PageMeta()
    for tag in tree.iter("meta"):
        name = tag.get("property") or tag.get("name") or tag.get("itemprop")
        content = tag.get("content")
        if name and content is not None:
            meta.meta.setdefault(name.strip().lower(), []).append(" ".join(content.split()))
    meta.title_tag = " ".join((tree.findtext(".//title") or "").split())
    meta.h1 = [text for h in tree.iter("h1") if (text := _text(h))]
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            meta.canonical_url = link.get("href", "").strip()
            break
    for element in tree.xpath('//*[@itemprop="datePublished"]'):
        value = element.get("datetime") or element.get("content")
        if value:
            meta.markup_published.append(value.strip())
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        for obj in _articles(_json_objects(script.text_content())):
            _take_article(meta, obj)
    return meta


def _json_objects(source: str) -> Iterator[dict[str, Any]]:
    try:
        data = json.loads(source)
    except (ValueError, RecursionError):
        return
    stack: deque[Any] = deque([data])
    while stack:  # every object, however deeply nested (@graph, mainEntity, …)
        item = stack.popleft()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            yield item
            stack.extend(v for k, v in item.items() if k not in ("author", "publisher"))


def _articles(objects: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for obj in objects:
        kinds = obj.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
            yield obj


def _take_article(meta: PageMeta, obj: dict[str, Any]) -> None:
    for key, target in (
        ("headline", meta.ld_headlines),
        ("datePublished", meta.ld_published),
        ("dateModified", meta.ld_modified),
        ("description", meta.ld_descriptions),
    ):
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            target.append(_unescape(value))
    persons, others = _names(obj.get("author"))
    meta.ld_authors.extend(persons + others)
    meta.ld_publishers.extend(sum(_names(obj.get("publisher")), []))


def _names(value: Any) -> tuple[list[str], list[str]]:
    """(person names, other names) of a JSON-LD author or publisher value."""
    persons: list[str] = []
    others: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and item.strip():
            persons.append(" ".join(item.split()))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            name = " ".join(item["name"].split())
            kind = item.get("@type")
            (persons if kind in (None, "Person") else others).append(name)
        elif isinstance(item, dict) and isinstance(item.get("givenName"), str):
            persons.append(f"{item['givenName']} {item.get('familyName', '')}".strip())
    return persons, others


def _unescape(value: str) -> str:
    """JSON-LD strings now and then carry HTML entities (``zerst&ouml;ren``)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", value)).split())
