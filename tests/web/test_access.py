"""Who may upload: loopback without a token, the token when one is set, nobody cross-site."""

from __future__ import annotations

from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from pressearchiv.settings import Settings
from pressearchiv.web.access import is_loopback, uploads_disabled_reason
from pressearchiv.web.app import create_app
from tests.web import documents as doc
from tests.web.conftest import LOOPBACK
from tests.web.shapes import assert_error

TOKEN = "s3cret-token"
FILES = {"file": ("kiel.txt", doc.TEXT)}


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("10.0.0.1", False),
        ("192.168.1.5", False),
        ("0.0.0.0", False),
        ("testclient", False),
        ("", False),
        (None, False),
        ("2001:db8::1", False),
    ],
)
def test_is_loopback(host: str | None, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_without_token_a_remote_client_may_read_but_not_upload(settings: Settings) -> None:
    with TestClient(create_app(settings), client=("203.0.113.9", 4000)) as remote:
        assert remote.get("/api/search").status_code == 200
        error = assert_error(remote.post("/api/articles", files=FILES), 403, "uploads_disabled")
    assert "PRESSEARCHIV_API_TOKEN" in error["message"]


def test_testclients_default_host_is_not_loopback(settings: Settings) -> None:
    with TestClient(create_app(settings)) as default_client:
        assert_error(default_client.post("/api/articles", files=FILES), 403)


def test_on_a_public_interface_without_token_uploads_are_off_even_from_loopback(
    settings: Settings,
) -> None:
    public = replace(settings, host="0.0.0.0")
    assert "uploads are disabled" in (uploads_disabled_reason(public) or "")
    with TestClient(create_app(public), client=LOOPBACK) as client:
        assert_error(client.post("/api/articles", files=FILES), 403, "uploads_disabled")


@pytest.fixture
def token_client(settings: Settings):  # type: ignore[no-untyped-def]
    # A remote client: with a token the client's address no longer matters.
    with TestClient(
        create_app(replace(settings, api_token=TOKEN, host="0.0.0.0")),
        client=("203.0.113.9", 4000),
    ) as client:
        yield client


def test_token_missing_is_401(token_client: TestClient) -> None:
    response = token_client.post("/api/articles", files=FILES)
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_token_missing_on_a_json_upload_is_401(token_client: TestClient) -> None:
    assert_error(token_client.post("/api/articles", json=doc.JSON_ARTICLE), 401)


def test_token_wrong_is_403(token_client: TestClient) -> None:
    response = token_client.post(
        "/api/articles", files=FILES, headers={"Authorization": "Bearer wrong"}
    )
    assert_error(response, 403, "invalid_token")


def test_token_right_uploads(token_client: TestClient) -> None:
    response = token_client.post(
        "/api/articles", files=FILES, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 201


def test_token_in_the_form_field_works_like_the_header(token_client: TestClient) -> None:
    # The HTML form sends the token as a field before its files.
    right = token_client.post("/api/articles", data={"token": TOKEN}, files=FILES)
    wrong = token_client.post("/api/articles", data={"token": "nope"}, files=FILES)
    assert right.status_code == 201
    assert_error(wrong, 403, "invalid_token")


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}],
)
def test_cross_site_uploads_are_refused(client: TestClient, headers: dict[str, str]) -> None:
    assert_error(client.post("/api/articles", files=FILES, headers=headers), 403, "cross_site")


def test_same_origin_browser_upload_is_accepted(client: TestClient) -> None:
    headers = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/api/articles", files=FILES, headers=headers).status_code == 201
