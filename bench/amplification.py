"""Benchmark: what one small hostile upload costs (issue 12, class 4).

Usage (from the repository root):

    python bench/amplification.py

Posts a 3 MB JSON list of 1,000,000 empty objects to a fresh service (in
process, Starlette's TestClient, a temporary data folder) and prints the wall
time, the response's status and size, and the process's peak resident memory
before and after the request.
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
import warnings
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from pressearchiv.settings import Settings
from pressearchiv.web.app import create_app


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    body = b"[" + b",".join([b"{}"] * 1_000_000) + b"]"
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", allowed_hosts="testserver")
        with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as client:
            client.get("/api/search", params={"q": "Genf"})  # load what a first search loads
            before = _peak_mib()
            started = time.perf_counter()
            response = client.post(
                "/api/articles", content=body, headers={"content-type": "application/json"}
            )
            took = time.perf_counter() - started
    print(
        json.dumps(
            {
                "body_bytes": len(body),
                "status": response.status_code,
                "response_bytes": len(response.content),
                "seconds": round(took, 2),
                "peak_rss_mib_before": round(before),
                "peak_rss_mib_after": round(_peak_mib()),
            }
        )
    )


if __name__ == "__main__":
    main()
