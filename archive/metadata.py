"""Assemble an article draft from plain text or a JSON record (HTML: :mod:`.pages`).

Every field follows one order of trust: what the uploader states wins, then
structured metadata (JSON fields, HTML meta tags), then what the text itself
says in its dateline or signature, then an honest default (``unbekannt``, no
date). Nothing is invented that the input does not support.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pressearchiv.archive.authors import plausible_authors
from pressearchiv.archive.cleaning import clean_text, guess_title, split_header
from pressearchiv.archive.dates import find_article_date, parse_german_date
from pressearchiv.archive.errors import InvalidDate, MalformedJSON
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
from pressearchiv.archive.validation import draft, given_date, require_article

__all__ = ["draft_from_record", "draft_from_text"]

log = logging.getLogger(__name__)

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
    clean = require_article(clean_text(body), filename)
    date, source = given_date(overrides)
    if date is None and header:
        try:
            date, source = PartialDate.parse(header), DateSource.HEADER
        except InvalidDate:
            log.info("ignoring impossible header date %r in %s", header, filename)
    if date is None:
        date, source = _text_date(clean)
    clean = strip_datelines(clean)
    return draft(
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
    clean = require_article(clean_text(text), None)
    date, source = given_date(overrides)
    if date is None:
        given = _first_text(fields, DATE_FIELDS)
        if given:
            date, source = parse_german_date(given), DateSource.PROVIDED
    if date is None:
        date, source = _text_date(clean)
    url = overrides.url or _first_text(fields, URL_FIELDS)
    outlet = _outlet(overrides.outlet or _first_text(fields, OUTLET_FIELDS), url, None, text)
    byline = _first_text(fields, AUTHOR_FIELDS)
    return draft(
        title=overrides.title or _first_text(fields, TITLE_FIELDS) or guess_title(clean),
        text=clean,
        outlet=outlet,
        date=date,
        date_source=source,
        raw=raw,
        fmt=fmt,
        content_type="application/json",
        url=url,
        author=plausible_authors([[byline]], [outlet]) if byline else None,
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
