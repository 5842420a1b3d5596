"""Assemble an article draft from what a document says about itself.

Every field follows one order of trust: what the uploader states wins, then
structured metadata (JSON fields, HTML meta tags), then what the text itself
says in its dateline or signature, then an honest default (``unbekannt``, no
date). Nothing is invented that the input does not support.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Mapping
from typing import Any

from pressearchiv.archive.cleaning import clean_text, guess_title, shorten, split_header
from pressearchiv.archive.dates import find_article_date, parse_german_date
from pressearchiv.archive.errors import InvalidDate, MalformedJSON, NotAnArticle, ParseError
from pressearchiv.archive.model import (
    ArticleDraft,
    DateSource,
    DocumentFormat,
    Overrides,
    PartialDate,
)
from pressearchiv.archive.outlets import (
    UNKNOWN_OUTLET,
    canonical_outlet,
    outlet_for_domain,
    outlet_for_url,
    outlet_named_in_text,
    strip_datelines,
)

__all__ = ["draft_from_html", "draft_from_record", "draft_from_text"]

log = logging.getLogger(__name__)

MIN_CHARS = 30
MIN_WORDS = 5
TITLE_LIMIT = 300

# Field names real exports use, most specific first.
TEXT_FIELDS = (
    "text",
    "body",
    "article",
    "content",
    "articlebody",
    "fulltext",
    "full_text",
    "maintext",
    "story",
)
TITLE_FIELDS = ("title", "headline", "header", "heading", "titel", "ueberschrift")
DATE_FIELDS = (
    "date",
    "published",
    "published_at",
    "publishedat",
    "pubdate",
    "pub_date",
    "datepublished",
    "date_publish",
    "publication_date",
    "day",
    "datum",
)
OUTLET_FIELDS = (
    "outlet",
    "source",
    "site",
    "site_name",
    "sitename",
    "publisher",
    "newspaper",
    "medium",
    "source_domain",
    "quelle",
)
URL_FIELDS = ("url", "link", "canonical_url", "source_url", "href", "uri")
AUTHOR_FIELDS = ("author", "authors", "byline", "creator", "autor")


def draft_from_text(
    text: str, raw: bytes, filename: str | None, encoding: str | None, overrides: Overrides
) -> ArticleDraft:
    """A plain-text article, optionally opening with `` date YYYY-MM``."""
    header, body = split_header(text)
    clean = _require_article(clean_text(body), filename)
    date, source = _given_date(overrides)
    if date is None and header:
        try:
            date, source = PartialDate.parse(header), DateSource.HEADER
        except InvalidDate:
            log.info("ignoring impossible header date %r in %s", header, filename)
    if date is None:
        date, source = _text_date(clean)
    clean = strip_datelines(clean)
    return _draft(
        title=overrides.title or guess_title(clean),
        text=clean,
        outlet=_outlet(overrides.outlet, overrides.url, None, body),
        date=date,
        date_source=source,
        raw=raw,
        fmt=DocumentFormat.TEXT,
        content_type="text/plain",
        url=overrides.url,
        author=None,
        filename=filename,
        encoding=encoding,
    )


def draft_from_html(
    html: str, raw: bytes, filename: str | None, encoding: str | None, overrides: Overrides
) -> ArticleDraft:
    """A saved web page: trafilatura finds the main text and the page's metadata."""
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    try:
        doc = trafilatura.bare_extraction(
            html,
            url=overrides.url,
            with_metadata=True,
            favor_recall=True,
            include_comments=False,
            include_tables=False,
        )
    except Exception as exc:  # trafilatura raises many kinds on hostile markup
        log.info("trafilatura failed on %s: %r", filename, exc)
        raise NotAnArticle(
            "is an HTML page from which no article text could be extracted", source=filename
        ) from None
    # bare_extraction returns a Document (a dict only when asked with as_dict).
    if doc is None or isinstance(doc, dict) or not (doc.text or "").strip():
        raise NotAnArticle("is an HTML page without article text", source=filename)
    clean = _require_article(clean_text(str(doc.text)), filename)
    date, source = _given_date(overrides)
    if date is None and doc.date:
        with contextlib.suppress(InvalidDate):  # htmldate found something unusable
            date, source = PartialDate.parse(doc.date), DateSource.HTML
    if date is None:
        date, source = _text_date(clean)
    url = overrides.url or doc.url
    return _draft(
        title=overrides.title or (doc.title or "").strip() or guess_title(clean),
        text=clean,
        outlet=_outlet(overrides.outlet, url, doc.sitename, clean),
        date=date,
        date_source=source,
        raw=raw,
        fmt=DocumentFormat.HTML,
        content_type="text/html",
        url=url,
        author=(doc.author or None),
        filename=filename,
        encoding=encoding,
    )


