"""All of Pressearchiv's settings in one typed place.

Each setting has a default, an environment variable (``PRESSEARCHIV_`` + its
name in capitals) and a line of help; the README's settings table is checked
against :data:`SETTINGS` by a test. The CLI overrides the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["SETTINGS", "Setting", "Settings", "SettingsError"]


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names it."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return f"PRESSEARCHIV_{self.name.upper()}"


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", Path("data"), "Folder holding the archive database and the search index."),
    Setting("host", "127.0.0.1", "Interface the web service listens on."),
    Setting("port", 8000, "Port the web service listens on."),
    Setting(
        "api_token",
        None,
        "Bearer token required for uploads. Unset: uploads only from loopback clients.",
    ),
    Setting("max_file_bytes", 10 * 1024 * 1024, "Largest accepted uploaded file, in bytes."),
    Setting("max_files", 100, "Most files accepted in one upload request."),
    Setting(
        "max_request_bytes", 200 * 1024 * 1024, "Largest accepted upload request body, in bytes."
    ),
    Setting("max_page_size", 100, "Largest number of hits one search page may ask for."),
    Setting("query_timeout", 5.0, "Seconds a search may run before it is cut short."),
    Setting("export_limit", 100_000, "Most rows one CSV or JSON Lines export returns."),
    Setting("seed_samples", True, "Seed an empty archive with the five bundled sample articles."),
)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = 8000
    api_token: str | None = None
    max_file_bytes: int = 10 * 1024 * 1024
    max_files: int = 100
    max_request_bytes: int = 200 * 1024 * 1024
    max_page_size: int = 100
    query_timeout: float = 5.0
    export_limit: int = 100_000
    seed_samples: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Defaults overridden by ``PRESSEARCHIV_*`` environment variables."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = env.get(setting.env)
            if raw is not None and raw != "":
                values[setting.name] = _convert(setting.name, raw)
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given (non-None) values, e.g. from command-line flags."""
        chosen = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **chosen)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def upload_tmp_dir(self) -> Path:
        return self.data_dir / "tmp"


_TYPES = {f.name: f.type for f in fields(Settings)}


def _convert(name: str, raw: str) -> Any:
    kind = _TYPES[name]
    try:
        if kind == "Path":
            return Path(raw)
        if kind == "int":
            value: Any = int(raw)
            if value <= 0 and name != "port":
                raise ValueError
            return value
        if kind == "float":
            value = float(raw)
            if value <= 0:
                raise ValueError
            return value
        if kind == "bool":
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError
        return raw
    except ValueError:
        env = f"PRESSEARCHIV_{name.upper()}"
        raise SettingsError(f"{env}={raw!r} is not a valid {kind} for {name}") from None
