"""Snippets: the passage of an article with the most query words, HTML-safe.

Words are matched by their analysed terms, so ``Gesprächen`` in the text is
marked for the query ``Gespräch``, and a compound is marked whole when one of
its parts was searched (``Maskenpflicht`` for ``Maske``). Everything outside
``<mark>`` is escaped.
For a query with a quoted phrase, the snippet shows where the phrase stands.
"""

from __future__ import annotations

import bisect
import functools
import html
import re

from pressearchiv.index.analysis import STOP_MARK, GermanAnalyzer
from pressearchiv.index.surface import written_openings

__all__ = ["snippet"]

SNIPPET_CHARS = 240
# Only the opening of an article is analysed for its snippet (analysis costs
# about 1.5 ms per 8,000 characters, measured on fang-covid): the cost of a
# search must not grow with the length of its hits.
MAX_ANALYSED_CHARS = 6_000
_ELLIPSIS = "…"
_NON_SPACE = re.compile(r"\S*")
# Past the end of a passage, a marked word is still shown whole up to this long.
_LONGEST_WORD = 60
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
    it starts at the first of ``phrases`` (term sequences) found, else at the
    passage with the most query words."""
    if not (terms or parts):
        return _excerpt(text, 0, width, [])
    words = _Words(text[:MAX_ANALYSED_CHARS], terms, analyzer, parts)
    if not words.starts:
        return _excerpt(text, 0, width, [])
    first = _phrase_start(text, words, phrases, analyzer) if phrases else None
    if first is None:
        first = _best_passage(words, width)
    if first is None:
        return _excerpt(text, 0, width, [])
    # Show a little context before the first match, starting at a word.
    begin = max(0, first - width // 6)
    if begin:
        space = text.find(" ", begin, first)
        begin = space + 1 if space != -1 else first
    # Every word that may be shown is checked; a marked word at the end may
    # run past the width, and is shown whole.
    shown = words.spans(begin, begin + width + _LONGEST_WORD)
    return _excerpt(text, begin, width, _merge([(s, e) for s, e, _ in shown]) if shown else [])


class _Words:
    """The words of a text's opening that may match the query, analysed on demand.

    Analysing every word costs more than the rest of a search, so a regex (run
    in C) first finds where words start like a term (:func:`written_openings`),
    or, for ``parts``, where a part may stand inside a word. Only the
    whitespace-delimited chunks around those *candidates* are analysed, with
    the same analyzer as the index, and only where a passage is looked at.
    """

    def __init__(
        self, head: str, terms: frozenset[str], analyzer: GermanAnalyzer, parts: frozenset[str]
    ) -> None:
        self.head, self.terms, self.parts, self.analyzer = head, terms, parts, analyzer
        patterns = _candidates(terms, parts)
        if len(patterns) == 1:
            self.starts = [m.start() for m in patterns[0].finditer(head)]
        else:
            self.starts = _leftmost(sorted(m.span() for p in patterns for m in p.finditer(head)))
        self._chunks: dict[int, list[tuple[int, int, str]]] = {}

    def spans(self, low: int, high: int) -> list[tuple[int, int, str]]:
        """Matching words (start, end, term) of the candidates in ``[low, high)``."""
        found: list[tuple[int, int, str]] = []
        seen: set[int] = set()
        for at in self.starts[bisect.bisect_left(self.starts, low) :]:
            if at >= high:
                break
            begin = self._chunk_start(at)
            if begin not in seen:
                seen.add(begin)
                found.extend(self._chunk(begin))
        return found

    def _chunk_start(self, at: int) -> int:
        head = self.head
        # Any other space inside a chunk is found by the analyzer's tokenizer.
        return max(head.rfind(" ", 0, at), head.rfind("\n", 0, at)) + 1

    def _chunk(self, begin: int) -> list[tuple[int, int, str]]:
        found = self._chunks.get(begin)
        if found is None:
            end = _NON_SPACE.match(self.head, begin).end()  # type: ignore[union-attr]
            chunk = self.head[begin:end]
            analyzer, terms, parts = self.analyzer, self.terms, self.parts
            found = [
                (begin + s, begin + e, t)
                for t, _, s, e in analyzer.spans(chunk, stops=False)
                if t in terms
                or (parts and not parts.isdisjoint(analyzer.parts(chunk[s:e].lower())))
            ]
            self._chunks[begin] = found
        return found


def _best_passage(words: _Words, width: int) -> int | None:
    """Where the passage of ``width`` characters with the most matching words
    starts: the start of its first match, or None if no candidate matched.

    Candidates bound what a passage can hold, so passages are checked from the
    one with the most candidates down, until no unchecked one could hold more
    matches than the best checked one (nearly always the first or second).
    """
    starts = words.starts
    counts, j = [], 0
    for i, at in enumerate(starts):
        j = max(j, i)
        while j + 1 < len(starts) and starts[j + 1] < at + width:
            j += 1
        counts.append(j - i + 1)
    best: int | None = None
    best_count = 0
    for i in sorted(range(len(starts)), key=lambda i: (-counts[i], i)):
        if counts[i] <= best_count:
            break
        found = words.spans(starts[i], starts[i] + width)
        matched = len({start for start, _, _ in found})
        if matched > best_count:
            best, best_count = min(start for start, _, _ in found), matched
    return best


def _phrase_start(
    text: str,
    words: _Words,
    phrases: tuple[tuple[str, ...], ...],
    analyzer: GermanAnalyzer,
) -> int | None:
    """Where the earliest occurrence of one of ``phrases`` starts, if any.

    Around each marked first word of a phrase, the text is analysed as a
    quoted phrase is (stop words included), and the phrase's terms must follow
    each other exactly.
    """
    found = words.spans(0, len(words.head))
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


# A stem's letters as they may be written: "u" also as "ü" or "ue", "ss" as "ß"
# (and a single "s", which a cut may have left of "ss"). Each is a set of
# characters and, optionally, one that may follow (the "e" of "ue").
_SPELLINGS = {"a": ("aä", "e"), "o": ("oö", "e"), "u": ("uü", "e"), "s": ("sß", "")}
_DOUBLE_S = ("sß", "s")
# Characters that lowercase to a letter besides its upper and title case, per
# Unicode (tests/index/test_highlight.py checks this against every code point);
# İ lowercases to "i" and a combining dot, and is an "i" to the regex engine;
# Σ lowercases to ς at the end of a word.
_OTHER_CASES = {"k": "\u212a", "å": "\u212b", "ß": "\u1e9e", "θ": "\u03f4", "ω": "\u2126"}
_OTHER_CASES |= {"i": "\u0130", "ς": "\u03a3"}


@functools.lru_cache(maxsize=256)
def _candidates(terms: frozenset[str], parts: frozenset[str]) -> tuple[re.Pattern[str], ...]:
    """Where a matching word may be, in the text as written.

    The terms' prefixes, matched anywhere (a part may stand inside a word, and
    a word after a hyphen), in every case. A prefix that holds a shorter one
    adds no place to look (``impf*`` expands to ``impf``, ``impfung``, …).
    Every pattern begins with one fixed character, which the regex engine
    finds with a fast scan: an alternation, or a set of characters first,
    makes it try every position of the text (a snippet's search for
    ``Lockdown Schulen`` took 63 µs so, 6 µs per pattern now), and lowering
    the text first cost 13 µs per hit (docs/benchmarks.md, "Snippets: a
    search per first letter").
    """
    prefixes: list[str] = []
    for prefix in sorted({o for term in terms | parts for o in written_openings(term)}):
        if not prefixes or not prefix.startswith(prefixes[-1]):
            prefixes.append(prefix)
    return tuple(re.compile(p) for prefix in prefixes for p in _in_any_case(prefix))


def _leftmost(spans: list[tuple[int, int]]) -> list[int]:
    """The starts of sorted ``spans`` that begin after the last kept one ended,
    as one regex of all patterns would find them."""
    starts, end = [], -1
    for start, stop in spans:
        if start >= end:
            starts.append(start)
            end = stop
    return starts


def _letters(prefix: str) -> list[tuple[str, str]]:
    """Each letter of a prefix as the characters it may be written with, and
    the one that may follow it."""
    head = prefix.replace("ss", "\0")
    return [_DOUBLE_S if c == "\0" else _SPELLINGS.get(c, (c, "")) for c in head]


def _one_of(characters: str) -> str:
    ordered = sorted(set(characters))
    if len(ordered) == 1:
        return re.escape(ordered[0])
    return "[" + "".join(re.escape(c) for c in ordered) + "]"


def _cases(characters: str) -> str:
    """The characters and every other character that lowercases to one of them."""
    found = set(characters)
    for c in characters:
        found.update(_OTHER_CASES.get(c, ""))
        found.update(o for o in (c.upper(), c.title()) if len(o) == 1 and o.lower() == c)
    return "".join(sorted(found))


def _in_any_case(prefix: str) -> list[str]:
    """Regexes for the letters every word of a term begins with, as they may be
    written, in any case: one per way of writing the first letter."""
    if prefix.isdigit():  # 1000000 is also written 1.000.000
        return [r"\.?".join(prefix)]
    # A hyphenated word's whole term is its parts joined (Ukraine-Konflikt:
    # ukrainekonflikt), so a hyphen may stand between any two letters.
    (first, then), *rest = _letters(prefix)
    tail = f"{_one_of(_cases(then))}?" if then else ""
    for chars, follows in rest:
        tail += "-?" + _one_of(_cases(chars)) + (f"{_one_of(_cases(follows))}?" if follows else "")
    return [re.escape(c) + tail for c in _cases(first)]


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
    # Runs of whitespace as one space: split() knows the same whitespace as
    # the regex \s+ and is seven times faster.
    return " ".join("".join(out).split())
