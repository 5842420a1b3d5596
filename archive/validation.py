"""The checks and limits every article draft passes, whatever its format.

An article needs a few words of text and a title; the fields are cut to the
store's limits at a word boundary; a date stated by the uploader wins over
anything extraction finds.
"""

from __future__ import annotations

import itertools
import re

from pressearchiv.archive.characters import printable
from pressearchiv.archive.cleaning import shorten
from pressearchiv.archive.errors import NotAnArticle, ParseError
from pressearchiv.archive.model import (
    ArticleDraft,
    DateSource,
    DocumentFormat,
    Overrides,
    PartialDate,
)

__all__ = ["MIN_CHARS", "MIN_WORDS", "TITLE_LIMIT", "draft", "given_date", "require_article"]

MIN_CHARS = 30
MIN_WORDS = 5
TITLE_LIMIT = 300

_WORD = re.compile(r"\w+")


def require_article(clean: str, source: str | None) -> str:
    """``clean`` if it is long enough to be an article; raises NotAnArticle otherwise."""
    # Enough words is decided by the first few; the rest are counted only for
    # the message (counting all of a long text was a fifth of parsing time).
    enough = sum(1 for _ in itertools.islice(_WORD.finditer(clean), MIN_WORDS)) == MIN_WORDS
    if len(clean) < MIN_CHARS or not enough:
        words = len(_WORD.findall(clean))
        # Name both measures: "5 words; needs at least 5 words" (the characters
        # were short) left an uploader guessing.
        raise NotAnArticle(
            f"is too short to be an article ({words} words, {len(clean)} characters); an "
            f"article needs at least {MIN_WORDS} words and {MIN_CHARS} characters of text",
            source=source,
        )
    return clean


def given_date(overrides: Overrides) -> tuple[PartialDate | None, DateSource | None]:
    """The uploader's date, if one was stated."""
    if overrides.date is not None:
        return overrides.date, DateSource.PROVIDED
    return None, None


def draft(
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
    """An ArticleDraft with every field within the store's limits.

    Control and invisible characters are removed from every field first
    (:mod:`.characters`), so they never reach a terminal or the content hash.
    """
    text = printable(text)
    title, outlet = printable(title), printable(outlet)
    url = printable(url) if url else None
    author = printable(author) if author else None
    filename = printable(filename) if filename else None
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
