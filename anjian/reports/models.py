"""Safety-situation analysis meetings (安全形势分析会): when a town met and which period it looked
at, so that the next meeting's pack can say what changed since."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.scoping import ScopedQuerySet
from anjian.stats.periods import Period, PeriodKind, period_make


class AnalysisMeetingQuerySet(ScopedQuerySet):
    """A meeting is seen within its town: the town's officials and the district above it."""

    scope_path = "region__path"
    view_action = "reports.view"


class AnalysisMeeting(models.Model):
    """One analysis meeting of a town and the period whose figures it looked at."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=120)
    period_kind = models.CharField(_("kind of period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = AnalysisMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("analysis meeting")
        verbose_name_plural = _("analysis meetings")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_kind__in=PeriodKind.values),
                name="analysis_meeting_period_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="analysis_meeting_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["region", "held_on"], name="meeting_region_held_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def period(self) -> Period:
        start: datetime.date = self.period_start
        return period_make(
            self.period_kind,
            year=start.year,
            month=start.month,
            quarter=(start.month - 1) // 3 + 1,
            start=start,
            end=self.period_end,
        )
