"""Seconds from starting ``pressearchiv serve`` to its first answered faceted search.

Usage (from the root of the checkout to measure):

    .venv/bin/python bench/first_answer.py --data-dir DIR [--workers 2] [--times 2]

Starts the checkout's ``.venv/bin/pressearchiv serve`` on a free port (samples
not seeded) and asks ``/api/search?q=Impfung&from=2020-03&to=2020-12&size=20``
every 5 ms until it answers 200; prints the time from the process start.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def first_answer(data_dir: Path, workers: int) -> float:
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/search?q=Impfung&from=2020-03&to=2020-12&size=20"
    env = dict(os.environ, PRESSEARCHIV_SEED_SAMPLES="false")
    command = [".venv/bin/pressearchiv", "serve", "--data-dir", str(data_dir)]
    command += ["--port", str(port), "--workers", str(workers)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=30) as answer:
                    answer.read()
                    if answer.status == 200:
                        return time.perf_counter() - started
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError("the service exited before it answered") from None
                time.sleep(0.005)
    finally:
        process.terminate()
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--times", type=int, default=2)
    args = parser.parse_args()
    for _ in range(args.times):
        seconds = first_answer(args.data_dir.resolve(), args.workers)
        print(f"start -> first answer: {seconds:.3f} s (workers={args.workers})", flush=True)


if __name__ == "__main__":
    main()
