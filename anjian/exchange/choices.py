"""The vocabularies of the data exchange: the systems ids come from, the kinds of records, the
formats of an export. Stable lowercase values; the labels are translated. (An import of ids has
the states of every import: ``core.models.ImportState``.)"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExchangeSystem(models.TextChoices):
    HANGZHOU = "hangzhou", _("Hangzhou work-safety supervision system")
    PLATFORM141 = "platform141", _("141 grassroots governance platform")
    OTHER = "other", _("Other system")


class RecordKind(models.TextChoices):
    UNIT = "unit", _("Supervised unit")
    INSPECTION = "inspection", _("Inspection")
    HAZARD = "hazard", _("Hazard")


class ExportFormat(models.TextChoices):
    JSON = "json", "JSON"
    CSV = "csv", "CSV"


# Every way a sheet may name a system (compared without spaces, case-folded).
SYSTEM_SYNONYMS = {
    "hangzhou": ExchangeSystem.HANGZHOU,
    "杭州": ExchangeSystem.HANGZHOU,
    "杭州系统": ExchangeSystem.HANGZHOU,
    "杭州市": ExchangeSystem.HANGZHOU,
    "杭州市安全生产监管系统": ExchangeSystem.HANGZHOU,
    "platform141": ExchangeSystem.PLATFORM141,
    "141": ExchangeSystem.PLATFORM141,
    "141平台": ExchangeSystem.PLATFORM141,
    "141基层治理平台": ExchangeSystem.PLATFORM141,
    "基层治理四平台": ExchangeSystem.PLATFORM141,
    "other": ExchangeSystem.OTHER,
    "其他": ExchangeSystem.OTHER,
    "其他系统": ExchangeSystem.OTHER,
}
