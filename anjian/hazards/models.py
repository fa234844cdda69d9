"""The hazard loop (隐患闭环): hazards, their photos, rectification reports, extensions, the major
hazard's governance plan, assessments and resumption, reminders, monthly self-inspection reports,
the Order 16 statistics statements and public tip-offs.

``Hazard.status`` and ``Hazard.version`` are written only by ``anjian.hazards.services`` through the
transition table of ``anjian.hazards.workflow``. Overdue is derived (``HazardQuerySet.overdue``).
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.models import TimeStampedModel
from anjian.core.scoping import ScopedQuerySet
from anjian.hazards.choices import (
    OPEN_STATUSES,
    AssessmentConclusion,
    DeadlineMode,
    ExtensionStatus,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
    HazardType,
    ListingLevel,
    MonthlyReportKind,
    PhotoKind,
    PlanStatus,
    ReminderKind,
    ReportOutcome,
    ResumptionDecision,
    StatementPeriod,
    TipOffStatus,
)

USER = settings.AUTH_USER_MODEL
MAX_HAZARD_PHOTOS = 9


class HazardSubGrade(models.Model):
    """An optional, office-configurable refinement of the legal level (e.g. 重大 一级/二级/三级)."""

    level = models.CharField(_("hazard level"), max_length=10, choices=HazardLevel.choices)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    town = models.ForeignKey(
        "regions.Region",
        verbose_name=_("town"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: shared by every town (kept by the district)."),
    )

    class Meta:
        verbose_name = _("hazard sub-grade")
        verbose_name_plural = _("hazard sub-grades")
        ordering = ["level", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


def overdue_q(on: datetime.date) -> Q:
    """Overdue on ``on``: open, with a deadline before ``on`` (a rectification submitted in time
    and awaiting re-check is not the unit's delay). For aggregates (``Count(filter=…)``); lists use
    ``Hazard.objects.overdue(on)``."""
    return Q(status__in=(HazardStatus.FOUND, HazardStatus.RECTIFYING), deadline__lt=on)


def hazard_code(
    pk: int | None, found_at: datetime.datetime | None, tz: datetime.tzinfo | None = None
) -> str:
    """YH + the year found (in the town's time zone: a hazard found at 07:00 on 1 January in
    Beijing belongs to the new year) + the record number, e.g. YH2026-000123. A list passes the
    current time zone (``tz``) once for all its rows."""
    year = timezone.localtime(found_at, tz).year if found_at else ""
    return f"YH{year}-{pk or 0:06d}"


def unit_region_paths(unit_ids) -> dict[int, str]:
    """Unit id → the path of its village (what a hazard's ``region_path`` copies)."""
    from anjian.units.models import Unit

    return dict(Unit.objects.filter(pk__in=set(unit_ids)).values_list("pk", "region__path"))


class HazardQuerySet(ScopedQuerySet):
    # The unit's region path, copied onto the hazard (``Hazard.region_path``): the busiest lists
    # and counts are scoped without joining the unit and the region.
    scope_path = "region_path"
    scope_path_lookup = "under"  # hazard_open_path_idx has the pattern operators
    scope_unit = "unit_id"
    scope_committee = "unit__committee_id"

    def bulk_create(self, objs, *args, **kwargs):
        """Hazards written in bulk (demo, benchmarks, tests) get their unit's region path too."""
        objs = list(objs)
        paths = unit_region_paths(o.unit_id for o in objs if not o.region_path)
        for obj in objs:
            obj.region_path = obj.region_path or paths[obj.unit_id]
        return super().bulk_create(objs, *args, **kwargs)

    def open(self) -> HazardQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, on: datetime.date) -> HazardQuerySet:
        return self.filter(overdue_q(on))

    def major(self) -> HazardQuerySet:
        return self.filter(level=HazardLevel.MAJOR)


class Hazard(TimeStampedModel):
    """One accident hazard (事故隐患) found at a unit, from discovery until it is struck off."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="hazards"
    )
    # The path of the unit's village, copied when the hazard is recorded and when the unit moves
    # (``services.hazards_follow_unit``); it scopes the hazard. Never edited by hand.
    region_path = models.CharField(_("region path"), max_length=200, editable=False)
    # --- What and where ---------------------------------------------------------------------------
    location = models.CharField(_("location"), max_length=200)
    description = models.TextField(_("description"))
    hazard_type = models.CharField(_("type"), max_length=20, choices=HazardType.choices)
    category = models.CharField(_("category"), max_length=20, choices=HazardCategory.choices)
    level = models.CharField(
        _("hazard level"), max_length=10, choices=HazardLevel.choices, default=HazardLevel.GENERAL
    )
    sub_grade = models.ForeignKey(
        HazardSubGrade,
        verbose_name=_("sub-grade"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    # --- Who found it, how and when -------------------------------------------------------------
    source = models.CharField(_("source"), max_length=20, choices=HazardSource.choices)
    found_by = models.ForeignKey(
        USER,
        verbose_name=_("found by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hazards_found",
    )
    found_by_name = models.CharField(_("finder's name"), max_length=60, blank=True)
    found_at = models.DateTimeField(_("found at"))
    # --- The rectification (五定: person, deadline, measures, funds, acceptance) ------------------
    requirement = models.TextField(_("rectification requirement"), blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=50, blank=True)
    responsible_mobile = models.CharField(
        _("responsible person's mobile"), max_length=20, blank=True
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    deadline_mode = models.CharField(
        _("deadline set as"),
        max_length=12,
        choices=DeadlineMode.choices,
        default=DeadlineMode.CALENDAR,
    )
    deadline_working_days = models.PositiveSmallIntegerField(
        _("working days allowed"), null=True, blank=True
    )
    original_deadline = models.DateField(
        _("original deadline"),
        null=True,
        blank=True,
        help_text=_("The first deadline, kept when an extension moves the deadline."),
    )
    measures = models.TextField(_("measures and interim controls"), blank=True)
    funds = models.DecimalField(
        _("funds (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    acceptance_criterion = models.TextField(_("acceptance criterion"), blank=True)
    # --- The state (written only by the workflow service) -----------------------------------------
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=HazardStatus.choices,
        default=HazardStatus.FOUND,
        editable=False,
        db_index=True,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, editable=False)
    ordered_at = models.DateTimeField(_("rectification ordered at"), null=True, editable=False)
    ordered_by = models.ForeignKey(
        USER,
        verbose_name=_("ordered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    submitted_by = models.ForeignKey(
        USER,
        verbose_name=_("rectification submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, editable=False)
    closed_by = models.ForeignKey(
        USER,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    closed_on_spot = models.BooleanField(_("rectified on the spot"), default=False, editable=False)
    spot_rechecked = models.BooleanField(
        _("on-the-spot rectification re-checked"), default=False, editable=False
    )
    cancelled_reason = models.TextField(_("reason for cancellation"), blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    # --- Major hazards: interim measures and listing for supervision (挂牌督办) ------------------
    interim_withdrawal = models.BooleanField(_("workers withdrawn"), default=False)
    interim_suspension = models.BooleanField(_("production suspended"), default=False)
    interim_warning_signs = models.BooleanField(_("warning signs set"), default=False)
    interim_note = models.TextField(_("other interim measures"), blank=True)
    listing_level = models.CharField(
        _("listed for supervision by"), max_length=10, choices=ListingLevel.choices, blank=True
    )
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)
    listed_by = models.ForeignKey(
        USER,
        verbose_name=_("listed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # --- Links ------------------------------------------------------------------------------------
    tip_off = models.OneToOneField(
        "hazards.TipOff",
        verbose_name=_("tip-off"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hazard",
    )
    reported_by = models.ForeignKey(
        USER,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hazards_recorded",
    )

    objects = HazardQuerySet.as_manager()

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-found_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=HazardStatus.values), name="hazard_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(level__in=HazardLevel.values), name="hazard_level_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=HazardStatus.CLOSED) | Q(closed_at__isnull=False),
                name="hazard_closed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[HazardStatus.FOUND, HazardStatus.CANCELLED])
                | Q(status=HazardStatus.CLOSED, closed_on_spot=True)
                | Q(deadline__isnull=False),
                name="hazard_ordered_has_deadline",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="hazard_unit_status_idx"),
            models.Index(fields=["status", "deadline"], name="hazard_status_deadline_idx"),
            models.Index(fields=["-found_at", "-id"], name="hazard_found_idx"),
            # The open hazards are the lists' default and a small part of all hazards: their
            # counts (by unit, level, deadline) read this index alone on PostgreSQL.
            models.Index(
                fields=["status", "unit"],
                include=["level", "deadline"],
                condition=Q(status__in=OPEN_STATUSES),
                name="hazard_open_idx",
            ),
            # The open hazards of an area (a town's, a village's): the lists' counts by scope
            # read this index alone on PostgreSQL (a path prefix needs the pattern operators).
            models.Index(
                fields=["region_path", "status"],
                include=["level", "deadline"],
                condition=Q(status__in=OPEN_STATUSES),
                opclasses=["varchar_pattern_ops", "varchar_ops"],
                name="hazard_open_path_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description[:30]}"

    def save(self, *args, **kwargs):
        if not self.region_path and self.unit_id:
            self.region_path = unit_region_paths([self.unit_id])[self.unit_id]
        super().save(*args, **kwargs)

    @property
    def code(self) -> str:
        """The number people quote: YH + year found + the record number (e.g. YH2026-000123)."""
        return hazard_code(self.pk, self.found_at)

    @property
    def is_major(self) -> bool:
        return self.level == HazardLevel.MAJOR

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class HazardScopedQuerySet(ScopedQuerySet):
    """Rows that belong to one hazard: visible wherever the hazard is."""

    scope_path = "hazard__region_path"
    scope_path_lookup = "under"
    scope_unit = "hazard__unit_id"
    scope_committee = "hazard__unit__committee_id"
    view_action = "hazards.view"


def photo_upload_to(instance: HazardPhoto, filename: str) -> str:
    return f"hazards/{instance.hazard_id}/{filename}"


class RectificationReport(models.Model):
    """The unit's report of one round of rectification and the re-check that judged it."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="reports"
    )
    round = models.PositiveSmallIntegerField(_("round"))
    description = models.TextField(_("what was done"))
    cost = models.DecimalField(
        _("cost (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    on_spot = models.BooleanField(_("rectified on the spot"), default=False)
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("submitted by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=ReportOutcome.choices, default=ReportOutcome.PENDING
    )
    rechecked_by = models.ForeignKey(
        USER,
        verbose_name=_("re-checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rechecked_at = models.DateTimeField(_("re-checked at"), null=True, blank=True)
    recheck_note = models.TextField(_("re-check opinion"), blank=True)

    objects = HazardScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification report")
        verbose_name_plural = _("rectification reports")
        ordering = ["hazard", "round"]
        constraints = [
            models.UniqueConstraint(fields=["hazard", "round"], name="report_round_once")
        ]

    def __str__(self) -> str:
        return f"{self.hazard.code} #{self.round}"


class HazardPhoto(models.Model):
    """A photo of a hazard: as found (up to 9), after rectification (paired with a before-photo),
    or other evidence. The original is kept with its SHA-256; a resized copy is shown."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="photos"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind.choices)
    report = models.ForeignKey(
        RectificationReport,
        verbose_name=_("rectification report"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    pairs_with = models.ForeignKey(
        "self",
        verbose_name=_("before-photo it answers"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )
    image = models.FileField(_("image"), upload_to=photo_upload_to)
    original = models.FileField(_("original file"), upload_to=photo_upload_to)
    sha256 = models.CharField(_("SHA-256 of the original"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size of the original (bytes)"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at (EXIF)"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude (EXIF)"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude (EXIF)"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = HazardScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")
        ordering = ["hazard", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.hazard_id}/{self.kind}/{self.pk}"


class HazardEvent(models.Model):
    """The hazard's timeline: one row per thing that happened to it (shown to the unit too)."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="events"
    )
    type = models.CharField(_("event"), max_length=40)
    actor = models.ForeignKey(
        USER,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_status = models.CharField(_("from status"), max_length=12, blank=True)
    to_status = models.CharField(_("to status"), max_length=12, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = HazardScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard events")
        ordering = ["hazard", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.type}"


class ExtensionRequest(models.Model):
    """The unit asks for more time; the office decides. The old deadline is kept beside the new."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="extensions"
    )
    requested_deadline = models.DateField(_("requested deadline"))
    previous_deadline = models.DateField(_("deadline when requested"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        USER, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    granted_deadline = models.DateField(_("granted deadline"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = HazardScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["hazard", "requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="one_pending_extension",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} → {self.requested_deadline}"


class GovernancePlan(models.Model):
    """The governance plan of a major hazard (治理方案, Order 16 Art 15) with its six parts."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="plans"
    )
    goals = models.TextField(_("goals and tasks"))
    methods = models.TextField(_("methods and measures"))
    funds_materials = models.TextField(_("funds and materials"))
    funds_amount = models.DecimalField(
        _("funds (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    organisation = models.TextField(_("responsible body and persons"))
    time_limit = models.DateField(_("time limit"))
    time_requirements = models.TextField(_("time limit and requirements"), blank=True)
    safety_measures = models.TextField(_("safety measures and contingency plan"))
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("submitted by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_by = models.ForeignKey(
        USER,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = HazardScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("governance plan")
        verbose_name_plural = _("governance plans")
        ordering = ["hazard", "submitted_at"]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.get_status_display()}"


class MajorAssessment(models.Model):
    """The assessment after a major hazard's remediation (own experts or an assessment body)."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="assessments"
    )
    assessor = models.CharField(_("assessed by"), max_length=100)
    assessed_on = models.DateField(_("assessed on"))
    conclusion = models.CharField(
        _("conclusion"), max_length=10, choices=AssessmentConclusion.choices
    )
    summary = models.TextField(_("assessment opinion"))
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    objects = HazardScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["hazard", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.assessor}"


class ResumptionApplication(models.Model):
    """A written application to resume production after a suspended major hazard (Art 18)."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="resumptions"
    )
    content = models.TextField(_("application"))
    applied_by = models.ForeignKey(
        USER, verbose_name=_("applied by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"))
    decision = models.CharField(
        _("decision"),
        max_length=10,
        choices=ResumptionDecision.choices,
        default=ResumptionDecision.PENDING,
    )
    decided_by = models.ForeignKey(
        USER,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = HazardScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("resumption application")
        verbose_name_plural = _("resumption applications")
        ordering = ["hazard", "applied_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"],
                condition=Q(decision=ResumptionDecision.PENDING),
                name="one_pending_resumption",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.get_decision_display()}"


class HazardReminder(models.Model):
    """One reminder or escalation about one hazard for one deadline: never sent twice."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    deadline = models.DateField(_("for the deadline"))
    sent_on = models.DateField(_("sent on"))
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)

    objects = HazardScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hazard reminder")
        verbose_name_plural = _("hazard reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["hazard", "kind", "deadline"], name="hazard_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.kind} {self.deadline}"


class UnitScopedQuerySet(ScopedQuerySet):
    scope_path = "unit__region__path"
    scope_unit = "unit_id"
    scope_committee = "unit__committee_id"
    view_action = "hazards.view"


class MonthlyReport(TimeStampedModel):
    """An enterprise unit's monthly self-inspection report (月报): its hazards or a signed
    statement that none was found."""

    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="monthly_reports",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reported."))
    kind = models.CharField(_("kind"), max_length=12, choices=MonthlyReportKind.choices)
    hazards = models.ManyToManyField(
        Hazard, verbose_name=_("hazards"), blank=True, related_name="monthly_reports"
    )
    checks_done = models.PositiveSmallIntegerField(_("self-checks done"), default=0)
    note = models.TextField(_("note"), blank=True)
    signed_name = models.CharField(_("signed by"), max_length=50)
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("submitted by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly self-inspection report")
        verbose_name_plural = _("monthly self-inspection reports")
        ordering = ["-month", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="monthly_report_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="monthly_report_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m}"


class StatisticsStatement(models.Model):
    """The quarterly or annual hazard statistics table of Order 16 Art 14, as generated from the
    records and signed by the unit's principal; the figures are stored as submitted."""

    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="hazard_statements",
    )
    period = models.CharField(_("period"), max_length=10, choices=StatementPeriod.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    figures = models.JSONField(_("figures"), default=dict)
    principal_name = models.CharField(_("signed by the principal"), max_length=50)
    signed_at = models.DateTimeField(_("signed at"))
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("submitted by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hazard statistics statement")
        verbose_name_plural = _("hazard statistics statements")
        ordering = ["-year", "-quarter", "unit"]
        constraints = [
            # Two partial constraints instead of nulls_distinct=False, which SQLite ignores.
            models.UniqueConstraint(
                fields=["unit", "period", "year", "quarter"],
                condition=Q(quarter__isnull=False),
                name="statement_quarter_once",
            ),
            models.UniqueConstraint(
                fields=["unit", "period", "year"],
                condition=Q(quarter__isnull=True),
                name="statement_year_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.quarter or ''}"


def new_receipt_code() -> str:
    """A receipt code the reporter keeps to follow a tip-off: 12 unambiguous characters."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class TipOffQuerySet(ScopedQuerySet):
    scope_path = "town__path"
    view_action = "hazards.triage_tip_offs"


class TipOff(TimeStampedModel):
    """A public tip-off (举报) sent without logging in, triaged by the town office."""

    town = models.ForeignKey(
        "regions.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tip_offs",
    )
    place = models.CharField(_("place"), max_length=200)
    description = models.TextField(_("what you saw"))
    contact_name = models.CharField(_("your name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("your phone"), max_length=20, blank=True)
    receipt_code = models.CharField(
        _("receipt code"), max_length=16, unique=True, default=new_receipt_code, editable=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TipOffStatus.choices, default=TipOffStatus.NEW
    )
    triaged_by = models.ForeignKey(
        USER,
        verbose_name=_("triaged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    dismiss_reason = models.TextField(_("reason for dismissal"), blank=True)
    public_reply = models.TextField(_("reply to the reporter"), blank=True)
    client_hash = models.CharField(
        _("sender fingerprint"), max_length=64, blank=True, editable=False
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = TipOffQuerySet.as_manager()

    class Meta:
        verbose_name = _("tip-off")
        verbose_name_plural = _("tip-offs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["client_hash", "created_at"], name="tipoff_client_idx")]

    def __str__(self) -> str:
        return f"{self.receipt_code} {self.place}"


def tipoff_photo_upload_to(instance: TipOffPhoto, filename: str) -> str:
    return f"tipoffs/{instance.tip_off_id}/{filename}"


class TipOffPhotoQuerySet(ScopedQuerySet):
    scope_path = "tip_off__town__path"
    view_action = "hazards.triage_tip_offs"


class TipOffPhoto(models.Model):
    """A photo sent with a tip-off (the original and its SHA-256 kept, a resized copy shown)."""

    tip_off = models.ForeignKey(
        TipOff, verbose_name=_("tip-off"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("image"), upload_to=tipoff_photo_upload_to)
    original = models.FileField(_("original file"), upload_to=tipoff_photo_upload_to)
    sha256 = models.CharField(_("SHA-256 of the original"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size of the original (bytes)"))
    taken_at = models.DateTimeField(_("taken at (EXIF)"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude (EXIF)"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude (EXIF)"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    objects = TipOffPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("tip-off photo")
        verbose_name_plural = _("tip-off photos")
        ordering = ["tip_off", "pk"]

    def __str__(self) -> str:
        return f"{self.tip_off_id}/{self.pk}"
