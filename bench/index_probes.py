"""Small measurements of the index on an existing data folder (run on demand).

    python bench/index_probes.py per-query DATA_DIR        # cold and warm time per query
    python bench/index_probes.py per-query DATA_DIR --query '"Wir schaffen das"'
    python bench/index_probes.py upload-latency DATA_DIR   # store one article → searchable
    python bench/index_probes.py open-index DATA_DIR       # SearchIndex.open, read-only
    python bench/index_probes.py open-searcher DATA_DIR    # opening a Whoosh searcher
    python bench/index_probes.py bulk DATA_DIR --workers 2 # parallel build into a temp dir
    python bench/index_probes.py merge DATA_DIR            # merge 8 segments of 500 articles

DATA_DIR is a folder as ``pressearchiv`` leaves it (``archive.sqlite3`` and
``index/``) or as ``bench/search_bench.py`` leaves one size (``data/archive.sqlite3``
and ``index/``). ``upload-latency`` adds test articles to the store: use a copy.
Nothing else is changed.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from unittest import mock

from whoosh import index as windex
from whoosh.filedb.compound import CompoundStorage
from whoosh.writing import SegmentWriter
from workload import QUERIES

from pressearchiv.archive.model import ArticleDraft, DateSource, DocumentFormat, PartialDate
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import IndexOptions, SearchIndex, SearchRequest
from pressearchiv.index.bulk import build_segments
from pressearchiv.index.engine import SharedCompoundStorage
from pressearchiv.index.formats import PressCodec
from pressearchiv.index.schema import build_schema
from pressearchiv.index.segments import SegmentBuilder


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _locate(data_dir: Path) -> tuple[Path, Path]:
    """(store folder, index folder) of either layout; never creates a store."""
    for store_dir in (data_dir, data_dir / "data"):
        if (store_dir / "archive.sqlite3").is_file():
            return store_dir, data_dir / "index"
    raise SystemExit(f"no archive.sqlite3 in {data_dir} or {data_dir / 'data'}")


def per_query(data_dir: Path, queries: list[str] | None = None) -> None:
    store_dir, index_dir = _locate(data_dir)
    with ArchiveStore.open(store_dir) as store:
        ix = SearchIndex.open(index_dir, store, read_only=True)
        for query in queries or QUERIES:
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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak resident memory of this process: {peak:.0f} MiB")


def upload_latency(data_dir: Path, count: int = 10) -> None:
    store_dir, index_dir = _locate(data_dir)
    with ArchiveStore.open(store_dir) as store, SearchIndex.open(index_dir, store) as ix:
        ix.wait_indexed(store.max_seq(), timeout=3600)
        times = []
        for n in range(count):
            text = f"Probeartikel {time.time_ns()}-{n} über Fernwärme und Stadtwerke im Winter."
            draft = ArticleDraft(
                title="Probe",
                text=text,
                outlet="probe",
                date=PartialDate(2022, 1),
                date_source=DateSource.PROVIDED,
                raw=text.encode(),
                content_type="text/plain",
                format=DocumentFormat.TEXT,
            )
            start = time.perf_counter()
            seq = store.add(draft).seq
            ix.notify()
            ix.wait_indexed(seq, timeout=60)
            times.append(_ms(start))
        print(
            f"stored → searchable: median {statistics.median(times):.0f} ms, "
            f"max {max(times):.0f} ms over {count} uploads ({ix.status().index_count} indexed)"
        )


def open_index(data_dir: Path) -> None:
    """Open the index read-only, as every `pressearchiv search` does."""
    store_dir, index_dir = _locate(data_dir)
    with ArchiveStore.open(store_dir) as store:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            SearchIndex.open(index_dir, store, read_only=True).close()
            times.append(_ms(start))
    print(f"open the index read-only: {', '.join(f'{t:.0f}' for t in times)} ms")


def open_searcher(data_dir: Path) -> None:
    """Open a searcher as after each commit: with the shared views of the
    compound files, and with Whoosh's own sub-files (a BytesIO copy each)."""
    ix = windex.open_dir(str(_locate(data_dir)[1]))
    for label, patch in (
        ("shared views", contextlib.nullcontext()),
        (
            "Whoosh's copies",
            mock.patch.object(SharedCompoundStorage, "open_file", CompoundStorage.open_file),
        ),
    ):
        times = []
        with patch:
            for _ in range(5):
                start = time.perf_counter()
                searcher = ix.searcher()
                times.append(_ms(start))
                segments = len(searcher.leaf_searchers())
                searcher.close()
        print(
            f"open a searcher ({label}): median {statistics.median(times):.1f} ms "
            f"({segments} segments)"
        )


def bulk(data_dir: Path, workers: int) -> None:
    with ArchiveStore.open(_locate(data_dir)[0]) as store, tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "index"
        target.mkdir()
        windex.create_in(str(target), build_schema()).close()
        start = time.perf_counter()
        segment_size = IndexOptions().bulk_segment_articles
        count = build_segments(target, store, segment_size=segment_size, workers=workers)
        seconds = time.perf_counter() - start
        print(f"{workers} worker(s): {count} articles in {seconds:.1f} s = {count / seconds:.0f}/s")
        shutil.rmtree(target)


def merge(data_dir: Path, segments: int = 8, size: int = 500) -> None:
    """Merge ``segments`` segments of ``size`` articles into one (what a commit
    does when a tier fills), with our SegmentBuilder and with Whoosh's writer."""
    with ArchiveStore.open(_locate(data_dir)[0]) as store, tempfile.TemporaryDirectory() as tmp:
        articles = list(itertools.islice(store.iter_articles(), segments * size))
        first = Path(tmp) / "ours"
        first.mkdir()
        ix = windex.create_in(str(first), build_schema())
        for offset in range(0, len(articles), size):
            writer = SegmentBuilder(ix)
            writer.add_articles(articles[offset : offset + size])
            writer.commit(merge=False)
        shutil.copytree(first, Path(tmp) / "whoosh")
        for name, make in (
            ("ours", SegmentBuilder),
            ("Whoosh's SegmentWriter", lambda ix: SegmentWriter(ix, codec=PressCodec())),
        ):
            ix = windex.open_dir(str(Path(tmp) / ("ours" if name == "ours" else "whoosh")))
            start = time.perf_counter()
            make(ix).commit(optimize=True)
            print(f"merge {segments} x {size} articles ({name}): {_ms(start) / 1000:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "probe",
        choices=["per-query", "upload-latency", "open-index", "open-searcher", "bulk", "merge"],
    )
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--query", action="append", help="per-query: these queries instead of the fixed list"
    )
    args = parser.parse_args()
    if args.probe == "per-query":
        per_query(args.data_dir, args.query)
    elif args.probe == "upload-latency":
        upload_latency(args.data_dir)
    elif args.probe == "open-index":
        open_index(args.data_dir)
    elif args.probe == "open-searcher":
        open_searcher(args.data_dir)
    elif args.probe == "merge":
        merge(args.data_dir)
    else:
        bulk(args.data_dir, args.workers)


if __name__ == "__main__":
    main()
