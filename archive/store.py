"""The archive store: every article, its original bytes and its metadata in SQLite.

The store is the source of truth; the search index is derived from it. SQLite in
WAL mode with ``synchronous=FULL`` gives us what an archive needs: a write is
one transaction, so after a crash an article is either wholly there or not at
all, and readers are never blocked by the writer.

Each article gets a ``seq``, a number that only grows. The index remembers the
highest ``seq`` it holds, so finding what it misses is a range scan.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pressearchiv.archive.errors import ArticleNotFound, DiskFull, StorageError
from pressearchiv.archive.model import (
    Article,
    ArticleDraft,
    DateSource,
    DocumentFormat,
    PartialDate,
)

__all__ = ["AddResult", "ArchiveStore", "RawDocument", "StoreStats"]

_SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    text         TEXT NOT NULL,
    outlet       TEXT NOT NULL,
    date         TEXT,            -- YYYY, YYYY-MM or YYYY-MM-DD
    date_source  TEXT,
    url          TEXT,
    author       TEXT,
    source_name  TEXT,            -- the uploaded file's name, as given
    format       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    encoding     TEXT,
    raw_size     INTEGER NOT NULL,
    ingested_at  TEXT NOT NULL
);
-- Raw bytes live apart so that scanning articles never pages through blobs.
CREATE TABLE IF NOT EXISTS raw (
    article_id   TEXT PRIMARY KEY REFERENCES articles(id),
    data         BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_outlet ON articles(outlet);
"""

_COLUMNS = (
    "seq, id, title, text, outlet, date, date_source, url, author, source_name, "
    "format, content_type, encoding, raw_size, ingested_at"
)


@dataclass(frozen=True)
class AddResult:
    """What happened to one draft: stored now, or already there under ``article_id``."""

    article_id: str
    created: bool
    seq: int


@dataclass(frozen=True)
class RawDocument:
    data: bytes
    content_type: str
    source_name: str | None


@dataclass(frozen=True)
class StoreStats:
    total: int
    max_seq: int
    by_outlet: dict[str, int]
    by_year: dict[str, int]  # "undated" for articles without a date


