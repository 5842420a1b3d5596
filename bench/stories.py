"""Story detection on fang-covid: precision and recall on hand-judged pairs, and cost.

Runs :class:`~pressearchiv.index.stories.StoryDetector` over the whole corpus
in file order (the corpus id is the ``seq``), then checks every pair of
``bench/stories/pairs.jsonl``: a pair judged "same story" should end up with
one story id, a pair judged "not the same story" with two. Reports precision
and recall of "same story", the errors by kind of relation, and what the
detector costs per article (time and memory).

    python bench/stories.py --corpus ../shared/corpora/fang-covid/fang_covid_articles.jsonl.xz

``--set name=value`` overrides a :class:`StoryParams` field (for sweeps).
"""

from __future__ import annotations

import argparse
import collections
import json
import lzma
import time
from collections.abc import Iterator
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from pressearchiv.index.stories import Fingerprint, StoryDetector, StoryParams

PAIRS = Path(__file__).with_name("stories") / "pairs.jsonl"


def corpus(path: Path, limit: int | None) -> Iterator[tuple[str, str]]:
    """(corpus id, text) in file order."""
    with lzma.open(path, "rt", encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            if limit is not None and n >= limit:
                return
            record = json.loads(line)
            yield record["id"], record["text"]


def article_id(corpus_id: str) -> str:
    return f"{int(corpus_id):016x}"


def parse_overrides(items: list[str]) -> dict[str, Any]:
    types = {f.name: f.type for f in fields(StoryParams)}
    result: dict[str, Any] = {}
    for item in items:
        name, _, value = item.partition("=")
        if name not in types:
            raise SystemExit(f"unknown parameter {name!r}")
        result[name] = float(value) if types[name] in (float, "float") else int(value)
    return result


def evaluate(detector: StoryDetector, pairs: list[dict[str, Any]]) -> dict[str, Any]:
    outcome: collections.Counter[str] = collections.Counter()
    errors: collections.Counter[str] = collections.Counter()
    for pair in pairs:
        a, b = detector.story_of(article_id(pair["a"])), detector.story_of(article_id(pair["b"]))
        grouped = a is not None and a == b
        if pair["same"]:
            outcome["tp" if grouped else "fn"] += 1
            if not grouped:
                errors[f"missed {pair['kind']}"] += 1
        else:
            outcome["fp" if grouped else "tn"] += 1
            if grouped:
                errors[f"wrongly grouped {pair['kind']}"] += 1
    tp, fp, fn = outcome["tp"], outcome["fp"], outcome["fn"]
    return {
        "pairs": len(pairs),
        "positives": tp + fn,
        "negatives": fp + outcome["tn"],
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "outcome": dict(outcome),
        "errors": dict(errors.most_common()),
    }


def grouping_cost(founders: np.ndarray, rows: int, repeat: int = 20) -> dict[str, float]:
    """What ``versions`` and ``group=story`` cost the searcher, in ms (medians).

    ``founders`` (per row, the row of its story's first article) is tiled to
    ``rows`` rows the way bench/search_bench.py builds 100k from the corpus
    (each copy its own stories). Per commit: dense story codes and versions
    per story over all rows. Per query, with 30 % of rows matching: the
    best-scoring hit of each story, its versions, and the number of stories.
    """
    copies = -(-rows // founders.size)
    tiled = np.concatenate([founders + k * founders.size for k in range(copies)])[:rows]
    rng = np.random.default_rng(3)
    per_commit, per_query = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        _, codes, versions = np.unique(tiled, return_inverse=True, return_counts=True)
        per_commit.append(time.perf_counter() - started)
        hits = np.flatnonzero(rng.random(rows) < 0.3)
        scores = rng.random(hits.size)
        started = time.perf_counter()
        story = codes[hits]
        best = np.full(versions.size, -1.0)
        np.maximum.at(best, story, scores)  # the best-scoring version of each story
        representatives = hits[scores == best[story]]
        stories = np.count_nonzero(np.bincount(story, minlength=versions.size))
        _ = versions[codes[representatives]], stories
        per_query.append(time.perf_counter() - started)
    return {
        "per commit ms": round(float(np.median(per_commit)) * 1000, 2),
        "per query ms": round(float(np.median(per_query)) * 1000, 2),
    }


def datasketch_comparison(prints: list[Fingerprint], count: int = 2000) -> dict[str, float]:
    """datasketch 2.0's MinHash and MinHashLSH on the same shingles (if installed)."""
    try:
        from datasketch import (  # type: ignore[import-untyped, import-not-found, unused-ignore]
            LeanMinHash,
            MinHash,
            MinHashLSH,
        )
    except ImportError as exc:
        raise SystemExit("--datasketch needs: pip install datasketch==2.0.0") from exc
    import tracemalloc

    sample = [p.distinct.astype(np.uint32) for p in prints[:count] if p.distinct.size]
    ours = StoryDetector()._text  # the detector's own MinHasher, as configured
    started = time.perf_counter()
    for values in sample:
        ours.signature(values.astype(np.uint64))
    ours_us = (time.perf_counter() - started) / len(sample) * 1e6
    started = time.perf_counter()
    sketches = []
    for values in sample:
        m = MinHash(num_perm=64, hashfunc=lambda v: v)
        m.update_batch(values.tolist())
        sketches.append(LeanMinHash(m))
    theirs_us = (time.perf_counter() - started) / len(sample) * 1e6
    tracemalloc.start()
    lsh = MinHashLSH(num_perm=64, params=(16, 4))
    for n, sketch in enumerate(sketches):
        lsh.insert(f"{n:016x}", sketch)
    lsh_bytes = tracemalloc.get_traced_memory()[0] / len(sketches)
    tracemalloc.stop()
    return {
        "MinHash µs/article, ours": round(ours_us, 1),
        "MinHash µs/article, datasketch": round(theirs_us, 1),
        "MinHashLSH bytes/article, datasketch (16x4 bands)": round(lsh_bytes),
    }


def indexing_comparison(records: list[tuple[str, str]], count: int) -> dict[str, float]:
    """µs per article to index ``count`` articles with the project's bulk writer
    in one process, and to fingerprint and assign the same articles: the ratio
    is what story detection adds to indexing, measured in the same run."""
    import tempfile

    from pressearchiv.archive.model import ArticleDraft, DocumentFormat
    from pressearchiv.archive.store import ArchiveStore
    from pressearchiv.index import rebuild_index

    with tempfile.TemporaryDirectory() as tmp:
        store = ArchiveStore(Path(tmp) / "archive.sqlite3")
        try:
            drafts = [
                ArticleDraft(
                    title=f"Artikel {corpus_id}",
                    text=text,
                    outlet="example.de",
                    date=None,
                    date_source=None,
                    raw=text.encode("utf-8"),
                    content_type="text/plain; charset=utf-8",
                    format=DocumentFormat.TEXT,
                )
                for corpus_id, text in records[:count]
            ]
            for _ in store.add_drafts(drafts, batch_size=1000):
                pass
            articles = list(store.iter_articles())
            started = time.perf_counter()
            rebuild_index(Path(tmp) / "index", store, workers=1)
            index_s = time.perf_counter() - started
        finally:
            store.close()
    started = time.perf_counter()
    detector = StoryDetector()
    for article in articles:
        detector.assign(article.id, article.seq, Fingerprint.of(article.text))
    stories_s = time.perf_counter() - started
    n = len(articles)
    return {
        "articles": n,
        "index µs/article (1 process)": round(index_s / n * 1e6),
        "stories µs/article (fingerprint + assign)": round(stories_s / n * 1e6),
        "stories / index": round(stories_s / index_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rows", type=int, default=100_000, help="rows for the search-cost part")
    parser.add_argument("--datasketch", action="store_true", help="compare with datasketch")
    parser.add_argument(
        "--index-sample", type=int, default=0, help="also time indexing this many articles"
    )
    args = parser.parse_args()

    params = replace(StoryParams(), **parse_overrides(args.set))
    pairs = [json.loads(line) for line in args.pairs.read_text(encoding="utf-8").splitlines()]
    texts = list(corpus(args.corpus, args.limit))

    started = time.perf_counter()
    prints = [Fingerprint.of(text, params) for _, text in texts]
    fingerprint_s = time.perf_counter() - started

    detector = StoryDetector(params)
    started = time.perf_counter()
    for seq, ((corpus_id, _), fingerprint) in enumerate(zip(texts, prints, strict=True), 1):
        detector.assign(article_id(corpus_id), seq, fingerprint)
    assign_s = time.perf_counter() - started

    n = len(texts)
    founders = detector.rows.founder
    sizes = np.bincount(founders)
    result = {
        "params": params.version,
        "articles": n,
        "stories": int(np.count_nonzero(sizes)),
        "articles in stories of 2+": int(sizes[sizes > 1].sum()),
        "largest story": int(sizes.max()) if n else 0,
        "fingerprint µs/article": round(fingerprint_s / n * 1e6, 1),
        "assign µs/article": round(assign_s / n * 1e6, 1),
        "rows bytes/article": round(detector.rows.nbytes / n, 1),
        "head keys bytes/article": round(detector.heads.nbytes / n, 1),
        "count-min MiB (fixed)": round(detector.counts.cells.nbytes / 2**20, 1),
        f"search side at {args.rows:,} rows": grouping_cost(founders.astype(np.int64), args.rows),
        **evaluate(detector, pairs),
    }
    if args.datasketch:
        result["datasketch"] = datasketch_comparison(prints)
    if args.index_sample:
        result["indexing"] = indexing_comparison(texts, args.index_sample)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
