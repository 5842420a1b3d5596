"""Paging is complete on real news: pages 1…n hold every hit exactly once.

Built once per module from the first 1,500 fang-covid articles (the corpus is
read from ``$PRESSEARCHIV_CORPUS`` or ``shared/corpora`` beside the repository).
For many queries, every sort and page sizes 10, 20 and 100, the pages joined
must equal the export (``scan_ids``), in the same order, and number ``total``.
"""

from __future__ import annotations

import itertools
import json
import lzma
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pressearchiv.archive.model import ArticleDraft, DateSource, DocumentFormat, PartialDate
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex, SearchRequest, Sort, rebuild_index

ARTICLES = 1_500
_RELATIVE = Path("shared/corpora/fang-covid/fang_covid_articles.jsonl.xz")
QUERIES = [
    "",
    "Regierung",
    "Merkel",
    "Maske",
    "Impfung",
    "Corona",
    "Test",
    "Virus -China",
    "Merkel OR Spahn",
    '"zweite Welle"',
    "Impf*",
    "Schule Kinder",
    "Merkel AND",
    "die",
]


def corpus() -> Path | None:
    explicit = os.environ.get("PRESSEARCHIV_CORPUS")
    candidates = [Path(explicit)] if explicit else []
    root = Path(__file__).resolve().parents[2]
    candidates += [root.parent / _RELATIVE, root.parent.parent / _RELATIVE]
    return next((p for p in candidates if p.exists()), None)


def drafts(path: Path, count: int) -> Iterator[ArticleDraft]:
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        for line in itertools.islice(fh, count):
            record = json.loads(line)
            day = PartialDate.parse(record["day"]) if record.get("day") else None
            text = record.get("text") or record.get("title") or "leer"
            yield ArticleDraft(
                title=record.get("title") or "",
                text=text,
                outlet=record.get("source") or "unbekannt",
                date=day,
                date_source=DateSource.PROVIDED if day else None,
                raw=line.encode("utf-8"),
                content_type="application/json",
                format=DocumentFormat.JSONL,
                url=record.get("url"),
            )


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    path = corpus()
    if path is None:
        pytest.skip(f"the fang-covid corpus is not there ({_RELATIVE} beside the repository)")
    folder = tmp_path_factory.mktemp("news")
    with ArchiveStore.open(folder / "data") as store:
        store.add_many(list(drafts(path, ARTICLES)))
        # Built in this process, as `pressearchiv reindex` does (quicker than
        # the service's writer thread, which commits batch by batch).
        rebuild_index(folder / "index", store, workers=1)
        ix = SearchIndex.open(folder / "index", store)
        assert ix.wait_indexed(store.max_seq(), timeout=600)
        yield ix
        ix.close()


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("query", QUERIES)
def test_pages_hold_every_hit_exactly_once(news: SearchIndex, query: str, sort: Sort) -> None:
    exported = list(news.scan_ids(SearchRequest(query=query, sort=sort), limit=100_000))
    assert len(exported) == len(set(exported))
    for size in (10, 20, 100):
        seen: list[str] = []
        page = 1
        while True:
            response = news.search(
                SearchRequest(
                    query=query, sort=sort, page=page, size=size, facets=False, snippets=False
                )
            )
            assert response.total == len(exported)
            if not response.hits:
                break
            seen.extend(h.id for h in response.hits)
            page += 1
        assert seen == exported, f"{query!r} sorted {sort} in pages of {size}"


def test_relevance_ties_are_broken_by_the_newer_article(news: SearchIndex) -> None:
    ties = 0
    for query in QUERIES[1:]:
        request = SearchRequest(query=query, size=100_000, facets=False, snippets=False)
        hits = news.search(request).hits
        seqs = {a.id: a.seq for a in news._store.get_many([h.id for h in hits])}
        ranked = [(-(h.score or 0.0), -seqs[h.id]) for h in hits]
        assert ranked == sorted(ranked), query
        ties += len(ranked) - len({score for score, _ in ranked})
    assert ties > 0  # there were ties to break


def test_equal_scores_page_without_repeats(tmp_path: Path) -> None:
    """300 articles with the same score for "Regierung": only the tie-break orders them."""
    from tests.index.conftest import draft

    count = 300
    articles = [
        draft(f"Meldung {i}", f"Regierung meldet Nummer {i} heute", "a.de", None)
        for i in range(count)
    ]
    with ArchiveStore.open(tmp_path / "data") as store:
        store.add_many(articles)
        with SearchIndex.open(tmp_path / "index", store) as ix:
            assert ix.wait_indexed(store.max_seq(), timeout=30)
            exported = list(ix.scan_ids(SearchRequest(query="Regierung"), limit=1000))
            assert len(set(exported)) == len(exported) == count
            newest_first = [a.id for a in sorted(store.get_many(exported), key=lambda a: -a.seq)]
            assert exported == newest_first
            for size in (10, 20, 100):
                pages = [
                    h.id
                    for page in range(1, count // size + 2)
                    for h in ix.search(SearchRequest(query="Regierung", page=page, size=size)).hits
                ]
                assert pages == exported
