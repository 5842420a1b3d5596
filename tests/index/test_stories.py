"""Story detection on German news text written for these tests.

One agency copy (a flood in Dresden) appears as another outlet would print
it: with another lead, cut at the end, lightly edited, with an outlet's
promotional box. A reportage and a follow-up on the same flood are other
stories. Ids are real archive ids (16 hex digits of a SHA-256).
"""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from pressearchiv.archive.model import article_id_for
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import story_files
from pressearchiv.index.shingles import shingle_hashes, word_hashes
from pressearchiv.index.sketches import CountMin
from pressearchiv.index.stories import (
    Fingerprint,
    StoryDetector,
    StoryOrderError,
    StoryParams,
)
from pressearchiv.index.story_files import StoryStateError
from tests.index.conftest import draft
from tests.index.flood import (
    AGENCY,
    COPY,
    CUT,
    EDITED,
    FOLLOW_UP,
    NEW_LEAD,
    OTHER_OUTLET,
    REPORTAGE,
    VERSIONS,
)


def aid(text: str) -> str:
    return article_id_for(text)


def run(texts: list[str], detector: StoryDetector | None = None) -> list[str]:
    """Assign texts in order (seq 1, 2, …); returns their story ids."""
    detector = StoryDetector() if detector is None else detector
    start = detector.watermark
    return [
        detector.assign(aid(text), start + n, Fingerprint.of(text)).story
        for n, text in enumerate(texts, 1)
    ]


def test_normalisation_ignores_quotes_dashes_and_number_formats() -> None:
    a = word_hashes("„Rund 1.200 Einsatzkräfte“ – sagte er.\nDer Pegel: 7,45 Meter")
    b = word_hashes('"rund 1200 Einsatzkräfte", sagte er. Der Pegel 745 Meter')
    assert a.tolist() == b.tolist()
    assert word_hashes("Elbe").tolist() != word_hashes("Elbé").tolist()
    assert shingle_hashes("ein zwei drei vier fünf sechs", 5).size == 2
    assert shingle_hashes("zu kurz", 5).size == 1
    assert shingle_hashes("", 5).size == 0


@pytest.mark.parametrize("kind", list(VERSIONS))
def test_a_version_of_the_agency_copy_joins_its_story(kind: str) -> None:
    detector = StoryDetector()
    first, version = run([AGENCY, VERSIONS[kind]], detector)
    assert first == aid(AGENCY)  # the first article founds the story
    assert version == first
    assignment = detector.assignment(aid(VERSIONS[kind]))
    assert assignment is not None and assignment.story == aid(AGENCY)


def test_the_cut_version_arriving_first_founds_the_story() -> None:
    assert run([CUT, AGENCY, NEW_LEAD]) == [aid(CUT)] * 3


def test_other_stories_on_the_same_flood_stay_apart() -> None:
    stories = run([AGENCY, REPORTAGE, FOLLOW_UP, EDITED])
    assert stories == [aid(AGENCY), aid(REPORTAGE), aid(FOLLOW_UP), aid(AGENCY)]


def test_a_round_up_containing_the_copy_further_down_is_another_story() -> None:
    roundup = REPORTAGE + "\n" + FOLLOW_UP + "\nAußerdem: " + AGENCY
    assert run([AGENCY, roundup]) == [aid(AGENCY), aid(roundup)]


def test_boilerplate_shared_by_many_articles_does_not_make_a_story() -> None:
    frame = (
        "Guten Morgen aus der Redaktion! Hier ist Ihr Überblick über die wichtigsten "
        "Nachrichten des Tages aus Dresden und Umgebung. Sie können diesen Newsletter "
        "jederzeit abbestellen, und Hinweise schicken Sie bitte an unsere Redaktion. "
        "Viel Freude beim Lesen wünscht Ihnen das ganze Team. "
    )
    topics = [REPORTAGE, FOLLOW_UP, " ".join(COPY[:5]), " ".join(COPY[5:10]), CUT]
    params = StoryParams(boilerplate_stories=2)
    detector = StoryDetector(params)
    letters = [frame + topic for topic in topics]
    stories = [
        detector.assign(aid(text), n, Fingerprint.of(text, params)).story
        for n, text in enumerate(letters, 1)
    ]
    # Once the frame was seen twice it is boilerplate: the third and fourth
    # letters found their own stories although they share the whole frame.
    assert stories[2] == aid(letters[2]) and stories[3] == aid(letters[3])
    # The fifth shares real text (the cut copy) with the third and joins it.
    assert stories[4] == aid(letters[2])


