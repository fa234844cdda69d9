"""Every schema the API publishes has its own component name (issue 16 §4): two classes with one
name made ninja describe ``GET /api/v1/hazards`` with the fields of another list's rows."""

from __future__ import annotations

import typing
from collections import defaultdict

import pytest
from pydantic import BaseModel


def _models(annotation, found: set) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _models(arg, found)


def _published_models() -> set:
    from config.api import api

    found: set = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.response_models.values():
                    _models(model, found)
                for model in operation.signature.models:
                    _models(model, found)
    return found


def test_no_two_schema_classes_share_a_component_name():
    by_name = defaultdict(set)
    for model in _published_models():
        if model.__module__.startswith("ninja"):
            continue  # ninja's own parameter containers are inlined, never components
        by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not shared, shared


@pytest.mark.django_db
def test_every_operation_documents_the_error_envelope(client):
    schema = client.get("/api/v1/openapi.json").json()
    envelope = schema["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["error"]
    missing = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            wanted = {"400", "401", "403", "404", "409", "422"}
            for status in sorted(wanted):
                response = operation["responses"].get(status)
                if not response or "application/json" not in response.get("content", {}):
                    missing.append(f"{method.upper()} {path} {status}")
    assert not missing, "\n".join(missing[:50])


@pytest.mark.django_db
def test_an_error_answer_matches_the_documented_envelope(client, world):
    from jsonschema import validate

    schema = client.get("/api/v1/openapi.json").json()
    envelope = schema["components"]["schemas"]["ErrorEnvelope"]
    validate(client.get("/api/v1/hazards").json(), envelope)  # 401
    client.force_login(world.town_office_a)
    validate(client.get("/api/v1/hazards/999999").json(), envelope)  # 404
    validate(client.get("/api/v1/hazards?offset=-1").json(), envelope)  # 422
