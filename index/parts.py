"""The compound-parts field's analyzer (see :mod:`pressearchiv.index.compounds`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Analyzer, Token

from pressearchiv.index.analysis import GermanAnalyzer

__all__ = ["CompoundPartsAnalyzer"]


class CompoundPartsAnalyzer(Analyzer):
    """The analyzer of the compound-parts field: a text's terms are the parts
    of its compounds (``Maskenpflicht`` → ``mask``, ``pflicht``), nothing else.

    Kept in a field of its own with a lower weight, so that a search for
    ``Maske`` finds ``Maskenpflicht`` but ranks articles with ``Maske`` itself
    first, and quoted phrases, which search only the title and body, stay exact.
    It works through the body's :class:`GermanAnalyzer` (pickled as the same
    object within the schema), so both fields share one cache of words.
    """

    def __init__(self, words: GermanAnalyzer) -> None:
        self.words = words

    @property
    def version(self) -> str:
        return self.words.version

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CompoundPartsAnalyzer) and other.words == self.words

    def __hash__(self) -> int:
        return hash(("CompoundPartsAnalyzer", self.words.version))

    def __repr__(self) -> str:
        return f"CompoundPartsAnalyzer({self.words!r})"

    def term_positions(self, value: str | tuple[str, ...]) -> dict[str, list[int]]:
        """Parts of one text, or of several (the body first: its parts are
        already known); each next text's positions follow the previous one's."""
        texts = (value,) if isinstance(value, str) else value
        if not texts:
            return {}
        found = dict(self.words.part_positions(texts[0]))  # its lists stay untouched
        offset = 0
        for previous, text in zip(texts, texts[1:], strict=False):
            offset += len(previous) + 1  # more than the text has words
            for term, positions in self.words.part_positions(text).items():
                found[term] = found.get(term, []) + [p + offset for p in positions]
        return found

    def __call__(
        self, value: str | tuple[str, ...], positions: bool = False, **kwargs: Any
    ) -> Iterator[Token]:
        token = Token(positions, False, mode=kwargs.get("mode", ""))
        token.stopped = False
        token.boost = 1.0
        for text, found in self.term_positions(value).items():
            for pos in found:
                token.text = text
                token.pos = pos
                yield token
