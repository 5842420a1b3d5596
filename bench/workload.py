"""What the benchmarks share: the fixed list of German queries, and the machine.

Both ``search_bench.py`` and ``load_test.py`` run as scripts, so this module is
imported by its plain name (the scripts' folder is on ``sys.path``).
"""

from __future__ import annotations

import os
import platform
from datetime import date
from pathlib import Path

__all__ = ["QUERIES", "machine"]

# Typical researcher queries on the COVID-era fang-covid corpus: single words,
# two-word ANDs, a phrase, a compound, a wildcard, OR and NOT.
QUERIES = [
    "Impfung",
    "Maskenpflicht",
    "Lockdown Schulen",
    "Gesundheitsamt",
    "Drosten",
    "Impfstoff AstraZeneca",
    "Quarantäne",
    "Intensivstationen",
    '"zweite Welle"',
    "Corona-Krise",
    "Merkel Ministerpräsidenten",
    "Bill Gates",
    "Impf*",
    "Ausgangssperre OR Ausgangsbeschränkungen",
    "Virus -China",
    "Testpflicht",
    "Inzidenz Landkreis",
    "Pflegeheim",
    "Demonstration Querdenker",
    "Wirtschaft Hilfen",
]


def _first(path: str, prefix: str) -> str | None:
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def machine() -> dict[str, str]:
    """Cores, CPU model, memory, Python and OS of this machine, and today's date."""
    mem = _first("/proc/meminfo", "MemTotal")
    return {
        "nproc": str(os.cpu_count()),
        "cpu": _first("/proc/cpuinfo", "model name") or "unknown",
        "ram": f"{int(mem.split()[0]) / 1024 / 1024:.1f} GiB" if mem else "unknown",
        "python": platform.python_version(),
        "os": platform.platform(),
        "date": date.today().isoformat(),
    }
