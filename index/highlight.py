"""Snippets: the passage of an article with the most query words, HTML-safe.

Words are matched by their analysed terms, so ``Gesprächen`` in the text is
marked for the query ``Gespräch``. Everything outside ``<mark>`` is escaped.
"""

from __future__ import annotations

import html
import re

from index.analysis import GermanAnalyzer

__all__ = ["snippet"]

SNIPPET_CHARS = 240
# Only the opening of an article is analysed for its snippet (analysis costs
# about 1.5 ms per 8,000 characters, measured on fang-covid): the cost of a
# search must not grow with the length of its hits.
MAX_ANALYSED_CHARS = 6_000
_ELLIPSIS = "…"
_SPACES = re.compile(r"\s+")


def snippet(
    text: str, terms: frozenset[str], analyzer: GermanAnalyzer, width: int = SNIPPET_CHARS
) -> str:
    """An HTML excerpt of ``text`` of about ``width`` characters, query terms in ``<mark>``."""
    spans: list[tuple[int, int]] = []
    if terms:
        head = text[:MAX_ANALYSED_CHARS]
        spans = [(s, e) for t, _, s, e in analyzer.spans(head) if t in terms]
    if not spans:
        return _excerpt(text, 0, width, [])
    spans = _merge(spans)
    # The window starting at some match that covers the most matches.
    best, best_count, j = 0, 0, 0
    for i, (start, _) in enumerate(spans):
        j = max(j, i)
        while j + 1 < len(spans) and spans[j + 1][1] <= start + width:
            j += 1
        if j - i + 1 > best_count:
            best, best_count = i, j - i + 1
    first = spans[best][0]
    # Show a little context before the first match, starting at a word.
    begin = max(0, first - width // 6)
    if begin:
        space = text.find(" ", begin, first)
        begin = space + 1 if space != -1 else first
    return _excerpt(text, begin, width, spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort and merge overlapping spans (a compound and its parts)."""
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    return merged


def _excerpt(text: str, begin: int, width: int, spans: list[tuple[int, int]]) -> str:
    end = begin + width
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin else end
        # Never cut a marked word in half.
        for s, e in spans:
            if s < end < e:
                end = e
    else:
        end = len(text)
    out = [_ELLIPSIS] if begin > 0 else []
    pos = begin
    for s, e in spans:
        if e <= begin or s >= end:
            continue
        s = max(s, begin)
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    if end < len(text):
        out.append(_ELLIPSIS)
    return _SPACES.sub(" ", "".join(out)).strip()
