"""Running one search against one generation of the index.

The stages: parse (:mod:`pressearchiv.index.query`) → all matching rows as a numpy mask →
outlet/date filters and facet counts on the columns (:mod:`pressearchiv.index.filters`,
:mod:`pressearchiv.index.facets`) → the requested page, by BM25F score (Whoosh, restricted
to the filtered rows) or by date (numpy) → titles and text for the page from the
store → snippets (:mod:`pressearchiv.index.highlight`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from whoosh.searching import Searcher

from pressearchiv.archive.model import Article
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index.analysis import GermanAnalyzer
from pressearchiv.index.columns import UNDATED, Columns
from pressearchiv.index.errors import OverBudget
from pressearchiv.index.facets import count_facets
from pressearchiv.index.filters import date_mask, outlet_mask
from pressearchiv.index.grouping import StoryColumns
from pressearchiv.index.highlight import snippet
from pressearchiv.index.postings import PostingCache
from pressearchiv.index.query import KeptExpansions, ParsedQuery, parse_query
from pressearchiv.index.request import (
    Facets,
    Hit,
    SearchRequest,
    SearchResponse,
    Sort,
)
from pressearchiv.index.scoring import QueryTimeout, evaluate
from pressearchiv.index.spelling import SpellingLexicon, suggest
from pressearchiv.index.story_tracker import StoryMap
from pressearchiv.index.word_scores import WordScores

__all__ = [
    "Matched",
    "View",
    "match",
    "ordered_rows",
    "page_rows",
    "page_hits",
    "search",
]

# Offer "Meinten Sie …?" when a query finds fewer articles than this.
SUGGEST_BELOW = 3
PARSED_CACHE = 512


@dataclass(eq=False)
class View:
    """One committed generation: a Whoosh searcher and its columns.

    ``refs`` counts searches using it; a replaced view is closed when the last
    one finishes, so a commit never pulls files from under a running search.
    """

    searcher: Searcher
    columns: Columns
    postings: PostingCache
    refs: int = 0
    retired: bool = False
    doc_count: int = field(default=0)
    # Parsed queries: a wildcard's expansion depends only on this generation's
    # terms, so a repeated query skips parsing and expanding.
    parsed: dict[str, ParsedQuery] = field(default_factory=dict)
    # Each query word's rows and scores in this generation (see WordScores);
    # Views gives it a budget for the generation's size.
    words: WordScores = field(default_factory=lambda: WordScores(0))
    # The story map currently known, and this view's columns of it (built on
    # first use; a newer map, published while the view lives, replaces them).
    story_map: StoryMap = field(default_factory=StoryMap.empty)
    _stories: tuple[StoryMap, StoryColumns] | None = None
    _spelling: SpellingLexicon | None = None

    @property
    def spelling(self) -> SpellingLexicon:
        if self._spelling is None:
            self._spelling = SpellingLexicon(self.searcher.reader())
        return self._spelling

    @property
    def stories(self) -> StoryColumns:
        cached = self._stories
        if cached is None or cached[0] is not self.story_map:
            cached = (self.story_map, StoryColumns.of(self.columns, self.story_map))
            self._stories = cached  # a race only computes the same thing twice
        return cached[1]

    def _kept(self) -> KeptExpansions | None:
        """Wildcard counts over this generation's large segments, kept across generations."""
        segments = [(sub.reader(), offset) for sub, offset in self.searcher.leaf_searchers()]
        stable, key, _ = self.words.runs(segments)
        if not stable:
            return None
        return KeptExpansions(
            frozenset(id(reader) for reader, _ in stable),
            lambda field, pattern, compute: self.postings.over_run(
                key, "expand", field, pattern, compute
            ),
        )

    def parse(self, text: str, analyzer: GermanAnalyzer) -> ParsedQuery:
        found = self.parsed.get(text)
        if found is None:
            found = parse_query(
                text, analyzer, self.searcher.reader(), self.postings.prefixed, self._kept()
            )
            if len(self.parsed) >= PARSED_CACHE:
                self.parsed.clear()
            self.parsed[text] = found
        return found


