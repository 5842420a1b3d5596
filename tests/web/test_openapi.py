"""The OpenAPI document covers every API route and describes real responses."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.web import documents as doc


def validate(schema: dict[str, Any], name: str, value: Any) -> None:
    root = {"$ref": f"#/components/schemas/{name}", "components": schema["components"]}
    # jsonschema_rs arrives with schemathesis, which the dev extras already pin.
    jsonschema_rs.Draft202012Validator(root).validate(value)


def test_every_api_route_is_documented(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    routes = {
        r.path.replace("{article_id}", "{article_id}")
        for r in client.app.routes  # type: ignore[attr-defined]
        if isinstance(r, Route) and (r.path.startswith("/api/") or r.path == "/healthz")
    }
    assert routes - {"/api/openapi.json"} == set(schema["paths"])
    assert schema["openapi"] == "3.1.0"


def test_real_responses_match_their_schemas(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    upload = client.post("/api/articles", files={"file": ("kiel.txt", doc.TEXT)}).json()
    article_id = upload["results"][0]["id"]

    validate(schema, "UploadSummary", upload)
    validate(schema, "SearchResponse", client.get("/api/search", params={"q": "Kiel"}).json())
    validate(schema, "SearchResponse", client.get("/api/search").json())
    validate(schema, "Article", client.get(f"/api/articles/{article_id}").json())
    validate(schema, "Related", client.get(f"/api/articles/{article_id}/related").json())
    validate(schema, "Stats", client.get("/api/stats").json())
    validate(schema, "Error", client.get("/api/search", params={"page": "0"}).json())
    rejected = client.post("/api/articles", files={"file": ("a.png", doc.PNG)}).json()
    validate(schema, "Error", rejected)


def test_page_size_limit_comes_from_the_settings(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    size = next(
        p for p in schema["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "size"
    )
    assert size["schema"]["maximum"] == 100
