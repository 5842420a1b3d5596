r"""The first search after a commit: what an upload costs the searches that follow it.

Usage (from the repository root; the data folder is copied, never changed):

    python bench/after_commit.py --data-dir /tmp/growth/data-100000 \
        --code /tmp/old-checkout --code . --rounds 2

Every upload is a commit, and a commit starts a new generation of the index,
whose per-generation caches (a word's scores, parsed queries) start empty. On
a busy archive most searches are therefore the first of their words since a
commit. For each round and each ``--code`` checkout in turn (alternating, so
that both see the same load), this copies the data folder into ``--workdir``,
opens the index as owner with that checkout's ``.venv``, and runs the 20
faceted queries of ``bench/workload.py`` (without snippets, which do not
depend on the generation) plus a few wildcard and phrase queries: once cold,
once warm, and after each of ``--commits`` one-article commits. It prints one
JSON line per run: thread CPU per query (median and mean over the queries),
cold, warm and after a commit (median over the commits).
"""

from __future__ import annotations

import json
import shutil

from checkouts import alternate, arguments, fresh_copy, run_timed

# Wildcards and phrases beside the workload's "Impf*" and "zweite Welle".
EXTRA = ["Masken*", "Lockdown*", '"Robert Koch-Institut"', '"erste Welle"']

# Run by each checkout's own interpreter, so that it measures that code.
_TIMED = """
import json, statistics, sys, time
from pathlib import Path
from pressearchiv.archive.model import DateSource, DocumentFormat, PartialDate
from pressearchiv.archive.model import ArticleDraft
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex, SearchRequest

def draft(i):
    text = f"Nachtrag {i}: Impfungen, Masken und die zweite Welle in Berlin ({time.time()})."
    return ArticleDraft(
        title=f"Nachtrag {i}", text=text, outlet="Testblatt",
        date=PartialDate.parse("2020-05-01"), date_source=DateSource.PROVIDED,
        raw=text.encode(), content_type="text/plain; charset=utf-8",
        format=DocumentFormat.TEXT,
    )

def main():
    data, commits, queries = Path(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
    first, last = PartialDate.parse("2020-03"), PartialDate.parse("2020-12")
    requests = [
        SearchRequest(query=q, date_from=first, date_to=last, size=20, snippets=False)
        for q in queries
    ]
    with ArchiveStore.open(data) as store, SearchIndex.open(data / "index", store) as index:
        assert index.wait_indexed(store.max_seq(), timeout=3600)

        def run():
            took = []
            for request in requests:
                started = time.thread_time()
                index.search(request)
                took.append((time.thread_time() - started) * 1000)
            return took

        cold, warm = run(), run()
        after = []
        for i in range(commits):
            stored = store.add_many([draft(i)])
            assert index.wait_indexed(stored[0].seq, timeout=60)
            after.append(run())
    per_query = [statistics.median(column) for column in zip(*after)]
    found = {
        name: {"median": round(statistics.median(t), 2), "mean": round(statistics.mean(t), 2)}
        for name, t in (("cold", cold), ("warm", warm), ("after_commit", per_query))
    }
    found["per_query_after_commit"] = dict(zip(queries, [round(t, 1) for t in per_query]))
    print(json.dumps(found))

if __name__ == "__main__":
    main()
"""


def main() -> None:
    parser = arguments(__doc__, "/tmp/after-commit")
    parser.add_argument("--commits", type=int, default=5)
    args = parser.parse_args()
    from workload import QUERIES  # bench/ is on the path when run as a script

    queries = json.dumps(list(dict.fromkeys([*QUERIES, *EXTRA])))  # each once
    args.workdir.mkdir(parents=True, exist_ok=True)
    script = args.workdir / "timed.py"
    script.write_text(_TIMED)
    copy = args.workdir / "data"
    for round_, code in alternate(args.code, args.rounds):
        fresh_copy(args.data_dir, copy)
        found = run_timed(code, script, [str(copy), str(args.commits), queries])
        print(json.dumps({"round": round_} | found), flush=True)
    shutil.rmtree(copy, ignore_errors=True)


if __name__ == "__main__":
    main()
