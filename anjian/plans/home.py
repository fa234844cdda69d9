"""The plan figures of the home page's cards (``anjian.core.home`` calls ``plan_cards``).

One aggregate query over the tasks of this month in the role's scope, plus one for the names of the
user's own open tasks where the role inspects: a fixed number of queries whatever the plan's size.
"""

from __future__ import annotations

import calendar
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.navigation import url_or_none
from anjian.plans.choices import PlanStatus
from anjian.plans.models import InspectionTask
from anjian.plans.selectors import DONE_Q
from anjian.units.models import Unit

VIEW = "plans.view"
MAX_NAMES = 12


def _month_figures(user, units_q: Q) -> dict[str, int]:
    today = timezone.localdate()
    tasks = InspectionTask.objects.for_action(user, VIEW).filter(
        unit__in=Unit.objects.filter(units_q), plan__status=PlanStatus.PUBLISHED
    )
    month = Q(due_date__year=today.year, due_date__month=today.month)
    return tasks.aggregate(
        planned=Count("pk", filter=month),
        done=Count("pk", filter=month & DONE_Q),
        late=Count("pk", filter=Q(due_date__lt=today) & ~DONE_Q),
    )


def town_plan_card(user, units_q: Q, card: type) -> Any:
    """The town's plan this month: tasks planned, done, and late tasks of the year so far."""
    figures = _month_figures(user, units_q)
    if not figures["planned"] and not figures["late"]:
        return card(
            title=_("Inspection plan this month"),
            empty=_("No inspection tasks are planned this month."),
            url=url_or_none("plans:plan_list"),
            testid="inspections",
        )
    return card(
        title=_("Inspection plan this month"),
        value=figures["done"],
        names=[
            str(_("%(done)s of %(planned)s tasks done") % figures),
            str(_("%(late)s late tasks") % figures),
        ],
        url=url_or_none("plans:plan_list"),
        testid="inspections",
    )


def my_tasks_card(user, units_q: Q, card: type) -> Any:
    """The user's own open tasks (this month's and the late ones), with the units' names."""
    today = timezone.localdate()
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    mine = (
        InspectionTask.objects.for_action(user, VIEW)
        .filter(
            unit__in=Unit.objects.filter(units_q), assignee=user, plan__status=PlanStatus.PUBLISHED
        )
        .filter(due_date__lte=month_end)
        .not_done()
        .order_by("due_date", "unit__name", "pk")
    )
    names = list(mine.values_list("unit__name", flat=True)[: MAX_NAMES + 1])
    more = 0
    if len(names) > MAX_NAMES:
        more = mine.count() - MAX_NAMES
        names = names[:MAX_NAMES]
    return card(
        title=_("My inspection tasks"),
        value=len(names) + more,
        names=names,
        more=more,
        url=url_or_none("plans:my_tasks"),
        empty="" if names else _("No open inspection tasks this month."),
        testid="tasks",
    )
