"""Relevance benchmark: word forms, compounds, false friends and known items on fang-covid.

Usage (from the repository root):

    python bench/relevance.py \
        --corpus ../shared/corpora/fang-covid/fang_covid_articles.jsonl.xz \
        --workdir /tmp/pressearchiv-relevance --out /tmp/relevance.json

It builds a real archive store and index from the corpus (``ArchiveStore``,
``rebuild_index``, ``SearchIndex``; the store is kept for later runs with
``--reuse-store``), reads the ground truth from the stored articles with the
hand-checked judgments in ``bench/relevance_judgments.json``, and searches
through the public API:

* **variants**: each inflected form or spelling of a word (``Viren`` for
  ``Virus``) must find every article holding any form of it (recall), and what
  it finds must hold the word (precision; a compound holding it counts);
* **compounds**: a head noun (``Maske``) must find the articles that hold it
  anywhere, alone or inside a compound (``Maskenpflicht``), and among them
  those that hold it only inside compounds; the share of the top 20 that hold
  the word itself shows whether the top of the list got worse;
* **false friends**: articles holding only ``Testament`` must not be found by
  ``Test``;
* **known items**: an article's exact title, and four distinctive words of its
  body, must bring it back in the top 10 (MRR@10).
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from search_bench import drafts, read_corpus

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex, SearchRequest, rebuild_index

JUDGMENTS = Path(__file__).with_name("relevance_judgments.json")
_TOKEN = re.compile(r"\w+(?:-\w+)*")
_ALPHA = re.compile(r"[^\W\d_]{5,}")
EVERYTHING = 1_000_000

Tokens = dict[str, set[str]]  # article id -> its lowercase words and hyphen parts


def tokens_of(text: str) -> set[str]:
    found: set[str] = set()
    for word in _TOKEN.findall(text.lower()):
        found.add(word)
        if "-" in word:
            found.update(p for p in word.split("-") if p)
    return found


def holds(word: str, spec: dict[str, list[str]]) -> bool:
    """Whether a word is a form of the noun or a compound holding it (judgments)."""
    if word in spec["forms"]:
        return True
    return any(c in word for c in spec["contains"]) and not any(
        _excluded(word, pattern) for pattern in spec["not"]
    )


def _excluded(word: str, pattern: str) -> bool:
    if pattern.startswith("="):
        return word == pattern[1:]
    if pattern.startswith("^"):
        return word.startswith(pattern[1:])
    return pattern in word


class Bench:
    def __init__(self, index: SearchIndex, tokens: Tokens, judgments: dict[str, object]) -> None:
        self.index = index
        self.tokens = tokens
        self.judgments = judgments
        self.postings: dict[str, set[str]] = {}
        for article_id, words in tokens.items():
            for word in words:
                self.postings.setdefault(word, set()).add(article_id)

    def found(self, query: str) -> set[str]:
        return set(self.index.scan_ids(SearchRequest(query=query, facets=False), EVERYTHING))

    def ranked(self, query: str, size: int = 20) -> list[str]:
        response = self.index.search(SearchRequest(query=query, size=size, snippets=False))
        return [h.id for h in response.hits]

    def articles(self, test: Callable[[str], bool]) -> set[str]:
        """The articles holding a word that passes ``test``."""
        found: set[str] = set()
        for word, holders in self.postings.items():
            if test(word):
                found |= holders
        return found

    def variants(self) -> dict[str, object]:
        compounds: dict[str, dict[str, list[str]]] = self.judgments["compounds"]  # type: ignore[assignment]
        relevant_total = hit_total = found_total = correct_total = 0
        rows = []
        for group in self.judgments["variants"]:  # type: ignore[attr-defined]
            forms = [f.lower() for f in group]
            relevant = self.articles(set(forms).__contains__)
            spec = compounds.get(group[0], {"forms": forms, "contains": forms, "not": []})
            correct = self.articles(functools.partial(holds, spec=spec))
            for form in group:
                found = self.found(form)
                hit, right = len(found & relevant), len(found & correct)
                relevant_total += len(relevant)
                hit_total += hit
                found_total += len(found)
                correct_total += right
                rows.append(
                    {
                        "query": form,
                        "relevant": len(relevant),
                        "recall": round(hit / max(len(relevant), 1), 4),
                        "precision": round(right / max(len(found), 1), 4),
                    }
                )
        return {
            "recall": round(hit_total / max(relevant_total, 1), 4),
            "precision": round(correct_total / max(found_total, 1), 4),
            "queries": rows,
        }

    def compounds(self) -> dict[str, object]:
        specs: dict[str, dict[str, list[str]]] = self.judgments["compounds"]  # type: ignore[assignment]
        totals = Counter[str]()
        rows = []
        for noun, spec in specs.items():
            word = self.articles(set(spec["forms"]).__contains__)
            anywhere = self.articles(functools.partial(holds, spec=spec))
            inside = anywhere - word
            found = self.found(noun)
            top = self.ranked(noun)
            counts = {
                "anywhere": len(anywhere),
                "found_anywhere": len(found & anywhere),
                "only_inside": len(inside),
                "found_only_inside": len(found & inside),
                "found": len(found),
                "found_correct": len(found & anywhere),
                "top": len(top),
                "top_with_word": sum(1 for a in top if a in word),
            }
            totals.update(counts)
            rows.append({"noun": noun, **counts})
        return {
            "recall_anywhere": round(totals["found_anywhere"] / max(totals["anywhere"], 1), 4),
            "recall_only_inside": round(
                totals["found_only_inside"] / max(totals["only_inside"], 1), 4
            ),
            "share_only_inside": round(totals["only_inside"] / max(totals["anywhere"], 1), 4),
            "precision": round(totals["found_correct"] / max(totals["found"], 1), 4),
            "top20_with_word": round(totals["top_with_word"] / max(totals["top"], 1), 4),
            "nouns": rows,
        }

    def false_friends(self) -> dict[str, object]:
        rows = []
        total = found_total = 0
        for noun, spec in self.judgments["false_friends"].items():  # type: ignore[attr-defined]
            friends, letters = spec["friends"], spec["holds"]
            only = {
                a
                for a, words in self.tokens.items()
                if any(w in friends for w in words)
                and not any(x in w and w not in friends for w in words for x in letters)
            }
            found = self.found(noun) & only
            total += len(only)
            found_total += len(found)
            rows.append({"noun": noun, "articles_with_only_false_friends": len(only),
                         "found": len(found)})  # fmt: skip
        return {"found_share": round(found_total / max(total, 1), 4), "nouns": rows}

    def known_items(self, store: ArchiveStore, count: int, seed: int) -> dict[str, object]:
        rng = random.Random(seed)
        ids = sorted(self.tokens)
        df = Counter(w for words in self.tokens.values() for w in words)
        by_title: dict[str, set[str]] = {}
        articles = {a.id: a for a in store.get_many(ids)}
        for a in articles.values():
            by_title.setdefault(a.title.strip().lower(), set()).add(a.id)
        titles, bodies, misses = [], [], []
        for article_id in rng.sample(ids, min(count, len(ids))):
            article = articles[article_id]
            if article.title.strip():
                wanted = by_title[article.title.strip().lower()]
                titles.append(_reciprocal_rank(self.ranked(article.title, 10), wanted))
                if titles[-1] < 1:
                    misses.append({"title": article.title, "rr": round(titles[-1], 3)})
            words = sorted({w for w in _ALPHA.findall(article.text) if 2 <= df[w.lower()] <= 50})
            if len(words) >= 4:
                query = " ".join(rng.sample(words, 4))
                bodies.append(_reciprocal_rank(self.ranked(query, 10), {article_id}))
                if bodies[-1] < 1:
                    misses.append({"words": query, "rr": round(bodies[-1], 3)})
        return {
            "misses": misses,
            "title_mrr10": round(sum(titles) / max(len(titles), 1), 4),
            "title_queries": len(titles),
            "body_words_mrr10": round(sum(bodies) / max(len(bodies), 1), 4),
            "body_queries": len(bodies),
        }


def _reciprocal_rank(ranked: list[str], wanted: set[str]) -> float:
    for rank, article_id in enumerate(ranked, 1):
        if article_id in wanted:
            return 1 / rank
    return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/pressearchiv-relevance"))
    parser.add_argument("--size", type=int, default=41_242, help="articles from the corpus")
    parser.add_argument("--reuse-store", action="store_true", help="keep an existing store")
    parser.add_argument(
        "--index",
        type=Path,
        help="index folder (default: WORKDIR/index), rebuilt unless --reuse-index",
    )
    parser.add_argument("--reuse-index", action="store_true", help="measure an existing index")
    parser.add_argument("--known-items", type=int, default=400)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    judgments = json.loads(JUDGMENTS.read_text(encoding="utf-8"))
    report: dict[str, object] = {"command": " ".join(sys.argv)}
    data = args.workdir / "data"
    keep = args.reuse_store and data.exists()
    with ArchiveStore.open(data) as store:
        if not keep:
            records = read_corpus(args.corpus)
            for _ in store.add_drafts(drafts(records, args.size), batch_size=1000):
                pass
        index_dir = args.index or args.workdir / "index"
        if not args.reuse_index:
            started = time.perf_counter()
            indexed = rebuild_index(index_dir, store)
            report["indexing"] = {"articles": indexed, "seconds": time.perf_counter() - started}
        tokens = {a.id: tokens_of(f"{a.title}\n{a.text}") for a in store.iter_articles()}
        with SearchIndex.open(index_dir, store) as index:
            index.wait_indexed(store.max_seq(), timeout=600)
            bench = Bench(index, tokens, judgments)
            report["variants"] = bench.variants()
            report["compounds"] = bench.compounds()
            report["false_friends"] = bench.false_friends()
            report["known_items"] = bench.known_items(store, args.known_items, args.seed)
    summary = {k: v for k, v in report.items() if not isinstance(v, dict)}
    for key in ("indexing", "variants", "compounds", "false_friends", "known_items"):
        part = report.get(key, {})
        assert isinstance(part, dict)
        summary[key] = {k: v for k, v in part.items() if not isinstance(v, list)}
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
