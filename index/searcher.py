"""Running one search against one generation of the index.

The stages: parse (:mod:`index.query`) → all matching rows as a numpy mask →
outlet/date filters and facet counts on the columns (:mod:`index.filters`,
:mod:`index.facets`) → the requested page, by BM25F score (Whoosh, restricted
to the filtered rows) or by date (numpy) → titles and text for the page from the
store → snippets (:mod:`index.highlight`).
"""

from __future__ import annotations

import contextlib
import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq
from whoosh.collectors import FilterCollector, TimeLimit, TopCollector
from whoosh.idsets import DocIdSet
from whoosh.searching import Searcher

from archive.model import Article
from archive.store import ArchiveStore
from index.analysis import GermanAnalyzer
from index.columns import UNDATED, Columns
from index.facets import count_facets
from index.filters import date_mask, outlet_mask
from index.highlight import snippet
from index.query import ParsedQuery, parse_query
from index.request import Facets, Hit, SearchRequest, SearchResponse, Sort

__all__ = ["View", "matching_rows", "ordered_rows", "search", "related"]

# Offer "Meinten Sie …?" when a query finds fewer articles than this.
SUGGEST_BELOW = 3
_CHUNK = 8192


@dataclass(eq=False)
class View:
    """One committed generation: a Whoosh searcher and its columns.

    ``refs`` counts searches using it; a replaced view is closed when the last
    one finishes, so a commit never pulls files from under a running search.
    """

    searcher: Searcher
    columns: Columns
    refs: int = 0
    retired: bool = False
    doc_count: int = field(default=0)


class _RowSet(DocIdSet):
    """A numpy mask seen by Whoosh's collector as a set of allowed documents."""

    def __init__(self, mask: np.ndarray) -> None:
        self._mask = mask

    def __contains__(self, docnum: object) -> bool:
        return bool(self._mask[docnum])  # type: ignore[index]

    def __len__(self) -> int:
        return int(self._mask.sum())

    def __iter__(self) -> Iterator[int]:
        return iter(np.flatnonzero(self._mask).tolist())


def matching_rows(view: View, parsed: ParsedQuery, deadline: float) -> tuple[np.ndarray, bool]:
    """Bool mask of live rows matching the query, and whether time ran out."""
    cols = view.columns
    if parsed.query is None:
        return cols.live.copy(), False
    mask = np.zeros(cols.size, dtype=bool)
    if isinstance(parsed.query, type(wq.NullQuery)):
        return mask, False
    for sub, offset in view.searcher.leaf_searchers():
        if time.monotonic() > deadline:
            return mask & cols.live, True
        matcher = parsed.query.matcher(sub)
        ids = matcher.all_ids() if matcher.is_active() else iter(())
        while True:
            chunk = np.fromiter(itertools.islice(ids, _CHUNK), dtype=np.int64)
            if len(chunk):
                mask[chunk + offset] = True
            if len(chunk) < _CHUNK:
                break
            if time.monotonic() > deadline:
                return mask & cols.live, True
    return mask & cols.live, False


def ordered_rows(
    view: View, parsed: ParsedQuery, rows: np.ndarray, sort: Sort, count: int, deadline: float
) -> tuple[list[int], list[float | None], bool]:
    """The first ``count`` rows of the mask ``rows`` in the requested order, with scores."""
    if count <= 0 or not rows.any():
        return [], [], False
    if sort is Sort.RELEVANCE and parsed.query is not None:
        return _by_score(view, parsed.query, rows, count, deadline)
    cols = view.columns
    candidates = np.flatnonzero(rows)
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
    return candidates[top].tolist(), [None] * len(top), False


class _FilterUntil(FilterCollector):
    """Whoosh's filter collector with a deadline.

    Whoosh's TimeLimitCollector cannot wrap a filter: it calls the filter's
    child directly and so drops the filter (and its SIGALRM mode only works on
    the main thread). This collector filters and checks the clock itself.
    """

    def __init__(self, child: TopCollector, allow: _RowSet, deadline: float) -> None:
        super().__init__(child, allow=allow)
        self._deadline = deadline
        self.timed_out = False

    def collect_matches(self) -> None:
        child, allow, offset = self.child, self._allow, self.offset
        clock, deadline = time.monotonic, self._deadline
        for n, sub_docnum in enumerate(child.matches()):
            if not n & 255 and clock() > deadline:
                self.timed_out = True
                raise TimeLimit
            if offset + sub_docnum in allow:
                child.collect(sub_docnum)


def _by_score(
    view: View, query: wq.Query, rows: np.ndarray, count: int, deadline: float
) -> tuple[list[int], list[float | None], bool]:
    searcher = view.searcher
    collector = _FilterUntil(TopCollector(limit=count), _RowSet(rows), deadline)
    with contextlib.suppress(TimeLimit):  # the hits found so far are still returned
        searcher.search_with_collector(query, collector)
    results = collector.results()
    docnums = [results.docnum(i) for i in range(min(count, results.scored_length()))]
    scores: list[float | None] = [float(results.score(i)) for i in range(len(docnums))]
    return docnums, scores, collector.timed_out


