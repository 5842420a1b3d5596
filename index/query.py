"""Query text → Whoosh query: lenient parsing of the search box syntax.

Supported: words (ANDed), ``OR``, ``NOT`` and ``-word``, ``"exact phrase"``,
``"a b"~5`` (proximity), ``title:`` / ``outlet:`` prefixes, trailing and inner
wildcards (``Impf*``, capped to the most frequent expansions) and parentheses.

Only upper-case ``AND``/``OR``/``NOT`` are operators. Dangling or doubled
operators and unpaired parentheses or quotes are dropped first and named in
``ParsedQuery.ignored`` (:mod:`pressearchiv.index.syntax`). A plain word is
looked for in the title, the body and the compound parts (``Maske`` finds
``Maskenpflicht``); a quoted phrase only in title and body, so it stays exact.

Malformed input never escapes as an unexpected exception: if Whoosh's parser
fails, the words are searched plainly; a query with too many words raises
:class:`~pressearchiv.index.errors.QueryTooComplex`. Text without any word character (a lone
``*`` or stray quotes) is treated as an empty query: list everything.
"""

from __future__ import annotations

import fnmatch
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.qparser import QueryParser, plugins
from whoosh.reading import IndexReader

from pressearchiv.index.analysis import STOP_MARK, GermanAnalyzer, fold
from pressearchiv.index.errors import QueryTooComplex
from pressearchiv.index.schema import PARTS_FIELD, QUERY_FIELDS, SEARCH_FIELDS
from pressearchiv.index.syntax import OPERATORS, tidy

__all__ = ["MAX_QUERY_WORDS", "KeptExpansions", "ParsedQuery", "parse_query"]

MAX_QUERY_WORDS = 64
MAX_QUERY_CHARS = 2_000
# A wildcard expands to at most this many terms (the most frequent ones) …
MAX_EXPANSION = 100
# … chosen from at most this many lexicon entries, to bound the scan.
MAX_EXPANSION_SCAN = 20_000

