"""The web package's modules import one another without cycles, and never lazily."""

from __future__ import annotations

import ast
from pathlib import Path

import pressearchiv.web

WEB = Path(pressearchiv.web.__file__).parent
PREFIX = "pressearchiv.web."


def imports(path: Path) -> tuple[set[str], list[str]]:
    """The web modules ``path`` imports, and the imports it makes inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    lazy: list[str] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "pressearchiv.web":
                names = [alias.name for alias in node.names]
            elif node.module.startswith(PREFIX):
                names = [node.module.removeprefix(PREFIX).split(".")[0]]
        elif isinstance(node, ast.Import):
            names = [
                a.name.removeprefix(PREFIX).split(".")[0]
                for a in node.names
                if a.name.startswith(PREFIX)
            ]
        found.update(names)
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            lazy += [
                f"{path.name}:{n.lineno}"
                for n in ast.walk(function)
                if isinstance(n, ast.Import | ast.ImportFrom)
            ]
    return found, lazy


def graph() -> dict[str, set[str]]:
    return {path.stem: imports(path)[0] for path in sorted(WEB.glob("*.py"))}


def test_no_module_imports_inside_a_function() -> None:
    assert [place for path in WEB.glob("*.py") for place in imports(path)[1]] == []


def test_the_import_graph_has_no_cycle() -> None:
    edges = graph()
    done: set[str] = set()

    def visit(module: str, trail: tuple[str, ...]) -> None:
        assert module not in trail, " -> ".join((*trail, module))
        if module in done:
            return
        for target in sorted(edges.get(module, set())):
            visit(target, (*trail, module))
        done.add(module)

    assert {"api", "errors", "pages", "shapes"} <= set(edges)  # the graph was read
    for module in edges:
        visit(module, ())


def test_pages_and_errors_do_not_reach_into_the_api_handlers() -> None:
    edges = graph()
    assert "api" not in edges["pages"]
    assert "pages" not in edges["errors"]
    assert "api" not in edges["errors"]
