"""Supervised units: registered through an audited service; each role sees its own units."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from anjian.audit.models import AuditEntry
from anjian.core.exceptions import ActionNotPermitted
from anjian.core.validators import credit_code_check_char
from anjian.units.models import Unit
from anjian.units.services import unit_create


def valid_credit_code(body: str = "91330111MA2H0001") -> str:
    first17 = (body + "0" * 17)[:17]
    return first17 + credit_code_check_char(first17)


def names(response) -> set[str]:
    return {u.name for u in response.context["object_list"]}


def test_unit_create_registers_the_unit_and_audits_it(world):
    code = valid_credit_code()
    unit = unit_create(
        actor=world.town_office_a,
        name=" 场口五金厂 ",
        region=world.village_a2,
        kind="enterprise",
        credit_code=code.lower(),
        committee=world.committee_a_industry,
        address="上沙村9号",
    )

    assert (unit.name, unit.credit_code, unit.status) == ("场口五金厂", code, "operating")
    entry = AuditEntry.objects.get(action="unit.created", target_id=str(unit.pk))
    assert entry.region_id == world.village_a2.pk
    assert entry.actor == world.town_office_a


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"region": "town_a"}, "region"),
        ({"committee": "committee_b"}, "committee"),
        ({"kind": "spaceship"}, "kind"),
        ({"status": "dreaming"}, "status"),
        ({"credit_code": "91330111MA2H00001X"}, "credit_code"),
        ({"name": ""}, "name"),
    ],
)
def test_unit_create_refuses_wrong_input_naming_the_field(world, kwargs, field):
    args = {"name": "新单位", "region": world.village_a1, "kind": "enterprise", **kwargs}
    for key in ("region", "committee"):
        if isinstance(args.get(key), str):
            args[key] = getattr(world, args[key])

    with pytest.raises(ValidationError) as caught:
        unit_create(actor=None, **args)

    assert field in caught.value.message_dict


def test_unit_create_is_refused_outside_the_actors_town(world):
    with pytest.raises(ActionNotPermitted):
        unit_create(
            actor=world.town_office_b, name="越权单位", region=world.village_a1, kind="enterprise"
        )
    with pytest.raises(ActionNotPermitted):
        unit_create(
            actor=world.enterprise_a, name="越权单位", region=world.village_a1, kind="enterprise"
        )
    assert not Unit.objects.filter(name="越权单位").exists()


def test_enterprise_sees_only_its_own_unit_in_list_detail_api_and_export(client, login, world):
    login("enterprise_a")

    assert names(client.get(reverse("units:unit_list"))) == {world.unit_a.name}
    assert client.get(reverse("units:unit_detail", args=[world.unit_a.pk])).status_code == 200
    api = client.get("/api/v1/units").json()
    assert [u["id"] for u in api["items"]] == [world.unit_a.pk]
    assert client.get(f"/api/v1/units/{world.unit_a.pk}").json()["name"] == world.unit_a.name
    export = client.get(reverse("units:unit_list"), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [world.unit_a.name]


@pytest.mark.parametrize("other", ["unit_b", "unit_a2"])
def test_another_enterprises_unit_is_404(client, login, world, other):
    login("enterprise_a")
    unit = getattr(world, other)

    assert client.get(reverse("units:unit_detail", args=[unit.pk])).status_code == 404
    assert client.get(f"/api/v1/units/{unit.pk}").status_code == 404


def test_a_committee_member_sees_the_units_of_their_sector(client, login, world):
    login("committee_member_a")

    assert names(client.get(reverse("units:unit_list"))) == {world.unit_a.name}
    assert client.get(reverse("units:unit_detail", args=[world.unit_a2.pk])).status_code == 404


def test_a_village_officer_sees_the_units_of_their_village(client, login, world):
    unit_create(actor=None, name="东梓关民宿", region=world.village_a1, kind="crowded_venue")
    login("village_officer_a")

    assert names(client.get(reverse("units:unit_list"))) == {world.unit_a.name, "东梓关民宿"}
    assert client.get(f"/api/v1/units/{world.unit_a2.pk}").status_code == 404


def test_town_office_sees_its_town_and_the_district_sees_all(client, login, world):
    login("town_office_a")
    assert names(client.get(reverse("units:unit_list"))) == {world.unit_a.name, world.unit_a2.name}
    assert client.get(reverse("units:unit_detail", args=[world.unit_b.pk])).status_code == 404

    login("district_officer")
    assert len(names(client.get(reverse("units:unit_list")))) == 3


@pytest.mark.parametrize("persona", ["department_a"])
def test_roles_without_units_get_403(client, login, world, persona):
    login(persona)

    assert client.get(reverse("units:unit_list")).status_code == 403
    assert client.get("/api/v1/units").status_code == 403


def test_the_list_searches_and_filters(client, login, world):
    login("town_office_a")
    url = reverse("units:unit_list")

    assert names(client.get(url, {"q": "MA2H000065"})) == {world.unit_a.name}
    assert names(client.get(url, {"q": "上沙村"})) == {world.unit_a2.name}
    assert names(client.get(url, {"kind": "small_venue"})) == {world.unit_a2.name}
    assert names(client.get(url, {"region": world.village_a1.pk})) == {world.unit_a.name}
    assert names(client.get(url, {"committee": world.committee_a_fire.pk})) == {world.unit_a2.name}
    assert names(client.get(url, {"status": "closed"})) == set()


def test_filter_choices_never_name_another_towns_village(client, login, world):
    login("town_office_a")

    response = client.get(reverse("units:unit_list"))

    assert world.village_b1.name not in response.text
    api = client.get("/api/v1/units", {"region": world.village_b1.pk})
    assert api.status_code == 422


def test_the_detail_shows_the_facts_and_what_later_modules_will_show(client, login, world):
    login("town_office_a")

    response = client.get(reverse("units:unit_detail", args=[world.unit_a.pk]))

    assert world.unit_a.credit_code in response.text
    for tab in ("documents", "inspections", "hazards", "permits", "trainings", "timeline"):
        assert f'data-testid="tab-{tab}"' in response.text


def test_the_api_filters_like_the_page(client, login, world):
    login("district_officer")

    body = client.get("/api/v1/units", {"kind": "enterprise", "limit": 1}).json()

    assert body["count"] == 2
    assert len(body["items"]) == 1
    assert client.get("/api/v1/units", {"limit": 1000}).status_code == 422


def add_units(world, start: int, stop: int) -> None:
    for i in range(start, stop):
        unit_create(
            actor=None,
            name=f"测试单位{i:03d}",
            region=world.village_a1 if i % 2 else world.village_a2,
            kind="enterprise",
            committee=world.committee_a_industry if i % 3 else world.committee_a_fire,
        )


def test_the_list_runs_the_same_number_of_queries_for_5_and_50_units(
    client, login, world, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login("town_office_a")
    url = reverse("units:unit_list")
    counts = []
    for start, stop in ((0, 5), (5, 50)):
        add_units(world, start, stop)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    with django_assert_max_num_queries(12):
        client.get(url, {"q": "测试", "committee": world.committee_a_fire.pk})
