"""Checklist templates (versioned) and inspections made with them.

A template has versions; a version has sections and items. Only a draft version changes: publishing
freezes it, and editing a published template starts a new draft (a copy). An inspection keeps the
version it used, so its record always shows what was asked then. Failing an item during an
inspection records a hazard in the hazard loop, pre-filled from the item.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anjian.core.models import TimeStampedModel
from anjian.core.scoping import ScopedQuerySet, get_scope
from anjian.hazards.choices import HazardCategory, HazardLevel
from anjian.inspections.choices import InspectionKind, InspectionStatus, ItemResult, VersionStatus

USER = settings.AUTH_USER_MODEL


class TemplateQuerySet(ScopedQuerySet):
    """Shipped templates (no region) are everybody's; a town's own copies are the town's."""

    scope_path = "region__path"
    view_action = "inspections.view_templates"

    def for_action(self, user, action: str = "view"):
        """Seeing templates also reaches the shipped ones; changing them reaches only the town's
        own copies (the shipped ones are copied first)."""
        scoped = super().for_action(user, action)
        qualified = self.qualify(action)
        if qualified == self.view_action and get_scope(user).can(qualified):
            return self.filter(
                Q(pk__in=scoped.values("pk"))
                | Q(region__isnull=True)
                | Q(region__path__in=self._enclosing_paths(user, qualified))
            )
        return scoped

    @staticmethod
    def _enclosing_paths(user, action: str) -> list[str]:
        """The paths of the regions enclosing the user's scope, its own included (a village officer's,
        an expert's or a committee's town), whose copies they inspect with."""
        from anjian.units.models import Unit

        scope = get_scope(user)
        paths = set(scope.paths_for(action))
        if units := scope.units_for(action):
            paths |= set(Unit.objects.filter(pk__in=units).values_list("region__path", flat=True))
        if committees := scope.committees_for(action):
            paths |= {
                g.committee_region_path
                for g in getattr(scope, "grants", ())
                if g.committee_id in committees and g.committee_region_path
            }
        enclosing = set()
        for path in paths:
            parts = [p for p in (path or "").split("/") if p]
            enclosing |= {"/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)}
        return sorted(enclosing)


class ChecklistTemplate(TimeStampedModel):
    """A checklist (e.g. 粉尘涉爆企业检查表) in one or more versions."""

    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("about this checklist"), blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("town"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="checklist_templates",
        help_text=_("Empty for the templates shipped with anjian; a town's own copies name it."),
    )
    unit_kinds = models.JSONField(_("for unit kinds"), default=list, blank=True)
    category_codes = models.JSONField(_("for unit categories"), default=list, blank=True)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    is_active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = TemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["sort_order", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(region__isnull=True), name="template_code_shipped"
            ),
            models.UniqueConstraint(
                fields=["region", "code"],
                condition=Q(region__isnull=False),
                name="template_code_per_town",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class VersionQuerySet(ScopedQuerySet):
    scope_path = "template__region__path"
    view_action = "inspections.view_templates"

    def for_action(self, user, action: str = "view"):
        templates = ChecklistTemplate.objects.for_action(user, action)
        return self.filter(template__in=templates)


class ChecklistVersion(models.Model):
    """One version of a template. Published versions are frozen."""

    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("template"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        USER,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist version")
        verbose_name_plural = _("checklist versions")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="version_number_once"),
            models.UniqueConstraint(
                fields=["template"],
                condition=Q(status=VersionStatus.DRAFT),
                name="one_draft_per_template",
            ),
            models.UniqueConstraint(
                fields=["template"],
                condition=Q(status=VersionStatus.PUBLISHED),
                name="one_published_per_template",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"


class ChecklistSection(models.Model):
    version = models.ForeignKey(
        ChecklistVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    title = models.CharField(_("title"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("checklist section")
        verbose_name_plural = _("checklist sections")
        ordering = ["version", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    """One thing to check, and the hazard a failure suggests."""

    section = models.ForeignKey(
        ChecklistSection, verbose_name=_("section"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("what to check"))
    legal_basis = models.TextField(_("legal basis"), blank=True)
    hazard_level = models.CharField(
        _("level of a failure"),
        max_length=10,
        choices=HazardLevel.choices,
        default=HazardLevel.GENERAL,
    )
    hazard_category = models.CharField(
        _("category of a failure"),
        max_length=20,
        choices=HazardCategory.choices,
        default=HazardCategory.OTHER,
    )
    is_major_criterion = models.BooleanField(
        _("a failure is a major hazard (Order 10)"), default=False
    )
    criterion_ref = models.CharField(_("criterion clause"), max_length=100, blank=True)
    guidance = models.TextField(_("how to check"), blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["section", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class InspectionQuerySet(ScopedQuerySet):
    scope_path = "unit__region__path"
    scope_unit = "unit_id"
    scope_committee = "unit__committee_id"


class Inspection(TimeStampedModel):
    """One visit to a unit with one checklist version: the results per item, who took part, the
    two signatures, and — once finished — locked."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="inspections"
    )
    checklist = models.ForeignKey(
        ChecklistVersion,
        verbose_name=_("checklist version"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=InspectionKind.choices,
        default=InspectionKind.TOWN_INSPECTION,
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InspectionStatus.choices,
        default=InspectionStatus.IN_PROGRESS,
        editable=False,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    client_key = models.UUIDField(
        _("client key"),
        default=uuid.uuid4,
        unique=True,
        help_text=_("Sent by the phone so that a retried start never makes a second inspection."),
    )
    lead = models.ForeignKey(
        USER, verbose_name=_("lead inspector"), on_delete=models.PROTECT, related_name="+"
    )
    officers = models.ManyToManyField(
        USER, verbose_name=_("officers"), blank=True, related_name="inspections_taken_part"
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)
    place = models.CharField(_("place inspected"), max_length=200, blank=True)
    attendees = models.TextField(_("attendees of the unit"), blank=True)
    summary = models.TextField(_("findings"), blank=True)
    unit_signatory = models.CharField(_("signed for the unit by"), max_length=50, blank=True)
    unit_signature = models.TextField(_("unit's signature (PNG data)"), blank=True)
    inspector_signature = models.TextField(_("inspector's signature (PNG data)"), blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=InspectionStatus.FINISHED) | Q(finished_at__isnull=False),
                name="inspection_finished_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.started_at:%Y-%m-%d}"

    @property
    def is_locked(self) -> bool:
        return self.status != InspectionStatus.IN_PROGRESS


class ResultQuerySet(ScopedQuerySet):
    scope_path = "inspection__unit__region__path"
    scope_unit = "inspection__unit_id"
    scope_committee = "inspection__unit__committee_id"
    view_action = "inspections.view"


class InspectionResult(models.Model):
    """The answer to one item of the checklist in one inspection."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="results"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="results"
    )
    result = models.CharField(
        _("result"), max_length=10, choices=ItemResult.choices, default=ItemResult.UNCHECKED
    )
    note = models.TextField(_("note"), blank=True)
    location = models.CharField(
        _("where the hazard is"),
        max_length=200,
        blank=True,
        help_text=_("Where a failed item's hazard was found; it becomes the hazard's location."),
    )
    hazard = models.OneToOneField(
        "hazards.Hazard",
        verbose_name=_("hazard recorded"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspection_result",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        USER,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["inspection", "item__section__order", "item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="result_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.item_id}: {self.result}"


def result_photo_upload_to(instance: ResultPhoto, filename: str) -> str:
    return f"inspections/{instance.result.inspection_id}/{filename}"


class ResultPhotoQuerySet(ScopedQuerySet):
    scope_path = "result__inspection__unit__region__path"
    scope_unit = "result__inspection__unit_id"
    scope_committee = "result__inspection__unit__committee_id"
    view_action = "inspections.view"


class ResultPhoto(models.Model):
    """A photo taken for one item (original + SHA-256 kept, a resized copy shown)."""

    result = models.ForeignKey(
        InspectionResult, verbose_name=_("result"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("image"), upload_to=result_photo_upload_to)
    original = models.FileField(_("original file"), upload_to=result_photo_upload_to)
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
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ResultPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        ordering = ["result", "pk"]

    def __str__(self) -> str:
        return f"{self.result_id}/{self.pk}"
