"""Text that JSON lets in (issue 12, class 3).

A lone surrogate rejects its item only; control characters are removed from
every field; zero-width characters and BOMs do not make a second copy; and
``pressearchiv search`` never prints a raw control character.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pressearchiv.archive.model import ArticleDraft, DocumentFormat
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.cli import main
from pressearchiv.settings import Settings
from pressearchiv.web.app import create_app
from tests.resilience.test_hostile_input import (
    ARTICLE,
    _settings,
    articles,
    item_results,
    upload,
)
from tests.web.conftest import LOOPBACK, TestClient
from tests.web.shapes import assert_error

# Anything a terminal could act on, or that is no character at all.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u200b\ufeff]")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return _settings(tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), client=LOOPBACK, raise_server_exceptions=False) as c:
        yield c


def _line(title: str, text: str = ARTICLE) -> str:
    # json.dumps writes every non-ASCII character as a \u escape, surrogates included.
    return json.dumps({"title": title, "text": text})


def test_a_lone_surrogate_rejects_its_line_and_keeps_the_others(client: TestClient) -> None:
    lines = [
        _line("Werft in Kiel", ARTICLE),
        _line("Halbes Zeichen \ud800", ARTICLE + " Zweite Fassung."),
        _line("Werft in Kiel, dritte Fassung", ARTICLE + " Dritte Fassung."),
    ]
    response = upload(client, ("drei.jsonl", "\n".join(lines).encode("ascii")))
    assert response.status_code == 201, response.text
    results = item_results(response)
    assert sorted(r["result"] for r in results) == ["created", "created", "rejected"]
    (rejected,) = (r for r in results if r["result"] == "rejected")
    assert rejected["line"] == 2 and rejected["code"] == "malformed_json"
    assert "lone UTF-16 surrogate" in rejected["reason"] and "'title'" in rejected["reason"]


def test_a_lone_surrogate_in_a_json_list_rejects_that_entry(client: TestClient) -> None:
    bad = _line("Schlecht", ARTICLE + " \udfff")
    body = f"[{_line('Gut', ARTICLE)}, {bad}]"
    response = client.post(
        "/api/articles", content=body.encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 201, response.text
    assert sorted(r["result"] for r in item_results(response)) == ["created", "rejected"]


def test_a_single_json_object_with_a_lone_surrogate_is_422(client: TestClient) -> None:
    before = articles(client)
    body = _line("Halbes Zeichen \ud83d", ARTICLE).encode()
    response = client.post(
        "/api/articles", content=body, headers={"content-type": "application/json"}
    )
    assert_error(response, 422, "not_an_article")
    assert articles(client) == before


@pytest.mark.parametrize("control", ["\x00", "\x1b]0;gehackt\x07", "\x1b[2J", "\x9b31m", "\x7f"])
def test_control_characters_are_removed_from_every_field(client: TestClient, control: str) -> None:
    record = {
        "title": f"Werft{control} in Kiel",
        "text": ARTICLE.replace("Kiel", f"Kiel{control}"),
        "outlet": f"Kieler{control} Nachrichten",
        "author": f"Anna{control} Schmidt",
        "url": f"https://kn-online.de/werft{control}",
    }
    # As \u escapes: raw control bytes are refused as binary before JSON is read.
    body = json.dumps(record).encode("ascii")
    response = client.post(
        "/api/articles", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 201, response.text
    stored = client.get(f"/api/articles/{item_results(response)[0]['id']}").json()
    for field in ("title", "text", "outlet", "url"):
        assert not UNSAFE.search(stored[field] or ""), (field, stored[field])
    assert stored["title"].startswith("Werft") and "in Kiel" in stored["title"]


@pytest.mark.parametrize(
    "variant",
    [
        ARTICLE + "\ufeff",
        "\ufeff" + ARTICLE,
        ARTICLE.replace("Werft", "Wer\u200bft"),
        ARTICLE.replace("Kiel", "Ki\u2060el\u200d"),
        ARTICLE.replace("Schiffbaus", "Schiff\u00adbaus"),
    ],
)
def test_invisible_characters_do_not_make_a_second_copy(client: TestClient, variant: str) -> None:
    first = client.post("/api/articles", json={"text": ARTICLE})
    assert first.status_code == 201
    again = client.post("/api/articles", json={"text": variant})
    assert again.status_code == 200, again.text
    assert item_results(again)[0]["id"] == item_results(first)[0]["id"]


def test_cli_ingest_of_a_lone_surrogate_keeps_the_good_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "zwei.jsonl"
    source.write_text(
        _line("Kurz \ud800", ARTICLE) + "\n" + _line("Werft in Kiel") + "\n", encoding="ascii"
    )
    data = tmp_path / "data"
    assert main(["ingest", "--no-progress", "--data-dir", str(data), str(source)]) == 0
    out, err = capsys.readouterr()
    assert "1 added, 0 duplicates, 1 rejected" in out
    assert "Traceback" not in err and "lone UTF-16 surrogate" in err


def test_cli_search_never_prints_raw_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Even for an archive filled before cleaning existed: stored straight, unchecked."""
    data = tmp_path / "data"
    hostile = "\x1b]0;gehackt\x07\x1b[2J\u202e"
    fields: dict[str, Any] = {
        "title": f"Werft {hostile}in Kiel",
        "text": f"{ARTICLE} {hostile}Zqxwerft",
        "outlet": f"Kieler {hostile}Nachrichten",
    }
    with ArchiveStore.open(data) as store:
        store.add(
            ArticleDraft(
                **fields,
                date=None,
                date_source=None,
                raw=b"{}",
                content_type="application/json",
                format=DocumentFormat.JSON,
            )
        )
    assert main(["search", "--data-dir", str(data), "Zqxwerft"]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("1 Treffer")
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\u001b]0;gehackt" in out
