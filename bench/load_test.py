"""Load test: concurrent uploads and faceted searches against a real `pressearchiv serve`.

Usage (from the repository root):

    python bench/load_test.py \
        --corpus ../shared/corpora/fang-covid/fang_covid_articles.jsonl.xz \
        --articles 20000 --duration 60

1. Builds a data dir in a temporary folder (outside the project) from the first
   ``--articles`` corpus lines, through ``pressearchiv ingest`` on a temporary
   JSONL file; the corpus itself is never copied into the project.
2. Starts ``pressearchiv serve`` on a free loopback port.
3. For ``--duration`` seconds: ``--uploaders`` clients upload DISTINCT articles
   (corpus lines after the first ``--articles``, then wikinews-de articles), as
   single JSON files and as JSONL batches, while ``--searchers`` clients search
   with outlet filters, date ranges, sorts and pages. Every ``--sample-every``-th
   acknowledged upload is polled by an exact phrase until it is found
   (upload-to-searchable latency).
4. Verifies that every acknowledged article is in the store (GET /api/articles/id),
   that the index is in step with the store (/api/stats), and that each is found
   by an exact phrase of five consecutive words from its stored text.
5. Prints a summary and writes it to ``--output`` (default ``./load-results.md``);
   reviewed figures go into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import lzma
import os
import random
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from workload import QUERIES, machine

ROOT = Path(__file__).resolve().parents[1]

SEARCHES = [*QUERIES, ""]  # and browsing: newest first, with facets
DATE_RANGES = [
    (None, None),
    ("2020", None),
    ("2020-03", "2020-06"),
    ("2020-04-01", "2020-12-31"),
    (None, "2020-09"),
    ("2021", "2021"),
]
SORTS = [None, "relevance", "newest", "oldest"]
WORD = re.compile(r"^[A-Za-zÄÖÜäöüß]{4,}$")
SHORT_WORD = re.compile(r"^[A-Za-zÄÖÜäöüß]{2,}$")


# -- data --------------------------------------------------------------------


def corpus_lines(path: Path) -> Iterator[str]:
    opener = lzma.open if path.suffix == ".xz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield line


def upload_record(record: dict, n: int) -> dict | None:  # type: ignore[type-arg]
    """An upload document from a corpus record (fang-covid or wikinews)."""
    text = (record.get("text") or "").strip()
    if len(text.split()) < 40:
        return None
    out = {"title": record.get("title") or None, "text": text, "url": record.get("url")}
    day = record.get("day") or (record.get("date") or "")[:10] or None
    if day:
        out["date"] = day
    if record.get("source"):
        out["source"] = record["source"]
    return {k: v for k, v in out.items() if v}


def phrase_from(text: str, rng: random.Random) -> str | None:
    """Five consecutive plain words (letters only) from ``text``, preferring long ones."""
    words = text.split()
    windows = []
    for pattern in (WORD, SHORT_WORD):  # long words first; short ones if there are none
        for i in range(len(words) - 4):
            window = words[i : i + 5]
            if all(pattern.match(w) for w in window):
                windows.append((sum(len(w) for w in window), i))
        if windows:
            break
    if not windows:
        return None
    windows.sort(reverse=True)
    _, i = rng.choice(windows[: max(1, len(windows) // 4)])
    return " ".join(words[i : i + 5])


class Supply:
    """Thread-safe source of distinct upload documents."""

    def __init__(self, docs: list[dict]) -> None:  # type: ignore[type-arg]
        self._docs = iter(docs)
        self._lock = threading.Lock()
        self.used = 0

    def take(self, n: int) -> list[dict]:  # type: ignore[type-arg]
        with self._lock:
            got = list(itertools.islice(self._docs, n))
            self.used += len(got)
            return got


# -- measurements ----------------------------------------------------------------


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    search_latency: list[float] = field(default_factory=list)
    upload_latency: list[float] = field(default_factory=list)
    searchable_latency: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)  # type: ignore[type-arg]
    transport_errors: Counter = field(default_factory=Counter)  # type: ignore[type-arg]
    acknowledged: dict = field(default_factory=dict)  # type: ignore[type-arg] # id -> sent doc
    results: Counter = field(default_factory=Counter)  # type: ignore[type-arg]
    timed_out: int = 0
    not_found_in_poll: list = field(default_factory=list)  # type: ignore[type-arg]
    searches: int = 0
    uploads: int = 0
    polls: int = 0
    acks_not_indexed: int = 0  # acknowledged before the index caught up (the 10 s wait ran out)
    server_errors: list = field(default_factory=list)  # type: ignore[type-arg]

    def record(self, kind: str, status: int, elapsed: float, text: str) -> None:
        with self.lock:
            self.statuses[(kind, status)] += 1
            if status >= 500:
                self.server_errors.append((kind, status, text[:600]))


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0, "mean": 0.0}
    ordered = sorted(values)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    return {
        "n": len(ordered),
        "p50": pick(0.50) * 1000,
        "p95": pick(0.95) * 1000,
        "p99": pick(0.99) * 1000,
        "max": ordered[-1] * 1000,
        "mean": statistics.fmean(ordered) * 1000,
    }


# -- clients ---------------------------------------------------------------------


def find_by_phrase(
    client: httpx.Client, article_id: str, phrase: str, outlet: str | None, pages: int = 3
) -> bool:
    params: dict[str, str] = {"q": f'"{phrase}"', "size": "100"}
    if outlet:
        params["outlet"] = outlet
    for page in range(1, pages + 1):
        params["page"] = str(page)
        r = client.get("/api/search", params=params)
        if r.status_code != 200:
            return False
        body = r.json()
        if any(hit["id"] == article_id for hit in body["hits"]):
            return True
        if page * 100 >= body["total"]:
            return False
    return False


def searcher(base: str, deadline: float, seed: int, outlets: list[str], stats: Stats) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=60) as client:
        while time.monotonic() < deadline:
            params: list[tuple[str, str | int | float | bool | None]] = []
            q = rng.choice(SEARCHES)
            if q:
                params.append(("q", q))
            for outlet in rng.sample(outlets, k=min(len(outlets), rng.choice([0, 0, 1, 1, 2]))):
                params.append(("outlet", outlet))
            date_from, date_to = rng.choice(DATE_RANGES)
            if date_from:
                params.append(("from", date_from))
            if date_to:
                params.append(("to", date_to))
            sort = rng.choice(SORTS)
            if sort:
                params.append(("sort", sort))
            params.append(("page", str(rng.choice([1, 1, 1, 2, 3]))))
            params.append(("size", str(rng.choice([10, 20, 50]))))
            start = time.monotonic()
            try:
                r = client.get("/api/search", params=params)
            except httpx.HTTPError as exc:
                with stats.lock:
                    stats.transport_errors[("search", type(exc).__name__)] += 1
                continue
            elapsed = time.monotonic() - start
            stats.record("search", r.status_code, elapsed, f"{r.request.url} -> {r.text}")
            with stats.lock:
                stats.searches += 1
                stats.search_latency.append(elapsed)
                if r.status_code == 200 and r.json().get("timed_out"):
                    stats.timed_out += 1


def uploader(
    base: str, deadline: float, seed: int, supply: Supply, sample_every: int, stats: Stats
) -> None:
    rng = random.Random(seed)
    counter = 0
    with httpx.Client(base_url=base, timeout=120) as client:
        while time.monotonic() < deadline:
            counter += 1
            shape = rng.choice(["single", "single", "jsonl", "files"])
            n = 1 if shape == "single" else rng.randint(2, 5)
            docs = supply.take(n)
            if not docs:
                return
            if shape == "jsonl":
                body = "\n".join(json.dumps(d, ensure_ascii=False) for d in docs).encode()
                files = [("file", (f"batch-{seed}-{counter}.jsonl", body, "application/x-ndjson"))]
            else:
                files = [
                    (
                        "file",
                        (
                            f"article-{seed}-{counter}-{i}.json",
                            json.dumps(d, ensure_ascii=False).encode(),
                            "application/json",
                        ),
                    )
                    for i, d in enumerate(docs)
                ]
            sent = time.monotonic()
            try:
                r = client.post("/api/articles", files=files)
            except httpx.HTTPError as exc:
                with stats.lock:
                    stats.transport_errors[("upload", type(exc).__name__)] += 1
                continue
            acked = time.monotonic()
            stats.record("upload", r.status_code, acked - sent, r.text)
            with stats.lock:
                stats.uploads += 1
                stats.upload_latency.append(acked - sent)
            if r.status_code not in (200, 201):
                continue
            summary = r.json()
            results = summary["results"]
            created = []
            with stats.lock:
                stats.acks_not_indexed += not summary["indexed"]
                for item in results:
                    stats.results[item["result"]] += 1
                    if item["result"] in ("created", "duplicate") and item["id"]:
                        stats.acknowledged[item["id"]] = item
                        if item["result"] == "created":
                            created.append(item["id"])
            if created and counter % sample_every == 0:
                # Upload-to-searchable: poll by a phrase of the stored text until found.
                article_id = created[0]
                stored = client.get(f"/api/articles/{article_id}").json()
                phrase = phrase_from(stored["text"], rng)
                if phrase is None:
                    continue
                poll_deadline = time.monotonic() + 30
                found = False
                while time.monotonic() < poll_deadline:
                    with stats.lock:
                        stats.polls += 1
                    if find_by_phrase(client, article_id, phrase, stored["outlet"], pages=1):
                        found = True
                        break
                    time.sleep(0.05)
                with stats.lock:
                    if found:
                        stats.searchable_latency.append(time.monotonic() - sent)
                    else:
                        stats.not_found_in_poll.append(article_id)


# -- server ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSEARCHIV_")}
    env.update(
        {
            "PRESSEARCHIV_DATA_DIR": str(data_dir),
            "PRESSEARCHIV_SEED_SAMPLES": "false",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def wait_healthy(base: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not healthy after {timeout} s")


def wait_in_step(base: str, timeout: float) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    stats: dict = {}  # type: ignore[type-arg]
    while time.monotonic() < deadline:
        stats = httpx.get(f"{base}/api/stats", timeout=10).json()
        if stats["index"]["in_step"] and not stats["index"]["pending"]:
            return stats
        time.sleep(0.5)
    return stats


def _ticks(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(server_pid: int) -> dict[str, float]:
    """Busy and idle CPU seconds of the machine, the server and this process."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = (values[3] + values[4]) / tick  # idle + iowait
    busy = (sum(values[:8]) / tick) - idle
    return {
        "busy": busy,
        "idle": idle,
        "server": _ticks(server_pid),
        "clients": _ticks(os.getpid()),
    }


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    d = {k: after[k] - before[k] for k in before}
    return {
        "server": d["server"],
        "clients": d["clients"],
        "other": max(d["busy"] - d["server"] - d["clients"], 0.0),
        "idle": d["idle"],
        "capacity": d["busy"] + d["idle"],
    }


