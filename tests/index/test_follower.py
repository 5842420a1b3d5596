"""A read-only index that follows its owner: what a worker process of the service sees."""

from __future__ import annotations

from pathlib import Path

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import IndexOptions, SearchIndex, SearchRequest
from tests.index.conftest import draft


def ids_for(index: SearchIndex, query: str) -> list[str]:
    return [h.id for h in index.search(SearchRequest(query=query)).hits]


def test_follower_sees_each_commit_of_the_owner(tmp_path: Path, filled_store: ArchiveStore) -> None:
    owner = SearchIndex.open(tmp_path / "index", filled_store)
    assert owner.wait_indexed(filled_store.max_seq(), timeout=10)
    # The worker has a store connection of its own, as in another process.
    with ArchiveStore.open(tmp_path / "data") as worker_store:
        follower = SearchIndex.open(
            tmp_path / "index",
            worker_store,
            read_only=True,
            follow=True,
            options=IndexOptions(follow_seconds=0.02),
        )
        try:
            assert ids_for(follower, "Zqvorbericht") == []
            # Stored through the worker's own connection, indexed by the owner.
            (added,) = worker_store.add_many(
                [draft("Zqvorbericht aus Kiel", "Der Zqvorbericht liegt vor.", "taz", "2022-05-01")]
            )
            # wait_indexed of a follower waits for the owner's commit to reach it.
            assert follower.wait_indexed(added.seq, timeout=20)
            assert ids_for(follower, "Zqvorbericht") == [added.article_id]
            # (The follower may see the commit before the owner's own view does.)
            assert owner.wait_indexed(added.seq, timeout=20)
            assert follower.status().index_count == owner.status().index_count == 9
        finally:
            follower.close()
            owner.close()


def test_a_read_only_index_without_follow_keeps_its_view(
    tmp_path: Path, filled_store: ArchiveStore
) -> None:
    owner = SearchIndex.open(tmp_path / "index", filled_store)
    assert owner.wait_indexed(filled_store.max_seq(), timeout=10)
    snapshot = SearchIndex.open(tmp_path / "index", filled_store, read_only=True)
    try:
        before = snapshot.status().index_count
        (added,) = filled_store.add_many(
            [draft("Zqnachtrag", "Ein Zqnachtrag zum Bericht.", "taz", "2022-05-02")]
        )
        assert owner.wait_indexed(added.seq, timeout=20)
        # Not following: a search tool's one-off view does not change under it.
        assert not snapshot.wait_indexed(added.seq, timeout=0.3)
        assert snapshot.status().index_count == before
    finally:
        snapshot.close()
        owner.close()
