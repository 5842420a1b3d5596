"""CPU time of one faceted search in-process, with and without snippets.

Usage (from the repository root, with the Python of the checkout to measure):

    .venv/bin/python bench/inprocess_cpu.py --data-dir DIR [--rounds 2] [--repeat 3]

Opens the archive in ``DIR`` and its index read-only, runs the 20 queries of
``bench/workload.py`` (date filter 2020-03…2020-12, facets, 20 hits) once to
warm up, then ``--repeat`` times each, alternating with and without snippets
for ``--rounds`` rounds. It reports the thread CPU time of each search
(``time.thread_time``): on a shared machine CPU time moves less with the
load than wall time does, though a busy machine still inflates it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from workload import QUERIES

from pressearchiv.archive.model import PartialDate
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex, SearchRequest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    store = ArchiveStore.open(args.data_dir)
    index = SearchIndex.open(args.data_dir / "index", store, read_only=True)
    first, last = PartialDate.parse("2020-03"), PartialDate.parse("2020-12")

    def request(query: str, snippets: bool) -> SearchRequest:
        return SearchRequest(query=query, date_from=first, date_to=last, size=20, snippets=snippets)

    try:
        for query in QUERIES:
            index.search(request(query, True))
        for _ in range(args.rounds):
            for snippets in (True, False):
                took = []
                for _ in range(args.repeat):
                    for query in QUERIES:
                        started = time.thread_time()
                        index.search(request(query, snippets))
                        took.append((time.thread_time() - started) * 1000)
                took.sort()
                print(
                    f"snippets={snippets}: CPU per search p50 {statistics.median(took):.2f} ms, "
                    f"p90 {took[int(len(took) * 0.9)]:.2f} ms, mean {statistics.mean(took):.2f} ms",
                    flush=True,
                )
    finally:
        index.close()
        store.close()


if __name__ == "__main__":
    main()
