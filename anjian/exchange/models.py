"""Data exchange upward (数据上报): what was exported to the city and provincial systems, and the
ids those systems assigned to anjian's records, so that a record is never entered twice. The
imports of those ids are ``core.ImportRun`` rows of kind ``ID_IMPORT_KIND``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anjian.core.scoping import ScopedQuerySet
from anjian.exchange.choices import ExchangeSystem, ExportFormat, RecordKind

EXPORT = "exchange.export"
IMPORT_IDS = "exchange.import_ids"
# The imports of assigned ids are ``core.ImportRun`` rows of this kind (``services.IdImportFlow``).
ID_IMPORT_KIND = "exchange_ids"


class ExportBatchQuerySet(ScopedQuerySet):
    """A batch is seen within the region it was exported for (a town, or the district)."""

    scope_path = "region__path"
    view_action = EXPORT


class ExportBatch(models.Model):
    """One export file: who made it, when, of what, for which system, with which filters, how
    many records, and the SHA-256 of the file (the file itself is not kept: it can be made again
    and holds personal data)."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("exported at"), default=timezone.now)
    kind = models.CharField(_("kind of records"), max_length=12, choices=RecordKind.choices)
    system = models.CharField(_("system"), max_length=12, choices=ExchangeSystem.choices)
    file_format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    count = models.PositiveIntegerField(_("records"), default=0)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_hash = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)

    objects = ExportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("export batch")
        verbose_name_plural = _("export batches")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RecordKind.values), name="export_batch_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(system__in=ExchangeSystem.values), name="export_batch_system_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.file_name or f"#{self.pk}"


def id_import_path(run, filename: str) -> str:
    """Where the removed ``IdImport`` kept its files (named by migration 0001; the imports are
    ``core.ImportRun`` rows of kind ``ID_IMPORT_KIND`` now, their files where they were)."""
    return f"exchange/{timezone.now():%Y/%m}/{filename}"


class ExternalIdQuerySet(ScopedQuerySet):
    """An id is seen within the town of its record (copied from the record when recorded)."""

    scope_path = "region__path"
    view_action = EXPORT


class ExternalId(models.Model):
    """The id a city or provincial system assigned to one record of anjian. One per record and
    system; an id of a system names one record of a kind."""

    kind = models.CharField(_("kind of record"), max_length=12, choices=RecordKind.choices)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="external_ids",
    )
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="external_ids",
    )
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="external_ids",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("town"), on_delete=models.PROTECT, related_name="+"
    )
    system = models.CharField(_("system"), max_length=12, choices=ExchangeSystem.choices)
    external_id = models.CharField(_("external id"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    batch = models.ForeignKey(
        ExportBatch,
        verbose_name=_("export batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="external_ids",
    )
    id_import = models.ForeignKey(
        "core.ImportRun",
        verbose_name=_("import of assigned ids"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="external_ids",
    )

    objects = ExternalIdQuerySet.as_manager()

    class Meta:
        verbose_name = _("external id")
        verbose_name_plural = _("external ids")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=RecordKind.UNIT,
                        unit__isnull=False,
                        inspection__isnull=True,
                        hazard__isnull=True,
                    )
                    | Q(
                        kind=RecordKind.INSPECTION,
                        unit__isnull=True,
                        inspection__isnull=False,
                        hazard__isnull=True,
                    )
                    | Q(
                        kind=RecordKind.HAZARD,
                        unit__isnull=True,
                        inspection__isnull=True,
                        hazard__isnull=False,
                    )
                ),
                name="external_id_one_record_of_its_kind",
            ),
            models.CheckConstraint(
                condition=Q(system__in=ExchangeSystem.values), name="external_id_system_valid"
            ),
            models.CheckConstraint(condition=~Q(external_id=""), name="external_id_not_empty"),
            models.UniqueConstraint(fields=["system", "unit"], name="external_id_one_per_unit"),
            models.UniqueConstraint(
                fields=["system", "inspection"], name="external_id_one_per_inspection"
            ),
            models.UniqueConstraint(fields=["system", "hazard"], name="external_id_one_per_hazard"),
            models.UniqueConstraint(
                fields=["system", "kind", "external_id"], name="external_id_unique_in_system"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.anjian_id} → {self.external_id}"

    @property
    def record_pk(self) -> int | None:
        return self.unit_id or self.inspection_id or self.hazard_id

    @property
    def anjian_id(self) -> str:
        return f"{self.kind}:{self.record_pk}"
