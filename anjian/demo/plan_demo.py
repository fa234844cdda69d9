"""The annual plan of the demo town 场口镇: this year's plan (the year the demo is loaded in),
generated from the town's frequencies (the demo town visits less often than the defaults: a few
hundred town inspections a year, not a monthly visit of every orange unit) with a fixed seed for
the random draw, published; the demo's inspections linked to the tasks they fit (same unit and
kind, the month of the inspection or the nearest one).

A town in the middle of its year has done most of what was due: every task due before the day
the demo is loaded (and every other one of this month so far) gets a finished inspection dated
in its month, except a few left late: the town inspections of the last month that fell due
(``LATE_TASKS`` of them), named in the plan's progress as late. These back-filled inspections are
demo history, written in bulk like the backdated hazards (see ``hazard_demo``): each is what
``inspection_finish`` leaves behind for a clean visit (every item of the general checklist
passed, both sides signed, the lead among the officers), dated on its day; they write no audit
entry (the audit trail records only what the services did on the day the loader ran).

Idempotent: the plan is found by town and year, an inspection already linked is skipped, and the
back-fill only fills tasks without an inspection (the late ones stay late).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db.models import F, Func, IntegerField
from django.utils import timezone

from anjian.accounts.models import User
from anjian.inspections.choices import InspectionKind, InspectionStatus, ItemResult
from anjian.inspections.models import Inspection
from anjian.plans.choices import PlanStatus
from anjian.plans.models import FrequencyRule, InspectionPlan, InspectionTask
from anjian.plans.services import (
    frequency_rule_update,
    frequency_rules_ensure,
    plan_generate,
    plan_publish,
    task_link,
)
from anjian.regions.models import Region

DEMO_SHARE = 20
LATE_TASKS = 5
NAMESPACE = uuid.UUID("0b7e3c52-9a4d-4f7e-8c1a-5d2e6f9a1b30")
K = InspectionKind
# Visits a year by grade and kind of inspector in the demo town (the defaults ask for more).
DEMO_FREQUENCIES = {
    str(K.TOWN_INSPECTION): {"red": 4, "orange": 2, "yellow": 2, "blue": 1},
    str(K.VILLAGE_PATROL): {"red": 4, "orange": 2, "yellow": 2, "blue": 1},
}


def demo_plan_year(today: datetime.date) -> int:
    """The year of the demo plan: the year the demo is loaded in (pure)."""
    return today.year


def demo_seed(year: int) -> int:
    """The seed of the year's random draw (双随机): the same town and year, the same draw."""
    return year * 10000 + 101


@dataclass(frozen=True)
class TaskFacts:
    pk: int
    month: int
    due_date: datetime.date
    kind: str


def demo_done_day(task: TaskFacts, year: int, today: datetime.date) -> datetime.date | None:
    """The day the demo inspected ``task`` by ``today``, or None when it is still to do (pure):
    a day of its month before its due date and before today; in the current month only every
    other task has been done so far."""
    first = datetime.date(year, task.month, 1)
    last = min(task.due_date, today - datetime.timedelta(days=1))
    if last < first:
        return None
    if task.due_date >= today and task.pk % 2:
        return None
    return first + datetime.timedelta(days=(task.pk * 7) % ((last - first).days + 1))


def demo_late_tasks(tasks: list[TaskFacts], today: datetime.date) -> set[int]:
    """The few tasks left late (pure): the town inspections of the latest due date before today,
    the first ``LATE_TASKS`` of them."""
    due = [t for t in tasks if t.due_date < today and t.kind == K.TOWN_INSPECTION]
    if not due:
        return set()
    latest = max(t.due_date for t in due)
    same_day = sorted((t for t in due if t.due_date == latest), key=lambda t: t.pk)
    return {t.pk for t in same_day[:LATE_TASKS]}


def demo_back_filled(plan: InspectionPlan) -> set[int]:
    """The ids of the inspections the back-fill made for ``plan`` (by their client keys)."""
    return {
        inspection_id
        for task_id, inspection_id, key in plan.tasks.filter(inspection__isnull=False).values_list(
            "pk", "inspection_id", "inspection__client_key"
        )
        if key == uuid.uuid5(NAMESPACE, f"{plan.pk}:{task_id}")
    }


class _Abs(Func):
    function = "ABS"
    output_field = IntegerField()


def _fitting_task(plan: InspectionPlan, inspection: Inspection) -> InspectionTask | None:
    month = inspection.started_at.month if inspection.started_at.year == plan.year else 12
    return (
        plan.tasks.filter(unit=inspection.unit_id, kind=inspection.kind, inspection__isnull=True)
        .annotate(distance=_Abs(F("month") - month))
        .order_by("distance", "-month", "pk")
        .first()
    )


def _demo_frequencies(office, town: Region) -> None:
    frequency_rules_ensure(actor=office, town_id=town.pk)
    rules = FrequencyRule.objects.filter(town=town, category__isnull=True)
    for rule in rules:
        visits = DEMO_FREQUENCIES.get(rule.kind, {}).get(rule.grade)
        if visits is not None and visits != rule.visits_per_year:
            frequency_rule_update(actor=office, rule_id=rule.pk, visits_per_year=visits)


