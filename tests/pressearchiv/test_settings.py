"""Settings: environment overrides, bad values, and the README documents every one."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressearchiv.settings import SETTINGS, Settings, SettingsError

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_table_is_derived_from_the_declaration() -> None:
    defaults = Settings()
    assert [s.name for s in SETTINGS] == list(vars(defaults))
    for setting in SETTINGS:
        assert getattr(defaults, setting.name) == setting.default, setting.name
        assert setting.help.endswith("."), setting.name
    kinds = {s.name: (s.kind, s.optional) for s in SETTINGS}
    assert kinds["port"] == (int, False)
    assert kinds["api_token"] == (str, True)
    assert kinds["data_dir"] == (Path, False)


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


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"port": 70000}, "port must be at most 65535"),
        ({"port": True}, "port must be a int"),
        ({"max_files": 0}, "max_files must be at least 1"),
        ({"query_timeout": float("nan")}, "query_timeout must be a finite number"),
        ({"query_timeout": "5"}, "query_timeout must be a float"),
        ({"host": " "}, "host must not be empty"),
        ({"data_dir": None}, "data_dir must be set"),
    ],
)
def test_values_are_checked_whenever_settings_are_made(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings(**changes)  # type: ignore[arg-type]
    if None not in changes.values():  # with_overrides skips None: an unset flag
        with pytest.raises(SettingsError, match=message):
            Settings().with_overrides(**changes)


def test_values_are_normalised_to_their_type() -> None:
    settings = Settings(query_timeout=2, data_dir="/srv/archiv")  # type: ignore[arg-type]
    assert settings.query_timeout == 2.0 and isinstance(settings.query_timeout, float)
    assert settings.data_dir == Path("/srv/archiv")


def test_cli_rejects_an_impossible_port(capsys: pytest.CaptureFixture[str]) -> None:
    from pressearchiv.cli import main

    assert main(["serve", "--port", "70000"]) == 2
    assert "port must be at most 65535" in capsys.readouterr().err
