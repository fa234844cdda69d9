"""Generating the year's plan: counts per frequency, months spread, who is assigned, the random
draw (双随机), generating a draft again, publishing, and the frequencies."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from anjian.accounts.roles import Role
from anjian.accounts.services import role_assign, user_create
from anjian.audit.models import AuditEntry
from anjian.core.calendar import WorkingCalendar
from anjian.core.exceptions import InvalidTransition
from anjian.inspections.tests.factories import make_checklist
from anjian.plans import services
from anjian.plans.generation import draw_count, spread_months
from anjian.plans.models import FrequencyRule, InspectionTask
from anjian.plans.tests.factories import bulk_units, contract_expert
from anjian.units.models import Category

pytestmark = pytest.mark.django_db


def generate(world, **kwargs):
    kwargs.setdefault("year", 2026)
    kwargs.setdefault("seed", 7)
    return services.plan_generate(actor=world.town_office_a, town_id=world.town_a.pk, **kwargs)


def grade(world, unit, value):
    unit.grade = value
    unit.save(update_fields=["grade"])


def tasks_of(unit, kind="town_inspection", *, random=False):
    return list(
        InspectionTask.objects.filter(unit=unit, kind=kind, is_random=random).order_by("month")
    )


def test_defaults_are_created_on_first_use_and_visits_follow_the_grade(world):
    grade(world, world.unit_a, "red")
    grade(world, world.unit_a2, "yellow")
    generate(world, random_share=0)
    assert FrequencyRule.objects.filter(town=world.town_a).count() == 12
    assert len(tasks_of(world.unit_a)) == 12  # key unit: monthly
    assert [t.month for t in tasks_of(world.unit_a)] == list(range(1, 13))
    quarterly = tasks_of(world.unit_a2)
    assert len(quarterly) == 4
    assert sorted((t.month - 1) // 3 for t in quarterly) == [0, 1, 2, 3]  # one per quarter
    assert not InspectionTask.objects.filter(unit=world.unit_b).exists()


def test_due_date_is_the_last_working_day_of_the_month(world):
    grade(world, world.unit_a, "red")
    generate(world, random_share=0)
    cal = WorkingCalendar()
    for task in tasks_of(world.unit_a):
        assert task.due_date.month == task.month
        assert cal.is_working_day(task.due_date)
        later = task.due_date + datetime.timedelta(days=1)
        while later.month == task.month:
            assert not cal.is_working_day(later)
            later += datetime.timedelta(days=1)


def test_months_are_spread_and_load_balanced():
    assert spread_months(4, {}) == [1, 4, 7, 10]
    assert spread_months(4, {1: 5}) == [2, 5, 8, 11]
    assert spread_months(2, {m: 1 for m in range(1, 7)}) in ([1, 7], [2, 8], [3, 9])
    assert len(spread_months(1, {m: 1 for m in range(1, 13) if m != 9})) == 1
    assert spread_months(1, {m: 1 for m in range(1, 13) if m != 9}) == [9]
    assert spread_months(12, {}) == list(range(1, 13))


def test_quarterly_units_share_the_months_evenly(world):
    bulk_units([world.village_a1, world.village_a2], 30, grades=("yellow",))
    generate(world, random_share=0)
    per_month = Counter(
        InspectionTask.objects.filter(kind="town_inspection").values_list("month", flat=True)
    )
    assert max(per_month.values()) - min(per_month.values()) <= 1


def test_tasks_are_assigned_by_kind(world):
    contract_expert(world)
    generate(world, random_share=0)
    town = InspectionTask.objects.filter(unit=world.unit_a, kind="town_inspection")
    assert set(town.values_list("assignee", flat=True)) == {world.inspector_a.pk}
    expert = InspectionTask.objects.filter(unit=world.unit_a, kind="expert_check")
    assert expert.exists() and set(expert.values_list("assignee", flat=True)) == {world.expert_a.pk}
    village = InspectionTask.objects.filter(unit=world.unit_a, kind="village_patrol")
    assert set(village.values_list("assignee", flat=True)) == {world.village_officer_a.pk}
    # No engineer on contract at unit A2: no expert checks; its village has no officer.
    assert not InspectionTask.objects.filter(unit=world.unit_a2, kind="expert_check").exists()
    assert set(
        InspectionTask.objects.filter(unit=world.unit_a2, kind="village_patrol").values_list(
            "assignee", flat=True
        )
    ) == {None}


def test_town_inspections_go_to_the_least_loaded_inspector(world):
    second = user_create(
        actor=None, username="inspector_a_2", name="第二安监员", password="X#y12345678"
    )
    role_assign(actor=None, user=second, role=Role.INSPECTOR, region=world.town_a)
    bulk_units([world.village_a1], 40, grades=("yellow", "blue"))
    generate(world, random_share=0)
    load = Counter(
        InspectionTask.objects.filter(kind="town_inspection").values_list("assignee", flat=True)
    )
    assert set(load) == {world.inspector_a.pk, second.pk}
    assert abs(load[world.inspector_a.pk] - load[second.pk]) <= 4
    by_unit = defaultdict(set)
    for unit_id, person in InspectionTask.objects.filter(
        kind="town_inspection", is_random=False
    ).values_list("unit_id", "assignee"):
        by_unit[unit_id].add(person)
    assert all(len(people) == 1 for people in by_unit.values())  # one inspector per unit


def test_a_category_rule_raises_the_visits_of_its_units(world):
    category = Category.objects.create(code="fire-key", name="消防重点单位", group="fire")
    world.unit_a2.categories.add(category)
    services.frequency_rule_create(
        actor=world.town_office_a,
        town_id=world.town_a.pk,
        category_code="fire-key",
        kind="town_inspection",
        visits_per_year=12,
    )
    generate(world, random_share=0)
    assert len(tasks_of(world.unit_a2)) == 12
    assert len(tasks_of(world.unit_a)) == 2  # blue: half-yearly
    with pytest.raises(ValidationError):
        services.frequency_rule_create(
            actor=world.town_office_a,
            town_id=world.town_a.pk,
            category_code="fire-key",
            kind="town_inspection",
            visits_per_year=4,
        )


def test_a_frequency_change_applies_to_the_next_generation(world):
    services.frequency_rules_ensure(actor=world.town_office_a, town_id=world.town_a.pk)
    rule = FrequencyRule.objects.get(town=world.town_a, grade="blue", kind="town_inspection")
    services.frequency_rule_update(actor=world.town_office_a, rule_id=rule.pk, visits_per_year=4)
    assert AuditEntry.objects.filter(action="frequency_rule.updated").count() == 1
    generate(world, random_share=0)
    assert len(tasks_of(world.unit_a)) == 4
    with pytest.raises(ValidationError):
        services.frequency_rule_update(
            actor=world.town_office_a, rule_id=rule.pk, visits_per_year=5
        )
    with pytest.raises(Http404):
        services.frequency_rule_update(
            actor=world.town_office_b, rule_id=rule.pk, visits_per_year=2
        )


def test_the_random_draw_is_reproducible_and_within_the_share(world):
    units = bulk_units([world.village_a1, world.village_a2], 50, grades=("yellow", "blue", "red"))
    key = {u.pk for u in units if u.grade == "red"}
    plan = generate(world, random_share=20, seed=12345)
    drawn = list(
        InspectionTask.objects.filter(is_random=True).values_list("unit_id", "month", "assignee")
    )
    candidates = 2 + sum(1 for u in units if u.grade != "red")  # unit A and A2 are blue
    assert len(drawn) == draw_count(candidates, 20) > 0
    assert not {unit for unit, _m, _a in drawn} & key  # key units are never drawn
    assert all(a == world.inspector_a.pk for _u, _m, a in drawn)
    entry = AuditEntry.objects.filter(action="inspection_plan.generated").latest("pk")
    assert entry.changes["seed"] == 12345 and entry.changes["random_share"] == 20
    assert sorted(entry.changes["random_units"]) == sorted(u for u, _m, _a in drawn)
    plan.refresh_from_db()
    assert plan.random_seed == 12345
    generate(world, random_share=20, seed=12345)  # the draft again: the same draw
    again = list(
        InspectionTask.objects.filter(is_random=True).values_list("unit_id", "month", "assignee")
    )
    assert sorted(again) == sorted(drawn)
    generate(world, random_share=20, seed=999)
    other = list(InspectionTask.objects.filter(is_random=True).values_list("unit_id", "month"))
    assert sorted(other) != sorted((u, m) for u, m, _a in drawn)


def test_generating_a_draft_again_keeps_the_inspected_tasks(world):
    checklist = make_checklist()
    grade(world, world.unit_a, "yellow")
    plan = generate(world, random_share=0)
    task = tasks_of(world.unit_a)[0]
    inspection = services.task_start(
        actor=world.inspector_a, task_id=task.pk, checklist_id=checklist.pk
    )
    generate(world, random_share=0)
    assert InspectionTask.objects.get(inspection=inspection).pk == task.pk
    assert len(tasks_of(world.unit_a)) == 4  # the kept one and three new ones
    assert plan.tasks.filter(unit=world.unit_a, kind="town_inspection").count() == 4


def test_a_published_plan_is_not_generated_again_and_changes_only_by_reassignment(world):
    plan = generate(world)
    services.plan_publish(
        actor=world.town_office_a, plan_id=plan.pk, expected_version=plan.version + 0
    )
    with pytest.raises(InvalidTransition):
        generate(world)
    task = tasks_of(world.unit_a)[0]
    with pytest.raises(ValidationError):
        services.task_reassign(
            actor=world.town_office_a, task_id=task.pk, assignee_id=world.town_office_a.pk
        )
    services.task_reassign(
        actor=world.town_office_a,
        task_id=task.pk,
        assignee_id=world.town_office_a.pk,
        reason="安监员病假",
    )
    task.refresh_from_db()
    assert task.assignee == world.town_office_a
    entry = AuditEntry.objects.get(action="inspection_task.reassigned")
    assert entry.reason == "安监员病假"
    with pytest.raises(ValidationError):  # an enterprise user may not inspect
        services.task_reassign(
            actor=world.town_office_a,
            task_id=task.pk,
            assignee_id=world.enterprise_a.pk,
            reason="越权",
        )


def test_only_the_office_of_the_town_generates(world):
    with pytest.raises(Http404):
        services.plan_generate(actor=world.town_office_b, town_id=world.town_a.pk, year=2026)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.plan_generate(actor=world.inspector_a, town_id=world.town_a.pk, year=2026)
    with pytest.raises(ValidationError):
        generate(world, year=1999)