# A minus that starts a word ("-Impfung", -"a b", -(x)) means NOT; a hyphen
# inside a word (Ukraine-Konflikt) does not.
_MINUS = re.compile(r'(?:^|(?<=[\s(]))[-+](?=[\w"(])')
_WORD = re.compile(r"[^\W\d_]{3,}")
_QUOTED = re.compile(r'"[^"]*"')
_LETTERS = re.compile(r"(?<![\w*])[^\W\d_]+(?![\w*])")  # whole words, no wildcards
_HAS_WORD = re.compile(r"\w")
_PLAIN = re.compile(r'["()*?~^:]')
# A colon with the word before it and the character after it (see _colon).
_COLON = re.compile(r"(\w*):(\S?)")
# Anything beyond plain words: quotes, groups, wildcards, fields, operators, minus.
_SYNTAX = re.compile(r'["()*~^:]|(?:^|\s)[-+]|\b(?:AND|OR|NOT)\b')
# How much a title holding the typed words in order adds (see _title_bonus).
TITLE_PHRASE_BOOST = 2.0


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query; ``query is None`` means "everything" (empty query)."""

    query: wq.Query | None
    highlight_terms: frozenset[str]  # terms to <mark> in snippets
    words: tuple[str, ...]  # the words typed, for spelling suggestions
    # Words typed outside quotes that the search leaves out (stop words like
    # "die", "wird"); inside a quoted phrase they count.
    ignored: tuple[str, ...] = ()
    # The quoted phrases' terms, for snippets to show where they stand.
    phrases: tuple[tuple[str, ...], ...] = ()
    # Terms looked for among compound parts: snippets mark their compounds.
    part_terms: frozenset[str] = frozenset()
    # Operators, parentheses and quotes dropped from the query (also in ignored).
    syntax: tuple[str, ...] = ()


class _Parser(QueryParser):
    """Whoosh's parser, with our treatment of single words and wildcards."""

    def __init__(
        self,
        schema: object,
        analyzer: GermanAnalyzer,
        reader: IndexReader,
        prefixed: Prefixed | None = None,
        kept: KeptExpansions | None = None,
    ) -> None:
        super().__init__(
            None,
            schema,
            plugins=[
                plugins.FieldsPlugin(),
                plugins.WildcardPlugin(),
                plugins.PhrasePlugin(),
                plugins.GroupPlugin(),
                # Only AND, OR and NOT (upper-case): ANDNOT, ANDMAYBE and
                # REQUIRE are words like any other.
                plugins.OperatorsPlugin(AndNot=None, AndMaybe=None, Require=None),
                plugins.MultifieldPlugin(SEARCH_FIELDS),
            ],
        )
        self._analyzer = analyzer
        self._reader = reader
        self._prefixed = prefixed
        self._kept = kept

    def term_query(
        self,
        fieldname: str,
        text: str,
        termclass: type,
        boost: float = 1.0,
        tokenize: bool = True,
        removestops: bool = True,
    ) -> wq.Query | None:
        if fieldname not in QUERY_FIELDS:
            fieldname = "body"
        if termclass in (wq.Prefix, wq.Wildcard) or "*" in text or "?" in text:
            return self._expand(fieldname, text if termclass is not wq.Prefix else text + "*")
        parts = self._analyzer.query_terms(text)
        if not parts:
            return None
        if len(parts) == 1:
            if fieldname == "body":
                # The word itself, or as part of a compound (schema.PARTS_WEIGHT).
                return wq.Or(
                    [wq.Term("body", parts[0], boost=boost), wq.Term(PARTS_FIELD, parts[0])]
                )
            return wq.Term(fieldname, parts[0], boost=boost)
        # A hyphenated compound: its parts side by side, or the word as a whole.
        alternatives: list[wq.Query] = [wq.Phrase(fieldname, parts, boost=boost)]
        whole = self._analyzer.compound_term(text) if "-" in text else None
        if whole is not None:
            alternatives.append(wq.Term(fieldname, whole, boost=boost))
        return wq.Or(alternatives) if len(alternatives) > 1 else alternatives[0]

    def _expand(self, fieldname: str, pattern: str) -> wq.Query:
        folded = fold(pattern)
        prefix = re.split(r"[*?]", folded, maxsplit=1)[0]
        if not _HAS_WORD.search(prefix):
            # A lone or leading wildcard would scan the whole lexicon: ignore it.
            return wq.NullQuery
        match = re.compile(fnmatch.translate(folded)).match
        leaves = (
            self._reader.leaf_readers() if not self._reader.is_atomic() else [(self._reader, 0)]
        )
        frequency: dict[str, int] = {}
        kept = self._kept
        if kept is not None and kept.leaves:
            # The counts over the large segments, kept from earlier generations.
            large = [leaf for leaf, _ in leaves if id(leaf) in kept.leaves]
            words, dfs = kept.keep(
                fieldname, folded, lambda: _arrays(self._count(large, fieldname, prefix, match))
            )
            frequency = dict(zip(words.tolist(), dfs.tolist(), strict=True))
            leaves = [(leaf, o) for leaf, o in leaves if id(leaf) not in kept.leaves]
        self._count([leaf for leaf, _ in leaves], fieldname, prefix, match, frequency)
        found = sorted(((df, t) for t, df in frequency.items()), reverse=True)
        terms = [wq.Term(fieldname, t) for _, t in found[:MAX_EXPANSION]]
        return wq.Or(terms) if terms else wq.NullQuery

    def _count(
        self,
        leaves: list[Any],
        fieldname: str,
        prefix: str,
        match: Callable[[str], object],
        into: dict[str, int] | None = None,
    ) -> dict[str, int]:
        """Documents per matching term, summed over ``leaves`` (added to ``into``)."""
        frequency = {} if into is None else into
        # Segment by segment, each term comes with its statistics in one scan
        # (asking the whole index per term costs a look-up per segment).
        for leaf in leaves:
            listed = self._prefixed(leaf, fieldname, prefix) if self._prefixed else None
            if listed is None:
                listed = _scan(leaf, fieldname, prefix)
            for term, df in itertools.islice(listed, MAX_EXPANSION_SCAN):
                if match(term):
                    frequency[term] = frequency.get(term, 0) + df
        return frequency


