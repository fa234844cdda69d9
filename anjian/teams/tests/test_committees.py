"""Committees: created through an audited service; each role sees its own committees only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from anjian.audit.models import AuditEntry
from anjian.core.exceptions import ActionNotPermitted
from anjian.teams.models import Committee, CommitteeKind
from anjian.teams.services import committee_create
from anjian.units.services import unit_create


def names(response) -> set[str]:
    return {c.name for c in response.context["object_list"]}


def test_committee_create_records_the_committee_and_its_audit_entry(world):
    created = committee_create(
        actor=world.town_office_a,
        region=world.town_a,
        kind=CommitteeKind.SPECIALISED,
        parent=world.committee_a,
        name="场口镇道路交通专委会",
        sectors="道路交通、客货运输",
        lead_name="张三",
        lead_title="副镇长",
        sort_order=3,
    )

    assert created.region == world.town_a
    entry = AuditEntry.objects.get(action="committee.created", target_id=str(created.pk))
    assert entry.actor == world.town_office_a
    assert entry.region_id == world.town_a.pk
    assert entry.changes["lead_name"] == [None, "张三"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": CommitteeKind.SPECIALISED, "parent": None}, "parent"),
        ({"kind": CommitteeKind.MAIN, "parent": "committee_a"}, "parent"),
        ({"kind": CommitteeKind.SPECIALISED, "parent": "committee_b"}, "parent"),
        ({"kind": CommitteeKind.SPECIALISED, "parent": "committee_a", "name": "  "}, "name"),
        ({"kind": CommitteeKind.SPECIALISED, "parent": "committee_a_fire"}, "parent"),
        (
            {
                "kind": CommitteeKind.SPECIALISED,
                "parent": "committee_a",
                "name": "场口镇消防专委会",
            },
            "name",
        ),
        ({"kind": CommitteeKind.MAIN, "region": "village_a1"}, "region"),
    ],
)
def test_committee_create_refuses_wrong_input_naming_the_field(world, kwargs, field):
    args = {"region": world.town_a, "name": "新专委会", **kwargs}
    for key in ("parent", "region"):
        if isinstance(args.get(key), str):
            args[key] = getattr(world, args[key])

    with pytest.raises(ValidationError) as caught:
        committee_create(actor=None, **args)

    assert field in caught.value.message_dict


def test_committee_create_is_refused_to_an_office_of_another_town(world):
    with pytest.raises(ActionNotPermitted):
        committee_create(
            actor=world.town_office_b,
            region=world.town_a,
            kind=CommitteeKind.SPECIALISED,
            parent=world.committee_a,
            name="越权专委会",
        )
    assert not Committee.objects.filter(name="越权专委会").exists()


def test_town_office_sees_its_towns_committees_only(client, login, world):
    login("town_office_a")

    response = client.get(reverse("teams:committee_list"))

    assert response.status_code == 200
    assert names(response) == {
        "场口镇安全生产委员会",
        "场口镇工业、商贸企业专委会",
        "场口镇消防专委会",
    }
    assert response.context["object_list"][0].kind == CommitteeKind.MAIN


def test_a_committee_member_sees_their_committee(client, login, world):
    login("committee_member_a")

    response = client.get(reverse("teams:committee_list"))
    detail = client.get(reverse("teams:committee_detail", args=[world.committee_a_industry.pk]))

    assert names(response) == {"场口镇工业、商贸企业专委会"}
    assert detail.status_code == 200
    assert detail.context["committee"].unit_count == 1


def test_town_b_committees_are_404_for_town_a_users(client, login, world):
    for persona in ("town_office_a", "committee_member_a", "leader_a"):
        login(persona)
        url = reverse("teams:committee_detail", args=[world.committee_b.pk])
        assert client.get(url).status_code == 404
        assert client.get(f"/api/v1/committees/{world.committee_b.pk}").status_code == 404


@pytest.mark.parametrize("persona", ["enterprise_a", "expert_a", "department_a"])
def test_roles_without_committees_get_403(client, login, world, persona):
    login(persona)

    assert client.get(reverse("teams:committee_list")).status_code == 403
    assert client.get("/api/v1/committees").status_code == 403


def test_the_main_committee_shows_its_specialised_committees_lead_and_units(client, login, world):
    Committee.objects.filter(pk=world.committee_a.pk).update(lead_name="李四", lead_title="镇长")
    unit_create(
        actor=None,
        name="东梓关农机站",
        region=world.village_a1,
        kind="enterprise",
        committee=world.committee_a_industry,
    )
    login("town_office_a")

    response = client.get(reverse("teams:committee_detail", args=[world.committee_a.pk]))

    assert response.status_code == 200
    children = {c.name: c.unit_count for c in response.context["children"]}
    assert children == {"场口镇工业、商贸企业专委会": 2, "场口镇消防专委会": 1}
    assert response.context["committee"].unit_count == 3
    assert "李四" in response.text


def test_the_district_sees_both_towns_and_can_export(client, login, world):
    login("district_officer")

    response = client.get(reverse("teams:committee_list"), {"kind": "main"})
    export = client.get(reverse("teams:committee_list"), {"export": "xlsx"})

    assert names(response) == {"场口镇安全生产委员会", "常安镇安全生产委员会"}
    assert export.status_code == 200


def test_the_api_lists_and_shows_committees_in_scope(client, login, world):
    login("town_office_a")

    body = client.get("/api/v1/committees", {"kind": "specialised"}).json()
    detail = client.get(f"/api/v1/committees/{world.committee_a.pk}").json()

    assert {c["name"] for c in body["items"]} == {"场口镇工业、商贸企业专委会", "场口镇消防专委会"}
    assert body["count"] == 2
    assert {c["name"] for c in detail["children"]} == {
        "场口镇工业、商贸企业专委会",
        "场口镇消防专委会",
    }
    assert detail["unit_count"] == 2
    assert client.get("/api/v1/committees", {"q": "消防"}).json()["count"] == 1
