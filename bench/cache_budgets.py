r"""Warm searches and the caches' budgets: what a budget too small for the archive costs.

Usage (from the repository root; the data folder is opened read-only):

    python bench/cache_budgets.py --data-dir /tmp/growth/data-300000 \
        --code /tmp/old-checkout --code . --rounds 2 \
        --variant '{}' --variant '{"scale": 0.3}'

A generation's word scores and what is kept over the large segments hold a
word's postings, which grow with the archive. For each round, each
``--variant`` and each ``--code`` checkout in turn (alternating), this opens
the index read-only in a process of that checkout's ``.venv`` and runs the 20
faceted queries of ``bench/workload.py`` plus a few wildcards and phrases,
with snippets: once to warm up, then ``--repeat`` times. A variant is a JSON
object: ``scale`` multiplies both budgets and fixes them (no growth with the
archive), so ``0.3`` on a 300k archive gives the budgets the ratio to the
archive that 100k budgets have at a million articles. It prints one JSON line
per run: wall and thread CPU per warm search (p50, p90, p99, max), and what
the caches held at the end.
"""

from __future__ import annotations

import json

from checkouts import alternate, arguments, run_timed

EXTRA = ["Masken*", "Lockdown*", '"Robert Koch-Institut"', '"erste Welle"']

# Run by each checkout's own interpreter, so that it measures that code. The
# older code had a module constant for the word scores' budget, bound as the
# default of WordScores(); both kinds are set here.
_TIMED = """
import dataclasses, json, resource, statistics, sys, time
from pathlib import Path
from pressearchiv.archive.model import PartialDate
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import IndexOptions, SearchIndex, SearchRequest, scoring

def quantile(values, q):
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

def main():
    data, queries, variant, repeat = (
        Path(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
    )
    options = IndexOptions()
    names = {f.name for f in dataclasses.fields(IndexOptions)}
    scale = variant.get("scale")
    if scale is not None:
        changes = {"run_cache_postings": int(options.run_cache_postings * scale)}
        if "word_scores_postings" in names:
            changes["word_scores_postings"] = int(options.word_scores_postings * scale)
            changes["cache_documents"] = 10**12  # fixed: no growth
        else:
            old = scoring.WordScores.__init__.__defaults__[0]
            scoring.WordScores.__init__.__defaults__ = (int(old * scale),)
        options = dataclasses.replace(options, **changes)
    first, last = PartialDate.parse("2020-03"), PartialDate.parse("2020-12")
    requests = [
        SearchRequest(query=q, date_from=first, date_to=last, size=20, snippets=True)
        for q in queries
    ]
    store = ArchiveStore.open(data)
    index = SearchIndex.open(data / "index", store, options=options, read_only=True)
    try:
        for request in requests:
            index.search(request)
        wall, cpu = [], []
        for _ in range(repeat):
            for request in requests:
                started, thread = time.perf_counter(), time.thread_time()
                index.search(request)
                cpu.append((time.thread_time() - thread) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
        view = index._views.current
        words = view.words
        held = getattr(words, "held", None)
        if held is None:
            held = words._held  # older code: postings, not 8-byte units
        found = {
            "variant": variant,
            "searches": len(wall),
            "wall_ms": {q: quantile(wall, v) for q, v in (("p50", .5), ("p90", .9), ("p99", .99))}
            | {"max": round(max(wall), 1)},
            "cpu_ms": {q: quantile(cpu, v) for q, v in (("p50", .5), ("p90", .9), ("p99", .99))}
            | {"max": round(max(cpu), 1)},
            "documents": view.searcher.doc_count_all(),
            "word_scores_held": held,
            "word_scores_budget": getattr(words, "budget", getattr(words, "_max", None)),
            "run_cache_held": index._postings._runs.held,
            "run_cache_budget": index._postings._runs.max,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
    finally:
        index.close()
        store.close()
    print(json.dumps(found))

if __name__ == "__main__":
    main()
"""


def main() -> None:
    parser = arguments(__doc__, "/tmp/cache-budgets")
    parser.add_argument("--variant", action="append", default=[])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from workload import QUERIES  # bench/ is on the path when run as a script

    queries = json.dumps(list(dict.fromkeys([*QUERIES, *EXTRA])))
    variants = args.variant or ["{}"]
    args.workdir.mkdir(parents=True, exist_ok=True)
    script = args.workdir / "timed.py"
    script.write_text(_TIMED)
    for round_, code in alternate(args.code, args.rounds):
        for variant in variants:
            found = run_timed(
                code, script, [str(args.data_dir), queries, variant, str(args.repeat)]
            )
            print(json.dumps({"round": round_} | found), flush=True)


if __name__ == "__main__":
    main()
