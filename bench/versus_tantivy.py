r"""Pressearchiv against a tantivy peer over HTTP, in the same run (issue 11).

Usage (from the repository root; tantivy for the benchmark only:
``.venv/bin/pip install tantivy==0.27.0``; wrk: ``apt-get install wrk``):

    python bench/peer_tantivy.py build --data-dir /tmp/growth/data-20000 --index /tmp/tv-20000
    python bench/versus_tantivy.py --data-dir /tmp/growth/data-20000 --tantivy-index /tmp/tv-20000 \
        --workers 1 --workers 2 --seconds 20 --rounds 2 --out /tmp/versus-20000.json

For each round it starts, one after the other, `pressearchiv serve` on the
data folder (an archive with its index) and ``bench/peer_tantivy.py serve`` on
the tantivy index built from the same archive, each with every ``--workers``
count (the order reversed every other round, so the machine's load falls on
all alike). Each service is timed from its process start to its first 200 of a
faceted search, warmed up (every query on new connections, twice per worker),
then measured:

* **16 connections** (``--connections``) of wrk for ``--seconds``: requests/s,
  p50, p99, non-2xx, the cores the service used (CPU seconds of its process
  tree over the wall seconds), and how the connections were spread over the
  processes halfway through (``ss``);
* **1 connection**: each of the 20 queries ``--repeat`` times over one
  keep-alive connection (Python's ``http.client``), one request at a time:
  p50 and p99 over all, and each query's median.

The queries are those of ``bench/workload.py`` with the date filter
2020-03…2020-12, 20 hits with snippets and the outlet, year and month facets.
With ``--old CHECKOUT``, an older checkout of Pressearchiv (with its own
``.venv``) is measured the same way in each round, as ``pressearchiv-old``, so
that old, new and the peer share one run. It prints one JSON line per
measurement and a summary; ``--out`` keeps it all.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from http_bench import (
    connections_by_process,
    free_port,
    params,
    pressearchiv_service,
    start_service,
    stop_service,
    tree_cpu_seconds,
    tree_memory,
    warm_up,
    wrk_load,
)
from search_bench import code_version
from workload import QUERIES, machine

HERE = Path(__file__).resolve().parent
ENGINES = ("pressearchiv", "tantivy", "pressearchiv-old")


def tantivy_service(index: Path, workers: int, port: int) -> tuple[list[str], dict[str, str]]:
    command = [sys.executable, str(HERE / "peer_tantivy.py"), "serve", "--index", str(index)]
    command += ["--port", str(port), "--workers", str(workers)]
    return command, dict(os.environ)


def one_connection(port: int, repeat: int) -> dict[str, object]:
    """Each query ``repeat`` times over one keep-alive connection, in turn."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    each: dict[str, list[float]] = {q: [] for q in QUERIES}
    totals: dict[str, int] = {}
    statuses: dict[int, int] = {}
    try:
        for _ in range(repeat):
            for query in QUERIES:
                started = time.perf_counter()
                connection.request("GET", f"/api/search?{urlencode(params(query))}")
                response = connection.getresponse()
                body = response.read()
                each[query].append((time.perf_counter() - started) * 1000)
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.status == 200:
                    totals[query] = int(json.loads(body)["total"])
    finally:
        connection.close()
    flat = sorted(v for values in each.values() for v in values)
    return {
        "p50_ms": round(statistics.median(flat), 1),
        "p99_ms": round(flat[min(len(flat) - 1, int(0.99 * len(flat)))], 1),
        "statuses": statuses,
        "per_query_median_ms": {q: round(statistics.median(v), 1) for q, v in each.items()},
        "totals": totals,
    }


