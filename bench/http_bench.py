"""Faceted search over HTTP: requests/s and latency of `pressearchiv serve` with N workers.

Usage (from the repository root, on an archive that already has its index):

    python bench/http_bench.py --data-dir /tmp/rel/data --workers 1 --workers 2 \
        --connections 16 --seconds 20 --rounds 2
    # older checkouts (each with its own .venv) against this one, alternating:
    python bench/http_bench.py --data-dir /tmp/rel/data --workers 2 \
        --code /work/old --code . --seconds 20 --rounds 3

For each round and each worker count (alternating, so that the machine's
load falls on every setting alike) it starts a real `pressearchiv serve`
process on a free loopback port, waits until every worker answers, warms it
up with one pass of the queries, and then keeps ``--connections`` keep-alive
connections busy for ``--seconds`` (with wrk by default, else an httpx
client) with the faceted queries of
``bench/workload.py`` (date filter 2020-03…2020-12, facets, 20 hits with
snippets), each connection sending its next request when the last one is
answered. It reports requests/s, latency percentiles, the statuses seen,
how many of the machine's cores the service used (CPU seconds of the owner and
its workers over wall seconds), their CPU per request, and how the connections
were spread over the processes halfway through (``ss``). The client runs on
the same machine and takes its own share of the cores: compare settings
within one run, not across runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from workload import QUERIES, machine

ROOT = Path(__file__).resolve().parents[1]
DATE_FROM, DATE_TO = "2020-03", "2020-12"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of ``pid`` and its living descendants (from /proc)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pending.extend(int(c) for c in children)
    return total


def params(query: str) -> dict[str, str]:
    return {"q": query, "from": DATE_FROM, "to": DATE_TO, "size": "20"}


def tree_pids(pid: int) -> list[int]:
    """``pid`` and its living descendants (from /proc)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found.append(current)
        pending.extend(int(c) for c in children)
    return found


def tree_memory(pid: int) -> list[dict[str, object]]:
    """Resident (RSS) and proportional (PSS: shared pages divided among their
    users) memory of ``pid`` and each descendant, in MiB, from smaps_rollup."""
    rows: list[dict[str, object]] = []
    for current in tree_pids(pid):
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            command = Path(f"/proc/{current}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        kib = {
            line.split(":")[0]: int(line.split()[1])
            for line in rollup.splitlines()
            if line.split(":")[0] in ("Rss", "Pss")
        }
        rows.append(
            {
                "pid": current,
                "command": " ".join(c.decode(errors="replace") for c in command[:6] if c)[-80:],
                "rss_mib": round(kib.get("Rss", 0) / 1024, 1),
                "pss_mib": round(kib.get("Pss", 0) / 1024, 1),
            }
        )
    return rows


