"""Fixtures for the web tests: a real store and index in a temporary folder."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # Starlette 1.10 prefers httpx2 for its TestClient and warns at import when it
    # finds httpx (our pinned dev dependency). Nothing to fix on our side until
    # the project moves to httpx2; silence exactly this one warning, here only.
    warnings.filterwarnings(
        "ignore", message="Using `httpx` with `starlette.testclient` is deprecated"
    )
    from starlette.testclient import TestClient

from pressearchiv.settings import Settings
from pressearchiv.web.app import create_app

__all__ = ["LOOPBACK", "TEST_HOST", "TestClient", "client", "settings"]

LOOPBACK = ("127.0.0.1", 50000)
# The Host header Starlette's TestClient sends; the app must be told it is ours.
TEST_HOST = "testserver"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", allowed_hosts=TEST_HOST)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A client on loopback, so uploads without a token are allowed."""
    with TestClient(create_app(settings), client=LOOPBACK) as test_client:
        yield test_client
