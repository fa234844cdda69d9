"""Progress, late tasks, starting the inspection of a task, and who sees which tasks."""

from __future__ import annotations

import datetime
import uuid

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404

from anjian.audit.models import AuditEntry
from anjian.inspections.models import Inspection
from anjian.inspections.services import inspection_cancel
from anjian.inspections.tests.factories import make_checklist
from anjian.plans import services
from anjian.plans.models import InspectionPlan, InspectionTask
from anjian.plans.selectors import late_tasks_for, my_tasks_for, plan_progress
from anjian.plans.tests.factories import contract_expert, finished_inspection, start_plain

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2026, 6, 15)


@pytest.fixture
def checklist(world):
    return make_checklist()


@pytest.fixture
def plan(world):
    contract_expert(world)
    return services.plan_generate(
        actor=world.town_office_a, town_id=world.town_a.pk, year=2026, random_share=0, seed=3
    )


def first_task(unit, kind="town_inspection"):
    return InspectionTask.objects.filter(unit=unit, kind=kind).order_by("month").first()


def test_a_finished_inspection_marks_its_task_done_and_the_rest_are_late(world, plan, checklist):
    task = first_task(world.unit_a)
    inspection = services.task_start(actor=world.inspector_a, task_id=task.pk)
    assert inspection.kind == "town_inspection" and inspection.checklist_id == checklist.pk
    before = plan_progress(world.town_office_a, plan, on=JUNE)
    assert before.total.done == 0
    finished_inspection(world.inspector_a, Inspection.objects.get(pk=inspection.pk))
    progress = plan_progress(world.town_office_a, plan, on=JUNE)
    assert progress.total.planned == plan.tasks.count()
    assert progress.total.done == 1
    overdue = plan.tasks.filter(due_date__lt=JUNE).count()
    assert progress.total.late == overdue - 1
    january = next(r for r in progress.by_month if r.key == task.month)
    assert january.done == 1
    person = next(r for r in progress.by_person if r.key == world.inspector_a.pk)
    assert person.done == 1
    kinds = {r.key: r for r in progress.by_kind}
    assert set(kinds) == {"town_inspection", "expert_check", "village_patrol"}
    late = list(late_tasks_for(world.town_office_a, plan_id=plan.pk, on=JUNE))
    assert task not in late and len(late) == overdue - 1
    assert all(t.state == "late" for t in late)


def test_a_cancelled_inspection_leaves_the_task_open_and_it_can_be_started_again(
    world, plan, checklist
):
    task = first_task(world.unit_a)
    first = services.task_start(actor=world.inspector_a, task_id=task.pk)
    inspection_cancel(
        actor=world.inspector_a, inspection_id=first.pk, expected_version=1, reason="走错单位"
    )
    second = services.task_start(actor=world.inspector_a, task_id=task.pk)
    assert second.pk != first.pk
    task.refresh_from_db()
    assert task.inspection_id == second.pk


def test_starting_a_task_is_idempotent(world, plan, checklist):
    task = first_task(world.unit_a)
    key = uuid.uuid4()
    one = services.task_start(actor=world.inspector_a, task_id=task.pk, client_key=key)
    two = services.task_start(actor=world.inspector_a, task_id=task.pk, client_key=key)
    three = services.task_start(actor=world.inspector_a, task_id=task.pk)
    assert one.pk == two.pk == three.pk
    assert Inspection.objects.count() == 1
    assert AuditEntry.objects.filter(action="inspection_task.started").count() == 1
    task.refresh_from_db()
    assert task.inspection_id == one.pk


def test_an_expert_starts_an_expert_check_of_a_contracted_unit(world, plan, checklist):
    task = first_task(world.unit_a, "expert_check")
    assert task.assignee == world.expert_a
    inspection = services.task_start(actor=world.expert_a, task_id=task.pk)
    assert inspection.kind == "expert_check" and inspection.lead == world.expert_a
    with pytest.raises(Http404):
        services.task_start(actor=world.expert_a, task_id=first_task(world.unit_a2).pk)


def test_linking_an_inspection_made_without_the_task(world, plan, checklist):
    inspection = start_plain(world.inspector_a, world.unit_a, checklist)
    finished_inspection(world.inspector_a, inspection)
    task = first_task(world.unit_a)
    services.task_link(actor=world.town_office_a, task_id=task.pk, inspection_id=inspection.pk)
    assert plan_progress(world.town_office_a, plan, on=JUNE).total.done == 1
    other = InspectionTask.objects.filter(unit=world.unit_a2).first()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.task_link(actor=world.town_office_a, task_id=other.pk, inspection_id=inspection.pk)


def test_who_sees_which_tasks(world, plan):
    def units(persona):
        return set(
            InspectionTask.objects.for_action(world.users[persona], "plans.view").values_list(
                "unit_id", flat=True
            )
        )

    both = {world.unit_a.pk, world.unit_a2.pk}
    assert units("town_office_a") == both == units("inspector_a") == units("leader_a")
    assert units("district_officer") == both
    assert units("expert_a") == {world.unit_a.pk}  # the contracted unit
    assert units("village_officer_a") == {world.unit_a.pk}  # the village's unit
    assert units("committee_member_a") == {world.unit_a.pk}  # the sector's unit
    assert units("enterprise_a") == set() == units("department_a") == units("town_office_b")
    # An expert sees the plan (with the progress of the tasks it sees), not the other town.
    assert InspectionPlan.objects.for_action(world.expert_a, "plans.view").get() == plan
    assert not InspectionPlan.objects.for_action(world.town_office_b, "plans.view").exists()
    progress = plan_progress(world.expert_a, plan, on=JUNE)
    assert progress.total.planned == plan.tasks.filter(unit=world.unit_a).count()
    with pytest.raises(PermissionDenied):
        services.task_reassign(
            actor=world.inspector_a, task_id=first_task(world.unit_a).pk, assignee_id=None
        )


def test_my_tasks_put_this_month_first_then_the_late_ones(world, plan):
    with time_machine.travel(datetime.datetime(2026, 6, 10, 10), tick=False):
        qs, _f = my_tasks_for(world.inspector_a, {})
        tasks = list(qs)
    assert tasks and all(t.assignee_id == world.inspector_a.pk for t in tasks)
    months = [t.month for t in tasks]
    this_month = [m for m in months if m == 6]
    assert months[: len(this_month)] == this_month
    rest = tasks[len(this_month) :]
    states = [t.state for t in rest]
    assert states == sorted(states, key=lambda s: s != "late")
