"""Running the web service under uvicorn (``pressearchiv serve``)."""

from __future__ import annotations

import sys
from typing import Any, TextIO

import uvicorn

from pressearchiv.settings import Settings
from pressearchiv.web.access import is_loopback, uploads_disabled_reason
from pressearchiv.web.app import create_app
from pressearchiv.web.connections import MAX_HEAD_BYTES, guarded_protocol, quiet_uvicorn_warnings
from pressearchiv.web.forking import raise_descriptor_limit
from pressearchiv.web.workers import serve_workers

__all__ = ["serve", "startup_notes", "uvicorn_options"]


def startup_notes(settings: Settings) -> list[str]:
    """What an operator should know before the first request, one line each."""
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    notes = [
        f"Pressearchiv: http://{host}:{settings.port}/",
        f"  data: {settings.data_dir.resolve()}",
        f"  workers: {settings.worker_count} (PRESSEARCHIV_WORKERS, --workers)",
        f"  API:  http://{host}:{settings.port}/api/openapi.json",
    ]
    disabled = uploads_disabled_reason(settings)
    if disabled:
        notes.append(f"WARNING: {disabled}.")
    elif settings.api_token is None:
        notes.append("  uploads: only from this machine (no PRESSEARCHIV_API_TOKEN set)")
    else:
        notes.append("  uploads: need the API token (Authorization: Bearer …)")
    if not is_loopback(settings.host):
        notes.append("  note: reachable from the network; put a TLS proxy in front of it.")
        if settings.allowed_hosts is None:
            notes.append(
                "  note: only requests for localhost or the listening address are answered; "
                "set PRESSEARCHIV_ALLOWED_HOSTS to the names clients use."
            )
    return notes


def serve(settings: Settings, *, out: TextIO | None = None) -> None:
    """Print the start-up notes and run the service until interrupted.

    With more than one worker (``settings.worker_count``), see
    :mod:`pressearchiv.web.workers`; with one, everything runs in this process.
    """
    stream = out or sys.stderr
    for line in startup_notes(settings):
        print(line, file=stream)
    quiet_uvicorn_warnings()
    # Raised here, inherited by worker processes.
    descriptors = raise_descriptor_limit(settings.max_connections)
    if descriptors < settings.max_connections + 64:
        print(
            f"WARNING: only {descriptors} open files are allowed (ulimit -n); "
            f"PRESSEARCHIV_MAX_CONNECTIONS={settings.max_connections} cannot be reached.",
            file=stream,
        )
    if settings.worker_count > 1:
        serve_workers(settings, uvicorn_options(settings))
    else:
        uvicorn.run(create_app(settings), **uvicorn_options(settings))


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn runs the service, in one process or in each worker (picklable)."""
    return dict(
        host=settings.host,
        port=settings.port,
        # uvicorn's default: X-Forwarded-For is believed only from 127.0.0.1, so
        # behind a local reverse proxy the real (remote) client is what the
        # loopback rule for uploads sees.
        proxy_headers=True,
        server_header=False,
        log_level="info",
        # A client may keep a worker for at most this long while idle.
        timeout_keep_alive=5,
        # h11 with a deadline for request heads and a connection cap
        # (web/connections.py); heads over 16 KiB are refused with 400.
        http=guarded_protocol(settings.header_timeout, settings.max_connections),
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
    )
