"""What each API endpoint accepts and answers, declared on the endpoint itself.

An endpoint function carries its :class:`Operation` (attached with
:func:`operation`); ``web/app.py`` takes the HTTP method from it when it builds
the route, and ``web/openapi.py`` writes the route's entry in the OpenAPI
document from it. A route without an operation is not part of the API.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from msgspec import Struct

from pressearchiv.settings import Settings
from pressearchiv.web.params import Param

__all__ = ["Operation", "Reply", "operation", "operation_of"]

_ATTRIBUTE = "_pressearchiv_operation"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


@dataclass(frozen=True)
class Reply:
    """One documented response: a JSON shape (or one of several), another media
    type, or no body at all (``media_type=""``, as for 304)."""

    description: str
    shapes: tuple[type[Struct], ...] = ()
    media_type: str = "application/json"
    # For text formats (CSV, JSON Lines): the shape of each row or line.
    item: type[Struct] | None = None


@dataclass(frozen=True)
class Operation:
    """One endpoint: its method, what it is for, its parameters and its answers.

    ``errors`` are statuses answered with the error shape; 500 and 503 (the
    store or index unavailable) can happen anywhere and are always documented.
    """

    method: str
    summary: str
    replies: Mapping[int, Reply]
    errors: tuple[int, ...] = ()
    query: tuple[Param, ...] = ()
    takes_upload: bool = False
    # Plain text, or text made from the settings (when it names a limit).
    description: str | Callable[[Settings], str] = ""


def operation(declared: Operation) -> Callable[[Endpoint], Endpoint]:
    """Decorator: attach ``declared`` to an endpoint function."""

    def attach(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, _ATTRIBUTE, declared)
        return endpoint

    return attach


def operation_of(endpoint: object) -> Operation | None:
    """The operation an endpoint declares, or None for routes outside the API (pages)."""
    declared = getattr(endpoint, _ATTRIBUTE, None)
    return declared if isinstance(declared, Operation) else None
