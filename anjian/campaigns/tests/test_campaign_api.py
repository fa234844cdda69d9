"""Campaigns over the API: the twins of the pages, with the same scope and rules."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from anjian.accounts.services import api_token_issue
from anjian.campaigns import services
from anjian.campaigns.models import Campaign, CampaignInspection
from anjian.campaigns.selectors import campaign_tally
from anjian.campaigns.tests.helpers import joint_inspection, make_campaign
from anjian.inspections.services import inspection_start
from anjian.inspections.tests.factories import make_checklist

pytestmark = pytest.mark.django_db

BASE = "/api/v1/campaigns"


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, name='test').raw}"}


@pytest.fixture
def checklist(world):
    return make_checklist()


def post(client, url, body, user):
    return client.post(url, body, content_type="application/json", **bearer(user))


def patch(client, url, body, user):
    return client.patch(url, body, content_type="application/json", **bearer(user))


def test_create_update_and_close_with_compare_and_set(world, client):
    today = timezone.localdate()
    body = {
        "region_id": world.town_a.pk,
        "name": "场口镇多部门联合执法",
        "kind": "joint_enforcement",
        "start_date": today.isoformat(),
        "end_date": (today + datetime.timedelta(days=60)).isoformat(),
        "departments": ["police", "transport", "construction", "market"],
        "categories": ["street_shop", "small_venue", "construction", "reservoir"],
    }
    assert post(client, BASE, body, world.department_a).status_code == 403
    created = post(client, BASE, body, world.town_office_a)
    assert created.status_code == 201
    data = created.json()
    assert data["lead_department"] == "emergency" and data["status"] == "active"
    assert data["departments"] == ["police", "transport", "construction", "market"]
    url = f"{BASE}/{data['id']}"
    bad = post(
        client, BASE, {**body, "name": "倒排", "end_date": "2000-01-01"}, world.town_office_a
    )
    assert bad.status_code == 422
    updated = patch(client, url, {"expected_version": 1, "name": "改名"}, world.town_office_a)
    assert updated.status_code == 200 and updated.json()["version"] == 2
    stale = patch(client, url, {"expected_version": 1, "name": "旧页面"}, world.town_office_a)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_object"
    closed = post(client, f"{url}/close", {"expected_version": 2}, world.town_office_a)
    assert closed.status_code == 200
    assert closed.json()["status"] == "finished" and closed.json()["allowed_actions"] == []
    assert Campaign.objects.get().name == "改名"


def test_the_list_shows_a_department_officer_only_the_joined_campaigns(world, client):
    joined, other = make_campaign(world), make_campaign(world)
    added = post(
        client,
        f"{BASE}/{joined.pk}/participants",
        {"user_id": world.department_a.pk, "department": "market"},
        world.town_office_a,
    )
    assert added.status_code == 200
    assert [p["user"]["id"] for p in added.json()["participants"]] == [world.department_a.pk]
    rows = client.get(BASE, **bearer(world.department_a)).json()
    assert [r["id"] for r in rows["items"]] == [joined.pk] and rows["count"] == 1
    assert client.get(f"{BASE}/{other.pk}", **bearer(world.department_a)).status_code == 404
    office = client.get(BASE, {"kind": "joint_enforcement"}, **bearer(world.town_office_a))
    assert {r["id"] for r in office.json()["items"]} == {joined.pk, other.pk}
    assert client.get(BASE, **bearer(world.town_office_b)).json()["count"] == 0
    assert client.get(BASE, **bearer(world.enterprise_a)).status_code == 403
    removed = post(
        client,
        f"{BASE}/{joined.pk}/participants/remove",
        {"user_id": world.department_a.pk},
        world.town_office_a,
    )
    assert removed.status_code == 200 and removed.json()["participants"] == []


def test_inspections_start_link_unlink_and_the_tally(world, client, checklist):
    campaign = make_campaign(world)
    started = post(
        client,
        f"{BASE}/{campaign.pk}/inspections/start",
        {"unit_id": world.unit_a2.pk, "checklist_id": checklist.pk},
        world.inspector_a,
    )
    assert started.status_code == 201
    assert started.json()["category"] == "small_venue"
    existing = inspection_start(
        actor=world.inspector_a, unit_id=world.unit_a.pk, checklist_id=checklist.pk
    )
    linked = post(
        client,
        f"{BASE}/{campaign.pk}/inspections",
        {"inspection_id": existing.pk},
        world.town_office_a,
    )
    assert linked.status_code == 201 and linked.json()["category"] == "machining"
    listed = client.get(f"{BASE}/{campaign.pk}/inspections", **bearer(world.leader_a)).json()
    assert {r["inspection_id"] for r in listed} == {existing.pk, started.json()["inspection_id"]}
    unlinked = post(
        client,
        f"{BASE}/{campaign.pk}/inspections/unlink",
        {"inspection_id": existing.pk},
        world.town_office_a,
    )
    assert unlinked.status_code == 204
    assert CampaignInspection.objects.count() == 1
    joint_inspection(world, campaign, world.unit_a, checklist, fail=2)
    tally = client.get(f"{BASE}/{campaign.pk}/tally", **bearer(world.district_officer)).json()
    expected = campaign_tally(campaign)
    assert tally["rows"] == [r.as_dict() for r in expected.rows]
    assert tally["total"]["hazards_found"] == 2 and tally["total"]["units"] == 2
    assert tally["sentence"] == expected.sentence


def test_a_department_officer_may_not_link_inspections(world, client, checklist):
    """Department officers take part beside the town's inspectors; linking and starting
    inspections is the town's (``campaigns.take_part``)."""
    campaign = make_campaign(world)
    services.participant_add(
        actor=world.town_office_a,
        campaign_id=campaign.pk,
        user_id=world.department_a.pk,
        department="police",
    )
    inspection = inspection_start(
        actor=world.inspector_a, unit_id=world.unit_a.pk, checklist_id=checklist.pk
    )
    response = post(
        client,
        f"{BASE}/{campaign.pk}/inspections",
        {"inspection_id": inspection.pk},
        world.department_a,
    )
    assert response.status_code == 403
    assert not CampaignInspection.objects.exists()
    detail = client.get(f"{BASE}/{campaign.pk}", **bearer(world.department_a)).json()
    assert detail["allowed_actions"] == []


def test_the_api_starts_a_joint_inspection_with_its_officers(world, client, checklist):
    from anjian.enforcement.models import OfficerCertificate

    for person in (world.inspector_a, world.town_office_a):
        OfficerCertificate.objects.create(user=person, number=f"3301{person.pk:05d}")
    campaign = make_campaign(world)
    started = post(
        client,
        f"{BASE}/{campaign.pk}/inspections/start",
        {
            "unit_id": world.unit_a2.pk,
            "checklist_id": checklist.pk,
            "officer_ids": [world.town_office_a.pk],
        },
        world.inspector_a,
    )
    assert started.status_code == 201
    link = CampaignInspection.objects.get()
    officers = set(link.inspection.officers.values_list("pk", flat=True))
    assert officers == {world.inspector_a.pk, world.town_office_a.pk}

    refused = post(  # another town's officer may not inspect this unit
        client,
        f"{BASE}/{campaign.pk}/inspections/start",
        {
            "unit_id": world.unit_a.pk,
            "checklist_id": checklist.pk,
            "officer_ids": [world.town_office_b.pk],
        },
        world.inspector_a,
    )
    assert refused.status_code == 422