@dataclass
class Matched:
    """The documents a query matches (bool mask over rows) and, with a query, their scores."""

    rows: np.ndarray
    scores: np.ndarray | None
    timed_out: bool = False


def match(view: View, parsed: ParsedQuery, deadline: float) -> Matched:
    """Every live row the query matches, scored (see :mod:`pressearchiv.index.scoring`)."""
    cols = view.columns
    if parsed.query is None:
        return Matched(cols.live.copy(), None)
    try:
        scored = evaluate(
            view.searcher, parsed.query, cols.live, view.postings, deadline, view.words
        )
    except QueryTimeout:
        return Matched(np.zeros(cols.size, dtype=bool), None, timed_out=True)
    return Matched(scored.mask & cols.live, scored.scores)


def ordered_rows(
    view: View, matched: Matched, rows: np.ndarray, sort: Sort, count: int
) -> tuple[list[int], list[float | None]]:
    """The first ``count`` rows of the mask ``rows`` in the requested order, with scores."""
    if count <= 0 or not rows.any():
        return [], []
    cols = view.columns
    candidates = np.flatnonzero(rows)
    if sort is Sort.RELEVANCE and matched.scores is not None:
        scores = matched.scores[candidates]
        if count < len(candidates):
            # Everything scoring at least the count-th best, ties included: a
            # partition alone would pick among equal scores at random, and
            # pages of different sizes would then disagree.
            kth = np.partition(scores, len(scores) - count)[len(scores) - count]
            top = np.flatnonzero(scores >= kth)
        else:
            top = np.arange(len(candidates))
        # Highest score first; among equal scores the newer article (higher
        # seq, which is unique): a total order, the same for every page.
        order = np.lexsort((-cols.seq[candidates[top]], -scores[top]))
        top = top[order][:count]
        return candidates[top].tolist(), [float(x) for x in scores[top]]
    day = cols.day_start[candidates].astype(np.int64)
    seq = cols.seq[candidates]
    undated = (day == UNDATED).astype(np.int64)
    # One int64 key: undated last, then the date, then the seq as tie-break.
    if sort is Sort.OLDEST:
        key = (undated << 62) | (day << 40) | seq
    else:
        key = (undated << 62) | (((1 << 22) - 1 - day) << 40) | ((1 << 40) - 1 - seq)
    if count < len(key):
        top = np.argpartition(key, count - 1)[:count]
        top = top[np.argsort(key[top], kind="stable")]
    else:
        top = np.argsort(key, kind="stable")
    return candidates[top].tolist(), [None] * len(top)


@dataclass
class Selection:
    """A query's matches and the filters applied to them."""

    matched: Matched
    dates: np.ndarray | None
    outlets: np.ndarray | None
    final: np.ndarray  # matched, within the date range and the chosen outlets


def select(view: View, parsed: ParsedQuery, request: SearchRequest, deadline: float) -> Selection:
    """Match the query and apply the request's outlet and date filters."""
    matched = match(view, parsed, deadline)
    dates = date_mask(view.columns, request.date_from, request.date_to)
    outlets = outlet_mask(view.columns, request.outlets)
    final = matched.rows
    for mask in (dates, outlets):
        if mask is not None:
            final = final & mask
    return Selection(matched, dates, outlets, final)


