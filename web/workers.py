"""Serving on every core: one process owns the index, N worker processes answer.

Python answers one request at a time per process (the GIL), so a single
process leaves all but one core idle. ``pressearchiv serve --workers N``
therefore runs:

* this process, the **owner**: it opens the archive (seeding an empty one),
  owns the index (the flock, the one writer thread, the story thread) and
  follows the archive, polling it every :data:`OWNER_POLL_SECONDS`; it
  answers no requests itself;
* N **workers**, started and watched by uvicorn's process supervisor on one
  shared listening socket. Each opens the archive and the index read-only
  (:func:`pressearchiv.web.app.create_app` with ``worker=True``) and follows
  the owner's commits (:mod:`pressearchiv.index.follower`).

An upload may arrive at any worker: the worker stores it in the archive
(SQLite serialises the writers of all processes), the owner notices and
indexes it, and the worker answers once its own view holds the new
articles, so "searchable" in the answer means searchable through that
worker; the others see the same commit within ``follow_seconds`` of it.

uvicorn's supervisor replaces a worker that dies and on SIGTERM or SIGINT
stops every worker before it returns; then the owner closes the index.
Workers end themselves if the owner is killed outright
(:func:`pressearchiv.index.orphans.end_with_parent`).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from pressearchiv.settings import Settings
from pressearchiv.web.app import create_app, open_archive

__all__ = ["OWNER_POLL_SECONDS", "serve_workers"]

log = logging.getLogger(__name__)

# How often the owner looks for articles stored by a worker: a SELECT on the
# archive's largest seq, cheap enough to run ten times a second.
OWNER_POLL_SECONDS = 0.1


def serve_workers(settings: Settings, uvicorn_options: dict[str, Any]) -> None:
    """Own the index here and serve through ``settings.worker_count`` worker processes."""
    # Made first: making it sets up uvicorn's logging, which the owner's own
    # messages (repairs, leftovers removed) should go through too.
    config = uvicorn.Config(
        # Pickled into each spawned worker: a module-level function and settings.
        functools.partial(create_app, settings, worker=True, owner=os.getpid()),
        factory=True,
        workers=settings.worker_count,
        **uvicorn_options,
    )
    options = dataclasses.replace(settings.index_options(), poll_seconds=OWNER_POLL_SECONDS)
    store, index = open_archive(settings, options)
    try:
        socket = config.bind_socket()
        try:
            Multiprocess(config, sockets=[socket]).run()
        finally:
            socket.close()
    finally:
        try:
            index.close()
        finally:
            store.close()
