"""POST /api/articles: every format, duplicates, rejections and every limit."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from pressearchiv.settings import Settings
from pressearchiv.web.app import create_app
from tests.web import documents as doc
from tests.web.conftest import LOOPBACK
from tests.web.shapes import assert_error


def upload(client: TestClient, *files: tuple[str, bytes], **fields: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/articles",
        files=[("file", (name, data, "application/octet-stream")) for name, data in files],
        data=fields,
    )


def only_result(response) -> dict:  # type: ignore[no-untyped-def,type-arg]
    results = response.json()["results"]
    assert len(results) == 1, results
    return results[0]  # type: ignore[no-any-return]


def search_ids(client: TestClient, query: str) -> list[str]:
    response = client.get("/api/search", params={"q": query})
    assert response.status_code == 200
    return [hit["id"] for hit in response.json()["hits"]]


def test_plain_text_upload_is_created_and_searchable_at_once(client: TestClient) -> None:
    response = upload(client, ("kiel.txt", doc.TEXT))

    assert response.status_code == 201
    body = response.json()
    assert (body["created"], body["duplicates"], body["rejected"]) == (1, 0, 0)
    item = only_result(response)
    assert item["result"] == "created"
    assert item["status"] == 201
    assert item["source"] == "kiel.txt"
    assert item["title"] == "Kanzler besucht Werft in Kiel"
    assert search_ids(client, "Werft Kiel") == [item["id"]]
    article = client.get(f"/api/articles/{item['id']}").json()
    assert article["date"] == "2022-02"
    assert article["date_precision"] == "month"
    assert article["format"] == "text"
    assert article["source_name"] == "kiel.txt"


def test_second_upload_of_the_same_text_is_a_duplicate_with_the_existing_id(
    client: TestClient,
) -> None:
    first = only_result(upload(client, ("a.txt", doc.TEXT)))
    again = upload(client, ("copy-of-a.txt", doc.TEXT))

    assert again.status_code == 200
    item = only_result(again)
    assert item["result"] == "duplicate"
    assert item["status"] == 200
    assert item["id"] == first["id"]


def test_latin1_text_keeps_its_umlauts(client: TestClient) -> None:
    item = only_result(upload(client, ("koeln.txt", doc.LATIN1)))
    article = client.get(f"/api/articles/{item['id']}").json()

    for word in doc.LATIN1_WORDS:
        assert word in article["text"]
    assert article["encoding"] == "cp1252"
    raw = client.get(f"/api/articles/{item['id']}/raw")
    assert raw.content == doc.LATIN1  # the original bytes, untouched
    assert raw.headers["content-type"] == "text/plain; charset=cp1252"
    assert search_ids(client, "Straßenbahn") == [item["id"]]


def test_json_upload_as_file_uses_its_fields(client: TestClient) -> None:
    item = only_result(upload(client, ("hafen.json", doc.JSON_BYTES)))
    article = client.get(f"/api/articles/{item['id']}").json()

    assert article["title"] == "Hafen Hamburg meldet Rekord"
    assert article["outlet"] == "Hamburger Abendblatt"
    assert article["date"] == "2022-03-04"
    assert article["date_precision"] == "day"
    assert article["url"] == "https://www.abendblatt.de/hamburg/hafen-rekord.html"


def test_json_body_with_a_list_creates_every_article(client: TestClient) -> None:
    response = client.post("/api/articles", json=doc.JSONL_LINES)

    assert response.status_code == 201
    titles = [r["title"] for r in response.json()["results"]]
    assert titles == ["Elbphilharmonie feiert Jubiläum", "Schleswig-Holstein baut Radwege aus"]


def test_results_of_a_json_list_come_in_the_order_of_its_entries(client: TestClient) -> None:
    # A JSON list's entries have no line number: the position pairs them.
    first, second = doc.JSONL_LINES
    body = [{"title": "kein Text"}, first, {"text": ""}, second]
    response = client.post("/api/articles", json=body)

    assert response.status_code == 201
    results = [(r["result"], r["title"]) for r in response.json()["results"]]
    assert results == [
        ("rejected", None),
        ("created", first["title"]),
        ("rejected", None),
        ("created", second["title"]),
    ]


def test_jsonl_upload_rejects_only_the_bad_line(client: TestClient) -> None:
    response = upload(client, ("export.jsonl", doc.JSONL_BYTES))

    assert response.status_code == 201
    results = response.json()["results"]
    rejected = [r for r in results if r["result"] == "rejected"]
    created = [r for r in results if r["result"] == "created"]
    assert len(created) == 2
    assert len(rejected) == 1
    assert rejected[0]["line"] == 2
    assert rejected[0]["code"] == "malformed_json"
    assert rejected[0]["source"] == "export.jsonl"
    assert "not valid JSON" in rejected[0]["reason"]


def test_html_upload_extracts_title_outlet_and_date(client: TestClient) -> None:
    item = only_result(upload(client, ("windpark.html", doc.HTML)))
    article = client.get(f"/api/articles/{item['id']}").json()

    assert article["title"] == "Neue Windräder vor Rügen"
    assert article["outlet"] == "Ostsee-Zeitung"
    assert article["date"] == "2021-11-05"
    assert "Impressum" not in article["text"]
    assert "Zugvögel" in article["text"]


def test_form_fields_override_what_extraction_finds(client: TestClient) -> None:
    response = upload(
        client,
        ("kiel.txt", doc.TEXT),
        title="Besuch auf der Werft",
        outlet="Kieler Nachrichten",
        date="2022-02-14",
        url="https://www.kn-online.de/werft",
    )
    article = client.get(f"/api/articles/{only_result(response)['id']}").json()

    assert article["title"] == "Besuch auf der Werft"
    assert article["outlet"] == "Kieler Nachrichten"
    assert article["date"] == "2022-02-14"
    assert article["date_source"] == "provided"
    assert article["url"] == "https://www.kn-online.de/werft"


def test_several_files_in_one_request_report_each(client: TestClient) -> None:
    response = upload(
        client, ("kiel.txt", doc.TEXT), ("bild.png", doc.PNG), ("kurz.txt", doc.TOO_SHORT)
    )

    assert response.status_code == 201
    outcome = [(r["source"], r["result"], r["status"]) for r in response.json()["results"]]
    assert outcome == [
        ("kiel.txt", "created", 201),
        ("bild.png", "rejected", 415),
        ("kurz.txt", "rejected", 422),
    ]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [("bild.png", doc.PNG, "PNG"), ("brief.pdf", doc.PDF, "PDF"), ("paket.zip", doc.ZIP, "ZIP")],
)
def test_binary_files_are_415_with_a_reason(
    client: TestClient, name: str, data: bytes, reason: str
) -> None:
    response = upload(client, (name, data))

    assert_error(response, 415, "unsupported_media_type")
    item = only_result(response)
    assert item["result"] == "rejected"
    assert reason in item["reason"]


def test_text_too_short_to_be_an_article_is_422(client: TestClient) -> None:
    response = upload(client, ("kurz.txt", doc.TOO_SHORT))

    assert_error(response, 422, "not_an_article")
    assert only_result(response)["code"] == "not_an_article"


@pytest.mark.parametrize(
    "body", [b"", b"{not json", b'{"title": "ohne Text"}', b"[]", b'"nur ein String"']
)
def test_bad_json_bodies_are_422(client: TestClient, body: bytes) -> None:
    response = client.post(
        "/api/articles", content=body, headers={"content-type": "application/json"}
    )
    assert_error(response, 422)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/xml", "image/png", "application/x-www-form-urlencoded"],
)
def test_bodies_that_are_neither_multipart_nor_json_are_415(
    client: TestClient, content_type: str
) -> None:
    response = client.post(
        "/api/articles", content=doc.TEXT, headers={"content-type": content_type}
    )
    assert_error(response, 415, "unsupported_media_type")


def test_upload_without_a_file_is_400(client: TestClient) -> None:
    response = client.post("/api/articles", files={"title": (None, "nur ein Titel")})
    assert_error(response, 400, "no_file")


@pytest.mark.parametrize(
    ("field", "value"),
    [("date", "2022-13"), ("date", "gestern"), ("url", "javascript:alert(1)"), ("url", "http://[")],
)
def test_bad_override_fields_are_400(client: TestClient, field: str, value: str) -> None:
    response = upload(client, ("kiel.txt", doc.TEXT), **{field: value})
    assert_error(response, 400)


def test_multipart_without_boundary_is_400(client: TestClient) -> None:
    response = client.post(
        "/api/articles", content=b"xx", headers={"content-type": "multipart/form-data"}
    )
    assert_error(response, 400)


def test_truncated_multipart_body_is_400(client: TestClient) -> None:
    body = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc'
    response = client.post(
        "/api/articles", content=body, headers={"content-type": "multipart/form-data; boundary=xyz"}
    )
    assert_error(response, 400)


# -- limits ----------------------------------------------------------------------------


@pytest.fixture
def small_client(settings: Settings):  # type: ignore[no-untyped-def]
    small = replace(settings, max_file_bytes=1000, max_files=2, max_request_bytes=5000)
    with TestClient(create_app(small), client=LOOPBACK) as test_client:
        yield test_client


def test_file_over_max_file_bytes_is_413(small_client: TestClient) -> None:
    response = upload(small_client, ("gross.txt", doc.TEXT * 20))
    error = assert_error(response, 413, "payload_too_large")
    assert "gross.txt" in error["message"]


def test_more_files_than_max_files_is_413(small_client: TestClient) -> None:
    response = upload(small_client, *[(f"{i}.txt", doc.TEXT) for i in range(3)])
    assert_error(response, 413, "too_many_files")


def test_declared_content_length_over_the_limit_is_413_before_reading(
    small_client: TestClient,
) -> None:
    response = small_client.post(
        "/api/articles",
        content=b"x" * 6000,
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert_error(response, 413, "payload_too_large")


def test_streamed_body_without_content_length_is_counted(small_client: TestClient) -> None:
    # A generator body is sent chunked: no Content-Length to check up front.
    def chunks() -> Iterator[bytes]:
        yield b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
        for _ in range(10):
            yield b"Wort " * 200

    response = small_client.post(
        "/api/articles",
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert_error(response, 413, "payload_too_large")


def test_json_body_over_max_file_bytes_is_413(small_client: TestClient) -> None:
    big = [doc.JSON_ARTICLE] * 20
    response = small_client.post(
        "/api/articles",
        content=json.dumps(big).encode(),
        headers={"content-type": "application/json"},
    )
    assert_error(response, 413, "payload_too_large")


def test_temporary_files_are_removed_after_the_upload(
    client: TestClient, settings: Settings
) -> None:
    upload(client, ("kiel.txt", doc.TEXT))
    upload(client, ("gross.png", doc.PNG))
    assert list(settings.upload_tmp_dir.iterdir()) == []


def test_file_part_without_filename_counts_as_a_file(client: TestClient) -> None:
    response = client.post("/api/articles", files={"file": (None, io.BytesIO(doc.TEXT).read())})
    assert response.status_code == 201
    assert only_result(response)["source"] is None
