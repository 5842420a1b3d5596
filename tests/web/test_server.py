"""What `pressearchiv serve` says at start-up."""

from __future__ import annotations

from dataclasses import replace

from pressearchiv.settings import Settings
from pressearchiv.web.server import startup_notes


def test_loopback_without_token_takes_uploads_from_this_machine(settings: Settings) -> None:
    notes = "\n".join(startup_notes(settings))
    assert "http://127.0.0.1:8000/" in notes
    assert "only from this machine" in notes
    assert "WARNING" not in notes


def test_public_interface_without_token_warns_that_uploads_are_disabled(
    settings: Settings,
) -> None:
    notes = "\n".join(startup_notes(replace(settings, host="0.0.0.0")))
    assert "WARNING: uploads are disabled" in notes
    assert "PRESSEARCHIV_API_TOKEN" in notes


def test_public_interface_with_token_needs_no_warning(settings: Settings) -> None:
    notes = "\n".join(startup_notes(replace(settings, host="0.0.0.0", api_token="t")))
    assert "WARNING" not in notes
    assert "need the API token" in notes
