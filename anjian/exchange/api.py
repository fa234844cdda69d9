"""The data exchange in the API (mounted at /api/v1/exchange): the versioned export (JSON or CSV,
recorded as a batch), the batches, the external ids recorded (per record with ``anjian_id``), and
the import of assigned ids (upload with dry run, then confirm) — the same services and scoping as
the pages."""

from __future__ import annotations

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from anjian.core.api_types import Id, Offset
from anjian.core.import_schemas import PreviewOut, RejectOut
from anjian.core.models import ImportRun
from anjian.core.pagination import api_page
from anjian.core.scoping import get_scope
from anjian.exchange.choices import ExchangeSystem, ExportFormat, RecordKind
from anjian.exchange.exports import ExportParams
from anjian.exchange.models import EXPORT, IMPORT_IDS, ExportBatch, ExternalId
from anjian.exchange.selectors import batch_get_for, batches_for, external_ids_for, record_name
from anjian.exchange.services import (
    ID_IMPORT,
    export_create,
    export_towns,
    external_id_delete,
    id_import_confirm,
    id_import_get_for,
    id_import_start,
)
from anjian.exchange.views import file_response

router = Router(tags=["exchange"])
MAX_LIMIT = 500
FILE_RESPONSE = {
    "responses": {
        200: {
            "description": "The export file (anjian-exchange version 1), as an attachment",
            "content": {
                "application/json": {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


def _require(request: HttpRequest, action: str) -> None:
    if not get_scope(request.auth).can(action):
        if action == EXPORT:
            raise PermissionDenied(_("Your roles do not include exporting records."))
        raise PermissionDenied(_("Your roles do not include importing assigned ids."))


# --- Schemas ---------------------------------------------------------------------------------------


class ExportIn(Schema):
    kind: RecordKind = RecordKind.UNIT
    system: ExchangeSystem = ExchangeSystem.HANGZHOU
    file_format: ExportFormat = ExportFormat.JSON
    date_from: datetime.date | None = Field(None, description="Records dated on or after this day")
    date_to: datetime.date | None = Field(None, description="Records dated on or before this day")
    changed_since: datetime.datetime | None = Field(
        None, description="Records created or changed at or after this moment"
    )
    only_without_id: bool = Field(
        True, description="Only records that have no id in this system yet (never twice)"
    )
    town_id: Id | None = Field(None, description="Narrow to one town one may export")


class BatchOut(Schema):
    id: int
    region_id: int
    created_by_id: int | None
    created_at: datetime.datetime
    kind: RecordKind
    system: ExchangeSystem
    file_format: ExportFormat
    filters: dict
    count: int
    file_name: str
    file_hash: str


class BatchPageOut(Schema):
    items: list[BatchOut]
    count: int


class BatchListIn(Schema):
    kind: RecordKind | None = None
    system: ExchangeSystem | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class ExternalIdOut(Schema):
    id: int
    anjian_id: str
    kind: RecordKind
    record_id: int
    name: str
    system: ExchangeSystem
    external_id: str
    town_id: int
    recorded_by_id: int | None
    recorded_at: datetime.datetime
    batch_id: int | None
    import_id: int | None


class ExternalIdPageOut(Schema):
    items: list[ExternalIdOut]
    count: int


class IdListIn(Schema):
    anjian_id: str | None = Field(None, description="One record: unit:12, inspection:34, hazard:56")
    system: ExchangeSystem | None = None
    kind: RecordKind | None = None
    town_id: Id | None = None
    q: str | None = Field(None, description="Search the ids and the records' names")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class IdImportSummaryOut(Schema):
    rows: int = 0
    skipped: int = 0
    create: int = 0
    update: int = 0
    unchanged: int = 0
    reject: int = 0
    without_id: int = 0
    request_id: str | None = None


class IdImportOut(Schema):
    id: int = Field(description="The import's number, which is also the number of its job")
    file_name: str
    region_id: int
    system: ExchangeSystem
    replace: bool
    batch_id: int | None
    state: Literal["checking", "checked", "applying", "applied", "failed"]
    state_label: str
    summary: IdImportSummaryOut
    rejects: list[RejectOut]
    preview: list[PreviewOut]
    error: str
    created_at: datetime.datetime
    applied_at: datetime.datetime | None


class IdImportPageOut(Schema):
    items: list[IdImportOut]
    count: int


class IdDeleteIn(Schema):
    reason: str = Field(min_length=2, max_length=500)


class PageIn(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class IdImportIn(Schema):
    system: ExchangeSystem = ExchangeSystem.HANGZHOU
    replace: bool = False
    batch_id: Id | None = None


def _id_out(row: ExternalId) -> ExternalIdOut:
    return ExternalIdOut(
        id=row.pk,
        anjian_id=row.anjian_id,
        kind=row.kind,
        record_id=row.record_pk,
        name=record_name(row),
        system=row.system,
        external_id=row.external_id,
        town_id=row.region_id,
        recorded_by_id=row.recorded_by_id,
        recorded_at=row.recorded_at,
        batch_id=row.batch_id,
        import_id=row.id_import_id,
    )


def _import_out(run: ImportRun) -> IdImportOut:
    return IdImportOut(
        id=run.pk,
        file_name=run.source_name,
        region_id=run.region_id,
        system=run.options.get("system") or ExchangeSystem.OTHER,
        replace=bool(run.options.get("replace")),
        batch_id=run.options.get("batch"),
        state=run.state,
        state_label=str(run.get_state_display()),
        summary=IdImportSummaryOut(**run.summary),
        rejects=[RejectOut(**r) for r in run.rejects],
        preview=[PreviewOut(**p) for p in run.preview],
        error=run.current_job.error,
        created_at=run.job.created_at,
        applied_at=run.applied_at,
    )


# --- Operations --------------------------------------------------------------------------------------


@router.post(
    "/export",
    response={200: None},
    operation_id="exchange_export",
    summary="Export units, inspections or hazards (anjian-exchange v1, JSON or CSV)",
    openapi_extra=FILE_RESPONSE,
)
def exchange_export(request: HttpRequest, payload: ExportIn):
    """The records the caller may export, as chosen; the export is recorded as a batch (its id is
    in the JSON's ``batch`` and in the ``X-Export-Batch`` header) and audited."""
    _require(request, EXPORT)
    town = None
    if payload.town_id:
        town = export_towns(request.auth).filter(pk=payload.town_id).first()
        if town is None:
            raise Http404(_("No such town among those you may export."))
    export = export_create(
        actor=request.auth,
        params=ExportParams(
            kind=payload.kind,
            system=payload.system,
            file_format=payload.file_format,
            date_from=payload.date_from,
            date_to=payload.date_to,
            changed_since=payload.changed_since,
            only_without_id=payload.only_without_id,
            town=town,
        ),
    )
    response = file_response(export)
    response["X-Export-Batch"] = str(export.batch.pk)
    response["X-Export-SHA256"] = export.batch.file_hash
    return response


@router.get(
    "/batches",
    response=BatchPageOut,
    operation_id="exchange_batches_list",
    summary="The export batches (newest first)",
)
def exchange_batches_list(request: HttpRequest, filters: Query[BatchListIn]):
    _require(request, EXPORT)
    qs = batches_for(request.auth)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.system:
        qs = qs.filter(system=filters.system)
    return api_page(qs, offset=filters.offset, limit=filters.limit)


@router.get(
    "/batches/{export_batch_id}",
    response=BatchOut,
    operation_id="exchange_batch_get",
    summary="One export batch: who, when, what, filters, count and the file's SHA-256",
)
def exchange_batch_get(request: HttpRequest, export_batch_id: Id) -> ExportBatch:
    _require(request, EXPORT)
    return batch_get_for(request.auth, export_batch_id)


@router.get(
    "/ids",
    response=ExternalIdPageOut,
    operation_id="exchange_ids_list",
    summary="The external ids recorded (per record with anjian_id)",
)
def exchange_ids_list(request: HttpRequest, filters: Query[IdListIn]):
    _require(request, EXPORT)
    qs = external_ids_for(request.auth, search=filters.q or "")
    if filters.anjian_id:
        kind, _sep, number = filters.anjian_id.strip().lower().partition(":")
        if kind not in RecordKind.values or not number.isdigit():
            raise ValidationError(
                {"anjian_id": _("Write the record as unit:12, inspection:34 or hazard:56.")}
            )
        qs = qs.filter(kind=kind, **{f"{kind}_id": int(number)})
    if filters.system:
        qs = qs.filter(system=filters.system)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.town_id:
        qs = qs.filter(region_id=filters.town_id)
    page = api_page(qs, offset=filters.offset, limit=filters.limit)
    page["items"] = [_id_out(row) for row in page["items"]]
    return page


@router.post(
    "/ids/{external_id_pk}/delete",
    response={204: None},
    operation_id="exchange_ids_delete",
    summary="Remove an id recorded by mistake (with a reason; audited)",
)
def exchange_ids_delete(request: HttpRequest, external_id_pk: Id, payload: IdDeleteIn):
    _require(request, IMPORT_IDS)
    external_id_delete(actor=request.auth, external_id_pk=external_id_pk, reason=payload.reason)
    return Status(204, None)


@router.post(
    "/ids/imports",
    response={201: IdImportOut},
    operation_id="exchange_ids_import",
    summary="Upload a file of assigned ids (xlsx, csv or json): stores it and runs the dry run",
)
def exchange_ids_import(request: HttpRequest, file: File[UploadedFile], payload: Form[IdImportIn]):
    """Nothing is recorded yet: read ``rejects`` (row, column, reason), then confirm with
    ``POST /exchange/ids/imports/{id_import_id}/confirm``. A small file is checked at once; a
    large one (over 500 rows) in the background: poll ``GET /exchange/ids/imports/{id_import_id}``
    until ``state`` is no longer ``checking`` (the same for ``applying`` after the confirmation)."""
    _require(request, IMPORT_IDS)
    run = id_import_start(
        actor=request.auth,
        upload=file,
        system=payload.system,
        replace=payload.replace,
        batch_id=payload.batch_id,
    )
    return Status(201, _import_out(run))


@router.get(
    "/ids/imports",
    response=IdImportPageOut,
    operation_id="exchange_ids_imports_list",
    summary="The imports of assigned ids (newest first)",
)
def exchange_ids_imports_list(request: HttpRequest, filters: Query[PageIn]):
    _require(request, IMPORT_IDS)
    qs = ID_IMPORT.runs_for(request.auth)
    page = api_page(qs, offset=filters.offset, limit=filters.limit)
    page["items"] = [_import_out(run) for run in page["items"]]
    return page


@router.get(
    "/ids/imports/{id_import_id}",
    response=IdImportOut,
    operation_id="exchange_ids_import_get",
    summary="One import of assigned ids: its dry run or its result",
)
def exchange_ids_import_get(request: HttpRequest, id_import_id: Id):
    _require(request, IMPORT_IDS)
    return _import_out(id_import_get_for(request.auth, id_import_id))


@router.post(
    "/ids/imports/{id_import_id}/confirm",
    response=IdImportOut,
    operation_id="exchange_ids_import_confirm",
    summary="Confirm a checked import: its valid rows are recorded in one transaction",
)
def exchange_ids_import_confirm(request: HttpRequest, id_import_id: Id):
    _require(request, IMPORT_IDS)
    return _import_out(id_import_confirm(actor=request.auth, import_id=id_import_id))