def search(
    view: View,
    store: ArchiveStore,
    analyzer: GermanAnalyzer,
    request: SearchRequest,
    timeout: float,
    budget: float | None = None,
) -> SearchResponse:
    """Answer one search request against one view (see the module docstring).

    With ``budget`` (seconds, below ``timeout``) the search raises OverBudget
    at the first stage it ends past it, rather than answering cut short.
    """
    started = time.monotonic()
    limited = budget is not None and budget < timeout
    # One deadline for every stage: matching, snippets and the suggestion.
    deadline = started + (min(budget, timeout) if budget is not None else timeout)

    def within_budget() -> None:
        if limited and time.monotonic() > deadline:
            raise OverBudget(f"the search ran past its budget of {budget} s")

    cols = view.columns
    parsed = view.parse(request.query, analyzer)
    selection = select(view, parsed, request, deadline)
    within_budget()
    if limited and selection.matched.timed_out:
        raise OverBudget(f"matching ran past the budget of {budget} s")
    total = int(selection.final.sum())
    facets = (
        count_facets(cols, selection.matched.rows, selection.dates, selection.outlets, request)
        if request.facets
        else Facets()
    )
    page, size = max(request.page, 1), max(request.size, 0)
    rows, scores = page_rows(view, selection, request, (page - 1) * size, size)
    within_budget()
    hits = page_hits(view, store, analyzer, rows, scores, parsed, request.snippets, deadline)
    suggestion = None
    if parsed.words and total < SUGGEST_BELOW:
        reader = view.searcher.reader()
        suggestion = suggest(reader, view.spelling, analyzer, request.query, parsed.words, deadline)
    # Snippets and the suggestion give up quietly at the deadline: a budgeted
    # search must not pass such a cut answer off as whole.
    within_budget()
    return SearchResponse(
        total=total,
        page=page,
        size=size,
        hits=hits,
        facets=facets,
        suggestion=suggestion,
        took_ms=round((time.monotonic() - started) * 1000, 2),
        timed_out=selection.matched.timed_out,
        ignored=parsed.ignored,
        ignored_syntax=parsed.syntax,
        stories=view.stories.count(selection.final),
    )


def page_rows(
    view: View, selection: Selection, request: SearchRequest, start: int, count: int
) -> tuple[list[int], list[float | None]]:
    """Rows ``start`` to ``start + count`` of the result in the requested order;
    with ``request.group``, of the result with one row per story."""
    if not request.group:
        rows, scores = ordered_rows(
            view, selection.matched, selection.final, request.sort, start + count
        )
        return rows[start:], scores[start:]
    # The first version of every story in the requested order: every row must
    # be ordered to know which comes first (a few ms even at 100,000 hits).
    every = int(selection.final.sum())
    rows, scores = ordered_rows(view, selection.matched, selection.final, request.sort, every)
    first = view.stories.first_of_each_story(np.asarray(rows, dtype=np.int64))
    chosen = first[start : start + count].tolist()
    return [rows[i] for i in chosen], [scores[i] for i in chosen]


def page_hits(
    view: View,
    store: ArchiveStore,
    analyzer: GermanAnalyzer,
    rows: list[int],
    scores: list[float | None],
    parsed: ParsedQuery,
    with_snippets: bool,
    deadline: float | None = None,
) -> list[Hit]:
    cols, stories = view.columns, view.stories
    ids = [cols.ids[r] for r in rows]
    articles = {a.id: a for a in store.get_many(ids)}
    hits = []
    for row, article_id, score in zip(rows, ids, scores, strict=True):
        article = articles.get(article_id)
        if article is None:  # deleted from the store since the last commit
            continue
        text = ""
        if with_snippets and deadline is not None and time.monotonic() > deadline:
            # Out of time: the opening of the article, without marking words.
            text = snippet(article.text, frozenset(), analyzer)
        elif with_snippets:
            text = snippet(
                article.text,
                parsed.highlight_terms,
                analyzer,
                phrases=parsed.phrases,
                parts=parsed.part_terms,
            )
        story, versions = stories.story_of(row, cols)
        hits.append(_hit(article, text, score, story, versions))
    return hits


def _hit(article: Article, text: str, score: float | None, story: str, versions: int) -> Hit:
    return Hit(
        id=article.id,
        title=article.title,
        outlet=article.outlet,
        date=article.date,
        url=article.url,
        snippet=text,
        score=score,
        story=story,
        versions=versions,
    )
