"""A segment written by SegmentBuilder reads back, through Whoosh, exactly like
one written by Whoosh's own SegmentWriter: every term, term statistic,
posting (id, weight, positions), field length and column value."""

from __future__ import annotations

import re
from array import array
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as windex
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import TEXT, Schema
from whoosh.writing import SegmentWriter, UnknownFieldError

from pressearchiv.archive.parsing import parse_document
from pressearchiv.archive.seeding import sample_files
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index.engine import read_positions, read_postings
from pressearchiv.index.formats import FastPositions, PressCodec
from pressearchiv.index.pool import TermPool, positional_postings
from pressearchiv.index.schema import analyzer_of, build_schema, document_for
from pressearchiv.index.segments import SegmentBuilder
from tests.index.conftest import ARTICLES, draft


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """The 13 test and sample articles plus 300 made from the samples' sentences,
    so that common words span several 128-posting blocks."""
    samples = [parse_document(data, name).drafts[0] for name, data in sample_files()]
    sentences = [s for d in samples for s in re.split(r"(?<=[.!?])\s+", d.text) if len(s) > 20]
    made = [
        draft(
            f"Meldung {i}: {sentences[i % len(sentences)][:60]}",
            f"Meldung {i}. " + " ".join(sentences[(i * k) % len(sentences)] for k in (1, 7, 13)),
            ["spiegel.de", "zeit.de", "taz.de"][i % 3],
            f"2021-{i % 12 + 1:02d}" if i % 5 else None,
        )
        for i in range(300)
    ]
    with ArchiveStore.open(tmp_path_factory.mktemp("store")) as store:
        store.add_many(ARTICLES + samples + made)
        return list(store.iter_articles())


def _new_index(path: Path) -> Any:
    path.mkdir()
    return windex.create_in(str(path), build_schema())


def _whoosh(ix: Any) -> Any:
    return SegmentWriter(ix, codec=PressCodec())


