"""Where "Ähnliche Artikel" stops being related: similarity against topic labels.

Indexes the 1,028 labelled DER STANDARD articles of 10kGNAD (nine desks:
Inland, International, Wirtschaft, Sport, Kultur, Wissenschaft, Web, Etat,
Panorama) in a temporary folder, asks every article for its five most similar
articles with no threshold, and reports, per band of similarity (the hit's
score for the article's key terms over the article's own score), how many
pairs there are and how many share the desk. Pairs from different desks are
the ones a reader sees as unrelated. The desk is a coarse proxy for "related"
(two Sport stories need not be related), so the script also prints sample
pairs from each band for reading by hand (``--samples``).

    python bench/related.py --corpus ../shared/corpora/10kgnad/test.csv
"""

from __future__ import annotations

import argparse
import collections
import csv
import random
import tempfile
from pathlib import Path

from pressearchiv.archive.model import ArticleDraft, DocumentFormat
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex

BANDS = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.6, 1.01]


def articles(path: Path) -> list[tuple[str, str]]:
    """(desk, text) of each line of 10kGNAD's ``label;'text'`` CSV."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row[0], row[1]) for row in csv.reader(handle, delimiter=";", quotechar="'")]


def draft(text: str) -> ArticleDraft:
    # 10kGNAD joins teaser and body: its start stands in for the title.
    title = text[:200]
    return ArticleDraft(
        title=title,
        text=text,
        outlet="DER STANDARD",
        date=None,
        date_source=None,
        raw=text.encode("utf-8"),
        content_type="text/plain; charset=utf-8",
        format=DocumentFormat.TEXT,
        url=None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--samples", type=int, default=3, help="pairs printed per band")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    corpus = articles(args.corpus)
    pairs: list[tuple[float, bool, str, str]] = []
    shown_by_threshold: collections.Counter[float] = collections.Counter()
    with tempfile.TemporaryDirectory() as folder, ArchiveStore.open(Path(folder)) as store:
        added = store.add_many([draft(text) for _, text in corpus])
        desk = {a.article_id: corpus[n][0] for n, a in enumerate(added) if a.created}
        index = SearchIndex.open(Path(folder) / "index", store)
        try:
            assert index.wait_indexed(store.max_seq(), timeout=600)
            assert index.wait_stories(store.max_seq(), timeout=600)
            titles = {a.id: a.title for a in store.iter_articles()}
            for article_id in desk:
                hits = index.related(article_id, limit=5, min_similarity=0.0)
                for hit in hits:
                    similarity = float(hit.score or 0.0)
                    same = desk[hit.id] == desk[article_id]
                    pairs.append((similarity, same, titles[article_id], titles[hit.id]))
                for threshold in BANDS[:-1]:
                    if any((h.score or 0.0) >= threshold for h in hits):
                        shown_by_threshold[threshold] += 1
        finally:
            index.close()
    print(f"{len(desk)} articles, {len(pairs)} pairs (top 5 each, no threshold)")
    print("\nband            pairs  same desk")
    for low, high in zip(BANDS, BANDS[1:], strict=False):
        agree = [same for s, same, _, _ in pairs if low <= s < high]
        share = sum(agree) / len(agree) if agree else float("nan")
        print(f"[{low:.2f}, {high:.2f})  {len(agree):6d}  {share:8.3f}")
    print("\nthreshold  pairs kept  same desk  articles still showing one")
    for threshold in BANDS[:-1]:
        kept = [same for s, same, _, _ in pairs if s >= threshold]
        share = sum(kept) / len(kept) if kept else float("nan")
        print(
            f"{threshold:9.2f}  {len(kept):10d}  {share:9.3f}  "
            f"{shown_by_threshold[threshold] / len(desk):10.3f}"
        )
    rng = random.Random(args.seed)
    for low, high in zip(BANDS, BANDS[1:], strict=False):
        band = [p for p in pairs if low <= p[0] < high]
        print(f"\n-- samples in [{low:.2f}, {high:.2f})")
        for similarity, same, title, other in rng.sample(band, min(args.samples, len(band))):
            mark = "same desk" if same else "other desk"
            print(f"{similarity:.3f} {mark}: {title[:160]!r}\n      -> {other[:160]!r}")


if __name__ == "__main__":
    main()
