r"""One search at a time: on one keep-alive connection against a new connection each.

Usage (from the repository root, on an archive with its index):

    python bench/keepalive.py --data-dir /tmp/growth/data-20000 --workers 2 --workers 1

For each worker count it starts `pressearchiv serve`, sends the same faceted
search 10 times on new connections (warm-up), then 31 times on one keep-alive
connection (the first is not counted) and 30 times on a new connection each,
one request at a time, and prints the medians. A gap of about 40 ms between
the two is the client's delayed ACK waiting on an answer written in two pieces
without TCP_NODELAY (see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import time
from pathlib import Path
from urllib.parse import urlencode

from http_bench import free_port, params, pressearchiv_service, start_service, stop_service


def timed(connection: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    connection.request("GET", path)
    connection.getresponse().read()
    return (time.perf_counter() - started) * 1000


def fresh(port: int, path: str) -> float:
    """One request on a new connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        return timed(connection, path)
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--workers", type=int, action="append", help="repeatable (default 2, 1)")
    parser.add_argument("--query", default="Pflegeheim")
    args = parser.parse_args()
    path = f"/api/search?{urlencode(params(args.query))}"
    for workers in args.workers or [2, 1]:
        port = free_port()
        command, env = pressearchiv_service(args.data_dir, workers, port)
        server, _ = start_service(command, env, f"http://127.0.0.1:{port}")
        try:
            for _ in range(10):
                fresh(port, path)
            kept = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            on_one = [timed(kept, path) for _ in range(31)][1:]
            kept.close()
            on_new = [fresh(port, path) for _ in range(30)]
        finally:
            stop_service(server)
        print(
            json.dumps(
                {
                    "workers": workers,
                    "keep_alive_p50_ms": round(statistics.median(on_one), 1),
                    "new_connection_p50_ms": round(statistics.median(on_new), 1),
                    "load": round(os.getloadavg()[0], 2),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
