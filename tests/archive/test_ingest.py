"""`pressearchiv ingest`: folders, compressed exports, bad files, and the summary."""

from __future__ import annotations

import gzip
import json
import lzma
from pathlib import Path

import pytest

from pressearchiv.archive.ingest import Rejection, ingest_paths
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.cli import main

BODY = (
    "Der Bundestag hat am Donnerstag über die Impfpflicht beraten. Eine Mehrheit fand sich nicht."
)


def test_ingest_folder_with_good_and_bad_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "eins.txt").write_text(" date 2022-02 " + BODY, encoding="utf-8")
    (inbox / "sub" / "zwei.txt").write_bytes(("Zwei: " + BODY).encode("latin-1"))
    (inbox / "bild.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (inbox / "leer.txt").write_bytes(b"")
    (inbox / ".versteckt.txt").write_text("ignored " + BODY)
    lines = [
        json.dumps({"title": f"J{i}", "text": f"{BODY} ({i})", "source": "zeit.de"})
        for i in range(3)
    ]
    lines.insert(1, "{kaputt")
    (inbox / "export.jsonl.xz").write_bytes(lzma.compress("\n".join(lines).encode()))
    data_dir = tmp_path / "data"

    code = main(["ingest", "--no-progress", "--data-dir", str(data_dir), str(inbox)])
    out, err = capsys.readouterr()
    assert code == 0
    assert out.strip().endswith("5 added, 0 duplicates, 3 rejected")
    assert f"rejected: {inbox / 'bild.txt'}: is a PNG image" in err
    assert f"rejected: {inbox / 'leer.txt'}: the file is empty" in err
    assert f"rejected: {inbox / 'export.jsonl.xz'}, line 2: is not valid JSON" in err

    with ArchiveStore.open(data_dir) as store:
        # Five seeded samples on first use plus the five new articles.
        assert store.count() == 10
        titles = {a.title for a in store.iter_articles()}
    assert {"J0", "J1", "J2"} <= titles

    # Idempotent: the same folder again adds nothing.
    code = main(["ingest", "--no-progress", "--data-dir", str(data_dir), str(inbox)])
    out, _ = capsys.readouterr()
    assert out.strip().endswith("0 added, 5 duplicates, 3 rejected")


def test_ingest_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ingest", "--no-progress", "--data-dir", str(tmp_path), str(tmp_path / "nope")])
    _, err = capsys.readouterr()
    assert code == 1
    assert "no such file or folder" in err


def _jsonl(count: int, start: int = 0) -> str:
    return "".join(
        json.dumps({"title": f"Nr. {n}", "text": f"{BODY} Fall {n}.", "source": "zeit.de"}) + "\n"
        for n in range(start, start + count)
    )


def test_a_jsonl_export_is_stored_batch_by_batch_as_it_is_read(tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl.gz"
    export.write_bytes(gzip.compress(_jsonl(1000).encode(), mtime=0))
    seen: list[tuple[int, int, int]] = []
    with ArchiveStore.open(tmp_path / "data") as store:
        report = ingest_paths(
            store,
            [str(export)],
            batch_size=100,
            on_progress=lambda r: seen.append((r.added, r.bytes_read, store.count())),
        )
        assert store.count() == 1000
    assert report.summary() == "1000 added, 0 duplicates, 0 rejected"
    assert report.bytes_total == export.stat().st_size
    # Each batch was stored before the next was read, and the position in the
    # compressed file moved with them (the last call is the file's end).
    assert [added for added, _, _ in seen[:10]] == list(range(100, 1001, 100))
    assert all(added == stored for added, _, stored in seen)
    assert seen[-1][1] == export.stat().st_size


def test_a_cut_off_export_keeps_the_articles_before_the_cut(tmp_path: Path) -> None:
    whole = lzma.compress(_jsonl(400).encode())
    export = tmp_path / "abgebrochen.jsonl.xz"
    export.write_bytes(whole[: len(whole) * 2 // 3])
    with ArchiveStore.open(tmp_path / "data") as store:
        report = ingest_paths(store, [str(export)])
        titles = [a.title for a in store.iter_articles()]
    assert 0 < report.added < 400 and report.added == len(titles)
    assert titles == [f"Nr. {n}" for n in range(report.added)]
    [rejection] = report.rejected
    assert rejection.source == str(export)
    assert rejection.reason.startswith("is not a valid compressed file (")


def test_json_lines_are_decoded_line_by_line(tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    lines = [
        bom + json.dumps({"title": "Erste", "text": BODY}, ensure_ascii=False).encode(),
        json.dumps(
            {"title": "Grüße aus Köln", "text": "Zweite: " + BODY}, ensure_ascii=False
        ).encode("cp1252"),
        b"",
        b'{"title": "kaputt"',
        json.dumps({"title": "Vierte", "text": "Vierte: " + BODY}, ensure_ascii=False).encode(),
    ]
    # JSON Lines named as JSON: recognised from its first two lines, and streamed.
    export = tmp_path / "export.json"
    export.write_bytes(b"\r\n".join(lines) + b"\r\n")
    with ArchiveStore.open(tmp_path / "data") as store:
        report = ingest_paths(store, [str(export)])
        titles = [a.title for a in store.iter_articles()]
    assert titles == ["Erste", "Grüße aus Köln", "Vierte"]
    assert report.rejected == [
        Rejection(f"{export}, line 4", "is not valid JSON (Expecting ',' delimiter)")
    ]
