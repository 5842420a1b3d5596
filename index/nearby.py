"""What is near an article: the other versions of its story, and related articles.

Both start from the article's row in one view (:class:`~pressearchiv.index.searcher.View`):
versions are the rows of its story (:mod:`pressearchiv.index.grouping`); related
articles are a "more like this" query of its most distinctive terms, kept only
above a similarity threshold, with the versions first.
"""

from __future__ import annotations

import time

import numpy as np
from whoosh import query as wq

from pressearchiv.archive.model import Article
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import searcher as run
from pressearchiv.index.analysis import STOP_MARK, GermanAnalyzer
from pressearchiv.index.query import ParsedQuery
from pressearchiv.index.request import Hit, Sort, StoryVersions
from pressearchiv.index.searcher import View

__all__ = ["RELATED_MIN_SIMILARITY", "related", "versions"]

# Related articles must score at least this share of the article's own score
# for its key terms (bench/related.py; docs/benchmarks.md, "Related articles").
RELATED_MIN_SIMILARITY = 0.25
# The article's most distinctive terms that make its "more like this" query.
KEY_TERMS = 12
# Characters of an article whose words choose its related articles: Whoosh
# analyses the text in Python, so a 10 MB article would cost seconds of a
# search slot per page view (its distinctive words are in its opening anyway).
RELATED_CHARS = 20_000


def versions(
    view: View, store: ArchiveStore, article: Article, analyzer: GermanAnalyzer
) -> StoryVersions:
    """``article``'s story and its other versions, oldest first (by date, then arrival)."""
    cols = view.columns
    found = np.flatnonzero(cols.live & (cols.seq == article.seq))
    if not found.size:  # stored but not indexed yet: a story of its own for now
        return StoryVersions(article.id, [])
    row = int(found[0])
    story, _ = view.stories.story_of(row, cols)
    others = [int(r) for r in view.stories.rows_of_story(row) if cols.ids[r] != article.id]
    others.sort(key=lambda r: (int(cols.day_start[r]) or 1 << 30, int(cols.seq[r])))
    parsed = ParsedQuery(None, frozenset(), ())
    hits = run.page_hits(view, store, analyzer, others, [None] * len(others), parsed, False)
    return StoryVersions(story, hits)


def related(
    view: View,
    store: ArchiveStore,
    analyzer: GermanAnalyzer,
    article: Article,
    limit: int,
    timeout: float,
    min_similarity: float = RELATED_MIN_SIMILARITY,
) -> list[Hit]:
    """The article's story versions (oldest first), then articles sharing its most
    distinctive terms ("more like this"), at most ``limit`` in all.

    A hit's ``score`` is its *similarity*: its score for the article's key
    terms over the article's own score for them (1.0: as similar as the
    article to itself). Only versions and hits of at least ``min_similarity``
    are kept, so an archive with nothing related shows nothing rather than
    the best of the unrelated (the threshold is measured in bench/related.py).
    """
    searcher = view.searcher
    cols = view.columns
    if searcher.doc_count() == 0 or limit <= 0:
        return []
    own = np.flatnonzero(cols.live & (cols.seq == article.seq))
    if not own.size:  # not indexed yet: nothing to measure similarity against
        return []
    own_row = int(own[0])
    story_rows = [int(r) for r in view.stories.rows_of_story(own_row) if r != own_row]
    # Stop words are indexed too (marked terms); they say nothing about a topic
    # but are frequent enough in every text to be among Whoosh's key terms.
    candidates = searcher.key_terms_from_text(
        "body", f"{article.title}\n{article.text[:RELATED_CHARS]}", numterms=KEY_TERMS * 3
    )
    keyterms = [(t, w) for t, w in candidates if not t.startswith(STOP_MARK)][:KEY_TERMS]
    if not keyterms:
        return []
    query = wq.Or([wq.Term("body", term, boost=weight) for term, weight in keyterms])
    parsed = ParsedQuery(query, frozenset(), ())
    matched = run.match(view, parsed, time.monotonic() + timeout)
    if matched.scores is None or not matched.rows[own_row]:
        return []
    own_score = float(matched.scores[own_row]) or 1.0
    similarity = {r: float(matched.scores[r]) / own_score for r in story_rows}
    story_rows.sort(key=lambda r: (int(cols.day_start[r]) or 1 << 30, int(cols.seq[r])))
    wanted = limit + 1 + len(story_rows)
    rows, scores = run.ordered_rows(view, matched, matched.rows, Sort.RELEVANCE, wanted)
    chosen = story_rows[:limit]
    for row, score in zip(rows, scores, strict=True):
        if len(chosen) >= limit or score is None or score / own_score < min_similarity:
            break
        if row != own_row and row not in similarity:
            chosen.append(row)
            similarity[row] = score / own_score
    shares: list[float | None] = [round(similarity[r], 4) for r in chosen]
    return run.page_hits(view, store, analyzer, chosen, shares, parsed, True)
