"""The ``pressearchiv`` command: ingest, reindex, serve and search.

Flags override ``PRESSEARCHIV_*`` environment variables, which override the
defaults in :mod:`pressearchiv.settings`.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path

from pressearchiv import version
from pressearchiv.settings import Settings, SettingsError

__all__ = ["main", "shown"]

# What must never reach a terminal raw: control characters (ESC starts escape
# sequences that can rewrite the screen or the window title), bidi controls
# (they reorder what is shown) and lone surrogates (they cannot be encoded).
# Stored text is cleaned on the way in, but an archive may predate that.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def shown(text: object) -> str:
    """``text`` safe for a terminal: every unshowable character as a ``\\uXXXX`` escape."""
    return _UNSHOWABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", str(text))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pressearchiv",
        description="Searchable full-text archive for German-language news.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_data_dir(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument(
            "--data-dir",
            type=Path,
            help="archive folder (default ./data, or $PRESSEARCHIV_DATA_DIR)",
        )
        return sub

    ingest = with_data_dir(
        commands.add_parser(
            "ingest",
            help="store articles from files, folders or - (stdin)",
            description="Parse and store articles. Accepts plain text, JSON, JSON Lines and HTML, "
            "also compressed as .gz, .xz or .bz2. Folders are read recursively.",
        )
    )
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="file, folder, or - for stdin")
    ingest.add_argument("--no-progress", action="store_true", help="do not show a progress bar")

    with_data_dir(commands.add_parser("reindex", help="rebuild the search index from the archive"))

    serve = with_data_dir(commands.add_parser("serve", help="run the web service"))
    serve.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument(
        "--workers", type=int, help="worker processes (default 0: one per core; 1: one process)"
    )

    search = with_data_dir(commands.add_parser("search", help="search the archive from the shell"))
    search.add_argument("query", nargs="*", help='query, e.g. Lawrow Genf or "G20-Treffen"')
    search.add_argument("--size", type=int, default=10, help="number of hits (default 10)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env().with_overrides(
            data_dir=args.data_dir,
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
            workers=getattr(args, "workers", None),
        )
    except SettingsError as exc:
        print(f"pressearchiv: {exc}", file=sys.stderr)
        return 2
    handlers = {"ingest": _ingest, "reindex": _reindex, "serve": _serve, "search": _search}
    try:
        return handlers[args.command](settings, args)
    except KeyboardInterrupt:
        print(
            "\npressearchiv: interrupted; everything acknowledged so far is stored.",
            file=sys.stderr,
        )
        return 130


def _open_store(settings: Settings):  # type: ignore[no-untyped-def]
    from pressearchiv.archive.seeding import seed_new_archive
    from pressearchiv.archive.store import ArchiveStore

    store = ArchiveStore.open(settings.data_dir)
    seeded = seed_new_archive(store) if settings.seed_samples else []
    if seeded:
        created = sum(r.created for r in seeded)
        print(
            f"Seeded a new archive in {settings.data_dir} with {created} sample articles.",
            file=sys.stderr,
        )
    return store


def _ingest(settings: Settings, args: argparse.Namespace) -> int:
    """Store and index side by side: the index is opened first, so its writer
    indexes each batch (in parallel, committing segment by segment) while the
    next one is parsed; then wait until it holds everything stored."""
    from pressearchiv.archive.errors import StorageError
    from pressearchiv.archive.ingest import ingest_paths
    from pressearchiv.index import IndexUnavailable, SearchIndex
    from pressearchiv.progress import IngestProgress

    store = _open_store(settings)
    index: SearchIndex | None = None
    try:
        # Also when nothing new is added: an earlier, interrupted run may have
        # stored articles without indexing them.
        # No stories here: a command about to exit would start assigning them
        # (the detector and its fingerprint processes: the largest memory of
        # the whole ingest) only to stop; the service assigns them at its start.
        index = SearchIndex.open(
            settings.index_dir, store, options=settings.index_options(), stories=False
        )
    except IndexUnavailable:
        print(
            "A running service owns the search index; it indexes the new articles as they "
            "are stored.",
            file=sys.stderr,
        )
    try:
        with IngestProgress(store, index, enabled=not args.no_progress) as progress:
            with index.bulk_ingest() if index is not None else nullcontext():
                report = ingest_paths(store, args.paths, on_progress=progress.stored)
            status = progress.wait_for_index(store.max_seq()) if index is not None else None
    except StorageError as exc:
        print(f"pressearchiv: {exc}", file=sys.stderr)
        return 1
    finally:
        if index is not None:
            index.close()
        store.close()
    for rejection in report.rejected:
        print(f"rejected: {shown(rejection.source)}: {shown(rejection.reason)}", file=sys.stderr)
    print(report.summary())
    stored_any = report.added or report.duplicates or not report.rejected
    if status is None:
        return 0 if stored_any else 1
    if status.in_step:
        print(f"The search index is up to date ({status.index_count} articles).", file=sys.stderr)
        return 0 if stored_any else 1
    print(
        f"The search index holds {status.index_count} of {status.store_count} articles: "
        f"indexing failed ({status.error}). Everything is stored; the rest is indexed at "
        "the next start (or run `pressearchiv reindex`).",
        file=sys.stderr,
    )
    return 1


def _wait_for_index(index, seq: int, patience: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    """Wait until ``seq`` is searchable, as long as indexing makes progress."""
    import time

    last_count, last_change = -1, time.monotonic()
    while not index.wait_indexed(seq, timeout=2.0):
        count = index.status().index_count
        if count != last_count:
            last_count, last_change = count, time.monotonic()
        elif time.monotonic() - last_change > patience:
            return False
    return True


def _reindex(settings: Settings, args: argparse.Namespace) -> int:
    from pressearchiv.index import IndexUnavailable, rebuild_index

    store = _open_store(settings)
    try:
        count = rebuild_index(
            settings.index_dir, store, progress=True, options=settings.index_options()
        )
    except IndexUnavailable as exc:
        print(f"pressearchiv: {exc}; stop the service before rebuilding.", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"Indexed {count} articles into {settings.index_dir}.")
    return 0


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    if settings.worker_count > 1:
        # Before the imports below, so that the workers' template imports beside them.
        from pressearchiv.web.forking import start_worker_template

        start_worker_template(settings.max_connections)
    from pressearchiv.web.server import serve

    serve(settings)
    return 0


def _search(settings: Settings, args: argparse.Namespace) -> int:
    import html

    from pressearchiv.index import IndexUnavailable, SearchIndex, SearchRequest, Sort
    from pressearchiv.index.errors import IndexError_

    query = " ".join(args.query)
    store = _open_store(settings)
    try:
        index = SearchIndex.open(settings.index_dir, store, options=settings.index_options())
        _wait_for_index(index, store.max_seq())
    except IndexUnavailable:
        try:  # a running service owns the index: search beside it
            index = SearchIndex.open(settings.index_dir, store, read_only=True)
        except IndexUnavailable as exc:
            print(f"pressearchiv: {exc}", file=sys.stderr)
            store.close()
            return 1
    try:
        sort = Sort.RELEVANCE if query.strip() else Sort.NEWEST
        result = index.search(SearchRequest(query=query, sort=sort, size=max(1, args.size)))
    except IndexError_ as exc:
        print(f"pressearchiv: {exc}", file=sys.stderr)
        return 2
    finally:
        index.close()
        store.close()
    print(f"{result.total} Treffer ({result.took_ms:.0f} ms)")
    if result.suggestion:
        print(f"Meinten Sie: {shown(result.suggestion)}?")
    for hit in result.hits:
        date = hit.date.isoformat() if hit.date else "ohne Datum"
        snippet = shown(html.unescape(re.sub(r"</?mark>", "*", hit.snippet)))
        print(f"\n{shown(hit.title)}\n  {shown(hit.outlet)} · {date} · id {hit.id}\n  {snippet}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
