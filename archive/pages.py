"""A saved news page → an article draft: :func:`draft_from_html`.

The page is parsed once. Its structured metadata is read first
(:mod:`~pressearchiv.archive.page_meta`), then trafilatura extracts the main
text from the same tree with the settings chosen on our fixture pages (see
``docs/benchmarks.md``), our boilerplate rules clean it
(:mod:`~pressearchiv.archive.boilerplate`), and the lead paragraph is put back
where the extractor left it out. Start pages, section fronts and login walls
are refused with :class:`~pressearchiv.archive.errors.NotAnArticle`.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement, document_fromstring

from pressearchiv.archive.authors import plausible_authors
from pressearchiv.archive.boilerplate import (
    clean_page_text,
    login_wall,
    prune_chrome,
    prune_furniture,
)
from pressearchiv.archive.cleaning import clean_text, guess_title
from pressearchiv.archive.errors import NotAnArticle
from pressearchiv.archive.model import ArticleDraft, DocumentFormat, Overrides
from pressearchiv.archive.outlets import canonical_outlet, outlet_for_url
from pressearchiv.archive.page_kind import front_page_reason
from pressearchiv.archive.page_meta import PageMeta, read_page_meta
from pressearchiv.archive.page_outlet import page_outlet, site_names_for
from pressearchiv.archive.published import publication_date
from pressearchiv.archive.titles import page_headline
from pressearchiv.archive.validation import draft, given_date, require_article

__all__ = ["DEFAULT_EXTRACTION", "ExtractionSettings", "draft_from_html"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractionSettings:
    """How trafilatura is asked to find the main text."""

    favor_recall: bool = False
    favor_precision: bool = False
    include_tables: bool = True
    prune: bool = True  # prune_furniture(): login, teaser and player boxes
    restore_lead: bool = True


# Chosen by measurement on tests/fixtures/pages (docs/benchmarks.md, "HTML extraction").
DEFAULT_EXTRACTION = ExtractionSettings()
# htmldate without its search of the whole text: that search finds header bars
# ("Dienstag, 27. August 2024" on the day the page was saved) and teaser dates.
_DATE_PARAMS = {"original_date": True, "extensive_search": False, "outputformat": "%Y-%m-%d"}


def draft_from_html(
    html: str,
    raw: bytes,
    filename: str | None,
    encoding: str | None,
    overrides: Overrides,
    settings: ExtractionSettings = DEFAULT_EXTRACTION,
) -> ArticleDraft:
    """A saved web page as an article draft; raises NotAnArticle for anything else."""
    tree = _parse(html, filename)
    meta = read_page_meta(tree)
    url = overrides.url or _absolute(meta.canonical_url, meta) or meta.first("og:url")
    if reason := front_page_reason(tree, meta, url):
        raise NotAnArticle(reason, source=filename)
    bylines = _bylines(tree)
    working = copy.deepcopy(tree)  # the original stays whole for the lead and bylines
    if settings.prune:
        prune_furniture(working)
    doc = _extract(working, url, settings, filename)
    given = (overrides.outlet or "").strip()
    outlet = canonical_outlet(given) if given else page_outlet(meta, url, str(doc.text))
    site_names = [*site_names_for(meta, url), outlet]
    author = plausible_authors(
        [meta.ld_authors, meta.author_meta, *([b] for b in bylines), [doc.author or ""]],
        site_names,
    )
    text = clean_page_text(str(doc.text), (author or "").split(", "), _link_texts(tree))
    if settings.restore_lead:
        text = _with_lead(text, tree, meta)
    if wall := login_wall(text):
        raise NotAnArticle(wall, source=filename)
    clean = require_article(clean_text(text), filename)
    date, source = given_date(overrides)
    if date is None:
        date, source = publication_date(meta, lambda: _estimate_date(tree, url), clean)
    title = overrides.title or page_headline(meta, site_names, doc.title) or guess_title(clean)
    clean = _without_headline(clean, title)
    return draft(
        title=title,
        text=clean,
        outlet=outlet,
        date=date,
        date_source=source,
        raw=raw,
        fmt=DocumentFormat.HTML,
        content_type="text/html",
        url=url,
        author=author,
        filename=filename,
        encoding=encoding,
    )


def _without_headline(clean: str, title: str) -> str:
    """The text without its first line when that line is the headline again."""
    first, _, rest = clean.partition("\n")
    if rest.strip() and " ".join(first.split()) == " ".join(title.split()):
        return rest.strip()
    return clean


def _parse(html: str, filename: str | None) -> HtmlElement:
    try:
        return document_fromstring(html)
    except Exception as exc:  # lxml raises several kinds on hostile markup
        log.info("lxml could not parse %s: %r", filename, exc)
        raise NotAnArticle("is an HTML page that cannot be read", source=filename) from None


def _absolute(url: str | None, meta: PageMeta) -> str | None:
    """A canonical link made absolute against og:url (some pages give only a path)."""
    if not url:
        return None
    if url.startswith("/") and (base := meta.first("og:url")):
        return urljoin(base, url)
    return url if outlet_for_url(url) else None


def _extract(
    tree: HtmlElement, url: str | None, settings: ExtractionSettings, filename: str | None
) -> Any:  # trafilatura's Document (untyped)
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            favor_recall=settings.favor_recall,
            favor_precision=settings.favor_precision,
            include_comments=False,
            include_tables=settings.include_tables,
            date_extraction_params=_DATE_PARAMS,
        )
    except Exception as exc:  # trafilatura raises many kinds on hostile markup
        log.info("trafilatura failed on %s: %r", filename, exc)
        raise NotAnArticle(
            "is an HTML page from which no article text could be extracted", source=filename
        ) from None
    # bare_extraction returns a Document (a dict only when asked with as_dict).
    if doc is None or isinstance(doc, dict) or not (doc.text or "").strip():
        raise NotAnArticle("is an HTML page without article text", source=filename)
    return doc


def _estimate_date(tree: HtmlElement, url: str | None) -> str | None:
    """htmldate's estimate of the original date, on the page without its chrome.

    The site's header bar carries the date of the day the page was saved.
    """
    from htmldate import find_date

    page = copy.deepcopy(tree)
    prune_chrome(page)
    try:
        found: str | None = find_date(page, extensive_search=False, original_date=True, url=url)
        return found
    except Exception as exc:  # htmldate raises several kinds on odd markup
        log.info("htmldate failed: %r", exc)
        return None


def _bylines(tree: HtmlElement) -> list[str]:
    """Texts of the page's byline elements (``class="author"``, ``rel="author"``)."""
    found: list[str] = []
    for element in tree.xpath(
        '//*[@rel="author" or @itemprop="author" or contains(@class, "byline")'
        ' or contains(@class, "author")][not(self::meta or self::link or self::script)]'
    )[:12]:
        text = " ".join(element.text_content().split())
        if 3 <= len(text) <= 120:
            found.append(text)
    return found


