"""The five bundled samples parse to the metadata a reader of them would state."""

from __future__ import annotations

import pytest

from pressearchiv.archive.model import DatePrecision, DateSource, PartialDate
from pressearchiv.archive.parsing import parse_document
from pressearchiv.archive.seeding import sample_files

EXPECTED = {
    "000_7dc4c3d0f2d4d698.txt": dict(
        title=(
            "Angeblich war des US-Außenminister Antony Blinken, der beim G20-Treffen in "
            "Neu-Delhi seinen russischen Kollegen Sergej Lawrow um ein…"
        ),
        outlet="unbekannt",
        date=PartialDate(2023, 3),
        precision=DatePrecision.MONTH,
        source=DateSource.HEADER,
        starts="Angeblich war des US-Außenminister Antony Blinken",
        ends="Die westlichen Sanktionen gegen sein Land nennt er Willkür.",
    ),
    "001_0fba695fb67d5d23.txt": dict(
        title=(
            "Das Gespräch zwischen Russlands Außenminister Sergej Lawrow und seinem "
            "US-amerikanischen Kollegen Antony Blinken fand am Rande eines…"
        ),
        outlet="unbekannt",
        date=PartialDate(2021, 12),
        precision=DatePrecision.MONTH,
        source=DateSource.HEADER,
        starts="Das Gespräch zwischen Russlands Außenminister",
        ends="qu/sti (dpa, rtr, afp)",
    ),
    "002_f7fa4517a0e1ced3.txt": dict(
        title=(
            "Die Angst vor einem Krieg in der Ukraine wurde in den vergangenen Tagen spürbar "
            "größer, die Drohgebärden zwischen den USA und Russland…"
        ),
        outlet="unbekannt",
        date=PartialDate(2022, 1, 21),
        precision=DatePrecision.DAY,
        source=DateSource.TEXT,
        starts="Die Angst vor einem Krieg in der Ukraine",
        ends="(bbl, Reuters, 21.1.2022)",
    ),
    "003_927f038a7cd65020.txt": dict(
        title="Blinken und Lawrow beenden Gespräch vorzeitig",
        outlet="Epoch Times",
        date=PartialDate(2022, 1, 21),
        precision=DatePrecision.DAY,
        source=DateSource.TEXT,
        starts="Blinken und Lawrow beenden Gespräch vorzeitig\n\nAngesichts der Ukraine-Krise",
        ends="politische Gespräche mit Verbündeten in Kiew und Berlin geführt. (dpa/afp/red)",
    ),
    "004_12f27eee50bd6eea.txt": dict(
        title=(
            "Wie erwartet ohne Durchbruch, aber auch ohne einen Rückschlag ist am Freitag in "
            "Genf das Treffen der Außenminister Russlands und der…"
        ),
        outlet="unbekannt",
        date=PartialDate(2022, 1),
        precision=DatePrecision.MONTH,
        source=DateSource.HEADER,
        starts="Wie erwartet ohne Durchbruch",
        ends="Abzug von NATO-Truppen aus Rumänien und Bulgarien.",
    ),
}

SAMPLES = dict(sample_files())


def test_all_five_samples_are_bundled() -> None:
    assert sorted(SAMPLES) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_metadata(name: str) -> None:
    expected = EXPECTED[name]
    (draft,) = parse_document(SAMPLES[name], name).drafts
    assert draft.title == expected["title"]
    assert draft.outlet == expected["outlet"]
    assert draft.date == expected["date"]
    assert draft.date is not None and draft.date.precision == expected["precision"]
    assert draft.date_source == expected["source"]
    assert draft.text.startswith(str(expected["starts"]))
    assert draft.text.endswith(str(expected["ends"]))
    assert draft.raw == SAMPLES[name]  # the original bytes, untouched


def test_header_is_not_part_of_the_text() -> None:
    (draft,) = parse_document(SAMPLES["004_12f27eee50bd6eea.txt"], "x.txt").drafts
    assert "date 2022-01" not in draft.text
    # The opening photo credit and its caption are not article text.
    assert "Alex Brandon/Pool AP/dpa" not in draft.text
    assert "Treffen von Antony Blinken und Sergej Lawrow am Freitag in Genf" not in draft.text


def test_captions_and_credits_are_kept_out_of_the_text() -> None:
    (draft,) = parse_document(SAMPLES["002_f7fa4517a0e1ced3.txt"], "x.txt").drafts
    for boilerplate in (
        "Foto:",
        "Bild nicht mehr verfügbar.",
        "beim obligatorischen Handshake vor dem Gespräch",
        "Ein ukrainischer Soldat an der Grenzlinie",
    ):
        assert boilerplate not in draft.text


def test_comment_section_and_dateline_are_kept_out_of_the_text() -> None:
    (draft,) = parse_document(SAMPLES["003_927f038a7cd65020.txt"], "x.txt").drafts
    for boilerplate in (
        "Kommentare",
        "Liebe Leser",
        "Kommentar-Bereich",
        "Ihre Epoch Times - Redaktion",
        "Epoch Times21. Januar 2022",
        "Foto: Alex Brandon",
        "(l) und sein russischer Amtskollege",
    ):
        assert boilerplate not in draft.text
    # … while the lead paragraph between the headline and the caption stays.
    assert "Das Treffen der beiden Außenminister in Genf endet vorzeitig." in draft.text


def test_sample_ids_are_stable() -> None:
    ids = {name: parse_document(data, name).drafts[0].id for name, data in SAMPLES.items()}
    again = {
        name: parse_document(data, "renamed.txt").drafts[0].id for name, data in SAMPLES.items()
    }
    assert ids == again
    assert len(set(ids.values())) == 5
