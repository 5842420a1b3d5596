"""The read side of the JSON API: search, articles, raw, related, stats, health, errors."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from pressearchiv.index import MAX_QUERY_CHARS
from tests.web import documents as doc
from tests.web.shapes import assert_error

# The five bundled samples, seeded into every empty archive.
SAMPLE_IDS = {
    "872158ea34a7fe37",  # 2023-03, Blinken and Lawrow in Neu-Delhi
    "85bef0dd58deeb8b",  # 2021-12
    "29b4d111e893e525",  # 2022-01-21
    "8318da219830f381",  # 2022-01-21, Epoch Times
    "5d2c86734e52ffa1",  # 2022-01
}
EPOCH = "8318da219830f381"


def test_empty_query_browses_every_article_newest_first_with_facets(client: TestClient) -> None:
    body = client.get("/api/search").json()

    assert body["total"] == 5
    assert {h["id"] for h in body["hits"]} == SAMPLE_IDS
    assert body["hits"][0]["id"] == "872158ea34a7fe37"  # March 2023 is the newest
    assert body["hits"][-1]["id"] == "85bef0dd58deeb8b"  # December 2021 the oldest
    assert {(f["value"], f["count"]) for f in body["facets"]["year"]} == {
        ("2021", 1),
        ("2022", 3),
        ("2023", 1),
    }
    assert {(f["value"], f["count"]) for f in body["facets"]["outlet"]} == {
        ("unbekannt", 4),
        ("Epoch Times", 1),
    }
    assert body["page"] == 1
    assert body["size"] == 20
    assert body["suggestion"] is None
    assert isinstance(body["took_ms"], float | int)


def test_search_hit_has_every_field_and_a_marked_snippet(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "Lawrow", "outlet": "Epoch Times"}).json()

    assert body["total"] == 1
    hit = body["hits"][0]
    assert set(hit) == {
        "id",
        "title",
        "outlet",
        "date",
        "date_precision",
        "url",
        "snippet",
        "score",
        "story",
        "versions",
    }
    assert hit["id"] == EPOCH
    assert (hit["story"], hit["versions"]) == (EPOCH, 1)
    assert hit["title"] == "Blinken und Lawrow beenden Gespräch vorzeitig"
    assert hit["date"] == "2022-01-21"
    assert hit["date_precision"] == "day"
    assert "<mark>Lawrow</mark>" in hit["snippet"]
    assert [(f["value"], f["selected"]) for f in body["facets"]["outlet"] if f["selected"]] == [
        ("Epoch Times", True)
    ]


def test_filtered_query_returns_only_matching_hits(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "Lawrow", "outlet": "Epoch Times"}).json()
    assert [h["id"] for h in body["hits"]] == [EPOCH]


def test_date_filter_and_paging(client: TestClient) -> None:
    first = client.get("/api/search", params={"from": "2022-01", "to": "2022-01", "size": 2})
    second = client.get(
        "/api/search", params={"from": "2022-01", "to": "2022-01", "size": 2, "page": 2}
    )

    assert first.json()["total"] == 3
    ids = [h["id"] for h in first.json()["hits"] + second.json()["hits"]]
    assert sorted(ids) == sorted(["29b4d111e893e525", "8318da219830f381", "5d2c86734e52ffa1"])
    assert second.json()["page"] == 2


def test_a_search_without_hits_is_200_with_total_0(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "Quetzalcoatl"}).json()
    assert (body["total"], body["hits"]) == (0, [])


def test_left_out_stop_words_are_listed(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "das Treffen mit Lawrow"}).json()
    assert body["ignored"] == ["das", "mit"]
    assert body["total"] >= 1


def test_dangling_operators_are_listed_and_not_searched(client: TestClient) -> None:
    plain = client.get("/api/search", params={"q": "Lawrow"}).json()
    dangling = client.get("/api/search", params={"q": "Lawrow OR"}).json()
    assert dangling["ignored"] == ["OR"]
    assert dangling["total"] == plain["total"] >= 1


def test_misspelled_query_gets_a_suggestion(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "Lawrwo"}).json()
    assert body["suggestion"] == "lawrow" or body["suggestion"] == "Lawrow"


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "-1"},
        {"page": "eins"},
        {"page": "1001"},
        {"size": "100000"},
        {"size": "0"},
        {"size": "1.5"},
        {"from": "2022-13"},
        {"to": "2022-02-30"},
        {"from": "gestern"},
        {"from": "2022-01-01T10:00"},
        {"from": "2023", "to": "2022"},
        {"sort": "beliebt"},
        {"q": "x" * (MAX_QUERY_CHARS + 1)},
        {"q": "Lawrow\x00"},
        {"outlet": "x" * 201},
    ],
)
def test_bad_search_parameters_are_400(client: TestClient, params: dict[str, str]) -> None:
    for path in ("/api/search", "/api/search.csv", "/api/search.jsonl"):
        assert_error(client.get(path, params=params), 400)


def test_the_query_may_be_as_long_as_the_index_allows(client: TestClient) -> None:
    # One limit for the query's length: the index's, which the web layer enforces as sent.
    longest = "Lawrow " + "x" * (MAX_QUERY_CHARS - 7)
    assert client.get("/api/search", params={"q": longest}).status_code == 200
    error = assert_error(client.get("/api/search", params={"q": longest + "x"}), 400)
    assert f"longer than {MAX_QUERY_CHARS} characters" in error["message"]


def test_a_parameter_given_twice_is_400(client: TestClient) -> None:
    assert_error(client.get("/api/search?page=1&page=2"), 400, "invalid_parameter")


@pytest.mark.parametrize(
    "query",
    [
        '"unclosed phrase',
        "(Lawrow",
        "AND",
        "NOT",
        "*",
        "Law*row?",
        "title:",
        "a:b:c",
        "))((",
        "ü" * 900,
    ],
)
def test_odd_queries_never_fail_with_500(client: TestClient, query: str) -> None:
    response = client.get("/api/search", params={"q": query})
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert_error(response, 400)


def test_article_has_metadata_and_clean_text(client: TestClient) -> None:
    body = client.get(f"/api/articles/{EPOCH}").json()

    assert body["id"] == EPOCH
    assert body["title"] == "Blinken und Lawrow beenden Gespräch vorzeitig"
    assert body["outlet"] == "Epoch Times"
    assert body["date"] == "2022-01-21"
    assert body["date_precision"] == "day"
    assert body["format"] == "text"
    assert body["raw_url"] == f"/api/articles/{EPOCH}/raw"
    assert body["related_url"] == f"/api/articles/{EPOCH}/related"
    assert body["versions_url"] == f"/api/articles/{EPOCH}/versions"
    assert "Lawrow" in body["text"]


def test_raw_text_is_inline_and_sandboxed(client: TestClient) -> None:
    response = client.get(f"/api/articles/{EPOCH}/raw")

    assert response.status_code == 200
    assert response.content.startswith(b"Blinken und Lawrow beenden")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-disposition"].startswith("inline;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "sandbox; default-src 'none'"


def test_raw_html_is_an_attachment_never_active_content(client: TestClient) -> None:
    created = client.post("/api/articles", files={"file": ("rügen.html", doc.HTML)}).json()
    article_id = created["results"][0]["id"]

    response = client.get(f"/api/articles/{article_id}/raw")

    assert response.content == doc.HTML
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"r_gen.html\"; filename*=UTF-8''r%C3%BCgen.html"
    )
    assert response.headers["content-security-policy"] == "sandbox; default-src 'none'"


def test_related_articles_share_the_topic(client: TestClient) -> None:
    body = client.get(f"/api/articles/{EPOCH}/related").json()

    assert body["id"] == EPOCH
    related = {h["id"] for h in body["hits"]}
    assert related and related <= SAMPLE_IDS - {EPOCH}


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/0000000000000000",
        "/api/articles/0000000000000000/raw",
        "/api/articles/0000000000000000/related",
        "/api/articles/..%2F..%2Fetc%2Fpasswd",
        "/api/nichts",
        "/gibt-es-nicht",
        "/artikel/0000000000000000",
    ],
)
def test_unknown_articles_and_routes_are_404(client: TestClient, path: str) -> None:
    assert_error(client.get(path), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/articles/x"),
        ("PUT", "/api/articles"),
        ("POST", "/api/search"),
        ("GET", "/api/articles"),
    ],
)
def test_wrong_methods_are_405(client: TestClient, method: str, path: str) -> None:
    assert_error(client.request(method, path), 405, "method_not_allowed")


def test_stats_count_outlets_years_and_index_step(client: TestClient) -> None:
    body = client.get("/api/stats").json()

    assert body["total"] == 5
    assert body["by_outlet"] == [
        {"value": "unbekannt", "count": 4},
        {"value": "Epoch Times", "count": 1},
    ]
    assert body["by_year"] == [
        {"value": "2021", "count": 1},
        {"value": "2022", "count": 3},
        {"value": "2023", "count": 1},
    ]
    assert body["index"] == {"store_count": 5, "index_count": 5, "in_step": True, "pending": 0}


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "articles": 5}


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/api/search", "/api/nichts", "/static/style.css"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "'unsafe-inline'" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