def search(
    view: View,
    store: ArchiveStore,
    analyzer: GermanAnalyzer,
    request: SearchRequest,
    timeout: float,
) -> SearchResponse:
    """Answer one search request against one view (see the module docstring)."""
    started = time.monotonic()
    deadline = started + timeout
    cols = view.columns
    parsed = parse_query(request.query, analyzer, view.searcher.reader())
    matched, timed_out = matching_rows(view, parsed, deadline)
    dates = date_mask(cols, request.date_from, request.date_to)
    outlets = outlet_mask(cols, request.outlets)
    final = matched
    if dates is not None:
        final = final & dates
    if outlets is not None:
        final = final & outlets
    total = int(final.sum())
    facets = count_facets(cols, matched, dates, outlets, request) if request.facets else Facets()
    page, size = max(request.page, 1), max(request.size, 0)
    wanted = page * size
    rows, scores, late = ordered_rows(view, parsed, final, request.sort, wanted, deadline)
    rows, scores = rows[(page - 1) * size :], scores[(page - 1) * size :]
    hits = _hits(cols, store, analyzer, rows, scores, parsed, request.snippets)
    suggestion = None
    if parsed.words and total < SUGGEST_BELOW:
        suggestion = suggest(view.searcher, analyzer, request.query, parsed.words)
    return SearchResponse(
        total=total,
        page=page,
        size=size,
        hits=hits,
        facets=facets,
        suggestion=suggestion,
        took_ms=round((time.monotonic() - started) * 1000, 2),
        timed_out=timed_out or late,
    )


def _hits(
    cols: Columns,
    store: ArchiveStore,
    analyzer: GermanAnalyzer,
    rows: list[int],
    scores: list[float | None],
    parsed: ParsedQuery,
    with_snippets: bool,
) -> list[Hit]:
    ids = [cols.ids[r] for r in rows]
    articles = {a.id: a for a in store.get_many(ids)}
    hits = []
    for article_id, score in zip(ids, scores, strict=True):
        article = articles.get(article_id)
        if article is None:  # deleted from the store since the last commit
            continue
        text = snippet(article.text, parsed.highlight_terms, analyzer) if with_snippets else ""
        hits.append(_hit(article, text, score))
    return hits


def _hit(article: Article, text: str, score: float | None) -> Hit:
    return Hit(
        id=article.id,
        title=article.title,
        outlet=article.outlet,
        date=article.date,
        url=article.url,
        snippet=text,
        score=score,
    )


def related(
    view: View, store: ArchiveStore, analyzer: GermanAnalyzer, article: Article, limit: int
) -> list[Hit]:
    """Articles sharing the most distinctive terms of ``article`` ("more like this")."""
    searcher = view.searcher
    if searcher.doc_count() == 0 or limit <= 0:
        return []
    keyterms = searcher.key_terms_from_text("body", f"{article.title}\n{article.text}", numterms=12)
    if not keyterms:
        return []
    query = wq.Or([wq.Term("body", term, boost=weight) for term, weight in keyterms])
    results = searcher.search(query, limit=limit + 1)
    rows = [r.docnum for r in results if view.columns.ids[r.docnum] != article.id][:limit]
    scores = [float(r.score) for r in results if view.columns.ids[r.docnum] != article.id][:limit]
    empty = ParsedQuery(None, frozenset(), ())
    return _hits(view.columns, store, analyzer, rows, scores, empty, True)


def suggest(
    searcher: Searcher, analyzer: GermanAnalyzer, text: str, words: tuple[str, ...]
) -> str | None:
    """``text`` with unknown words replaced by the closest frequent real word, or None.

    A word is unknown when neither it nor its stem occurs in the index, so an
    inflected form of an indexed word is never "corrected".
    """
    reader = searcher.reader()
    suggestion = text
    for word in words:
        lower = word.lower()
        if reader.doc_frequency("spell", lower) > 0:
            continue
        term = analyzer.term(lower)
        if term is None or any(reader.doc_frequency(f, term) for f in ("title", "body")):
            continue
        best: tuple[int, int, str] | None = None
        for candidate in reader.terms_within("spell", lower, 2, prefix=1):
            rank = (
                _distance(lower, candidate),
                -reader.doc_frequency("spell", candidate),
                candidate,
            )
            if best is None or rank < best:
                best = rank
        if best is None:
            continue
        replacement = best[2]
        if word[:1].isupper():
            replacement = replacement[:1].upper() + replacement[1:]
        suggestion = re.sub(rf"\b{re.escape(word)}\b", replacement, suggestion, count=1)
    return suggestion if suggestion != text else None


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (two short words; plain dynamic programming)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
