"""The index's fields, and how an article becomes one index document.

The index holds only what searching needs. Titles and text are analysed but not
stored: hits and snippets are read back from the archive store by id. The
outlet, the date range and the seq are kept as Whoosh columns, from which
:mod:`pressearchiv.index.columns` builds numpy arrays for filtering and facets. The seq and
the dates are columns only: filters never ask Whoosh for them, and as
``NUMERIC`` fields they cost 32 index terms per article.
"""

from __future__ import annotations

from typing import Any

from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, TEXT, Schema
from whoosh.formats import Existence

from pressearchiv.archive.model import Article
from pressearchiv.index.analysis import ANALYZER_VERSION, GermanAnalyzer
from pressearchiv.index.formats import FastPositions
from pressearchiv.index.parts import CompoundPartsAnalyzer

__all__ = [
    "FIELD_WEIGHTS",
    "PARTS_FIELD",
    "QUERY_FIELDS",
    "SEARCH_FIELDS",
    "TITLE_BOOST",
    "analyzer_of",
    "build_schema",
    "document_for",
]

# Fields a query searches when it names none; ``outlet:`` may be named too.
SEARCH_FIELDS = ("title", "body")
QUERY_FIELDS = ("title", "body", "outlet")
# A query word in the title counts this much more than in the body (BM25F).
TITLE_BOOST = 2.5
# The parts of compounds (Maske in Maskenpflicht) count this much of a word
# of the body: enough to find them, little enough that articles with the word
# itself rank first (measured with bench/relevance.py, see the README).
PARTS_WEIGHT = 0.2
# Where a word of a query is looked for (besides its own title and body).
PARTS_FIELD = "parts"
# BM25F weights, applied once, by the scorer: postings hold plain frequencies.
FIELD_WEIGHTS = {"title": TITLE_BOOST, "body": 1.0, PARTS_FIELD: PARTS_WEIGHT, "outlet": 1.0}
# How much of the body feeds the spelling vocabulary (see document_for).
SPELL_BODY_CHARS = 1_500


def build_schema(analyzer_version: str = ANALYZER_VERSION) -> Schema:
    """The schema; ``analyzer_version`` exists so tests can build an 'old' index."""
    analyzer = GermanAnalyzer(analyzer_version)
    return Schema(
        id=ID(unique=True, sortable=True),
        seq=COLUMN(NumericColumn("q")),
        title=_text(analyzer),
        body=_text(analyzer),
        # The parts of the compounds of title and body (index.compounds).
        parts=_text(CompoundPartsAnalyzer(analyzer)),
        # Analysed, so ``outlet:spiegel`` finds "spiegel.de" …
        outlet=_text(analyzer),
        # … and verbatim, for the outlet filter and facet.
        outlet_name=ID(sortable=True),
        # Days since 0001-01-01 (date.toordinal) of the first and last day the
        # article's (possibly partial) date can mean; 0 when undated.
        day_start=COLUMN(NumericColumn("i")),
        day_end=COLUMN(NumericColumn("i")),
        # Unstemmed words, only to propose real words in "Meinten Sie …?".
        # Existence format: no frequencies or positions, which keeps it cheap.
        spell=_spell_field(),
    )


def _text(analyzer: GermanAnalyzer | CompoundPartsAnalyzer) -> TEXT:
    field = TEXT(analyzer=analyzer)
    field.format = FastPositions(field_boost=1.0)
    return field


def _spell_field() -> TEXT:
    field = TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False)
    field.format = Existence(field_boost=1.0)
    # Kept scorable: Whoosh's posting writer looks up every document's field
    # length and, for a field without lengths, stats a file per posting.
    return field


def analyzer_of(schema: Schema) -> GermanAnalyzer:
    analyzer = schema["body"].analyzer
    if not isinstance(analyzer, GermanAnalyzer):
        raise TypeError("the index was not built by this analyzer")
    return analyzer


def document_for(article: Article, analyzer: GermanAnalyzer) -> dict[str, Any]:
    """The Whoosh document of one article."""
    if article.date is not None:
        day_start, day_end = article.date.start.toordinal(), article.date.end.toordinal()
    else:
        day_start = day_end = 0
    # Spelling vocabulary: the title's words and the distinct words of the
    # body's opening. Indexing every body word unstemmed doubled the postings
    # (and the indexing time); news articles name their key words early.
    spell = analyzer.surface_words(article.title)
    spell.update(analyzer.surface_words(article.text[:SPELL_BODY_CHARS]))
    return {
        "id": article.id,
        "seq": article.seq,
        "title": article.title,
        "body": article.text,
        # The body first: its parts come from the body field's analysis.
        PARTS_FIELD: (article.text, article.title),
        "outlet": article.outlet,
        "outlet_name": article.outlet,
        "day_start": day_start,
        "day_end": day_end,
        "spell": " ".join(spell),
    }
