"""Stored report runs (统计报表存档): the figures as they were sent upward, reproducible later."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anjian.core.scoping import ScopedQuerySet
from anjian.stats.periods import PeriodKind


class StoredRunQuerySet(ScopedQuerySet):
    """A run is seen within the region it was stored for (the town, the village or the district
    of its figures): a town user never sees a district's or another town's run."""

    scope_path = "region__path"
    view_action = "stats.view"


class StoredRun(models.Model):
    """One computation of the statistics, kept with its parameters, result and a hash of its
    figures, so that what was reported can be shown again and compared with today's figures."""

    label = models.CharField(_("label"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("stored by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("stored at"), auto_now_add=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region of the figures"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    period_kind = models.CharField(_("kind of period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    params = models.JSONField(
        _("parameters"),
        default=dict,
        help_text=_("The period, the region and the committee the figures were computed for."),
    )
    scope_label = models.CharField(_("scope"), max_length=200, blank=True)
    result = models.JSONField(_("result"), default=dict)
    result_hash = models.CharField(_("SHA-256 of the figures"), max_length=64)

    objects = StoredRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("stored report run")
        verbose_name_plural = _("stored report runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_kind__in=PeriodKind.values),
                name="stored_run_period_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="stored_run_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.scope_label} {self.period_start}–{self.period_end}"
