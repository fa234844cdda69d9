"""The data exchange (``anjian.exchange``) in the access walk: in every town an export batch and
an import of assigned ids made by the town's office (a ``core.ImportRun`` of kind
``exchange_ids``), and an external id on each of its units."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from anjian.core.models import ImportRun
from anjian.exchange.exports import ExportParams
from anjian.exchange.models import EXPORT, IMPORT_IDS, ExportBatch, ExternalId
from anjian.exchange.services import export_create, external_id_set, id_import_start

FUNCTION_VIEW_OBJECTS: dict[str, tuple[type, str]] = {
    "exchange:batch_detail": (ExportBatch, EXPORT),
    "exchange:id_import_detail": (ImportRun, IMPORT_IDS),
    "exchange:id_import_confirm": (ImportRun, IMPORT_IDS),
    "exchange:id_delete": (ExternalId, IMPORT_IDS),
}
PATH_PARAMS: dict[str, tuple[type, str]] = {
    "export_batch_id": (ExportBatch, EXPORT),
    "id_import_id": (ImportRun, IMPORT_IDS),
    "external_id_pk": (ExternalId, IMPORT_IDS),
}
OBJECT_OPERATION_BODIES: dict[str, Any] = {
    "exchange_ids_delete": {"reason": "越权测试"},
}
LIST_OPERATIONS: dict[str, tuple[type, str]] = {
    "exchange_batches_list": (ExportBatch, EXPORT),
    "exchange_ids_list": (ExternalId, EXPORT),
    "exchange_ids_imports_list": (ImportRun, IMPORT_IDS),
}
ACTION_OPERATIONS: dict[str, tuple[str, Any]] = {
    "exchange_export": (EXPORT, {"kind": "unit", "system": "hangzhou", "file_format": "csv"}),
    "exchange_ids_import": (IMPORT_IDS, "multipart"),
}


def walk_objects(*, world, recorders, towns, outside_officer) -> None:
    """Every town's office exports its units, records an id per unit and uploads a file of ids
    (checked, not confirmed)."""
    offices: dict[int, Any] = {}
    for unit, office in recorders.items():
        offices.setdefault(unit.region.parent_id, office)
        external_id_set(
            actor=office,
            kind="unit",
            record_id=unit.pk,
            system="hangzhou",
            external_id=f"WALK-{unit.pk}",
        )
    for town in towns:
        office = offices.get(town.pk)
        if office is None:
            continue
        export = export_create(
            actor=office,
            params=ExportParams(kind="unit", system="hangzhou", only_without_id=False),
        )
        export.file.close()
        unit = next(u for u in recorders if u.region.parent_id == town.pk)
        sheet = f"anjian_id,external_id\r\nunit:{unit.pk},WALK-141-{unit.pk}\r\n".encode()
        id_import_start(
            actor=office,
            upload=SimpleUploadedFile("ids.csv", sheet),
            system="platform141",
        )
