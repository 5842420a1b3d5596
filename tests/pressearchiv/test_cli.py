"""The command line: ingest makes articles searchable; one process owns the index."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressearchiv.archive.store import ArchiveStore
from pressearchiv.cli import main
from pressearchiv.index import SearchIndex

ARTICLE = (
    " date 2022-03 Die Stadtwerke Kleinhausen erhöhen die Preise für Fernwärme zum April. "
    "Verbraucherschützer sprechen von einer Zumutung für Mieter."
)


def test_ingest_then_search(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "artikel.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    data = str(tmp_path / "data")
    assert main(["ingest", "--no-progress", "--data-dir", data, str(source)]) == 0
    out, err = capsys.readouterr()
    assert "1 added, 0 duplicates, 0 rejected" in out
    assert "The search index is up to date (6 articles)." in err

    assert main(["search", "--data-dir", data, "Fernwärme", "Kleinhausen"]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("1 Treffer")
    assert "Die Stadtwerke Kleinhausen erhöhen die Preise für Fernwärme zum April." in out
    assert "unbekannt · 2022-03" in out


def test_a_running_owner_keeps_the_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    source = tmp_path / "artikel.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    assert main(["ingest", "--no-progress", "--data-dir", str(data), str(source)]) == 0
    capsys.readouterr()
    with ArchiveStore.open(data) as store, SearchIndex.open(data / "index", store) as service:
        # Another process's view of the same index: ingest leaves indexing to the owner …
        again = tmp_path / "zweiter.txt"
        again.write_text(ARTICLE.replace("April", "Mai"), encoding="utf-8")
        assert main(["ingest", "--no-progress", "--data-dir", str(data), str(again)]) == 0
        _, err = capsys.readouterr()
        assert "A running service owns the search index" in err
        assert service.wait_indexed(store.max_seq(), timeout=10)
        # … search works beside it, read-only …
        assert main(["search", "--data-dir", str(data), "Fernwärme"]) == 0
        out, _ = capsys.readouterr()
        assert out.startswith("2 Treffer")
        # … and a rebuild is refused while it runs.
        assert main(["reindex", "--data-dir", str(data)]) == 1
        _, err = capsys.readouterr()
        assert "in use by another process" in err and "stop the service" in err
    assert main(["reindex", "--data-dir", str(data)]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("Indexed 7 articles")


def test_ingest_leaves_stories_to_the_service(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pressearchiv.index import SearchRequest
    from pressearchiv.index.story_tracker import StoryMap, stories_dir
    from tests.index.flood import AGENCY, NEW_LEAD

    data = tmp_path / "data"
    first, second = tmp_path / "agentur.txt", tmp_path / "zeitung.txt"
    first.write_text(AGENCY, encoding="utf-8")
    second.write_text(NEW_LEAD, encoding="utf-8")  # the same copy with a new lead
    assert main(["ingest", "--no-progress", "--data-dir", str(data), str(first), str(second)]) == 0
    assert "The search index is up to date" in capsys.readouterr().err
    # Indexed, and no story assigned: the command would only have started on them.
    assert StoryMap.load(stories_dir(data / "index")).watermark == 0
    with ArchiveStore.open(data) as store, SearchIndex.open(data / "index", store) as service:
        assert service.wait_stories(store.max_seq(), timeout=30)  # the service does
        found = service.search(SearchRequest(query="Katastrophenalarm Elbe"))
        assert found.total == 2 and found.stories == 1