def _arrays(frequency: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    terms = np.array(list(frequency), dtype=object)
    return terms, np.fromiter(frequency.values(), dtype=np.int64, count=len(frequency))


@dataclass(frozen=True)
class KeptExpansions:
    """Where a wildcard's term counts over a generation's large segments are
    kept from one generation to the next (the large segments never change):
    ``leaves`` are those segments' readers (by ``id``), and ``keep(field,
    pattern, compute)`` returns the kept (terms, documents) arrays or computes them."""

    leaves: frozenset[int]
    keep: Callable[[str, str, Callable[[], tuple[np.ndarray, ...]]], tuple[np.ndarray, ...]]


def _scan(leaf: Any, fieldname: str, prefix: str) -> Iterator[tuple[str, int]]:
    """A segment's terms of a field that start with ``prefix``, in order, with
    their document frequencies (only the first MAX_EXPANSION_SCAN are read)."""
    for raw, info in leaf.iter_prefix(fieldname, prefix):
        yield (raw.decode("utf-8") if isinstance(raw, bytes) else raw), info.doc_frequency()


# What :func:`_scan` yields, in the same order, from a faster source (a
# segment's posting file), or None when that source cannot tell.
Prefixed = Callable[[Any, str, str], Iterable[tuple[str, int]] | None]


def parse_query(
    text: str,
    analyzer: GermanAnalyzer,
    reader: IndexReader,
    prefixed: Prefixed | None = None,
    kept: KeptExpansions | None = None,
) -> ParsedQuery:
    """Parse search box text; see the module docstring for the syntax.

    ``prefixed(segment reader, field, prefix)`` may list a segment's terms for
    wildcards as the segment's own lexicon would (see :data:`Prefixed`), and
    ``kept`` keep their counts over the large segments (:class:`KeptExpansions`)."""
    if len(text) > MAX_QUERY_CHARS or len(text.split()) > MAX_QUERY_WORDS:
        raise QueryTooComplex(
            f"Die Suchanfrage ist zu lang: höchstens {MAX_QUERY_WORDS} Wörter "
            f"und {MAX_QUERY_CHARS} Zeichen."
        )
    tidied = tidy(text)
    # A question mark ends a question ("Kommen die Pakete wieder an?"): it is
    # punctuation here, not Whoosh's one-letter wildcard.
    text = tidied.text.replace("?", " ")
    # Likewise a colon that names no field ("Corona: Zwei weitere Todesfälle").
    text = _COLON.sub(_colon, text)
    words = tuple(
        w for w in _WORD.findall(text) if w not in OPERATORS and not _is_fieldname(text, w)
    )
    if not _HAS_WORD.search(text):
        return ParsedQuery(None, frozenset(), (), tidied.dropped, syntax=tidied.dropped)
    # Stop words inside quotes are searched (an exact phrase holds them).
    stops = tuple(
        dict.fromkeys(
            w
            for w in _LETTERS.findall(_QUOTED.sub(" ", text))
            if w not in OPERATORS
            and not _is_fieldname(text, w)
            and analyzer.term(w.lower()) is None
        )
    )
    rewritten = _MINUS.sub(lambda m: "NOT " if m.group() == "-" else "", text)
    parser = _Parser(reader.schema, analyzer, reader, prefixed, kept)
    try:
        query = _clean(parser.parse(rewritten))
    except Exception:  # Whoosh's parser has many ways to fail; plain words never do
        query = None
    if query is None or _is_null(query):
        plain = _PLAIN.sub(" ", text).replace(" -", " ")
        try:
            query = _clean(parser.parse(plain)) or wq.NullQuery
        except Exception:
            query = wq.NullQuery
    phrases = _positive_phrases(query)
    bonus = _title_bonus(text, analyzer) if not _is_null(query) else None
    if bonus is not None:
        query = wq.AndMaybe(query, bonus)
    return ParsedQuery(
        query,
        frozenset(_positive_terms(query)),
        words,
        stops + tidied.dropped,
        phrases,
        frozenset(_positive_terms(query, (PARTS_FIELD,))),
        tidied.dropped,
    )


def _colon(match: re.Match[str]) -> str:
    """Keep the colon of a field name (``title:``) and of a time (``12:30``)."""
    word, after = match.group(1), match.group(2)
    if word in QUERY_FIELDS or (word[-1:].isdigit() and after.isdigit()):
        return match.group()
    return f"{word} {after}"


def _title_bonus(text: str, analyzer: GermanAnalyzer) -> wq.Query | None:
    """For plain words (no syntax), a bonus for titles holding them as typed.

    Someone who types or pastes a headline ("Geld für alle", "Die Deutschen
    und das Virus") wants that article first, even when each word alone is
    common; stop words count here, as in a quoted phrase. The phrase's words
    score in the title once more, with :data:`TITLE_PHRASE_BOOST`.
    """
    if _SYNTAX.search(text):
        return None
    words = [t for t, _, _, _ in analyzer.spans(text, compounds=False, stops=True)]
    if len(words) < 2 or all(w.startswith(STOP_MARK) for w in words):
        return None
    return wq.Phrase("title", words, boost=TITLE_PHRASE_BOOST)


def _is_fieldname(text: str, word: str) -> bool:
    return f"{word}:" in text and word in QUERY_FIELDS


def _clean(query: wq.Query | None) -> wq.Query | None:
    """Normalise, dropping the error nodes Whoosh leaves for unparseable bits."""
    if query is None or _is_null(query) or getattr(query, "error", None):
        return wq.NullQuery
    if isinstance(query, wq.CompoundQuery):
        subs = [_clean(q) for q in query.subqueries]
        kept = [q for q in subs if q is not None and not _is_null(q)]
        query = query.__class__(kept, boost=query.boost)
    elif isinstance(query, wq.Not):
        inner = _clean(query.query)
        query = wq.Not(inner) if inner is not None and not _is_null(inner) else wq.NullQuery
    return query.normalize()


def _is_null(query: wq.Query) -> bool:
    return isinstance(query, type(wq.NullQuery))


def _positive_nodes(query: wq.Query) -> Iterator[wq.Query]:
    """Every node of ``query`` not under a NOT (nor on the excluded side of ANDNOT)."""
    if isinstance(query, wq.Not):
        return
    if isinstance(query, wq.AndNot):
        yield from _positive_nodes(query.a)
        return
    yield query
    for child in query.children():
        yield from _positive_nodes(child)


def _positive_terms(query: wq.Query, fields: tuple[str, ...] = SEARCH_FIELDS) -> set[str]:
    """Text terms a snippet should mark: every term of ``fields`` not under a NOT."""
    found: set[str] = set()
    for q in _positive_nodes(query):
        if isinstance(q, wq.Term) and q.fieldname in fields:
            found.add(q.text)
        elif isinstance(q, wq.Phrase) and q.fieldname in fields:
            # Stop words are not marked: "die" all over a snippet helps no one.
            found.update(w for w in q.words if not w.startswith(STOP_MARK))
    return found


def _positive_phrases(query: wq.Query) -> tuple[tuple[str, ...], ...]:
    """Term sequences of the quoted phrases not under a NOT: two words or more,
    one of them not a stop word (snippets find a phrase by its marked words)."""
    found: dict[tuple[str, ...], None] = {}
    for q in _positive_nodes(query):
        if isinstance(q, wq.Phrase) and q.fieldname in SEARCH_FIELDS:
            words = tuple(q.words)
            if len(words) > 1 and any(not w.startswith(STOP_MARK) for w in words):
                found[words] = None
    return tuple(found)
