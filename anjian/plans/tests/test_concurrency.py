"""Two people generate the same town's plan, or add the same frequency, at the same moment
(PostgreSQL, real connections).

Each thread has its own database connection and its own transaction; a barrier releases them
together. The town's row is the lock: the second caller waits for the first to commit, then finds
the plan the first made and generates its draft again, as a second generation would. Neither gets
an error from the database.
"""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from anjian.accounts.roles import Role
from anjian.audit.models import AuditEntry
from anjian.core.testing.concurrency import run_at_once
from anjian.core.testing.world import second_user
from anjian.inspections.models import Inspection
from anjian.inspections.tests.factories import make_checklist
from anjian.plans import services
from anjian.plans.models import FrequencyRule, InspectionPlan, InspectionTask
from anjian.plans.tests.factories import bulk_units, contract_expert, start_plain
from anjian.units.models import Category

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

YEARS = range(2026, 2031)
SEED = 7
TASK_ROW = ("unit_id", "month", "kind", "assignee_id", "is_random")


def task_rows(plan) -> list[tuple]:
    return sorted(InspectionTask.objects.filter(plan=plan).values_list(*TASK_ROW))


def test_two_first_generations_at_once_make_one_plan_with_one_schedule(world):
    other = second_user(world, "office_a2", Role.TOWN_OFFICE)
    bulk_units([world.village_a1, world.village_a2], 150)
    for year in YEARS:
        race = run_at_once(
            {
                name: lambda actor=actor, year=year: services.plan_generate(
                    actor=actor, town_id=world.town_a.pk, year=year, seed=SEED
                )
                for name, actor in [("first", world.town_office_a), ("second", other)]
            }
        )
        assert race.raised == {}, race.raised
        plan = InspectionPlan.objects.get(town=world.town_a, year=year)
        assert {r.pk for r in race.results.values()} == {plan.pk}
        # Generated twice, one after the other: created, then its draft generated again.
        assert plan.version == 3
        assert (
            AuditEntry.objects.filter(
                action="inspection_plan.generated", target_id=str(plan.pk)
            ).count()
            == 2
        )
        rows = task_rows(plan)
        assert rows
        visits = [(unit, month, kind, drawn) for unit, month, kind, _who, drawn in rows]
        assert len(visits) == len(set(visits)), "a visit planned twice"
        # The same schedule a single generation with the same seed makes now.
        services.plan_generate(
            actor=world.town_office_a, town_id=world.town_a.pk, year=year, seed=SEED
        )
        assert task_rows(plan) == rows
    assert InspectionPlan.objects.filter(town=world.town_a).count() == len(YEARS)
    assert FrequencyRule.objects.filter(town=world.town_a).count() == 12
    assert AuditEntry.objects.filter(action="frequency_rules.defaults_created").count() == 1


def test_the_same_frequency_added_twice_at_once_is_added_once(world):
    other = second_user(world, "office_a2", Role.TOWN_OFFICE)
    for round_ in range(5):
        category = Category.objects.create(
            code=f"fire-key-{round_}", name=f"消防重点单位{round_}", group="fire"
        )
        race = run_at_once(
            {
                name: lambda actor=actor, code=category.code: services.frequency_rule_create(
                    actor=actor,
                    town_id=world.town_a.pk,
                    category_code=code,
                    kind="town_inspection",
                    visits_per_year=12,
                )
                for name, actor in [("first", world.town_office_a), ("second", other)]
            }
        )
        assert len(race.results) == 1, race.raised
        (refusal,) = race.raised.values()
        assert isinstance(refusal, ValidationError)
        assert refusal.message_dict == {
            "category_code": ["This category already has a frequency for this kind."]
        }
        assert FrequencyRule.objects.filter(town=world.town_a, category=category).count() == 1


def test_one_inspection_linked_to_two_tasks_at_once_goes_to_one(world):
    """Two people link the same inspection, made without a task, to two tasks of its unit at once:
    one link is made, the other is told the inspection belongs to another task (not a 500)."""
    other = second_user(world, "office_a2", Role.TOWN_OFFICE)
    checklist = make_checklist()
    contract_expert(world)
    for year in (2026, 2027, 2028):
        plan = services.plan_generate(
            actor=world.town_office_a, town_id=world.town_a.pk, year=year, random_share=0, seed=3
        )
        first, second = plan.tasks.filter(unit=world.unit_a, kind="town_inspection")[:2]
        inspection = start_plain(world.inspector_a, world.unit_a, checklist)
        race = run_at_once(
            {
                name: lambda actor=actor, task=task, inspection=inspection: services.task_link(
                    actor=actor, task_id=task.pk, inspection_id=inspection.pk
                )
                for name, actor, task in [
                    ("first", world.town_office_a, first),
                    ("second", other, second),
                ]
            }
        )
        assert len(race.results) == 1, race.raised
        (refusal,) = race.raised.values()
        assert isinstance(refusal, ValidationError), refusal
        assert refusal.message_dict == {"inspection": ["This inspection belongs to another task."]}
        assert InspectionTask.objects.filter(inspection=inspection).count() == 1
        assert (
            AuditEntry.objects.filter(
                action="inspection_task.linked", target_id__in=[str(first.pk), str(second.pk)]
            ).count()
            == 1
        )


def test_two_tasks_started_at_once_with_one_client_key_start_one_inspection(world):
    """An app that sends the same client key for two tasks at the same moment: one task gets the
    inspection, the other is told to start with a new key (not a 500)."""
    make_checklist()
    contract_expert(world)
    for year in (2026, 2027, 2028):
        plan = services.plan_generate(
            actor=world.town_office_a, town_id=world.town_a.pk, year=year, random_share=0, seed=3
        )
        tasks = plan.tasks.filter(unit=world.unit_a, kind="town_inspection")[:2]
        key = uuid.uuid4()
        race = run_at_once(
            {
                f"task {task.pk}": lambda task=task, key=key: services.task_start(
                    actor=world.inspector_a, task_id=task.pk, client_key=key
                )
                for task in tasks
            }
        )
        assert len(race.results) == 1, race.raised
        (refusal,) = race.raised.values()
        assert isinstance(refusal, ValidationError), refusal
        assert "belongs to another task" in refusal.message_dict["client_key"][0]
        inspection = Inspection.objects.get(client_key=key)
        assert InspectionTask.objects.filter(inspection=inspection).count() == 1