class ArchiveStore:
    """SQLite-backed article store, safe to share between threads.

    Writes are serialised by a lock on one connection; every reading thread has
    its own connection, so WAL lets reads run while a write commits.
    """

    FILENAME = "archive.sqlite3"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._closed = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = self._connect()
            with self._writer:
                self._writer.executescript(_SCHEMA)
                self._writer.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open the archive at {path}: {exc}") from exc

    @classmethod
    def open(cls, data_dir: Path) -> ArchiveStore:
        """Open (or create) the store inside ``data_dir``."""
        return cls(Path(data_dir) / cls.FILENAME)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA foreign_keys = ON")
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    def _reader(self) -> sqlite3.Connection:
        if self._closed:
            raise StorageError("the archive is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def close(self) -> None:
        self._closed = True
        with self._connections_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()

    def __enter__(self) -> ArchiveStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------

    def add(self, draft: ArticleDraft) -> AddResult:
        """Store one article; a second copy of the same text is a duplicate."""
        return self.add_many([draft])[0]

    def add_many(self, drafts: Sequence[ArticleDraft]) -> list[AddResult]:
        """Store several articles in one transaction: all of them, or none."""
        if self._closed:
            raise StorageError("the archive is closed")
        results: list[AddResult] = []
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._write_lock:
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")
                for draft in drafts:
                    results.append(self._insert(conn, draft, now))
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise _write_failure(exc) from exc
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return results

    @staticmethod
    def _insert(conn: sqlite3.Connection, draft: ArticleDraft, now: str) -> AddResult:
        article_id = draft.id
        row = conn.execute("SELECT seq FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is not None:
            return AddResult(article_id, created=False, seq=row[0])
        cursor = conn.execute(
            "INSERT INTO articles (id, title, text, outlet, date, date_source, url, author,"
            " source_name, format, content_type, encoding, raw_size, ingested_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                article_id,
                draft.title,
                draft.text,
                draft.outlet,
                draft.date.isoformat() if draft.date else None,
                draft.date_source.value if draft.date_source else None,
                draft.url,
                draft.author,
                draft.source_name,
                draft.format.value,
                draft.content_type,
                draft.encoding,
                len(draft.raw),
                now,
            ),
        )
        conn.execute("INSERT INTO raw (article_id, data) VALUES (?, ?)", (article_id, draft.raw))
        seq = cursor.lastrowid
        assert seq is not None
        return AddResult(article_id, created=True, seq=seq)

    # -- reading -------------------------------------------------------------

    def get(self, article_id: str) -> Article:
        row = (
            self._reader()
            .execute(f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,))
            .fetchone()
        )
        if row is None:
            raise ArticleNotFound(article_id)
        return _to_article(row)

    def get_many(self, article_ids: Sequence[str]) -> list[Article]:
        """The articles with these ids, in the order asked; unknown ids are left out."""
        found: dict[str, Article] = {}
        conn = self._reader()
        # SQLite limits the number of parameters per statement; 500 is well below it.
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT {_COLUMNS} FROM articles WHERE id IN ({marks})", chunk
            ):
                found[row[1]] = _to_article(row)
        return [found[i] for i in article_ids if i in found]

    def raw(self, article_id: str) -> RawDocument:
        row = (
            self._reader()
            .execute(
                "SELECT r.data, a.content_type, a.source_name FROM raw r"
                " JOIN articles a ON a.id = r.article_id WHERE r.article_id = ?",
                (article_id,),
            )
            .fetchone()
        )
        if row is None:
            raise ArticleNotFound(article_id)
        return RawDocument(data=bytes(row[0]), content_type=row[1], source_name=row[2])

    def contains(self, article_id: str) -> bool:
        row = (
            self._reader().execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
        )
        return row is not None

    def iter_articles(self, after_seq: int = 0, batch_size: int = 500) -> Iterator[Article]:
        """Every article with ``seq > after_seq``, in ``seq`` order.

        Reads in short batches so that no read transaction stays open while the
        caller works (which would keep the WAL from being checkpointed).
        """
        last = after_seq
        conn = self._reader()
        while True:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM articles WHERE seq > ? ORDER BY seq LIMIT ?",
                (last, batch_size),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _to_article(row)
            last = rows[-1][0]

    def seq_after(self, after_seq: int, n: int) -> int | None:
        """The ``seq`` of the ``n``-th article after ``after_seq`` (None if there are
        fewer): where a run of ``n`` consecutive articles ends, read from the
        primary key alone."""
        row = (
            self._reader()
            .execute(
                "SELECT seq FROM articles WHERE seq > ? ORDER BY seq LIMIT 1 OFFSET ?",
                (after_seq, n - 1),
            )
            .fetchone()
        )
        return int(row[0]) if row else None

    def count_between(self, after_seq: int, up_to_seq: int) -> int:
        """How many articles have ``after_seq < seq <= up_to_seq``."""
        row = (
            self._reader()
            .execute(
                "SELECT count(*) FROM articles WHERE seq > ? AND seq <= ?", (after_seq, up_to_seq)
            )
            .fetchone()
        )
        return int(row[0])

    def id_seqs(self) -> dict[str, int]:
        """Every article id with its ``seq``: what the index checks itself against."""
        return dict(self._reader().execute("SELECT id, seq FROM articles"))

    def count(self) -> int:
        return int(self._reader().execute("SELECT count(*) FROM articles").fetchone()[0])

    def max_seq(self) -> int:
        row = self._reader().execute("SELECT max(seq) FROM articles").fetchone()
        return int(row[0] or 0)

    def stats(self) -> StoreStats:
        conn = self._reader()
        by_outlet = dict(
            conn.execute(
                "SELECT outlet, count(*) FROM articles GROUP BY outlet ORDER BY count(*) DESC,"
                " outlet"
            )
        )
        by_year = {
            (year or "undated"): n
            for year, n in conn.execute(
                "SELECT substr(date, 1, 4) AS y, count(*) FROM articles GROUP BY y ORDER BY y"
            )
        }
        total = sum(by_outlet.values())
        return StoreStats(total=total, max_seq=self.max_seq(), by_outlet=by_outlet, by_year=by_year)

    def add_drafts(
        self, drafts: Iterable[ArticleDraft], batch_size: int = 200
    ) -> Iterator[AddResult]:
        """Store a long stream of drafts in transactions of ``batch_size``."""
        batch: list[ArticleDraft] = []
        for draft in drafts:
            batch.append(draft)
            if len(batch) >= batch_size:
                yield from self.add_many(batch)
                batch = []
        if batch:
            yield from self.add_many(batch)


# Stored dates repeat (a day has many articles) and a PartialDate is immutable:
# parsing each anew was a tenth of fetching a page of hits.
_stored_date = functools.lru_cache(maxsize=8192)(PartialDate.parse)


def _to_article(row: tuple) -> Article:  # type: ignore[type-arg]
    (
        seq,
        id_,
        title,
        text,
        outlet,
        date,
        date_source,
        url,
        author,
        source_name,
        fmt,
        content_type,
        encoding,
        raw_size,
        ingested_at,
    ) = row
    return Article(
        id=id_,
        seq=seq,
        title=title,
        text=text,
        outlet=outlet,
        date=_stored_date(date) if date else None,
        date_source=DateSource(date_source) if date_source else None,
        url=url,
        author=author,
        source_name=source_name,
        format=DocumentFormat(fmt),
        content_type=content_type,
        encoding=encoding,
        raw_size=raw_size,
        ingested_at=datetime.fromisoformat(ingested_at),
    )


def _write_failure(exc: sqlite3.Error) -> StorageError:
    text = str(exc)
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "full" in text.lower():
        return DiskFull("the archive's disk is full; nothing was stored")
    if "readonly" in text.lower() or "read-only" in text.lower():
        return StorageError("the archive is read-only; nothing was stored")
    return StorageError(f"the archive could not store the article ({text}); nothing was stored")
