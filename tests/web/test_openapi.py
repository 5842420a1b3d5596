"""The OpenAPI document covers every API route and describes real responses."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import jsonschema_rs
import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from pressearchiv import version
from pressearchiv.archive.model import DatePrecision, DateSource, DocumentFormat
from pressearchiv.index import Sort
from pressearchiv.settings import Settings
from pressearchiv.web.app import create_app
from pressearchiv.web.openapi import openapi_schema
from pressearchiv.web.operations import operation_of
from pressearchiv.web.outcomes import ErrorCode, ItemStatus
from tests.web import documents as doc
from tests.web.conftest import LOOPBACK
from tests.web.shapes import assert_error


def validate(schema: dict[str, Any], name: str, value: Any) -> None:
    root = {"$ref": f"#/components/schemas/{name}", "components": schema["components"]}
    # jsonschema_rs arrives with schemathesis, which the dev extras already pin.
    jsonschema_rs.Draft202012Validator(root).validate(value)


def _is_api(path: str) -> bool:
    return (path.startswith("/api/") or path == "/healthz") and path != "/api/openapi.json"


def test_the_schema_lists_every_route_and_parameter_the_app_serves_and_nothing_else(
    settings: Settings,
) -> None:
    app = create_app(settings)
    schema = openapi_schema(settings, app.routes)
    served: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for route in app.routes:
        if isinstance(route, Route) and _is_api(route.path):
            declared = operation_of(route.endpoint)
            assert declared is not None, f"{route.path} declares no operation"
            query = {param.name for param in declared.query}
            for method in (route.methods or set()) - {"HEAD"}:
                served[(route.path, method)] = (set(route.param_convertors), query)
    documented = {
        (path, method.upper()): (
            {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"},
            {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"},
        )
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }
    assert served == documented
    assert len(served) == 11
    assert schema["openapi"] == "3.1.0"
    assert schema["info"]["version"] == version()


def test_the_served_document_is_the_one_for_the_apps_routes(
    client: TestClient, settings: Settings
) -> None:
    served = client.get("/api/openapi.json").json()
    assert served == openapi_schema(settings, client.app.routes)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "path", ["/api/search", "/api/search.csv", "/api/search.jsonl", "/api/search.atom"]
)
def test_every_documented_query_parameter_is_read_by_the_service(
    client: TestClient, path: str
) -> None:
    # A value just outside what the schema allows must be refused naming the parameter:
    # proof that the service reads each documented parameter with the documented limit.
    parameters = client.get("/api/openapi.json").json()["paths"][path]["get"]["parameters"]
    assert {p["name"] for p in parameters} == {
        "q",
        "outlet",
        "from",
        "to",
        "sort",
        "group",
        "page",
        "size",
    }
    for parameter in parameters:
        name, schema = parameter["name"], parameter["schema"]
        if schema["type"] == "array":
            query = [(name, "x")] * (schema["maxItems"] + 1)
        elif schema["type"] == "integer":
            query = [(name, str(schema["maximum"] + 1))]
        elif "enum" in schema:
            query = [(name, "nie")]
        elif "maxLength" in schema:
            query = [(name, "x" * (schema["maxLength"] + 1))]
        else:
            query = [(name, "gestern")]
        error = assert_error(client.get(path, params=query), 400)
        assert f"'{name}'" in error["message"], (name, error)


def test_real_responses_match_their_schemas(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    upload = client.post("/api/articles", files={"file": ("kiel.txt", doc.TEXT)}).json()
    article_id = upload["results"][0]["id"]

    validate(schema, "UploadSummary", upload)
    validate(schema, "SearchResponse", client.get("/api/search", params={"q": "Kiel"}).json())
    validate(schema, "SearchResponse", client.get("/api/search").json())
    validate(schema, "Article", client.get(f"/api/articles/{article_id}").json())
    validate(schema, "Related", client.get(f"/api/articles/{article_id}/related").json())
    validate(schema, "Versions", client.get(f"/api/articles/{article_id}/versions").json())
    grouped = client.get("/api/search", params={"group": "story"}).json()
    validate(schema, "SearchResponse", grouped)
    validate(schema, "Stats", client.get("/api/stats").json())
    validate(schema, "Error", client.get("/api/search", params={"page": "0"}).json())
    rejected = client.post("/api/articles", files={"file": ("a.png", doc.PNG)}).json()
    validate(schema, "UploadRejected", rejected)
    validate(schema, "Error", client.get("/api/articles/0000000000000000").json())
    validate(schema, "Health", client.get("/healthz").json())


@pytest.mark.parametrize("limit", [7, 37])
def test_documented_limits_are_the_settings_in_force(settings: Settings, limit: int) -> None:
    configured = replace(settings, max_page_size=limit, max_files=limit, export_limit=limit * 100)
    with TestClient(create_app(configured), client=LOOPBACK) as client:
        schema = client.get("/api/openapi.json").json()
        search = schema["paths"]["/api/search"]["get"]
        size = next(p for p in search["parameters"] if p["name"] == "size")
        assert size["schema"]["maximum"] == limit
        assert client.get("/api/search", params={"size": limit}).status_code == 200
        assert_error(client.get("/api/search", params={"size": limit + 1}), 400)
        upload = schema["paths"]["/api/articles"]["post"]["requestBody"]["content"]
        assert upload["multipart/form-data"]["schema"]["properties"]["file"]["maxItems"] == limit
        export = schema["paths"]["/api/search.csv"]["get"]["description"]
        assert f"at most {limit * 100} rows" in export


def test_enums_in_the_schema_are_the_codes_enums() -> None:
    document = openapi_schema(Settings())
    components = document["components"]["schemas"]
    for enum in (DatePrecision, DateSource, DocumentFormat, ItemStatus, ErrorCode):
        assert sorted(components[enum.__name__]["enum"]) == sorted(m.value for m in enum)
    article = components["Article"]["properties"]
    assert {"$ref": "#/components/schemas/DateSource"} in article["date_source"]["anyOf"]
    assert article["format"] == {"$ref": "#/components/schemas/DocumentFormat"}
    search = document["paths"]["/api/search"]["get"]["parameters"]
    sort = next(p for p in search if p["name"] == "sort")
    assert sort["schema"]["enum"] == [s.value for s in Sort]
