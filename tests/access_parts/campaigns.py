"""Access-walk registries of campaigns (专项整治) and joint enforcement (联合执法).

In every town of the walk: a campaign with an inspection linked to it; in town A a second one that
``department_a`` joined, so that the first campaign of town A is outside that officer's scope.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from anjian.campaigns.models import Campaign
from anjian.campaigns.services import campaign_create, inspection_link, participant_add
from anjian.inspections.models import Inspection

VIEW, MANAGE, TAKE_PART = "campaigns.view", "campaigns.manage", "campaigns.take_part"

FUNCTION_VIEW_OBJECTS = {
    "campaigns:campaign_edit": (Campaign, MANAGE),
    "campaigns:campaign_close": (Campaign, MANAGE),
    "campaigns:participant_add": (Campaign, MANAGE),
    "campaigns:participant_remove": (Campaign, MANAGE),
    "campaigns:inspection_link": (Campaign, TAKE_PART),
    "campaigns:inspection_unlink": (Campaign, TAKE_PART),
    "campaigns:inspection_start": (Campaign, TAKE_PART),
    "campaigns:campaign_tally_xlsx": (Campaign, VIEW),
}
PATH_PARAMS = {"campaign_id": (Campaign, VIEW)}
LIST_OPERATIONS = {"campaigns_list": (Campaign, VIEW)}
ACTION_OPERATIONS = {
    "campaigns_create": (
        MANAGE,
        {
            "region_id": 999999,
            "name": "越权",
            "kind": "special_rectification",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "categories": ["street_shop"],
        },
    ),
}
OBJECT_OPERATION_BODIES = {
    "campaigns_update": {"expected_version": 1, "name": "越权"},
    "campaigns_close": {"expected_version": 1, "reason": "越权"},
    "campaigns_participants_add": {"user_id": 1, "department": "police"},
    "campaigns_participants_remove": {"user_id": 1},
    "campaigns_inspections_link": {"inspection_id": 1},
    "campaigns_inspections_unlink": {"inspection_id": 1},
    "campaigns_inspections_start": {"unit_id": 1, "checklist_id": 1},
}


def walk_objects(*, world, recorders, towns, outside_officer) -> None:
    today = timezone.localdate()
    period = {
        "start_date": today - datetime.timedelta(days=30),
        "end_date": today + datetime.timedelta(days=30),
    }
    for unit, office in recorders.items():
        town = unit.region.parent
        campaign = Campaign.objects.filter(region=town).order_by("pk").first()
        if campaign is None:
            campaign = campaign_create(
                actor=office,
                region_id=town.pk,
                name=f"{town.name}联合执法",
                kind="joint_enforcement",
                lead_department="emergency",
                departments=["police", "market"],
                categories=["machining", "haz_chem", "small_venue"],
                **period,
            )
        inspection = Inspection.objects.filter(unit=unit).order_by("pk").first()
        if inspection is not None:
            inspection_link(
                actor=office,
                campaign_id=campaign.pk,
                inspection_id=inspection.pk,
                category="haz_chem" if "化工" in unit.name else None,
            )
    joined = campaign_create(
        actor=world.town_office_a,
        region_id=world.town_a.pk,
        name="场口镇危化品专项整治",
        kind="special_rectification",
        lead_department="emergency",
        departments=["market"],
        categories=["haz_chem"],
        **period,
    )
    participant_add(
        actor=world.town_office_a,
        campaign_id=joined.pk,
        user_id=world.department_a.pk,
        department="market",
    )
