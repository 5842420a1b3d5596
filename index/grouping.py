"""Stories as columns of one view: story of each row, versions, one hit per story.

A view's rows are its documents (see :mod:`pressearchiv.index.columns`).
:class:`StoryColumns` adds, from a :class:`~pressearchiv.index.story_tracker.StoryMap`,
the story of every row as a dense code, how many live articles share each
story (``versions``), and the rows of each story, so that the searcher can
give every hit its story and count, list an article's other versions, and
keep one hit per story (``group=story``) with a few numpy operations. It is
built once per view and story map (about 10 ms at 100,000 articles) and then
shared by every search of that view.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pressearchiv.index.columns import Columns
from pressearchiv.index.story_tracker import StoryMap

__all__ = ["StoryColumns"]


@dataclass(frozen=True)
class StoryColumns:
    """The stories of one view's rows (see the module docstring)."""

    code: npt.NDArray[np.int64]  # per row: dense story code
    founder_seq: npt.NDArray[np.int64]  # per code: seq of the story's first article
    versions: npt.NDArray[np.int64]  # per code: live rows in the story
    members: npt.NDArray[np.int64]  # live rows sorted by code (then seq)
    starts: npt.NDArray[np.int64]  # per code: where its rows begin in ``members``
    # Per code: the founder's article id as a number, where the map has it
    # (formatted only for the hits of a page: 100,000 strings cost a start-up).
    founder_ids: npt.NDArray[np.uint64]
    founder_known: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, columns: Columns, stories: StoryMap) -> StoryColumns:
        founders = stories.founder_seqs(columns.seq)
        founder_seq, code = np.unique(founders, return_inverse=True)
        code = code.astype(np.int64)
        live = np.flatnonzero(columns.live)
        versions = np.bincount(code[live], minlength=len(founder_seq)).astype(np.int64)
        members = live[np.lexsort((columns.seq[live], code[live]))]
        starts = np.concatenate(([0], np.cumsum(versions)))[:-1].astype(np.int64)
        if len(stories):
            at = np.minimum(np.searchsorted(stories.seq, founder_seq), len(stories) - 1)
            known = stories.seq[at] == founder_seq
            ids = stories.ids[at]
        else:
            known = np.zeros(len(founder_seq), dtype=bool)
            ids = np.zeros(len(founder_seq), dtype=np.uint64)
        return cls(code, founder_seq, versions, members, starts, ids, known)

    def story_of(self, row: int, columns: Columns) -> tuple[str, int]:
        """The story id of ``row`` and how many live articles share it."""
        code = int(self.code[row])
        if self.founder_known[code]:
            story = f"{int(self.founder_ids[code]):016x}"
        else:  # not assigned yet: a story of its own
            story = columns.ids[row]
        return story, max(int(self.versions[code]), 1)

    def rows_of_story(self, row: int) -> npt.NDArray[np.int64]:
        """The live rows of ``row``'s story, in ``seq`` order (``row`` included)."""
        code = int(self.code[row])
        start = int(self.starts[code])
        return self.members[start : start + int(self.versions[code])]

    def first_of_each_story(self, ordered: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Positions in ``ordered`` (rows in result order) of the first row of each story."""
        if not ordered.size:
            return ordered
        _, first = np.unique(self.code[ordered], return_index=True)
        return np.sort(first).astype(np.int64)

    def count(self, rows: npt.NDArray[np.bool_]) -> int:
        """How many stories the rows of the mask ``rows`` belong to."""
        if not rows.any():
            return 0
        # A flag per story, not a count (np.bincount): an eighth of the memory
        # to fill, and indices instead of a mask to gather by (103 against 189 µs
        # for 8,338 rows of 99,650).
        seen = np.zeros(len(self.founder_seq), dtype=bool)
        seen[self.code[np.flatnonzero(rows)]] = True
        return int(np.count_nonzero(seen))
