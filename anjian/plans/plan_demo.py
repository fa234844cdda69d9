"""The annual plan of the demo town 场口镇: this year's plan (the year the demo is loaded) generated from the default frequencies
(with a fixed seed for the random draw), published, and the demo's inspections linked to the
tasks they fit (same unit and kind, the month of the inspection or the nearest one), so that the
progress shows some tasks done, one being inspected and the rest planned or late.

Idempotent: the plan is found by town and year, an inspection already linked is skipped.
"""

from __future__ import annotations

from django.db.models import F, Func, IntegerField
from django.utils import timezone

from anjian.accounts.models import User
from anjian.inspections.choices import InspectionStatus
from anjian.inspections.models import Inspection
from anjian.plans.choices import PlanStatus
from anjian.plans.models import InspectionPlan, InspectionTask
from anjian.plans.services import plan_generate, plan_publish, task_link
from anjian.regions.models import Region

DEMO_SHARE = 20


def demo_plan_year(today) -> int:
    """The year of the demo plan: the year the demo is loaded in (pure)."""
    return today.year


def demo_seed(year: int) -> int:
    """The seed of the year's random draw (双随机): the same town and year, the same draw."""
    return year * 10000 + 101


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


def load_demo_plans(report) -> None:
    from anjian.demo import town as demo_town

    town = Region.objects.filter(code=demo_town.TOWN_CODE).first()
    office = User.objects.filter(username="ck_office").first()
    if town is None or office is None:
        return
    year = demo_plan_year(timezone.localdate())
    plan = InspectionPlan.objects.filter(town=town, year=year).first()
    if plan is None:
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
