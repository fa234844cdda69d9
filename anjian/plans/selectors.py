"""Reads of the annual plan, always scoped (``for_action``): task lists with filters, a person's
own tasks (this month first), a unit's open tasks, the plan's progress by month, person, kind,
grade and category, and the late tasks. Every figure is counted by the database in a fixed number
of queries, whatever the size of the town."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.choices import choice_label
from anjian.core.filters import IdFilter, ModelChoiceFilter, YearFilter
from anjian.inspections.choices import InspectionKind, InspectionStatus
from anjian.plans.choices import PLAN_KIND_CHOICES, TaskState
from anjian.plans.models import VIEW, InspectionPlan, InspectionTask
from anjian.units.models import Grade
from anjian.units.services import categories_for

MONTH_CHOICES = [(m, m) for m in range(1, 13)]
DONE_Q = Q(inspection__status=InspectionStatus.FINISHED)


def _assignees(request):
    user = getattr(request, "user", None)
    visible = InspectionTask.objects.for_action(user, VIEW).values("assignee_id")
    return get_user_model().objects.filter(pk__in=visible).order_by("name", "username")


class TaskFilterSet(django_filters.FilterSet):
    year = YearFilter(label=_("Year"), field_name="plan__year")
    month = django_filters.ChoiceFilter(label=_("Month"), choices=MONTH_CHOICES)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PLAN_KIND_CHOICES)
    state = django_filters.ChoiceFilter(
        label=_("Status"), choices=TaskState.choices, method="filter_state"
    )
    assignee = ModelChoiceFilter(label=_("Assigned to"), queryset=_assignees, field_name="assignee")
    category = ModelChoiceFilter(
        label=_("Unit category"),
        queryset=lambda request: categories_for(request.user).filter(is_active=True),
        field_name="unit__categories",
    )
    grade = django_filters.ChoiceFilter(
        label=_("Supervision grade"), choices=Grade.choices, field_name="unit__grade"
    )
    is_random = django_filters.BooleanFilter(label=_("Drawn at random (双随机)"))
    plan = IdFilter(label=_("Plan"), field_name="plan_id")
    unit = IdFilter(label=_("Unit"), field_name="unit_id")

    class Meta:
        model = InspectionTask
        fields = ["year", "month", "kind", "state", "assignee", "category", "grade", "is_random"]

    def filter_state(self, queryset, name, value):
        return queryset.in_state(value) if value else queryset


@dataclass
class _Request:
    user: object


def task_search_q(text: str) -> Q:
    return (
        Q(unit__name__icontains=text)
        | Q(assignee__name__icontains=text)
        | Q(unit__region__name__icontains=text)
    )


def task_list_for(
    user,
    filters: Mapping | None = None,
    *,
    search: str = "",
    request=None,
    base=None,
    on: datetime.date | None = None,
):
    """(queryset, filterset): the tasks ``user`` may see, filtered, with their derived state."""
    qs = base if base is not None else InspectionTask.objects.for_action(user, VIEW)
    qs = qs.with_state(on).select_related("plan__town", "unit__region", "assignee", "inspection")
    search = (search or "").strip()
    if search:
        qs = qs.filter(task_search_q(search))
    filterset = TaskFilterSet(filters or {}, queryset=qs, request=request or _Request(user))
    return filterset.qs.order_by("due_date", "unit__name", "kind", "pk"), filterset


def my_tasks_for(user, filters: Mapping | None = None, *, search: str = "", request=None):
    """The tasks assigned to ``user``: this month's first, then the late ones, then the rest;
    done tasks only when asked for by the status filter."""
    today = timezone.localdate()
    base = InspectionTask.objects.for_action(user, VIEW).filter(assignee=user)
    if not (filters or {}).get("state"):
        base = base.not_done()
    qs, filterset = task_list_for(user, filters, search=search, request=request, base=base)
    qs = qs.annotate(
        rank=Case(
            When(due_date__year=today.year, due_date__month=today.month, then=Value(0)),
            When(due_date__lt=today, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "due_date", "unit__name", "pk")
    return qs, filterset


def unit_open_tasks_for(user, unit):
    """The open tasks of ``unit`` that ``user`` may see, the user's own first."""
    return (
        InspectionTask.objects.for_action(user, VIEW)
        .filter(unit=unit)
        .not_done()
        .with_state()
        .select_related("plan", "assignee", "inspection")
        .annotate(
            mine=Case(
                When(assignee=user, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("mine", "due_date", "pk")
    )


# --- Progress ------------------------------------------------------------------------------------


@dataclass
class ProgressRow:
    key: Any
    label: str
    planned: int = 0
    done: int = 0
    late: int = 0

    @property
    def open(self) -> int:
        return self.planned - self.done

    @property
    def rate(self) -> int:
        """Per cent done (rounded down)."""
        return (self.done * 100) // self.planned if self.planned else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": "" if self.key is None else str(self.key),
            "label": self.label,
            "planned": self.planned,
            "done": self.done,
            "late": self.late,
            "rate": self.rate,
        }


@dataclass
class Progress:
    plan: InspectionPlan
    on: datetime.date
    total: ProgressRow
    by_month: list[ProgressRow] = field(default_factory=list)
    by_person: list[ProgressRow] = field(default_factory=list)
    by_kind: list[ProgressRow] = field(default_factory=list)
    by_grade: list[ProgressRow] = field(default_factory=list)
    by_category: list[ProgressRow] = field(default_factory=list)

    def tables(self) -> list[tuple[str, Any, list[ProgressRow]]]:
        return [
            ("month", _("By month"), self.by_month),
            ("person", _("By person"), self.by_person),
            ("kind", _("By kind of inspector"), self.by_kind),
            ("grade", _("By supervision grade"), self.by_grade),
            ("category", _("By unit category"), self.by_category),
        ]


def _counts(today: datetime.date) -> dict[str, Any]:
    return {
        "n_planned": Count("pk", distinct=True),
        "n_done": Count("pk", filter=DONE_Q, distinct=True),
        "n_late": Count("pk", filter=Q(due_date__lt=today) & ~DONE_Q, distinct=True),
    }


def _rows(qs, key: str, label) -> list[ProgressRow]:
    return [
        ProgressRow(row[key], label(row), row["n_planned"], row["n_done"], row["n_late"])
        for row in qs
    ]


def plan_progress(
    user, plan: InspectionPlan, filters: Mapping | None = None, *, on: datetime.date | None = None
) -> Progress:
    """Planned, done and late tasks of ``plan`` that ``user`` may see: in total and by month,
    person, kind, grade and category (a task counts in each category its unit carries). Seven
    queries, whatever the size of the plan."""
    today = on or timezone.localdate()
    base = InspectionTask.objects.for_action(user, VIEW).filter(plan=plan)
    if filters:
        base = TaskFilterSet(filters, queryset=base, request=_Request(user)).qs
    counts = _counts(today)
    total = base.aggregate(**counts)
    nobody = str(_("Not assigned"))
    progress = Progress(
        plan=plan,
        on=today,
        total=ProgressRow(
            "", str(_("All tasks")), total["n_planned"], total["n_done"], total["n_late"]
        ),
    )
    months = {
        row.key: row
        for row in _rows(
            base.values("month").annotate(**counts).order_by("month"), "month", lambda r: ""
        )
    }
    progress.by_month = [  # every month, the empty ones too
        ProgressRow(
            m,
            f"{plan.year}-{m:02d}",
            *((months[m].planned, months[m].done, months[m].late) if m in months else (0, 0, 0)),
        )
        for m in range(1, 13)
    ]
    progress.by_person = _rows(
        base.values("assignee_id", "assignee__name", "assignee__username")
        .annotate(**counts)
        .order_by("assignee__name", "assignee_id"),
        "assignee_id",
        lambda r: r["assignee__name"] or r["assignee__username"] or nobody,
    )
    progress.by_kind = _rows(
        base.values("kind").annotate(**counts).order_by("kind"),
        "kind",
        lambda r: choice_label(InspectionKind, r["kind"]),
    )
    progress.by_grade = _rows(
        base.values("unit__grade").annotate(**counts).order_by("unit__grade"),
        "unit__grade",
        lambda r: (
            choice_label(Grade, r["unit__grade"]) if r["unit__grade"] else str(_("Not graded"))
        ),
    )
    progress.by_category = _rows(
        base.values("unit__categories__id", "unit__categories__name")
        .annotate(**counts)
        .order_by("unit__categories__name"),
        "unit__categories__id",
        lambda r: r["unit__categories__name"] or str(_("No category")),
    )
    return progress


def late_tasks_for(user, *, plan_id: int | None = None, on: datetime.date | None = None):
    """The tasks whose due date passed without a finished inspection, oldest first."""
    qs = InspectionTask.objects.for_action(user, VIEW).late(on)
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    return (
        qs.with_state(on)
        .select_related("plan__town", "unit__region", "assignee", "inspection")
        .order_by("due_date", "unit__name", "pk")
    )
