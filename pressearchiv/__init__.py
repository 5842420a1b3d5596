"""Pressearchiv: a searchable full-text archive for German-language news.

One import package holds every layer, each in the repository folder of the
same name: :mod:`pressearchiv.archive` (parsing and the store, the source of
truth), :mod:`pressearchiv.index` (German full-text search derived from the
store), :mod:`pressearchiv.web` (the HTTP service), and here the settings and
the command line. Layers import only downwards: archive ← index ← web ← cli.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version

__all__ = ["version"]


@cache
def version() -> str:
    """The installed distribution's version: the one source of the version number.

    ``pressearchiv --version``, the OpenAPI document and ``CHANGELOG.md`` agree
    with it (a test checks them).
    """
    try:
        return _distribution_version("pressearchiv")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"