def test_same_input_same_stories_and_an_article_keeps_its_story() -> None:
    texts = [AGENCY, REPORTAGE, CUT, FOLLOW_UP, EDITED, NEW_LEAD]
    one, two = StoryDetector(), StoryDetector()
    assert run(texts, one) == run(texts, two)
    again = one.assign(aid(CUT), 99, Fingerprint.of(CUT))
    assert again.story == aid(AGENCY) and again.seq == 3 and len(one) == len(texts)
    with pytest.raises(StoryOrderError):
        one.assign(aid("Ein ganz anderer Text."), 2, Fingerprint.of("Ein ganz anderer Text."))
    with pytest.raises(ValueError):
        one.assign("not-an-id", 100, Fingerprint.of(AGENCY))


def test_fingerprints_are_the_same_in_another_process() -> None:
    code = (
        "import sys; from pressearchiv.index.stories import Fingerprint; "
        "print(Fingerprint.of(sys.stdin.read()).shingles.tolist())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=AGENCY, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == str(Fingerprint.of(AGENCY).shingles.tolist())


def test_saved_state_round_trips_and_continues_like_an_uninterrupted_run(
    tmp_path: Path,
) -> None:
    texts = [AGENCY, REPORTAGE, CUT, FOLLOW_UP, EDITED, NEW_LEAD, OTHER_OUTLET]
    state = tmp_path / "stories"
    first = StoryDetector()
    run(texts[:3], first)
    assert story_files.save(first, state) == 3
    run(texts[3:5], first)
    assert story_files.save(first, state) == 2
    assert story_files.save(first, state) == 0  # nothing new, no part
    loaded = story_files.load(state)
    assert loaded.watermark == 5 and len(loaded) == 5
    assert np.array_equal(loaded.rows.signatures, first.rows.signatures)
    assert sorted(zip(*map(list, loaded.heads.entries()), strict=True)) == sorted(
        zip(*map(list, first.heads.entries()), strict=True)
    )
    assert np.array_equal(loaded.counts.cells, first.counts.cells)
    tail = run(texts[5:], loaded)
    assert tail == run(texts, StoryDetector())[5:] == [aid(AGENCY), aid(AGENCY)]
    story_files.save(loaded, state)
    story_files.compact(loaded, state)
    assert [p.name for p in state.iterdir()] == ["part-000000000000.npz"]
    compacted = story_files.load(state)
    assert [compacted.story_of(aid(t)) for t in texts] == [loaded.story_of(aid(t)) for t in texts]


def test_a_sketch_hands_over_exactly_the_cells_changed_since_it_last_did() -> None:
    sketch = CountMin(width_bits=10, depth=3, seed=7)
    rng = np.random.default_rng(3)
    before = sketch.cells.copy()
    for _ in range(40):  # far more changes than a small table has cells
        sketch.add(sketch.cells_of(rng.integers(0, 2**63, 60, dtype=np.uint64)))
    where, values = sketch.take_changes()
    assert np.array_equal(where, np.flatnonzero(sketch.cells != before))
    assert np.array_equal(values, sketch.cells[where])
    assert sketch.take_changes()[0].size == 0  # handed over once
    before = sketch.cells.copy()
    sketch.add(sketch.cells_of(rng.integers(0, 2**63, 5, dtype=np.uint64)))
    where, values = sketch.take_changes()
    assert 0 < where.size <= 15 and np.array_equal(where, np.flatnonzero(sketch.cells != before))
    replay = CountMin(width_bits=10, depth=3, seed=7)
    replay.apply(*sketch.take_changes())  # nothing left
    replay.apply(np.flatnonzero(sketch.cells).astype(np.uint32), sketch.cells[sketch.cells > 0])
    assert np.array_equal(replay.cells, sketch.cells)
    assert replay.take_changes()[0].size == 0  # what is loaded is saved already


def test_a_search_reads_only_the_rows_of_saved_state_in_parts_or_compacted(
    tmp_path: Path,
) -> None:
    texts = [AGENCY, REPORTAGE, CUT, FOLLOW_UP, EDITED, NEW_LEAD, OTHER_OUTLET]
    state = tmp_path / "stories"
    detector = StoryDetector()
    for batch in (texts[:2], texts[2:3], texts[3:]):
        run(batch, detector)
        story_files.save(detector, state)
    for _ in range(2):  # three parts, then one compacted part
        assert_rows_of(detector, story_files.load_rows(state))
        story_files.compact(detector, state)
    with pytest.raises(StoryStateError, match="made by"):
        story_files.load_rows(state, StoryParams(min_containment=0.5))
    empty = story_files.load_rows(tmp_path / "none")
    assert [len(a) for a in (empty.seq, empty.ids, empty.founder)] == [0, 0, 0]


def assert_rows_of(detector: StoryDetector, rows: story_files.SavedRows) -> None:
    assert np.array_equal(rows.seq, detector.rows.seq)
    assert np.array_equal(rows.ids, detector.rows.ids)
    assert np.array_equal(rows.founder, detector.rows.founder)


def test_a_reader_that_follows_the_saves_reads_only_the_new_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [AGENCY, REPORTAGE, CUT, FOLLOW_UP, EDITED, NEW_LEAD, OTHER_OUTLET]
    state = tmp_path / "stories"
    detector = StoryDetector()
    for batch in (texts[:2], texts[2:3]):
        run(batch, detector)
        story_files.save(detector, state)
    opened: list[str] = []
    load = np.load

    def counting(path: Path, **kwargs: object) -> object:
        opened.append(Path(path).name)
        return load(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(np, "load", counting)  # as story_files reads parts
    first = story_files.load_rows(state)
    assert len(opened) == 2
    assert story_files.load_rows(state, after=first) is first and len(opened) == 2  # nothing new
    for batch in (texts[3:5], texts[5:]):
        run(batch, detector)
        story_files.save(detector, state)
    opened.clear()
    second = story_files.load_rows(state, after=first)
    assert opened == ["part-000000000003.npz", "part-000000000005.npz"]
    assert_rows_of(detector, second)
    story_files.compact(detector, state)  # part 0 replaced: everything is read again
    opened.clear()
    third = story_files.load_rows(state, after=second)
    assert opened == ["part-000000000000.npz"]
    assert_rows_of(detector, third)


def test_state_of_other_parameters_or_damaged_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "stories"
    detector = StoryDetector()
    run([AGENCY, CUT], detector)
    story_files.save(detector, state)
    with pytest.raises(StoryStateError, match="made by"):
        story_files.load(state, StoryParams(min_containment=0.5))
    (state / "part-000000000000.npz").write_bytes(b"not a numpy archive")
    with pytest.raises(StoryStateError, match="cannot be read"):
        story_files.load(state)
    story_files.discard(state)
    assert len(story_files.load(state)) == 0


def _fingerprint(text: str) -> Fingerprint:
    return Fingerprint.of(text)


def test_incremental_and_bulk_from_the_archive_give_the_same_ids(tmp_path: Path) -> None:
    texts = [AGENCY, REPORTAGE, CUT, FOLLOW_UP, EDITED, NEW_LEAD, OTHER_OUTLET]
    store = ArchiveStore(tmp_path / "archive.sqlite3")
    try:
        # Articles arrive one by one; the detector follows, saving after each.
        state = tmp_path / "stories"
        for n, text in enumerate(texts):
            store.add(draft(f"Hochwasser {n}", text, "example.de", "2024-09-17"))
            detector = story_files.load(state)
            for article in store.iter_articles(after_seq=detector.watermark):
                detector.assign(article.id, article.seq, Fingerprint.of(article.text))
            story_files.save(detector, state)
        incremental = story_files.load(state)
        # A bulk build: fingerprints in worker processes, assigned in seq order.
        articles = list(store.iter_articles())
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
            prints = list(pool.map(_fingerprint, [a.text for a in articles]))
        bulk = StoryDetector()
        for article, fingerprint in zip(articles, prints, strict=True):
            bulk.assign(article.id, article.seq, fingerprint)
        ids = [a.id for a in articles]
        assert [incremental.story_of(i) for i in ids] == [bulk.story_of(i) for i in ids]
        assert [bulk.story_of(i) for i in ids] == [
            ids[0],
            ids[1],
            ids[0],
            ids[3],
            ids[0],
            ids[0],
            ids[0],
        ]
        seqs = np.array([a.seq for a in articles] + [10_000], dtype=np.int64)
        founders = bulk.rows.founder_seqs(seqs)
        assert founders.tolist() == [articles[0].seq, articles[1].seq] + [articles[0].seq] + [
            articles[3].seq
        ] + [articles[0].seq] * 3 + [-1]
    finally:
        store.close()
