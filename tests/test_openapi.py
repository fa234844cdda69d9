"""The published OpenAPI schema is valid and every operation in it is reachable and documented."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_validates(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["info"]["title"].startswith("anjian")


def test_every_operation_has_a_unique_id_and_a_summary(client):
    schema = client.get("/api/v1/openapi.json").json()
    ids = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert operation.get("operationId"), f"{method.upper()} {path} has no operationId"
            assert operation.get("summary") or operation.get("description"), (
                f"{method.upper()} {path} is undocumented"
            )
            ids.append(operation["operationId"])
    assert len(ids) == len(set(ids)), "operation ids repeat"


def test_the_interactive_docs_are_served_without_a_cdn(client, world):
    client.force_login(world.town_office_a)
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_an_unknown_api_address_answers_json_not_html(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"
