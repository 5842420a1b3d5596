r"""Searching an archive whose files are not in memory: the first searches after a reboot,
or of an archive larger than the machine's memory.

Usage (from the repository root, as root: it empties the page cache; the data
folder is opened read-only):

    python bench/empty_page_cache.py --data-dir /tmp/growth/data \
        --code /tmp/old-checkout --code . --rounds 2

For each round and each ``--code`` checkout in turn (alternating), this writes
the dirty pages out and empties the kernel's page cache (``sync``, then ``1``
into ``/proc/sys/vm/drop_caches``), then, in a process of that checkout's
``.venv``: opens the archive and its index read-only (as a worker of
``pressearchiv serve`` does), runs the faceted queries of ``bench/workload.py``
once each (cold: disk and process), then once more (warm). It prints one JSON
line per run: the open's wall time, the first search, the cold searches' total
and percentiles, the warm total, and the bytes the process read from disk after
each step (``read_bytes`` of ``/proc/self/io``).

With ``--serve`` it also times ``pressearchiv serve --workers 2`` of the
checkout from its start to its first answered search (``bench/first_answer.py``
of this checkout), after emptying the cache again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from checkouts import alternate, arguments, commit_of, run_timed

# Run by each checkout's own interpreter, so that it measures that code.
_TIMED = """
import json, sys, time
from pathlib import Path
from pressearchiv.archive.model import PartialDate
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex, SearchRequest

def read_mb():
    for line in open("/proc/self/io"):
        if line.startswith("read_bytes:"):
            return round(int(line.split()[1]) / 1e6)

def quantile(values, q):
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

def main():
    data, queries = Path(sys.argv[1]), json.loads(sys.argv[2])
    first, last = PartialDate.parse("2020-03"), PartialDate.parse("2020-12")
    requests = [
        SearchRequest(query=q, date_from=first, date_to=last, size=20, snippets=True)
        for q in queries
    ]
    started = time.perf_counter()
    with ArchiveStore.open(data) as store, SearchIndex.open(
        data / "index", store, read_only=True
    ) as index:
        found = {"open_s": round(time.perf_counter() - started, 2), "open_read_mb": read_mb()}
        cold = []
        for request in requests:
            began = time.perf_counter()
            index.search(request)
            cold.append((time.perf_counter() - began) * 1000)
            if len(cold) == 1:
                found["first_search_ms"] = round(cold[0])
                found["first_search_read_mb"] = read_mb() - found["open_read_mb"]
        found["cold_total_s"] = round(sum(cold) / 1000, 2)
        found["cold_ms"] = {"p50": quantile(cold, .5), "p90": quantile(cold, .9),
                            "max": round(max(cold))}
        found["read_mb"] = read_mb()
        began = time.perf_counter()
        for request in requests:
            index.search(request)
        found["warm_total_ms"] = round((time.perf_counter() - began) * 1000)
    print(json.dumps(found))

main()
"""


def empty_page_cache() -> None:
    """Write dirty pages out, then drop every clean page the kernel holds."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("1\n")
    except OSError as exc:
        sys.exit(f"cannot empty the page cache ({exc.strerror}): run this as root")
    time.sleep(1.0)  # let the disk settle


def first_answer(code: Path, data_dir: Path) -> float:
    """Seconds from starting the checkout's service (two workers) to its first answer."""
    script = Path(__file__).resolve().with_name("first_answer.py")
    done = subprocess.run(
        [
            str(code.resolve() / ".venv/bin/python"),
            str(script),
            "--data-dir",
            str(data_dir),
            "--times",
            "1",
        ],
        cwd=code,
        capture_output=True,
        text=True,
        check=True,
    )
    # "start -> first answer: 0.867 s (workers=2)"
    return float(done.stdout.split(":")[1].split()[0])


def main() -> None:
    parser = arguments(__doc__, "/tmp/empty-page-cache")
    parser.add_argument(
        "--serve", action="store_true", help="also time serve --workers 2 to its first answer"
    )
    args = parser.parse_args()
    from workload import QUERIES  # bench/ is on the path when run as a script

    args.workdir.mkdir(parents=True, exist_ok=True)
    script = args.workdir / "timed.py"
    script.write_text(_TIMED)
    for round_, code in alternate(args.code, args.rounds):
        empty_page_cache()
        found = run_timed(code, script, [str(args.data_dir), json.dumps(QUERIES)])
        if args.serve:
            empty_page_cache()
            found["serve_first_answer_s"] = round(first_answer(code, args.data_dir), 2)
        print(json.dumps({"round": round_, "code": commit_of(code)} | found), flush=True)


if __name__ == "__main__":
    main()
