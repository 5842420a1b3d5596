r"""Growth: one archive grown step by step to 20k, 100k, 300k and 1M articles.

Usage (from the repository root):

    python bench/growth.py --corpus ../shared/corpora/fang-covid/fang_covid_articles.jsonl.xz \
        --sizes 20000 100000 300000 1000000 --workdir /tmp/growth --keep 20000 100000

The articles are those of ``bench/search_bench.py`` and ``bench/ingest_bench.py``
(fang-covid; above 41,242 the records repeat with ``[Kopie n]`` appended and the
date shifted back a year per copy). One data folder grows as an archive does:
each step writes the next records as a JSON Lines export into the work folder
(never into the project) and runs ``pressearchiv ingest`` of it into the same
data folder, so the archive at 100k holds exactly the first 100,000 records,
and the step's rate is that of adding them to an archive of the size before.
After each step, with no service running:

1. **ingest**: wall and CPU seconds of the command (it returns when its index
   holds everything), articles per second, peak memory of the command and its
   bulk workers (``/proc`` every 0.1 s);
2. **stories**: the command leaves the story assignment of what it added to the
   next start; here the index is opened in this process and the catch-up timed
   (``SearchIndex.wait_stories``), so that no later measurement competes with it;
3. **in-process queries**: the 20 faceted queries of ``bench/workload.py`` (date
   filter 2020-03…2020-12, outlet/year/month facets, 20 hits with snippets), once
   cold, then ``--repeat`` times warm: wall and CPU percentiles;
4. **sizes on disk**: the archive database, the index, the story state;
5. **over HTTP**, for each ``--workers`` count: ``pressearchiv serve`` started
   and timed to its first 200 of a faceted search, warmed up, RSS and PSS of
   every process (owner, workers), then ``--connections`` connections of wrk for
   ``--seconds`` (requests/s, p50, p99, non-2xx, cores used), memory again.

``--keep`` copies the data folder after the named sizes (for other benchmarks).
While ``--hold-file`` exists, the next step waits before it starts (to keep
the machine free for a benchmark that should not run beside an ingest).
One JSON line per step goes to stdout and to ``--out``. A stopped run resumes
with the step it was in (``records-done`` in the work folder names the records
taken; the ingest stores only what is missing and indexes from its last commit).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

from http_bench import (
    free_port,
    pressearchiv_service,
    start_service,
    stop_service,
    tree_cpu_seconds,
    tree_memory,
    warm_up,
    wrk_load,
)
from ingest_bench import read_records, run_sampled, write_export
from search_bench import code_version, dated_requests, percentiles, timed
from workload import machine

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex


def folder_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (or of the file)."""
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def ingest(export: Path, data_dir: Path) -> dict[str, object]:
    """``pressearchiv ingest`` of ``export`` into ``data_dir``: time, rate, peak memory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSEARCHIV_")}
    env["PRESSEARCHIV_SEED_SAMPLES"] = "false"
    command = [sys.executable, "-m", "pressearchiv.cli", "ingest", "--data-dir", str(data_dir)]
    command += ["--no-progress", str(export)]
    cpu = children_cpu()
    run = run_sampled(command, env, data_dir.parent)
    seconds, out = run.seconds, run.out
    added = int(out.split()[0]) if out.split() and out.split()[0].isdigit() else 0
    cpu_seconds = children_cpu() - cpu
    return {
        "returncode": run.returncode,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu_seconds, 1),
        "added": added,
        "articles_per_s": round(added / seconds, 1),
        "articles_per_cpu_s": round(added / cpu_seconds, 1) if cpu_seconds else None,
        "peak_tree_rss_mib": round(run.peak / 2**20),
        "stdout": out.strip().splitlines()[-2:],
        "stderr_tail": run.err.strip().splitlines()[-2:],
    }


def in_process(data_dir: Path, repeat: int) -> dict[str, object]:
    """Story catch-up, then the faceted queries in this process."""
    result: dict[str, object] = {}
    with ArchiveStore.open(data_dir) as store:
        started = time.perf_counter()
        with SearchIndex.open(data_dir / "index", store) as ix:
            assert ix.wait_indexed(store.max_seq(), timeout=7200)
            result["open_and_indexed_s"] = round(time.perf_counter() - started, 2)
            assert ix.wait_stories(store.max_seq(), timeout=7200)
            result["stories_caught_up_s"] = round(time.perf_counter() - started, 1)
            # The owner writes posting files in the background; wait, so that
            # no later measurement competes with it.
            assert ix.wait_posting_files(timeout=7200)
            result["posting_files_written_s"] = round(time.perf_counter() - started, 1)
            requests = dated_requests()
            runs = {
                "cold": [timed(ix, r) for r in requests],
                "warm": [timed(ix, r) for _ in range(repeat) for r in requests],
            }
        result["articles"] = store.count()
    for name, found in runs.items():
        result[f"{name}_wall_ms"] = {
            k: round(v, 1) for k, v in percentiles([w for _, w, _ in found]).items()
        }
        result[f"{name}_cpu_ms"] = {
            k: round(v, 1) for k, v in percentiles([c for _, _, c in found]).items()
        }
    result["totals"] = [t for t, _, _ in runs["cold"]]
    return result


def over_http(data_dir: Path, workers: int, connections: int, seconds: float) -> dict[str, object]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command, env = pressearchiv_service(data_dir, workers, port)
    server, first_answer = start_service(command, env, url)
    try:
        warm_up(url, workers)
        warm = tree_memory(server.pid)
        cpu_before, wall_before = tree_cpu_seconds(server.pid), time.monotonic()
        measured = wrk_load(url, connections, seconds)
        wall = time.monotonic() - wall_before
        cpu = tree_cpu_seconds(server.pid) - cpu_before
        loaded = tree_memory(server.pid)
    finally:
        stop_service(server)
    return {
        "workers": workers,
        "start_to_first_answer_s": round(first_answer, 3),
        **measured,
        "server_cores_used": round(cpu / wall, 2),
        "memory_after_warm_up": warm,
        "memory_after_load": loaded,
        "load_after": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000, 300_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/growth"))
    parser.add_argument("--keep", type=int, nargs="*", default=[], help="copy data at these sizes")
    parser.add_argument("--workers", type=int, action="append", help="repeatable (default 1, 2)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--repeat", type=int, default=5, help="warm runs of the query list")
    parser.add_argument("--hold-file", type=Path, help="wait before each step while it exists")
    parser.add_argument("--out", type=Path, help="append one JSON line per step here")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    data_dir = args.workdir / "data"
    records = read_records(args.corpus)
    header = {"machine": machine(), "command": " ".join(sys.argv), "code": code_version()}
    print(json.dumps(header), flush=True)
    if args.out:
        with args.out.open("a") as fh:
            fh.write(json.dumps(header) + "\n")
    # Records taken so far (not the archive's count: duplicates are not stored).
    done = args.workdir / "records-done"
    have = int(done.read_text()) if done.exists() and data_dir.exists() else 0
    for size in sorted(args.sizes):
        if size <= have:
            continue
        while args.hold_file and args.hold_file.exists():
            time.sleep(5)
        step: dict[str, object] = {"size": size, "load_before": os.getloadavg()}
        started = time.perf_counter()
        export = write_export(records, have, size, args.workdir / f"records-{have}-{size}.jsonl")
        step["export_s"] = round(time.perf_counter() - started, 1)
        step["ingest"] = ingest(export, data_dir)
        export.unlink()  # kept if the run is stopped: running again resumes this step
        step["load_after_ingest"] = os.getloadavg()
        step["in_process"] = in_process(data_dir, args.repeat)
        mib = {
            part: round(sum(folder_bytes(p) for p in data_dir.glob(part)) / 2**20, 1)
            for part in ("archive.sqlite3*", "index", "index.stories")
        }
        step["disk_mib"] = {**mib, "all": round(folder_bytes(data_dir) / 2**20, 1)}
        step["index_files"] = sum(1 for f in (data_dir / "index").iterdir())
        step["http"] = [
            over_http(data_dir, w, args.connections, args.seconds) for w in args.workers or [1, 2]
        ]
        if size in args.keep:
            target = args.workdir / f"data-{size}"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(data_dir, target)
        have = size
        done.write_text(str(size))
        print(json.dumps(step), flush=True)
        if args.out:
            with args.out.open("a") as fh:
                fh.write(json.dumps(step) + "\n")


if __name__ == "__main__":
    main()
