"""The OpenAPI 3.1 description of the JSON API, written by hand.

Hand-written because the API is small and the schema is a contract: a test
checks that every API route appears here, and Schemathesis validates real
responses against it. Limits (page size) come from the running settings.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pressearchiv import version
from pressearchiv.settings import Settings
from pressearchiv.web.params import MAX_OUTLETS, MAX_PAGE, MAX_QUERY_CHARS

__all__ = ["openapi_endpoint", "openapi_schema"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    text = {
        400: "Bad parameter",
        401: "Token missing",
        403: "Token wrong or uploads closed",
        404: "Not found",
        413: "Too large",
        415: "Unsupported type",
        422: "Not an article",
        507: "Disk full: nothing stored, retry later",
        500: "Internal error",
        503: "Store or index unavailable",
    }
    out = {str(s): _json(_ref("Error"), text[s]) for s in statuses}
    out.setdefault("500", _json(_ref("Error"), text[500]))
    out.setdefault("503", _json(_ref("Error"), text[503]))
    return out


# Year 0001-9999, month 1-12, day 1-31 (whether the day exists in that month is
# checked by the service: a pattern cannot know February).
# An empty value means "no limit", as a search form sends it.
_DATE_PATTERN = (
    r"^(([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
    r"(-(0?[1-9]|1[0-2])(-(0?[1-9]|[12][0-9]|3[01]))?)?)?$"
)


def _search_parameters(settings: Settings) -> list[dict[str, Any]]:
    def query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "schema": schema,
            "description": description,
            **extra,
        }

    return [
        query(
            "q",
            {"type": "string", "maxLength": MAX_QUERY_CHARS},
            'Query: all words must occur; "phrase", OR, NOT, prefix*. Empty lists articles.',
        ),
        query(
            "outlet",
            {"type": "array", "maxItems": MAX_OUTLETS, "items": {"type": "string"}},
            "Only these outlets (repeatable).",
            style="form",
            explode=True,
        ),
        # HTML forms send empty fields; an empty value means the default.
        query(
            "from",
            {"type": "string", "pattern": _DATE_PATTERN},
            "Earliest date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD.",
            allowEmptyValue=True,
        ),
        query(
            "to",
            {"type": "string", "pattern": _DATE_PATTERN},
            "Latest date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD.",
            allowEmptyValue=True,
        ),
        query(
            "sort",
            {"type": "string", "enum": ["relevance", "newest", "oldest"]},
            "Order; default relevance with a query, newest without.",
            allowEmptyValue=True,
        ),
        query(
            "page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            "Page, from 1.",
            allowEmptyValue=True,
        ),
        query(
            "size",
            {"type": "integer", "minimum": 1, "maximum": settings.max_page_size},
            "Hits per page.",
            allowEmptyValue=True,
        ),
    ]


def _schemas() -> dict[str, Any]:
    facet_value = {
        "type": "object",
        "required": ["value", "count", "selected"],
        "properties": {
            "value": {"type": "string"},
            "count": {"type": "integer"},
            "selected": {"type": "boolean"},
        },
    }
    precision = _nullable("string", enum=["day", "month", "year", None])
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["status", "code", "message"],
                    "properties": {
                        "status": {"type": "integer"},
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                    },
                },
                "results": {"type": "array", "items": _ref("ItemResult")},
            },
        },
        "Hit": {
            "type": "object",
            "required": [
                "id",
                "title",
                "outlet",
                "date",
                "date_precision",
                "url",
                "snippet",
                "score",
            ],
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "outlet": {"type": "string"},
                "date": _nullable("string"),
                "date_precision": precision,
                "url": _nullable("string"),
                "snippet": {"type": "string", "description": "HTML: escaped text and <mark>"},
                "score": _nullable("number"),
            },
        },
        "FacetValue": facet_value,
        "SearchResponse": {
            "type": "object",
            "required": [
                "total",
                "page",
                "size",
                "hits",
                "facets",
                "suggestion",
                "ignored",
                "took_ms",
                "timed_out",
            ],
            "properties": {
                "total": {"type": "integer"},
                "page": {"type": "integer"},
                "size": {"type": "integer"},
                "hits": {"type": "array", "items": _ref("Hit")},
                "facets": {
                    "type": "object",
                    "required": ["outlet", "year", "month"],
                    "properties": {
                        k: {"type": "array", "items": _ref("FacetValue")}
                        for k in ("outlet", "year", "month")
                    },
                },
                "suggestion": _nullable("string"),
                "ignored": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "What of the query was left out: German stop "
                    "words such as 'die' or 'wird' (and lower-case 'and'/'or'), which "
                    "count only inside a quoted phrase; dangling or doubled operators "
                    "(AND, OR, NOT); parentheses and quotes without a partner.",
                },
                "took_ms": {"type": "number"},
                "timed_out": {"type": "boolean"},
            },
        },
        "Article": {
            "type": "object",
            "required": [
                "id",
                "title",
                "text",
                "outlet",
                "date",
                "date_precision",
                "format",
                "content_type",
                "raw_size",
                "ingested_at",
                "raw_url",
                "related_url",
            ],
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "text": {"type": "string"},
                "outlet": {"type": "string"},
                "date": _nullable("string"),
                "date_precision": precision,
                "date_source": _nullable("string"),
                "url": _nullable("string"),
                "author": _nullable("string"),
                "source_name": _nullable("string"),
                "format": {"type": "string", "enum": ["text", "json", "jsonl", "html"]},
                "content_type": {"type": "string"},
                "encoding": _nullable("string"),
                "raw_size": {"type": "integer"},
                "ingested_at": {"type": "string"},
                "raw_url": {"type": "string"},
                "related_url": {"type": "string"},
            },
        },
        "Related": {
            "type": "object",
            "required": ["id", "hits"],
            "properties": {
                "id": {"type": "string"},
                "hits": {"type": "array", "items": _ref("Hit")},
            },
        },
        "ItemResult": {
            "type": "object",
            "required": ["source", "line", "result", "status", "id", "title", "code", "reason"],
            "properties": {
                "source": _nullable("string"),
                "line": _nullable("integer"),
                "result": {"type": "string", "enum": ["created", "duplicate", "rejected"]},
                "status": {"type": "integer"},
                "id": _nullable("string"),
                "title": _nullable("string"),
                "code": _nullable("string"),
                "reason": _nullable("string"),
            },
        },
        "UploadSummary": {
            "type": "object",
            "required": ["created", "duplicates", "rejected", "indexed", "results"],
            "properties": {
                "created": {"type": "integer"},
                "duplicates": {"type": "integer"},
                "rejected": {"type": "integer"},
                "indexed": {"type": "boolean"},
                "results": {"type": "array", "items": _ref("ItemResult")},
            },
        },
        "Stats": {
            "type": "object",
            "required": ["total", "by_outlet", "by_year", "index"],
            "properties": {
                "total": {"type": "integer"},
                "by_outlet": {"type": "array", "items": _ref("Count")},
                "by_year": {"type": "array", "items": _ref("Count")},
                "index": {
                    "type": "object",
                    "required": ["store_count", "index_count", "in_step", "pending"],
                    "properties": {
                        "store_count": {"type": "integer"},
                        "index_count": {"type": "integer"},
                        "in_step": {"type": "boolean"},
                        "pending": {"type": "integer"},
                    },
                },
            },
        },
        "Count": {
            "type": "object",
            "required": ["value", "count"],
            "properties": {"value": {"type": "string"}, "count": {"type": "integer"}},
        },
    }


def openapi_schema(settings: Settings) -> dict[str, Any]:
    """The whole OpenAPI document for these settings."""
    search_params = _search_parameters(settings)
    article_id = {
        "name": "article_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    upload_form = {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {
                "type": "array",
                "minItems": 1,
                "maxItems": settings.max_files,
                "items": {"type": "string", "format": "binary"},
            },
            "title": {"type": "string"},
            "outlet": {"type": "string"},
            "date": {"type": "string"},
            "url": {"type": "string"},
            "token": {"type": "string", "description": "Alternative to the Bearer header"},
        },
    }
    text_stream = {"type": "string"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Pressearchiv API",
            "version": version(),
            "description": "Search, read, upload and export German-language news.",
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search or browse articles",
                    "parameters": search_params,
                    "responses": {
                        "200": _json(_ref("SearchResponse"), "One page of hits"),
                        **_errors(400),
                    },
                }
            },
            "/api/search.csv": {
                "get": {
                    "summary": "Export the result set as CSV",
                    "parameters": search_params,
                    "responses": {
                        "200": {
                            "description": "CSV (UTF-8 with BOM)",
                            "content": {"text/csv": {"schema": text_stream}},
                        },
                        **_errors(400),
                    },
                }
            },
            "/api/search.jsonl": {
                "get": {
                    "summary": "Export the result set as JSON Lines",
                    "parameters": search_params,
                    "responses": {
                        "200": {
                            "description": "One JSON object per line",
                            "content": {"application/x-ndjson": {"schema": text_stream}},
                        },
                        **_errors(400),
                    },
                }
            },
            "/api/articles": {
                "post": {
                    "summary": "Upload articles",
                    "security": [{"token": []}, {}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {"schema": upload_form},
                            "application/json": {"schema": {"type": ["object", "array"]}},
                        },
                    },
                    "responses": {
                        "201": _json(_ref("UploadSummary"), "At least one article created"),
                        "200": _json(_ref("UploadSummary"), "Only duplicates"),
                        **_errors(400, 401, 403, 413, 415, 422, 507),
                    },
                }
            },
            "/api/articles/{article_id}": {
                "get": {
                    "summary": "One article",
                    "parameters": [article_id],
                    "responses": {
                        "200": _json(_ref("Article"), "Metadata and clean text"),
                        **_errors(404),
                    },
                }
            },
            "/api/articles/{article_id}/raw": {
                "get": {
                    "summary": "The original bytes as uploaded",
                    "parameters": [article_id],
                    "responses": {
                        "200": {
                            "description": "Original document",
                            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                        },
                        **_errors(404),
                    },
                }
            },
            "/api/articles/{article_id}/related": {
                "get": {
                    "summary": "Similar articles",
                    "parameters": [article_id],
                    "responses": {
                        "200": _json(_ref("Related"), "Up to five similar articles"),
                        **_errors(404),
                    },
                }
            },
            "/api/stats": {
                "get": {
                    "summary": "Counts, and whether index and store are in step",
                    "responses": {"200": _json(_ref("Stats"), "Statistics"), **_errors()},
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Liveness",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["status", "articles"],
                                "properties": {
                                    "status": {"type": "string"},
                                    "articles": {"type": "integer"},
                                },
                            },
                            "Alive",
                        ),
                        **_errors(),
                    },
                }
            },
        },
    }


async def openapi_endpoint(request: Request) -> Response:
    """``GET /api/openapi.json``."""
    return JSONResponse(openapi_schema(request.app.state.settings))
