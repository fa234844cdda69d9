"""Test helpers of campaigns: a campaign of town A under way today, and joint inspections made
through the real services."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from anjian.campaigns import services
from anjian.inspections.tests.factories import answer_all, finish, items_of

_names = itertools.count(1)


def period(days_before: int = 10, days_after: int = 20) -> dict:
    today = timezone.localdate()
    return {
        "start_date": today - datetime.timedelta(days=days_before),
        "end_date": today + datetime.timedelta(days=days_after),
    }


def make_campaign(world, actor=None, **fields):
    data = {
        "region_id": world.town_a.pk,
        "name": f"联合执法行动{next(_names)}",
        "kind": "joint_enforcement",
        "lead_department": "emergency",
        "departments": ["police", "market"],
        "categories": ["machining", "small_venue", "street_shop"],
        **period(),
    }
    data.update(fields)
    return services.campaign_create(actor=actor or world.town_office_a, **data)


def joint_inspection(world, campaign, unit, checklist, *, fail=0, actor=None, category=None):
    """A finished joint inspection of ``unit`` in ``campaign`` whose first ``fail`` items failed."""
    actor = actor or world.inspector_a
    link = services.campaign_inspection_start(
        actor=actor,
        campaign_id=campaign.pk,
        unit_id=unit.pk,
        checklist_id=checklist.pk,
        category=category,
    )
    inspection = link.inspection
    failing = {item.text: "fail" for item in items_of(inspection)[:fail]}
    answer_all(actor, inspection, **failing)
    finish(actor, inspection)
    return link
