"""The one Whoosh version the engine is written against."""

from __future__ import annotations

import whoosh

from pressearchiv.index.errors import UnsupportedWhoosh

__all__ = ["WHOOSH_VERSION", "require_supported_whoosh"]

WHOOSH_VERSION = (2, 7, 4)


def require_supported_whoosh() -> None:
    """Raise :class:`UnsupportedWhoosh` unless the imported Whoosh is 2.7.4.

    Called whenever an index is opened or created (not at import time), so a
    wrong installation fails at start-up with this message instead of
    misreading or corrupting an index later.
    """
    found = tuple(getattr(whoosh, "__version__", ()))
    if found != WHOOSH_VERSION:
        shown = ".".join(map(str, found)) or "unknown"
        wanted = ".".join(map(str, WHOOSH_VERSION))
        raise UnsupportedWhoosh(
            f"the search index needs Whoosh {wanted}, but Whoosh {shown} is installed: "
            f"Pressearchiv reads and writes Whoosh's index files through internals of "
            f"exactly that version (pressearchiv.index.engine); install whoosh=={wanted}"
        )
