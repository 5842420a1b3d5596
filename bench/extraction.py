"""Score HTML extraction against the hand-written fixture set (run on demand).

    python bench/extraction.py                    # table per page and the totals
    python bench/extraction.py --details          # also every wrong field and passage
    python bench/extraction.py --json out.json    # the figures as JSON as well
    python bench/extraction.py --compare          # totals for each extractor setting

The pages and their expected values live in ``tests/fixtures/pages/``
(``expected.json``, sources in its README). Every page goes through
:func:`pressearchiv.archive.parsing.parse_document`, exactly as an upload would.

Scores, each over the pages where the field is scored:
- date, title, outlet, author: share of pages where the field is right (a page may
  list alternatives, e.g. its display headline and its SEO headline);
- passages: share of the expected passages found in the clean text;
- boilerplate: share of the listed boilerplate strings absent from the clean text;
- not an article: share of start pages and section fronts refused as such.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pressearchiv.archive.errors import NotAnArticle, ParseError
from pressearchiv.archive.model import ArticleDraft
from pressearchiv.archive.pages import DEFAULT_EXTRACTION, ExtractionSettings
from pressearchiv.archive.parsing import parse_document

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pages"
FIELDS = ("date", "title", "outlet", "author")
# The settings --compare measures; the first is what uploads use.
VARIANTS = {
    "chosen (default)": DEFAULT_EXTRACTION,
    "chosen + favor_recall": ExtractionSettings(favor_recall=True),
    "chosen + favor_precision": ExtractionSettings(favor_precision=True),
    "chosen, no tables": ExtractionSettings(include_tables=False),
    "no pruning": ExtractionSettings(prune=False),
    "no lead restoring": ExtractionSettings(restore_lead=False),
    "trafilatura defaults only": ExtractionSettings(prune=False, restore_lead=False),
    "favor_recall, no tables (before)": ExtractionSettings(
        favor_recall=True, include_tables=False, prune=False, restore_lead=False
    ),
}


def squeeze(text: str) -> str:
    """Whitespace folded and soft hyphens dropped, for comparing passages and titles."""
    return " ".join(text.replace("\u00ad", "").split())


def names_of(author: str | None) -> set[str]:
    if not author:
        return set()
    parts = re.split(r"\s*(?:,|;|&|\bund\b|\band\b)\s*", author)
    return {squeeze(p).casefold() for p in parts if p.strip()}


@dataclass
class PageScore:
    name: str
    fields: dict[str, bool | None] = field(default_factory=dict)  # None: not scored
    found: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    got: dict[str, str | None] = field(default_factory=dict)
    refused: str | None = None
    seconds: float = 0.0


def load_page(name: str) -> bytes:
    data = (FIXTURES / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def score_page(
    name: str, expected: dict[str, Any], settings: ExtractionSettings = DEFAULT_EXTRACTION
) -> PageScore:
    score = PageScore(name)
    refused_as_page = False
    start = time.perf_counter()
    try:
        doc = parse_document(
            load_page(name), Path(name).name.removesuffix(".gz"), extraction=settings
        )
        draft: ArticleDraft | None = doc.drafts[0]
    except ParseError as exc:
        draft, score.refused = None, f"{type(exc).__name__}: {exc.reason}"
        refused_as_page = isinstance(exc, NotAnArticle)
    score.seconds = time.perf_counter() - start
    if expected.get("not_an_article"):
        score.fields["not_an_article"] = draft is None and refused_as_page
        return score
    if draft is None:
        score.fields = dict.fromkeys(FIELDS, False)
        score.missing, score.kept = list(expected["must"]), []
        score.removed = list(expected["must_not"])
        return score
    date = draft.date.isoformat() if draft.date else None
    score.got = {
        "date": f"{date} ({draft.date_source})" if date else None,
        "title": draft.title,
        "outlet": draft.outlet,
        "author": draft.author,
    }
    score.fields["date"] = date in [expected["date"], *expected.get("date_alt", [])]
    titles = [squeeze(t) for t in [expected["title"], *expected.get("title_alt", [])]]
    score.fields["title"] = squeeze(draft.title) in titles
    score.fields["outlet"] = draft.outlet in [expected["outlet"], *expected.get("outlet_alt", [])]
    score.fields["author"] = _author_right(draft.author, expected)
    text = squeeze(draft.text)
    for passage in expected["must"]:
        (score.found if squeeze(passage) in text else score.missing).append(passage)
    for junk in expected["must_not"]:
        (score.kept if squeeze(junk) in text else score.removed).append(junk)
    return score


def _author_right(author: str | None, expected: dict[str, Any]) -> bool | None:
    if expected.get("author_scored") is False:
        return None
    if author is None and expected.get("author_optional"):
        return True
    wanted = {squeeze(n).casefold() for n in expected["author"] or []}
    return names_of(author) == wanted


def share(good: int, total: int) -> str:
    return f"{good}/{total} = {100 * good / total:.1f} %" if total else "–"


def summarise(scores: list[PageScore]) -> dict[str, Any]:
    totals: dict[str, Any] = {}
    for name in (*FIELDS, "not_an_article"):
        marks = [s.fields[name] for s in scores if s.fields.get(name) is not None]
        totals[name] = (sum(bool(m) for m in marks), len(marks))
    found = sum(len(s.found) for s in scores)
    totals["passages"] = (found, found + sum(len(s.missing) for s in scores))
    removed = sum(len(s.removed) for s in scores)
    totals["boilerplate_removed"] = (removed, removed + sum(len(s.kept) for s in scores))
    totals["seconds"] = round(sum(s.seconds for s in scores), 2)
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--details", action="store_true", help="print every miss")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--compare", action="store_true", help="totals per extractor setting")
    args = parser.parse_args(argv)
    expected: dict[str, dict[str, Any]] = json.loads((FIXTURES / "expected.json").read_text())
    if args.compare:
        return compare(expected)
    scores = [score_page(name, want) for name, want in expected.items()]
    for s in scores:
        marks = " ".join(
            f"{k[:6]}:{'ok' if v else '--'}" for k, v in s.fields.items() if v is not None
        )
        text = f"{len(s.found)}/{len(s.found) + len(s.missing)}"
        junk = f"{len(s.removed)}/{len(s.removed) + len(s.kept)}"
        print(f"{s.name:58} {marks}  text {text}  junk gone {junk}")
        if args.details:
            for key, good in s.fields.items():
                if good is False:
                    print(f"    {key}: got {s.got.get(key)!r}")
            if s.refused:
                print(f"    refused: {s.refused}")
            for passage in s.missing:
                print(f"    missing: {passage}")
            for junk_text in s.kept:
                print(f"    kept: {junk_text}")
    totals = summarise(scores)
    print()
    for key, value in totals.items():
        print(f"{key:20} {share(*value) if isinstance(value, tuple) else value}")
    if args.json:
        args.json.write_text(json.dumps(totals, indent=1))
    return 0


def compare(expected: dict[str, dict[str, Any]]) -> int:
    """One line of totals per setting in VARIANTS (text figures and dates move with them)."""
    print(f"{'setting':34} {'passages':>18} {'boilerplate gone':>18} {'date':>7} {'seconds':>8}")
    for label, settings in VARIANTS.items():
        totals = summarise([score_page(n, want, settings) for n, want in expected.items()])
        passages, junk, dates = totals["passages"], totals["boilerplate_removed"], totals["date"]
        print(
            f"{label:34} {share(*passages):>18} {share(*junk):>18} "
            f"{dates[0]}/{dates[1]:<4} {totals['seconds']:>8}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
