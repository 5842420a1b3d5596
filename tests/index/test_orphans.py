"""A worker process ends when its parent is SIGKILLed (index/orphans.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.resilience.processes import alive

ROOT = Path(__file__).resolve().parents[2]

# The parent starts a pool worker that waits on its queue, prints the worker's
# pid and then sleeps; the test SIGKILLs the parent.
PARENT = """
import os, sys, time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pressearchiv.index.orphans import end_with_parent
guard = sys.argv[1] == "guarded"
kwargs = {"initializer": end_with_parent, "initargs": (os.getpid(),)} if guard else {}
pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"), **kwargs)
print(pool.submit(os.getpid).result(), flush=True)
time.sleep(600)
"""


def orphaned_worker(mode: str) -> int:
    """Start a parent with one pool worker, SIGKILL the parent; the worker's pid."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, mode],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        # The killed parent's semaphore tracker complains about its leaks there.
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert parent.stdout is not None
    with parent.stdout:
        worker = int(parent.stdout.readline())
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
    return worker


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_guarded_worker_ends_with_its_parent() -> None:
    worker = orphaned_worker("guarded")
    deadline = time.monotonic() + 20
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(worker)


def test_an_unguarded_worker_outlives_its_parent() -> None:
    """Why the guard exists (and proof that the test above can fail)."""
    worker = orphaned_worker("plain")
    try:
        time.sleep(1)
        assert alive(worker)
    finally:
        os.kill(worker, signal.SIGKILL)


# A process that is not our parent (the web workers' owner, whose workers are
# children of the fork server): the watched process is a sibling here.
WATCHER = """
import sys, time
from pressearchiv.index.orphans import end_with_parent
end_with_parent(int(sys.argv[1]))
print("watching", flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pidfd is Linux's")
def test_a_process_ends_with_a_watched_process_that_is_not_its_parent() -> None:
    watched = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    watcher = subprocess.Popen(
        [sys.executable, "-c", WATCHER, str(watched.pid)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert watcher.stdout is not None
        assert watcher.stdout.readline().strip() == b"watching"
        time.sleep(0.3)
        assert watcher.poll() is None  # alive while the watched process is
        watched.send_signal(signal.SIGKILL)
        watched.wait(timeout=10)
        assert watcher.wait(timeout=20) == -signal.SIGTERM
    finally:
        for process in (watched, watcher):
            if process.poll() is None:
                process.kill()
                process.wait()
        if watcher.stdout is not None:
            watcher.stdout.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pidfd is Linux's")
def test_a_process_watching_one_already_gone_ends_at_once() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(timeout=10)
    watcher = subprocess.run(
        [sys.executable, "-c", WATCHER, str(gone.pid)],
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=30,
    )
    assert watcher.returncode == -signal.SIGTERM
