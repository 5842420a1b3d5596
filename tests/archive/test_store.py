"""The store keeps every article durably, once, and survives being reopened."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pressearchiv.archive.errors import ArticleNotFound, DiskFull, StorageError
from pressearchiv.archive.model import ArticleDraft, DateSource, DocumentFormat, PartialDate
from pressearchiv.archive.store import ArchiveStore


def draft(text: str, **kw: object) -> ArticleDraft:
    values: dict[str, object] = dict(
        title="Titel",
        text=text,
        outlet="ZEIT ONLINE",
        date=PartialDate(2022, 1),
        date_source=DateSource.HEADER,
        raw=text.encode("utf-8"),
        content_type="text/plain",
        format=DocumentFormat.TEXT,
        source_name="a.txt",
    )
    values.update(kw)
    return ArticleDraft(**values)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    with ArchiveStore.open(tmp_path) as s:
        yield s


def test_add_get_raw(store: ArchiveStore) -> None:
    result = store.add(draft("Ein Text über Gespräche.", raw=b"\xef\xbb\xbfOriginal"))
    assert result.created and result.seq == 1
    article = store.get(result.article_id)
    assert (article.title, article.text, article.outlet) == (
        "Titel",
        "Ein Text über Gespräche.",
        "ZEIT ONLINE",
    )
    assert article.date == PartialDate(2022, 1) and article.date_source is DateSource.HEADER
    assert article.raw_size == len(b"\xef\xbb\xbfOriginal")
    raw = store.raw(result.article_id)
    assert raw.data == b"\xef\xbb\xbfOriginal" and raw.source_name == "a.txt"


def test_duplicate_is_idempotent(store: ArchiveStore) -> None:
    first = store.add(draft("Derselbe Text."))
    again = store.add(draft("Derselbe  Text.", title="Anderer Titel", source_name="b.txt"))
    assert again.created is False
    assert again.article_id == first.article_id and again.seq == first.seq
    assert store.count() == 1
    assert store.get(first.article_id).title == "Titel"  # the first copy is kept


def test_unknown_id(store: ArchiveStore) -> None:
    with pytest.raises(ArticleNotFound):
        store.get("0000000000000000")
    with pytest.raises(ArticleNotFound):
        store.raw("nope")


def test_survives_reopen(tmp_path: Path) -> None:
    with ArchiveStore.open(tmp_path) as store:
        ids = [r.article_id for r in store.add_many([draft(f"Text {i}") for i in range(5)])]
    with ArchiveStore.open(tmp_path) as store:
        assert store.count() == 5
        assert [a.id for a in store.iter_articles()] == ids
        assert [a.id for a in store.iter_articles(after_seq=3)] == ids[3:]
        assert store.max_seq() == 5
        assert store.get_many([ids[2], "unknown", ids[0]]) == [store.get(ids[2]), store.get(ids[0])]


def test_failed_batch_stores_nothing(store: ArchiveStore) -> None:
    store.add(draft("Schon da."))

    class Exploding(ArticleDraft):
        @property
        def id(self) -> str:
            raise RuntimeError("boom")

    batch = [draft("Neu eins."), Exploding(**{**draft("x").__dict__})]
    with pytest.raises(RuntimeError):
        store.add_many(batch)
    assert store.count() == 1
    assert store.add(draft("Neu eins.")).created  # the transaction was rolled back


def test_write_failure_becomes_storage_error(tmp_path: Path) -> None:
    with ArchiveStore.open(tmp_path) as store:
        store.add(draft("Vorher gespeichert."))
        # A store whose database refuses writes (as on a full or read-only disk).
        store._writer.execute("PRAGMA query_only = ON")
        with pytest.raises(StorageError, match="nothing was stored"):
            store.add(draft("Geht nicht."))
        store._writer.execute("PRAGMA query_only = OFF")
        assert store.count() == 1


def test_disk_full_is_reported_and_loses_nothing(tmp_path: Path) -> None:
    with ArchiveStore.open(tmp_path) as store:
        store.add(draft("Vorher gespeichert."))
        # Cap the database at its current size: SQLite then fails as on a full disk.
        pages = store._writer.execute("PRAGMA page_count").fetchone()[0]
        store._writer.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(DiskFull, match="disk is full; nothing was stored"):
            store.add_many([draft("Großer Text. " * 2000), draft("Noch einer.")])
        assert store.count() == 1
        store._writer.execute("PRAGMA max_page_count = 1073741823")
        assert store.add(draft("Großer Text. " * 2000)).created


def test_stats(store: ArchiveStore) -> None:
    store.add_many(
        [
            draft("a", outlet="taz"),
            draft("b", outlet="taz", date=PartialDate(2021, 3, 1)),
            draft("c", outlet="WELT", date=None, date_source=None),
        ]
    )
    stats = store.stats()
    assert stats.total == 3
    assert stats.by_outlet == {"taz": 2, "WELT": 1}
    assert stats.by_year == {"2021": 1, "2022": 1, "undated": 1}


def test_database_is_wal(tmp_path: Path) -> None:
    ArchiveStore.open(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "archive.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
