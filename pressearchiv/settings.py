"""All of Pressearchiv's settings in one typed place.

Each setting is declared once, as a field of :class:`Settings`: its type, its
default, a line of help and, for numbers, its bounds. Everything else is
derived from that declaration: :data:`SETTINGS` (the table the README's
settings section is checked against), the environment variables
(``PRESSEARCHIV_`` + the name in capitals) and validation, which runs whenever
a :class:`Settings` is made — from the environment, from the command line or
in code — so an impossible value never gets as far as a server or an index.
The command line overrides the environment, which overrides the defaults.
"""

from __future__ import annotations

import math
import os
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_type_hints

if TYPE_CHECKING:
    from pressearchiv.index import IndexOptions

__all__ = ["SETTINGS", "Setting", "Settings", "SettingsError"]

_MIB = 1024 * 1024


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names it."""


def _setting(
    default: Any, help: str, *, low: float | None = None, high: float | None = None
) -> Any:
    """Declare a setting: its default, its help line and optional inclusive bounds."""
    return field(default=default, metadata={"help": help, "low": low, "high": high})


@dataclass(frozen=True)
class Settings:
    """The service's configuration; see the README's settings table."""

    data_dir: Path = _setting(
        Path("data"), "Folder holding the archive database and the search index."
    )
    host: str = _setting("127.0.0.1", "Interface the web service listens on.")
    port: int = _setting(8000, "Port the web service listens on.", low=0, high=65535)
    workers: int = _setting(
        0,
        "Web worker processes that answer requests (0: one per core). With more than one,"
        " a separate process owns and writes the index and the workers follow it.",
        low=0,
        high=64,
    )
    allowed_hosts: str | None = _setting(
        None,
        "More names (comma-separated, `*.example.org` allowed) the service answers to; "
        "always: localhost, 127.0.0.1, [::1] and the host it listens on.",
    )
    api_token: str | None = _setting(
        None, "Bearer token required for uploads. Unset: uploads only from loopback clients."
    )
    max_file_bytes: int = _setting(10 * _MIB, "Largest accepted uploaded file, in bytes.", low=1)
    max_files: int = _setting(100, "Most files accepted in one upload request.", low=1)
    max_items: int = _setting(
        10_000,
        "Most articles (files, JSON entries, JSON lines) taken in one upload request.",
        low=1,
    )
    max_request_bytes: int = _setting(
        200 * _MIB, "Largest accepted upload request body, in bytes.", low=1
    )
    header_timeout: float = _setting(
        10.0,
        "Seconds a client has to send a request's line and headers; then it is disconnected.",
        low=0.01,
        high=3600,
    )
    body_timeout: float = _setting(
        30.0,
        "Seconds an upload's body may stop arriving before the upload gets 408.",
        low=0.01,
        high=3600,
    )
    max_connections: int = _setting(
        500,
        "Most open client connections per worker process (each has its own descriptors);"
        " beyond it a new one gets 503 and is closed.",
        low=1,
    )
    max_page_size: int = _setting(
        100, "Largest number of hits one search page may ask for.", low=1, high=10_000
    )
    query_timeout: float = _setting(
        5.0, "Seconds a search may run before it is cut short.", low=0.001, high=3600
    )
    inline_search_budget: float = _setting(
        0.02,
        "Seconds a search may run on a worker's event loop, where it costs no hand-off"
        " to a thread; one that needs longer is dropped there at its next step and run"
        " again in a thread. 0: every search runs in a thread.",
        low=0,
        high=1,
    )
    search_queue: int = _setting(
        256, "Most searches waiting for a search slot; beyond it a search gets 429.", low=1
    )
    search_queue_wait: float = _setting(
        30.0, "Seconds a search may wait for a slot before it gets 429.", low=0.001, high=3600
    )
    export_limit: int = _setting(100_000, "Most rows one CSV or JSON Lines export returns.", low=1)
    seed_samples: bool = _setting(
        True, "Seed an empty archive with the five bundled sample articles."
    )
    bulk_segment_articles: int = _setting(
        5_000,
        "Articles per segment when a large backlog is indexed in parallel (a big ingest, a "
        "new index); each segment is one commit, so smaller segments show up sooner.",
        low=10,
        high=1_000_000,
    )
    posting_file_documents: int = _setting(
        1_000,
        "Index segments of this many articles or more get a posting file (memory-mapped"
        " postings in `DATA_DIR/index.postings/`); smaller ones are read from the index.",
        low=1,
    )

    def __post_init__(self) -> None:
        for setting in SETTINGS:
            value = setting.check(getattr(self, setting.name))
            object.__setattr__(self, setting.name, value)
        for name in self.trusted_hosts:
            wildcard = name.startswith("*") and name not in ("*",) and not name.startswith("*.")
            if "*" in name[1:] or wildcard:
                raise SettingsError(
                    f"allowed_hosts: {name!r} is not a host name or a pattern like *.example.org"
                )

    @property
    def trusted_hosts(self) -> tuple[str, ...]:
        """Every name a request's Host header may carry (DNS rebinding guard)."""
        names = ["localhost", "127.0.0.1", "[::1]"]
        # A wildcard address is no name anyone can reach us by.
        if self.host not in ("0.0.0.0", "::", ""):
            names.append(f"[{self.host}]" if ":" in self.host else self.host)
        extra = (self.allowed_hosts or "").split(",")
        names.extend(n.strip().lower() for n in extra if n.strip())
        return tuple(dict.fromkeys(n.lower() for n in names))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Defaults overridden by ``PRESSEARCHIV_*`` environment variables.

        An empty variable counts as unset. A bad value raises SettingsError
        naming the variable.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = env.get(setting.env)
            if raw is None or raw == "":
                continue
            try:
                values[setting.name] = setting.check(setting.parse(raw))
            except SettingsError as exc:
                raise SettingsError(f"{setting.env}={raw!r}: {exc}") from None
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given (non-None) values, e.g. from command-line flags."""
        chosen = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **chosen)

    def index_options(self) -> IndexOptions:
        """How the index is tuned with these settings."""
        from pressearchiv.index import IndexOptions

        return IndexOptions(
            query_timeout=self.query_timeout,
            bulk_segment_articles=self.bulk_segment_articles,
            # A backlog of one segment is worth the worker processes.
            bulk_backlog=self.bulk_segment_articles,
            posting_file_documents=self.posting_file_documents,
        )

    @property
    def worker_count(self) -> int:
        """How many worker processes ``serve`` runs (``workers``, 0 meaning one per core)."""
        return self.workers or len(os.sched_getaffinity(0))

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def upload_tmp_dir(self) -> Path:
        return self.data_dir / "tmp"


@dataclass(frozen=True)
class Setting:
    """One row of the settings table, derived from a field of :class:`Settings`."""

    name: str
    kind: type
    optional: bool
    default: Any
    help: str
    low: float | None = None
    high: float | None = None

    @property
    def env(self) -> str:
        return f"PRESSEARCHIV_{self.name.upper()}"

    def parse(self, raw: str) -> Any:
        """The value an environment variable's text stands for."""
        if self.kind is bool:
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise SettingsError("not a yes/no value (use true/false, yes/no, 1/0, on/off)")
        if self.kind in (int, float):
            try:
                return self.kind(raw.strip())
            except ValueError:
                raise SettingsError(f"not a valid {self.kind.__name__}") from None
        if self.kind is Path:
            return Path(raw)
        return raw

    def check(self, value: Any) -> Any:
        """``value`` if it is a valid value of this setting (ints widened to float)."""
        if value is None:
            if self.optional:
                return None
            raise SettingsError(f"{self.name} must be set")
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if self.kind is Path and isinstance(value, str):
            value = Path(value)
        # bool is an int subclass: True must not pass as a port.
        if not isinstance(value, self.kind) or (self.kind is not bool and isinstance(value, bool)):
            raise SettingsError(f"{self.name} must be a {self.kind.__name__}, not {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise SettingsError(f"{self.name} must be a finite number, not {value!r}")
        if self.low is not None and isinstance(value, int | float) and value < self.low:
            raise SettingsError(f"{self.name} must be at least {self.low:g}, not {value!r}")
        if self.high is not None and isinstance(value, int | float) and value > self.high:
            raise SettingsError(f"{self.name} must be at most {self.high:g}, not {value!r}")
        if isinstance(value, str) and not value.strip():
            raise SettingsError(f"{self.name} must not be empty")
        return value


def _describe() -> tuple[Setting, ...]:
    hints = get_type_hints(Settings)
    described = []
    for f in fields(Settings):
        kind: Any = hints[f.name]
        optional = isinstance(kind, types.UnionType) and type(None) in kind.__args__
        if optional:
            (kind,) = (arg for arg in kind.__args__ if arg is not type(None))
        described.append(
            Setting(
                name=f.name,
                kind=kind,
                optional=optional,
                default=f.default,
                help=f.metadata["help"],
                low=f.metadata["low"],
                high=f.metadata["high"],
            )
        )
    return tuple(described)


SETTINGS: tuple[Setting, ...] = _describe()
