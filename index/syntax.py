"""The lenient pre-pass over search box text: operators, parentheses and quotes.

Only upper-case ``AND``, ``OR`` and ``NOT`` are operators. Before Whoosh
parses a query, whatever would make it search something the user did not mean
is dropped and named, so that the answer can say so:

* a dangling operator (``Merkel AND``, ``OR Merkel``, ``Merkel NOT``), a
  doubled one (``Merkel AND AND Scholz``, ``Merkel AND OR Scholz``: the last
  one typed is kept) and one next to a parenthesis (``(OR Merkel)``);
* a parenthesis without its partner (``(Merkel AND Scholz``, ``Merkel)``):
  an unclosed one would reach to the end of the query, which is what dropping
  it means too;
* a quote without its partner (``"Ukraine Konflikt``): the words are searched
  as words, not as a phrase.

Lower-case ``and``/``or`` are no operators; like ``und``/``oder`` they are stop
words (left out, and named, by :mod:`pressearchiv.index.query`). Lower-case
``not`` is a word: German ``Not``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["BINARY", "OPERATORS", "Tidied", "tidy"]

BINARY = frozenset({"AND", "OR"})
OPERATORS = BINARY | {"NOT"}
# A quoted phrase (with its ~slop), a lone quote, a parenthesis, or a run of
# anything else. A minus before a word or phrase stays attached to it.
_TOKEN = re.compile(r'-?"[^"]*"(?:~\d+)?|"|\(|\)|[^\s()"]+')


@dataclass(frozen=True)
class Tidied:
    text: str  # the query with the dropped pieces blanked out
    dropped: tuple[str, ...]  # what was dropped, as typed, in order


def tidy(text: str) -> Tidied:
    """Drop dangling operators, unpaired parentheses and quotes (module docstring)."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    drop = _unpaired(tokens)
    while True:  # dropping one operator can leave another dangling
        kept = [i for i in range(len(tokens)) if i not in drop]
        bad = _bad_operator(tokens, kept)
        if bad is None:
            break
        drop.add(bad)
    if not drop:
        return Tidied(text, ())
    chars = list(text)
    for i in drop:
        start, end, _ = tokens[i]
        chars[start:end] = " " * (end - start)
    return Tidied("".join(chars), tuple(tokens[i][2] for i in sorted(drop)))


def _unpaired(tokens: list[tuple[int, int, str]]) -> set[int]:
    """Lone quotes, and parentheses without a partner."""
    drop = {i for i, (_, _, t) in enumerate(tokens) if t == '"'}
    open_at: list[int] = []
    for i, (_, _, t) in enumerate(tokens):
        if t == "(":
            open_at.append(i)
        elif t == ")":
            if open_at:
                open_at.pop()
            else:
                drop.add(i)
    drop.update(open_at)
    return drop


def _bad_operator(tokens: list[tuple[int, int, str]], kept: list[int]) -> int | None:
    """The first operator among ``kept`` tokens that has nothing to work on."""
    for n, i in enumerate(kept):
        word = tokens[i][2]
        if word not in OPERATORS:
            continue
        after = tokens[kept[n + 1]][2] if n + 1 < len(kept) else None
        if after is None or after == ")" or after in BINARY:
            return i
        if word == "NOT":
            if after == "NOT":
                return i
            continue
        before = tokens[kept[n - 1]][2] if n > 0 else None
        if before is None or before == "(" or before in OPERATORS:
            return i
    return None