def measure(engine: str, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    if engine == "pressearchiv":
        command, env = pressearchiv_service(args.data_dir, workers, port)
    elif engine == "pressearchiv-old":
        # Another checkout of Pressearchiv (its own .venv), on the same data.
        command, env = pressearchiv_service(args.data_dir, workers, port)
        command[0] = str(args.old / ".venv" / "bin" / "python")
        env["PYTHONPATH"] = str(args.old)
    else:
        command, env = tantivy_service(args.tantivy_index, workers, port)
    load_before = os.getloadavg()[0]
    # The old checkout runs in its own folder: `python -m` imports from there first.
    cwd = args.old if engine == "pressearchiv-old" else None
    server, first_answer = start_service(command, env, url, cwd=cwd)
    try:
        warm_up(url, workers)
        cpu, wall = tree_cpu_seconds(server.pid), time.monotonic()
        spread: list[int] = []
        sampler = threading.Timer(
            args.seconds / 2, lambda: spread.extend(connections_by_process(port))
        )
        sampler.start()
        loaded = wrk_load(url, args.connections, args.seconds)
        sampler.join()
        cores = (tree_cpu_seconds(server.pid) - cpu) / (time.monotonic() - wall)
        single = one_connection(port, args.repeat)
        memory = tree_memory(server.pid)
    finally:
        stop_service(server)
    return {
        "engine": engine,
        "workers": workers,
        "start_to_first_answer_s": round(first_answer, 3),
        f"c{args.connections}": {
            **loaded,
            "server_cores_used": round(cores, 2),
            "connections_per_process": spread,
        },
        "c1": single,
        "memory": memory,
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def summary(results: list[dict[str, Any]], connections: int) -> dict[str, Any]:
    """Medians over the rounds for each engine and worker count, and per-query ratios."""
    table: dict[str, dict[str, float]] = {}
    for engine in ENGINES:
        for workers in sorted({int(r["workers"]) for r in results}):
            runs = [r for r in results if r["engine"] == engine and r["workers"] == workers]
            if not runs:
                continue
            many = [r[f"c{connections}"] for r in runs]
            single = [r["c1"] for r in runs]

            def mid(rows: list[dict[str, Any]], key: str) -> float:
                return round(statistics.median(float(row[key]) for row in rows), 1)

            table[f"{engine} x{workers}"] = {
                "requests_per_s": mid(many, "requests_per_s"),
                "p50_ms": mid(many, "p50_ms"),
                "p99_ms": mid(many, "p99_ms"),
                "non_2xx": sum(int(row["non_2xx"]) for row in many),
                "cores": mid(many, "server_cores_used"),
                "c1_p50_ms": mid(single, "p50_ms"),
                "c1_p99_ms": mid(single, "p99_ms"),
                "start_to_first_answer_s": round(
                    statistics.median(float(r["start_to_first_answer_s"]) for r in runs), 3
                ),
            }
    ratios: dict[str, dict[str, float]] = {}
    for workers in sorted({int(r["workers"]) for r in results}):
        for query in QUERIES:
            ours, theirs = (
                [
                    r["c1"]["per_query_median_ms"][query]
                    for r in results
                    if r["engine"] == engine and r["workers"] == workers
                ]
                for engine in ("pressearchiv", "tantivy")
            )
            if ours and theirs:
                ratio = statistics.median(ours) / statistics.median(theirs)
                ratios.setdefault(f"x{workers}", {})[query] = round(ratio, 1)
    return {"table": table, "per_query_c1_p50_ratio_ours_over_tantivy": ratios}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="an archive with its index")
    parser.add_argument("--tantivy-index", type=Path, required=True, help="peer_tantivy.py build")
    parser.add_argument("--workers", type=int, action="append", help="repeatable (default 1, 2)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5, help="1-connection runs of the queries")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--old", type=Path, help="also an older checkout of Pressearchiv (with its .venv)"
    )
    args = parser.parse_args()
    engines = ["pressearchiv", "tantivy"] + (["pressearchiv-old"] if args.old else [])
    settings = [(e, w) for w in args.workers or [1, 2] for e in engines]
    results: list[dict[str, Any]] = []
    for round_ in range(args.rounds):
        for engine, workers in settings if round_ % 2 == 0 else list(reversed(settings)):
            result = measure(engine, workers, args)
            result["round"] = round_ + 1
            print(json.dumps(result), flush=True)
            results.append(result)
    report = {
        "machine": machine(),
        "command": " ".join(sys.argv),
        "code": code_version(),
        "results": results,
        "summary": summary(results, args.connections),
    }
    print(json.dumps(report["summary"], indent=1), flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
