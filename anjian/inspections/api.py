"""Inspections over the API (``/api/v1/inspections``): the same scope and services as the pages.

Reading needs ``inspections.view``; starting, answering, correcting, finishing and cancelling need
``inspections.inspect`` on the unit. Outside the caller's scope: 404. A stale ``expected_version``
or a finished (locked) inspection: 409. A rule the input breaks: 422 with the reasons.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from anjian.core.api_types import DbInt, Id, Offset
from anjian.core.choices import choice_label
from anjian.core.scoping import get_scope
from anjian.hazards.choices import HazardCategory, HazardLevel
from anjian.hazards.photos import photo_file_response
from anjian.inspections import services
from anjian.inspections.choices import InspectionKind, InspectionStatus, ItemResult
from anjian.inspections.models import Inspection, ResultPhoto
from anjian.inspections.selectors import inspection_detail_for, inspection_list_for

router = Router(tags=["inspections"])

VIEW = services.VIEW
INSPECT = services.INSPECT
MAX_LIMIT = 200


def _require(request: HttpRequest, action: str = VIEW) -> None:
    if get_scope(request.auth).can(action):
        return
    if action == VIEW:
        raise PermissionDenied(_("Your roles do not include the inspections."))
    raise PermissionDenied(_("Your roles do not include inspecting."))


# --- Schemas -------------------------------------------------------------------------------------


class InspectionRefOut(Schema):
    id: int
    name: str


class ChecklistRefOut(Schema):
    id: int = Field(description="The checklist version used")
    template_id: int
    name: str
    number: int = Field(description="The version number")


class InspectionRowOut(Schema):
    id: int
    unit: InspectionRefOut
    village: str
    checklist: ChecklistRefOut
    kind: InspectionKind
    kind_label: str
    status: InspectionStatus
    status_label: str
    lead: InspectionRefOut
    place: str
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    counts: dict[str, int] = Field(description="pass, fail, na, unchecked")
    version: int = Field(description="Send it back as expected_version")


class InspectionPageOut(Schema):
    items: list[InspectionRowOut]
    count: int


class InspectionPhotoOut(Schema):
    id: int
    sha256: str
    content_type: str
    size: int
    taken_at: datetime.datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    url: str
    original_url: str


class ResultOut(Schema):
    item_id: int
    number: int
    text: str
    legal_basis: str
    hazard_level: HazardLevel
    hazard_category: HazardCategory
    is_major_criterion: bool
    result: ItemResult
    result_label: str
    note: str
    location: str
    answered_at: datetime.datetime | None
    photos: list[InspectionPhotoOut]
    hazard_id: int | None


class InspectionSectionOut(Schema):
    id: int
    title: str
    results: list[ResultOut]


class InspectionDetailOut(InspectionRowOut):
    client_key: uuid.UUID
    officers: list[InspectionRefOut]
    attendees: str
    summary: str
    unit_signatory: str
    unit_signature: str = Field(description="PNG data URL (empty until finished)")
    inspector_signature: str
    sections: list[InspectionSectionOut]
    hazard_ids: list[Id]


class SavedResultOut(Schema):
    item_id: int
    result: ItemResult
    note: str
    location: str
    answered_at: datetime.datetime | None
    photos: list[InspectionPhotoOut]
    inspection_version: int


class InspectionFilterIn(Schema):
    q: str | None = Field(None, description="Unit, place, checklist or inspector")
    status: InspectionStatus | None = None
    kind: InspectionKind | None = None
    unit: Id | None = Field(None, description="Unit id")
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class InspectionStartIn(Schema):
    unit_id: Id
    checklist_id: Id = Field(description="A published checklist version")
    kind: InspectionKind | None = Field(None, description="Default: by the caller's role")
    client_key: uuid.UUID | None = Field(
        None, description="Made by the phone; sending it again returns the same inspection"
    )
    place: str = Field("", max_length=200)
    officer_ids: list[Id] = Field(default_factory=list)


class ResultIn(Schema):
    result: ItemResult
    note: str = ""
    location: str | None = Field(
        None, max_length=200, description="Where a failed item's hazard is; empty: kept"
    )


class UpdateIn(Schema):
    expected_version: DbInt
    place: str | None = Field(None, max_length=200)
    attendees: str | None = None
    summary: str | None = None
    officer_ids: list[Id] | None = None


class HazardChoiceIn(Schema):
    """What the inspector decides for one failed item; what is left out keeps the default."""

    item_id: Id = Field(description="The failed checklist item")
    level: HazardLevel | None = Field(None, description="general (一般) or major (重大)")
    deadline: datetime.date | None = Field(None, description="This hazard's own deadline")
    working_days: DbInt | None = Field(None, description="Or working days from today (1–365)")
    requirement: str | None = Field(None, description="The rectification requirement")
    rectified_on_spot: bool = Field(
        False, description="Rectified on the spot: recorded and closed at once (not major)"
    )
    on_spot_description: str = Field("", description="What was done (rectified on the spot)")
    on_spot_photo_ids: list[Id] = Field(
        [], description="Photos of the item that show the rectification (at least one)"
    )


class FinishIn(Schema):
    expected_version: DbInt
    unit_signatory: str
    unit_signature: str = Field(description="data:image/png;base64,… at most 300 KB")
    inspector_signature: str
    deadline: datetime.date | None = None
    working_days: DbInt | None = Field(None, description="Default 7 for ordinary hazards")
    hazards: list[HazardChoiceIn] | None = Field(
        None, description="Per failed item: level, deadline, requirement or rectified on the spot"
    )
    hazard_overrides: dict[str, dict[str, Any]] | None = Field(
        None,
        description="Item id → hazard fields (and deadline/working_days) replacing the defaults "
        "(the older form of `hazards`)",
    )

    def overrides(self) -> dict[str, dict[str, Any]]:
        """``hazards`` and ``hazard_overrides`` as one map: item id → choices."""
        merged = {str(k): dict(v) for k, v in (self.hazard_overrides or {}).items()}
        for choice in self.hazards or ():
            data = choice.model_dump(exclude={"item_id"}, exclude_defaults=True)
            merged.setdefault(str(choice.item_id), {}).update(data)
        return merged


class CancelIn(Schema):
    expected_version: DbInt
    reason: str


# --- Building the answers -----------------------------------------------------------------------


def _photo(photo: ResultPhoto) -> dict:
    base = f"/api/v1/inspections/photos/{photo.pk}"
    return {
        "id": photo.pk,
        "sha256": photo.sha256,
        "content_type": photo.content_type,
        "size": photo.size,
        "taken_at": photo.taken_at,
        "latitude": photo.latitude,
        "longitude": photo.longitude,
        "url": base,
        "original_url": base + "/original",
    }


def _row(inspection: Inspection, counts: dict[str, int]) -> dict:
    return {
        "id": inspection.pk,
        "unit": {"id": inspection.unit_id, "name": inspection.unit.name},
        "village": inspection.unit.region.name if inspection.unit.region_id else "",
        "checklist": {
            "id": inspection.checklist_id,
            "template_id": inspection.checklist.template_id,
            "name": inspection.checklist.template.name,
            "number": inspection.checklist.number,
        },
        "kind": inspection.kind,
        "kind_label": choice_label(InspectionKind, inspection.kind),
        "status": inspection.status,
        "status_label": choice_label(InspectionStatus, inspection.status),
        "lead": {
            "id": inspection.lead_id,
            "name": inspection.lead.name or inspection.lead.username,
        },
        "place": inspection.place,
        "started_at": inspection.started_at,
        "finished_at": inspection.finished_at,
        "counts": counts,
        "version": inspection.version,
    }


def _detail(request: HttpRequest, inspection_id: int) -> dict:
    d = inspection_detail_for(request.auth, inspection_id)
    inspection = d["inspection"]
    return {
        **_row(inspection, d["counts"]),
        "client_key": inspection.client_key,
        "officers": [{"id": p.pk, "name": p.name or p.username} for p in d["officers"]],
        "attendees": inspection.attendees,
        "summary": inspection.summary,
        "unit_signatory": inspection.unit_signatory,
        "unit_signature": inspection.unit_signature,
        "inspector_signature": inspection.inspector_signature,
        "sections": [
            {
                "id": group.section.pk,
                "title": group.section.title,
                "results": [
                    {
                        "item_id": r.item_id,
                        "number": r.number,
                        "text": r.item.text,
                        "legal_basis": r.item.legal_basis,
                        "hazard_level": r.item.hazard_level,
                        "hazard_category": r.item.hazard_category,
                        "is_major_criterion": r.item.is_major_criterion,
                        "result": r.result,
                        "result_label": choice_label(ItemResult, r.result),
                        "note": r.note,
                        "location": r.location,
                        "answered_at": r.answered_at,
                        "photos": [_photo(p) for p in r.photos.all()],
                        "hazard_id": r.hazard_id,
                    }
                    for r in group.results
                ],
            }
            for group in d["sections"]
        ],
        "hazard_ids": [h.pk for h in d["hazards"]],
    }


# --- Operations -----------------------------------------------------------------------------------


@router.get(
    "", response=InspectionPageOut, operation_id="inspections_list", summary="List inspections"
)
def inspections_list(request: HttpRequest, filters: Query[InspectionFilterIn]):
    """The inspections you may see, newest first, with their counts of answers."""
    _require(request)
    params = {
        k: str(v)
        for k, v in filters.model_dump(exclude={"q", "limit", "offset"}).items()
        if v is not None
    }
    qs, _filterset = inspection_list_for(request.auth, params, search=filters.q or "")
    rows = list(qs[filters.offset : filters.offset + filters.limit])
    items = [
        _row(i, {"pass": i.n_pass, "fail": i.n_fail, "na": i.n_na, "unchecked": i.n_unchecked})
        for i in rows
    ]
    return {"items": items, "count": qs.count()}


@router.get(
    "/{int:inspection_id}",
    response=InspectionDetailOut,
    operation_id="inspections_get",
    summary="One inspection with its results by section, photos and hazards",
)
def inspections_get(request: HttpRequest, inspection_id: Id):
    _require(request)
    return _detail(request, inspection_id)


@router.post(
    "",
    response={200: InspectionDetailOut, 201: InspectionDetailOut},
    operation_id="inspections_start",
    summary="Start an inspection (idempotent on client_key)",
)
def inspections_start(request: HttpRequest, payload: InspectionStartIn):
    """201 with a new inspection; 200 with the same one when ``client_key`` was sent before."""
    _require(request, INSPECT)
    replay = bool(
        payload.client_key and Inspection.objects.filter(client_key=payload.client_key).exists()
    )
    inspection = services.inspection_start(
        actor=request.auth,
        unit_id=payload.unit_id,
        checklist_id=payload.checklist_id,
        kind=payload.kind,
        client_key=payload.client_key,
        place=payload.place,
        officers=payload.officer_ids,
    )
    return Status(200 if replay else 201, _detail(request, inspection.pk))


@router.post(
    "/{int:inspection_id}/results/{int:item_id}",
    response=SavedResultOut,
    operation_id="inspections_result_record",
    summary="Save the answer to one item (multipart, with photos)",
)
def inspections_result_record(
    request: HttpRequest,
    inspection_id: Id,
    item_id: Id,
    payload: Form[ResultIn],
    photos: File[list[UploadedFile]] = None,
):
    """Autosave: the same answer sent twice changes nothing (a photo sent again is kept once)."""
    _require(request, INSPECT)
    row = services.result_record(
        actor=request.auth,
        inspection_id=inspection_id,
        item_id=item_id,
        result=payload.result,
        note=payload.note,
        location=payload.location,
        photos=[p for p in (photos or []) if p is not None],
    )
    return {
        "item_id": row.item_id,
        "result": row.result,
        "note": row.note,
        "location": row.location,
        "answered_at": row.answered_at,
        "photos": [_photo(p) for p in row.photos.order_by("pk")],
        "inspection_version": Inspection.objects.only("version").get(pk=inspection_id).version,
    }


@router.patch(
    "/{int:inspection_id}",
    response=InspectionDetailOut,
    operation_id="inspections_update",
    summary="Correct the place, attendees, summary or officers",
)
def inspections_update(request: HttpRequest, inspection_id: Id, payload: UpdateIn):
    _require(request, INSPECT)
    data = payload.model_dump(exclude_unset=True)
    expected_version = data.pop("expected_version")
    officers = data.pop("officer_ids", None)
    services.inspection_update(
        actor=request.auth,
        inspection_id=inspection_id,
        expected_version=expected_version,
        officers=officers,
        **{k: v for k, v in data.items() if v is not None},
    )
    return _detail(request, inspection_id)


@router.post(
    "/{int:inspection_id}/finish",
    response=InspectionDetailOut,
    operation_id="inspections_finish",
    summary="Finish and lock: failed items become hazards",
)
def inspections_finish(request: HttpRequest, inspection_id: Id, payload: FinishIn):
    """Every item answered, both signatures (PNG data URLs) and the unit's signatory are needed.
    Each failed item is recorded as a hazard; if one is refused, nothing is finished (422).
    ``hazards`` chooses per failed item (errors name it: ``hazards.<item id>.<field>``)."""
    _require(request, INSPECT)
    data = payload.model_dump(exclude={"hazards", "hazard_overrides"})
    services.inspection_finish(
        actor=request.auth,
        inspection_id=inspection_id,
        hazard_overrides=payload.overrides(),
        **data,
    )
    return _detail(request, inspection_id)


@router.post(
    "/{int:inspection_id}/cancel",
    response=InspectionDetailOut,
    operation_id="inspections_cancel",
    summary="Cancel an inspection in progress (the lead or the town office)",
)
def inspections_cancel(request: HttpRequest, inspection_id: Id, payload: CancelIn):
    _require(request, INSPECT)
    services.inspection_cancel(
        actor=request.auth,
        inspection_id=inspection_id,
        expected_version=payload.expected_version,
        reason=payload.reason,
    )
    return _detail(request, inspection_id)


IMAGE_RESPONSES = {
    "responses": {
        "200": {
            "description": "The image",
            "content": {
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "image/webp": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


def _photo_file(request: HttpRequest, photo_id: int, *, original: bool) -> FileResponse:
    _require(request)
    photo = ResultPhoto.objects.visible_to(request.auth).filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo_file_response(photo, original=original, stem=f"inspection-photo-{photo.pk}")


@router.get(
    "/photos/{int:result_photo_id}",
    response={200: None},
    operation_id="inspections_photo_image",
    summary="A photo of an item, resized for display (JPEG)",
    openapi_extra=IMAGE_RESPONSES,
)
def inspections_photo_image(request: HttpRequest, result_photo_id: Id):
    return _photo_file(request, result_photo_id, original=False)


@router.get(
    "/photos/{int:result_photo_id}/original",
    response={200: None},
    operation_id="inspections_photo_original",
    summary="A photo of an item as uploaded",
    openapi_extra=IMAGE_RESPONSES,
)
def inspections_photo_original(request: HttpRequest, result_photo_id: Id):
    return _photo_file(request, result_photo_id, original=True)


class OfficersIn(Schema):
    officer_ids: list[Id] = Field(
        description="The officers who took part (the inspector is always kept)"
    )
    expected_version: DbInt | None = Field(None, description="Refused (409) if it changed since")


class OfficersOut(Schema):
    officers: list[InspectionRefOut] = Field(description="Who takes part now, the inspector first")
    choices: list[InspectionRefOut] = Field(
        description="Who may be chosen: the inspector and the officers with a valid certificate"
    )
    may_change: bool = Field(description="False once a document is issued for the inspection")
    version: int


def _officers_out(request: HttpRequest, inspection_id: int) -> dict:
    inspection = services.inspection_get_for(request.auth, inspection_id, action=INSPECT)
    chosen = [inspection.lead, *inspection.officers.exclude(pk=inspection.lead_id).order_by("pk")]
    return {
        "officers": [{"id": p.pk, "name": p.name or p.username} for p in chosen],
        "choices": [
            {"id": p.pk, "name": p.name or p.username}
            for p in services.officer_choices(inspection.unit, inspection.lead)
        ],
        "may_change": services.officers_may_change(inspection),
        "version": inspection.version,
    }


@router.get(
    "/{int:inspection_id}/officers",
    response=OfficersOut,
    operation_id="inspections_officers_get",
    summary="The officers of an inspection and who may be chosen",
)
def inspections_officers_get(request: HttpRequest, inspection_id: Id):
    _require(request, INSPECT)
    return _officers_out(request, inspection_id)


@router.put(
    "/{int:inspection_id}/officers",
    response=OfficersOut,
    operation_id="inspections_officers_set",
    summary="Choose the officers (also after finishing, until a document is issued)",
)
def inspections_officers_set(request: HttpRequest, inspection_id: Id, payload: OfficersIn):
    """409 once a document (现场检查记录, 责令限期整改指令书…) is issued for the inspection."""
    _require(request, INSPECT)
    services.inspection_officers_set(
        actor=request.auth,
        inspection_id=inspection_id,
        officers=payload.officer_ids,
        expected_version=payload.expected_version,
    )
    return _officers_out(request, inspection_id)
