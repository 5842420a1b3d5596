r"""Where the start-up of a search process goes: imports, opening, first search.

Usage (from the repository root, on an archive with its index; run it a few
times, the first run also reads the files from disk):

    python bench/startup.py --data-dir /tmp/growth/data-100000

In a fresh interpreter it times, in order: importing what a worker of
`pressearchiv serve` imports (``pressearchiv.web.app``, which brings the index,
the archive, Whoosh, numpy, the lexicons, jinja2), opening the archive,
opening the index read-only as a worker does (the Whoosh segments, the numpy
columns, the saved story map), the first faceted search and the second one.
It prints one JSON line; the wall time of the whole is in ``total_s``.
``--profile`` runs the index open under cProfile and prints its top entries
(the open then takes longer than without it).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
from pathlib import Path  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument(
        "--profile", action="store_true", help="print cProfile's top entries of the index open"
    )
    args = parser.parse_args()
    laps: dict[str, float] = {}
    clock = [STARTED]

    def lap(name: str) -> None:
        now = time.perf_counter()
        laps[name] = round(now - clock[0], 3)
        clock[0] = now

    import pressearchiv.web.app  # noqa: F401
    from pressearchiv.archive.model import PartialDate
    from pressearchiv.archive.store import ArchiveStore
    from pressearchiv.index import SearchIndex, SearchRequest

    lap("imports_s")
    store = ArchiveStore.open(args.data_dir)
    lap("archive_open_s")
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        index = profiler.runcall(SearchIndex.open, args.data_dir / "index", store, read_only=True)
        lap("index_open_read_only_s")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(12)
        clock[0] = time.perf_counter()
    else:
        index = SearchIndex.open(args.data_dir / "index", store, read_only=True)
        lap("index_open_read_only_s")
    request = SearchRequest(
        query="Impfung",
        date_from=PartialDate.parse("2020-03"),
        date_to=PartialDate.parse("2020-12"),
        size=20,
    )
    index.search(request)
    lap("first_search_s")
    index.search(request)
    lap("second_search_s")
    index.close()
    store.close()
    laps["total_s"] = round(time.perf_counter() - STARTED, 3)
    rss = Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]
    print(
        json.dumps(
            {
                "data_dir": str(args.data_dir),
                **laps,
                "peak_rss_mib": round(int(rss) / 1024),
                "load": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
