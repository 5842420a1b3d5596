"""Leftovers (issue 12, class 7): spooled uploads of a killed process are removed
at the next start, and a multi-file upload keeps each file's own outcome."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from pressearchiv.settings import Settings
from pressearchiv.web.app import create_app
from tests.resilience.processes import Server
from tests.resilience.test_hostile_input import ARTICLE, articles, item_results
from tests.web.conftest import LOOPBACK, TEST_HOST, TestClient


def _leave_spool(settings: Settings) -> Path:
    folder = settings.upload_tmp_dir / "tmpk1ll3d"
    folder.mkdir(parents=True)
    (folder / "upload-0000").write_bytes(b"x" * 100_000)
    (settings.upload_tmp_dir / "stray-file").write_bytes(b"y")
    return folder


def test_a_start_removes_what_killed_uploads_left(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", allowed_hosts=TEST_HOST, seed_samples=False)
    _leave_spool(settings)
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        assert list(settings.upload_tmp_dir.iterdir()) == []
        response = client.post("/api/articles", files={"file": ("a.txt", ARTICLE.encode())})
        assert response.status_code == 201
        assert list(settings.upload_tmp_dir.iterdir()) == []


def test_a_second_service_on_the_same_folder_removes_nothing(tmp_path: Path) -> None:
    """The index lock decides who may clean: a second service fails before it cleans."""
    settings = Settings(data_dir=tmp_path / "data", allowed_hosts=TEST_HOST, seed_samples=False)
    with TestClient(create_app(settings), client=LOOPBACK):
        folder = _leave_spool(settings)  # as if an upload of the first were running
        with pytest.raises(Exception, match="in use"), TestClient(create_app(settings)):
            pass
        assert (folder / "upload-0000").exists()


def test_each_file_of_a_multi_file_upload_has_its_own_outcome(tmp_path: Path) -> None:
    """As the README says: one transaction per file; a bad file costs only itself."""
    settings = Settings(data_dir=tmp_path / "data", allowed_hosts=TEST_HOST, seed_samples=False)
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        files = [
            ("file", ("gut.txt", ARTICLE.encode())),
            ("file", ("kaputt.json", b'{"text": ')),
            ("file", ("auch-gut.txt", f"{ARTICLE} Zweite Fassung.".encode())),
        ]
        response = client.post("/api/articles", files=files)
        assert response.status_code == 201
        assert [r["result"] for r in item_results(response)] == ["created", "rejected", "created"]
        assert articles(client) == 2
        # Sending the same request again is safe: the stored files are duplicates.
        again = client.post("/api/articles", files=files)
        assert [r["result"] for r in item_results(again)] == ["duplicate", "rejected", "duplicate"]
        assert articles(client) == 2


@pytest.mark.slow
def test_an_upload_cut_short_by_sigkill_leaves_nothing_after_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # One process: the one SIGKILLed is the one holding the upload. (With
    # workers, killing the owner ends the workers, which clean up on the way.)
    server = Server(data, tmp_path / "server.log", PRESSEARCHIV_WORKERS="1").start()
    spool = data / "tmp"
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            boundary = "grenze"
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                'filename="gross.txt"\r\nContent-Type: text/plain\r\n\r\n'
            ).encode()
            chunk = head + b"Wort " * 40_000
            sock.sendall(
                (
                    f"POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                    f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                    f"Content-Length: {len(chunk) + 500_000}\r\n\r\n"
                ).encode()
                + chunk
            )
            deadline = time.monotonic() + 30
            while not any(p.is_file() for p in spool.rglob("*")):
                assert time.monotonic() < deadline, "the upload was never spooled"
                time.sleep(0.05)
            server.kill()
        assert any(p.is_file() for p in spool.rglob("*"))
        server.start()
        assert list(spool.iterdir()) == []
        assert "removed 1 unfinished upload(s)" in server.tail()
    finally:
        server.stop()