def _link_texts(tree: HtmlElement) -> frozenset[str]:
    """Texts of the page's links of four words or more (teasers of other pages)."""
    texts = (" ".join(a.text_content().split()) for a in tree.iter("a"))
    return frozenset(t for t in texts if len(t.split()) >= 4)


def _with_lead(text: str, tree: HtmlElement, meta: PageMeta) -> str:
    """``text`` with the page's lead paragraph in front, when the extractor left it out.

    The lead is the paragraph the page also gives as its description, or else
    the first paragraph after the headline; it is taken only where it is
    printed in the page, and only if the text lacks it.
    """
    flat = " ".join(text.split())
    for description in meta.descriptions:
        probe = " ".join(description.split())[:60].rstrip(" .…")
        if len(probe) < 30:
            continue
        if probe in flat:
            return text
        if lead := _printed_paragraph(tree, probe):
            return f"{lead}\n\n{text}"
    lead = _standfirst(tree)
    if lead and lead[:60] not in flat:
        return f"{lead}\n\n{text}"
    return text


def _printed_paragraph(tree: HtmlElement, probe: str) -> str | None:
    """The shortest element of the page body whose text starts with ``probe``."""
    body = tree.find("body")
    if body is None:
        return None
    best: str | None = None
    # The test runs in libxml2: text_content() of every nested <div> would be quadratic.
    for element in body.xpath(
        ".//*[self::p or self::div or self::h2 or self::span or self::strong]"
        "[starts-with(normalize-space(.), $probe)]",
        probe=probe,
    ):
        text = " ".join(element.text_content().split())
        if len(text) < 1200 and (best is None or len(text) < len(best)):
            best = text
    return best


# Class names that mark a lead (which then needs no full stop: "… wie ein Besuch zeigt").
_LEAD_CLASS = re.compile(r"intro|lead|standfirst|summary|teaser|abstract|excerpt|subline", re.I)
_NOT_LEAD = ("figure", "figcaption", "aside", "nav", "footer", "form", "a", "button", "li")


def _standfirst(tree: HtmlElement) -> str | None:
    """The first sentence-like paragraph among the six after the page's first ``<h1>``."""
    heading = next(tree.iter("h1"), None)
    if heading is None:
        return None
    for paragraph in heading.xpath("following::p[position() <= 6]"):
        if paragraph.xpath(" | ".join(f"ancestor::{tag}" for tag in _NOT_LEAD)):
            continue
        text = " ".join(paragraph.text_content().split())
        parent = paragraph.getparent()
        classes = (
            f"{paragraph.get('class', '')} {'' if parent is None else parent.get('class', '')}"
        )
        sentence = text[-1:] in '.!?»“"' or bool(_LEAD_CLASS.search(classes))
        if len(text.split()) >= 8 and sentence and len(text) < 600:
            return text
    return None
