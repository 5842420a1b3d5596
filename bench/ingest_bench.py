r"""Benchmark: ``pressearchiv ingest`` of a big JSON Lines export, end to end.

Usage (from the repository root):

    python bench/ingest_bench.py \
        --corpus ../shared/corpora/fang-covid/fang_covid_articles.jsonl.xz \
        --articles 100000 --workdir /tmp/pressearchiv-ingest-bench \
        --code /tmp/pa-before --code . --rounds 2

It writes the export once into the work folder (never into the project):
``--articles`` records of the fang-covid corpus, repeated as ``bench/search_bench.py``
repeats them above the corpus size (the copy's number appended to the text, so its
id differs, and its date shifted back one year per copy). Then, for each
``--code`` checkout (default: this one), it runs ``python -m pressearchiv.cli ingest``
of that file into a fresh data folder, as a child process run by that checkout's
own ``.venv`` (``make install`` there), and reports:

* wall seconds until the command returned, and articles per second (added
  articles over that time);
* peak memory: the largest sum of the resident sets of the command and all its
  descendants (bulk workers), sampled every 0.1 s from ``/proc``; the largest sum
  of their proportional sets (PSS, ``/proc/PID/smaps_rollup``: a page shared by n
  processes counts 1/n in each, so shared libraries are not counted twice); and
  the largest resident set any one process of the tree had in those samples;
* what the command printed last (whether the index holds everything).

With several ``--code`` folders and ``--rounds`` > 1 the checkouts alternate, so
the machine's load (it is shared) falls on all of them alike.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import lzma
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path


def read_records(corpus: Path) -> list[dict[str, object]]:
    with lzma.open(corpus, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def export_record(records: list[dict[str, object]], n: int) -> dict[str, object]:
    """Record ``n`` of an export: above the corpus size a copy as search_bench
    makes it (``[Kopie n]`` appended, the date shifted back a year per copy)."""
    copy, rec = divmod(n, len(records))
    record = dict(records[rec])
    if copy:
        record["text"] = f"{record.get('text') or record.get('title')}\n[Kopie {copy}]"
        if record.get("day"):
            day = date.fromisoformat(str(record["day"]))
            shifted = day - timedelta(days=365 * copy)
            record["day"] = record["date"] = shifted.isoformat()
    return record


def write_export(records: list[dict[str, object]], start: int, stop: int, target: Path) -> Path:
    """Records ``start`` up to ``stop`` of the export as JSON Lines (kept if there)."""
    if target.exists():
        return target
    partial = target.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as out:
        for n in range(start, stop):
            out.write(json.dumps(export_record(records, n), ensure_ascii=False) + "\n")
    partial.rename(target)
    return target


def build_export(corpus: Path, size: int, target: Path) -> Path:
    """``size`` fang-covid records as JSON Lines, copies as search_bench makes them."""
    if target.exists():
        return target
    return write_export(read_records(corpus), 0, size, target)


def tree_pids(root: int) -> list[int]:
    """``root`` and all its descendants now (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(stat[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def memory_of(pid: int) -> tuple[int, int]:
    """(resident, proportional) bytes of one process now; (0, 0) once it is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith(b"Pss:"):
                    pss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, pss


@dataclasses.dataclass
class SampledRun:
    """A finished command: its output, wall seconds, and the peak of the summed
    resident memory of it and all its descendants (bytes)."""

    returncode: int
    out: str
    err: str
    seconds: float
    peak: int
    peak_pss: int = 0
    peak_single: int = 0


def run_sampled(command: list[str], env: dict[str, str], cwd: Path) -> SampledRun:
    """Run ``command`` to its end, sampling its process tree's memory every 0.1 s."""
    peak = peak_pss = peak_single = 0
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss, peak_single
        while not done.is_set():
            sizes = [memory_of(pid) for pid in tree_pids(proc.pid)]
            peak = max(peak, sum(rss for rss, _ in sizes))
            peak_pss = max(peak_pss, sum(pss for _, pss in sizes))
            peak_single = max([peak_single, *(rss for rss, _ in sizes)])
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return SampledRun(proc.returncode, out, err, seconds, peak, peak_pss, peak_single)


def run_ingest(code: Path, export: Path, workdir: Path) -> dict[str, object]:
    """One ``ingest`` of ``export`` into a fresh data folder with the checkout
    ``code``, run by that checkout's own ``.venv`` (``make install``), whose
    editable install maps its folders into the package."""
    data_dir = workdir / "data"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    python = code / ".venv" / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"{python} is missing: run `make install` in {code}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSEARCHIV_")}
    env["PRESSEARCHIV_SEED_SAMPLES"] = "false"
    command = [str(python), "-m", "pressearchiv.cli", "ingest", "--data-dir", str(data_dir)]
    command += ["--no-progress", str(export)]
    # Run from the work folder: from a checkout, ``-m`` would import that
    # folder's pressearchiv/ instead of the installed one.
    run = run_sampled(command, env, workdir)
    seconds, out = run.seconds, run.out
    added = int(out.split()[0]) if out.split() and out.split()[0].isdigit() else 0
    return {
        "code": str(code),
        "commit": _commit(code),
        "returncode": run.returncode,
        "seconds": round(seconds, 1),
        "added": added,
        "articles_per_s": round(added / seconds, 1),
        "peak_tree_rss_mb": round(run.peak / 2**20),
        "peak_tree_pss_mb": round(run.peak_pss / 2**20),
        "largest_process_rss_mb": round(run.peak_single / 2**20),
        "stdout": out.strip().splitlines()[-1:] if out.strip() else [],
        "stderr_tail": run.err.strip().splitlines()[-2:],
    }


def _commit(code: Path) -> str:
    """The commit of a git checkout, or of an export (``git archive``) whose
    ``COMMIT`` file names it."""
    named = code / "COMMIT"
    if named.is_file():
        return named.read_text().strip()
    found = subprocess.run(
        ["git", "-C", str(code), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
    )
    return found.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/pressearchiv-ingest-bench"))
    parser.add_argument("--code", type=Path, action="append", help="checkout(s) to measure")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    export = build_export(args.corpus, args.articles, args.workdir / f"fang-{args.articles}.jsonl")
    print(f"export: {export} ({export.stat().st_size / 2**20:.0f} MiB)", file=sys.stderr)
    checkouts = [c.resolve() for c in args.code or [Path(__file__).resolve().parents[1]]]
    for round_ in range(args.rounds):
        for checkout in checkouts:
            result = run_ingest(checkout, export, args.workdir)
            result["round"] = round_ + 1
            print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