def code_state() -> str:
    """The commit, and which product files differ from it (others may be editing the tree)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--short", "--", "archive", "index", "web", "pressearchiv"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.split("\n")
    except OSError:
        return "unknown (no git)"
    changed = [line[3:] for line in status if line.strip()]
    if not changed:
        return f"commit {head}, clean"
    return f"commit {head} plus uncommitted changes in {', '.join(changed)}"


# -- main ------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--uploaders", type=int, default=8)
    parser.add_argument("--searchers", type=int, default=16)
    parser.add_argument("--sample-every", type=int, default=3)
    parser.add_argument(
        "--extra",
        type=Path,
        default=ROOT.parent / "shared/corpora/wikinews-de/wikinews_de_quotation_subset.jsonl",
        help="more articles to upload once the corpus is used up",
    )
    parser.add_argument("--workdir", type=Path, help="default: a new temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--no-reindex",
        action="store_true",
        help="leave indexing to the server's start-up repair instead of `pressearchiv reindex`",
    )
    parser.add_argument("--output", type=Path, help="default: ./load-results.md")
    args = parser.parse_args(argv)
    command = "python bench/load_test.py " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pressearchiv-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir = workdir / "data"
    log = workdir / "serve.log"
    try:
        return run(args, command, workdir, data_dir, log)
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, command: str, workdir: Path, data_dir: Path, log: Path) -> int:
    rng = random.Random(1)
    # Seed JSONL (temporary, outside the project) and the distinct upload supply.
    seed_file = workdir / "seed.jsonl"
    upload_docs: list[dict] = []  # type: ignore[type-arg]
    lines = corpus_lines(args.corpus)
    with seed_file.open("w", encoding="utf-8") as out:
        for line in itertools.islice(lines, args.articles):
            out.write(line)
    for n, line in enumerate(itertools.islice(lines, 15000)):
        doc = upload_record(json.loads(line), n)
        if doc:
            upload_docs.append(doc)
    if args.extra and args.extra.exists():
        for n, line in enumerate(corpus_lines(args.extra)):
            doc = upload_record(json.loads(line), n)
            if doc:
                upload_docs.append(doc)
    print(f"upload supply: {len(upload_docs)} distinct documents", flush=True)

    env = server_env(data_dir)
    t0 = time.monotonic()
    ingest = subprocess.run(
        [sys.executable, "-m", "pressearchiv.cli", "ingest", "--no-progress", str(seed_file)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    ingest_seconds = time.monotonic() - t0
    summary_line = ingest.stdout.strip().splitlines()[-1] if ingest.stdout.strip() else ""
    ingest_note = ingest.stderr.strip().splitlines()[-1] if ingest.stderr.strip() else ""
    print(f"ingest: {summary_line} in {ingest_seconds:.1f} s ({ingest_note})", flush=True)
    seed_file.unlink()
    if not args.no_reindex:
        t0 = time.monotonic()
        reindex = subprocess.run(
            [sys.executable, "-m", "pressearchiv.cli", "reindex"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        reindex_seconds = time.monotonic() - t0
        reindex_line = reindex.stdout.strip().splitlines()[-1] if reindex.stdout.strip() else ""
        print(f"reindex: {reindex_line} in {reindex_seconds:.1f} s", flush=True)
        ingest_note += f"; then `pressearchiv reindex`: {reindex_line} in {reindex_seconds:.1f} s"

    code = code_state()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pressearchiv.cli", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=out,
            stdin=subprocess.DEVNULL,
        )
    try:
        wait_healthy(base, proc, timeout=600)
        before = wait_in_step(base, timeout=900)
        startup_seconds = time.monotonic() - t0
        print(
            f"server up in {startup_seconds:.1f} s: {before['total']} articles, "
            f"index {before['index']}",
            flush=True,
        )
        outlets = [o["value"] for o in before["by_outlet"][:30]]

        stats = Stats()
        supply = Supply(upload_docs)
        deadline = time.monotonic() + args.duration
        threads = [
            threading.Thread(
                target=uploader, args=(base, deadline, 100 + i, supply, args.sample_every, stats)
            )
            for i in range(args.uploaders)
        ] + [
            threading.Thread(target=searcher, args=(base, deadline, 200 + i, outlets, stats))
            for i in range(args.searchers)
        ]
        cpu_before = cpu_snapshot(proc.pid)
        load_start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.duration + 300)
        load_seconds = time.monotonic() - load_start
        cpu = cpu_delta(cpu_before, cpu_snapshot(proc.pid))
        print(f"load done in {load_seconds:.1f} s; verifying …", flush=True)

        verify = verify_acknowledged(base, stats, rng)
        after = wait_in_step(base, timeout=120)
        healthy = httpx.get(f"{base}/healthz", timeout=10).status_code == 200
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    report = render(
        args,
        command,
        stats,
        supply,
        verify,
        before,
        after,
        healthy,
        ingest_seconds,
        f"`{summary_line}` ({ingest_note})",
        startup_seconds,
        cpu,
        code,
        load_seconds,
    )
    print(report)
    output = args.output or Path.cwd() / "load-results.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    print(f"written to {output}")
    ok = not stats.server_errors and not verify["missing_store"] and not verify["not_findable"]
    return 0 if ok else 1


def verify_acknowledged(base: str, stats: Stats, rng: random.Random) -> dict:  # type: ignore[type-arg]
    """Every acknowledged id: in the store, and found by an exact phrase of its text."""
    missing_store: list[str] = []
    not_findable: list[str] = []
    no_phrase = 0
    with httpx.Client(base_url=base, timeout=60) as client:
        for article_id in sorted(stats.acknowledged):
            r = client.get(f"/api/articles/{article_id}")
            if r.status_code != 200:
                missing_store.append(article_id)
                continue
            stored = r.json()
            # Live blogs repeat paragraphs across articles, so a phrase can match
            # hundreds of them: try up to three phrases before calling it missing.
            phrases = [p for p in (phrase_from(stored["text"], rng) for _ in range(3)) if p]
            if not phrases:
                no_phrase += 1
                phrases = [" ".join(stored["text"].split()[:5])]
            if not any(find_by_phrase(client, article_id, p, stored["outlet"]) for p in phrases):
                not_findable.append(f"{article_id} ({phrases[0]!r})")
    return {
        "checked": len(stats.acknowledged),
        "missing_store": missing_store,
        "not_findable": not_findable,
        "no_phrase": no_phrase,
    }


def render(  # noqa: PLR0913
    args: argparse.Namespace,
    command: str,
    stats: Stats,
    supply: Supply,
    verify: dict,  # type: ignore[type-arg]
    before: dict,  # type: ignore[type-arg]
    after: dict,  # type: ignore[type-arg]
    healthy: bool,
    ingest_seconds: float,
    ingest_summary: str,
    startup_seconds: float,
    cpu: dict[str, float],
    code: str,
    load_seconds: float,
) -> str:
    m = machine()
    search = percentiles(stats.search_latency)
    upload = percentiles(stats.upload_latency)
    searchable = percentiles(stats.searchable_latency)
    total_requests = stats.searches + stats.uploads + stats.polls
    statuses = "\n".join(
        f"| {kind} | {status} | {count} |"
        for (kind, status), count in sorted(stats.statuses.items())
    )
    transport = (
        ", ".join(f"{k[0]} {k[1]}: {v}" for k, v in sorted(stats.transport_errors.items()))
        or "none"
    )
    server_errors = len(stats.server_errors)

    def row(name: str, p: dict) -> str:  # type: ignore[type-arg]
        return (
            f"| {name} | {p['n']} | {p['p50']:.0f} | {p['p95']:.0f} | {p['p99']:.0f} | "
            f"{p['max']:.0f} | {p['mean']:.0f} |"
        )

    lines = [
        "# Load test results",
        "",
        "Produced by `bench/load_test.py`; every figure below comes from the run described here.",
        "",
        "## Command and machine",
        "",
        "```sh",
        command,
        "```",
        "",
        f"- CPU: {m['cpu']}, nproc = {m['nproc']}",
        f"- RAM: {m['ram']}",
        f"- Python {m['python']} on {m['os']}",
        f"- Code under test (when the server started): {code}",
        "- Server: one `pressearchiv serve` process (uvicorn, one worker) on 127.0.0.1;"
        " the load clients (httpx, one thread each) run in a second process on the same machine.",
        "",
        "## Setup",
        "",
        f"- Ingest of the first {args.articles} corpus lines (`pressearchiv ingest`): "
        f"{ingest_summary}; the ingest itself took {ingest_seconds:.1f} s.",
        f"- Server start until healthy and index in step: {startup_seconds:.1f} s; "
        f"store {before['total']} articles, index {before['index']['index_count']}.",
        "",
        "## Load",
        "",
        f"- Duration: {args.duration:.0f} s of load ({load_seconds:.1f} s until every client"
        " finished its last request)",
        f"- Clients: {args.uploaders} uploaders (single JSON files, several files per request,"
        f" JSONL batches of 2–5), {args.searchers} searchers (20 German queries plus browsing,"
        " 0–2 outlet filters, date ranges, 4 sorts, pages 1–3, sizes 10/20/50)",
        f"- Requests: {total_requests} in total = {total_requests / load_seconds:.1f} req/s"
        f" ({stats.searches} searches = {stats.searches / load_seconds:.1f}/s,"
        f" {stats.uploads} upload requests = {stats.uploads / load_seconds:.1f}/s,"
        f" {stats.polls} searchability polls)",
        f"- Upload acknowledgements with `indexed: false` (the server's 10 s wait for the"
        f" index ran out): {stats.acks_not_indexed} of {stats.uploads}",
        f"- Upload documents sent: {supply.used}; per item: "
        + ", ".join(f"{k} {v}" for k, v in sorted(stats.results.items())),
        f"- Server errors (5xx): {server_errors}; transport errors: {transport};"
        f" searches cut short by the query timeout (`timed_out`): {stats.timed_out}",
        f"- CPU during the load, in core-seconds of {cpu['capacity']:.0f} available"
        f" ({m['nproc']} cores × {load_seconds:.0f} s): server {cpu['server']:.1f},"
        f" load clients {cpu['clients']:.1f}, other processes on the machine"
        f" {cpu['other']:.1f}, idle {cpu['idle']:.1f}",
        "",
        "### Latency (ms)",
        "",
        "| what | n | p50 | p95 | p99 | max | mean |",
        "|---|---|---|---|---|---|---|",
        row("search (GET /api/search)", search),
        row("upload ack (POST /api/articles)", upload),
        row("upload sent → found by phrase search", searchable),
        "",
        "The upload acknowledgement already waits until the index has the new articles"
        " (`web/ingest.py`, up to 10 s), so “found by phrase search” is the ack plus one"
        " GET /api/articles/{id} and the first successful phrase search.",
        f" Sampled: every upload request number divisible by {args.sample_every}, per client;"
        f" {len(stats.not_found_in_poll)} sampled articles were not found within 30 s"
        + (f" ({', '.join(stats.not_found_in_poll)})." if stats.not_found_in_poll else "."),
        "",
        "### Responses by status",
        "",
        "| kind | status | count |",
        "|---|---|---|",
        statuses,
        "",
        "## Verification after the load",
        "",
        f"- Acknowledged articles (created or duplicate) checked: {verify['checked']}",
        f"- Missing from the store: {len(verify['missing_store'])}",
        f"- Not found by an exact 5-word phrase of their stored text: "
        f"{len(verify['not_findable'])}"
        + (f" ({', '.join(verify['not_findable'][:10])})" if verify["not_findable"] else ""),
        f"- Store after the load: {after['total']} articles; index {after['index']['index_count']},"
        f" in step: {after['index']['in_step']}, pending: {after['index']['pending']}",
        f"- /healthz after the load: {'200' if healthy else 'NOT 200'}",
        "",
    ]
    if stats.server_errors:
        lines += ["## 5xx responses (first 10)", ""]
        lines += [f"- {k} {s}: `{t}`" for k, s, t in stats.server_errors[:10]]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
