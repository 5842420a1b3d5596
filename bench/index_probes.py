"""Small measurements of the index on an existing data folder (run on demand).

    python bench/index_probes.py per-query DATA_DIR        # cold and warm time per query
    python bench/index_probes.py upload-latency DATA_DIR   # store one article → searchable
    python bench/index_probes.py open-searcher DATA_DIR    # opening a Whoosh searcher
    python bench/index_probes.py bulk DATA_DIR --workers 2 # parallel build into a temp dir

DATA_DIR holds ``archive.sqlite3`` and ``index/`` (as ``pressearchiv`` or
``bench/search_bench.py`` leave them). ``upload-latency`` adds test articles
to the store: use a copy. Nothing else is changed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from whoosh import index as windex
from workload import QUERIES

from archive.model import ArticleDraft, DateSource, DocumentFormat, PartialDate
from archive.store import ArchiveStore
from index import SearchIndex, SearchRequest
from index.bulk import build_segments
from index.schema import build_schema


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def per_query(data_dir: Path) -> None:
    with ArchiveStore.open(data_dir) as store:
        ix = SearchIndex.open(data_dir / "index", store, read_only=True)
        for query in QUERIES:
            request = SearchRequest(
                query=query, date_from=PartialDate(2020, 3), date_to=PartialDate(2020, 12)
            )
            start = time.perf_counter()
            response = ix.search(request)
            cold = _ms(start)
            start = time.perf_counter()
            ix.search(request)
            print(f"cold {cold:7.1f} ms  warm {_ms(start):6.1f} ms  {response.total:6d}  {query}")
        ix.close()


def upload_latency(data_dir: Path, count: int = 10) -> None:
    with ArchiveStore.open(data_dir) as store, SearchIndex.open(data_dir / "index", store) as ix:
        ix.wait_indexed(store.max_seq(), timeout=3600)
        times = []
        for n in range(count):
            text = f"Probeartikel {time.time_ns()}-{n} über Fernwärme und Stadtwerke im Winter."
            draft = ArticleDraft(
                title="Probe", text=text, outlet="probe", date=PartialDate(2022, 1),
                date_source=DateSource.PROVIDED, raw=text.encode(), content_type="text/plain",
                format=DocumentFormat.TEXT,
            )
            start = time.perf_counter()
            seq = store.add(draft).seq
            ix.notify()
            ix.wait_indexed(seq, timeout=60)
            times.append(_ms(start))
        print(f"stored → searchable: median {statistics.median(times):.0f} ms, "
              f"max {max(times):.0f} ms over {count} uploads ({ix.status().index_count} indexed)")


def open_searcher(data_dir: Path) -> None:
    ix = windex.open_dir(str(data_dir / "index"))
    times = []
    for _ in range(5):
        start = time.perf_counter()
        searcher = ix.searcher()
        times.append(_ms(start))
        segments = len(searcher.leaf_searchers())
        searcher.close()
    print(f"open a searcher: median {statistics.median(times):.1f} ms ({segments} segments)")


def bulk(data_dir: Path, workers: int) -> None:
    with ArchiveStore.open(data_dir) as store, tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "index"
        target.mkdir()
        windex.create_in(str(target), build_schema()).close()
        start = time.perf_counter()
        count = build_segments(target, store, workers=workers)
        seconds = time.perf_counter() - start
        print(f"{workers} worker(s): {count} articles in {seconds:.1f} s = {count / seconds:.0f}/s")
        shutil.rmtree(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("probe", choices=["per-query", "upload-latency", "open-searcher", "bulk"])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.probe == "per-query":
        per_query(args.data_dir)
    elif args.probe == "upload-latency":
        upload_latency(args.data_dir)
    elif args.probe == "open-searcher":
        open_searcher(args.data_dir)
    else:
        bulk(args.data_dir, args.workers)


if __name__ == "__main__":
    main()
