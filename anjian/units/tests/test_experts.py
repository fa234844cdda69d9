"""Experts on contract (包干制): assigning engineers, changes with a reason and the office's
approval, the engineer's scope following the decisions, notifications and the history."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from anjian.accounts.models import RoleAssignment
from anjian.accounts.roles import Role
from anjian.audit.models import AuditEntry
from anjian.core.exceptions import ActionNotPermitted, InvalidTransition, StaleObject
from anjian.notifications.models import Notification
from anjian.units import experts
from anjian.units.models import Engineer, ExpertAssignment, ServiceFirm, Unit

pytestmark = pytest.mark.django_db


@dataclass
class Firms:
    firm_a: ServiceFirm
    firm_b: ServiceFirm
    shen: Engineer  # linked to world.expert_a
    qian: Engineer
    lu: Engineer
    other_town: Engineer


def make_firms(world) -> Firms:
    firm_a = experts.firm_create(actor=world.town_office_a, region=world.town_a, name="富春安服")
    firm_b = experts.firm_create(actor=world.town_office_b, region=world.town_b, name="常安安服")
    return Firms(
        firm_a=firm_a,
        firm_b=firm_b,
        shen=experts.engineer_create(
            actor=world.town_office_a, firm=firm_a, name="沈注安", user=world.expert_a
        ),
        qian=experts.engineer_create(actor=world.town_office_a, firm=firm_a, name="钱安平"),
        lu=experts.engineer_create(actor=world.town_office_a, firm=firm_a, name="陆思远"),
        other_town=experts.engineer_create(actor=world.town_office_b, firm=firm_b, name="吴工"),
    )


@pytest.fixture
def firms(world) -> Firms:
    return make_firms(world)


def expert_units(user) -> set[int]:
    return set(
        RoleAssignment.objects.filter(user=user, role=Role.EXPERT, is_active=True).values_list(
            "unit_id", flat=True
        )
    )


def current_engineer(unit) -> int | None:
    return experts.active_engineer_ids_for_units([unit.pk]).get(unit.pk)


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_the_office_assigns_the_first_engineer_directly(world, firms):
    assignment = experts.expert_assign(
        actor=world.town_office_a, unit=world.unit_a, engineer=firms.qian
    )
    assert assignment.status == "active"
    assert assignment.starts_on is not None
    assert assignment.decided_by == world.town_office_a
    assert AuditEntry.objects.filter(
        action="expert_assignment.assigned", target_id=str(assignment.pk)
    ).exists()
    assert experts.active_engineer_ids_for_units([world.unit_a.pk, world.unit_a2.pk]) == {
        world.unit_a.pk: firms.qian.pk
    }


def test_a_change_without_a_reason_is_refused(world, firms):
    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a, engineer=firms.qian)
    with pytest.raises(ValidationError) as exc:
        experts.expert_assign(actor=world.inspector_a, unit=world.unit_a, engineer=firms.lu)
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError):
        experts.expert_assign(
            actor=world.town_office_a, unit=world.unit_a, engineer=firms.lu, reason="   "
        )
    assert ExpertAssignment.objects.filter(unit=world.unit_a).count() == 1


def test_a_change_waits_for_approval_and_approval_ends_the_old_engineer(world, firms):
    old = experts.expert_assign(actor=world.town_office_a, unit=world.unit_a, engineer=firms.qian)
    request = experts.expert_assign(
        actor=world.inspector_a, unit=world.unit_a, engineer=firms.lu, reason="钱工调岗"
    )
    assert request.status == "pending"
    assert request.requested_by == world.inspector_a
    assert experts.active_engineer_ids_for_units([world.unit_a.pk]) == {
        world.unit_a.pk: firms.qian.pk
    }
    approved = experts.expert_assignment_approve(
        actor=world.town_office_a, assignment_id=request.pk, note="同意"
    )
    old.refresh_from_db()
    assert approved.status == "active" and approved.decision_note == "同意"
    assert old.status == "ended" and old.ends_on is not None
    assert experts.active_engineer_ids_for_units([world.unit_a.pk]) == {
        world.unit_a.pk: firms.lu.pk
    }
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"expert_assignment.requested", "expert_assignment.approved"} <= actions
    assert "expert_assignment.ended" in actions


def test_a_rejected_change_keeps_the_engineer_and_needs_a_note(world, firms):
    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a, engineer=firms.qian)
    request = experts.expert_assign(
        actor=world.inspector_a, unit=world.unit_a, engineer=firms.lu, reason="钱工调岗"
    )
    with pytest.raises(ValidationError):
        experts.expert_assignment_reject(
            actor=world.town_office_a, assignment_id=request.pk, note=""
        )
    rejected = experts.expert_assignment_reject(
        actor=world.town_office_a, assignment_id=request.pk, note="年检前不换人"
    )
    assert rejected.status == "rejected" and rejected.decision_note == "年检前不换人"
    assert experts.active_engineer_ids_for_units([world.unit_a.pk]) == {
        world.unit_a.pk: firms.qian.pk
    }
    with pytest.raises(InvalidTransition):
        experts.expert_assignment_approve(actor=world.town_office_a, assignment_id=request.pk)
    history = experts.unit_experts_tab(world.town_office_a, world.unit_a)["history"]
    assert [a.status for a in history] == ["rejected", "active"]


def test_one_pending_change_per_unit(world, firms):
    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a, engineer=firms.qian)
    experts.expert_assign(actor=world.inspector_a, unit=world.unit_a, engineer=firms.lu, reason="a")
    with pytest.raises(ValidationError):
        experts.expert_assign(
            actor=world.town_office_a, unit=world.unit_a, engineer=firms.shen, reason="b"
        )


def test_the_requester_may_not_approve_their_own_request(world, firms, password):
    from anjian.accounts.services import role_assign, user_create

    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a, engineer=firms.qian)
    request = experts.expert_assign(
        actor=world.town_office_a, unit=world.unit_a, engineer=firms.lu, reason="调整"
    )
    with pytest.raises(ActionNotPermitted):
        experts.expert_assignment_approve(actor=world.town_office_a, assignment_id=request.pk)
    colleague = user_create(actor=None, username="office2", name="同事", password=password)
    role_assign(actor=None, user=colleague, role=Role.TOWN_OFFICE, region=world.town_a)
    assert (
        experts.expert_assignment_approve(actor=colleague, assignment_id=request.pk).status
        == "active"
    )


def test_only_the_office_decides_and_only_in_its_town(world, firms):
    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a, engineer=firms.qian)
    request = experts.expert_assign(
        actor=world.inspector_a, unit=world.unit_a, engineer=firms.lu, reason="调整"
    )
    with pytest.raises(PermissionDenied):
        experts.expert_assignment_approve(actor=world.inspector_a, assignment_id=request.pk)
    with pytest.raises(Http404):
        experts.expert_assignment_approve(actor=world.town_office_b, assignment_id=request.pk)
    with pytest.raises(PermissionDenied):
        experts.expert_assign(actor=world.enterprise_a, unit=world.unit_a, engineer=firms.lu)
    with pytest.raises(Http404):
        experts.expert_assign(
            actor=world.town_office_b, unit=world.unit_a, engineer=firms.lu, reason="x"
        )


def test_an_engineer_of_another_town_cannot_be_assigned(world, firms):
    with pytest.raises(ValidationError) as exc:
        experts.expert_assign(
            actor=world.town_office_a, unit=world.unit_a, engineer=firms.other_town
        )
    assert "engineer" in exc.value.message_dict


def test_the_engineers_scope_follows_the_approvals(world, firms):
    expert = world.expert_a
    # Linked to an engineer with no unit yet: the expert role covers nothing.
    assert expert_units(expert) == set()
    assert not Unit.objects.visible_to(fresh(expert)).exists()
    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a, engineer=firms.shen)
    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a2, engineer=firms.shen)
    assert set(Unit.objects.visible_to(fresh(expert)).values_list("pk", flat=True)) == {
        world.unit_a.pk,
        world.unit_a2.pk,
    }
    # The expert hands unit_a over; until the office approves, nothing changes.
    request = experts.expert_assign(
        actor=fresh(expert), unit=world.unit_a, engineer=firms.qian, reason="交接给钱工"
    )
    assert expert_units(expert) == {world.unit_a.pk, world.unit_a2.pk}
    experts.expert_assignment_approve(actor=world.town_office_a, assignment_id=request.pk)
    assert set(Unit.objects.visible_to(fresh(expert)).values_list("pk", flat=True)) == {
        world.unit_a2.pk
    }
    assert AuditEntry.objects.filter(action="role.revoked").exists()
    # Linking the account to nobody removes the rest.
    experts.engineer_update(actor=world.town_office_a, engineer_id=firms.shen.pk, user=None)
    assert expert_units(expert) == set()


def test_linking_an_account_gives_it_the_engineers_units(world, firms):
    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a2, engineer=firms.lu)
    experts.engineer_update(
        actor=world.town_office_a, engineer_id=firms.lu.pk, user=world.inspector_a
    )
    assert expert_units(world.inspector_a) == {world.unit_a2.pk}
    with pytest.raises(ValidationError):  # one account, one engineer
        experts.engineer_update(
            actor=world.town_office_a, engineer_id=firms.qian.pk, user=world.inspector_a
        )


def test_the_office_is_notified_once_and_the_requester_on_the_decision(world, firms, password):
    from anjian.accounts.services import role_assign, user_create

    colleague = user_create(actor=None, username="office2", name="同事", password=password)
    role_assign(actor=None, user=colleague, role=Role.TOWN_OFFICE, region=world.town_a)
    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a, engineer=firms.qian)
    request = experts.expert_assign(
        actor=world.inspector_a, unit=world.unit_a, engineer=firms.lu, reason="调整"
    )
    notified = Notification.objects.filter(kind="units.expert_change_requested")
    assert set(notified.values_list("recipient_id", flat=True)) == {
        world.town_office_a.pk,
        colleague.pk,
    }
    assert not notified.filter(recipient=world.town_office_b).exists()
    experts._notify_requested(request)  # a second call creates nothing new
    assert notified.count() == 2
    experts.expert_assignment_reject(actor=colleague, assignment_id=request.pk, note="不同意")
    decided = Notification.objects.filter(recipient=world.inspector_a)
    assert decided.count() == 1
    assert decided.get().kind == "units.expert_change_rejected"
    assert "/experts/" in decided.get().link


def test_firms_and_engineers_are_scoped_by_town(world, firms):
    office_a = set(experts.firm_list_for(world.town_office_a).values_list("pk", flat=True))
    assert office_a == {firms.firm_a.pk}
    district = set(experts.firm_list_for(world.district_officer).values_list("pk", flat=True))
    assert district == {firms.firm_a.pk, firms.firm_b.pk}
    assert not experts.firm_list_for(world.enterprise_a).exists()
    engineers_b = set(experts.engineer_list_for(world.town_office_b).values_list("pk", flat=True))
    assert engineers_b == {firms.other_town.pk}
    with pytest.raises(Http404):
        experts.firm_update(actor=world.town_office_b, firm_id=firms.firm_a.pk, name="改名")
    with pytest.raises(ValidationError):
        experts.firm_create(actor=world.town_office_a, region=world.town_b, name="越界")
    with pytest.raises(PermissionDenied):
        experts.firm_create(actor=world.inspector_a, region=world.town_a, name="无权")


def test_assignments_are_scoped_by_unit(world, firms):
    a = experts.expert_assign(actor=world.town_office_a, unit=world.unit_a, engineer=firms.qian)
    a2 = experts.expert_assign(actor=world.town_office_a, unit=world.unit_a2, engineer=firms.lu)
    b = experts.expert_assign(
        actor=world.town_office_b, unit=world.unit_b, engineer=firms.other_town
    )
    assert set(experts.assignment_list_for(world.enterprise_a).values_list("pk", flat=True)) == {
        a.pk
    }
    assert set(experts.assignment_list_for(world.town_office_a).values_list("pk", flat=True)) == {
        a.pk,
        a2.pk,
    }
    assert set(
        experts.assignment_list_for(world.district_officer).values_list("pk", flat=True)
    ) == {
        a.pk,
        a2.pk,
        b.pk,
    }


def test_firm_validation_speaks_clearly(world):
    with pytest.raises(ValidationError) as exc:
        experts.firm_create(
            actor=world.town_office_a,
            region=world.town_a,
            name="富春",
            credit_code="91330111MA2H000016",
            contract_from="2026-05-01",
            contract_to="2026-01-01",
        )
    errors = exc.value.message_dict
    assert "credit_code" in errors and "contract_to" in errors
    experts.firm_create(actor=world.town_office_a, region=world.town_a, name="富春")
    with pytest.raises(ValidationError) as exc:
        experts.firm_create(actor=world.town_office_a, region=world.town_a, name="富春")
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError):
        experts.firm_create(actor=world.town_office_a, region=world.village_a1, name="村里")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_approve_and_reject_exactly_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from anjian.accounts.services import role_assign, user_create
    from anjian.core.testing.world import PASSWORD, build_world

    world = build_world()
    firms = make_firms(world)
    colleague = user_create(actor=None, username="office2", name="同事", password=PASSWORD)
    role_assign(actor=None, user=colleague, role=Role.TOWN_OFFICE, region=world.town_a)
    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a, engineer=firms.qian)
    for round_no in range(3):
        request = experts.expert_assign(
            actor=world.inspector_a,
            unit=world.unit_a,
            engineer=firms.qian if current_engineer(world.unit_a) == firms.lu.pk else firms.lu,
            reason=f"第{round_no}次",
        )
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def run(fn, actor, request_id=request.pk, barrier=barrier, outcomes=outcomes):
            try:
                barrier.wait(timeout=10)
                fn(
                    actor=type(actor).objects.get(pk=actor.pk),
                    assignment_id=request_id,
                    note="并发",
                )
                outcomes.append("won")
            except (StaleObject, InvalidTransition):
                outcomes.append("lost")
            finally:
                connection.close()

        threads = [
            threading.Thread(
                target=run, args=(experts.expert_assignment_approve, world.town_office_a)
            ),
            threading.Thread(target=run, args=(experts.expert_assignment_reject, colleague)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(outcomes) == ["lost", "won"]
        request.refresh_from_db()
        assert request.status in {"active", "rejected"}
        assert ExpertAssignment.objects.filter(unit=world.unit_a, status="active").count() == 1
        assert not ExpertAssignment.objects.filter(unit=world.unit_a, status="pending").exists()
