"""Campaigns (专项整治) and joint enforcement actions (联合执法): their period, departments, covered
categories of units, the department officers taking part and the inspections that count in them.

Scoping: officials reach the campaigns of their towns by the town's path; a department officer
only the campaigns they joined (``CampaignQuerySet.for_action``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.campaigns.choices import CampaignCategory, CampaignKind, CampaignStatus, Department
from anjian.core.models import TimeStampedModel
from anjian.core.scoping import ScopedQuerySet, get_scope

USER = settings.AUTH_USER_MODEL
DEPARTMENT_ROLE = "department"


class CampaignQuerySet(ScopedQuerySet):
    """Officials by the town's path; a department officer only the campaigns they joined."""

    scope_path = "region__path"
    view_action = "campaigns.view"

    def for_action(self, user, action: str = "view"):
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        from anjian.accounts.permissions import roles_for

        qualified = self.qualify(action)
        scope = get_scope(user)
        if scope.is_superuser:
            return self
        allowed = roles_for(qualified)
        q = Q()
        for grant in sorted(
            getattr(scope, "grants", ()), key=lambda g: (g.role, g.region_path or "")
        ):
            if grant.role not in allowed or not grant.region_path:
                continue
            cond = Q(region__path__startswith=grant.region_path)
            if grant.role == DEPARTMENT_ROLE:
                cond &= Q(
                    pk__in=CampaignParticipant.objects.filter(user_id=user.pk).values("campaign_id")
                )
            q |= cond
        return self.filter(q) if q else self.none()

    def with_status(self, today: datetime.date | None = None):
        """Annotate ``current_status``: finished once closed or past its end, planned before its
        start, otherwise under way."""
        today = today or timezone.localdate()
        return self.annotate(
            current_status=Case(
                When(closed_at__isnull=False, then=Value(CampaignStatus.FINISHED.value)),
                When(end_date__lt=today, then=Value(CampaignStatus.FINISHED.value)),
                When(start_date__gt=today, then=Value(CampaignStatus.PLANNED.value)),
                default=Value(CampaignStatus.ACTIVE.value),
                output_field=models.CharField(),
            )
        )

    def in_status(self, status: str, today: datetime.date | None = None):
        today = today or timezone.localdate()
        finished = Q(closed_at__isnull=False) | Q(end_date__lt=today)
        if status == CampaignStatus.FINISHED:
            return self.filter(finished)
        if status == CampaignStatus.PLANNED:
            return self.exclude(finished).filter(start_date__gt=today)
        if status == CampaignStatus.ACTIVE:
            return self.exclude(finished).filter(start_date__lte=today)
        return self


class Campaign(TimeStampedModel):
    """A special rectification campaign or a joint enforcement action of one town."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("town"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    name = models.CharField(_("name of the campaign"), max_length=120)
    kind = models.CharField(_("kind of campaign"), max_length=24, choices=CampaignKind.choices)
    start_date = models.DateField(_("starts on"))
    end_date = models.DateField(_("ends on"))
    lead_department = models.CharField(
        _("lead department"),
        max_length=20,
        choices=Department.choices,
        default=Department.EMERGENCY,
    )
    categories = models.JSONField(
        _("categories of units covered"),
        default=list,
        blank=True,
        help_text=_("Values of the campaign categories (临街商铺, 山塘水库…)."),
    )
    description = models.TextField(_("aims and arrangements"), blank=True)
    closed_at = models.DateTimeField(_("campaign closed at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        USER,
        verbose_name=_("campaign closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="campaign_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["region", "name", "start_date"], name="campaign_name_once_per_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def status_on(self, today: datetime.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.closed_at is not None or self.end_date < today:
            return CampaignStatus.FINISHED
        if self.start_date > today:
            return CampaignStatus.PLANNED
        return CampaignStatus.ACTIVE

    @property
    def status(self) -> str:
        return getattr(self, "current_status", None) or self.status_on()

    def phase(self, today: datetime.date | None = None) -> str:
        """The phase for the status table (``workflow.py``)."""
        from anjian.campaigns.workflow import phase_of

        return phase_of(
            start=self.start_date,
            end=self.end_date,
            closed=self.closed_at is not None,
            today=today or timezone.localdate(),
        )

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def category_labels(self) -> list[str]:
        labels = dict(CampaignCategory.choices)
        return [str(labels.get(c, c)) for c in self.categories]


class CampaignDepartment(models.Model):
    """A department joining the campaign (the lead department is on the campaign itself)."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="joining_departments",
    )
    department = models.CharField(
        _("joining department"), max_length=20, choices=Department.choices
    )

    class Meta:
        verbose_name = _("joining department")
        verbose_name_plural = _("joining departments")
        ordering = ["campaign", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "department"], name="campaign_department_once"
            )
        ]

    def __str__(self) -> str:
        return self.get_department_display()


class CampaignParticipant(models.Model):
    """A department officer (a user with a department role in the town) who joined the campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        USER,
        verbose_name=_("department officer"),
        on_delete=models.CASCADE,
        related_name="campaigns_joined",
    )
    department = models.CharField(
        _("officer's department"), max_length=20, choices=Department.choices
    )
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    added_by = models.ForeignKey(
        USER,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("campaign participant")
        verbose_name_plural = _("campaign participants")
        ordering = ["campaign", "department", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="campaign_participant_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_department_display()})"


class CampaignInspection(models.Model):
    """An inspection counting in one category of the campaign's tally."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="links"
    )
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        on_delete=models.CASCADE,
        related_name="campaign_links",
    )
    category = models.CharField(
        _("counts in category"), max_length=20, choices=CampaignCategory.choices
    )
    added_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    added_by = models.ForeignKey(
        USER,
        verbose_name=_("linked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("campaign inspection")
        verbose_name_plural = _("campaign inspections")
        ordering = ["campaign", "-inspection__started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "inspection"], name="campaign_inspection_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.inspection_id}"
