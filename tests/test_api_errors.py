"""API errors are JSON in the user's language, never English framework text or an HTML page."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_missing_fields_are_named_with_a_chinese_message(client):
    response = client.post("/api/v1/auth/token", {}, content_type="application/json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert HAN.search(error["message"])
    fields = {d["field"]: d["message"] for d in error["details"]}
    assert "username" in "".join(fields)
    assert all(HAN.search(m) for m in fields.values()), fields


def test_a_wrong_type_gets_a_chinese_message(client, world):
    client.force_login(world.town_office_a)
    response = client.get("/api/v1/units?limit=many")
    assert response.status_code == 422
    details = response.json()["error"]["details"]
    assert any(d["field"] and "limit" in d["field"] for d in details)
    assert all(HAN.search(d["message"]) for d in details), details


def test_english_is_available_on_request(client):
    client.cookies["django_language"] = "en"
    response = client.post("/api/v1/auth/token", {}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "Some of the data sent is not valid."
