"""``pressearchiv serve --workers 2``: one owner of the index, two worker processes.

Through real HTTP on a real socket: an upload answered by any worker is
searchable through every worker; a worker that dies is replaced; SIGTERM
stops everything; SIGKILL of the owner takes the workers with it.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.resilience.processes import Server, alive, run_cli, unique_word

pytestmark = pytest.mark.slow


def children(pid: int) -> set[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(p) for p in text.split()}


def workers(pid: int) -> set[int]:
    """The worker processes of the owner ``pid``: the children of its fork
    server (not multiprocessing's resource tracker, nor the fork server)."""
    found = set()
    for child in children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"forkserver" in command:
            found |= children(child)
    return found


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "data", tmp_path / "server.log", PRESSEARCHIV_WORKERS="2")
    running.start(timeout=120)
    assert running.proc is not None
    owner = running.proc.pid
    wait_for(lambda: len(workers(owner)) == 2, 60, "two workers")
    yield running
    running.stop()


def found_by_fresh_connections(url: str, word: str, tries: int = 8) -> int:
    """How many of ``tries`` new connections (spread over the workers) find ``word``."""
    hits = 0
    for _ in range(tries):
        with httpx.Client(base_url=url, timeout=10) as client:
            hits += client.get("/api/search", params={"q": word}).json()["total"] == 1
    return hits


def test_an_upload_to_any_worker_is_searchable_through_every_worker(server: Server) -> None:
    for n in range(6):
        word = unique_word(500 + n)
        article = {
            "title": f"Bericht {word}",
            "text": f"Neues über {word} aus Kiel, berichtet von unserer Redaktion am Montag.",
            "outlet": "taz",
        }
        with httpx.Client(base_url=server.url, timeout=30) as client:
            answer = client.post("/api/articles", json=article)
            assert answer.status_code == 201, answer.text
            assert answer.json()["indexed"] is True
            # "Searchable" in the answer: through the worker that answered.
            assert client.get("/api/search", params={"q": word}).json()["total"] == 1
        wait_for(
            lambda w=word: found_by_fresh_connections(server.url, w) == 8,  # type: ignore[misc]
            10,
            f"{word} found through every worker",
        )


def test_a_dead_worker_is_replaced_and_sigterm_stops_all(server: Server) -> None:
    assert server.proc is not None
    owner = server.proc.pid
    before = workers(owner)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: len(workers(owner) - before) == 1, 60, "a replacement worker")
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
    assert found_by_fresh_connections(server.url, "Lawrow", tries=4) == 0  # answers, no 5xx
    everyone = workers(owner)
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=60) == 0
    wait_for(lambda: not any(alive(p) for p in everyone), 10, "workers gone after SIGTERM")


def test_workers_end_when_the_owner_is_killed(server: Server) -> None:
    assert server.proc is not None
    everyone = workers(server.proc.pid)
    server.kill()
    wait_for(lambda: not any(alive(p) for p in everyone), 30, "workers gone after SIGKILL")


def sockets_on(port: int, state: str) -> set[str]:
    """TCP sockets on local ``port`` in ``state`` ("01" established, "0A" listening)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            found.add(f"socket:[{fields[9]}]")
    return found


def connections_of(pid: int, port: int) -> int:
    """How many established TCP connections to ``port`` process ``pid`` holds."""
    established = sockets_on(port, "01")
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            count += os.readlink(fd) in established
    return count


def test_connections_opened_at_once_are_spread_over_the_workers(server: Server) -> None:
    # One shared listening socket let the first worker to wake accept every
    # waiting connection. With a socket per worker the kernel spreads them
    # (all 16 on one of two workers would happen once in 30,000 runs).
    assert server.proc is not None
    pids = sorted(workers(server.proc.pid))
    # A worker listens once its app has started (the server answered through one).
    wait_for(lambda: len(sockets_on(server.port, "0A")) == 2, 60, "both workers listening")
    held: list[int] = []

    def accepted() -> bool:
        held[:] = [connections_of(p, server.port) for p in pids]
        return sum(held) == 16

    clients = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(16)]
    try:
        wait_for(accepted, 10, "16 connections accepted")
        assert all(n > 0 for n in held), held
    finally:
        for client in clients:
            client.close()


def test_kept_alive_connections_even_out_over_the_workers(server: Server) -> None:
    """However the kernel first splits 16 kept-alive connections (8/8 one time in
    five), the worker with two or more extra answers with ``Connection: close``
    until each worker holds 8; clients reconnect and lose no request."""
    assert server.proc is not None
    pids = sorted(workers(server.proc.pid))
    wait_for(lambda: len(sockets_on(server.port, "0A")) == 2, 60, "both workers listening")
    for attempt in range(3):  # a split that starts even by chance proves little
        clients = [http.client.HTTPConnection("127.0.0.1", server.port) for _ in range(16)]
        try:
            for client in clients:
                client.connect()
            first = [connections_of(p, server.port) for p in pids]
            closed_in_round = []
            for _ in range(40):
                closed = 0
                for client in clients:  # each reconnects by itself once closed
                    client.request("GET", "/healthz")
                    response = client.getresponse()
                    response.read()
                    assert response.status == 200
                    closed += response.getheader("connection") == "close"
                closed_in_round.append(closed)
                if not closed:
                    break
            assert closed_in_round[-1] == 0, (attempt, first, closed_in_round)
            assert [connections_of(p, server.port) for p in pids] == [8, 8], (
                first,
                closed_in_round,
            )
        finally:
            for client in clients:
                client.close()


def test_a_second_service_on_a_taken_port_exits_with_a_message(
    tmp_path: Path, server: Server
) -> None:
    done = run_cli(
        tmp_path / "other",
        "serve",
        "--port",
        str(server.port),
        timeout=60,
        PRESSEARCHIV_WORKERS="2",
    )
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{server.port}: in use" in done.stderr
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200


def test_a_fresh_archive_greets_its_first_visitor_with_the_samples(tmp_path: Path) -> None:
    # Workers start as soon as the index exists, but on a freshly seeded
    # archive only once the samples are searchable.
    running = Server(
        tmp_path / "data",
        tmp_path / "server.log",
        PRESSEARCHIV_WORKERS="2",
        PRESSEARCHIV_SEED_SAMPLES="true",
    )
    running.start(timeout=120)
    try:
        first = httpx.get(f"{running.url}/api/search", params={"q": "Außenminister"}, timeout=10)
        assert first.json()["total"] == 5
    finally:
        running.stop()
