"""Small requests that used to cost a lot (issue 12, class 4).

A 3 MB JSON list of a million empty objects took 17 s, 1.2 GB and answered
199 MB. The items of one upload are capped: the error names the cap, nothing
is stored, and the response stays small.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pressearchiv.settings import Settings
from pressearchiv.web.app import create_app
from tests.resilience.test_hostile_input import ARTICLE, articles, item_results
from tests.web.conftest import LOOPBACK, TEST_HOST, TestClient
from tests.web.shapes import assert_error

MILLION_EMPTY = b"[" + b",".join([b"{}"] * 1_000_000) + b"]"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", allowed_hosts=TEST_HOST, seed_samples=False)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), client=LOOPBACK, raise_server_exceptions=False) as c:
        yield c


def _post_json(client: TestClient, body: bytes) -> object:
    return client.post("/api/articles", content=body, headers={"content-type": "application/json"})


def _articles_jsonl(count: int, tag: str) -> bytes:
    lines = [json.dumps({"text": f"{ARTICLE} {tag} {n}."}) for n in range(count)]
    return "\n".join(lines).encode()


@pytest.mark.parametrize(
    "body",
    [
        MILLION_EMPTY,
        b'{"articles": ' + MILLION_EMPTY + b"}",
        b"\n".join([b"{}"] * 1_000_000),  # JSON Lines
    ],
    ids=["list", "wrapped-list", "lines"],
)
def test_a_million_empty_objects_are_refused_naming_the_cap(
    client: TestClient, settings: Settings, body: bytes
) -> None:
    before = articles(client)
    response = _post_json(client, body)
    error = assert_error(response, 413, "too_many_items")  # type: ignore[arg-type]
    assert f"{settings.max_items:,}" in error["message"]
    assert len(response.content) < 1_000  # type: ignore[attr-defined]
    assert articles(client) == before


def test_an_upload_of_exactly_the_cap_is_taken(settings: Settings, tmp_path: Path) -> None:
    capped = Settings(data_dir=tmp_path / "capped", allowed_hosts=TEST_HOST, max_items=3)
    with TestClient(create_app(capped), client=LOOPBACK) as c:
        response = c.post("/api/articles", files={"file": ("drei.jsonl", _articles_jsonl(3, "a"))})
        assert response.status_code == 201, response.text
        assert response.json()["created"] == 3


def test_the_file_past_the_cap_is_rejected_and_earlier_files_are_kept(tmp_path: Path) -> None:
    capped = Settings(data_dir=tmp_path / "capped", allowed_hosts=TEST_HOST, max_items=3)
    with TestClient(create_app(capped), client=LOOPBACK) as c:
        before = articles(c)
        files = [
            ("file", ("zwei.jsonl", _articles_jsonl(2, "b"))),
            ("file", ("fuenf.jsonl", _articles_jsonl(5, "c"))),
            ("file", ("eins.txt", f"{ARTICLE} Nachtrag.".encode())),
        ]
        response = c.post("/api/articles", files=files)
        assert response.status_code == 201, response.text
        results = item_results(response)
        assert [r["result"] for r in results] == ["created", "created", "rejected", "rejected"]
        for rejected in results[2:]:
            assert rejected["status"] == 413 and rejected["code"] == "too_many_items"
            assert "limit of 3 articles" in rejected["reason"]
        assert articles(c) == before + 2


def test_a_broken_list_is_still_malformed_json(client: TestClient) -> None:
    for body in (b'[{"text": "a"} {"text": "b"}]', b"[{}, {}] x", b"[{}, "):
        response = _post_json(client, body)
        assert_error(response, 422)  # type: ignore[arg-type]
        (item,) = item_results(response)  # type: ignore[arg-type]
        assert item["code"] == "malformed_json" and "is not valid JSON" in item["reason"]
