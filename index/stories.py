"""Stories: articles that are versions of one text share a story id.

A German press archive holds the same agency copy (dpa, AFP, Reuters, KNA)
in many outlets, with another lead, cut at the end, lightly edited or
extended. :class:`StoryDetector` gives each article, as it is indexed, the
story of the earliest article it is a version of, or a story of its own.
The story id is the article id of the story's first article (in the order
articles arrived, i.e. by ``seq``).

How one article is assigned (:meth:`StoryDetector.assign`):

1. **Shingles.** The text becomes the hashes of all runs of
   ``shingle_words`` consecutive words, normalised so that quotes, dashes,
   line wraps and number formats do not matter
   (:func:`~pressearchiv.index.shingles.shingle_hashes`). Done by
   :meth:`Fingerprint.of`, which needs no state, so bulk builds compute it in
   their worker processes.
2. **Boilerplate out.** A shingle already seen in ``boilerplate_stories``
   earlier *stories* is boilerplate: newsletter frames, "Wenn Sie alle
   aktuellen Nachrichten …" boxes, shop adverts, the explainer under every
   daily case-number report. Only articles that found a story are counted,
   so an agency copy printed by fifty outlets never becomes boilerplate of
   its own story. A count-min sketch keeps the counts in fixed memory. On
   the judged pairs this filter cut the false groupings from 34 to 11.
3. **Head keys.** The *head* is the first ``head_words`` remaining
   shingles; one in ``head_sample`` of them (chosen by hash, so the same
   ones in every copy) become the article's keys in an inverted index
   (:class:`~pressearchiv.index.story_bands.KeyIndex`). Earlier articles
   sharing ``min_head_shared`` keys are the candidates. Versions share
   their opening, even when one is cut to a third; a round-up or news
   ticker holding the article as one section further down, a later piece
   reusing it as background, or two texts ending in the same advert do not.
4. **Confirmation.** A MinHash signature of all remaining shingles (the
   *text*) estimates, with the set sizes, how much of the shorter text is
   found in the other (containment, so that a cut version counts): at
   least ``min_containment`` and ``min_shared`` shingles.
5. The article joins the story of the candidate with the highest
   containment (ties: the earliest), else founds its own story. An
   article's story never changes afterwards.

The parameters were chosen on 322 hand-judged pairs of the fang-covid
corpus (``bench/stories.py``; every figure in docs/benchmarks.md): precision
0.93 and recall 0.91 of "same story". Five-word shingles (four give the
same result, seven lose ten versions to rewording); 64 permutations (32
lose five versions, 128 gain nothing); a head of 150 shingles (250 finds
four more versions but groups nine more pairs wrongly); boilerplate after
3 stories (5: four more false groupings, 20: fourteen more); containment
0.30 (0.40 loses thirteen versions to win three).

Cost, measured over the corpus in two runs on a shared 2-core machine:
400–1,050 µs per article for :meth:`Fingerprint.of` and 600–1,400 µs for
:meth:`~StoryDetector.assign`, about a fifth to a quarter of what indexing
the same articles costs;
about 460 bytes per article (168 in :class:`~pressearchiv.index.story_rows.StoryRows`,
295 for the head keys), so about 440 MiB at a million articles, plus a fixed
24 MiB count-min sketch.

Deterministic and incremental: the result depends only on the articles and
their order. Assigning them one at a time, in batches, or after a restart
from saved state gives the same ids; a bulk build computes fingerprints in
parallel and assigns them in ``seq`` order. The state is derived data:
:mod:`pressearchiv.index.story_files` saves it and a rebuild from the archive
reproduces it exactly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np

from pressearchiv.index.shingles import UInt64Array, shingle_hashes
from pressearchiv.index.sketches import CountMin, MinHasher, agreement
from pressearchiv.index.story_bands import KeyArray, KeyIndex
from pressearchiv.index.story_rows import StoryRows

__all__ = [
    "ALGORITHM",
    "Assignment",
    "Fingerprint",
    "StoryDetector",
    "StoryOrderError",
    "StoryParams",
]

# Bump when a change gives any article a different story: saved state made
# by another version is discarded and rebuilt.
ALGORITHM = "stories-1"


@dataclass(frozen=True)
class StoryParams:
    """Every number the detector uses (see the module docstring)."""

    shingle_words: int = 5
    perms: int = 64
    head_words: int = 150
    head_sample: int = 4
    min_head_shared: int = 3
    boilerplate_stories: int = 3
    min_shingles: int = 25
    min_shared: int = 50
    min_containment: float = 0.30
    count_min_bits: int = 23
    count_min_depth: int = 3
    max_bucket: int = 64
    seed: int = 14

    @property
    def version(self) -> str:
        """Names the algorithm and every parameter: state is only reused under the same."""
        digest = hashlib.sha256(repr(sorted(asdict(self).items())).encode()).hexdigest()
        return f"{ALGORITHM}-{digest[:12]}"


class StoryOrderError(ValueError):
    """An article arrived with a ``seq`` not above every earlier one."""


@dataclass(frozen=True)
class Fingerprint:
    """An article's shingle hashes in text order: all the detector needs of its text."""

    shingles: UInt64Array
    distinct: UInt64Array  # the same, sorted and without repeats

    @classmethod
    def of(cls, text: str, params: StoryParams | None = None) -> Fingerprint:
        shingles = shingle_hashes(text, (params or StoryParams()).shingle_words)
        return cls(shingles, np.unique(shingles))


