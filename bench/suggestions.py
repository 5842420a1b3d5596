"""Benchmark: the cost of "Meinten Sie …?" for hostile queries (issue 12).

Usage (from the repository root, on an archive built by ``pressearchiv ingest``):

    python bench/suggestions.py --data-dir /tmp/pressearchiv-bench/data

Runs each query of :data:`QUERIES` through the whole search (parse, match,
snippets, suggestion) against the index opened read-only beside any owner, and
prints the wall time of the slowest of ``--repeat`` runs per query. The first
run of a query in a fresh view includes building the spelling buckets of its
first letters.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex, SearchRequest

QUERIES = {
    "one very long word": "Schutzmaskenpflicht" * 100,
    "60 mistyped words": " ".join(f"Regeirung{chr(97 + i % 26)}x" for i in range(60)),
    "a typo": "Regeirung",
    "two typos": "Gesundheitsminsiter Spahm",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    store = ArchiveStore.open(args.data_dir)
    results: dict[str, dict[str, object]] = {}
    try:
        with SearchIndex.open(args.data_dir / "index", store, read_only=True) as index:
            for name, query in QUERIES.items():
                times, suggestion = [], None
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    response = index.search(SearchRequest(query=query))
                    times.append(time.perf_counter() - started)
                    suggestion = response.suggestion
                results[name] = {
                    "slowest_s": round(max(times), 3),
                    "first_s": round(times[0], 3),
                    "fastest_s": round(min(times), 3),
                    "suggestion": (suggestion or "")[:60],
                }
    finally:
        store.close()
    print(json.dumps({"articles": store_count(args.data_dir), "queries": results}, indent=1))


def store_count(data_dir: Path) -> int:
    store = ArchiveStore.open(data_dir)
    try:
        return store.count()
    finally:
        store.close()


if __name__ == "__main__":
    main()
