"""The layers import in one direction, and no module imports itself in a circle.

archive ← index ← web ← command line: a layer may import its own modules and
those of the layers below it, never above. ``pressearchiv.settings`` belongs
to the application (web and the command line read it), so archive and index,
which are configured through their own arguments and options, never import it.
Only ``web`` and the command line know HTTP; only ``index`` knows Whoosh.

The import graph is read from the source with :mod:`ast`, imports inside
functions included: a lazy import hides a cycle from Python, not from this
test. (import-linter would be the usual tool, but it finds a package's modules
by walking its folder, and our layers live in folders mapped into the package.)
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {
    "archive": "pressearchiv.archive",
    "index": "pressearchiv.index",
    "web": "pressearchiv.web",
    "pressearchiv": "pressearchiv",
}
RANK = {
    "pressearchiv.archive": 0,
    "pressearchiv.index": 1,
    "pressearchiv.web": 2,
    # The service and the command line are configured from the settings.
    "pressearchiv.settings": 2,
}
APPLICATION = 3  # the command line
# The root package only tells the version; any layer may ask for it.
ROOT_PACKAGE = "pressearchiv"
# Third-party packages that belong to one layer (and the layers above it).
EXTERNAL_FROM = {
    "whoosh": 1,
    "starlette": 2,
    "uvicorn": 2,
    "python_multipart": 2,
    "multipart": 2,
    "jinja2": 2,
    "httpx": 2,
}


def _modules() -> dict[str, Path]:
    found = {}
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """Every module ``name`` imports, anywhere in its body, with the line."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, node.lineno
            for alias in node.names:  # "from pkg import module" imports pkg.module
                if f"{base}.{alias.name}" in MODULES:
                    yield f"{base}.{alias.name}", node.lineno


def _ours(target: str) -> str | None:
    """The module of ours that ``target`` names (a module or a name in one)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def _rank(module: str) -> int:
    if module == ROOT_PACKAGE:
        return 0
    for package, rank in RANK.items():
        if module == package or module.startswith(package + "."):
            return rank
    return APPLICATION


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for target, _ in _imports(name, path):
            ours = _ours(target) if target.startswith("pressearchiv") else None
            if ours is not None and ours != name:
                graph[name].add(ours)
    return graph


def test_every_source_file_is_seen() -> None:
    assert "pressearchiv.index.search_index" in MODULES
    assert "pressearchiv.web.app" in MODULES
    assert "pressearchiv.cli" in MODULES
    # The graph sees lazy imports: the CLI imports web only inside a function.
    assert "pressearchiv.web.server" in _graph()["pressearchiv.cli"]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_go_downwards(name: str) -> None:
    rank = _rank(name)
    wrong = []
    for target, line in _imports(name, MODULES[name]):
        top = target.split(".")[0]
        if top in ("archive", "index", "web"):
            wrong.append(f"line {line}: {target} (import pressearchiv.{target} instead)")
        elif top == "pressearchiv":
            ours = _ours(target)
            if ours is None:
                wrong.append(f"line {line}: {target} does not exist")
            elif _rank(ours) > rank:
                wrong.append(f"line {line}: {ours} is a layer above (pass values in)")
            elif ours == "pressearchiv.cli" and name != "pressearchiv.__main__":
                wrong.append(f"line {line}: nothing imports the command line")
        elif EXTERNAL_FROM.get(top, 0) > rank:
            wrong.append(f"line {line}: {top} belongs to a layer above")
    assert not wrong, f"{name}: " + "; ".join(wrong)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    # A package's __init__ re-exporting its modules is not a cycle of design.
    graph = {
        name: {t for t in targets if not (name.startswith(t + ".") and t in FOLDERS.values())}
        for name, targets in _graph().items()
    }
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