def connections_by_process(port: int) -> list[int]:
    """How many established connections to ``port`` each process holds (ss),
    largest first: uvicorn's workers share one listening socket, and whichever
    wakes first accepts a whole burst of new connections."""
    found = subprocess.run(
        ["ss", "-Htnp", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
    ).stdout
    per: Counter[str] = Counter()
    for line in found.splitlines():
        if "pid=" in line:
            per[line.split("pid=")[1].split(",")[0]] += 1
    return sorted(per.values(), reverse=True)


def start_service(
    command: list[str],
    env: dict[str, str],
    url: str,
    timeout: float = 600,
    cwd: Path | None = None,
) -> tuple[subprocess.Popen[bytes], float]:
    """Start a search service and time it from the process start to the first
    200 of a faceted search (each try on a new connection, every 10 ms).
    ``cwd``: where it runs (``python -m`` looks for packages there first)."""
    import http.client
    from urllib.parse import urlencode, urlsplit

    parts = urlsplit(url)
    path = f"/api/search?{urlencode(params(QUERIES[0]))}"
    started = time.perf_counter()
    server = subprocess.Popen(
        command,
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    while True:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        try:
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return server, time.perf_counter() - started
        except OSError:
            pass
        finally:
            connection.close()
        if time.perf_counter() - started > timeout or server.poll() is not None:
            stop_service(server)
            raise SystemExit(f"{' '.join(command)} did not answer a search")
        time.sleep(0.01)


def stop_service(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def pressearchiv_service(
    data_dir: Path, workers: int, port: int, code: Path | None = None
) -> tuple[list[str], dict[str, str]]:
    """The command and environment of `pressearchiv serve` on ``data_dir``; with
    ``code``, that checkout's, run by its own ``.venv`` (else this one's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSEARCHIV_")}
    env.update(
        PRESSEARCHIV_DATA_DIR=str(data_dir),
        PRESSEARCHIV_WORKERS=str(workers),
        PRESSEARCHIV_SEED_SAMPLES="false",
        PYTHONPATH=str(code or ROOT),
    )
    python = str(code / ".venv" / "bin" / "python") if code else sys.executable
    return [python, "-m", "pressearchiv.cli", "serve", "--port", str(port)], env


def warm_up(url: str, workers: int) -> None:
    """Each query a few times on new connections, which the kernel spreads
    over the workers, so that every worker has read its postings."""
    for _ in range(2 * workers):
        for query in QUERIES:
            httpx.get(f"{url}/api/search", params=params(query), timeout=60)


async def connection(
    url: str, stop_at: float, latencies: list[float], statuses: Counter[int], offset: int
) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        n = offset
        while time.monotonic() < stop_at:
            query = QUERIES[n % len(QUERIES)]
            n += 1
            started = time.perf_counter()
            try:
                response = await client.get("/api/search", params=params(query))
                statuses[response.status_code] += 1
            except httpx.HTTPError:
                statuses[0] += 1
                continue
            latencies.append(time.perf_counter() - started)


async def load(url: str, connections: int, seconds: float) -> tuple[list[float], Counter[int]]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    stop_at = time.monotonic() + seconds
    await asyncio.gather(
        *(connection(url, stop_at, latencies, statuses, i) for i in range(connections))
    )
    return latencies, statuses


def wrk_load(url: str, connections: int, seconds: float) -> dict[str, object]:
    """The same load from wrk (C, Debian's `wrk`), which leaves the cores to the service."""
    import re
    import tempfile
    from urllib.parse import urlencode

    paths = [f"/api/search?{urlencode(params(q))}" for q in QUERIES]
    script = "paths = {" + ", ".join(json.dumps(p) for p in paths) + "}\n"
    script += (
        "n = 0\nrequest = function()\n  n = n + 1\n"
        "  return wrk.format('GET', paths[(n % #paths) + 1])\nend\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--latency",
                "-s",
                lua.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def ms(label: str) -> float:
        found = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not found:
            return float("nan")
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
        return round(float(found.group(1)) * scale, 1)

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "requests_per_s": float(rate.group(1)) if rate else float("nan"),
        "p50_ms": ms("50%"),
        "p99_ms": ms("99%"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def run_one(
    data_dir: Path,
    workers: int,
    connections: int,
    seconds: float,
    client: str,
    code: Path | None = None,
) -> dict[str, object]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command, env = pressearchiv_service(data_dir, workers, port, code)
    server = subprocess.Popen(
        command,
        env=env,
        cwd=code,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                status = httpx.get(f"{url}/api/stats", timeout=5).json()["index"]
                if status["in_step"]:
                    break
            except (httpx.HTTPError, KeyError, ValueError):
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the service with {workers} worker(s) did not come up")
            time.sleep(0.2)
        # Warm-up: each query a few times on new connections, which the kernel
        # spreads over the workers, so that every worker has read its postings.
        for _ in range(2 * workers):
            for query in QUERIES:
                httpx.get(f"{url}/api/search", params=params(query), timeout=30)
        cpu_before, wall_before = tree_cpu_seconds(server.pid), time.monotonic()
        spread: list[int] = []
        sampler = threading.Timer(seconds / 2, lambda: spread.extend(connections_by_process(port)))
        sampler.start()
        if client == "wrk":
            measured = wrk_load(url, connections, seconds)
        else:
            latencies, statuses = asyncio.run(load(url, connections, seconds))
            measured = {
                "requests_per_s": round(len(latencies) / (time.monotonic() - wall_before), 1),
                "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
                "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
                "statuses": dict(sorted(statuses.items())),
            }
        wall = time.monotonic() - wall_before
        cpu = tree_cpu_seconds(server.pid) - cpu_before
        rate = float(str(measured["requests_per_s"]))
        sampler.join()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
    return {
        "code": str(code or ROOT),
        "workers": workers,
        "client": client,
        **measured,
        "server_cores_used": round(cpu / wall, 2),
        # Requests/s times the wall seconds: the client's count, by its own clock.
        "server_cpu_ms_per_request": round(cpu * 1000 / max(rate * wall, 1.0), 3),
        "connections_per_process": spread,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="an archive with its index")
    parser.add_argument("--workers", type=int, action="append", help="repeatable (default 1, 2)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--client",
        choices=["wrk", "httpx"],
        default="wrk",
        help="wrk (apt-get install wrk; C, light) or an httpx asyncio client (uses a core)",
    )
    parser.add_argument(
        "--code",
        type=Path,
        action="append",
        help="repeatable: a checkout (with its own .venv) to measure in turn (default: this one)",
    )
    args = parser.parse_args()
    settings = [(w, c) for c in (args.code or [None]) for w in (args.workers or [1, 2])]
    results = []
    for round_ in range(args.rounds):
        order = settings if round_ % 2 == 0 else list(reversed(settings))
        for workers, code in order:
            result = run_one(
                args.data_dir, workers, args.connections, args.seconds, args.client, code
            )
            result["round"] = round_ + 1
            print(json.dumps(result), flush=True)
            results.append(result)
    load1 = os.getloadavg()[0]
    summary = {"machine": machine(), "load_after": round(load1, 2), "runs": results}
    print(json.dumps(summary, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