@dataclass(frozen=True)
class Assignment:
    """The story of one article and why."""

    article_id: str
    seq: int
    story: str  # article id of the story's first article
    matched: str | None = None  # the earlier article it was found to be a version of
    containment: float = 0.0  # estimated share of the shorter text found in the other

    @property
    def founds_story(self) -> bool:
        return self.story == self.article_id


class StoryDetector:
    """Assigns stories to articles in ``seq`` order and remembers them."""

    def __init__(self, params: StoryParams | None = None) -> None:
        self.params = p = params or StoryParams()
        if p.head_sample < 1 or p.head_sample & (p.head_sample - 1) or p.min_head_shared < 1:
            raise ValueError("head_sample must be a power of two, min_head_shared 1 or more")
        self.rows = StoryRows(p.perms)
        self.counts = CountMin(p.count_min_bits, p.count_min_depth, p.seed)
        self._text = MinHasher(p.perms, p.seed, salt=1)
        self.heads = KeyIndex(p.max_bucket)
        # Head keys filed since the last save, as (row, keys) (story_files).
        self.unsaved_keys: list[tuple[int, KeyArray]] = []

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def watermark(self) -> int:
        """The highest ``seq`` assigned so far (0 when none)."""
        return self.rows.last_seq

    def assign(self, article_id: str, seq: int, fingerprint: Fingerprint) -> Assignment:
        """The story of a new article; an article already assigned keeps its story."""
        known = self.rows.row_of(article_id)
        if known is not None:
            return self._assignment_of(known)
        if seq <= self.rows.last_seq:
            raise StoryOrderError(
                f"article {article_id} has seq {seq}, not above {self.rows.last_seq}"
            )
        p = self.params
        cells = self.counts.cells_of(fingerprint.distinct)
        text, head_shingles = self._content(fingerprint, cells)
        row = len(self.rows)
        if text.size < p.min_shingles:
            # Too little own text to compare (an empty page, pure boilerplate).
            self.rows.append(article_id, seq, row, 0, None)
            self.counts.add(cells)
            return Assignment(article_id, seq, article_id)
        signature = self._text.signature(text)
        keys = self.head_keys(head_shingles)
        best, containment = self._best_match(signature, text.size, keys)
        founder = row if best is None else int(self.rows.founder[best])
        self.rows.append(article_id, seq, founder, text.size, signature)
        self.heads.add(row, keys)
        self.unsaved_keys.append((row, keys))
        if best is None:
            self.counts.add(cells)  # a new story: its text now counts once
            return Assignment(article_id, seq, article_id)
        story, matched = self.rows.article_id(founder), self.rows.article_id(best)
        return Assignment(article_id, seq, story, matched, containment)

    def head_keys(self, head: UInt64Array) -> KeyArray:
        """The sampled head shingles as 32-bit keys (distinct, sorted)."""
        sample = np.uint64(64 - (self.params.head_sample - 1).bit_length())
        chosen = head if self.params.head_sample == 1 else head[(head >> sample) == 0]
        return np.unique(chosen.astype(np.uint32))

    def assign_all(self, articles: Iterable[tuple[str, int, str]]) -> list[Assignment]:
        """Assign ``(article_id, seq, text)`` triples in the order given."""
        return [
            self.assign(article_id, seq, Fingerprint.of(text, self.params))
            for article_id, seq, text in articles
        ]

    def story_of(self, article_id: str) -> str | None:
        row = self.rows.row_of(article_id)
        return None if row is None else self.rows.article_id(int(self.rows.founder[row]))

    def assignment(self, article_id: str) -> Assignment | None:
        row = self.rows.row_of(article_id)
        return None if row is None else self._assignment_of(row)

    def _assignment_of(self, row: int) -> Assignment:
        founder = int(self.rows.founder[row])
        return Assignment(
            self.rows.article_id(row), int(self.rows.seq[row]), self.rows.article_id(founder)
        )

    def _content(
        self, fingerprint: Fingerprint, cells: np.ndarray
    ) -> tuple[UInt64Array, UInt64Array]:
        """The distinct shingles without boilerplate, and the first ``head_words``
        of them in text order."""
        distinct, ordered = fingerprint.distinct, fingerprint.shingles
        limit, head_words = self.params.boilerplate_stories, self.params.head_words
        boiler = self.counts.estimate(cells) >= limit
        if not boiler.any():
            return distinct, ordered[:head_words]
        # Boilerplate may open a text (a newsletter frame), so the head is
        # taken after removing it: look at enough of the text to fill it.
        window = ordered[: head_words + int(np.count_nonzero(boiler))]
        head = window[~np.isin(window, distinct[boiler], kind="sort")][:head_words]
        return distinct[~boiler], head

    def _best_match(
        self, signature: np.ndarray, size: int, keys: KeyArray
    ) -> tuple[int | None, float]:
        p = self.params
        candidates, shared_keys = self.heads.matches(keys)
        candidates = candidates[shared_keys >= p.min_head_shared]
        if candidates.size == 0:
            return None, 0.0
        jaccard = agreement(signature, self.rows.signatures[candidates])
        sizes = self.rows.size[candidates].astype(np.float64)
        # |A ∩ B| from J = |A ∩ B| / |A ∪ B| and |A ∪ B| = |A| + |B| - |A ∩ B|.
        shared = jaccard * (size + sizes) / (1.0 + jaccard)
        containment = shared / np.minimum(size, sizes)
        passes = (containment >= p.min_containment) & (shared >= p.min_shared)
        if not passes.any():
            return None, 0.0
        scores = np.where(passes, containment, -1.0)
        best = int(np.argmax(scores))  # the first maximum: the earliest row
        return int(candidates[best]), float(containment[best])
