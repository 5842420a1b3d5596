"""Benchmark: indexing throughput and faceted-search latency, against plain Whoosh.

Usage (from the repository root):

    python bench/search_bench.py \
        --corpus ../shared/corpora/fang-covid/fang_covid_articles.jsonl.xz \
        --sizes 10000 41242 --workdir /tmp/pressearchiv-bench

For each size it builds an archive store from the fang-covid JSONL.xz (never
copied into the project), rebuilds our index from the store and times it, then
runs a fixed list of German queries with a date filter, outlet/year/month
facets and the top 20 hits with snippets: once cold (first run of each query)
and ``--repeat`` times warm. The same queries then run against a plain-Whoosh
baseline (Whoosh's German LanguageAnalyzer, the default writer, a DateRange
filter, groupedby facets with Count, highlights from stored text).

The JSON names the commit of the code measured (``code``). To compare two
versions in one session, run this same file with each checkout's Python,
alternating, on a kept store (``--reuse-store``).

Sizes above the corpus size repeat articles with a marker appended to the text
(so the content-hash id differs) and the date shifted back by one year per copy.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import lzma
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from workload import QUERIES, machine

from pressearchiv.archive.model import ArticleDraft, DateSource, DocumentFormat, PartialDate
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex, SearchRequest, Sort, rebuild_index

DATE_FROM, DATE_TO = "2020-03", "2020-12"


def dated_requests() -> list[SearchRequest]:
    """The 20 queries as the benchmarks run them: dates 2020-03…2020-12, 20 hits, facets."""
    first, last = PartialDate.parse(DATE_FROM), PartialDate.parse(DATE_TO)
    return [SearchRequest(query=q, date_from=first, date_to=last, size=20) for q in QUERIES]


def read_corpus(path: Path) -> list[dict]:  # type: ignore[type-arg]
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def drafts(records: list[dict], size: int) -> Iterator[ArticleDraft]:  # type: ignore[type-arg]
    for n in range(size):
        copy, rec = divmod(n, len(records))
        record = records[rec]
        text = record.get("text") or ""
        if not text.strip():
            text = record.get("title") or f"leer {n}"
        day = PartialDate.parse(record["day"]) if record.get("day") else None
        if copy:
            text = f"{text}\n[Kopie {copy}]"
            if day is not None:
                shifted = day.start - timedelta(days=365 * copy)
                day = PartialDate.from_date(shifted)
        raw = json.dumps(record, ensure_ascii=False).encode("utf-8")
        yield ArticleDraft(
            title=record.get("title") or "",
            text=text,
            outlet=record.get("source") or "unbekannt",
            date=day,
            date_source=DateSource.PROVIDED if day else None,
            raw=raw,
            content_type="application/json",
            format=DocumentFormat.JSONL,
            url=record.get("url"),
        )


def code_version() -> str:
    """The commit of the checkout the imported ``pressearchiv`` comes from (this
    script can measure another worktree's code: run it with that one's Python)."""
    import pressearchiv

    folder = Path(pressearchiv.__file__).resolve().parent
    try:
        found = subprocess.run(
            ["git", "-C", str(folder), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return f"unknown ({folder})"
    return f"{found.stdout.strip()} ({folder.parent})"


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    return {
        "median": statistics.median(ordered),
        "p95": pct(95),
        "p99": pct(99),
        "max": ordered[-1],
    }


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (bulk workers)."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(ix: SearchIndex, request: SearchRequest) -> tuple[int, float, float]:
    """(total, wall ms, CPU ms of this thread) of one search."""
    t, c = time.perf_counter(), time.thread_time()
    total = ix.search(request).total
    return total, (time.perf_counter() - t) * 1000, (time.thread_time() - c) * 1000


def run_ours(
    store: ArchiveStore, index_dir: Path, repeat: int, rebuild: bool = True
) -> dict[str, object]:
    """Rebuild (and time) our index, then time the queries cold and warm.

    Besides wall times it records CPU times: the rebuild's CPU seconds
    (workers included) and each search's CPU time in this thread. On a shared
    machine those barely move with the load, where wall times do.
    """
    result: dict[str, object] = {}
    if rebuild:
        # Story state kept from an earlier run would spare this one the assignment.
        shutil.rmtree(index_dir.with_name(index_dir.name + ".stories"), ignore_errors=True)
        started, cpu = time.perf_counter(), cpu_seconds()
        count = rebuild_index(index_dir, store, progress=True)
        index_seconds = time.perf_counter() - started
        index_cpu = cpu_seconds() - cpu
        result.update(
            indexed=count,
            index_seconds=index_seconds,
            articles_per_s=count / index_seconds,
            index_cpu_seconds=index_cpu,
            articles_per_cpu_s=count / index_cpu,
        )
    started, cpu = time.perf_counter(), cpu_seconds()
    with SearchIndex.open(index_dir, store) as ix:
        ix.wait_indexed(store.max_seq(), timeout=60)
        # Code with stories assigns them after indexing, in a thread of its own
        # (and worker processes for a backlog): part of what indexing costs, and
        # done before the queries run so that they do not compete with it.
        wait_stories = getattr(ix, "wait_stories", None)
        if wait_stories is not None:
            assert wait_stories(store.max_seq(), timeout=7200)
            stories_seconds = time.perf_counter() - started
            result.update(
                stories_seconds=stories_seconds,
                stories_cpu_seconds=cpu_seconds() - cpu,
            )
            if rebuild:
                built, seconds = result["indexed"], result["index_seconds"]
                assert isinstance(built, int) and isinstance(seconds, float)
                result["articles_per_s_with_stories"] = built / (seconds + stories_seconds)
        requests = dated_requests()
        listing = SearchRequest(query="", sort=Sort.NEWEST)
        runs = {
            "cold": [timed(ix, req) for req in requests],
            "warm": [timed(ix, req) for _ in range(repeat) for req in requests],
            "list_all": [timed(ix, listing) for _ in range(repeat)],
        }
        if "group" in {f.name for f in dataclasses.fields(SearchRequest)}:
            grouped = [dataclasses.replace(req, group=True) for req in requests]
            runs["warm_grouped"] = [timed(ix, req) for _ in range(repeat) for req in grouped]
    for name, found in runs.items():
        result[name] = percentiles([wall for _, wall, _ in found])
        result[f"{name}_cpu"] = percentiles([cpu for _, _, cpu in found])
    result["totals"] = [total for total, _, _ in runs["cold"]]
    return result


def run_baseline(store: ArchiveStore, index_dir: Path, repeat: int) -> dict[str, object]:
    from whoosh import index as windex
    from whoosh import sorting
    from whoosh.analysis import LanguageAnalyzer
    from whoosh.fields import DATETIME, ID, TEXT, Schema
    from whoosh.highlight import ContextFragmenter, HtmlFormatter
    from whoosh.qparser import MultifieldParser
    from whoosh.query import DateRange

    if index_dir.exists():
        shutil.rmtree(index_dir)
    index_dir.mkdir(parents=True)
    analyzer = LanguageAnalyzer("de")
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        body=TEXT(analyzer=analyzer, stored=True),
        outlet=ID(stored=True, sortable=True),
        date=DATETIME(stored=True, sortable=True),
        year=ID(sortable=True),
        month=ID(sortable=True),
    )
    ix = windex.create_in(str(index_dir), schema)
    started = time.perf_counter()
    writer = ix.writer()  # the default writer
    count = 0
    for a in store.iter_articles():
        fields: dict[str, object] = {
            "id": a.id,
            "title": a.title,
            "body": a.text,
            "outlet": a.outlet,
        }
        if a.date is not None:
            fields["date"] = datetime.combine(a.date.start, datetime.min.time())
            fields["year"] = f"{a.date.year:04d}"
            if a.date.month:
                fields["month"] = f"{a.date.year:04d}-{a.date.month:02d}"
        writer.add_document(**fields)
        count += 1
    writer.commit()
    index_seconds = time.perf_counter() - started
    parser = MultifieldParser(["title", "body"], schema)
    start = PartialDate.parse(DATE_FROM).start
    end = PartialDate.parse(DATE_TO).end
    date_filter = DateRange(
        "date",
        datetime.combine(start, datetime.min.time()),
        datetime.combine(end, datetime.max.time()),
    )
    facets = {
        "outlet": sorting.FieldFacet("outlet"),
        "year": sorting.FieldFacet("year"),
        "month": sorting.FieldFacet("month"),
    }
    cold, warm = [], []
    with ix.searcher() as searcher:

        def once(q: str) -> float:
            t = time.perf_counter()
            results = searcher.search(
                parser.parse(q),
                limit=20,
                filter=date_filter,
                groupedby=facets,
                maptype=sorting.Count,
            )
            results.fragmenter = ContextFragmenter(maxchars=240)
            results.formatter = HtmlFormatter(tagname="mark")
            for hit in results:
                hit.highlights("body")
            for name in facets:
                results.groups(name)
            return (time.perf_counter() - t) * 1000

        for q in QUERIES:
            cold.append(once(q))
        for _ in range(repeat):
            for q in QUERIES:
                warm.append(once(q))
    ix.close()
    return {
        "indexed": count,
        "index_seconds": index_seconds,
        "articles_per_s": count / index_seconds,
        "cold": percentiles(cold),
        "warm": percentiles(warm),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/pressearchiv-bench"))
    parser.add_argument("--repeat", type=int, default=5, help="warm runs of the query list")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--out", type=Path, help="write results as JSON here")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep an existing store and index of each size: measure queries only",
    )
    parser.add_argument(
        "--reuse-store",
        action="store_true",
        help="keep an existing store of each size, but rebuild (and time) the index",
    )
    args = parser.parse_args(argv)

    records = read_corpus(args.corpus)
    report: dict[str, object] = {
        "machine": machine(),
        "command": " ".join(sys.argv),
        "code": code_version(),
        "runs": [],
    }
    for size in args.sizes:
        base = args.workdir / str(size)
        reuse = args.reuse and (base / "index").exists()
        keep_store = (reuse or args.reuse_store) and (base / "data").exists()
        if base.exists() and not keep_store:
            shutil.rmtree(base)
        with ArchiveStore.open(base / "data") as store:
            t = time.perf_counter()
            if not keep_store:
                for _ in store.add_drafts(drafts(records, size), batch_size=1000):
                    pass
            store_seconds = time.perf_counter() - t
            run: dict[str, object] = {"size": store.count(), "store_seconds": store_seconds}
            run["ours"] = run_ours(store, base / "index", args.repeat, rebuild=not reuse)
            if not args.no_baseline:
                run["baseline"] = run_baseline(store, base / "baseline", args.repeat)
        report["runs"].append(run)  # type: ignore[attr-defined]
        print(json.dumps(run, indent=2), flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