def load_demo_plans(report) -> None:
    from anjian.demo import town as demo_town

    town = Region.objects.filter(code=demo_town.TOWN_CODE).first()
    office = User.objects.filter(username="ck_office").first()
    if town is None or office is None:
        return
    year = demo_plan_year(timezone.localdate())
    plan = InspectionPlan.objects.filter(town=town, year=year).first()
    if plan is None:
        _demo_frequencies(office, town)
        plan = plan_generate(
            actor=office, town_id=town.pk, year=year, random_share=DEMO_SHARE, seed=demo_seed(year)
        )
        report.add("inspection plans")
        report.add("inspection tasks", plan.tasks_created)
    if plan.status == PlanStatus.DRAFT:
        plan_publish(actor=office, plan_id=plan.pk, expected_version=plan.version)
    inspections = (
        Inspection.objects.filter(unit__region__parent=town, plan_task__isnull=True)
        .exclude(status=InspectionStatus.CANCELLED)
        .order_by("started_at", "pk")
    )
    for inspection in inspections:
        task = _fitting_task(plan, inspection)
        if task is None:
            continue
        task_link(actor=office, task_id=task.pk, inspection_id=inspection.pk)
        report.add("inspection tasks linked")


def load_demo_plan_history(report) -> None:
    """Finished inspections for the tasks done by today (see the module docstring). Called last
    by the loader: the other parts of the demo choose units not inspected yet."""
    from anjian.demo import town as demo_town

    office = User.objects.filter(username="ck_office").first()
    plan = InspectionPlan.objects.filter(
        town__code=demo_town.TOWN_CODE, year=demo_plan_year(timezone.localdate())
    ).first()
    if plan is None or office is None:
        return
    from anjian.demo.inspection_demo import _signature_png
    from anjian.inspections.checklist_defaults import GENERAL_CODE
    from anjian.inspections.choices import VersionStatus
    from anjian.inspections.models import ChecklistItem, ChecklistVersion, InspectionResult

    now = timezone.now()
    today = timezone.localdate(now)
    rows = list(plan.tasks.order_by("pk").values_list("pk", "month", "due_date", "kind"))
    facts = [TaskFacts(*row) for row in rows]
    late = demo_late_tasks(facts, today)
    open_tasks = {
        t.pk: t
        for t in plan.tasks.filter(inspection__isnull=True).select_related("unit", "assignee")
    }
    todo = []
    for fact in facts:
        task = open_tasks.get(fact.pk)
        if task is None or fact.pk in late:
            continue
        day = demo_done_day(fact, plan.year, today)
        if day is not None:
            todo.append((task, day))
    checklist = (
        ChecklistVersion.objects.filter(
            template__code=GENERAL_CODE,
            template__region__isnull=True,
            status=VersionStatus.PUBLISHED,
        )
        .order_by("-number")
        .first()
    )
    if not todo or checklist is None:
        return
    items = list(ChecklistItem.objects.filter(section__version=checklist).order_by("pk"))
    signatures: dict[str, str] = {}
    inspections = []
    for task, day in todo:
        lead = task.assignee or office
        started = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(9 + task.pk % 7, (task.pk * 13) % 60))
        )
        started = min(started, now - datetime.timedelta(hours=2))
        signatory = (task.unit.principal_name or "企业负责人")[:50]
        for name in (signatory, lead.name or lead.username):
            if name not in signatures:
                signatures[name] = _signature_png(name)
        inspection = Inspection(
            unit=task.unit,
            checklist=checklist,
            kind=task.kind,
            status=InspectionStatus.FINISHED,
            client_key=uuid.uuid5(NAMESPACE, f"{plan.pk}:{task.pk}"),
            lead=lead,
            started_at=started,
            finished_at=started + datetime.timedelta(minutes=70),
            place="生产经营场所",
            summary="按检查表逐项检查，未发现问题。",
            unit_signatory=signatory,
            unit_signature=signatures[signatory],
            inspector_signature=signatures[lead.name or lead.username],
        )
        inspections.append(inspection)
    Inspection.objects.bulk_create(inspections, batch_size=500)
    for inspection in inspections:
        inspection.created_at = inspection.started_at
        inspection.updated_at = inspection.finished_at
    Inspection.objects.bulk_update(inspections, ["created_at", "updated_at"], batch_size=500)
    Inspection.officers.through.objects.bulk_create(
        [Inspection.officers.through(inspection=i, user=i.lead) for i in inspections],
        batch_size=500,
    )
    InspectionResult.objects.bulk_create(
        [
            InspectionResult(
                inspection=inspection,
                item=item,
                result=ItemResult.PASS,
                answered_at=inspection.started_at + datetime.timedelta(minutes=2 * n),
                answered_by=inspection.lead,
            )
            for inspection in inspections
            for n, item in enumerate(items)
        ],
        batch_size=1000,
    )
    tasks = []
    for (task, _day), inspection in zip(todo, inspections, strict=True):
        task.inspection = inspection
        task.version += 1
        tasks.append(task)
    InspectionTask.objects.bulk_update(tasks, ["inspection", "version"], batch_size=500)
    report.add("inspections", len(inspections))
    report.add("inspection tasks done", len(tasks))
