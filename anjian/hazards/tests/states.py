"""Hazards brought into each state through the real services, and what every action needs.

``hazard_in_state(world, "submitted", major=True)`` walks the services (record, order, plan,
assessment, submit…) as people would; nothing here writes ``status`` directly. ``ACTORS`` and
``valid_input`` say who takes each action of the transition table and with what input, and
``prepare`` creates what a guard waits for (a pending extension request, a submitted plan…) with
the within-state steps, so that a table-allowed action can succeed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from anjian.hazards.choices import HazardStatus
from anjian.hazards.models import (
    ExtensionRequest,
    GovernancePlan,
    Hazard,
    HazardEvent,
    HazardPhoto,
    MajorAssessment,
    RectificationReport,
    ResumptionApplication,
)
from anjian.hazards.tests.factories import act, make_hazard, photo

S = HazardStatus

# Scenario name -> the status it ends in. "closed" is closed by a passed re-check.
SCENARIOS: dict[str, str] = {
    "found": S.FOUND,
    "rectifying": S.RECTIFYING,
    "submitted": S.SUBMITTED,
    "closed": S.CLOSED,
    "closed_on_spot": S.CLOSED,
    "cancelled": S.CANCELLED,
}

PLAN = {
    "goals": "消除储罐区泄漏隐患",
    "methods": "更换腐蚀管线，加装泄漏报警",
    "funds_materials": "专项资金及管材由公司安排",
    "funds_amount": "120000",
    "organisation": "公司总经理负责，设备部实施",
    "time_limit": "2030-12-31",
    "time_requirements": "三十日内完成",
    "safety_measures": "停用储罐，设置警戒区，制定应急预案",
}

# Who takes each action in the tests (a person of town A holding the permission).
ACTORS: dict[str, str] = {
    "order": "inspector_a",
    "rectify_on_spot": "inspector_a",
    "submit": "enterprise_a",
    "pass": "inspector_a",
    "fail": "inspector_a",
    "spot_confirm": "town_office_a",
    "spot_reject": "town_office_a",
    "request_extension": "enterprise_a",
    "approve_extension": "town_office_a",
    "reject_extension": "town_office_a",
    "cancel": "town_office_a",
    "reopen": "town_office_a",
    "submit_plan": "enterprise_a",
    "approve_plan": "town_office_a",
    "reject_plan": "town_office_a",
    "set_interim_measures": "inspector_a",
    "list_for_supervision": "leader_a",
    "record_assessment": "expert_a",
    "apply_resumption": "enterprise_a",
    "approve_resumption": "town_office_a",
    "reject_resumption": "town_office_a",
    "approve_closure": "leader_a",
    "request_downgrade": "town_office_a",
    "approve_downgrade": "leader_a",
    "refuse_downgrade": "leader_a",
}


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@dataclass
class Attempt:
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    photos: list = field(default_factory=list)


def valid_input(hazard: Hazard, action: str) -> Attempt:
    """What a person gives with ``action`` for it to be accepted (when its state allows it)."""
    deadline = (hazard.deadline or timezone.localdate()) + datetime.timedelta(days=14)
    inputs = {
        "order": Attempt(data={"deadline": days(7)}),
        "rectify_on_spot": Attempt(data={"description": "当场关闭"}, photos=[photo("spot.jpg")]),
        "submit": Attempt(data={"description": "已整改"}, photos=[photo("after.jpg")]),
        "pass": Attempt(),
        "fail": Attempt("仍未整改到位", {"deadline": days(10)}),
        "spot_confirm": Attempt(),
        "spot_reject": Attempt("现场整改不到位", {"deadline": days(10)}),
        "request_extension": Attempt("需采购配件", {"requested_deadline": deadline}),
        "approve_extension": Attempt(),
        "reject_extension": Attempt("理由不充分"),
        "cancel": Attempt("录入错误"),
        "reopen": Attempt("复查发现问题复发", {"deadline": days(10)}),
        "submit_plan": Attempt(data=dict(PLAN)),
        "approve_plan": Attempt(),
        "reject_plan": Attempt("方案不完整"),
        "set_interim_measures": Attempt(
            data={"suspension": True, "warning_signs": True, "interim_note": "设置警戒线"}
        ),
        "list_for_supervision": Attempt("镇政府挂牌督办"),
        "record_assessment": Attempt(
            data={"assessor": "省安科院", "conclusion": "passed", "summary": "整改到位"}
        ),
        "apply_resumption": Attempt("整改完成，申请恢复生产"),
        "approve_resumption": Attempt(),
        "reject_resumption": Attempt("尚不具备条件"),
        "approve_closure": Attempt(),
        "request_downgrade": Attempt("复核后不属于重大事故隐患判定标准"),
        "approve_downgrade": Attempt(),
        "refuse_downgrade": Attempt("仍符合重大事故隐患判定标准"),
    }
    return inputs[action]


def attempt(world, hazard: Hazard, action: str, actor=None):
    """Take ``action`` with a valid input as the usual actor (or ``actor``)."""
    given = valid_input(hazard, action)
    actor = actor or world.users[ACTORS[action]]
    return act(actor, hazard, action, note=given.note, photos=given.photos, **given.data)


def major_ready_to_submit(world, hazard: Hazard) -> None:
    """A major hazard under rectification with an approved plan and a passed assessment."""
    attempt(world, hazard, "submit_plan")
    attempt(world, hazard, "approve_plan")
    attempt(world, hazard, "record_assessment")


def hazard_in_state(world, scenario: str, *, major: bool = False, **fields) -> Hazard:
    """A hazard of ``world.unit_a`` brought into ``scenario`` through the services."""
    level = "major" if major else "general"
    ordered = scenario not in ("found", "closed_on_spot")
    hazard = make_hazard(
        world.inspector_a, world.unit_a, deadline_days=7 if ordered else None, level=level, **fields
    )
    if scenario == "closed_on_spot":
        attempt(world, hazard, "rectify_on_spot")
    elif scenario == "cancelled":
        attempt(world, hazard, "cancel")
    elif scenario in ("submitted", "closed"):
        if major:
            major_ready_to_submit(world, hazard)
        attempt(world, hazard, "submit")
        if scenario == "closed":
            attempt(world, hazard, "pass")
    hazard.refresh_from_db()
    assert hazard.status == SCENARIOS[scenario], (scenario, hazard.status)
    return hazard


def prepare(world, hazard: Hazard, action: str) -> None:
    """Create, by the within-state steps, what ``action``'s guards wait for."""
    if action in ("approve_extension", "reject_extension"):
        attempt(world, hazard, "request_extension")
    elif action in ("approve_plan", "reject_plan"):
        attempt(world, hazard, "submit_plan")
    elif action == "submit" and hazard.is_major:
        major_ready_to_submit(world, hazard)
    elif action in ("apply_resumption", "approve_resumption", "reject_resumption"):
        attempt(world, hazard, "set_interim_measures")
        attempt(world, hazard, "record_assessment")
        if action != "apply_resumption":
            attempt(world, hazard, "apply_resumption")
    elif action == "approve_closure":
        attempt(world, hazard, "list_for_supervision")
    elif action in ("approve_downgrade", "refuse_downgrade"):
        attempt(world, hazard, "request_downgrade")
    hazard.refresh_from_db()


@dataclass(frozen=True)
class Footprint:
    """What an action may leave behind; equal footprints mean nothing changed."""

    status: str
    version: int
    events: int
    audit: int
    reports: int
    photos: int
    extensions: int
    plans: int
    assessments: int
    resumptions: int
    deadline: datetime.date | None


def footprint(hazard: Hazard) -> Footprint:
    from anjian.audit.models import AuditEntry

    hazard.refresh_from_db()
    of = {"hazard": hazard}
    return Footprint(
        status=hazard.status,
        version=hazard.version,
        events=HazardEvent.objects.filter(**of).count(),
        audit=AuditEntry.objects.count(),
        reports=RectificationReport.objects.filter(**of).count(),
        photos=HazardPhoto.objects.filter(**of).count(),
        extensions=ExtensionRequest.objects.filter(**of).count(),
        plans=GovernancePlan.objects.filter(**of).count(),
        assessments=MajorAssessment.objects.filter(**of).count(),
        resumptions=ResumptionApplication.objects.filter(**of).count(),
        deadline=hazard.deadline,
    )
