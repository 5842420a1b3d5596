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


def grouping_cost(founders: np.ndarray, repeat: int = 20) -> float:
    """Median ms to count versions and keep one hit per story over all rows:
    what ``versions`` and ``group=story`` need from the searcher's columns."""
    rng = np.random.default_rng(3)
    times = []
    for _ in range(repeat):
        matches = rng.random(founders.size) < 0.3
        started = time.perf_counter()
        stories, codes, versions = np.unique(founders, return_inverse=True, return_counts=True)
        hits = np.flatnonzero(matches)
        _, first = np.unique(codes[hits], return_index=True)  # earliest row per story
        _ = versions[codes[hits[first]]], len(stories)
        times.append(time.perf_counter() - started)
    return float(np.median(times) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
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
        "bands bytes/article": round(
            (detector.text_bands.nbytes + detector.head_bands.nbytes) / n, 1
        ),
        "count-min MiB (fixed)": round(detector.counts.cells.nbytes / 2**20, 1),
        "group by story over all rows, ms": round(grouping_cost(founders.astype(np.int64)), 2),
        **evaluate(detector, pairs),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
