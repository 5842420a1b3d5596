"""Only ``pressearchiv.index.engine`` touches Whoosh's internals.

Every other module of ``index/`` is scanned (:mod:`tests.index.boundary`) for
imports, attributes, overrides, keywords and ``getattr`` strings that name a
private Whoosh symbol. The scanner is proven on known violations, and on the
engine itself, which must still be found to use them.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from types import ModuleType

import pytest

import pressearchiv.index as index_package
from pressearchiv.index import engine
from tests.index.boundary import Violation, violations, whoosh_private_names


def _modules(package: ModuleType) -> list[ModuleType]:
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    ]


def _scan(module: ModuleType) -> list[Violation]:
    classes = {n: c for n, c in vars(module).items() if inspect.isclass(c)}
    return violations(inspect.getsource(module), classes)


def _scan_text(source: str) -> list[str]:
    namespace: dict[str, object] = {}
    exec(compile(source, "<snippet>", "exec"), namespace)  # noqa: S102 - our own snippets
    classes = {n: c for n, c in namespace.items() if inspect.isclass(c)}
    return [v.name for v in violations(source, classes)]


OUTSIDE = [m for m in _modules(index_package) if not m.__name__.startswith(engine.__name__)]


def test_every_module_outside_the_engine_is_scanned() -> None:
    names = {m.__name__.rsplit(".", 1)[-1] for m in OUTSIDE}
    assert {"segments", "postings", "columns", "formats", "bulk", "writer"} <= names
    assert "engine" not in names and "reading" not in names


@pytest.mark.parametrize("module", OUTSIDE, ids=lambda m: m.__name__)
def test_no_private_whoosh_name_outside_the_engine(module: ModuleType) -> None:
    assert [str(v) for v in _scan(module)] == []


def test_the_engine_is_found_to_use_private_names() -> None:
    """The scanner finds what the engine's docstring lists (so it scans for real)."""
    found = {v.name for m in _modules(engine) for v in _scan(m)}
    assert {
        "_flush_segment",
        "_finalize_segment",
        "_lk",
        "_terms",
        "_postfile",
        "_perdoc",
        "_source",
        "_lengths",
        "_struct",
    } <= found
    listed = {name for name in found if re.search(rf"(?<!\w){name}(?!\w)", engine.__doc__ or "")}
    assert found - listed == set()  # each private name used is listed with its reason


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from whoosh.util.numeric import _length_byte_cache", ["_length_byte_cache"]),
        ("from whoosh.filedb import filetables\nX = filetables._lengths", ["_lengths"]),
        ("def segments(ix):\n    return ix._segments()", ["_segments"]),
        ("def ids(m):\n    return getattr(m, '_read_ids', None)", ["_read_ids"]),
        ("def ids(m):\n    return hasattr(m, '_next_block')", ["_next_block"]),
        ("from whoosh.codec.whoosh3 import W3TermInfo\nS = W3TermInfo._struct", ["_struct"]),
        (
            "from whoosh.writing import SegmentWriter\n"
            "def unlocked(ix):\n    return SegmentWriter(ix, _lk=False)",
            ["_lk"],
        ),
        (
            "from whoosh.writing import SegmentWriter\n"
            "class W(SegmentWriter):\n"
            "    def _merge_segments(self, mergetype, optimize, merge):\n"
            "        return []",
            ["_merge_segments"],
        ),
        (
            "from whoosh.writing import SegmentWriter\n"
            "class W(SegmentWriter):\n"
            "    def add(self):\n        self._added = True",
            ["_added"],
        ),
        ("import whoosh.util.numeric as n\nT = n._length_byte_cache[3]", ["_length_byte_cache"]),
    ],
)
def test_the_scanner_reports_each_kind_of_violation(source: str, expected: list[str]) -> None:
    assert _scan_text(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        # Our own private attributes, also on classes derived from Whoosh's.
        "class Mine:\n    def __init__(self):\n        self._lock = 1\n"
        "    def get(self):\n        return self._lock",
        "from whoosh.analysis import Analyzer\n"
        "class Mine(Analyzer):\n    def __init__(self):\n        self._stems = {}",
        "from whoosh.util.numeric import byte_to_length\nX = byte_to_length(3)",
        "def kind(x):\n    return x.__class__",
    ],
)
def test_the_scanner_accepts_public_use(source: str) -> None:
    assert _scan_text(source) == []


def test_whoosh_defines_the_private_names_we_look_for() -> None:
    assert {"_segments", "_lk", "_length_byte_cache", "_read_ids", "_source"} <= (
        whoosh_private_names()
    )
