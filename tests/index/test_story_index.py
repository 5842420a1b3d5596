"""Stories in the index: a real store and index in a temporary folder.

Five versions of one agency copy about a flood in Dresden arrive from five
outlets, beside a reportage and a follow-up on the same flood (other stories)
and the eight unrelated articles of ``conftest``. Every expectation is
written out: which articles share a story, what ``group`` keeps, what the
versions listing holds, and that all of it survives a restart and is seen by
a read-only index.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pressearchiv.archive.errors import ArticleNotFound
from pressearchiv.archive.model import article_id_for
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import (
    SearchIndex,
    SearchRequest,
    Sort,
    StoryVersions,
    story_tracker,
)
from pressearchiv.index.story_tracker import stories_dir
from tests.index.conftest import ARTICLES, draft
from tests.index.flood import (
    AGENCY,
    CUT,
    FLOOD,
    FOLLOW_UP,
    OTHER_OUTLET,
    REPORTAGE,
    STORY,
    VERSION_IDS,
)

# Every article but the four later versions founds a story of its own.
STORY_COUNT = len(ARTICLES) + len(FLOOD) - 4


@pytest.fixture
def story_store(store: ArchiveStore) -> ArchiveStore:
    store.add_many(ARTICLES)
    store.add_many([draft(title, text, outlet, date) for title, text, outlet, date in FLOOD])
    return store


def open_index(path: Path, store: ArchiveStore) -> SearchIndex:
    index = SearchIndex.open(path, store)
    assert index.wait_indexed(store.max_seq(), timeout=10)
    assert index.wait_stories(store.max_seq(), timeout=10)
    return index


@pytest.fixture
def story_index(tmp_path: Path, story_store: ArchiveStore) -> Iterator[SearchIndex]:
    index = open_index(tmp_path / "index", story_store)
    yield index
    index.close()


def stories_by_id(index: SearchIndex) -> dict[str, tuple[str | None, int]]:
    hits = index.search(SearchRequest(size=100)).hits
    return {h.id: (h.story, h.versions) for h in hits}


def test_versions_of_one_agency_text_share_a_story(story_index: SearchIndex) -> None:
    found = stories_by_id(story_index)
    assert len(found) == len(ARTICLES) + len(FLOOD)
    for article_id in VERSION_IDS:
        assert found[article_id] == (STORY, 5)


def test_other_stories_on_the_same_topic_stay_apart(story_index: SearchIndex) -> None:
    found = stories_by_id(story_index)
    for text in (REPORTAGE, FOLLOW_UP):
        own = article_id_for(text)
        assert found[own] == (own, 1)
    others = {i: s for i, s in found.items() if i not in VERSION_IDS}
    assert all(story == (i, 1) for i, story in others.items())


def test_group_keeps_one_hit_per_story_while_total_and_facets_count_articles(
    story_index: SearchIndex,
) -> None:
    request = SearchRequest(query="Dresden OR Laubegast", sort=Sort.NEWEST)
    plain = story_index.search(request)
    grouped = story_index.search(replace(request, group=True))
    assert plain.total == grouped.total == 7
    assert plain.facets == grouped.facets
    assert plain.stories == grouped.stories == 3
    # Newest first, the story is represented by its newest version (the
    # Tagesspiegel's, 19 September); the other stories by themselves.
    assert [h.id for h in grouped.hits] == [
        article_id_for(FOLLOW_UP),
        article_id_for(OTHER_OUTLET),
        article_id_for(REPORTAGE),
    ]
    assert [h.versions for h in grouped.hits] == [1, 5, 1]
    assert len(plain.hits) == 7


def test_the_representative_is_the_first_version_in_the_requested_order(
    story_index: SearchIndex,
) -> None:
    request = SearchRequest(query="Katastrophenalarm", group=True)
    oldest = story_index.search(replace(request, sort=Sort.OLDEST)).hits
    newest = story_index.search(replace(request, sort=Sort.NEWEST)).hits
    relevance = story_index.search(request)
    story_hits = [h for h in oldest if h.story == STORY]
    assert [h.id for h in story_hits] == [article_id_for(AGENCY)]  # oldest: 17 Sept, first seq
    assert [h.id for h in newest if h.story == STORY] == [article_id_for(OTHER_OUTLET)]
    ranked = story_index.search(replace(request, group=False))
    best = next(h for h in ranked.hits if h.story == STORY)
    assert [h.id for h in relevance.hits if h.story == STORY] == [best.id]


@pytest.mark.parametrize("size", [1, 2, 3, 7])
@pytest.mark.parametrize("sort", list(Sort))
def test_grouped_pages_hold_every_story_exactly_once(
    story_index: SearchIndex, size: int, sort: Sort
) -> None:
    query = "" if sort is not Sort.RELEVANCE else "der OR die OR und OR Dresden"
    first = story_index.search(SearchRequest(query=query, sort=sort, size=size, group=True))
    pages = -(-first.stories // size)
    seen: list[str | None] = []
    for page in range(1, pages + 2):  # one page beyond the last must be empty
        found = story_index.search(
            SearchRequest(query=query, sort=sort, size=size, page=page, group=True)
        )
        seen.extend(h.story for h in found.hits)
    expected = first.stories if query else STORY_COUNT
    assert len(seen) == len(set(seen)) == expected == first.stories
    whole = story_index.search(SearchRequest(query=query, sort=sort, size=100, group=True))
    assert seen == [h.story for h in whole.hits]
    # Exports ask for the grouped ids in one go: the same order.
    grouped = SearchRequest(query=query, sort=sort, group=True)
    assert list(story_index.scan_ids(grouped, 100)) == [h.id for h in whole.hits]


def test_versions_lists_the_other_versions_oldest_first(story_index: SearchIndex) -> None:
    found = story_index.versions(article_id_for(CUT))
    assert found.story == STORY
    versions = found.others
    assert [(v.outlet, v.title) for v in versions] == [
        ("Sächsische Zeitung", "Katastrophenalarm in Dresden"),
        ("MDR", "Die Elbe steigt und steigt"),
        ("Kronen Zeitung", "Hochwasser: Alarm in Dresden"),
        ("Der Tagesspiegel", "Elbe-Hochwasser in Dresden"),
    ]
    assert all(v.story == STORY and v.versions == 5 for v in versions)
    reportage = article_id_for(REPORTAGE)
    assert story_index.versions(reportage) == StoryVersions(reportage, [])
    with pytest.raises(ArticleNotFound):
        story_index.versions("0123456789abcdef")


def test_related_lists_the_versions_first_then_only_what_is_related(
    story_index: SearchIndex,
) -> None:
    related = story_index.related(article_id_for(CUT), limit=5)
    assert [h.id for h in related[:4]] == [VERSION_IDS[0], VERSION_IDS[1], *VERSION_IDS[3:]]
    # After the versions: the other flood stories at most, never the unrelated articles.
    others = {h.id for h in related[4:]}
    assert others <= {article_id_for(REPORTAGE), article_id_for(FOLLOW_UP)}
    assert all(h.score is not None and 0 < h.score <= 1 for h in related)
    # The reportage shares the flood, not the text: no versions, nothing unrelated.
    reportage = story_index.related(article_id_for(REPORTAGE), limit=5)
    assert {h.id for h in reportage} <= set(VERSION_IDS) | {article_id_for(FOLLOW_UP)}
    unrelated = story_index.related(story_index.search(SearchRequest(query="G20")).hits[0].id)
    assert unrelated == []


def test_stories_survive_a_restart_and_new_versions_join_them(
    tmp_path: Path, story_store: ArchiveStore
) -> None:
    index = open_index(tmp_path / "index", story_store)
    before = stories_by_id(index)
    index.close()
    saved = sorted(p.name for p in stories_dir(tmp_path / "index").iterdir())
    assert saved  # the state is on disk beside the index

    index = SearchIndex.open(tmp_path / "index", story_store)
    try:
        # At once, before the story thread ran: the saved state is the map.
        assert stories_by_id(index) == before
        [added] = story_store.add_many(
            [draft("Hochwasser in Sachsen", AGENCY + " Weitere Meldungen folgen.", "ORF", None)]
        )
        index.notify()
        assert index.wait_indexed(added.seq, timeout=10)
        assert index.wait_stories(added.seq, timeout=10)
        assert stories_by_id(index)[added.article_id] == (STORY, 6)
    finally:
        index.close()


def test_a_read_only_index_sees_the_stories_of_its_owner(
    tmp_path: Path, story_index: SearchIndex, story_store: ArchiveStore
) -> None:
    reader = SearchIndex.open(tmp_path / "index", story_store, read_only=True)
    try:
        assert stories_by_id(reader) == stories_by_id(story_index)
        grouped = reader.search(SearchRequest(group=True, size=100))
        assert grouped.stories == STORY_COUNT == len(grouped.hits)
        assert len(reader.versions(STORY).others) == 4
    finally:
        reader.close()


def test_story_state_of_another_archive_is_never_shown_and_is_assigned_again(
    tmp_path: Path, story_index: SearchIndex
) -> None:
    expected = stories_by_id(story_index)
    # Another archive, the flood arriving first: other seqs for the same articles.
    other = ArchiveStore.open(tmp_path / "other")
    try:
        other.add_many([draft(title, text, outlet, date) for title, text, outlet, date in FLOOD])
        other.add_many(ARTICLES)
        shutil.copytree(stories_dir(tmp_path / "index"), stories_dir(tmp_path / "other" / "index"))
        index = SearchIndex.open(tmp_path / "other" / "index", other)
        try:
            assert index.wait_indexed(other.max_seq(), timeout=10)
            # Until its stories are assigned, an article is a story of its own.
            for article_id, shown in stories_by_id(index).items():
                assert shown in ((article_id, 1), expected[article_id])
            assert index.wait_stories(other.max_seq(), timeout=10)
            assert stories_by_id(index) == expected
        finally:
            index.close()
    finally:
        other.close()


def test_saved_story_state_is_folded_before_its_parts_outgrow_it(
    tmp_path: Path, story_store: ArchiveStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Parts once piled up to 830 MB at 41k articles, all read at each start.
    monkeypatch.setattr(story_tracker, "BATCH", 2)
    monkeypatch.setattr(story_tracker, "COMPACT_SLACK_BYTES", 4096)
    directory = tmp_path / "stories"
    tracker = story_tracker.StoryTracker(directory, story_store)
    after_each_save: list[tuple[int, int]] = []
    save = tracker._save

    def watched() -> None:
        save()
        after_each_save.append(folder_sizes(directory))

    monkeypatch.setattr(tracker, "_save", watched)
    assert tracker.catch_up(story_store.max_seq(), threading.Event()) == 15
    assert len(after_each_save) == 8  # one per batch of two
    assert any(later == 0 for _, later in after_each_save[1:])  # folded on the way
    for folded, later in after_each_save:
        assert later <= folded + 4096, (folded, later)
    again = story_tracker.StoryTracker(directory, story_store)
    assert np.array_equal(again.detector.rows.founder, tracker.detector.rows.founder)


def folder_sizes(folder: Path) -> tuple[int, int]:
    """Bytes of the first part and of all later ones."""
    sizes = [p.stat().st_size for p in sorted(folder.glob("part-*.npz"))]
    return (sizes[0] if sizes else 0), sum(sizes[1:])


@pytest.mark.parametrize(("load_after", "loaded"), [(0.0, True), (60.0, False)])
def test_the_owner_loads_its_story_detector_when_told_even_with_nothing_new(
    tmp_path: Path, story_store: ArchiveStore, load_after: float, loaded: bool
) -> None:
    directory = tmp_path / "stories"
    first = story_tracker.StoryTracker(directory, story_store)
    assert first.catch_up(story_store.max_seq(), threading.Event()) == 15  # all saved
    made, shown = threading.Event(), threading.Event()
    published: list[int] = []

    def publish(stories: story_tracker.StoryMap) -> None:
        published.append(stories.watermark)
        shown.set()

    def make() -> story_tracker.StoryTracker:
        made.set()
        return story_tracker.StoryTracker(directory, story_store)

    follower = story_tracker.StoryFollower(
        make,
        story_store.max_seq,  # nothing beyond the saved map
        publish,
        poll_seconds=0.05,
        saved=first.watermark,
        load_after=load_after,
    )
    follower.start()
    try:
        # A multi-process service's owner (load_after 0) loads it at once, so the
        # first upload does not wait for it; one that searches waits.
        assert made.wait(timeout=5 if loaded else 0.5) is loaded
        if loaded:  # and publishes the same map as the saved one
            assert shown.wait(timeout=5) and published == [first.watermark]
    finally:
        follower.stop()
        follower.join(timeout=10)
