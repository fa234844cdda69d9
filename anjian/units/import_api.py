"""The units import in the API (mounted at /api/v1/units): the template, upload with dry run,
the report, confirmation and the error sheet — the same services as the pages."""

from __future__ import annotations

import datetime
import json
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from anjian.core.api_types import Id
from anjian.core.export import xlsx_response
from anjian.core.import_schemas import PreviewOut, ReadingOut, RejectOut
from anjian.core.models import ImportRun
from anjian.core.scoping import get_scope
from anjian.units.importers import (
    FLOW,
    IMPORT,
    import_towns,
    template_bytes,
    units_import_apply,
    units_import_recheck,
    units_import_start,
)

router = Router(tags=["units import"])

XLSX_RESPONSE = {
    "responses": {
        200: {
            "description": "An Excel workbook, as an attachment",
            "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                }
            },
        }
    }
}


class ImportSummaryOut(Schema):
    rows: int = 0
    skipped: int = 0
    create: int = 0
    update: int = 0
    unchanged: int = 0
    reject: int = 0
    request_id: str | None = None


class ImportRunOut(Schema):
    id: int
    file_name: str
    town: str
    state: Literal["checking", "checked", "applying", "applied", "failed"]
    state_label: str
    job_id: int
    apply_job_id: int | None
    summary: ImportSummaryOut
    rejects: list[RejectOut]
    preview: list[PreviewOut]
    reading: ReadingOut
    error_sheet_url: str | None
    error: str
    created_at: datetime.datetime
    applied_at: datetime.datetime | None


class ImportUploadIn(Schema):
    town_id: Id | None = None
    sheet: str = Field(
        "", max_length=100, description="The sheet to read; empty: the first whose header matches"
    )
    defaults: str = Field(
        "",
        max_length=2000,
        description='One value for the whole file per column the file lacks, as JSON keyed by the template\'s column label, e.g. {"类型": "企业"}',
    )
    mapping: str = Field(
        "",
        max_length=4000,
        description='What unknown headers hold, as JSON: {"企业名": "name", "备注栏": ""} ("" ignores the column); remembered for the town',
    )


class ImportRecheckIn(Schema):
    sheet: str = Field("", max_length=100)
    defaults: str = Field("", max_length=2000)
    mapping: str = Field("", max_length=4000)


def _json_object(text: str, name: str) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValidationError({name: _("This is not valid JSON.")}) from exc
    if not isinstance(value, dict) or not all(
        isinstance(v, str | int | float) or v is None for v in value.values()
    ):
        raise ValidationError({name: _("Give a JSON object of column → value.")})
    return value


def _out(run: ImportRun) -> ImportRunOut:
    job = run.current_job
    return ImportRunOut(
        id=run.pk,
        file_name=run.source_name,
        town=run.region.name,
        state=run.state,
        state_label=str(run.get_state_display()),
        job_id=run.job_id,
        apply_job_id=run.apply_job_id,
        summary=ImportSummaryOut(**run.summary),
        rejects=[RejectOut(**r) for r in run.rejects],
        preview=[PreviewOut(**p) for p in run.preview],
        reading=ReadingOut(**run.report),
        error_sheet_url=(f"/api/v1/units/import/{run.pk}/errors" if run.error_file else None),
        error=job.error,
        created_at=run.job.created_at,
        applied_at=run.applied_at,
    )


def _require(user) -> None:
    if not get_scope(user).can(IMPORT):
        raise PermissionDenied(_("Your roles do not include importing units."))


def _run_for(user, run_id: int) -> ImportRun:
    _require(user)
    run = FLOW.runs_for(user).filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


@router.get(
    "/import/template",
    response={200: None},
    operation_id="units_import_template",
    summary="The template workbook of the units import (with the villages of the user's town)",
    openapi_extra=XLSX_RESPONSE,
)
def units_import_template(request) -> HttpResponse:
    _require(request.auth)
    return xlsx_response(
        "监管对象导入模板.xlsx", template_bytes(import_towns(request.auth).first())
    )


@router.post(
    "/import",
    response={201: ImportRunOut},
    operation_id="units_import_upload",
    summary="Upload a workbook of units: stores it and runs the dry run (nothing is saved yet)",
)
def units_import_upload(request, file: File[UploadedFile], payload: Form[ImportUploadIn]):
    """A small file is checked at once; a large one (over 500 rows) in the background: poll
    ``GET /units/import/{run_id}`` until ``state`` is ``checked``."""
    _require(request.auth)
    towns = import_towns(request.auth)
    town = towns.filter(pk=payload.town_id).first() if payload.town_id else towns.first()
    if town is None:
        raise Http404(_("No such town where you may import units."))
    if towns.count() > 1 and not payload.town_id:
        raise ValidationError({"town_id": _("Choose the town to import into.")})
    run = units_import_start(
        actor=request.auth,
        town=town,
        upload=file,
        sheet=payload.sheet,
        defaults=_json_object(payload.defaults, "defaults"),
        mapping=_json_object(payload.mapping, "mapping"),
    )
    return Status(201, _out(FLOW.runs_for(request.auth).get(pk=run.pk)))


@router.post(
    "/import/{run_id}/recheck",
    response={201: ImportRunOut},
    operation_id="units_import_recheck",
    summary="Check the same file again with answers: the sheet, values for missing columns, "
    "what unknown headers hold (a new import run)",
)
def units_import_recheck_op(request, run_id: Id, payload: Form[ImportRecheckIn]):
    run = _run_for(request.auth, run_id)
    new = units_import_recheck(
        actor=request.auth,
        run_id=run.pk,
        sheet=payload.sheet,
        defaults=_json_object(payload.defaults, "defaults"),
        mapping=_json_object(payload.mapping, "mapping"),
    )
    return Status(201, _out(FLOW.runs_for(request.auth).get(pk=new.pk)))


@router.get(
    "/import/{run_id}",
    response=ImportRunOut,
    operation_id="units_import_get",
    summary="One import: its state, what it creates/updates/rejects, the first rejections",
)
def units_import_get(request, run_id: Id):
    return _out(_run_for(request.auth, run_id))


@router.post(
    "/import/{run_id}/apply",
    response=ImportRunOut,
    operation_id="units_import_apply",
    summary="Confirm a checked import: its valid rows are saved in one transaction",
)
def units_import_apply_op(request, run_id: Id):
    run = _run_for(request.auth, run_id)
    units_import_apply(actor=request.auth, run_id=run.pk)
    return _out(_run_for(request.auth, run_id))


@router.get(
    "/import/{run_id}/errors",
    response={200: None},
    operation_id="units_import_errors",
    summary="The rejected rows with a 错误原因 column",
    openapi_extra=XLSX_RESPONSE,
)
def units_import_errors(request, run_id: Id) -> HttpResponse:
    run = _run_for(request.auth, run_id)
    if not run.error_file:
        raise Http404(_("This import has no rejected rows."))
    with run.error_file.open("rb") as fh:
        content = fh.read()
    return xlsx_response(f"{run.source_name.rsplit('.', 1)[0]}-错误行.xlsx", content)
