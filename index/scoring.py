"""Evaluate a parsed query over the whole index at once: matches and BM25F scores.

Every node of the query tree becomes a pair of dense arrays over the
searcher's document numbers: a bool mask of the documents it matches and their
float32 scores. Terms come from :class:`~pressearchiv.index.postings.PostingCache`; ``AND``
is ``&``, ``OR`` is ``|``, ``NOT`` masks out, and scores add up. The caller
then filters by outlet and date, counts facets and takes the top hits from the
same arrays, so no document is visited one at a time in Python.

Scores are BM25F. A query word is looked for in several fields at once (the
title, the body and the compound parts, an ``Or`` of one term per field); its
frequencies are weighted by field and normalised by each field's length,

    tf~ = Σ_field weight_field · tf_field / (1 − b + b · dl_field / avgdl_field)

and saturated once: ``idf · tf~ · (k1 + 1) / (tf~ + k1)``, with
``idf = ln(1 + (N − df + 0.5) / (df + 0.5))`` and ``df`` the documents that hold
the word in any of those fields. The weights (:data:`~pressearchiv.index.schema.FIELD_WEIGHTS`:
title 2.5, body 1, compound parts 0.2) are applied here, once; postings hold
plain frequencies. A term alone is the same with one field. Phrases and proximity
queries need word positions, which only Whoosh's matchers decode; their
documents come from Whoosh, checked only among the documents holding all of
the phrase's words, and they score like their words.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from pressearchiv.index.formats import FastPositions
from pressearchiv.index.postings import PostingCache
from pressearchiv.index.schema import FIELD_WEIGHTS
from pressearchiv.index.word_scores import WordScores

__all__ = ["QueryTimeout", "Scored", "evaluate"]

K1 = 1.2
B = 0.75
_CHUNK = 8192


class QueryTimeout(Exception):
    """The deadline passed while evaluating; the caller reports a partial result."""


@dataclass
class Scored:
    mask: np.ndarray  # bool: the document matches
    scores: np.ndarray  # float32: its relevance (meaningful where mask is True)


class _Evaluator:
    def __init__(
        self,
        searcher: Searcher,
        live: np.ndarray,
        cache: PostingCache,
        deadline: float,
        words: WordScores | None = None,
    ) -> None:
        self.words = words if words is not None else WordScores(0)
        self.searcher = searcher
        self.live = live
        self.size = len(live)
        self.cache = cache
        self.deadline = deadline
        self.segments = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
        self.stable, self.stable_key, self.recent = self.words.runs(self.segments)
        self.doc_count = max(int(live.sum()), 1)
        self._avg: dict[str, float] = {}

    def empty(self) -> Scored:
        return Scored(np.zeros(self.size, dtype=bool), np.zeros(self.size, dtype=np.float32))

    def check_clock(self) -> None:
        if time.monotonic() > self.deadline:
            raise QueryTimeout

    def avg_length(self, fieldname: str) -> float:
        if fieldname not in self._avg:
            total = sum(reader.field_length(fieldname) for reader, _ in self.segments)
            self._avg[fieldname] = max(total / self.doc_count, 1.0)
        return self._avg[fieldname]

    # -- nodes -----------------------------------------------------------------

    def node(self, q: wq.Query) -> Scored:
        self.check_clock()
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text, q.boost)
        if isinstance(q, wq.And):
            return self.conjunction(q.subqueries, q.boost)
        if isinstance(q, wq.Or | wq.DisjunctionMax):
            fields = _word_group(q)
            if fields:
                return self.word(fields, q.subqueries[0].text, q.boost)
            return self.disjunction(q.subqueries, q.boost)
        if isinstance(q, wq.Not):
            inner = self.node(q.query)
            return Scored(self.live & ~inner.mask, np.zeros(self.size, dtype=np.float32))
        if isinstance(q, wq.AndNot):
            positive, negative = self.node(q.a), self.node(q.b)
            return Scored(positive.mask & ~negative.mask, positive.scores)
        if isinstance(q, wq.AndMaybe):
            required, optional = self.node(q.a), self.node(q.b)
            bonus = np.where(optional.mask, optional.scores, 0).astype(np.float32)
            return Scored(required.mask, required.scores + bonus)
        if isinstance(q, wq.Require):
            required, also = self.node(q.a), self.node(q.b)
            return Scored(required.mask & also.mask, required.scores)
        if isinstance(q, wq.Every):
            return Scored(self.live.copy(), np.zeros(self.size, dtype=np.float32))
        if isinstance(q, type(wq.NullQuery)):
            return self.empty()
        if isinstance(q, wq.Phrase):
            return self.phrase(q)
        return self.whoosh(q, score=q.boost)

    def term(
        self, fieldname: str, text: str, boost: float = 1.0, into: Scored | None = None
    ) -> Scored:
        """One term's matches and scores; added into ``into`` when given (for OR)."""
        return self.word({fieldname: boost}, text, 1.0, into)

    def word(
        self, fields: dict[str, float], text: str, boost: float = 1.0, into: Scored | None = None
    ) -> Scored:
        """BM25F of one term over ``fields`` (name -> query boost), see the module docstring."""
        result = into if into is not None else self.empty()
        key = (tuple(fields.items()), text, boost)
        found = self.words.get(key)
        if found is None:
            found = self._word_scores(fields, text, boost)
            self.words.put(key, *found)
        rows, scores = found
        if len(rows):
            result.mask[rows] = True
            result.scores[rows] += scores
        return result

    def _word_scores(
        self, fields: dict[str, float], text: str, boost: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """The live rows holding the word in any of ``fields``, and their scores."""
        rows_of: list[np.ndarray] = []
        weighted: list[np.ndarray] = []
        for fieldname, query_boost in fields.items():
            field = self.searcher.schema[fieldname]
            weight = FIELD_WEIGHTS.get(fieldname, 1.0) * query_boost
            scorable = getattr(field, "scorable", False)
            avg = self.avg_length(fieldname) if scorable else 1.0
            for rows, tf, dl in self._postings(fieldname, text, scorable):
                if not len(rows):
                    continue
                part = tf * weight
                if scorable:
                    part = part / (1 - B + B * dl / avg)
                rows_of.append(rows)
                weighted.append(part)
        if not rows_of:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        rows, tilde = np.concatenate(rows_of), np.concatenate(weighted)
        if len(fields) > 1:  # a document may hold the term in several fields
            rows, where = np.unique(rows, return_inverse=True)
            tilde = np.bincount(where, weights=tilde, minlength=len(rows))
        alive = self.live[rows]
        rows, tilde = rows[alive], tilde[alive]
        df = len(rows)
        idf = math.log(1 + (self.doc_count - df + 0.5) / (df + 0.5))
        score = idf * boost * tilde * (K1 + 1) / (tilde + K1)
        return rows, score.astype(np.float32)

    def _postings(
        self, fieldname: str, text: str, lengths: bool
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """A term's (rows, frequencies, field lengths): over the stable run, kept
        across generations, then over the other segments, read each time."""
        if self.stable:
            yield self.cache.run_postings(self.stable, self.stable_key, fieldname, text, lengths)
        if self.recent:
            yield self.cache.gathered(self.recent, fieldname, text, lengths)

    def conjunction(self, subqueries: list[wq.Query], boost: float) -> Scored:
        parts = [self.node(q) for q in subqueries]
        if not parts:
            return self.empty()
        mask = parts[0].mask.copy()
        scores = parts[0].scores.copy()
        for part in parts[1:]:
            mask &= part.mask
            scores += part.scores
        return Scored(mask, scores * boost if boost != 1 else scores)

    def disjunction(self, subqueries: list[wq.Query], boost: float) -> Scored:
        result = self.empty()
        for q in subqueries:
            if isinstance(q, wq.Term):
                # Terms add straight into the result: an expanded wildcard is
                # an OR of up to a hundred of them, each read from disk on its
                # first use, so the clock is looked at before each.
                self.check_clock()
                self.term(q.fieldname, q.text, q.boost, into=result)
                continue
            part = self.node(q)
            result.mask |= part.mask
            result.scores += np.where(part.mask, part.scores, 0).astype(np.float32)
        result.mask &= self.live
        if boost != 1:
            result.scores *= boost
        return result

    def phrase(self, q: wq.Phrase) -> Scored:
        # Like a word's, a phrase's matches depend only on the generation, and
        # checking positions costs more than anything else in a search (35 ms
        # for "zweite Welle" at 100,000 articles).
        key = ("phrase", q.fieldname, tuple(q.words), q.slop, q.boost)
        found = self.words.get(key)
        if found is None:
            scored = self._phrase(q)
            rows = np.flatnonzero(scored.mask)
            found = (rows, scored.scores[rows])
            self.words.put(key, *found)
        result = self.empty()
        rows, scores = found
        result.mask[rows] = True
        result.scores[rows] = scores
        return result

    def _phrase(self, q: wq.Phrase) -> Scored:
        words = [self.term(q.fieldname, w, q.boost) for w in q.words]
        if not words:
            return self.empty()
        candidates = words[0].mask.copy()
        scores = words[0].scores.copy()
        for word in words[1:]:
            candidates &= word.mask
            scores += word.scores
        if not candidates.any() or len(q.words) == 1:
            return Scored(candidates, scores)
        if not isinstance(self.searcher.schema[q.fieldname].format, FastPositions):
            confirmed = self.whoosh(q, score=0.0).mask & candidates
            return Scored(confirmed, scores)
        confirmed = np.zeros(self.size, dtype=bool)
        if self.stable:
            # Where the phrase stands in the large segments does not change
            # from one commit to the next; liveness and filters do (candidates).
            (rows,) = self.cache.over_run(
                self.stable_key,
                "phrase",
                q.fieldname,
                repr((q.words, q.slop)),
                lambda: self._stable_phrase(q),
            )
            confirmed[rows] = True
            confirmed &= candidates
        for reader, offset in self.recent:
            local = candidates[offset : offset + reader.doc_count_all()]
            docs = self.phrase_docs(reader, q, local)
            confirmed[docs + offset] = True
        return Scored(confirmed, scores)

    def _stable_phrase(self, q: wq.Phrase) -> tuple[np.ndarray]:
        """The rows of the stable run holding the phrase, live or not."""
        found = []
        for reader, offset in self.stable:
            holding = np.ones(reader.doc_count_all(), dtype=bool)
            for word in q.words:
                has = np.zeros(len(holding), dtype=bool)
                has[self.cache.postings(reader, q.fieldname, word)[0]] = True
                holding &= has
            if holding.any():
                found.append(self.phrase_docs(reader, q, holding) + offset)
        return (np.concatenate(found) if found else np.zeros(0, dtype=np.int64),)

    def phrase_docs(self, reader: Any, q: wq.Phrase, allowed: np.ndarray) -> np.ndarray:
        """Documents (of one segment, among ``allowed``) holding the words in order.

        Each next word must follow the previous one within ``slop`` positions;
        taking the earliest such occurrence each time finds every match.
        """
        slop = max(int(q.slop), 1)
        current = self.cache.positions(reader, q.fieldname, q.words[0])
        current = current[allowed[current >> 32]]
        for word in q.words[1:]:
            self.check_clock()
            if not len(current):
                break
            following = self.cache.positions(reader, q.fieldname, word)
            at = np.searchsorted(following, current + 1)
            inside = at < len(following)
            nearest = following[np.minimum(at, len(following) - 1)] if len(following) else at
            ok = inside & (nearest - current <= slop) if len(following) else inside
            current = nearest[ok]
        return np.unique(current >> 32).astype(np.int64)

    def whoosh(self, q: wq.Query, score: float) -> Scored:
        """Any other query: the documents Whoosh's own matcher finds, with a flat score."""
        result = self.empty()
        for reader_searcher, offset in self.searcher.leaf_searchers():
            matcher = q.matcher(reader_searcher)
            ids: Any = matcher.all_ids() if matcher.is_active() else iter(())
            while True:
                chunk = np.fromiter(itertools.islice(ids, _CHUNK), dtype=np.int64)
                if len(chunk):
                    result.mask[chunk + offset] = True
                if len(chunk) < _CHUNK:
                    break
                self.check_clock()
        result.mask &= self.live
        result.scores[result.mask] = score
        return result


def _word_group(q: wq.Query) -> dict[str, float] | None:
    """For an ``Or`` of one term in several fields (a query word), its fields."""
    subs = q.subqueries
    if len(subs) < 2 or not all(isinstance(t, wq.Term) for t in subs):
        return None
    fields = {t.fieldname: t.boost for t in subs}
    if len(fields) < len(subs) or len({t.text for t in subs}) > 1:
        return None
    return fields


def evaluate(
    searcher: Searcher,
    query: wq.Query,
    live: np.ndarray,
    cache: PostingCache,
    deadline: float,
    words: WordScores | None = None,
) -> Scored:
    """Matches and scores of ``query`` over every live document; may raise QueryTimeout.

    ``words`` keeps each word's scores for the next query on the same
    searcher and ``live`` (one generation)."""
    return _Evaluator(searcher, live, cache, deadline, words).node(query)
