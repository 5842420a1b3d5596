"""The web application: routes, the lifespan that owns store and index, and headers.

Nothing happens at import time. :func:`create_app` builds an app from
:class:`Settings`; its lifespan opens the archive and the index when the
server starts and closes them when it stops.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pressearchiv.archive.errors import ArchiveError
from pressearchiv.archive.seeding import seed_new_archive
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import IndexError_, IndexOptions, SearchIndex
from pressearchiv.index.orphans import end_with_parent
from pressearchiv.settings import Settings
from pressearchiv.web import pages
from pressearchiv.web.admission import Overloaded, SearchAdmission
from pressearchiv.web.balance import ConnectionShares, EvenOut
from pressearchiv.web.connections import quiet_uvicorn_warnings
from pressearchiv.web.errors import ApiError, handle_exception
from pressearchiv.web.hosts import TrustedHosts
from pressearchiv.web.openapi import openapi_endpoint
from pressearchiv.web.rendering import make_templates
from pressearchiv.web.routes import api_routes
from pressearchiv.web.spool import remove_leftovers

__all__ = ["SECURITY_HEADERS", "create_app", "open_archive"]

log = logging.getLogger("pressearchiv.web")

_HERE = Path(__file__).parent
SEED_INDEX_WAIT = 30.0

# Pages need nothing from other origins and run no inline script. Responses that
# set their own policy (the raw original) keep theirs.
SECURITY_HEADERS: dict[bytes, bytes] = {
    b"content-security-policy": (
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",
    b"x-frame-options": b"DENY",
}


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every response, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((k, v) for k, v in SECURITY_HEADERS.items() if k not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    settings: Settings,
    *,
    worker: bool = False,
    owner: int | None = None,
    shares: ConnectionShares | None = None,
) -> Starlette:
    """Build the application for ``settings``; the store and index open in its lifespan.

    ``worker=True`` builds the app of one worker process of a multi-process
    service (:mod:`pressearchiv.web.workers`): its index is opened read-only
    and follows the commits of the process that owns it; ``owner`` is that
    process's pid (the worker ends when it dies); ``shares`` counts its open
    connections among the workers' (:mod:`pressearchiv.web.balance`).
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if worker:
            store, index = await run_in_threadpool(_open_follower, settings, owner)
        else:
            store, index = await run_in_threadpool(open_archive, settings)
        app.state.store = store
        app.state.index = index
        if shares is not None:  # uvicorn listens as soon as this returns
            shares.update(0)
        try:
            yield
        finally:
            await run_in_threadpool(_close, store, index)

    routes = [
        Route("/", pages.search_page, name="search_page"),
        Route("/artikel/{article_id}", pages.article_page, name="article_page"),
        Route("/hochladen", pages.upload_page, methods=["GET", "POST"], name="upload_page"),
        Route("/api/openapi.json", openapi_endpoint, name="openapi"),
        *api_routes(),
        Mount("/static", StaticFiles(directory=_HERE / "static"), name="static"),
    ]
    handlers = {
        # `Exception` is Starlette's catch-all (500); it still re-raises for logging.
        Exception: handle_exception,
        HTTPException: handle_exception,
        ApiError: handle_exception,
        ArchiveError: handle_exception,
        IndexError_: handle_exception,
        Overloaded: handle_exception,
    }
    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
    app.state.settings = settings
    app.state.templates = make_templates()
    app.state.admission = SearchAdmission(
        slots=IndexOptions().search_slots,
        max_waiting=settings.search_queue,
        max_wait=settings.search_queue_wait,
        query_timeout=settings.query_timeout,
    )
    # Nothing, not even an error page, is served under a foreign Host; the
    # security headers (added after it, so outside it) go on that refusal too.
    app.add_middleware(TrustedHosts, hosts=settings.trusted_hosts)
    app.add_middleware(SecurityHeaders)
    if shares is not None:  # outermost: it may close after any answer, errors too
        app.add_middleware(EvenOut, shares=shares)
    # A redirect to the slash-less path would be built from the Host header.
    app.router.redirect_slashes = False
    return app


def open_archive(
    settings: Settings,
    options: IndexOptions | None = None,
    on_open: Callable[[], None] | None = None,
) -> tuple[ArchiveStore, SearchIndex]:
    """Open the archive and own its index (seeding an empty archive first);
    ``on_open`` is called once readers may open the index (see :meth:`SearchIndex.open`),
    and for a freshly seeded archive once its samples are searchable."""
    settings.upload_tmp_dir.mkdir(parents=True, exist_ok=True)
    store = ArchiveStore.open(settings.data_dir)
    try:
        seeded = seed_new_archive(store) if settings.seed_samples else []
        index = SearchIndex.open(
            settings.index_dir,
            store,
            options=options or settings.index_options(),
            # Readers of a freshly seeded archive wait for its samples (below).
            on_open=None if seeded else on_open,
        )
        # The index lock makes us the only service on this data folder, so
        # whatever is spooled now was left by a process that was killed.
        entries, size = remove_leftovers(settings.upload_tmp_dir)
        if entries:
            log.warning(
                "removed %d unfinished upload(s) (%d bytes) left by an earlier process",
                entries,
                size,
            )
        if seeded:
            # A fresh archive should greet its first visitor with searchable samples.
            # (A large existing archive is not waited for: the index catches up
            # in the background and /api/stats shows how far it is.)
            index.wait_indexed(max(r.seq for r in seeded), timeout=SEED_INDEX_WAIT)
            if on_open is not None:
                on_open()
    except BaseException:
        store.close()
        raise
    return store, index


def _open_follower(settings: Settings, owner: int | None) -> tuple[ArchiveStore, SearchIndex]:
    """A worker's archive and its read-only, following view of the owner's index."""
    # A worker whose parent was SIGKILLed would otherwise serve on, stale, forever;
    # with the owner's pid, one whose owner died while it was starting ends too.
    end_with_parent(owner)
    quiet_uvicorn_warnings()  # the owner's logging filter does not reach this process
    store = ArchiveStore.open(settings.data_dir)
    try:
        index = SearchIndex.open(
            settings.index_dir, store, options=settings.index_options(), read_only=True, follow=True
        )
    except BaseException:
        store.close()
        raise
    return store, index


def _close(store: ArchiveStore, index: SearchIndex) -> None:
    try:
        index.close()
    finally:
        store.close()
