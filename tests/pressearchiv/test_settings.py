"""Settings: environment overrides, bad values, and the README documents every one."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressearchiv.settings import SETTINGS, Settings, SettingsError

README = Path(__file__).resolve().parents[2] / "README.md"


def test_defaults_match_the_table() -> None:
    defaults = Settings()
    for setting in SETTINGS:
        assert getattr(defaults, setting.name) == setting.default, setting.name


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.env}`" in readme, setting.env
        assert setting.help in readme, setting.name


def test_from_env() -> None:
    settings = Settings.from_env(
        {
            "PRESSEARCHIV_DATA_DIR": "/srv/archiv",
            "PRESSEARCHIV_PORT": "9000",
            "PRESSEARCHIV_API_TOKEN": "geheim",
            "PRESSEARCHIV_QUERY_TIMEOUT": "2.5",
            "PRESSEARCHIV_SEED_SAMPLES": "no",
            "PRESSEARCHIV_MAX_FILES": "",
        }
    )
    assert settings.data_dir == Path("/srv/archiv")
    assert settings.port == 9000
    assert settings.api_token == "geheim"
    assert settings.query_timeout == 2.5
    assert settings.seed_samples is False
    assert settings.max_files == 100
    assert settings.index_dir == Path("/srv/archiv/index")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PRESSEARCHIV_PORT", "achtzig"),
        ("PRESSEARCHIV_MAX_FILES", "-1"),
        ("PRESSEARCHIV_SEED_SAMPLES", "vielleicht"),
        ("PRESSEARCHIV_QUERY_TIMEOUT", "0"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_cli_overrides_win() -> None:
    settings = Settings.from_env({"PRESSEARCHIV_PORT": "9000"}).with_overrides(port=8080, host=None)
    assert (settings.port, settings.host) == (8080, "127.0.0.1")
