"""A NUL character (which no one can type, and PostgreSQL's text columns cannot hold) in a search
or a body never ends in a server error: the API refuses it in its error envelope, a page's search
drops it."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/api/v1/experts/engineers", "/api/v1/units", "/api/v1/hazards", "/api/v1/experts/firms"],
)
def test_the_api_refuses_a_nul_in_the_query_string(client, login, path):
    login("town_office_a")

    response = client.get(path, {"q": "杭州\x00xj"})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "不允许空字符。"


def test_the_api_refuses_a_nul_in_a_json_body(client, login):
    login("town_office_a")

    response = client.post(
        "/api/v1/experts/engineers",
        '{"name": "沈\\u0000注安", "mobile": "13900000000"}',
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "不允许空字符。"


def test_the_api_still_answers_a_clean_search(client, login, world):
    login("town_office_a")

    response = client.get("/api/v1/units", {"q": world.unit_a.name})

    assert response.status_code == 200
    assert [u["name"] for u in response.json()["items"]] == [world.unit_a.name]


@pytest.mark.parametrize(
    "url_name", ["units:unit_list", "units:engineer_list", "hazards:hazard_list"]
)
def test_a_page_search_drops_the_nul_and_searches_the_rest(client, login, world, url_name):
    login("town_office_a")

    response = client.get(reverse(url_name), {"q": "\x00" + world.unit_a.name[:2]})

    assert response.status_code == 200
    assert response.context["request"].GET["q"] == world.unit_a.name[:2]
