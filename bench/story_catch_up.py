r"""Story catch-up: how long the owner takes to assign the stories of a whole archive.

Usage (from the repository root; the data folder is copied, never changed):

    python bench/story_catch_up.py --data-dir /tmp/growth/data-100000 \
        --code /tmp/old-checkout --code . --rounds 2

A bulk ingest leaves the story assignment of what it added to the next start
of the service, whose owner then assigns it in the background (grouping by
story is incomplete until it has). For each round and each ``--code``
checkout in turn (alternating, so that both see the same load), this copies
the data folder without its story state (``index.stories``) into
``--workdir``, opens the index as owner with that checkout's ``.venv`` and
times ``SearchIndex.wait_stories`` until every article has its story. One
line per run: seconds, milliseconds per article, load average.
"""

from __future__ import annotations

import json
import shutil
from typing import Any

from checkouts import alternate, arguments, fresh_copy, run_timed

# Run by each checkout's own interpreter, so that it measures that code.
_TIMED = """
import json, sys, time
from pathlib import Path
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex

def main():
    data = Path(sys.argv[1])
    with ArchiveStore.open(data) as store:
        started = time.perf_counter()
        with SearchIndex.open(data / "index", store) as index:
            assert index.wait_stories(store.max_seq(), timeout=7200)
            seconds = time.perf_counter() - started
        print(json.dumps({"articles": store.count(), "seconds": round(seconds, 1)}))

if __name__ == "__main__":  # the catch-up's worker processes import this file
    main()
"""


def main() -> None:
    parser = arguments(__doc__, "/tmp/story-catch-up")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    script = args.workdir / "timed.py"
    script.write_text(_TIMED)
    copy = args.workdir / "data"
    for round_, code in alternate(args.code, args.rounds):
        fresh_copy(args.data_dir, copy, leave_out=("index.stories",))
        found: dict[str, Any] = {"round": round_, "code": str(code)}
        found |= run_timed(code, script, [str(copy)])
        per_article = found["seconds"] / max(1, found["articles"])
        found["ms_per_article"] = round(1000 * per_article, 2)
        print(json.dumps(found), flush=True)
    shutil.rmtree(copy, ignore_errors=True)


if __name__ == "__main__":
    main()
