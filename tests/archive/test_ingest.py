"""`pressearchiv ingest`: folders, compressed exports, bad files, and the summary."""

from __future__ import annotations

import json
import lzma
from pathlib import Path

import pytest

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