def _dump(ix: Any) -> dict[str, Any]:
    """Everything a reader can tell about the index's content."""
    out: dict[str, Any] = {}
    with ix.reader() as reader:
        out["docs"] = (reader.doc_count_all(), reader.doc_count())
        for field in ("title", "body", "outlet", "spell", "id", "outlet_name"):
            terms = {}
            for text in reader.lexicon(field):
                info = reader.term_info(field, text)
                matcher = reader.postings(field, text)
                postings = []
                while matcher.is_active():
                    postings.append((matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                terms[text] = (
                    info.weight(),
                    info.doc_frequency(),
                    info.max_weight(),
                    info.min_id(),
                    info.max_id(),
                    postings,
                )
            out[field] = terms
        live = [d for d in range(reader.doc_count_all()) if not reader.is_deleted(d)]
        for field in ("title", "body", "outlet", "spell"):
            out[f"{field}-lengths"] = [reader.doc_field_length(d, field) for d in live]
        for field in ("id", "seq", "outlet_name", "day_start", "day_end"):
            column = list(reader.column_reader(field))
            out[f"{field}-column"] = [column[d] for d in live]
    return out


def _fill(writer: Any, articles: list[Any], analyzer: Any) -> None:
    for article in articles:
        writer.add_document(**document_for(article, analyzer))


def test_a_built_segment_reads_back_like_whoosh_s_own(tmp_path: Path, articles: list[Any]) -> None:
    ours, theirs = _new_index(tmp_path / "ours"), _new_index(tmp_path / "theirs")
    analyzer = analyzer_of(ours.schema)
    for writer in (SegmentBuilder(ours), _whoosh(theirs)):
        _fill(writer, articles, analyzer)
        writer.commit()
    expected, got = _dump(theirs), _dump(ours)
    # The corpus does what the test needs: terms with several blocks, and both
    # compressed and uncompressed blocks.
    assert max(t[1] for t in expected["body"].values()) > 2 * 128
    assert len(expected["body"]) > 1000
    assert got == expected


def test_merging_segments_with_deletions_matches_whoosh(
    tmp_path: Path, articles: list[Any]
) -> None:
    ours, theirs = _new_index(tmp_path / "ours"), _new_index(tmp_path / "theirs")
    analyzer = analyzer_of(ours.schema)
    for ix, make in ((ours, SegmentBuilder), (theirs, _whoosh)):
        for start in range(0, len(articles), 110):
            writer = make(ix)
            _fill(writer, articles[start : start + 110], analyzer)
            writer.commit(merge=False)
        writer = make(ix)
        for article in articles[::9]:
            writer.delete_by_term("id", article.id)
        _fill(writer, articles[:4], analyzer)  # new documents and merged ones together
        writer.commit(optimize=True)
        with ix.reader() as reader:
            assert reader.is_atomic()
    assert _dump(ours) == _dump(theirs)


def test_postings_added_out_of_order_are_written_in_order(tmp_path: Path) -> None:
    ix = _new_index(tmp_path / "ix")
    writer = SegmentBuilder(ix)
    for article_id in ("a", "b", "c"):
        writer.add_document(id=article_id, title="Bericht")
    packed = array("I", [0]).tobytes()
    for docnum in (2, 0):  # as a merge could hand them over
        writer.pool.add_block("title", b"nachtrag", [docnum], [2.5], [packed], 0, None)
    writer.commit()
    with ix.searcher() as searcher:
        assert list(searcher.postings("title", "nachtrag").all_ids()) == [0, 2]
        assert searcher.doc_frequency("title", "bericht") == 3


def test_the_pool_keeps_plain_postings_as_docnums_until_one_has_a_weight_or_value() -> None:
    pool = TermPool({"title": 1.0})
    pool.add_postings("spell", 0, [(b"alpha", 1, 1.0, b""), (b"beta", 1, 1.0, b"")])
    pool.add_postings("spell", 2, [(b"alpha", 1, 1.0, b"")])
    pool.add_postings("spell", 3, [(b"alpha", 2, 2.0, b"xy")])
    pool.add_positions("title", 1, {"gesprach": [0, 4]})
    pool.add_positions("title", 2, {"gesprach": [1]})
    spell = pool.fields["spell"]
    assert spell[b"beta"] == array("I", [0])
    assert spell[b"alpha"] == (
        array("I", [0, 2, 3]),
        array("f", [1.0, 1.0, 2.0]),
        [b"", b"", b"xy"],
    )
    flat = pool.fields["title"][b"gesprach"]
    assert flat == array("I", [1, 2, 0, 4, 2, 1, 1])
    positions = [array("I", [0, 4]).tobytes(), array("I", [1]).tobytes()]
    assert positional_postings(flat, 1.0) == (
        (array("I", [1, 2]), array("f", [2.0, 1.0]), positions),
        True,
    )


def test_unknown_fields_are_refused(tmp_path: Path) -> None:
    writer = SegmentBuilder(_new_index(tmp_path / "ix"))
    with pytest.raises(UnknownFieldError):
        writer.add_document(id="x", _boost=2.0)
    writer.cancel()


def test_the_engine_reads_postings_and_positions_as_whoosh_s_matchers_do(
    tmp_path: Path, articles: list[Any]
) -> None:
    """Numpy reads (one decoder for what the writer encodes) against Whoosh's
    own matchers, over a segment of ours and one written by Whoosh."""
    for name, make in (("ours", SegmentBuilder), ("theirs", _whoosh)):
        ix = _new_index(tmp_path / name)
        writer = make(ix)
        _fill(writer, articles, analyzer_of(ix.schema))
        writer.commit()
        with ix.reader() as reader:
            checked = 0
            for field in ("title", "body", "outlet", "spell", "id"):
                for text in reader.lexicon(field):
                    matcher = reader.postings(field, text)
                    expected = []
                    while matcher.is_active():
                        expected.append((matcher.id(), matcher.weight(), matcher.value()))
                        matcher.next()
                    ids, weights = read_postings(reader, field, text.decode("utf-8"))
                    assert ids.tolist() == [d for d, _, _ in expected]
                    assert weights.tolist() == pytest.approx([w for _, w, _ in expected])
                    if field in ("title", "body"):
                        keys = read_positions(reader, field, text.decode("utf-8"))
                        positions = [(d << 32) | p for d, _, v in expected for p in array("I", v)]
                        assert keys.tolist() == sorted(positions)
                    checked += 1
            assert checked > 2000
            assert read_postings(reader, "body", "nichtvorhanden")[0].size == 0
            assert read_positions(reader, "body", "nichtvorhanden").size == 0


def test_a_schema_it_cannot_write_is_refused_and_the_lock_released(tmp_path: Path) -> None:
    field = TEXT(analyzer=StandardAnalyzer())
    field.format = FastPositions()  # packed positions need the German analyzer
    ix = windex.create_in(str(tmp_path), Schema(body=field))
    with pytest.raises(ValueError, match="FastPositions needs one of our analyzers"):
        SegmentBuilder(ix)
    ix.writer().cancel()  # the failed writer did not keep the index locked
