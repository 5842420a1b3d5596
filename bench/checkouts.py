"""Timing one script in several checkouts in turn, each on a fresh copy of a data folder.

Used by ``bench/story_catch_up.py`` and ``bench/after_commit.py``: each run
gets the same input (a copy made just before it) and the checkouts alternate
round by round (A B, then B A), so that on a shared machine both see the same
load. The timed script runs with the checkout's own ``.venv``, so it measures
that checkout's code.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def arguments(doc: str, workdir: str) -> argparse.ArgumentParser:
    """The options every such benchmark takes: the data folder, the checkouts,
    the rounds and the work folder (``workdir`` by default)."""
    parser = argparse.ArgumentParser(description=doc.split("\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--code", type=Path, action="append", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path(workdir))
    return parser


def alternate(codes: list[Path], rounds: int) -> Iterator[tuple[int, Path]]:
    """(round, checkout) in the order to run them: forwards, then backwards."""
    for round_ in range(rounds):
        for code in codes if round_ % 2 == 0 else list(reversed(codes)):
            yield round_ + 1, code


def fresh_copy(source: Path, copy: Path, leave_out: tuple[str, ...] = ()) -> None:
    """Replace ``copy`` with a copy of ``source`` without the entries named in ``leave_out``."""
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns(*leave_out))


def commit_of(code: Path) -> str:
    """The checkout's commit, short."""
    found = subprocess.run(
        ["git", "-C", str(code), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return found.stdout.strip() or f"unknown ({code})"


def run_timed(code: Path, script: Path, args: list[str]) -> dict[str, Any]:
    """Run ``script`` with the checkout's Python in the checkout's folder; the
    JSON object it prints last, with the round's bookkeeping added by the caller."""
    load = os.getloadavg()[0]
    done = subprocess.run(
        [str(code.resolve() / ".venv/bin/python"), str(script), *args],
        cwd=code,
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    found["commit"] = commit_of(code)
    found["load_before"] = round(load, 1)
    found["load_after"] = round(os.getloadavg()[0], 1)
    return found
