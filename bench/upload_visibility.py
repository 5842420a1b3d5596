r"""Upload → searchable on every worker, while wrk loads the service (issue 11).

Usage (from the repository root; it uploads, so give it a copy of an archive):

    cp -a /tmp/growth/data-100000 /tmp/upload-data
    python bench/upload_visibility.py --data-dir /tmp/upload-data --workers 2 \
        --seconds 60 --every 1.0

It starts `pressearchiv serve` with ``--workers`` workers and keeps
``--connections`` (16) connections of wrk busy with the faceted queries of
``bench/workload.py`` for ``--seconds``. Meanwhile, about every ``--every``
seconds, it uploads one article (``POST /api/articles``, JSON) carrying a word
of its own, and then searches that word (``GET /api/search?q=WORD``), each time
on a *new* connection (each may land on another worker), until ``--streak``
consecutive searches find it. It reports per upload:

* ``answered_s``: from sending the upload to its answer; the answer means
  "searchable on the worker that took it" when its ``indexed`` is true (false:
  the upload's wait for the index, ``INDEX_WAIT_SECONDS`` in web/ingest.py, ran
  out first);
* ``everywhere_s``: from sending the upload to the first search of the final
  streak: found on every fresh connection from then on. With two workers and a
  streak of 6, a worker that still misses it is passed over with a chance of
  1 in 32 for each streak.

and the p50/p99 of both over all uploads, the statuses of the load (wrk's
non-2xx) and of the uploads.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from http_bench import (
    free_port,
    pressearchiv_service,
    start_service,
    stop_service,
    warm_up,
    wrk_load,
)
from search_bench import code_version, percentiles
from workload import machine


def request(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    """One request on a new connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def upload_and_follow(port: int, n: int, streak: int, timeout: float) -> dict[str, object]:
    word = f"wachstumsprobe{uuid.uuid4().hex[:12]}"
    article = {
        "title": f"Messung {n}: {word}",
        "text": f"Ein Artikel der Messung, Nummer {n}, mit dem Wort {word} darin.",
        "outlet": "bench.example",
        "date": "2022-01-21",
    }
    started = time.perf_counter()
    status, body = request(port, "POST", "/api/articles", json.dumps(article).encode())
    answered = time.perf_counter() - started
    # False when the upload's wait for the index (web/ingest.py) ran out first.
    indexed = json.loads(body).get("indexed") if status < 300 else None
    found_in_row, streak_began = 0, 0.0
    path = f"/api/search?{urlencode({'q': word, 'size': '1'})}"
    while found_in_row < streak:
        began = time.perf_counter() - started
        if began > timeout:
            return {
                "n": n,
                "upload_status": status,
                "indexed": indexed,
                "answered_s": answered,
                "everywhere_s": None,
            }
        code, body = request(port, "GET", path)
        if code == 200 and json.loads(body)["total"] >= 1:
            if found_in_row == 0:
                streak_began = began
            found_in_row += 1
        else:
            found_in_row = 0
    return {
        "n": n,
        "upload_status": status,
        "indexed": indexed,
        "answered_s": round(answered, 3),
        "everywhere_s": round(streak_began, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a copy: it is written")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--every", type=float, default=1.0, help="seconds between uploads")
    parser.add_argument("--streak", type=int, default=6)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command, env = pressearchiv_service(args.data_dir, args.workers, port)
    server, first_answer = start_service(command, env, url)
    uploads: list[dict[str, object]] = []
    loaded: dict[str, object] = {}
    try:
        warm_up(url, args.workers)

        def load() -> None:
            loaded.update(wrk_load(url, args.connections, args.seconds))

        wrk = threading.Thread(target=load)
        load_before = os.getloadavg()[0]
        wrk.start()
        time.sleep(2)  # let the load settle
        stop_at = time.monotonic() + args.seconds - 6
        n = 0
        while time.monotonic() < stop_at:
            began = time.monotonic()
            n += 1
            uploads.append(upload_and_follow(port, n, args.streak, timeout=30))
            print(json.dumps(uploads[-1]), flush=True)
            time.sleep(max(0.0, args.every - (time.monotonic() - began)))
        wrk.join()
    finally:
        stop_service(server)
    answered = [float(str(u["answered_s"])) for u in uploads]
    everywhere = [float(str(u["everywhere_s"])) for u in uploads if u["everywhere_s"] is not None]
    report = {
        "machine": machine(),
        "command": " ".join(sys.argv),
        "code": code_version(),
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "start_to_first_answer_s": round(first_answer, 3),
        "wrk": loaded,
        "uploads": len(uploads),
        "upload_statuses": sorted({int(str(u["upload_status"])) for u in uploads}),
        "never_everywhere": len(uploads) - len(everywhere),
        "answered_not_indexed": sum(1 for u in uploads if u["indexed"] is False),
        "answered_s": {k: round(v, 3) for k, v in percentiles(answered).items()},
        "everywhere_s": {k: round(v, 3) for k, v in percentiles(everywhere).items()},
    }
    print(json.dumps(report, indent=1), flush=True)
    if args.out:
        args.out.write_text(json.dumps({**report, "each": uploads}, indent=1))


if __name__ == "__main__":
    main()