def draft_from_record(
    record: Mapping[str, Any],
    raw: bytes,
    filename: str | None,
    fmt: DocumentFormat,
    overrides: Overrides,
) -> ArticleDraft:
    """One JSON object of an export; raises ParseError or InvalidDate for a bad one."""
    fields = {str(k).lower().replace("-", "_"): v for k, v in record.items()}
    text = _first_text(fields, TEXT_FIELDS)
    if not text:
        raise MalformedJSON(
            "has no article text (expected a field such as text, body, article or content)"
        )
    clean = _require_article(clean_text(text), None)
    date, source = _given_date(overrides)
    if date is None:
        given = _first_text(fields, DATE_FIELDS)
        if given:
            date, source = parse_german_date(given), DateSource.PROVIDED
    if date is None:
        date, source = _text_date(clean)
    url = overrides.url or _first_text(fields, URL_FIELDS)
    return _draft(
        title=overrides.title or _first_text(fields, TITLE_FIELDS) or guess_title(clean),
        text=clean,
        outlet=_outlet(overrides.outlet or _first_text(fields, OUTLET_FIELDS), url, None, text),
        date=date,
        date_source=source,
        raw=raw,
        fmt=fmt,
        content_type="application/json",
        url=url,
        author=_first_text(fields, AUTHOR_FIELDS),
        filename=filename,
        encoding="utf-8",
    )


def _first_text(fields: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = fields.get(name)
        if isinstance(value, Mapping):  # {"source": {"id": …, "name": "ZEIT ONLINE"}}
            value = value.get("name") or value.get("title")
        if isinstance(value, list):  # "authors": ["A", "B"]
            value = ", ".join(str(v) for v in value if isinstance(v, str | int) and str(v).strip())
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _require_article(clean: str, source: str | None) -> str:
    words = len(re.findall(r"\w+", clean))
    if len(clean) < MIN_CHARS or words < MIN_WORDS:
        raise NotAnArticle(
            f"is too short to be an article ({words} words); an article needs at least "
            f"{MIN_WORDS} words of text",
            source=source,
        )
    return clean


def _given_date(overrides: Overrides) -> tuple[PartialDate | None, DateSource | None]:
    if overrides.date is not None:
        return overrides.date, DateSource.PROVIDED
    return None, None


def _text_date(clean: str) -> tuple[PartialDate | None, DateSource | None]:
    found = find_article_date(clean)
    if found is None:
        return None, None
    return found.date, DateSource.TEXT


def _outlet(given: str | None, url: str | None, named: str | None, text: str) -> str:
    """Uploader (or export field) > known domain > the page's site name > bare domain > text."""
    if given and given.strip():
        return canonical_outlet(given)
    if url and (known := outlet_for_domain(url)):
        return known
    if named:
        return canonical_outlet(named)
    if url and (domain := outlet_for_url(url)):
        return domain
    return outlet_named_in_text(text) or UNKNOWN_OUTLET


def _draft(
    *,
    title: str,
    text: str,
    outlet: str,
    date: PartialDate | None,
    date_source: DateSource | None,
    raw: bytes,
    fmt: DocumentFormat,
    content_type: str,
    url: str | None,
    author: str | None,
    filename: str | None,
    encoding: str | None,
) -> ArticleDraft:
    title = shorten(title, TITLE_LIMIT) or shorten(text, 80)
    if not title:
        raise ParseError("has no words that could make a title", source=filename)
    return ArticleDraft(
        title=title,
        text=text,
        outlet=shorten(outlet, 120),
        date=date,
        date_source=date_source,
        raw=raw,
        content_type=content_type,
        format=fmt,
        url=(url.strip()[:2000] if url else None),
        author=(shorten(author, 200) if author else None),
        source_name=(shorten(filename, 255) if filename else None),
        encoding=encoding,
    )
