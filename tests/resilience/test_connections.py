"""Half-open connections against a real server process (issue 12, class 5).

Request heads that never finish are cut off after the head deadline, a
connection beyond the cap is refused at once, and meanwhile everyone else
is answered. Real sockets, a real ``pressearchiv serve``; every wait is bounded
by a socket timeout, nothing asserts how long anything took.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.resilience.processes import Server

pytestmark = pytest.mark.slow

HALF_OPEN = 60
# Generous: the machine is shared; a closed connection shows up long before.
PATIENCE = 60.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    started = Server(
        tmp_path / "data",
        tmp_path / "server.log",
        PRESSEARCHIV_HEADER_TIMEOUT="1",
        PRESSEARCHIV_BODY_TIMEOUT="1",
        PRESSEARCHIV_MAX_CONNECTIONS="100",
    ).start()
    try:
        yield started
    finally:
        started.stop()


def _connect(server: Server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=PATIENCE)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _read_response(sock: socket.socket) -> bytes:
    """One whole response with a Content-Length (a recv may return only part of it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before the head was complete: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "closed before the body was complete"
        body += chunk
    assert len(body) == length, "more than one response arrived"
    return head + b"\r\n\r\n" + body


def test_heads_that_never_finish_are_cut_off_and_others_are_served(server: Server) -> None:
    with ExitStack() as stack:
        silent = [stack.enter_context(_connect(server)) for _ in range(HALF_OPEN // 2)]
        partial = [stack.enter_context(_connect(server)) for _ in range(HALF_OPEN // 2)]
        for sock in partial:
            sock.sendall(b"GET /api/search?q=Genf HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Langsam: ")
        # Everyone else is answered while those connections are open.
        assert httpx.get(f"{server.url}/api/search", params={"q": "Genf"}).status_code == 200
        for sock in silent:
            assert _read_all(sock) == b""  # closed without a word
        for sock in partial:
            answer = _read_all(sock)
            assert answer.startswith(b"HTTP/1.1 408 "), answer[:80]
            body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
            assert body["error"]["code"] == "request_timeout"
    assert httpx.get(f"{server.url}/healthz").status_code == 200
    # The cut-off connections left no line each in the log.
    assert server.tail(100_000).count("\n") < HALF_OPEN


def test_a_keep_alive_connection_gets_the_same_deadline_for_its_next_head(server: Server) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = _read_response(sock)
        assert first.startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        rest = _read_all(sock)
        assert rest == b"" or rest.startswith(b"HTTP/1.1 408 ")


def test_a_head_larger_than_16_kib_is_refused(server: Server) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Gross: " + b"a" * 20_000)
        assert _read_all(sock).startswith(b"HTTP/1.1 400 ")


def test_a_url_with_raw_umlauts_gets_a_json_400(server: Server) -> None:
    # Browsers percent-encode; a hand-made client may not (curl with a raw ä).
    with _connect(server) as sock:
        sock.sendall(
            "GET /api/search?q=Gesundheitsämter HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
        )
        answer = _read_all(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"content-type: application/json" in head
    error = json.loads(body)["error"]
    assert error["code"] == "bad_request" and "percent-encoded" in error["message"]


def test_connections_beyond_the_cap_are_refused_at_once(tmp_path: Path) -> None:
    capped = Server(
        tmp_path / "data",
        tmp_path / "server.log",
        PRESSEARCHIV_HEADER_TIMEOUT="120",
        PRESSEARCHIV_MAX_CONNECTIONS="20",
        # The cap is per worker process: one process makes the 21st connection certain.
        PRESSEARCHIV_WORKERS="1",
    ).start()
    try:
        with ExitStack() as stack:
            held = [stack.enter_context(_connect(capped)) for _ in range(20)]
            with _connect(capped) as extra:
                answer = _read_all(extra)
            assert answer.startswith(b"HTTP/1.1 503 "), answer[:80]
            assert b"retry-after: 5" in answer
            assert len(held) == 20
        # The held ones are gone: the service answers again.
        with httpx.Client(base_url=capped.url, timeout=PATIENCE) as client:
            for _ in range(100):  # until the server has seen the held ones close
                if client.get("/healthz").status_code == 200:
                    break
                time.sleep(0.1)
            assert client.get("/healthz").status_code == 200
    finally:
        capped.stop()


def test_garbage_on_many_connections_does_not_flood_the_log(server: Server) -> None:
    for _ in range(40):
        with _connect(server) as sock:
            sock.sendall(b"\x16\x03\x01 KEIN HTTP\r\n\r\n")  # e.g. TLS to a plain port
            assert _read_all(sock).startswith(b"HTTP/1.1 400 ")
    assert httpx.get(f"{server.url}/healthz").status_code == 200
    assert 1 <= server.tail(100_000).count("Invalid HTTP request received") <= 2


@pytest.mark.parametrize("kind", ["json", "multipart"])
def test_an_upload_body_that_stops_arriving_gets_408(server: Server, kind: str) -> None:
    before = httpx.get(f"{server.url}/healthz").json()["articles"]
    if kind == "json":
        content_type, start = "application/json", b'{"text": "Der Anfang eines Artikels'
    else:
        content_type = "multipart/form-data; boundary=grenze"
        start = (
            b'--grenze\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
            b"Content-Type: text/plain\r\n\r\nDer Anfang eines Artikels"
        )
    with _connect(server) as sock:
        sock.sendall(
            (
                f"POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(start) + 10_000}\r\n\r\n"
            ).encode()
            + start
        )
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:80]
    body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert body["error"]["code"] == "request_timeout"
    assert httpx.get(f"{server.url}/healthz").json()["articles"] == before
    assert list((server.data_dir / "tmp").iterdir()) == []
