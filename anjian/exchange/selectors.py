"""Reads of the data exchange, always through ``for_action``."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from anjian.exchange.choices import RecordKind
from anjian.exchange.models import EXPORT, ExportBatch, ExternalId


def batches_for(user):
    return ExportBatch.objects.for_action(user, EXPORT).select_related("created_by", "region")


def batch_get_for(user, batch_id: int) -> ExportBatch:
    batch = batches_for(user).filter(pk=batch_id).first()
    if batch is None:
        raise Http404(_("No such export batch."))
    return batch


def external_ids_for(user, *, search: str = ""):
    qs = ExternalId.objects.for_action(user, EXPORT).select_related(
        "unit", "inspection__unit", "hazard__unit", "recorded_by", "region", "batch"
    )
    search = (search or "").strip()
    if search:
        cond = (
            Q(external_id__icontains=search)
            | Q(unit__name__icontains=search)
            | Q(unit__credit_code__icontains=search)
            | Q(inspection__unit__name__icontains=search)
            | Q(hazard__unit__name__icontains=search)
            | Q(hazard__description__icontains=search)
        )
        kind, _sep, number = search.partition(":")
        if kind in RecordKind.values and number.isdigit():
            cond |= Q(kind=kind, **{f"{kind}_id": int(number)})
        qs = qs.filter(cond)
    return qs


def record_name(row: ExternalId) -> str:
    """What the id names, as a person reads it."""
    if row.kind == RecordKind.UNIT and row.unit is not None:
        return row.unit.name
    if row.kind == RecordKind.INSPECTION and row.inspection is not None:
        return str(row.inspection)
    if row.kind == RecordKind.HAZARD and row.hazard is not None:
        return f"{row.hazard.code} {row.hazard.unit.name}"
    return ""
