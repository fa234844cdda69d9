"""The annual inspection plan (年度执法检查计划) of a town.

``FrequencyRule``: how many visits a year a unit gets, by supervision grade or by category, for
each kind of inspector (town inspector, contracted expert, village officer); editable per town.
``InspectionPlan``: one per town and year, generated from the rules (draft), then published.
``InspectionTask``: one planned visit of a unit in a month, with its due date (the month's last
working day), its kind, the person assigned, whether the random draw (双随机) chose it, and the
inspection made for it. Whether a task is done is derived from that inspection (finished), never
stored: ``InspectionTaskQuerySet.with_state``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.models import TimeStampedModel
from anjian.core.scoping import ScopedQuerySet
from anjian.inspections.choices import InspectionKind, InspectionStatus
from anjian.plans.choices import (
    DEFAULT_RANDOM_SHARE,
    PLAN_KIND_CHOICES,
    VISIT_CHOICES,
    PlanStatus,
    TaskState,
)
from anjian.units.models import Grade

USER = settings.AUTH_USER_MODEL
VIEW = "plans.view"
MANAGE = "plans.manage"


class FrequencyRuleQuerySet(ScopedQuerySet):
    scope_path = "town__path"
    view_action = VIEW


class FrequencyRule(TimeStampedModel):
    """Visits a year for the units of one grade, or carrying one category, by one kind of
    inspector. A unit gets, for each kind, the most visits any of its rules asks for."""

    town = models.ForeignKey(
        "regions.Region", verbose_name=_("town"), on_delete=models.CASCADE, related_name="+"
    )
    grade = models.CharField(
        _("supervision grade"), max_length=8, choices=Grade.choices, blank=True
    )
    category = models.ForeignKey(
        "units.Category",
        verbose_name=_("unit category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PLAN_KIND_CHOICES)
    visits_per_year = models.PositiveSmallIntegerField(
        _("visits a year"), choices=VISIT_CHOICES, default=0
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = FrequencyRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection frequency")
        verbose_name_plural = _("inspection frequencies")
        ordering = ["town", "category", "grade", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(grade="") & Q(category__isnull=False))
                | (~Q(grade="") & Q(category__isnull=True)),
                name="frequency_rule_grade_or_category",
            ),
            models.UniqueConstraint(
                fields=["town", "grade", "kind"],
                condition=Q(category__isnull=True),
                name="frequency_rule_once_per_grade",
            ),
            models.UniqueConstraint(
                fields=["town", "category", "kind"],
                condition=Q(category__isnull=False),
                name="frequency_rule_once_per_category",
            ),
        ]

    def __str__(self) -> str:
        target = self.category.name if self.category_id else self.get_grade_display()
        return f"{target} · {self.get_kind_display()} · {self.visits_per_year}"


class InspectionPlanQuerySet(ScopedQuerySet):
    """A plan is the town's; people who see tasks of it (an expert, a village officer, a committee
    member) see the plan too, with the progress of their own tasks."""

    scope_path = "town__path"
    view_action = VIEW

    def for_action(self, user, action: str = "view"):
        scoped = super().for_action(user, action)
        if self.qualify(action) != VIEW:
            return scoped
        tasks = InspectionTask.objects.for_action(user, VIEW).values("plan_id")
        return self.filter(Q(pk__in=scoped.values("pk")) | Q(pk__in=tasks))


class InspectionPlan(TimeStampedModel):
    """The year's plan of one town: its tasks, generated from the frequencies."""

    town = models.ForeignKey(
        "regions.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PlanStatus.choices,
        default=PlanStatus.DRAFT,
        editable=False,
    )
    random_share = models.PositiveSmallIntegerField(
        _("share drawn at random, per cent"),
        default=DEFAULT_RANDOM_SHARE,
        help_text=_("Of the units that are not key units, this share is drawn at random (双随机)."),
    )
    random_seed = models.BigIntegerField(_("seed of the random draw"), default=0, editable=False)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        USER,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = InspectionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["-year", "town", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["town", "year"], name="one_plan_per_town_and_year"),
            models.CheckConstraint(
                condition=Q(random_share__lte=100), name="plan_random_share_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.town} {self.year}"

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT


class InspectionTaskQuerySet(ScopedQuerySet):
    scope_path = "unit__region__path"
    scope_unit = "unit_id"
    scope_committee = "unit__committee_id"
    view_action = VIEW

    def done(self):
        return self.filter(inspection__status=InspectionStatus.FINISHED)

    def not_done(self):
        return self.exclude(inspection__status=InspectionStatus.FINISHED)

    def late(self, on: datetime.date | None = None):
        """Not done and the due date has passed."""
        return self.not_done().filter(due_date__lt=on or timezone.localdate())

    def open(self):
        """Not done: planned, being inspected or late."""
        return self.not_done()

    def with_state(self, on: datetime.date | None = None):
        """Annotate ``state`` (a ``TaskState`` value) from the inspection and the due date."""
        today = on or timezone.localdate()
        return self.annotate(
            state=Case(
                When(inspection__status=InspectionStatus.FINISHED, then=Value(TaskState.DONE)),
                When(due_date__lt=today, then=Value(TaskState.LATE)),
                When(
                    inspection__status=InspectionStatus.IN_PROGRESS,
                    then=Value(TaskState.IN_PROGRESS),
                ),
                default=Value(TaskState.PLANNED),
                output_field=models.CharField(),
            )
        )

    def in_state(self, state: str, on: datetime.date | None = None):
        today = on or timezone.localdate()
        if state == TaskState.DONE:
            return self.done()
        if state == TaskState.LATE:
            return self.late(today)
        upcoming = self.not_done().filter(due_date__gte=today)
        if state == TaskState.IN_PROGRESS:
            return upcoming.filter(inspection__status=InspectionStatus.IN_PROGRESS)
        if state == TaskState.PLANNED:
            return upcoming.exclude(inspection__status=InspectionStatus.IN_PROGRESS)
        return self


class InspectionTask(models.Model):
    """One planned visit of a unit in a month of the plan's year."""

    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="plan_tasks"
    )
    month = models.PositiveSmallIntegerField(_("month"))
    due_date = models.DateField(_("due by"))
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=InspectionKind.choices,
        default=InspectionKind.TOWN_INSPECTION,
    )
    assignee = models.ForeignKey(
        USER,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_tasks",
    )
    is_random = models.BooleanField(_("drawn at random (双随机)"), default=False)
    inspection = models.OneToOneField(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_task",
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = InspectionTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection task")
        verbose_name_plural = _("inspection tasks")
        ordering = ["due_date", "unit_id", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12), name="task_month_1_to_12"
            )
        ]
        indexes = [
            models.Index(fields=["plan", "month"], name="task_plan_month_idx"),
            models.Index(fields=["assignee", "due_date"], name="task_assignee_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.plan.year}-{self.month:02d} {self.get_kind_display()}"
