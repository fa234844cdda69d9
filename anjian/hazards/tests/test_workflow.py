"""The transition table, pair by pair: every (state, action) for an ordinary and a major hazard.

Allowed pairs succeed with exactly one timeline event and one audit record and reach the table's
target; every other pair is refused with ``InvalidTransition`` and changes nothing. The guards,
roles, scope, the compare-and-set and the corrections (extension, reopening, duplicates) follow.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.http import Http404
from django.utils import translation

from anjian.accounts.permissions import MATRIX
from anjian.accounts.roles import Role
from anjian.audit.models import AuditEntry
from anjian.core.exceptions import ActionNotPermitted, InvalidTransition, StaleObject
from anjian.core.testing.world import second_user
from anjian.hazards.choices import ExtensionStatus, HazardStatus, ReportOutcome
from anjian.hazards.models import HazardEvent
from anjian.hazards.services import hazard_transition
from anjian.hazards.tests.factories import act, make_hazard, photo
from anjian.hazards.tests.states import (
    ACTORS,
    SCENARIOS,
    attempt,
    days,
    footprint,
    hazard_in_state,
    prepare,
    valid_input,
)
from anjian.hazards.workflow import TRANSITIONS, mermaid

pytestmark = pytest.mark.django_db

S = HazardStatus
ACTIONS = sorted(TRANSITIONS)
# (scenario, major): an on-the-spot rectification exists for ordinary hazards only.
CASES = [
    (scenario, major)
    for scenario in SCENARIOS
    for major in (False, True)
    if not (major and scenario == "closed_on_spot")
]


def table_allows(scenario: str, major: bool, action: str) -> bool:
    t = TRANSITIONS[action]
    return SCENARIOS[scenario] in t.sources and (major or not t.major_only)


def guard_always_refuses(scenario: str, major: bool, action: str) -> bool:
    """Pairs the table allows but a guard refuses whatever is given (tested as guards below)."""
    if action in ("spot_confirm", "spot_reject"):
        return scenario != "closed_on_spot"
    return action == "rectify_on_spot" and major


def test_every_action_has_an_actor_and_a_valid_input_in_these_tests():
    """A new action in the table must be given an actor and an input here, or nothing tests it."""
    assert set(ACTORS) == set(TRANSITIONS)
    for action in TRANSITIONS:
        assert MATRIX[TRANSITIONS[action].permission], action


def test_the_scenarios_cover_every_status():
    assert set(SCENARIOS.values()) == set(S.values)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(("scenario", "major"), CASES, ids=lambda v: str(v))
def test_every_state_and_action_pair(world, scenario, major, action):
    hazard = hazard_in_state(world, scenario, major=major)
    allowed = table_allows(scenario, major, action)
    if allowed and not guard_always_refuses(scenario, major, action):
        prepare(world, hazard, action)
        before = footprint(hazard)
        result = attempt(world, hazard, action)
        after = footprint(hazard)
        target = TRANSITIONS[action].target_for(before.status)
        assert result.status == target
        assert after.status == target
        assert after.version == before.version + 1
        assert after.events == before.events + 1
        assert after.audit == before.audit + 1
        event = HazardEvent.objects.filter(hazard=hazard).latest("pk")
        assert (event.type, event.from_status, event.to_status) == (
            f"hazard.{action}",
            before.status,
            target,
        )
        audit = AuditEntry.objects.latest("pk")
        assert (audit.action, audit.target_id) == (f"hazard.{action}", str(hazard.pk))
        return
    before = footprint(hazard)
    expected = ValidationError if allowed else InvalidTransition
    with pytest.raises(expected) as caught:
        attempt(world, hazard, action)
    assert footprint(hazard) == before
    if not allowed:
        message = caught.value.message
        assert str(TRANSITIONS[action].label) in message
        assert hazard.get_status_display() in message


# --- Guards: the table allows the pair, the rule refuses -----------------------------------------


def refused(world, hazard, action, actor=None, match=None, **overrides):
    """Assert that ``action`` is refused by a guard and that nothing changed; ``match`` is a part
    of the (English) message."""
    given = valid_input(hazard, action)
    data = {**given.data, **overrides.pop("data", {})}
    note = overrides.pop("note", given.note)
    photos = overrides.pop("photos", given.photos)
    before = footprint(hazard)
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        act(actor or world.users[ACTORS[action]], hazard, action, note=note, photos=photos, **data)
    assert footprint(hazard) == before
    if match:
        assert any(match in m for m in caught.value.messages), caught.value.messages
    return caught.value


def test_guards_refuse_missing_input_with_a_message_each(world):
    rectifying = hazard_in_state(world, "rectifying")
    refused(world, rectifying, "submit", photos=[], match="photo")
    refused(world, rectifying, "submit", data={"description": " "}, match="Describe what was done")
    refused(world, rectifying, "cancel", note="")
    refused(world, rectifying, "request_extension", data={"requested_deadline": None})
    refused(
        world,
        rectifying,
        "request_extension",
        data={"requested_deadline": rectifying.deadline},
    )
    refused(world, rectifying, "approve_extension")  # nothing awaits a decision
    found = hazard_in_state(world, "found")
    refused(world, found, "order", data={"deadline": days(-1)})
    refused(world, found, "rectify_on_spot", photos=[])
    submitted = hazard_in_state(world, "submitted")
    refused(world, submitted, "fail", note="")
    refused(world, submitted, "fail", data={"deadline": None})


def test_guards_of_on_the_spot_rectification(world):
    closed = hazard_in_state(world, "closed")
    refused(world, closed, "spot_confirm")
    refused(world, closed, "spot_reject")
    major = hazard_in_state(world, "found", major=True)
    refused(world, major, "rectify_on_spot", match="major hazard")
    spot = hazard_in_state(world, "closed_on_spot")
    attempt(world, spot, "spot_confirm")
    spot.refresh_from_db()
    assert (spot.status, spot.spot_rechecked) == (S.CLOSED, True)
    refused(world, spot, "spot_confirm")  # only once
    report = spot.reports.get()
    assert (report.on_spot, report.outcome, report.rechecked_by) == (
        True,
        ReportOutcome.PASSED,
        world.town_office_a,
    )


def test_a_rejected_on_the_spot_rectification_is_failed_on_its_report(world):
    spot = hazard_in_state(world, "closed_on_spot")
    attempt(world, spot, "spot_reject")
    spot.refresh_from_db()
    assert (spot.status, spot.closed_on_spot, spot.closed_at, spot.deadline) == (
        S.RECTIFYING,
        False,
        None,
        days(10),
    )
    report = spot.reports.get()
    assert (report.outcome, report.recheck_note, report.rechecked_by) == (
        ReportOutcome.FAILED,
        "现场整改不到位",
        world.town_office_a,
    )
    attempt(world, spot, "submit")  # the unit rectifies again: a second round
    assert list(spot.reports.values_list("round", "outcome")) == [
        (1, ReportOutcome.FAILED),
        (2, ReportOutcome.PENDING),
    ]


def test_an_enterprise_orders_only_its_own_self_check_hazards(world):
    inspected = hazard_in_state(world, "found")
    refused(world, inspected, "order", actor=world.enterprise_a)
    own = hazard_in_state(world, "found", source="self_check")
    act(world.enterprise_a, own, "order", deadline=days(5))
    own.refresh_from_db()
    assert own.status == S.RECTIFYING


@pytest.mark.parametrize("action", ACTIONS)
def test_the_wrong_role_is_not_permitted_and_nothing_changes(world, action):
    """Someone who sees the hazard but whose role lacks the permission: 403, nothing written."""
    t = TRANSITIONS[action]
    viewers = MATRIX["hazards.view"]
    candidates = ["village_officer_a", "committee_member_a", "leader_a", "enterprise_a"]
    persona = next(
        p
        for p in candidates
        if world.users[p].role_assignments.get().role not in MATRIX[t.permission]
        and world.users[p].role_assignments.get().role in viewers
    )
    scenario = next(
        (s for s, status in SCENARIOS.items() if status in t.sources and s != "closed"), "closed"
    )
    hazard = hazard_in_state(world, scenario, major=t.major_only)
    before = footprint(hazard)
    with pytest.raises(ActionNotPermitted):
        attempt(world, hazard, action, actor=world.users[persona])
    assert footprint(hazard) == before


@pytest.mark.parametrize("persona", ["town_office_b", "enterprise_b", "enterprise_a2"])
@pytest.mark.parametrize("action", ["order", "pass", "cancel", "reopen"])
def test_out_of_scope_actor_gets_404(world, persona, action):
    scenario = {"order": "found", "pass": "submitted", "cancel": "rectifying", "reopen": "closed"}
    hazard = hazard_in_state(world, scenario[action])
    before = footprint(hazard)
    with pytest.raises(Http404):
        attempt(world, hazard, action, actor=world.users[persona])
    assert footprint(hazard) == before


def test_the_submitter_may_not_pass_their_own_recheck(world):
    hazard = hazard_in_state(world, "rectifying")
    attempt(world, hazard, "submit", actor=world.town_office_a)  # on the unit's behalf
    error = refused(world, hazard, "pass", actor=world.town_office_a)
    assert "someone else must re-check" in " ".join(error.messages)
    other = second_user(world, "inspector_a2")
    act(other, hazard, "pass")
    hazard.refresh_from_db()
    assert (hazard.status, hazard.closed_by) == (S.CLOSED, other)


def test_an_expert_rechecks_only_what_the_expert_found(world):
    by_expert = make_hazard(world.expert_a, world.unit_a, source="expert_check")
    attempt(world, by_expert, "submit")
    act(world.expert_a, by_expert, "pass")
    by_expert.refresh_from_db()
    assert by_expert.status == S.CLOSED
    by_inspector = hazard_in_state(world, "submitted")
    refused(world, by_inspector, "pass", actor=world.expert_a, match="expert")
    refused(world, by_inspector, "fail", actor=world.expert_a, match="expert")


def test_an_enterprise_rechecks_only_its_own_ordinary_self_check_hazards(world):
    principal = second_user(world, "principal_a", Role.ENTERPRISE, unit=world.unit_a)
    own = make_hazard(world.enterprise_a, world.unit_a, source="self_check")
    attempt(world, own, "submit")
    act(principal, own, "pass")
    own.refresh_from_db()
    assert own.status == S.CLOSED
    inspected = hazard_in_state(world, "submitted")
    refused(world, inspected, "pass", actor=principal, match="self-checks")
    major = make_hazard(world.enterprise_a, world.unit_a, source="self_check", level="major")
    prepare(world, major, "submit")
    attempt(world, major, "submit")
    refused(world, major, "pass", actor=principal, match="self-checks")


def test_an_extension_keeps_the_original_deadline_beside_the_new_one(world):
    hazard = hazard_in_state(world, "rectifying")
    original = hazard.deadline
    asked = original + datetime.timedelta(days=20)
    act(
        world.enterprise_a,
        hazard,
        "request_extension",
        note="设备到货延迟",
        requested_deadline=asked,
    )
    refused(world, hazard, "request_extension", match="already")  # one pending request at a time
    act(world.town_office_a, hazard, "approve_extension")
    hazard.refresh_from_db()
    assert (hazard.deadline, hazard.original_deadline) == (asked, original)
    request = hazard.extensions.get()
    assert (request.status, request.previous_deadline, request.granted_deadline) == (
        ExtensionStatus.APPROVED,
        original,
        asked,
    )
    event = hazard.events.latest("pk")
    assert event.data["previous_deadline"] == original.isoformat()
    assert event.data["deadline"] == asked.isoformat()


def test_a_refused_extension_keeps_the_deadline(world):
    hazard = hazard_in_state(world, "rectifying")
    original = hazard.deadline
    attempt(world, hazard, "request_extension")
    attempt(world, hazard, "reject_extension")
    hazard.refresh_from_db()
    assert hazard.deadline == original
    assert hazard.extensions.get().status == ExtensionStatus.REJECTED


def test_reopening_needs_a_reason_and_a_new_deadline(world):
    hazard = hazard_in_state(world, "closed")
    refused(world, hazard, "reopen", note="", match="reason")
    refused(world, hazard, "reopen", data={"deadline": None})
    attempt(world, hazard, "reopen")
    hazard.refresh_from_db()
    assert (hazard.status, hazard.closed_at, hazard.deadline) == (S.RECTIFYING, None, days(10))
    event = hazard.events.latest("pk")
    assert (event.type, event.note) == ("hazard.reopen", "复查发现问题复发")


def test_cancel_as_duplicate_records_the_original(world):
    original = hazard_in_state(world, "rectifying")
    duplicate = hazard_in_state(world, "submitted")
    act(world.town_office_a, duplicate, "cancel", note="重复录入", duplicate_of=original.pk)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of, duplicate.cancelled_reason) == (
        S.CANCELLED,
        original,
        "重复录入",
    )
    assert duplicate.reports.get().outcome == ReportOutcome.WITHDRAWN
    assert duplicate.events.latest("pk").data["duplicate_of"] == original.pk


def test_cancel_as_duplicate_of_an_unknown_hazard_changes_nothing(world):
    hazard = hazard_in_state(world, "rectifying")
    outsider = make_hazard(world.town_office_b, world.unit_b)
    for target in (hazard.pk, outsider.pk, 999999):
        refused(world, hazard, "cancel", data={"duplicate_of": target})


def test_a_stale_version_changes_nothing(world):
    hazard = hazard_in_state(world, "submitted")
    stale = hazard.version
    # Someone else re-checks first…
    act(world.inspector_a, hazard, "fail", note="未整改", deadline=days(5))
    before = footprint(hazard)
    # …and a second re-check made on the old page is refused as stale, whatever it asks.
    for action, note, data in (("pass", "", {}), ("cancel", "重复", {})):
        with pytest.raises(StaleObject) as caught, translation.override("en"):
            hazard_transition(
                actor=world.town_office_a,
                hazard_id=hazard.pk,
                action=action,
                expected_version=stale,
                note=note,
                data=data,
            )
        assert "changed by someone else" in caught.value.message
        assert footprint(hazard) == before


def test_unknown_action_is_refused(world):
    hazard = hazard_in_state(world, "found")
    before = footprint(hazard)
    with pytest.raises(InvalidTransition):
        act(world.town_office_a, hazard, "teleport")
    assert footprint(hazard) == before


def test_failed_recheck_sends_the_rectification_back_with_a_new_deadline(world):
    hazard = hazard_in_state(world, "submitted")
    act(world.inspector_a, hazard, "fail", note="线路仍裸露", deadline=days(3), photos=[photo()])
    hazard.refresh_from_db()
    report = hazard.reports.get()
    assert (hazard.status, hazard.deadline) == (S.RECTIFYING, days(3))
    assert (report.outcome, report.recheck_note, report.rechecked_by) == (
        ReportOutcome.FAILED,
        "线路仍裸露",
        world.inspector_a,
    )
    assert report.photos.filter(kind="evidence").count() == 1


# --- The generated page docs/hazard-workflow.md ---------------------------------------------------


@pytest.mark.django_db(databases=[])
def test_the_committed_workflow_page_is_up_to_date():
    """Fails when the transition table (or a label) changed without running
    ``manage.py workflow_diagram``."""
    call_command("workflow_diagram", "--check", stdout=io.StringIO())


@pytest.mark.django_db(databases=[])
def test_workflow_diagram_writes_the_page_and_check_finds_it_stale(tmp_path):
    page = tmp_path / "docs" / "hazard-workflow.md"
    with pytest.raises(CommandError):
        call_command("workflow_diagram", "--check", "--output", str(page), stdout=io.StringIO())
    call_command("workflow_diagram", "--output", str(page), stdout=io.StringIO())
    text = page.read_text(encoding="utf-8")
    assert mermaid() in text.replace("```mermaid\n", "")
    for t in TRANSITIONS.values():
        assert f"| `{t.action}` |" in text
        assert f"`{t.permission}`" in text
    call_command("workflow_diagram", "--check", "--output", str(page), stdout=io.StringIO())
    page.write_text(text.replace("`approve_closure`", "`close_by_listing`"), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("workflow_diagram", "--check", "--output", str(page), stdout=io.StringIO())
