"""Serving on every core: one process owns the index, N worker processes answer.

Python answers one request at a time per process (the GIL), so a single
process leaves all but one core idle. ``pressearchiv serve --workers N``
therefore runs:

* this process, the **owner**: it opens the archive (seeding an empty one),
  owns the index (the flock, the one writer thread, the story thread) and
  follows the archive, polling it every :data:`OWNER_POLL_SECONDS`; it
  answers no requests itself;
* N **workers**, forked from a template process that imported the service
  once (:mod:`pressearchiv.web.forking`), started as soon as the index exists
  (while the owner still checks it against the archive) and watched by
  :class:`Supervisor`. Each listens
  on the service's port with a socket of its own (``SO_REUSEPORT``), opens
  the archive and the index read-only
  (:func:`pressearchiv.web.app.create_app` with ``worker=True``) and follows
  the owner's commits (:mod:`pressearchiv.index.follower`).

Why sockets of their own: with one shared listening socket (uvicorn's own
supervisor), the worker that wakes first accepts every waiting connection,
and kept-alive connections stay where they landed: measured, one of two
workers often held all 16 connections of a benchmark while the other idled.
With ``SO_REUSEPORT`` the kernel spreads new connections over the workers'
sockets, at random; :mod:`pressearchiv.web.balance` evens out the kept-alive
ones. So that two services never share a port unknowingly, the owner
first checks that nobody listens on it.

An upload may arrive at any worker: the worker stores it in the archive
(SQLite serialises the writers of all processes), the owner notices and
indexes it, and the worker answers once its own view holds the new
articles, so "searchable" in the answer means searchable through that
worker; the others see the same commit within ``follow_seconds`` of it.

The supervisor replaces a worker that dies and on SIGTERM or SIGINT stops
every worker (each finishes its requests) before it returns; then the owner
closes the index.
Workers end themselves if the owner is killed outright
(:func:`pressearchiv.index.orphans.end_with_parent`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import logging
import multiprocessing.context
import os
import signal
import socket
import threading
from collections.abc import Iterator, MutableSequence
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

from pressearchiv.settings import Settings
from pressearchiv.web.app import create_app, open_archive
from pressearchiv.web.balance import NOT_LISTENING, ConnectionShares
from pressearchiv.web.forking import start_worker_template

__all__ = ["OWNER_POLL_SECONDS", "Supervisor", "serve_workers"]

log = logging.getLogger(__name__)

# How often the owner looks for articles stored by a worker: a SELECT on the
# archive's largest seq, cheap enough to run ten times a second.
OWNER_POLL_SECONDS = 0.1
# How often the supervisor looks for dead workers.
_WATCH_SECONDS = 0.5
# How long a stopping worker may take to finish its requests.
_STOP_SECONDS = 30.0


def serve_workers(settings: Settings, uvicorn_options: dict[str, Any]) -> None:
    """Own the index here and serve through ``settings.worker_count`` worker processes."""
    # Made first: making it sets up uvicorn's logging, which the owner's own
    # messages (repairs, leftovers removed) should go through too.
    config = uvicorn.Config(
        # Pickled into each worker: a module-level function and settings.
        functools.partial(create_app, settings, worker=True, owner=os.getpid()),
        factory=True,
        **uvicorn_options,
    )
    refuse_taken_port(config.host, config.port)
    # Already running when started by `pressearchiv serve`.
    context = start_worker_template(settings.max_connections)
    supervisor = Supervisor(config, settings.worker_count, context)
    # The owner answers no searches here: it loads its story detector at once,
    # so the first upload does not wait for it (1.6 s at 100,000 articles).
    options = dataclasses.replace(
        settings.index_options(), poll_seconds=OWNER_POLL_SECONDS, story_load_after=0.0
    )
    # From here SIGTERM and SIGINT only ask the supervisor to stop: one that
    # comes while the index is still being opened (the workers already
    # answer) stops everything once it is open, and the index is closed.
    with supervisor.signals():
        try:
            # The workers start as soon as the index exists, while this process
            # still checks it against the archive (a second at 100,000 articles).
            store, index = open_archive(settings, options, on_open=supervisor.start)
        except BaseException:
            supervisor.stop()
            raise
        try:
            supervisor.run()
        finally:
            try:
                index.close()
            finally:
                store.close()


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def refuse_taken_port(host: str, port: int) -> None:
    """Exit with uvicorn's message if something listens on ``host:port`` already
    (the workers' shared-port sockets would otherwise join it)."""
    probe = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no owner
        probe.bind((host, port))
    except OSError as exc:
        taken = exc.errno == errno.EADDRINUSE
        log.error("cannot listen on %s:%d: %s", host, port, "in use" if taken else exc.strerror)
        raise SystemExit(1) from exc
    finally:
        probe.close()


def _socket_on(host: str, port: int) -> socket.socket:
    """Bound, not yet listening: the kernel hands a socket connections only once
    it listens, which uvicorn does after the app has started (archive and index
    open), so a starting worker is given no connection to keep waiting."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _run_worker(config: uvicorn.Config, slot: int, counts: MutableSequence[int]) -> None:
    """A worker process: its own socket on the service's port, then uvicorn;
    its open connections counted in ``counts[slot]`` (:mod:`pressearchiv.web.balance`)."""
    config.configure_logging()  # the template process never set it up
    shares = ConnectionShares(counts, slot)
    # Both are the partials serve_workers and uvicorn_options made (typed by
    # uvicorn as what else it accepts: import strings, protocol names).
    app: Any = config.app
    protocol: Any = config.http
    config.app = functools.partial(app, shares=shares)
    config.http = functools.partial(protocol, shares=shares)  # type: ignore[assignment]
    uvicorn.Server(config).run(sockets=[_socket_on(config.host, config.port)])


class Supervisor:
    """Runs ``count`` worker processes, replaces any that dies, and stops them all
    on SIGTERM or SIGINT (uvicorn's SIGTERM handling lets each finish its requests)."""

    def __init__(
        self,
        config: uvicorn.Config,
        count: int,
        context: multiprocessing.context.ForkServerContext,
    ) -> None:
        self._config = config
        self._count = count
        self._stop = threading.Event()
        self._context = context
        self._processes: list[BaseProcess] = []
        # Each worker's open connections (web/balance.py), in shared memory
        # that the workers are handed when they start.
        self._counts: MutableSequence[int] = context.RawArray("q", [NOT_LISTENING] * count)

    def _start(self, slot: int) -> BaseProcess:
        self._counts[slot] = NOT_LISTENING
        process = self._context.Process(target=_run_worker, args=(self._config, slot, self._counts))
        process.start()
        return process

    def _stopping(self, signum: int, frame: FrameType | None) -> None:
        self._stop.set()

    def start(self) -> None:
        """Start the workers (if not yet started); :meth:`run` then watches them."""
        while len(self._processes) < self._count:
            self._processes.append(self._start(len(self._processes)))

    @contextlib.contextmanager
    def signals(self) -> Iterator[None]:
        """While inside, SIGTERM and SIGINT ask :meth:`run` to stop the workers."""
        previous = {
            sig: signal.signal(sig, self._stopping) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def run(self) -> None:
        """Watch the workers until SIGTERM or SIGINT, then stop them."""
        with self.signals():
            try:
                self.start()
                processes = self._processes
                while not self._stop.wait(_WATCH_SECONDS):
                    for i, process in enumerate(processes):
                        if not process.is_alive():
                            log.warning(
                                "worker %s ended (exit code %s); starting another",
                                process.pid,
                                process.exitcode,
                            )
                            processes[i] = self._start(i)
            finally:
                self.stop()

    def stop(self) -> None:
        """Stop every worker: SIGTERM, then SIGKILL after :data:`_STOP_SECONDS`."""
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            process.join(_STOP_SECONDS)
            if process.is_alive():
                log.warning("worker %s did not stop in time; killing it", process.pid)
                process.kill()
                process.join()
        self._processes = []
