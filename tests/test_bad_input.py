"""Numbers the database cannot hold are refused as input (422 or a form error), never a 500
(issue 16 §4: found by fuzzing the API)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

BIG = "9" * 23
BEYOND = str(2**63)


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/hazards?offset={BEYOND}",
        f"/api/v1/units?offset={BEYOND}",
        f"/api/v1/plans/tasks?offset={BEYOND}",
        f"/api/v1/audit/entries?offset={BEYOND}",
        f"/api/v1/regions?offset={BEYOND}",
        f"/api/v1/auth/users?page={BEYOND}",
        f"/api/v1/hazards?unit={BIG}",
        f"/api/v1/hazards/{BIG}",
        "/api/v1/cases/?year=99999",
        "/api/v1/cases/?year=-1",
    ],
)
def test_the_api_refuses_numbers_out_of_range(client, world, url):
    client.force_login(world.town_office_a)
    response = client.get(url)
    assert response.status_code == 422, response.content[:300]
    assert response.json()["error"]["code"] == "invalid"


def test_a_huge_import_id_is_refused(client, world):
    from anjian.accounts.services import api_token_issue

    token = api_token_issue(user=world.town_office_a, name="t").raw
    response = client.post(
        f"/api/v1/units/import/{BIG}/apply", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "url", ["/hazards/", "/inspections/", "/units/documents/", "/plans/tasks/", "/documents/"]
)
def test_a_list_page_takes_a_huge_id_filter(client, world, url):
    client.force_login(world.town_office_a)
    response = client.get(url, {"unit": BIG})
    assert response.status_code == 200


@pytest.mark.parametrize("param", ["town", "region", "committee"])
def test_a_drop_down_filter_takes_a_huge_id(client, world, param):
    client.force_login(world.town_office_a)
    response = client.get("/hazards/", {param: BIG})
    assert response.status_code == 200


def test_the_id_filters_name_the_error():
    from anjian.hazards.filters import HazardFilterSet
    from anjian.hazards.models import Hazard

    filterset = HazardFilterSet({"unit": BIG, "town": BIG}, queryset=Hazard.objects.none())
    assert filterset.form.errors == {"unit": ["无效的编号。"], "town": ["无效的编号。"]}


def test_every_integer_the_api_reads_is_bounded(client):
    """Every integer parameter and request-body field of the published schema has a minimum
    and a maximum (``anjian.core.api_types``), so nothing out of the database's range gets in."""
    schema = client.get("/api/v1/openapi.json").json()
    components = schema.get("components", {}).get("schemas", {})

    def unbounded(node, where, seen=()):
        if not isinstance(node, dict):
            return []
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name in seen:
                return []
            return unbounded(components.get(name, {}), f"{where}>{name}", (*seen, name))
        found = []
        if node.get("type") == "integer" and not (
            ("minimum" in node or "exclusiveMinimum" in node)
            and ("maximum" in node or "exclusiveMaximum" in node)
        ):
            found.append(where)
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in node.get(key, []):
                found += unbounded(sub, where, seen)
        for name, sub in node.get("properties", {}).items():
            found += unbounded(sub, f"{where}.{name}", seen)
        if "items" in node:
            found += unbounded(node["items"], f"{where}[]", seen)
        return found

    problems = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            label = f"{method.upper()} {path}"
            for param in operation.get("parameters", []):
                problems += unbounded(param.get("schema", {}), f"{label} {param['name']}")
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                problems += unbounded(media.get("schema", {}), f"{label} body")
    assert not problems, "\n".join(problems)
