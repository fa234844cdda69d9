"""The plan's cards on the home page: the office's figures of this month and an inspector's own
open tasks equal what the tasks say."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from anjian.core.home import Card
from anjian.plans import services
from anjian.plans.home import my_tasks_card, town_plan_card
from anjian.plans.models import InspectionTask
from anjian.units.models import Unit

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def published(world):
    year = timezone.localdate().year
    plan = services.plan_generate(actor=world.town_office_a, town_id=world.town_a.pk, year=year)
    return services.plan_publish(actor=world.town_office_a, plan_id=plan.pk)


def _town_units(world):
    return Unit.objects.filter(region__path__startswith=world.town_a.path).values("pk")


def _month_with_tasks(plan) -> tuple[int, int]:
    """(year, month) of the plan's first task: the test travels there, so that "this month" has
    tasks whatever day the suite runs on (a three-unit town plans no task in some months, and in
    December none at all)."""
    first = InspectionTask.objects.filter(plan=plan).order_by("due_date").first()
    return first.due_date.year, first.due_date.month


@pytest.mark.parametrize("which_day", ["first", "last"])
def test_the_office_card_counts_this_months_tasks_of_the_published_plan(
    world, published, which_day
):
    from django.db.models import Q

    year, month = _month_with_tasks(published)
    first = datetime.date(year, month, 1)
    last = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(
        days=1
    )
    day = first if which_day == "first" else last
    moment = datetime.datetime.combine(day, datetime.time(23, 30), tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        today = timezone.localdate()
        assert today == day
        tasks = InspectionTask.objects.filter(plan=published)
        planned = tasks.filter(due_date__year=today.year, due_date__month=today.month).count()
        late = tasks.filter(due_date__lt=today).count()  # nothing inspected yet
        assert planned > 0
        card = town_plan_card(world.town_office_a, Q(pk__in=_town_units(world)), Card)
    assert card.value == 0  # none done
    assert card.names == [f"已完成 0 / {planned} 项任务", f"逾期未检 {late} 项"]


def test_an_inspectors_card_lists_the_units_of_their_own_open_tasks(world, published):
    from django.db.models import Q

    today = timezone.localdate()
    month_end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    mine = InspectionTask.objects.filter(
        plan=published, assignee=world.inspector_a, due_date__lt=month_end
    )
    card = my_tasks_card(world.inspector_a, Q(pk__in=_town_units(world)), Card)
    assert card.value == mine.count() > 0
    assert sorted(card.names) == sorted(mine.values_list("unit__name", flat=True))
    nobody = my_tasks_card(world.town_office_b, Q(pk__in=_town_units(world)), Card)
    assert nobody.value == 0 and nobody.names == []
