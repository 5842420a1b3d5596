"""One import package: Pressearchiv installs ``pressearchiv`` and nothing else.

The layers live in the repository's ``archive/``, ``index/`` and ``web/``
folders but are installed as ``pressearchiv.archive`` and so on, so that other
projects' top-level ``index``, ``archive`` or ``web`` modules (all three are
names of packages on PyPI) cannot break it — nor it them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pressearchiv import version
from pressearchiv.settings import Settings
from pressearchiv.web.openapi import openapi_schema

ROOT = Path(__file__).resolve().parents[2]
_NOT_SOURCE = (".git", ".venv", "build", "data", "*.egg-info", ".*_cache", "__pycache__")

# Modules that shadow the layer folders' names and fail loudly when imported.
_SHADOWS = {
    "index.py": "raise ImportError('the foreign index module was imported')\n",
    "archive/__init__.py": "raise ImportError('the foreign archive package was imported')\n",
    "web.py": "raise ImportError('the foreign web module was imported')\n",
}

# Import every layer, build the app, seed an archive, search it from the CLI.
_SMOKE = """
import sys
from pathlib import Path
from pressearchiv.cli import main
from pressearchiv.settings import Settings
from pressearchiv.web.app import create_app
create_app(Settings(data_dir=Path(sys.argv[1])))
sys.exit(main(["search", "--data-dir", sys.argv[1], "Lawrow"]))
"""


def _shadowed_path(tmp_path: Path) -> Path:
    shadows = tmp_path / "elsewhere"
    for name, body in _SHADOWS.items():
        (shadows / name).parent.mkdir(parents=True, exist_ok=True)
        (shadows / name).write_text(body)
    return shadows


def test_foreign_index_archive_and_web_modules_do_not_break_it(tmp_path: Path) -> None:
    shadows = _shadowed_path(tmp_path)
    # Foreign modules first on sys.path, and the working directory elsewhere.
    done = subprocess.run(
        [sys.executable, "-c", _SMOKE, str(tmp_path / "data")],
        cwd=shadows,
        env={"PYTHONPATH": str(shadows), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert re.match(r"\d+ Treffer", done.stdout), done.stdout
    # And they really were first: importing them fails as written.
    probe = subprocess.run(
        [sys.executable, "-c", "import index"],
        cwd=shadows,
        env={"PYTHONPATH": str(shadows)},
        capture_output=True,
        text=True,
    )
    assert "foreign index module" in probe.stderr


def test_one_version_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    from pressearchiv.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"pressearchiv {version()}"
    assert openapi_schema(Settings())["info"]["version"] == version()
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^## (\S+)", changelog, re.MULTILINE)
    assert newest is not None and newest.group(1) == version()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'\nversion = "{version()}"\n' in pyproject


@pytest.mark.slow
def test_the_wheel_holds_one_package_and_its_data(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes build/ into the tree it builds.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    assert "warning" not in (built.stdout + built.stderr).lower(), built.stderr
    (wheel,) = tmp_path.glob("pressearchiv-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {
        "pressearchiv",
        f"pressearchiv-{version()}.dist-info",
    }
    for expected in (
        "pressearchiv/archive/store.py",
        "pressearchiv/index/search_index.py",
        "pressearchiv/web/app.py",
        "pressearchiv/web/templates/search.html",
        "pressearchiv/web/static/style.css",
        "pressearchiv/cli.py",
    ):
        assert expected in names
    assert sum(n.startswith("pressearchiv/archive/samples/") for n in names) == 5

    # The installed layout works on its own (a plain install, not the checkout).
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    shadows = _shadowed_path(tmp_path)
    program = (
        f"import sys; sys.path[:0] = [{str(target)!r}, {str(shadows)!r}]\n"
        "import pressearchiv.web.app as app\n"
        f"assert app.__file__.startswith({str(target)!r}), app.__file__\n"
    ) + _SMOKE
    done = subprocess.run(
        [sys.executable, "-c", program, str(tmp_path / "data")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert re.match(r"\d+ Treffer", done.stdout), done.stdout
