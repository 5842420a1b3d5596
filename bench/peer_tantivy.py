r"""A tantivy peer behind Pressearchiv's request shape, for benchmarks only.

tantivy is not a dependency of Pressearchiv; install it into the benchmark's
environment: ``.venv/bin/pip install tantivy==0.27.0``. It is imported only
when this script runs.

Usage (from the repository root):

    python bench/peer_tantivy.py build --data-dir /tmp/growth/data-20000 --index /tmp/tv-20000
    python bench/peer_tantivy.py serve --index /tmp/tv-20000 --port 8100 --workers 2

``build`` reads every article of a Pressearchiv data folder through the
archive's own API (``ArchiveStore.iter_articles``) and indexes it in tantivy:
``title`` and ``text`` with a German analyzer (tantivy's simple tokenizer,
words over 40 bytes dropped, lower case, the Snowball German stemmer: the
closest tantivy-py 0.27 offers to a ``de_stem``; it has no decompounder), the
outlet as a raw fast text field, the date as a fast date field, year and month
as fast fields; stored: id, title, text, outlet, date.

``profile`` times each stage of the 20 queries in-process (parse, search,
stored documents, snippets, facets), without HTTP.

``serve`` answers ``GET /api/search?q=&from=&to=&size=`` with a small Starlette
app under uvicorn (``--workers`` processes sharing one socket) in the shape of
Pressearchiv's answer: ``total``, ``hits`` (id, title, outlet, date, snippet
with ``<mark>``), ``facets`` (outlet, year, month: value, count, selected). As
in Pressearchiv, outlet counts are over all matches of the query and the dates,
year and month counts over the matches of the query without the dates. Words
are ANDed, ``-`` excludes, ``OR`` and phrases as tantivy's query parser reads
them (leniently); title and text are searched, the title boosted by 2.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11(H11Protocol):
    """uvicorn's h11 protocol with TCP_NODELAY on every connection.

    With ``workers`` > 1 uvicorn's workers accept on a socket rebuilt from its
    file descriptor, whose ``proto`` is 0, so asyncio does not set TCP_NODELAY
    on the accepted connections (it checks for IPPROTO_TCP): an answer written
    in two pieces then waits for the client's delayed ACK, about 40 ms, on every
    request of a keep-alive connection but the first. ``--nagle`` keeps that
    behaviour (Pressearchiv's own workers have it) to measure it.
    """

    def connection_made(self, transport: Any) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


# Index and tokenizer name; the analyzer is registered on every open.
ANALYZER = "de_stem"
INDEX_ENV = "PEER_TANTIVY_INDEX"


def _tantivy() -> Any:
    try:
        import tantivy
    except ImportError:
        raise SystemExit(
            "tantivy is not installed; for the benchmark only: "
            ".venv/bin/pip install tantivy==0.27.0"
        ) from None
    return tantivy


def german(tantivy: Any) -> Any:
    """Simple tokenizer, long words dropped, lower case, Snowball German."""
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    for step in (
        tantivy.Filter.remove_long(40),
        tantivy.Filter.lowercase(),
        tantivy.Filter.stemmer("german"),
    ):
        builder = builder.filter(step)
    return builder.build()


def schema(tantivy: Any) -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("text", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("outlet", stored=True, fast=True, tokenizer_name="raw")
    builder.add_date_field("date", stored=True, fast=True, indexed=True)
    builder.add_unsigned_field("year", fast=True, indexed=True)
    builder.add_text_field("month", fast=True, tokenizer_name="raw")
    return builder.build()


def open_index(path: Path) -> Any:
    tantivy = _tantivy()
    index = tantivy.Index(schema(tantivy), path=str(path), reuse=True)
    index.register_tokenizer(ANALYZER, german(tantivy))
    return index


def build(data_dir: Path, path: Path, threads: int, heap_mib: int) -> dict[str, object]:
    """Index every article of the archive in ``data_dir`` into a new index at ``path``."""
    import shutil

    from pressearchiv.archive.store import ArchiveStore

    tantivy = _tantivy()
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    index = open_index(path)
    started, count = time.perf_counter(), 0
    cpu = time.process_time()
    writer = index.writer(heap_size=heap_mib * 2**20, num_threads=threads)
    with ArchiveStore.open(data_dir) as store:
        for article in store.iter_articles():
            doc = tantivy.Document()
            doc.add_text("id", article.id)
            doc.add_text("title", article.title)
            doc.add_text("text", article.text)
            doc.add_text("outlet", article.outlet)
            if article.date is not None:
                start = article.date.start
                doc.add_date("date", datetime(start.year, start.month, start.day, tzinfo=UTC))
                doc.add_unsigned("year", article.date.year)
                if article.date.month:
                    doc.add_text("month", f"{article.date.year:04d}-{article.date.month:02d}")
            writer.add_document(doc)
            count += 1
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - started
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return {
        "articles": count,
        "seconds": round(seconds, 1),
        "articles_per_s": round(count / seconds, 1),
        "process_cpu_s": round(time.process_time() - cpu, 1),
        "index_mib": round(size / 2**20, 1),
    }


def mark(html: str) -> str:
    """tantivy's ``<b>`` as Pressearchiv's ``<mark>``."""
    return html.replace("<b>", "<mark>").replace("</b>", "</mark>")


class Peer:
    """One process's open index and the search behind the endpoint."""

    def __init__(self, path: Path) -> None:
        self.tantivy = _tantivy()
        self.index = open_index(path)
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def dates(self, low: str | None, high: str | None) -> Any | None:
        """The inclusive range of ``from``/``to`` (each a year, month or day)."""
        from pressearchiv.archive.model import PartialDate

        if not low and not high:
            return None

        def moment(day: date) -> datetime:
            return datetime(day.year, day.month, day.day, tzinfo=UTC)

        lower = moment(PartialDate.parse(low).start) if low else None
        upper = moment(PartialDate.parse(high).end) if high else None
        return self.tantivy.Query.range_query(
            self.schema, "date", self.tantivy.FieldType.Date, lower, upper, True, True
        )

    def search(
        self,
        q: str,
        low: str | None,
        high: str | None,
        size: int,
        stages: dict[str, float] | None = None,
    ) -> dict[str, Any]:
        """The answer to one search; ``stages`` (if given) gets each stage's seconds added."""
        clock = [time.perf_counter()]

        def lap(stage: str) -> None:
            now = time.perf_counter()
            if stages is not None:
                stages[stage] = stages.get(stage, 0.0) + now - clock[0]
            clock[0] = now

        tantivy = self.tantivy
        Occur = tantivy.Occur
        text = q.strip()
        if text:
            query, _errors = self.index.parse_query_lenient(
                text, ["title", "text"], field_boosts={"title": 2.0}, conjunction_by_default=True
            )
        else:
            query = tantivy.Query.all_query()
        dated = self.dates(low, high)
        filtered = (
            query
            if dated is None
            else tantivy.Query.boolean_query([(Occur.Must, query), (Occur.Must, dated)])
        )
        searcher = self.searcher
        lap("parse")
        found = searcher.search(filtered, limit=size, count=True)
        lap("search")
        docs = [searcher.doc(address) for _score, address in found.hits]
        lap("stored documents")
        snippets = tantivy.SnippetGenerator.create(searcher, filtered, self.schema, "text")
        snippets.set_max_num_chars(240)
        hits = []
        for doc in docs:
            day = doc.get_first("date")
            hits.append(
                {
                    "id": doc.get_first("id"),
                    "title": doc.get_first("title"),
                    "outlet": doc.get_first("outlet"),
                    "date": day.date().isoformat() if day is not None else None,
                    "snippet": mark(snippets.snippet_from_doc(doc).to_html()),
                }
            )
        lap("snippets")
        by_outlet = searcher.aggregate(
            filtered, {"outlet": {"terms": {"field": "outlet", "size": 1000}}}
        )
        by_date = searcher.aggregate(
            query,
            {
                "year": {"terms": {"field": "year", "size": 1000}},
                "month": {"terms": {"field": "month", "size": 1000}},
            },
        )

        lap("facets")

        def values(buckets: dict[str, Any], name: str) -> list[dict[str, Any]]:
            return [
                {"value": str(b["key"]), "count": b["doc_count"], "selected": False}
                for b in buckets[name]["buckets"]
            ]

        return {
            "total": found.count,
            "size": size,
            "hits": hits,
            "facets": {
                "outlet": values(by_outlet, "outlet"),
                "year": values(by_date, "year"),
                "month": values(by_date, "month"),
            },
        }


def create_app() -> Any:
    """The Starlette app of one worker (uvicorn's factory; the index from the environment)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    peer = Peer(Path(os.environ[INDEX_ENV]))

    async def search(request: Request) -> JSONResponse:
        p = request.query_params
        try:
            size = min(max(int(p.get("size", "20")), 1), 100)
        except ValueError:
            size = 20
        started = time.perf_counter()
        answer = peer.search(p.get("q", ""), p.get("from"), p.get("to"), size)
        answer["took_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return JSONResponse(answer)

    return Starlette(routes=[Route("/api/search", search)])


def serve(path: Path, port: int, workers: int, nagle: bool = False) -> None:
    import uvicorn

    os.environ[INDEX_ENV] = str(path.resolve())
    # Spawned workers import this module by name: its folder must be on their path.
    here = str(Path(__file__).resolve().parent)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))
    sys.path.insert(0, here)
    uvicorn.run(
        "peer_tantivy:create_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        http="h11" if nagle else NoDelayH11,
        log_level="warning",
        access_log=False,
    )


def profile(path: Path, repeat: int) -> dict[str, object]:
    """Milliseconds per search in each stage, in this process (no HTTP), warm."""
    from workload import QUERIES

    peer = Peer(path)
    for query in QUERIES:  # cold pass, not counted
        peer.search(query, "2020-03", "2020-12", 20)
    stages: dict[str, float] = {}
    walls = []
    for _ in range(repeat):
        for query in QUERIES:
            started = time.perf_counter()
            peer.search(query, "2020-03", "2020-12", 20, stages)
            walls.append(time.perf_counter() - started)
    runs = repeat * len(QUERIES)
    walls.sort()
    return {
        "searches": runs,
        "ms_per_search_by_stage": {k: round(v * 1000 / runs, 2) for k, v in stages.items()},
        "wall_ms": {
            "p50": round(walls[len(walls) // 2] * 1000, 2),
            "p99": round(walls[min(len(walls) - 1, int(0.99 * len(walls)))] * 1000, 2),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    make = verbs.add_parser("build", help="index a Pressearchiv data folder in tantivy")
    make.add_argument("--data-dir", type=Path, required=True)
    make.add_argument("--index", type=Path, required=True)
    make.add_argument("--threads", type=int, default=2)
    make.add_argument("--heap-mib", type=int, default=512)
    run = verbs.add_parser("serve", help="answer /api/search from a tantivy index")
    run.add_argument("--index", type=Path, required=True)
    run.add_argument("--port", type=int, default=8100)
    run.add_argument("--workers", type=int, default=1)
    run.add_argument(
        "--nagle", action="store_true", help="leave TCP_NODELAY unset (see NoDelayH11)"
    )
    timing = verbs.add_parser("profile", help="time each stage of the searches, in-process")
    timing.add_argument("--index", type=Path, required=True)
    timing.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.verb == "build":
        print(json.dumps(build(args.data_dir, args.index, args.threads, args.heap_mib)))
    elif args.verb == "profile":
        print(json.dumps(profile(args.index, args.repeat)))
    else:
        serve(args.index, args.port, args.workers, args.nagle)


if __name__ == "__main__":
    main()
