"""Checklist templates over the API (``/api/v1/checklists``): the same scope and services as the
pages. Reading needs ``inspections.view_templates``; every write needs
``inspections.manage_templates`` and a town's own copy (a shipped template is 403: copy it first).
A published version is frozen: editing it is 409.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from anjian.core.api_types import Id, Offset
from anjian.core.choices import choice_label
from anjian.core.export import xlsx_response
from anjian.core.scoping import get_scope
from anjian.hazards.choices import HazardCategory, HazardLevel
from anjian.inspections import templates as services
from anjian.inspections.choices import VersionStatus
from anjian.inspections.models import ChecklistTemplate
from anjian.inspections.template_excel import (
    version_filename,
    version_import_xlsx,
    version_xlsx,
)
from anjian.regions.models import Region
from anjian.units.models import Unit

router = Router(tags=["checklists"])

VIEW = services.VIEW
MANAGE = services.MANAGE
MAX_LIMIT = 200

# --- Schemas ---------------------------------------------------------------------------------------


class TownRefOut(Schema):
    id: int
    name: str


class TemplateOut(Schema):
    id: int
    code: str
    name: str
    description: str
    is_shipped: bool = Field(description="Shipped with anjian (read-only: copy it to edit)")
    town: TownRefOut | None
    unit_kinds: list[str]
    category_codes: list[str]
    is_active: bool
    copied_from_id: int | None
    published_number: int | None = Field(description="The version inspections use now")
    draft_number: int | None = Field(description="The draft being edited, if any")
    item_count: int = Field(description="Items of the published version")
    can_edit: bool


class TemplatePageOut(Schema):
    items: list[TemplateOut]
    count: int


class VersionRefOut(Schema):
    id: int
    number: int
    status: VersionStatus
    status_label: str
    note: str
    created_at: datetime.datetime
    published_at: datetime.datetime | None
    published_by: str | None
    item_count: int


class TemplateDetailOut(TemplateOut):
    versions: list[VersionRefOut]


class ItemOut(Schema):
    id: int
    order: int
    text: str
    legal_basis: str
    hazard_level: HazardLevel
    hazard_level_label: str
    hazard_category: HazardCategory
    hazard_category_label: str
    is_major_criterion: bool
    criterion_ref: str
    guidance: str


class ChecklistSectionOut(Schema):
    id: int
    title: str
    order: int
    items: list[ItemOut]


class VersionOut(Schema):
    id: int
    template_id: int
    template_name: str
    number: int
    status: VersionStatus
    status_label: str
    note: str
    published_at: datetime.datetime | None
    sections: list[ChecklistSectionOut]


class TemplateListIn(Schema):
    q: str | None = Field(None, max_length=100, description="Name, code or description")
    shipped: bool | None = Field(None, description="true: shipped only; false: the town's only")
    offset: Offset = 0
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


class TemplateUpdateIn(Schema):
    name: str | None = Field(None, max_length=100)
    description: str | None = None
    unit_kinds: list[str] | None = None
    category_codes: list[str] | None = None
    is_active: bool | None = None


class CopyIn(Schema):
    region_id: Id | None = Field(None, description="The town (default: the caller's town)")


class ChecklistPublishIn(Schema):
    note: str = Field("", max_length=300, description="What changed")


class SectionIn(Schema):
    title: str = Field(..., min_length=1, max_length=100)


class SectionUpdateIn(Schema):
    title: str | None = Field(None, min_length=1, max_length=100)
    move: Literal["up", "down"] | None = None


class ItemFieldsIn(Schema):
    text: str | None = None
    legal_basis: str | None = None
    hazard_level: HazardLevel | None = None
    hazard_category: HazardCategory | None = None
    is_major_criterion: bool | None = None
    criterion_ref: str | None = Field(None, max_length=100)
    guidance: str | None = None


class ItemCreateIn(ItemFieldsIn):
    section_id: Id
    text: str = Field(..., min_length=1)


class ItemMoveIn(Schema):
    direction: Literal["up", "down"] | None = None
    section_id: Id | None = Field(None, description="Move to the end of this section")


# --- Helpers ---------------------------------------------------------------------------------------


def _require(request: HttpRequest, action: str = VIEW) -> None:
    if get_scope(request.auth).can(action):
        return
    if action == VIEW:
        raise PermissionDenied(_("Your roles do not include the checklists."))
    raise PermissionDenied(_("Only the town safety office edits checklists."))


def _editable_ids(user) -> set[int]:
    if not get_scope(user).can(MANAGE):
        return set()
    return set(
        ChecklistTemplate.objects.for_action(user, MANAGE)
        .filter(region__isnull=False)
        .values_list("pk", flat=True)
    )


def _template(t: ChecklistTemplate, editable: set[int]) -> dict[str, Any]:
    return {
        "id": t.pk,
        "code": t.code,
        "name": t.name,
        "description": t.description,
        "is_shipped": t.region_id is None,
        "town": {"id": t.region_id, "name": t.region.name} if t.region_id else None,
        "unit_kinds": list(t.unit_kinds or []),
        "category_codes": list(t.category_codes or []),
        "is_active": t.is_active,
        "copied_from_id": t.copied_from_id,
        "published_number": t.published_number,
        "draft_number": t.draft_number,
        "item_count": t.item_count or 0,
        "can_edit": t.pk in editable,
    }


def _template_detail(user, template_id: int) -> dict[str, Any]:
    template = services.templates_for(user).filter(pk=template_id).first()
    if template is None:
        services.template_get_for(user, template_id)  # 404
    data = _template(template, _editable_ids(user))
    data["versions"] = [
        {
            "id": v.pk,
            "number": v.number,
            "status": v.status,
            "status_label": choice_label(VersionStatus, v.status),
            "note": v.note,
            "created_at": v.created_at,
            "published_at": v.published_at,
            "published_by": (v.published_by.name or v.published_by.username)
            if v.published_by
            else None,
            "item_count": v.n,
        }
        for v in services.versions_of(template)
    ]
    return data


def _version(user, version_id: int) -> dict[str, Any]:
    v = services.version_get_for(user, version_id)
    return {
        "id": v.pk,
        "template_id": v.template_id,
        "template_name": v.template.name,
        "number": v.number,
        "status": v.status,
        "status_label": choice_label(VersionStatus, v.status),
        "note": v.note,
        "published_at": v.published_at,
        "sections": [
            {
                "id": s.pk,
                "title": s.title,
                "order": s.order,
                "items": [
                    {
                        "id": i.pk,
                        "order": i.order,
                        "text": i.text,
                        "legal_basis": i.legal_basis,
                        "hazard_level": i.hazard_level,
                        "hazard_level_label": choice_label(HazardLevel, i.hazard_level),
                        "hazard_category": i.hazard_category,
                        "hazard_category_label": choice_label(HazardCategory, i.hazard_category),
                        "is_major_criterion": i.is_major_criterion,
                        "criterion_ref": i.criterion_ref,
                        "guidance": i.guidance,
                    }
                    for i in s.items.all()
                ],
            }
            for s in v.sections.all()
        ],
    }


# --- Templates --------------------------------------------------------------------------------------


@router.get(
    "", response=TemplatePageOut, operation_id="checklists_list", summary="List checklist templates"
)
def checklists_list(request: HttpRequest, filters: Query[TemplateListIn]):
    """The shipped templates and the caller's town's own copies."""
    _require(request)
    qs = services.templates_for(request.auth)
    if filters.q:
        qs = services.templates_search(qs, filters.q)
    if filters.shipped is not None:
        qs = qs.filter(region__isnull=filters.shipped)
    editable = _editable_ids(request.auth)
    rows = list(qs[filters.offset : filters.offset + filters.limit])
    return {"items": [_template(t, editable) for t in rows], "count": qs.count()}


@router.get(
    "/for-unit/{int:unit_id}",
    response=list[TemplateOut],
    operation_id="checklists_for_unit",
    summary="The templates suited to a unit (its categories, its kind, then the general one)",
)
def checklists_for_unit(request: HttpRequest, unit_id: Id):
    _require(request)
    unit = Unit.objects.for_action(request.auth, "units.view").filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    editable = _editable_ids(request.auth)
    return [_template(t, editable) for t in services.templates_for_unit(request.auth, unit)]


@router.get(
    "/{int:template_id}",
    response=TemplateDetailOut,
    operation_id="checklists_get",
    summary="One template with its versions",
)
def checklists_get(request: HttpRequest, template_id: Id):
    _require(request)
    return _template_detail(request.auth, template_id)


@router.patch(
    "/{int:template_id}",
    response=TemplateDetailOut,
    operation_id="checklists_update",
    summary="Change a town's template: name, description, kinds, categories, in use",
)
def checklists_update(request: HttpRequest, template_id: Id, payload: TemplateUpdateIn):
    _require(request, MANAGE)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    services.template_update(actor=request.auth, template_id=template_id, **data)
    return _template_detail(request.auth, template_id)


@router.post(
    "/{int:template_id}/copy",
    response={201: TemplateDetailOut},
    operation_id="checklists_copy",
    summary="Copy a template to the caller's town (its published content as a version 1 draft)",
)
def checklists_copy(request: HttpRequest, template_id: Id, payload: CopyIn):
    _require(request, MANAGE)
    region = None
    if payload.region_id is not None:
        region = Region.objects.filter(pk=payload.region_id).first()
        if region is None:
            raise PermissionDenied(_("You may copy checklists only to your own town."))
    copy = services.template_copy(actor=request.auth, template_id=template_id, region=region)
    return Status(201, _template_detail(request.auth, copy.pk))


@router.post(
    "/{int:template_id}/drafts",
    response={201: VersionOut},
    operation_id="checklists_draft_start",
    summary="Start a new draft from the published version (refused while a draft exists)",
)
def checklists_draft_start(request: HttpRequest, template_id: Id):
    _require(request, MANAGE)
    draft = services.version_start_draft(actor=request.auth, template_id=template_id)
    return Status(201, _version(request.auth, draft.pk))


# --- Versions ---------------------------------------------------------------------------------------


@router.get(
    "/versions/{int:version_id}",
    response=VersionOut,
    operation_id="checklists_version_get",
    summary="One version with its sections and items",
)
def checklists_version_get(request: HttpRequest, version_id: Id):
    _require(request)
    return _version(request.auth, version_id)


@router.post(
    "/versions/{int:version_id}/publish",
    response=VersionOut,
    operation_id="checklists_version_publish",
    summary="Publish a draft (it is frozen; the version published before retires)",
)
def checklists_version_publish(request: HttpRequest, version_id: Id, payload: ChecklistPublishIn):
    _require(request, MANAGE)
    services.version_publish(actor=request.auth, version_id=version_id, note=payload.note)
    return _version(request.auth, version_id)


@router.get(
    "/versions/{int:version_id}/xlsx",
    operation_id="checklists_version_export",
    summary="A version as an Excel workbook",
)
def checklists_version_export(request: HttpRequest, version_id: Id):
    _require(request)
    version = services.version_get_for(request.auth, version_id)
    return xlsx_response(version_filename(version), version_xlsx(version))


@router.post(
    "/versions/{int:version_id}/import",
    response=VersionOut,
    operation_id="checklists_version_import",
    summary="Replace a draft's sections and items with a workbook's (multipart ``file``)",
)
def checklists_version_import(request: HttpRequest, version_id: Id, file: File[UploadedFile]):
    """The columns of the export (分项, 序号, 检查内容, 依据, 隐患等级, 隐患类别, 重大隐患判定,
    判定条款, 检查方法). A bad row gives 422 with one message per bad cell (row and column); nothing
    is written then."""
    _require(request, MANAGE)
    version_import_xlsx(actor=request.auth, version_id=version_id, upload=file)
    return _version(request.auth, version_id)


@router.post(
    "/versions/{int:version_id}/sections",
    response={201: ChecklistSectionOut},
    operation_id="checklists_section_add",
    summary="Add a section to a draft",
)
def checklists_section_add(request: HttpRequest, version_id: Id, payload: SectionIn):
    _require(request, MANAGE)
    section = services.section_add(actor=request.auth, version_id=version_id, title=payload.title)
    return Status(201, _section(request.auth, version_id, section.pk))


@router.patch(
    "/versions/{int:version_id}/sections/{int:section_id}",
    response=ChecklistSectionOut,
    operation_id="checklists_section_update",
    summary="Rename a section of a draft, or move it up or down",
)
def checklists_section_update(
    request: HttpRequest, version_id: Id, section_id: Id, payload: SectionUpdateIn
):
    _require(request, MANAGE)
    services.section_update(
        actor=request.auth,
        version_id=version_id,
        section_id=section_id,
        title=payload.title,
        move=payload.move,
    )
    return _section(request.auth, version_id, section_id)


@router.delete(
    "/versions/{int:version_id}/sections/{int:section_id}",
    response={204: None},
    operation_id="checklists_section_delete",
    summary="Delete a section of a draft with its items",
)
def checklists_section_delete(request: HttpRequest, version_id: Id, section_id: Id):
    _require(request, MANAGE)
    services.section_delete(actor=request.auth, version_id=version_id, section_id=section_id)
    return Status(204, None)


@router.post(
    "/versions/{int:version_id}/items",
    response={201: ItemOut},
    operation_id="checklists_item_add",
    summary="Add an item to a section of a draft",
)
def checklists_item_add(request: HttpRequest, version_id: Id, payload: ItemCreateIn):
    _require(request, MANAGE)
    data = payload.model_dump(exclude_none=True)
    section_id = data.pop("section_id")
    item = services.item_add(
        actor=request.auth, version_id=version_id, section_id=section_id, **data
    )
    return Status(201, _item(request.auth, version_id, item.pk))


@router.patch(
    "/versions/{int:version_id}/items/{int:item_id}",
    response=ItemOut,
    operation_id="checklists_item_update",
    summary="Change an item of a draft",
)
def checklists_item_update(
    request: HttpRequest, version_id: Id, item_id: Id, payload: ItemFieldsIn
):
    _require(request, MANAGE)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    services.item_update(actor=request.auth, version_id=version_id, item_id=item_id, **data)
    return _item(request.auth, version_id, item_id)


@router.delete(
    "/versions/{int:version_id}/items/{int:item_id}",
    response={204: None},
    operation_id="checklists_item_delete",
    summary="Delete an item of a draft",
)
def checklists_item_delete(request: HttpRequest, version_id: Id, item_id: Id):
    _require(request, MANAGE)
    services.item_delete(actor=request.auth, version_id=version_id, item_id=item_id)
    return Status(204, None)


@router.post(
    "/versions/{int:version_id}/items/{int:item_id}/move",
    response=ItemOut,
    operation_id="checklists_item_move",
    summary="Move an item up or down, or to the end of another section",
)
def checklists_item_move(request: HttpRequest, version_id: Id, item_id: Id, payload: ItemMoveIn):
    _require(request, MANAGE)
    services.item_move(
        actor=request.auth,
        version_id=version_id,
        item_id=item_id,
        direction=payload.direction,
        section_id=payload.section_id,
    )
    return _item(request.auth, version_id, item_id)


def _section(user, version_id: int, section_id: int) -> dict[str, Any]:
    version = _version(user, version_id)
    return next(s for s in version["sections"] if s["id"] == section_id)


def _item(user, version_id: int, item_id: int) -> dict[str, Any]:
    version = _version(user, version_id)
    return next(i for s in version["sections"] for i in s["items"] if i["id"] == item_id)
