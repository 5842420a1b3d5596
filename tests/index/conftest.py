"""A real archive store and a real index in a temporary folder, with a few German articles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pressearchiv.archive.model import ArticleDraft, DateSource, DocumentFormat, PartialDate
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import SearchIndex


def draft(
    title: str, text: str, outlet: str, date: str | None, url: str | None = None
) -> ArticleDraft:
    return ArticleDraft(
        title=title,
        text=text,
        outlet=outlet,
        date=PartialDate.parse(date) if date else None,
        date_source=DateSource.PROVIDED if date else None,
        raw=text.encode("utf-8"),
        content_type="text/plain; charset=utf-8",
        format=DocumentFormat.TEXT,
        url=url,
    )


# Eight handwritten articles: days, a month-only, a year-only and an undated one.
ARTICLES = [
    draft(
        "Gespräche über den Ukraine-Konflikt",
        "Die Gespräche der Außenminister über den Ukraine-Konflikt gingen am Montag weiter. "
        "Eine Einigung gab es nicht. <script>alert('x')</script> & mehr.",
        "spiegel.de",
        "2022-02-03",
        "https://spiegel.de/a1",
    ),
    draft(
        "Impfkampagne startet",
        "Das Gesundheitsamt meldet die ersten Impfungen. Müller sagte, die Impfung sei sicher.",
        "zeit.de",
        "2021-01",
    ),
    draft(
        "G20-Treffen in Rom",
        "Beim G20-Treffen sprach Mueller mit dem Aussenminister über Verhandlungen zum "
        "New-Start-Abkommen. Das Gespräch dauerte 3,5 Stunden.",
        "faz.net",
        "2021",
    ),
    draft(
        "Flüchtlinge an der Grenze",
        "Viele Flüchtlinge warten an der Grenze. Die Verhandlung über ihre Aufnahme "
        "wurde vertagt, z.B. wegen fehlender Unterkünfte.",
        "spiegel.de",
        "2021-01-31",
    ),
    draft(
        "Gesundheitsämter überlastet",
        "Die Gesundheitsämter melden eine hohe Zahl an Corona-Fällen. Ein Flüchtling "
        "erkrankte schwer. Impfstoff ist knapp.",
        "zeit.de",
        "2021-02-01",
    ),
    draft(
        "Archivtext ohne Datum",
        "Ein alter Bericht über den Gesprächsbedarf im Gesundheitsamt.",
        "taz.de",
        None,
    ),
    draft(
        "Corona-Pandemie im Dezember",
        "Im Dezember stiegen die Zahlen. Der Flüchtlingsrat forderte Impfungen für alle.",
        "faz.net",
        "2020-12-15",
    ),
    draft(
        "Verhandlungen in Brüssel",
        "Die Verhandlungen zwischen der EU und den USA wurden fortgesetzt. Ein Gesprächs"
        "termin steht. Die Impfstoff-Lieferungen kommen später.",
        "spiegel.de",
        "2022-03",
    ),
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ArchiveStore]:
    with ArchiveStore.open(tmp_path / "data") as s:
        yield s


@pytest.fixture
def filled_store(store: ArchiveStore) -> ArchiveStore:
    store.add_many(ARTICLES)
    return store


@pytest.fixture
def index(tmp_path: Path, filled_store: ArchiveStore) -> Iterator[SearchIndex]:
    """An open index over the eight articles, fully indexed."""
    ix = SearchIndex.open(tmp_path / "index", filled_store)
    assert ix.wait_indexed(filled_store.max_seq(), timeout=10)
    yield ix
    ix.close()
