"""Stories in the API: story and versions on every hit, group=story on search and
exports, and the versions of an article."""

from __future__ import annotations

import csv
import io
import json

import pytest
from starlette.testclient import TestClient

from tests.web.shapes import assert_error
from tests.web.stories import FOLLOW_UP_ID, REPORTAGE_ID, STORY, VERSION_IDS, upload_flood

FLOOD_QUERY = {"q": "Dresden OR Laubegast", "sort": "newest"}


@pytest.fixture
def flood(client: TestClient) -> TestClient:
    upload_flood(client)
    return client


def test_every_hit_names_its_story_and_how_many_versions_it_has(flood: TestClient) -> None:
    body = flood.get("/api/search", params=FLOOD_QUERY).json()
    assert body["total"] == 7
    assert body["stories"] == 3
    stories = {h["id"]: (h["story"], h["versions"]) for h in body["hits"]}
    assert stories == {
        **{i: (STORY, 5) for i in VERSION_IDS},
        REPORTAGE_ID: (REPORTAGE_ID, 1),
        FOLLOW_UP_ID: (FOLLOW_UP_ID, 1),
    }


def test_group_story_keeps_one_hit_per_story_and_counts_articles(flood: TestClient) -> None:
    plain = flood.get("/api/search", params=FLOOD_QUERY).json()
    grouped = flood.get("/api/search", params={**FLOOD_QUERY, "group": "story"}).json()
    # Newest first: the story is represented by its newest version (Tagesspiegel).
    assert [(h["outlet"], h["versions"]) for h in grouped["hits"]] == [
        ("Sächsische Zeitung", 1),
        ("Der Tagesspiegel", 5),
        ("ZEIT ONLINE", 1),
    ]
    assert grouped["total"] == plain["total"] == 7
    assert grouped["stories"] == plain["stories"] == 3
    assert grouped["facets"] == plain["facets"]
    # group=article is the API's default, spelled out.
    explicit = flood.get("/api/search", params={**FLOOD_QUERY, "group": "article"}).json()
    assert [h["id"] for h in explicit["hits"]] == [h["id"] for h in plain["hits"]]


def test_grouped_pages_hold_each_story_once(flood: TestClient) -> None:
    seen = []
    for page in (1, 2, 3, 4):
        params = {**FLOOD_QUERY, "group": "story", "size": "1", "page": str(page)}
        seen += [h["story"] for h in flood.get("/api/search", params=params).json()["hits"]]
    assert seen == [FOLLOW_UP_ID, STORY, REPORTAGE_ID]


def test_exports_with_group_story_have_one_row_per_story(flood: TestClient) -> None:
    params = {**FLOOD_QUERY, "group": "story"}
    lines = flood.get("/api/search.jsonl", params=params).text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [
        FOLLOW_UP_ID,
        VERSION_IDS[4],
        REPORTAGE_ID,
    ]
    table = flood.get("/api/search.csv", params=params).text.lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [r["outlet"] for r in rows] == ["Sächsische Zeitung", "Der Tagesspiegel", "ZEIT ONLINE"]
    every = flood.get("/api/search.jsonl", params=FLOOD_QUERY).text.splitlines()
    assert len(every) == 7


def test_versions_lists_the_other_versions_oldest_first(flood: TestClient) -> None:
    body = flood.get(f"/api/articles/{VERSION_IDS[2]}/versions").json()
    assert body["id"] == VERSION_IDS[2]
    assert body["story"] == STORY
    assert [(v["id"], v["outlet"], v["date"], v["title"]) for v in body["versions"]] == [
        (VERSION_IDS[0], "Sächsische Zeitung", "2024-09-17", "Katastrophenalarm in Dresden"),
        (VERSION_IDS[1], "MDR", "2024-09-17", "Die Elbe steigt und steigt"),
        (VERSION_IDS[3], "Kronen Zeitung", "2024-09-18", "Hochwasser: Alarm in Dresden"),
        (VERSION_IDS[4], "Der Tagesspiegel", "2024-09-19", "Elbe-Hochwasser in Dresden"),
    ]
    alone = flood.get(f"/api/articles/{REPORTAGE_ID}/versions").json()
    assert alone == {"id": REPORTAGE_ID, "story": REPORTAGE_ID, "versions": []}


@pytest.mark.parametrize("article_id", ["0000000000000000", "nicht-da", "%00"])
def test_versions_of_an_unknown_article_is_a_404_error(client: TestClient, article_id: str) -> None:
    assert_error(client.get(f"/api/articles/{article_id}/versions"), 404)


def test_group_must_be_article_or_story(client: TestClient) -> None:
    error = assert_error(client.get("/api/search", params={"group": "outlet"}), 400)
    assert "'group'" in error["message"]
