"""Which German lexicon should check compound splits? A comparison on fang-covid.

Usage (from the repository root):

    python bench/lexicons.py \
        --corpus ../shared/corpora/fang-covid/fang_covid_articles.jsonl.xz

The same splitter (:mod:`pressearchiv.index.compounds`) runs with a lexicon
built from each candidate word list, over the corpus words that the judgments
of ``bench/relevance_judgments.json`` classify:

* **recall**: of the occurrences (article × word) of compounds that hold a
  judged head noun (``Maskenpflicht`` for ``Maske``), the share in which a
  split part is that noun;
* **false splits**: occurrences of judged false friends (``Testament``,
  ``Ratte``, ``Armee``, ``Klimaskeptiker``, ``Verpflichtung``) in which a
  split part is the noun they only look like.

Candidates: simplemma's German dictionary (form → lemma), wordfreq's German
``large`` list (words with a Zipf frequency of 2 or more: no word classes, so
every word may be a part), and Debian's wngerman word list
(``/usr/share/dict/ngerman``; capitalised words are nouns). german-nouns is not
compared: it pins ``lxml<5``, which trafilatura's htmldate (``lxml>=6.1``)
cannot run with.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from relevance import JUDGMENTS, holds, tokens_of
from search_bench import read_corpus

from pressearchiv.index.compounds import Splitter
from pressearchiv.index.lexicon import Lexicon, build_lexicon, derive_lexicon

NGERMAN = Path("/usr/share/dict/ngerman")


def from_words(nouns: set[str], verbs: set[str]) -> Lexicon:
    """A lexicon from a plain word list: every word its own lemma."""
    return build_lexicon({w: {w} for w in nouns}, {}, {v[:-2] for v in verbs})


def wordfreq_lexicon() -> Lexicon:
    import wordfreq

    words = {
        w
        for w, f in wordfreq.get_frequency_dict("de", wordlist="large").items()
        if w.isalpha() and len(w) >= 3 and f >= 1e-7  # Zipf 2
    }
    return from_words(words, {w for w in words if w.endswith("en") and len(w) > 5})


def ngerman_lexicon() -> Lexicon:
    lines = NGERMAN.read_text(encoding="utf-8").split()
    nouns = {w.lower() for w in lines if w[:1].isupper() and w.isalpha()}
    verbs = {w for w in lines if w.islower() and w.endswith("en") and len(w) > 5}
    return from_words(nouns, verbs)


CANDIDATES: dict[str, Callable[[], Lexicon]] = {
    "simplemma 2.0.0": derive_lexicon,
    "wordfreq 3.1.1 (large, Zipf >= 2)": wordfreq_lexicon,
    "wngerman 20161207 (Debian)": ngerman_lexicon,
}


def judged_words(records: list[dict[str, str]]) -> tuple[Counter[str], dict[str, str]]:
    """Corpus words by article count, and for each judged word the noun it holds
    ("Maske") or looks like ("!Test" for a false friend)."""
    judgments = json.loads(JUDGMENTS.read_text(encoding="utf-8"))
    counts: Counter[str] = Counter()
    for record in records:
        counts.update(tokens_of(f"{record.get('title') or ''}\n{record.get('text') or ''}"))
    judged: dict[str, str] = {}
    for noun, spec in judgments["compounds"].items():
        for word in counts:
            if "-" in word or word in spec["forms"]:
                continue
            if holds(word, spec):
                judged[word] = noun
            elif any(c in word for c in spec["contains"]):
                judged[word] = "!" + noun
    for noun, spec in judgments["false_friends"].items():
        judged.update((w, "!" + noun) for w in spec["friends"] if w in counts)
    return counts, judged


def measure(
    lexicon: Lexicon, counts: Counter[str], judged: dict[str, str], irregular: dict[str, str]
) -> dict[str, float]:
    """Recall and false splits; parts are lemmatised with simplemma's irregular
    forms for every candidate (``zentren`` is ``zentrum``), so that only the
    splits are compared."""
    import Stemmer

    stem = Stemmer.Stemmer("german").stemWord
    splitter = Splitter(lexicon)
    found = Counter[str]()
    for word, noun in judged.items():
        parts = splitter.split(word)
        bases = {
            stem(irregular.get(base, base))
            for i, p in enumerate(parts)
            for base in (splitter.base(p, head=i == len(parts) - 1),)
        }
        hit = stem(noun.lstrip("!").lower()) in bases
        kind = "false" if noun.startswith("!") else "true"
        found[kind] += counts[word]
        found[kind + "_split"] += counts[word] if hit else 0
    return {
        "recall": round(found["true_split"] / max(found["true"], 1), 4),
        "false_splits": found["false_split"],
        "false_occurrences": found["false"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    counts, judged = judged_words(read_corpus(args.corpus))
    report: dict[str, object] = {"command": " ".join(sys.argv), "judged_words": len(judged)}
    irregular: dict[str, str] = {}
    for name, build in CANDIDATES.items():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        try:
            lexicon = build()
        except (ImportError, OSError) as exc:
            report[name] = {"error": str(exc)}
            continue
        seconds = time.perf_counter() - started
        irregular = irregular or lexicon.irregular  # simplemma's, measured first
        report[name] = {
            "build_seconds": round(seconds, 1),
            "nouns": len(lexicon.nouns),
            "peak_rss_growth_mib": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
            // 1024,
            **measure(lexicon, counts, judged, irregular),
        }
        print(name, report[name], flush=True)
    if args.out:
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
