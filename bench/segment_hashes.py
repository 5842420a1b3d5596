r"""Check that a change leaves the index byte for byte as it was.

Usage (from the repository root, with each checkout's own ``.venv``):

    python bench/segment_hashes.py --store STORE.db --articles 5000 --workdir /tmp/seg

builds one segment of the store's first ``--articles`` articles (by ``seq``) as
a bulk worker builds it (``SegmentBuilder(locked=False)``, the workers' word
caches of ``BULK_CACHE_MAX``, no cyclic collector), then prints the size and
SHA-256 of every file inside the compound segment (its random name replaced by
``SEG``), and on stderr the resident memory after the imports and after adding,
the process's peak, and the CPU seconds of adding and writing. Run it with two
checkouts and ``diff`` the outputs.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import itertools
import resource
import shutil
import sys
import time
from pathlib import Path

from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index.bulk import BULK_CACHE_MAX
from pressearchiv.index.directory import create_in, open_dir
from pressearchiv.index.schema import build_schema
from pressearchiv.index.segments import SegmentBuilder
from pressearchiv.index.words import limit_caches


def resident_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--workdir", type=Path, required=True)
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    create_in(args.workdir, build_schema()).close()
    limit_caches(BULK_CACHE_MAX)  # as in a bulk worker (_init_worker)
    gc.disable()
    print(f"after the imports: {resident_mb():.0f} MB", file=sys.stderr)
    store = ArchiveStore(args.store)
    ix = open_dir(args.workdir)
    started = time.process_time()
    writer = SegmentBuilder(ix, locked=False)
    articles = store.iter_articles(batch_size=1000)
    count = writer.add_articles(itertools.islice(articles, args.articles))
    added = time.process_time()
    print(f"after adding {count}: {resident_mb():.0f} MB", file=sys.stderr)
    segment = writer.finish_segment()
    done = time.process_time()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"CPU: adding {added - started:.2f} s, writing {done - added:.2f} s, "
        f"{(done - started) / count * 1000:.2f} ms an article; peak {peak:.0f} MB",
        file=sys.stderr,
    )
    name = segment.segment_id()
    files = CompoundStorage(FileStorage(str(args.workdir)).open_file(name + ".seg"))
    for inner in sorted(files.list()):
        data = files.open_file(inner).read()
        print(inner.replace(name, "SEG"), len(data), hashlib.sha256(data).hexdigest())
    store.close()
    ix.close()


if __name__ == "__main__":
    main()
