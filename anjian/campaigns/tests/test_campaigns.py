"""Campaigns (专项整治) and joint enforcement (联合执法): validation, who sees which campaign, the
tally per category against an independent count, its fixed number of queries, and the pages."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from anjian.campaigns import services
from anjian.campaigns.models import Campaign, CampaignInspection
from anjian.campaigns.selectors import campaign_tally
from anjian.campaigns.tests.helpers import joint_inspection, make_campaign, period
from anjian.core.exceptions import ActionNotPermitted, InvalidTransition, StaleObject
from anjian.hazards.models import Hazard
from anjian.hazards.tests.factories import act, photo
from anjian.inspections.choices import InspectionKind
from anjian.inspections.models import Inspection
from anjian.inspections.services import inspection_start
from anjian.inspections.tests.factories import make_checklist
from anjian.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def checklist(world):
    return make_checklist()


def visible(user, action="campaigns.view"):
    return set(Campaign.objects.for_action(user, action).values_list("pk", flat=True))


# --- Validation ------------------------------------------------------------------------------------


def test_a_campaign_cannot_end_before_it_starts_and_needs_categories(world):
    today = timezone.localdate()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        make_campaign(
            world,
            start_date=today,
            end_date=today - datetime.timedelta(days=1),
            categories=[],
        )
    errors = caught.value.message_dict
    assert errors["end_date"] == ["The campaign cannot end before it starts."]
    assert "categories" in errors
    assert not Campaign.objects.exists()


def test_a_joint_action_needs_a_department_besides_the_lead(world):
    with pytest.raises(ValidationError) as caught:
        make_campaign(world, departments=["emergency"])
    assert "departments" in caught.value.message_dict
    special = make_campaign(world, kind="special_rectification", departments=[])
    assert special.joining_departments.count() == 0


def test_an_office_creates_campaigns_only_in_its_own_town(world):
    with pytest.raises(ValidationError) as caught:
        make_campaign(world, region_id=world.town_b.pk)
    assert "region" in caught.value.message_dict
    with pytest.raises(ActionNotPermitted):
        make_campaign(world, actor=world.inspector_a)


def test_the_same_name_may_not_start_twice_on_one_day(world):
    first = make_campaign(world, name="危化品专项整治")
    with pytest.raises(ValidationError):
        make_campaign(world, name="危化品专项整治", start_date=first.start_date)


def test_update_is_compare_and_set_and_keeps_departments(world):
    campaign = make_campaign(world)
    updated = services.campaign_update(
        actor=world.town_office_a,
        campaign_id=campaign.pk,
        expected_version=1,
        departments=["police", "transport"],
        name="改名后的联合执法",
    )
    assert updated.version == 2 and updated.name == "改名后的联合执法"
    assert set(updated.joining_departments.values_list("department", flat=True)) == {
        "police",
        "transport",
    }
    with pytest.raises(StaleObject):
        services.campaign_update(
            actor=world.town_office_a, campaign_id=campaign.pk, expected_version=1, name="旧页面"
        )
    assert Campaign.objects.get(pk=campaign.pk).name == "改名后的联合执法"


def test_a_closed_campaign_no_longer_changes(world, checklist):
    campaign = make_campaign(world)
    services.campaign_close(actor=world.town_office_a, campaign_id=campaign.pk, expected_version=1)
    campaign.refresh_from_db()
    assert campaign.status == "finished" and campaign.closed_at is not None
    with pytest.raises(InvalidTransition):
        services.campaign_update(
            actor=world.town_office_a, campaign_id=campaign.pk, expected_version=2, name="x"
        )
    with pytest.raises(InvalidTransition):
        services.campaign_inspection_start(
            actor=world.inspector_a,
            campaign_id=campaign.pk,
            unit_id=world.unit_a.pk,
            checklist_id=checklist.pk,
        )
    assert services.allowed_actions(world.town_office_a, campaign) == []


def test_status_follows_the_dates(world):
    today = timezone.localdate()
    planned = make_campaign(world, **period(-5, 30))
    ended = make_campaign(
        world,
        start_date=today - datetime.timedelta(days=30),
        end_date=today - datetime.timedelta(days=1),
    )
    active = make_campaign(world)
    by_status = {c.pk: c.status for c in Campaign.objects.with_status()}
    assert by_status == {planned.pk: "planned", ended.pk: "finished", active.pk: "active"}
    assert list(Campaign.objects.in_status("planned")) == [planned]
    # An ended campaign is still completed by the office until it is closed.
    assert "link_inspections" in services.allowed_actions(world.town_office_a, ended)
    assert "start_inspection" not in services.allowed_actions(world.town_office_a, ended)


# --- Scoping ------------------------------------------------------------------------------------


def test_a_department_officer_sees_only_the_campaigns_they_joined(world):
    joined = make_campaign(world)
    other = make_campaign(world)
    services.participant_add(
        actor=world.town_office_a,
        campaign_id=joined.pk,
        user_id=world.department_a.pk,
        department="market",
    )
    assert visible(world.department_a) == {joined.pk}
    # They take part beside the town's inspectors, who start and link the inspections.
    assert visible(world.department_a, "campaigns.take_part") == set()
    assert visible(world.department_a, "campaigns.manage") == set()
    for persona in ("town_office_a", "inspector_a", "leader_a", "district_officer"):
        assert visible(world.users[persona]) == {joined.pk, other.pk}, persona
    for persona in ("town_office_b", "enterprise_a", "expert_a", "village_officer_a"):
        assert visible(world.users[persona]) == set(), persona
    with pytest.raises(Http404):
        services.campaign_get_for(world.department_a, other.pk)
    services.participant_remove(
        actor=world.town_office_a, campaign_id=joined.pk, user_id=world.department_a.pk
    )
    assert visible(world.department_a) == set()


def test_only_department_officers_of_the_town_join_for_a_department_of_the_campaign(world):
    campaign = make_campaign(world, departments=["police"])
    with pytest.raises(ValidationError) as caught:
        services.participant_add(
            actor=world.town_office_a,
            campaign_id=campaign.pk,
            user_id=world.department_a.pk,
            department="market",
        )
    assert "department" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.participant_add(
            actor=world.town_office_a,
            campaign_id=campaign.pk,
            user_id=world.inspector_a.pk,
            department="police",
        )
    assert "user" in caught.value.message_dict


def test_a_department_officer_sees_the_campaign_page_but_not_the_inspections(
    world, client, checklist
):
    campaign = make_campaign(world)
    services.participant_add(
        actor=world.town_office_a,
        campaign_id=campaign.pk,
        user_id=world.department_a.pk,
        department="police",
    )
    link = joint_inspection(world, campaign, world.unit_a, checklist, fail=1)
    client.force_login(world.department_a)
    page = client.get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert world.unit_a.name in html
    assert reverse("inspections:inspection_detail", args=[link.inspection_id]) not in html
    assert 'data-testid="campaign-close"' not in html
    inspection_page = reverse("inspections:inspection_detail", args=[link.inspection_id])
    assert client.get(inspection_page).status_code == 403
    other = make_campaign(world)
    assert client.get(reverse("campaigns:campaign_detail", args=[other.pk])).status_code == 404


# --- Inspections and the tally ------------------------------------------------------------------


def test_a_joint_inspection_starts_from_the_campaign_linked_at_once(world, checklist):
    campaign = make_campaign(world)
    link = services.campaign_inspection_start(
        actor=world.inspector_a,
        campaign_id=campaign.pk,
        unit_id=world.unit_a2.pk,
        checklist_id=checklist.pk,
        client_key="7d0f3c1e-1111-4a5b-9c2d-000000000001",
    )
    assert link.inspection.kind == InspectionKind.JOINT_ENFORCEMENT
    assert link.category == "small_venue"  # obvious from the unit's kind
    again = services.campaign_inspection_start(
        actor=world.inspector_a,
        campaign_id=campaign.pk,
        unit_id=world.unit_a2.pk,
        checklist_id=checklist.pk,
        client_key="7d0f3c1e-1111-4a5b-9c2d-000000000001",
    )
    assert again.pk == link.pk and Inspection.objects.count() == 1
    with pytest.raises(ActionNotPermitted):  # a department officer joins, inspectors start
        _department_starts(world, campaign, checklist)


def _department_starts(world, campaign, checklist):
    services.participant_add(
        actor=world.town_office_a,
        campaign_id=campaign.pk,
        user_id=world.department_a.pk,
        department="police",
    )
    services.campaign_inspection_start(
        actor=world.department_a,
        campaign_id=campaign.pk,
        unit_id=world.unit_a2.pk,
        checklist_id=checklist.pk,
    )


def test_the_category_must_be_chosen_when_the_unit_does_not_say(world, checklist):
    campaign = make_campaign(world, categories=["haz_chem", "street_shop"])
    with pytest.raises(ValidationError) as caught:
        services.campaign_inspection_start(
            actor=world.inspector_a,
            campaign_id=campaign.pk,
            unit_id=world.unit_a.pk,
            checklist_id=checklist.pk,
        )
    assert "category" in caught.value.message_dict
    assert not Inspection.objects.exists()
    with pytest.raises(ValidationError):
        services.campaign_inspection_start(
            actor=world.inspector_a,
            campaign_id=campaign.pk,
            unit_id=world.unit_a.pk,
            checklist_id=checklist.pk,
            category="reservoir",  # not covered by this campaign
        )


def test_existing_inspections_of_the_period_are_linked_and_unlinked(world, checklist):
    campaign = make_campaign(world)
    inspection = inspection_start(
        actor=world.inspector_a, unit_id=world.unit_a.pk, checklist_id=checklist.pk
    )
    assert list(services.inspection_candidates(world.town_office_a, campaign)) == [inspection]
    link = services.inspection_link(
        actor=world.town_office_a, campaign_id=campaign.pk, inspection_id=inspection.pk
    )
    assert link.category == "machining"  # 杭州甲乙机械有限公司
    assert list(services.inspection_candidates(world.town_office_a, campaign)) == []
    with pytest.raises(ValidationError):
        services.inspection_link(
            actor=world.town_office_a, campaign_id=campaign.pk, inspection_id=inspection.pk
        )
    later = make_campaign(world, **period(-3, 10))
    with pytest.raises(ValidationError) as caught:
        services.inspection_link(
            actor=world.town_office_a, campaign_id=later.pk, inspection_id=inspection.pk
        )
    assert "inspection" in caught.value.message_dict
    services.inspection_unlink(
        actor=world.town_office_a, campaign_id=campaign.pk, inspection_id=inspection.pk
    )
    assert not CampaignInspection.objects.exists()


def _independent_tally(campaign):
    """The same numbers, counted row by row in Python from the inspections and hazards."""
    rows = {}
    for link in CampaignInspection.objects.filter(campaign=campaign).select_related("inspection"):
        if link.inspection.status == "cancelled":
            continue
        row = rows.setdefault(link.category, {"units": set(), "visits": 0, "found": 0, "done": 0})
        row["units"].add(link.inspection.unit_id)
        row["visits"] += 1
        for hazard in Hazard.objects.filter(inspection_result__inspection=link.inspection):
            if hazard.status == "cancelled":
                continue
            row["found"] += 1
            row["done"] += hazard.status == "closed"
    return {c: (len(r["units"]), r["visits"], r["found"], r["done"]) for c, r in rows.items()}


def _close(world, hazard):
    act(world.town_office_a, hazard, "submit", description="已整改", photos=[photo("after.jpg")])
    act(world.inspector_a, hazard, "pass")


def test_the_tally_equals_an_independent_count(world, checklist):
    campaign = make_campaign(world)
    first = joint_inspection(world, campaign, world.unit_a, checklist, fail=2)
    joint_inspection(world, campaign, world.unit_a, checklist, fail=0)
    joint_inspection(world, campaign, world.unit_a2, checklist, fail=1)
    hazards = list(Hazard.objects.filter(inspection_result__inspection=first.inspection))
    _close(world, hazards[0])  # one closed, the other still open
    act(
        world.town_office_a,
        Hazard.objects.get(inspection_result__inspection__unit=world.unit_a2),
        "cancel",
        note="录入错误",
    )
    tally = campaign_tally(campaign)
    got = {
        r.category: (r.units, r.visits, r.hazards_found, r.hazards_rectified) for r in tally.rows
    }
    expected = _independent_tally(campaign)
    assert expected == {"machining": (1, 2, 2, 1), "small_venue": (1, 1, 0, 0)}
    assert {c: v for c, v in got.items() if c in expected} == expected
    assert got["street_shop"] == (0, 0, 0, 0)  # covered, nothing checked yet
    assert (tally.total.units, tally.total.visits) == (2, 3)
    assert (tally.total.hazards_found, tally.total.hazards_rectified) == (2, 1)
    with translation.override("en"):
        sentence = campaign_tally(campaign).sentence
    assert sentence == (
        "Checked small eateries, workshops and stores: 1; machining enterprises: 1; "
        "in all 2 hazards found, 1 of them rectified."
    )


def _many_links(world, campaign, checklist, n):
    units = [
        Unit.objects.create(
            name=f"场口临街商铺{i}号", kind=UnitKind.STREET_SHOP, region=world.village_a1
        )
        for i in range(n)
    ]
    for unit in units:
        inspection = inspection_start(
            actor=world.inspector_a, unit_id=unit.pk, checklist_id=checklist.pk
        )
        CampaignInspection.objects.create(
            campaign=campaign, inspection=inspection, category="street_shop"
        )


def _tally_queries(campaign) -> int:
    with CaptureQueriesContext(connection) as ctx:
        campaign_tally(campaign)
    return len(ctx.captured_queries)


def test_the_tally_takes_the_same_few_queries_for_5_and_50_inspections(world, checklist):
    small, large = make_campaign(world), make_campaign(world)
    joint_inspection(world, small, world.unit_a, checklist, fail=1)
    joint_inspection(world, large, world.unit_a, checklist, fail=1)
    _many_links(world, small, checklist, 4)
    _many_links(world, large, checklist, 49)
    assert campaign_tally(large).total.visits == 50
    assert _tally_queries(small) == _tally_queries(large) <= 3


# --- Pages ----------------------------------------------------------------------------------------


def test_the_office_creates_a_campaign_on_its_page(world, client):
    client.force_login(world.town_office_a)
    today = timezone.localdate()
    response = client.post(
        reverse("campaigns:campaign_create"),
        {
            "region": world.town_a.pk,
            "name": "场口镇多部门联合执法",
            "kind": "joint_enforcement",
            "start_date": today.isoformat(),
            "end_date": (today + datetime.timedelta(days=30)).isoformat(),
            "lead_department": "emergency",
            "departments": ["police", "transport", "construction", "market"],
            "categories": ["street_shop", "small_venue", "construction", "reservoir"],
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:campaign_detail", args=[campaign.pk])
    assert campaign.joining_departments.count() == 4
    bad = client.post(
        reverse("campaigns:campaign_create"),
        {
            "region": world.town_a.pk,
            "name": "倒排日期",
            "kind": "special_rectification",
            "start_date": today.isoformat(),
            "end_date": (today - datetime.timedelta(days=3)).isoformat(),
            "lead_department": "emergency",
            "categories": ["haz_chem"],
        },
    )
    assert bad.status_code == 200 and Campaign.objects.count() == 1


def test_the_list_filters_and_exports(world, client):
    joint = make_campaign(world, name="联合执法甲")
    make_campaign(world, name="危化品专项整治乙", kind="special_rectification", departments=[])
    client.force_login(world.leader_a)
    url = reverse("campaigns:campaign_list")
    page = client.get(url, {"kind": "joint_enforcement"})
    assert [c.pk for c in page.context["campaigns"]] == [joint.pk]
    assert [c.pk for c in client.get(url, {"department": "market"}).context["campaigns"]] == [
        joint.pk
    ]
    assert len(client.get(url, {"status": "active"}).context["campaigns"]) == 2
    assert len(client.get(url, {"q": "危化品"}).context["campaigns"]) == 1
    export = client.get(url, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 3


def test_close_and_tally_export_on_the_page(world, client, checklist):
    campaign = make_campaign(world)
    joint_inspection(world, campaign, world.unit_a, checklist, fail=1)
    client.force_login(world.town_office_a)
    detail = client.get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
    assert 'data-testid="campaign-close"' in detail.content.decode()
    export = client.get(reverse("campaigns:campaign_tally_xlsx", args=[campaign.pk]))
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    # street shops, small eateries…, machining: 1 unit, 1 visit, 1 found, 0 rectified; total
    assert [r[1:] for r in rows[1:]] == [(0, 0, 0, 0), (0, 0, 0, 0), (1, 1, 1, 0), (1, 1, 1, 0)]
    response = client.post(
        reverse("campaigns:campaign_close", args=[campaign.pk]), {"expected_version": 1}
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.closed_at is not None


def test_participants_are_added_and_removed_on_the_page(world, client):
    campaign = make_campaign(world)
    client.force_login(world.town_office_a)
    add = reverse("campaigns:participant_add", args=[campaign.pk])
    client.post(add, {"user": world.department_a.pk, "department": "market"})
    assert campaign.participants.get().user == world.department_a
    client.post(
        reverse("campaigns:participant_remove", args=[campaign.pk]),
        {"user": world.department_a.pk},
    )
    assert not campaign.participants.exists()


def test_an_inspector_starts_a_joint_inspection_from_the_campaign_page(world, client, checklist):
    campaign = make_campaign(world)
    client.force_login(world.town_office_a)
    edit = client.get(reverse("campaigns:campaign_edit", args=[campaign.pk]))
    assert edit.status_code == 200 and campaign.name in edit.content.decode()
    client.force_login(world.inspector_a)
    url = reverse("campaigns:inspection_start", args=[campaign.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert world.unit_a2.name in form.content.decode()
    assert world.unit_b.name not in form.content.decode()
    response = client.post(
        url,
        {
            "unit": world.unit_a2.pk,
            "checklist": checklist.pk,
            "category": "",
            "place": "后厨",
            "client_key": "0f6f7c4e-2b1d-4c3a-9e8f-1a2b3c4d5e6f",
        },
    )
    link = CampaignInspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "inspections:inspection_inspect", args=[link.inspection_id]
    )
    assert link.category == "small_venue" and link.inspection.place == "后厨"
    detail = client.get(reverse("campaigns:campaign_detail", args=[campaign.pk])).content.decode()
    assert reverse("inspections:inspection_detail", args=[link.inspection_id]) in detail


def test_the_joint_inspection_form_chooses_the_certified_officers(world, client, checklist):
    """The joint inspection's documents need two certified officers: chosen on its start form."""
    from anjian.enforcement.models import OfficerCertificate

    for person in (world.inspector_a, world.town_office_a, world.town_office_b):
        OfficerCertificate.objects.create(user=person, number=f"3301{person.pk:05d}")
    campaign = make_campaign(world)
    client.force_login(world.inspector_a)
    url = reverse("campaigns:inspection_start", args=[campaign.pk])
    page = client.get(url)
    assert f'data-testid="officer-{world.town_office_a.pk}"' in page.text
    assert f'data-testid="officer-{world.town_office_b.pk}"' not in page.text  # another town
    assert page.context["form"]["officers"].value() == [world.inspector_a.pk]

    client.post(
        url,
        {
            "unit": world.unit_a2.pk,
            "checklist": checklist.pk,
            "category": "",
            "client_key": "1f6f7c4e-2b1d-4c3a-9e8f-1a2b3c4d5e6f",
            "officers": [world.inspector_a.pk, world.town_office_a.pk],
        },
    )

    link = CampaignInspection.objects.get()
    officers = set(link.inspection.officers.values_list("pk", flat=True))
    assert officers == {world.inspector_a.pk, world.town_office_a.pk}
