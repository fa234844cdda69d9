"""Major hazards (重大事故隐患, Order 16 Art 14–18): reported at once, a governance plan with its
six parts approved by the office, interim measures and suspension, listing for supervision,
an assessment, resumption of production, and closure by the authority that listed it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from anjian.core.exceptions import ActionNotPermitted, InvalidTransition
from anjian.hazards.choices import (
    HazardStatus,
    ListingLevel,
    PlanStatus,
    ReportOutcome,
    ResumptionDecision,
)
from anjian.hazards.services import hazard_update
from anjian.hazards.tests.factories import act, make_hazard, photo
from anjian.hazards.tests.states import PLAN, attempt, footprint, hazard_in_state

pytestmark = pytest.mark.django_db

S = HazardStatus
PLAN_PARTS = (
    "goals",
    "methods",
    "funds_materials",
    "organisation",
    "time_limit",
    "safety_measures",
)


def refused(actor, hazard, action, match, note="", photos=(), **data):
    """``action`` is refused (by a guard or the input) with ``match`` in an English message, and
    nothing changed."""
    before = footprint(hazard)
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        act(actor, hazard, action, note=note, photos=photos, **data)
    assert footprint(hazard) == before
    assert any(match in m for m in caught.value.messages), caught.value.messages
    return caught.value


def submit(world, hazard):
    act(world.enterprise_a, hazard, "submit", photos=[photo("after.jpg")], description="已治理")


def test_recording_a_major_hazard_reports_it_at_once(world):
    hazard = make_hazard(world.inspector_a, world.unit_a, deadline_days=None, level="major")
    assert list(hazard.events.values_list("type", flat=True)) == [
        "hazard.recorded",
        "hazard.major_reported",
    ]
    ordinary = make_hazard(world.inspector_a, world.unit_a, deadline_days=None)
    assert not ordinary.events.filter(type="hazard.major_reported").exists()
    hazard_update(
        actor=world.inspector_a,
        hazard_id=ordinary.pk,
        expected_version=ordinary.version,
        level="major",
        reason="复核认定为重大事故隐患",
    )
    assert ordinary.events.filter(type="hazard.major_reported").count() == 1


def test_the_plan_needs_its_six_parts_each_missing_one_named(world):
    hazard = hazard_in_state(world, "rectifying", major=True)
    before = footprint(hazard)
    with pytest.raises(ValidationError) as caught:
        act(world.enterprise_a, hazard, "submit_plan")
    assert set(caught.value.message_dict) == set(PLAN_PARTS)
    assert footprint(hazard) == before
    for part in PLAN_PARTS:
        with pytest.raises(ValidationError) as caught:
            act(world.enterprise_a, hazard, "submit_plan", **{**PLAN, part: " "})
        assert set(caught.value.message_dict) == {part}
        assert footprint(hazard) == before


def test_the_full_path_of_a_major_hazard_listed_by_the_town(world):
    hazard = make_hazard(world.inspector_a, world.unit_a, deadline_days=None, level="major")
    refused(world.inspector_a, hazard, "rectify_on_spot", "governance plan", description="x")
    attempt(world, hazard, "order")
    refused(world.enterprise_a, hazard, "submit", "approved governance plan", description="x")

    attempt(world, hazard, "submit_plan")
    refused(world.enterprise_a, hazard, "submit_plan", "already submitted", **PLAN)
    with pytest.raises(ActionNotPermitted):
        act(world.enterprise_a, hazard, "approve_plan")
    attempt(world, hazard, "approve_plan")
    assert hazard.plans.get().status == PlanStatus.APPROVED

    act(world.inspector_a, hazard, "set_interim_measures", suspension=True, warning_signs=True)
    hazard.refresh_from_db()
    assert (hazard.interim_suspension, hazard.interim_warning_signs) == (True, True)

    act(world.leader_a, hazard, "list_for_supervision", note="镇政府挂牌督办")
    hazard.refresh_from_db()
    assert (hazard.listing_level, hazard.listed_by) == (ListingLevel.TOWN, world.leader_a)
    refused(world.leader_a, hazard, "list_for_supervision", "already listed", note="再次挂牌")

    refused(
        world.enterprise_a,
        hazard,
        "submit",
        "passed assessment",
        photos=[photo()],
        description="已治理",
    )
    refused(world.enterprise_a, hazard, "apply_resumption", "passed assessment", note="申请复产")
    attempt(world, hazard, "record_assessment")
    assert hazard.assessments.get().conclusion == "passed"
    submit(world, hazard)
    hazard.refresh_from_db()
    assert hazard.status == S.SUBMITTED

    refused(world.leader_a, hazard, "approve_closure", "resumption")
    attempt(world, hazard, "apply_resumption")
    attempt(world, hazard, "approve_resumption")
    assert hazard.resumptions.get().decision == ResumptionDecision.APPROVED

    refused(world.inspector_a, hazard, "pass", "listing authority")
    with pytest.raises(ActionNotPermitted):
        act(world.inspector_a, hazard, "approve_closure")
    act(world.leader_a, hazard, "approve_closure")
    hazard.refresh_from_db()
    assert (hazard.status, hazard.closed_by) == (S.CLOSED, world.leader_a)
    assert hazard.reports.get().outcome == ReportOutcome.PASSED
    assert list(hazard.events.values_list("type", flat=True)) == [
        "hazard.recorded",
        "hazard.major_reported",
        "hazard.order",
        "hazard.submit_plan",
        "hazard.approve_plan",
        "hazard.set_interim_measures",
        "hazard.list_for_supervision",
        "hazard.record_assessment",
        "hazard.submit",
        "hazard.apply_resumption",
        "hazard.approve_resumption",
        "hazard.approve_closure",
    ]


def test_a_hazard_listed_by_the_district_is_closed_only_by_the_district(world):
    hazard = hazard_in_state(world, "submitted", major=True)
    act(world.district_officer, hazard, "list_for_supervision", note="区挂牌督办")
    hazard.refresh_from_db()
    assert hazard.listing_level == ListingLevel.DISTRICT
    refused(world.leader_a, hazard, "approve_closure", "only the district")
    refused(world.inspector_a, hazard, "pass", "listing authority")
    act(world.district_officer, hazard, "approve_closure")
    hazard.refresh_from_db()
    assert (hazard.status, hazard.closed_by) == (S.CLOSED, world.district_officer)


def test_a_district_officer_may_close_what_the_town_listed(world):
    hazard = hazard_in_state(world, "submitted", major=True)
    act(world.leader_a, hazard, "list_for_supervision", note="镇政府挂牌督办")
    act(world.district_officer, hazard, "approve_closure")
    hazard.refresh_from_db()
    assert hazard.status == S.CLOSED


def test_without_listing_pass_waits_for_the_assessment_and_the_resumption(world):
    hazard = hazard_in_state(world, "rectifying", major=True)
    attempt(world, hazard, "submit_plan")
    attempt(world, hazard, "approve_plan")
    attempt(world, hazard, "set_interim_measures")  # production suspended
    attempt(world, hazard, "record_assessment")
    submit(world, hazard)
    refused(world.inspector_a, hazard, "pass", "resumption")
    attempt(world, hazard, "apply_resumption")
    refused(world.enterprise_a, hazard, "apply_resumption", "already awaiting", note="再次申请")
    refused(world.inspector_a, hazard, "pass", "resumption")
    attempt(world, hazard, "reject_resumption")
    refused(world.inspector_a, hazard, "pass", "resumption")
    attempt(world, hazard, "apply_resumption")
    attempt(world, hazard, "approve_resumption")
    # A later assessment that finds the work unfinished stops the closure again.
    act(
        world.expert_a,
        hazard,
        "record_assessment",
        assessor="专家组",
        conclusion="failed",
        summary="管线仍有渗漏",
    )
    refused(world.inspector_a, hazard, "pass", "passed assessment")
    attempt(world, hazard, "record_assessment")
    act(world.inspector_a, hazard, "pass")
    hazard.refresh_from_db()
    assert hazard.status == S.CLOSED


def test_without_suspension_a_passed_assessment_is_enough(world):
    hazard = hazard_in_state(world, "submitted", major=True)
    act(world.inspector_a, hazard, "pass")
    hazard.refresh_from_db()
    assert hazard.status == S.CLOSED
    refused(
        world.enterprise_a,
        hazard_in_state(world, "rectifying", major=True),
        "apply_resumption",
        "not suspended",
        note="申请复产",
    )


def test_a_returned_plan_can_be_submitted_again(world):
    hazard = hazard_in_state(world, "found", major=True)
    attempt(world, hazard, "submit_plan")
    attempt(world, hazard, "reject_plan")
    refused(world.town_office_a, hazard, "approve_plan", "No governance plan")
    attempt(world, hazard, "submit_plan")
    attempt(world, hazard, "approve_plan")
    assert list(hazard.plans.order_by("pk").values_list("status", flat=True)) == [
        PlanStatus.REJECTED,
        PlanStatus.APPROVED,
    ]


@pytest.mark.parametrize(
    "action", ["submit_plan", "set_interim_measures", "list_for_supervision", "record_assessment"]
)
def test_major_steps_do_not_apply_to_an_ordinary_hazard(world, action):
    hazard = hazard_in_state(world, "rectifying")
    before = footprint(hazard)
    with pytest.raises(InvalidTransition):
        attempt(world, hazard, action)
    assert footprint(hazard) == before


def test_cancelling_leaves_nothing_awaiting_a_decision(world):
    hazard = hazard_in_state(world, "rectifying", major=True)
    attempt(world, hazard, "submit_plan")
    act(world.town_office_a, hazard, "cancel", note="与另一条重复")
    plan = hazard.plans.get()
    assert plan.status == "rejected"
    assert plan.decision_note == "与另一条重复"
    other = hazard_in_state(world, "submitted", major=True)
    attempt(world, other, "set_interim_measures")
    attempt(world, other, "apply_resumption")
    act(world.town_office_a, other, "cancel", note="录入错误")
    assert other.resumptions.get().decision == "rejected"
    assert other.reports.get().outcome == "withdrawn"
