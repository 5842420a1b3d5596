"""Every saved page of tests/fixtures/pages through parse_document, against hand-written values.

One test per page. A failing page names the field, what was expected and what
came out; text checks list every missing passage and every piece of furniture
that stayed. The expectations were written by reading the pages (see the
fixtures' README), and a second test checks that they really occur there.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml.html import document_fromstring

from pressearchiv.archive.decoding import decode_bytes
from pressearchiv.archive.errors import NotAnArticle
from pressearchiv.archive.model import ArticleDraft, DateSource
from pressearchiv.archive.parsing import parse_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
EXPECTED: dict[str, dict[str, Any]] = json.loads((FIXTURES / "expected.json").read_text())
ARTICLES = [name for name, want in EXPECTED.items() if not want.get("not_an_article")]
FRONTS = [name for name, want in EXPECTED.items() if want.get("not_an_article")]
# What the extractor still gets wrong, as measured (docs/benchmarks.md). Strict:
# a fix makes the test fail until it is taken off this list.
KNOWN_MISSES = {
    "fundus/de/DW_2023_04_28.html.gz": "author: the byline is only a 'Autorin/Autor' line",
    "fundus/de/Hessenschau_2024_04_27.html.gz": "author: only the audio's author is found",
    "postlight/www.abendblatt.de.html": "text keeps a video title printed as a paragraph",
}
PAGES = [
    pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[n]))
    if n in KNOWN_MISSES
    else n
    for n in ARTICLES
]


def page_bytes(name: str) -> bytes:
    data = (FIXTURES / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


@functools.cache
def parsed(name: str) -> ArticleDraft:
    """The page's one draft; cached, as two tests read every page."""
    (draft,) = parse_document(page_bytes(name), Path(name).name.removesuffix(".gz")).drafts
    return draft


def squeeze(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def names(author: str | None) -> set[str]:
    parts = re.split(r"\s*(?:,|;|&|\bund\b)\s*", author or "")
    return {squeeze(p).casefold() for p in parts if p.strip()}


def test_the_set_is_big_enough() -> None:
    outlets = {EXPECTED[name]["outlet"] for name in ARTICLES}
    assert len(ARTICLES) >= 30 and len(outlets) >= 24 and len(FRONTS) >= 1


@pytest.mark.parametrize("name", PAGES)
def test_page(name: str) -> None:
    want = EXPECTED[name]
    draft = parsed(name)
    problems: list[str] = []

    dates = [want["date"], *want.get("date_alt", [])]
    got_date = draft.date.isoformat() if draft.date else None
    if got_date not in dates:
        problems.append(f"date: expected {dates}, got {got_date} (from {draft.date_source})")
    if draft.date is not None and draft.date_source is None:
        problems.append("date_source: a date without its source")
    titles = [squeeze(t) for t in [want["title"], *want.get("title_alt", [])]]
    if squeeze(draft.title) not in titles:
        problems.append(f"title: expected one of {titles}, got {draft.title!r}")
    outlets = [want["outlet"], *want.get("outlet_alt", [])]
    if draft.outlet not in outlets:
        problems.append(f"outlet: expected {outlets}, got {draft.outlet!r}")
    if want.get("author_scored", True) and not (
        draft.author is None and want.get("author_optional")
    ):
        expected_names = {squeeze(n).casefold() for n in want["author"] or []}
        if names(draft.author) != expected_names:
            problems.append(f"author: expected {want['author']}, got {draft.author!r}")
    text = squeeze(draft.text)
    problems += [f"text lacks: {p!r}" for p in want["must"] if squeeze(p) not in text]
    problems += [f"text keeps furniture: {p!r}" for p in want["must_not"] if squeeze(p) in text]
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)
    assert draft.raw == page_bytes(name)  # the original bytes are kept as they came


@pytest.mark.parametrize("name", FRONTS)
def test_start_pages_and_section_fronts_are_refused(name: str) -> None:
    with pytest.raises(NotAnArticle, match="start page|section front") as refusal:
        parse_document(page_bytes(name), Path(name).name.removesuffix(".gz"))
    assert "teasers" in refusal.value.reason


@pytest.mark.parametrize("name", ARTICLES)
def test_expectations_are_on_the_page(name: str) -> None:
    """The hand-written strings occur in the page itself, so a miss is the extractor's."""
    tree = document_fromstring(decode_bytes(page_bytes(name)).text)
    for junk in tree.xpath("//script | //style | //noscript"):
        junk.drop_tree()
    page_text = squeeze(tree.text_content())
    want = EXPECTED[name]
    absent = [s for s in want["must"] + want["must_not"] if squeeze(s) not in page_text]
    assert absent == [], f"{name}: not on the page: {absent}"


def test_structured_dates_say_where_they_came_from() -> None:
    sources = {parsed(name).date_source for name in ARTICLES}
    assert DateSource.JSONLD in sources and DateSource.META in sources
