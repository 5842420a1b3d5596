"""SIGKILL the service and the bulk ingest at random moments; nothing acknowledged is lost.

After every kill the service is restarted. At the end the store must open and
pass SQLite's integrity check, every acknowledged article must be there exactly
once with its raw bytes, the index must agree with the store after the
start-up repair, and each acknowledged article must be findable by a phrase of
its text.
"""

from __future__ import annotations

import itertools
import json
import random
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import IndexUnavailable, SearchIndex, SearchRequest
from tests.resilience.processes import Server, run_cli, start_cli, unique_word

pytestmark = pytest.mark.slow

SERVER_KILLS = 14
INGEST_KILLS = 8


def article_text(n: int) -> str:
    word = unique_word(n)
    return (
        f"Sonderbericht {word}: Die Stadtverwaltung hat am Montag neue Regeln für den "
        f"Nahverkehr beschlossen. Nach Angaben des Bürgermeisters sollen die Busse künftig "
        f"häufiger fahren, auch nachts. Die Opposition kritisierte die Kosten. Kennung {word}."
    )


class Uploader(threading.Thread):
    """Uploads distinct articles, single files and JSON batches, until told to stop."""

    def __init__(self, url: str, counter: itertools.count[int], acknowledged: dict[str, int]):
        super().__init__(daemon=True)
        self.url, self.counter, self.acknowledged = url, counter, acknowledged
        self.halt = threading.Event()
        self.server_errors: list[str] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            while not self.halt.is_set():
                numbers = [next(self.counter) for _ in range(random.choice([1, 1, 5]))]
                try:
                    if len(numbers) == 1:
                        files = {"file": (f"a{numbers[0]}.txt", article_text(numbers[0]).encode())}
                        response = client.post("/api/articles", files=files)
                    else:
                        body = [
                            {
                                "title": f"Bericht {n}",
                                "text": article_text(n),
                                "date": "2022-03-04",
                                "outlet": "zeit.de",
                            }
                            for n in numbers
                        ]
                        response = client.post("/api/articles", json=body)
                except httpx.HTTPError:
                    return  # the server was killed under us: the answer never arrived
                if response.status_code >= 500:
                    self.server_errors.append(f"{response.status_code} {response.text[:300]}")
                    continue
                results = response.json()["results"]
                for n, item in zip(numbers, results, strict=True):
                    if item["result"] in ("created", "duplicate"):
                        self.acknowledged[item["id"]] = n


