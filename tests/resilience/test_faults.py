"""Faults around a stopped or struggling service: each gives a clear message and loses nothing."""

from __future__ import annotations

import shutil
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pressearchiv.settings import Settings
from pressearchiv.web.app import create_app
from tests.web.conftest import TEST_HOST
from tests.web.shapes import assert_error

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message="Using `httpx` with `starlette.testclient` is deprecated"
    )
    from starlette.testclient import TestClient

LOOPBACK = ("127.0.0.1", 50000)
TEXT = (
    "Die Stadtwerke haben am Dienstag ihre Preise für Fernwärme erhöht. Verbraucherschützer "
    "kritisierten den Schritt als überzogen. Kennung {word}."
)


@contextmanager
def running(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        yield client


def upload(client: TestClient, word: str) -> str:
    response = client.post(
        "/api/articles", files={"file": (f"{word}.txt", TEXT.format(word=word).encode())}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["results"][0]["id"])


def found(client: TestClient, word: str) -> list[str]:
    response = client.get("/api/search", params={"q": f'"Kennung {word}"'})
    assert response.status_code == 200
    return [hit["id"] for hit in response.json()["hits"]]


def in_step(client: TestClient, timeout: float = 30) -> dict:  # type: ignore[type-arg]
    """/api/stats once the start-up repair has caught up (it runs in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        stats = client.get("/api/stats").json()
        if stats["index"]["in_step"] or time.monotonic() > deadline:
            return stats  # type: ignore[no-any-return]
        time.sleep(0.1)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", allowed_hosts=TEST_HOST)


def test_index_folder_deleted_while_stopped(settings: Settings) -> None:
    with running(settings) as client:
        ids = {word: upload(client, word) for word in ("fernwaermea", "fernwaermeb")}
    shutil.rmtree(settings.index_dir)
    with running(settings) as client:
        stats = in_step(client)
        assert stats["index"]["in_step"] is True
        assert stats["index"]["index_count"] == stats["total"] == 7
        for word, article_id in ids.items():
            assert found(client, word) == [article_id]


def test_index_folder_replaced_by_garbage(settings: Settings) -> None:
    with running(settings) as client:
        article_id = upload(client, "fernwaermec")
    shutil.rmtree(settings.index_dir)
    settings.index_dir.mkdir()
    (settings.index_dir / "_MAIN_1.toc").write_bytes(b"\x00garbage, not a Whoosh table of contents")
    with running(settings) as client:
        assert in_step(client)["index"]["in_step"] is True
        assert found(client, "fernwaermec") == [article_id]


def test_stale_write_lock_left_by_a_killed_writer(settings: Settings) -> None:
    with running(settings) as client:
        upload(client, "fernwaermed")
    # What a writer killed mid-commit leaves behind: the lock file, and no process.
    (settings.index_dir / "MAIN_WRITELOCK").write_text("")
    with running(settings) as client:
        article_id = upload(client, "fernwaermee")
        assert found(client, "fernwaermee") == [article_id]
        assert in_step(client)["index"]["in_step"] is True


def test_disk_full_during_upload(settings: Settings) -> None:
    with running(settings) as client:
        kept = upload(client, "fernwaermef")
        store = client.app.state.store  # type: ignore[attr-defined]
        before = store.count()
        # Simulate a full disk: SQLite may not grow the database file any further.
        pages = store._writer.execute("PRAGMA page_count").fetchone()[0]
        store._writer.execute(f"PRAGMA max_page_count = {pages}")
        big = (TEXT.format(word="fernwaermeg") + " Langer Anhang.") * 400
        response = client.post("/api/articles", files={"file": ("gross.txt", big.encode())})
        error = assert_error(response, 507, "insufficient_storage")
        assert "disk is full" in error["message"]
        assert store.count() == before
        assert client.get("/healthz").status_code == 200
        assert found(client, "fernwaermef") == [kept]
        # Space again: the same upload now succeeds.
        store._writer.execute("PRAGMA max_page_count = 1073741823")
        retry = client.post("/api/articles", files={"file": ("gross.txt", big.encode())})
        assert retry.status_code == 201
