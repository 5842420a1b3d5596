"""A static check that code uses only Whoosh's public API.

A name is private to Whoosh when it starts with one underscore (dunders are
not private) and Whoosh's own source defines it: a module-level name, a
function, method or class, an attribute it reads or sets (``self._x``), or a
parameter (``_lk``). :func:`violations` reports, in one module's source, every

* import of such a name from ``whoosh`` (or of a private ``whoosh`` module),
* attribute ``obj._x`` of such a name, except on ``self``/``cls`` of one of
  our classes; on ``self`` of a class derived from a Whoosh class it is
  reported when a Whoosh class in its MRO defines the name,
* method ``def _x`` of a class derived from Whoosh overriding such a name,
* keyword argument ``_x=`` of such a name,
* ``getattr``/``hasattr``/``setattr``/``delattr`` with such a name as a string.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import whoosh

__all__ = ["Violation", "violations", "whoosh_private_names"]

_ATTR_FUNCTIONS = {"getattr", "hasattr", "setattr", "delattr"}


@dataclass(frozen=True)
class Violation:
    line: int
    name: str
    what: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.what} {self.name}"


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _defined_names(tree: ast.AST) -> Iterator[str]:
    """Every name a Whoosh source tree defines (see the module docstring)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, ast.arg):
            yield node.arg
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            yield node.id
        elif isinstance(node, ast.alias):
            yield node.asname or node.name.rsplit(".", 1)[-1]


def _parse(source: str) -> ast.AST:
    with warnings.catch_warnings():  # Whoosh 2.7.4 has invalid escapes in regexes
        warnings.simplefilter("ignore")
        return ast.parse(source)


@cache
def whoosh_private_names() -> frozenset[str]:
    """The private names defined anywhere in the installed Whoosh."""
    found: set[str] = set()
    for path in Path(whoosh.__file__).parent.rglob("*.py"):
        found.update(n for n in _defined_names(_parse(path.read_text("utf-8"))) if _private(n))
    return frozenset(found)


@cache
def _whoosh_class_names(cls: type) -> frozenset[str]:
    """Private names the Whoosh classes in ``cls``'s MRO define or use."""
    found: set[str] = set()
    for base in cls.__mro__:
        if not base.__module__.startswith("whoosh"):
            continue
        found.update(n for n in vars(base) if _private(n))
        try:
            source = inspect.getsource(base)
        except (OSError, TypeError):
            continue
        found.update(n for n in _defined_names(_parse(textwrap.dedent(source))) if _private(n))
    return frozenset(found)


def _from_whoosh(cls: type | None) -> bool:
    return cls is not None and any(b.__module__.startswith("whoosh") for b in cls.__mro__)


class _Scanner(ast.NodeVisitor):
    def __init__(self, classes: dict[str, type]) -> None:
        self.classes = classes
        self.private = whoosh_private_names()
        self.found: list[Violation] = []
        self.current: list[type | None] = []

    def report(self, node: ast.AST, name: str, what: str) -> None:
        self.found.append(Violation(getattr(node, "lineno", 0), name, what))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            parts = alias.name.split(".")
            if parts[0] == "whoosh" and any(_private(p) for p in parts):
                self.report(node, alias.name, "import of a private module")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module.split(".")[0] != "whoosh":
            return
        if any(_private(p) for p in module.split(".")):
            self.report(node, module, "import from a private module")
        for alias in node.names:
            if _private(alias.name):
                self.report(node, alias.name, "import of a private name")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        cls = self.classes.get(node.name)
        if _from_whoosh(cls):
            assert cls is not None
            inherited = _whoosh_class_names(cls)
            for item in node.body:
                if not isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                if _private(item.name) and item.name in inherited:
                    self.report(item, item.name, "override of a private method")
        self.current.append(cls)
        self.generic_visit(node)
        self.current.pop()

    def visit_Attribute(self, node: ast.Attribute) -> None:
        name = node.attr
        if _private(name) and name in self.private:
            on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            cls = self.current[-1] if self.current else None
            if not on_self:
                self.report(node, name, "attribute")
            elif _from_whoosh(cls):
                assert cls is not None
                if name in _whoosh_class_names(cls):
                    self.report(node, name, "inherited private attribute")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg and _private(keyword.arg) and keyword.arg in self.private:
                self.report(keyword.value, keyword.arg, "private keyword")
        func = node.func
        if isinstance(func, ast.Name) and func.id in _ATTR_FUNCTIONS and len(node.args) >= 2:
            named = node.args[1]
            text = named.value if isinstance(named, ast.Constant) else None
            if isinstance(text, str) and _private(text) and text in self.private:
                self.report(node, text, f"{func.id}() of")
        self.generic_visit(node)


def violations(source: str, classes: dict[str, type]) -> list[Violation]:
    """Uses of private Whoosh names in ``source``; ``classes`` maps the names of
    its top-level classes to the class objects (to know their bases)."""
    scanner = _Scanner(classes)
    scanner.visit(_parse(source))
    return scanner.found
