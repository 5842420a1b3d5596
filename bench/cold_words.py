r"""The first use of a word: the 20 queries cold, then warm, in a fresh process.

Usage (from the repository root of the checkout to measure):

    python bench/cold_words.py --data-dir /tmp/hp/data100            # cold, then warm
    python bench/cold_words.py --data-dir /tmp/hp/data100 --build    # write posting files

Without ``--build``: opens the index read-only (no writer, no repair, no
posting file writer: what a worker process of ``serve --workers N`` does),
runs the 20 faceted queries of ``bench/workload.py`` once (cold: the first use
of each word in this process), then ``--repeat`` times more (warm). Prints
one JSON line: per-query cold wall and CPU ms, and percentiles of both runs.
Run it in a new process for every measurement, with the checkout's own
Python, so it measures that checkout's code.

With ``--build``: writes the posting file of every large segment that lacks
one, as the index's owner does in the background after it opens an index
built before posting files existed; prints the time per segment and the
files' size on disk. Do not run it beside a service that owns the index.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from search_bench import code_version, dated_requests, percentiles, timed
from workload import QUERIES

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import IndexOptions, SearchIndex


def cold_and_warm(data_dir: Path, repeat: int) -> dict[str, object]:
    requests = dated_requests()
    with ArchiveStore.open(data_dir) as store:
        started = time.perf_counter()
        with SearchIndex.open(data_dir / "index", store, read_only=True) as ix:
            opened = time.perf_counter() - started
            cold = [timed(ix, r) for r in requests]
            warm = [timed(ix, r) for _ in range(repeat) for r in requests]
    result: dict[str, object] = {"code": code_version(), "open_s": round(opened, 2)}
    for name, found in (("cold", cold), ("warm", warm)):
        for i, unit in ((1, "wall"), (2, "cpu")):
            values = [run[i] for run in found]
            result[f"{name}_{unit}_ms"] = {k: round(v, 1) for k, v in percentiles(values).items()}
            runs = repeat if name == "warm" else 1
            result[f"{name}_{unit}_total_ms"] = round(sum(values) / runs)  # per pass
    result["cold_per_query"] = {
        query: {"wall_ms": round(wall, 1), "cpu_ms": round(cpu, 1)}
        for query, (_, wall, cpu) in zip(QUERIES, cold, strict=True)
    }
    result["totals"] = [t for t, _, _ in cold]
    return result


def build(data_dir: Path) -> dict[str, object]:
    from pressearchiv.index.directory import open_dir
    from pressearchiv.index.mapped_postings import MappedPostings
    from pressearchiv.index.posting_files import postings_dir

    index_dir = data_dir / "index"
    files = MappedPostings(
        postings_dir(index_dir), IndexOptions().posting_file_documents, owner=True
    )
    segments: list[dict[str, object]] = []
    wall, cpu = time.perf_counter(), time.process_time()
    with open_dir(index_dir).searcher() as searcher:
        for sub, _ in searcher.leaf_searchers():
            reader = sub.reader()
            t, c = time.perf_counter(), time.process_time()
            size = files.build(reader)
            segments.append(
                {
                    "documents": reader.doc_count_all(),
                    "bytes": size,
                    "wall_s": round(time.perf_counter() - t, 2),
                    "cpu_s": round(time.process_time() - c, 2),
                }
            )
    on_disk = sum(p.stat().st_size for p in postings_dir(index_dir).iterdir())
    index_bytes = sum(p.stat().st_size for p in index_dir.iterdir())
    return {
        "code": code_version(),
        "segments": segments,
        "written": sum(1 for s in segments if s["bytes"]),
        "wall_s": round(time.perf_counter() - wall, 1),
        "cpu_s": round(time.process_time() - cpu, 1),
        "posting_files_mb": round(on_disk / 1e6, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "index_mb": round(index_bytes / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5, help="warm runs of the 20 queries")
    parser.add_argument("--build", action="store_true", help="write missing posting files")
    args = parser.parse_args()
    result = build(args.data_dir) if args.build else cold_and_warm(args.data_dir, args.repeat)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