def bulk_file(path: Path, start: int, count: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for n in range(start, start + count):
            record = {"title": f"Massenimport {n}", "text": article_text(n), "date": "2021-11"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def test_sigkill_during_uploads_and_bulk_ingest(tmp_path: Path) -> None:
    rng = random.Random(20221)
    data_dir = tmp_path / "data"
    log = tmp_path / "server.log"
    acknowledged: dict[str, int] = {}
    counter = itertools.count()
    server_errors: list[str] = []
    kills = 0

    for _ in range(SERVER_KILLS):
        server = Server(data_dir, log).start()
        uploaders = [Uploader(server.url, counter, acknowledged) for _ in range(2)]
        for uploader in uploaders:
            uploader.start()
        time.sleep(rng.uniform(0.2, 1.5))
        server.kill()
        kills += 1
        for uploader in uploaders:
            uploader.halt.set()
            uploader.join(timeout=15)
            server_errors.extend(uploader.server_errors)

    # Bulk ingest from the command line, killed mid-way (the service is not running).
    bulk_numbers: set[int] = set()
    for round_ in range(INGEST_KILLS):
        start = 1_000_000 + round_ * 1500
        path = bulk_file(tmp_path / f"bulk{round_}.jsonl", start, 1500)
        proc = start_cli(data_dir, "ingest", "--no-progress", str(path), log=log)
        time.sleep(rng.uniform(0.5, 3.0))
        proc.kill()
        proc.wait(timeout=10)
        kills += 1
        bulk_numbers.update(range(start, start + 1500))

    assert kills >= 20
    assert server_errors == []
    assert acknowledged, "no upload was acknowledged: the test proved nothing"

    # The store opens, is consistent, and holds every acknowledged article once.
    conn = sqlite3.connect(data_dir / "archive.sqlite3")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert (
        conn.execute(
            "SELECT count(*) FROM articles a LEFT JOIN raw r ON r.article_id = a.id"
            " WHERE r.article_id IS NULL OR a.text = '' OR a.title = ''"
        ).fetchone()[0]
        == 0
    )
    conn.close()
    with ArchiveStore.open(data_dir) as store:
        stored = store.id_seqs()
        assert set(acknowledged) <= set(stored)
        store_count = store.count()

    # A final ingest run completes what the killed ones started, and repeats nothing.
    result = run_cli(
        data_dir,
        "ingest",
        "--no-progress",
        *(str(tmp_path / f"bulk{r}.jsonl") for r in range(INGEST_KILLS)),
    )
    assert result.returncode == 0, result.stderr
    with ArchiveStore.open(data_dir) as store:
        assert store.count() == store_count + int(result.stdout.split()[0])
        bulk_titles = [a.title for a in store.iter_articles() if a.title.startswith("Massen")]
        assert sorted(bulk_titles) == sorted(f"Massenimport {n}" for n in bulk_numbers)
        store_count = store.count()

    # The restarted service repairs its index from the store and finds everything.
    server = Server(data_dir, log).start(timeout=180)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            deadline = time.monotonic() + 120
            while True:
                stats = client.get("/api/stats").json()
                if stats["index"]["in_step"] or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert stats["index"]["in_step"], stats
            assert stats["index"]["index_count"] == store_count
            for article_id, n in rng.sample(sorted(acknowledged.items()), 25):
                found = client.get("/api/search", params={"q": f'"Kennung {unique_word(n)}"'})
                assert found.status_code == 200
                assert [h["id"] for h in found.json()["hits"]] == [article_id]
            phrase = f'"Kennung {unique_word(1_000_123)}"'
            bulk_hit = client.get("/api/search", params={"q": phrase})
            assert bulk_hit.json()["total"] == 1
    finally:
        server.stop()


def _indexed(data_dir: Path) -> int:
    """Articles the index holds, as a reader beside its owner sees them (0 before
    the index exists)."""
    with ArchiveStore.open(data_dir) as store:
        try:
            index = SearchIndex.open(data_dir / "index", store, read_only=True)
        except IndexUnavailable:
            return 0
        with index:
            return index.status().index_count


def _interrupt_once_indexing(
    proc: subprocess.Popen[bytes], data_dir: Path, at_least: int, sig: signal.Signals
) -> None:
    deadline = time.monotonic() + 120
    while _indexed(data_dir) < at_least:
        assert proc.poll() is None, "the ingest ended before it could be interrupted"
        assert time.monotonic() < deadline, "no segment was committed in two minutes"
        time.sleep(0.2)
    proc.send_signal(sig)
    proc.wait(timeout=60)


def test_an_interrupted_bulk_ingest_keeps_its_commits_and_a_rerun_finishes(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    log = tmp_path / "ingest.log"
    export = bulk_file(tmp_path / "gross.jsonl", 2_000_000, 6000)
    # Segments (and commits) of 100 articles, so that a build is cut mid-way.
    small = {"PRESSEARCHIV_BULK_SEGMENT_ARTICLES": "100", "PRESSEARCHIV_SEED_SAMPLES": "false"}

    # Ctrl-C: the command stops its workers and says what is kept.
    proc = start_cli(data_dir, "ingest", "--no-progress", str(export), log=log, **small)
    _interrupt_once_indexing(proc, data_dir, 200, signal.SIGINT)
    assert proc.returncode == 130
    assert "interrupted; everything acknowledged so far is stored" in log.read_text()
    after_ctrl_c = _indexed(data_dir)
    assert after_ctrl_c >= 200 and after_ctrl_c % 100 == 0  # whole segments only

    # SIGKILL mid-way through the rerun: what was committed stays committed.
    proc = start_cli(data_dir, "ingest", "--no-progress", str(export), log=log, **small)
    _interrupt_once_indexing(proc, data_dir, after_ctrl_c + 200, signal.SIGKILL)
    after_kill = _indexed(data_dir)
    assert after_kill >= after_ctrl_c + 200

    # The third run stores what is missing and indexes the rest.
    result = run_cli(data_dir, "ingest", "--no-progress", str(export), timeout=300, **small)
    assert result.returncode == 0, result.stderr
    added, duplicates = (int(n) for n in result.stdout.split()[0:4:2])
    assert added + duplicates == 6000
    assert "The search index is up to date (6000 articles)." in result.stderr
    with ArchiveStore.open(data_dir) as store:
        assert store.count() == 6000
        with SearchIndex.open(data_dir / "index", store, read_only=True) as index:
            for n in (2_000_000, 2_002_999, 2_005_999):
                query = SearchRequest(query=f'"Kennung {unique_word(n)}"')
                assert index.search(query).total == 1
    # No staging folder was left behind.
    assert not (data_dir / "index.staging").exists()
