"""Real `pressearchiv` processes for resilience tests: start, wait, SIGKILL, restart.

Everything listens on 127.0.0.1 only, and every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

__all__ = ["Server", "alive", "free_port", "run_cli", "start_cli", "unique_word"]

_ROOT = Path(__file__).resolve().parents[2]


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESSEARCHIV_")}
    env.update({"PRESSEARCHIV_DATA_DIR": str(data_dir), "PYTHONPATH": str(_ROOT)})
    env.update(extra)
    return env


def start_cli(
    data_dir: Path, *args: str, log: Path | None = None, **env: str
) -> subprocess.Popen[bytes]:
    # The child gets its own copy of the log's descriptor; ours is closed at once.
    with open(log or os.devnull, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "pressearchiv.cli", *args],
            env=_env(data_dir, **env),
            cwd=_ROOT,
            stdout=out,
            stderr=out,
            stdin=subprocess.DEVNULL,
        )


def run_cli(
    data_dir: Path, *args: str, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pressearchiv.cli", *args],
        env=_env(data_dir, **env),
        cwd=_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


class Server:
    """One `pressearchiv serve` process on a free loopback port."""

    def __init__(self, data_dir: Path, log: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.log = log
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> Server:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "pressearchiv.cli", "serve", "--port", str(self.port)],
                env=_env(self.data_dir, **self.env),
                cwd=_ROOT,
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not come up in {timeout} s: {self.tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as in a crash or an OOM kill."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def unique_word(n: int) -> str:
    """A made-up word no real text contains, different for every n: zqbx, zqcx, …

    Consonants only: the analyzer folds ``ae``/``oe``/``ue`` into ``a``/``o``/``u``
    (``Mueller`` meets ``Müller``), so with vowels ``zqoex`` and ``zqox`` would meet.
    """
    digits = "bcdfghjklmnpqrstvwxz"
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n, len(digits))
        letters = digits[rest] + letters
    return f"zq{letters}x"
