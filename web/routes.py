"""The API's routes, listed once: the app serves them and the OpenAPI document describes them.

Each endpoint declares its :class:`~pressearchiv.web.operations.Operation`;
the route takes its HTTP method from there, so a route and its documentation
cannot drift apart. The pages, the static files and the OpenAPI document
itself are routes of the app (``web/app.py``) but not of the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.routing import Route

from pressearchiv.web import api, export, feed
from pressearchiv.web.operations import operation_of

__all__ = ["api_routes"]


def api_routes() -> list[Route]:
    """A fresh list of the API's routes."""
    return [
        _route("/healthz", api.healthz, "healthz"),
        _route("/api/search", api.search, "api_search"),
        _route("/api/search.csv", export.export_csv, "api_search_csv"),
        _route("/api/search.jsonl", export.export_jsonl, "api_search_jsonl"),
        _route("/api/search.atom", feed.atom_feed, "api_search_atom"),
        _route("/api/stats", api.stats, "api_stats"),
        _route("/api/articles", api.upload, "api_upload"),
        _route("/api/articles/{article_id}", api.article, "api_article"),
        _route("/api/articles/{article_id}/raw", api.raw, "api_raw"),
        _route("/api/articles/{article_id}/related", api.related, "api_related"),
        _route("/api/articles/{article_id}/versions", api.versions, "api_versions"),
    ]


def _route(path: str, endpoint: Callable[..., Any], name: str) -> Route:
    declared = operation_of(endpoint)
    if declared is None:
        raise TypeError(f"{endpoint!r} declares no operation")
    return Route(path, endpoint, methods=[declared.method], name=name)
