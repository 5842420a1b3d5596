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
