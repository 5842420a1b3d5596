"""How worker processes start: forked from a template that imported the service.

A worker started by ``spawn`` imports everything itself (about a second, on
every start and every replacement of a worker) and holds its own copy of every
module. Workers are instead forked from a template process (multiprocessing's
fork server) that imported :mod:`pressearchiv.web.workers` once: a worker then
starts with the modules loaded (their pages shared with the template). The
owner itself is never forked: once its threads (writer, stories) run, a fork
could copy a lock one of them holds; the template runs no threads.

This module is kept light, so that ``pressearchiv serve`` can start the template
before it imports the service itself, and both import at once on two cores.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import resource

__all__ = ["raise_descriptor_limit", "start_worker_template"]

# What the template imports for its workers.
TEMPLATE_IMPORTS = ["pressearchiv.web.workers"]
# Descriptors beyond the connections: the archive, the index's segments, logs.
_SPARE_DESCRIPTORS = 256


def raise_descriptor_limit(max_connections: int) -> int:
    """Raise the soft limit of open files so the connection cap can be reached; the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max_connections + _SPARE_DESCRIPTORS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return int(soft)


def start_worker_template(max_connections: int) -> multiprocessing.context.ForkServerContext:
    """Start the template now (it imports in the background) and return the
    context that forks workers from it; a second call finds it running."""
    # Raised first: the template and so every worker inherit the limit.
    raise_descriptor_limit(max_connections)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(TEMPLATE_IMPORTS)
    multiprocessing.forkserver.ensure_running()
    return context
