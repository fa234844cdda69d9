"""The demo town's plan of the year it is loaded in: published, with the demo's inspections linked; loading twice
creates nothing the second time."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from anjian.accounts.models import User
from anjian.demo.loader import DemoReport, load_demo
from anjian.demo.plan_demo import LATE_TASKS, load_demo_plans
from anjian.plans.models import InspectionPlan
from anjian.plans.selectors import plan_progress

pytestmark = pytest.mark.django_db


def test_the_demo_plan_is_published_with_some_tasks_done_and_some_late():
    first = load_demo()  # the loader makes the plan (load_demo_plans)
    assert first.created["inspection plans"] == 1 and first.created["inspection tasks"] > 100
    assert first.created.get("inspection tasks linked", 0) >= 2
    year = timezone.localdate().year
    plan = InspectionPlan.objects.get(year=year, town__name="场口镇")
    assert plan.status == "published"
    office = User.objects.get(username="ck_office")
    progress = plan_progress(office, plan, on=datetime.date(year, 12, 31))
    assert progress.total.done >= 2 and progress.total.late > 0
    # A town in the middle of its year: what fell due is done but for a few named late.
    today = timezone.localdate()
    now = plan_progress(office, plan, on=today)
    past = plan.tasks.filter(due_date__lt=today)
    assert now.total.late <= LATE_TASKS + 2
    assert past.done().count() >= 0.9 * past.count()
    assert now.total.done >= past.count() - now.total.late
    second = DemoReport()
    load_demo_plans(second)
    assert second.total == 0
