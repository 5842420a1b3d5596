"""Snippets: the passage of an article with the most query words, HTML-safe.

Words are matched by their analysed terms, so ``Gesprächen`` in the text is
marked for the query ``Gespräch``, and a compound is marked whole when one of
its parts was searched (``Maskenpflicht`` for ``Maske``). Everything outside
``<mark>`` is escaped.
For a query with a quoted phrase, the snippet shows where the phrase stands.
"""

from __future__ import annotations

import functools
import html
import re

from pressearchiv.index.analysis import STOP_MARK, GermanAnalyzer

__all__ = ["snippet"]

SNIPPET_CHARS = 240
# Only the opening of an article is analysed for its snippet (analysis costs
# about 1.5 ms per 8,000 characters, measured on fang-covid): the cost of a
# search must not grow with the length of its hits.
MAX_ANALYSED_CHARS = 6_000
_ELLIPSIS = "…"
_SPACES = re.compile(r"\s+")
# Characters per phrase word looked at around a possible phrase occurrence.
_PHRASE_CONTEXT = 40


def snippet(
    text: str,
    terms: frozenset[str],
    analyzer: GermanAnalyzer,
    width: int = SNIPPET_CHARS,
    phrases: tuple[tuple[str, ...], ...] = (),
    parts: frozenset[str] = frozenset(),
) -> str:
    """An HTML excerpt of ``text`` of about ``width`` characters, query terms in
    ``<mark>``, and compounds holding one of ``parts`` (compound-part terms);
    it starts at the first of ``phrases`` (term sequences) found."""
    found: list[tuple[int, int, str]] = []
    if terms or parts:
        found = _matching_spans(text[:MAX_ANALYSED_CHARS], terms, analyzer, parts)
    if not found:
        return _excerpt(text, 0, width, [])
    anchor = _phrase_start(text, found, phrases, analyzer)
    spans = _merge([(s, e) for s, e, _ in found])
    if anchor is not None:
        first = anchor
    else:
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


def _phrase_start(
    text: str,
    found: list[tuple[int, int, str]],
    phrases: tuple[tuple[str, ...], ...],
    analyzer: GermanAnalyzer,
) -> int | None:
    """Where the earliest occurrence of one of ``phrases`` starts, if any.

    Around each marked first word of a phrase, the text is analysed as a
    quoted phrase is (stop words included), and the phrase's terms must follow
    each other exactly.
    """
    best: int | None = None
    for phrase in phrases:
        head = next(w for w in phrase if not w.startswith(STOP_MARK))
        for start, _, term in sorted(found):
            if term != head or (best is not None and start >= best):
                continue
            low = max(0, start - _PHRASE_CONTEXT)
            window = text[low : start + _PHRASE_CONTEXT * len(phrase)]
            tokens = list(analyzer.spans(window, compounds=False, stops=True))
            terms = [t for t, _, _, _ in tokens]
            for i in range(len(terms) - len(phrase) + 1):
                if tuple(terms[i : i + len(phrase)]) == phrase:
                    best = low + tokens[i][2]
                    break
            if best is not None and best <= start:
                break
    return best


def _matching_spans(
    head: str, terms: frozenset[str], analyzer: GermanAnalyzer, parts: frozenset[str]
) -> list[tuple[int, int, str]]:
    """Spans of words whose term is in ``terms``, with the term.

    Analysing every word costs more than the rest of a search, so a regex (run
    in C) first finds words starting like a term (a stem is a prefix of its
    words, up to umlauts and ß), and only the whitespace-delimited chunks
    around those are analysed, with the same analyzer as the index. A
    compound part may stand anywhere in a word, so for ``parts`` the regex
    looks inside words too.
    """
    spans: list[tuple[int, int, str]] = []
    done: set[int] = set()
    for match in _candidates(terms, parts).finditer(head):
        begin = match.start()
        while begin > 0 and not head[begin - 1].isspace():
            begin -= 1
        if begin in done:
            continue
        done.add(begin)
        end = match.end()
        while end < len(head) and not head[end].isspace():
            end += 1
        chunk = head[begin:end]
        for t, _, s, e in analyzer.spans(chunk, stops=False):
            if t in terms or (parts and not parts.isdisjoint(analyzer.parts(chunk[s:e].lower()))):
                spans.append((begin + s, begin + e, t))
    return spans


# A stem's letters as they may be written: "u" also as "ü" or "ue", "ss" as "ß".
_SPELLINGS = {"a": "(?:ae|a|ä)", "o": "(?:oe|o|ö)", "u": "(?:ue|u|ü)", "s": "(?:s|ß)"}


@functools.lru_cache(maxsize=256)
def _candidates(terms: frozenset[str], parts: frozenset[str]) -> re.Pattern[str]:
    starts = sorted({_spelled(term) for term in terms})
    inside = sorted({_spelled(term) for term in parts})
    alternatives = [r"\b(?:" + "|".join(starts) + ")"] if starts else []
    if inside:
        alternatives.append("(?:" + "|".join(inside) + ")")
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _spelled(term: str) -> str:
    """A regex for a term's first three letters as they may be written."""
    # A cut may halve "ss", so a single s may stand for ß as well.
    head = term[:3].replace("ss", "\0")
    return "".join(_SPELLINGS.get(c, re.escape(c)) for c in head).replace("\0", "(?:ss|ß)")


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
