"""DNS rebinding and cross-site writes (issue 12, class 2).

A page on ``evil.example`` whose name resolves to 127.0.0.1 makes the browser
send ``Host: evil.example`` (and a matching ``Origin``) to us. Such requests are
refused before any route runs; only our own names are answered.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pressearchiv.settings import Settings, SettingsError
from pressearchiv.web.app import create_app
from tests.web import documents as doc
from tests.web.conftest import LOOPBACK, TEST_HOST
from tests.web.shapes import assert_error

FILES = {"file": ("kiel.txt", doc.TEXT)}


@pytest.fixture
def rebound(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data", allowed_hosts="archiv.example.org, *.intern")
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        yield client


def _count(client: TestClient) -> int:
    return int(client.get("/healthz", headers={"Host": "localhost"}).json()["articles"])


@pytest.mark.parametrize("path", ["/api/search?q=Kiel", "/", "/api/stats", "/api/openapi.json"])
def test_a_foreign_host_reads_nothing(rebound: TestClient, path: str) -> None:
    response = rebound.get(path, headers={"Host": "evil.example:8000"})
    error = assert_error(response, 400, "invalid_host")
    assert "PRESSEARCHIV_ALLOWED_HOSTS" in error["message"]
    assert response.headers["x-frame-options"] == "DENY"


def test_a_rebound_upload_is_refused_and_stores_nothing(rebound: TestClient) -> None:
    before = _count(rebound)
    headers = {"Host": "evil.example:8000", "Origin": "http://evil.example:8000"}
    response = rebound.post("/api/articles", files=FILES, headers=headers)
    assert_error(response, 400, "invalid_host")
    assert _count(rebound) == before


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "localhost:8000",
        "127.0.0.1:8000",
        "[::1]:8000",
        "archiv.example.org",
        "ARCHIV.example.org:443",
        "team.intern",
    ],
)
def test_our_own_names_are_answered(rebound: TestClient, host: str) -> None:
    assert rebound.get("/api/search", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["", "evil.example", "archiv.example.org.evil", "[::2]", "a b"])
def test_other_names_are_refused(rebound: TestClient, host: str) -> None:
    assert_error(rebound.get("/healthz", headers={"Host": host}), 400, "invalid_host")


def test_a_foreign_referer_without_origin_is_refused(client: TestClient) -> None:
    headers = {"Referer": "http://evil.example/angriff.html"}
    response = client.post("/api/articles", files=FILES, headers=headers)
    assert_error(response, 403, "cross_site")


def test_our_own_referer_without_origin_may_upload(client: TestClient) -> None:
    headers = {"Referer": f"http://{TEST_HOST}/hochladen"}
    assert client.post("/api/articles", files=FILES, headers=headers).status_code == 201


def test_a_trailing_slash_is_not_redirected(client: TestClient) -> None:
    response = client.get("/api/search/", headers={"Host": TEST_HOST}, follow_redirects=False)
    assert_error(response, 404, "not_found")
    assert "location" not in response.headers


@pytest.mark.parametrize("names", ["evil*.example", "a.*.example", "**.example"])
def test_bad_host_patterns_are_refused_at_start(names: str) -> None:
    with pytest.raises(SettingsError, match="allowed_hosts"):
        Settings(allowed_hosts=names)


def test_the_listening_host_is_one_of_our_names() -> None:
    assert "10.1.2.3" in Settings(host="10.1.2.3").trusted_hosts
    assert "0.0.0.0" not in Settings(host="0.0.0.0").trusted_hosts
