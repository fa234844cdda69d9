"""Campaigns over the API (``/api/v1/campaigns``): the same scope and services as the pages.

Reading needs ``campaigns.view`` (a department officer: the campaigns they joined); creating,
correcting, closing and the participants need ``campaigns.manage``; linking and starting
inspections ``campaigns.take_part``. Outside the caller's scope: 404. A stale
``expected_version`` or a closed campaign: 409. A rule the input breaks: 422 with the reasons.
"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anjian.campaigns import services
from anjian.campaigns.choices import CampaignCategory, CampaignKind, CampaignStatus, Department
from anjian.campaigns.models import Campaign, CampaignInspection
from anjian.campaigns.selectors import campaign_inspections, campaign_list_for, campaign_tally
from anjian.core.api_types import DbInt, Id, Offset, Year
from anjian.core.choices import choice_label
from anjian.core.pagination import api_page
from anjian.core.scoping import get_scope

router = Router(tags=["campaigns"])

VIEW, MANAGE, TAKE_PART = services.VIEW, services.MANAGE, services.TAKE_PART
MAX_LIMIT = 200


def _require(request: HttpRequest, action: str = VIEW) -> None:
    if get_scope(request.auth).can(action):
        return
    if action == VIEW:
        raise PermissionDenied(_("Your roles do not include the campaigns."))
    if action == MANAGE:
        raise PermissionDenied(_("Your roles do not include managing campaigns."))
    raise PermissionDenied(_("Your roles do not include taking part in campaigns."))


# --- Schemas -------------------------------------------------------------------------------------


class CampaignRefOut(Schema):
    id: int
    name: str


class CampaignRowOut(Schema):
    id: int
    town: CampaignRefOut
    name: str
    kind: CampaignKind
    kind_label: str
    start_date: datetime.date
    end_date: datetime.date
    status: CampaignStatus
    status_label: str
    lead_department: Department
    departments: list[Department] = Field(description="The joining departments")
    categories: list[CampaignCategory]
    version: int = Field(description="Send it back as expected_version")


class CampaignPageOut(Schema):
    items: list[CampaignRowOut]
    count: int


class ParticipantOut(Schema):
    user: CampaignRefOut
    department: Department
    department_label: str
    joined_at: datetime.datetime


class CampaignDetailOut(CampaignRowOut):
    description: str
    closed_at: datetime.datetime | None
    participants: list[ParticipantOut]
    allowed_actions: list[str]


class TallyRowOut(Schema):
    category: str
    label: str
    units: int = Field(description="Distinct units checked")
    visits: int = Field(description="Inspection visits")
    hazards_found: int
    hazards_rectified: int = Field(description="Hazards closed (struck off)")


class TallyOut(Schema):
    rows: list[TallyRowOut]
    total: TallyRowOut
    sentence: str = Field(description="The sentence of the town's report, built from the numbers")


class CampaignInspectionOut(Schema):
    inspection_id: int
    unit: CampaignRefOut
    started_at: datetime.datetime
    status: str
    category: CampaignCategory
    category_label: str
    hazards_found: int
    hazards_rectified: int


class CampaignFilterIn(Schema):
    q: str | None = Field(None, description="Name or aims")
    kind: CampaignKind | None = None
    year: Year | None = Field(None, description="Campaigns whose period overlaps the year")
    status: CampaignStatus | None = None
    department: Department | None = Field(None, description="Leading or joining")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class CampaignIn(Schema):
    region_id: Id = Field(description="The town")
    name: str = Field(max_length=120)
    kind: CampaignKind
    start_date: datetime.date
    end_date: datetime.date
    lead_department: Department = Department.EMERGENCY
    departments: list[Department] = Field(default_factory=list)
    categories: list[CampaignCategory]
    description: str = ""


class CampaignUpdateIn(Schema):
    expected_version: DbInt
    name: str | None = Field(None, max_length=120)
    kind: CampaignKind | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    lead_department: Department | None = None
    departments: list[Department] | None = None
    categories: list[CampaignCategory] | None = None
    description: str | None = None


class CloseIn(Schema):
    expected_version: DbInt
    reason: str = ""


class ParticipantIn(Schema):
    user_id: Id
    department: Department


class ParticipantRemoveIn(Schema):
    user_id: Id


class LinkIn(Schema):
    inspection_id: Id
    category: CampaignCategory | None = Field(None, description="Default: from the unit")


class UnlinkIn(Schema):
    inspection_id: Id


class CampaignStartIn(Schema):
    unit_id: Id
    checklist_id: Id = Field(description="A published checklist version")
    category: CampaignCategory | None = Field(None, description="Default: from the unit")
    client_key: uuid.UUID | None = Field(
        None, description="Made by the phone; sending it again returns the same inspection"
    )
    place: str = Field("", max_length=200)
    officer_ids: list[Id] = Field(
        default_factory=list,
        description="The certified officers taking part (the inspector is always one of them)",
    )


# --- Building the answers -----------------------------------------------------------------------


def _row(campaign: Campaign) -> dict:
    status = campaign.status
    return {
        "id": campaign.pk,
        "town": {"id": campaign.region_id, "name": campaign.region.name},
        "name": campaign.name,
        "kind": campaign.kind,
        "kind_label": choice_label(CampaignKind, campaign.kind),
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "status": status,
        "status_label": choice_label(CampaignStatus, status),
        "lead_department": campaign.lead_department,
        "departments": [d.department for d in campaign.joining_departments.all()],
        "categories": list(campaign.categories),
        "version": campaign.version,
    }


def _detail(request: HttpRequest, campaign_id: int) -> dict:
    campaign = services.campaign_get_for(request.auth, campaign_id, action=VIEW)
    participants = campaign.participants.select_related("user").order_by("department", "pk")
    return {
        **_row(campaign),
        "description": campaign.description,
        "closed_at": campaign.closed_at,
        "participants": [
            {
                "user": {"id": p.user_id, "name": p.user.name or p.user.username},
                "department": p.department,
                "department_label": choice_label(Department, p.department),
                "joined_at": p.joined_at,
            }
            for p in participants
        ],
        "allowed_actions": services.allowed_actions(request.auth, campaign),
    }


def _link(link: CampaignInspection) -> dict:
    return {
        "inspection_id": link.inspection_id,
        "unit": {"id": link.inspection.unit_id, "name": link.inspection.unit.name},
        "started_at": link.inspection.started_at,
        "status": link.inspection.status,
        "category": link.category,
        "category_label": choice_label(CampaignCategory, link.category),
        "hazards_found": getattr(link, "hazards_found", 0),
        "hazards_rectified": getattr(link, "hazards_rectified", 0),
    }


# --- Operations ----------------------------------------------------------------------------------


@router.get("", response=CampaignPageOut, operation_id="campaigns_list", summary="List campaigns")
def campaigns_list(request: HttpRequest, filters: Query[CampaignFilterIn]):
    """The campaigns you may see, newest first (a department officer: those they joined)."""
    _require(request)
    params = {
        k: str(v)
        for k, v in filters.model_dump(exclude={"q", "limit", "offset"}).items()
        if v is not None
    }
    qs, _filterset = campaign_list_for(request.auth, params, search=filters.q or "")
    page = api_page(
        qs.prefetch_related("joining_departments"), offset=filters.offset, limit=filters.limit
    )
    return {"items": [_row(c) for c in page["items"]], "count": page["count"]}


@router.get(
    "/{int:campaign_id}",
    response=CampaignDetailOut,
    operation_id="campaigns_get",
    summary="One campaign with its departments, categories and participants",
)
def campaigns_get(request: HttpRequest, campaign_id: Id):
    _require(request)
    return _detail(request, campaign_id)


@router.post(
    "",
    response={201: CampaignDetailOut},
    operation_id="campaigns_create",
    summary="Create a campaign of a town",
)
def campaigns_create(request: HttpRequest, payload: CampaignIn):
    _require(request, MANAGE)
    campaign = services.campaign_create(actor=request.auth, **payload.model_dump())
    return Status(201, _detail(request, campaign.pk))


@router.patch(
    "/{int:campaign_id}",
    response=CampaignDetailOut,
    operation_id="campaigns_update",
    summary="Correct a campaign (compare-and-set on expected_version)",
)
def campaigns_update(request: HttpRequest, campaign_id: Id, payload: CampaignUpdateIn):
    _require(request, MANAGE)
    data = payload.model_dump(exclude_unset=True)
    expected_version = data.pop("expected_version")
    services.campaign_update(
        actor=request.auth, campaign_id=campaign_id, expected_version=expected_version, **data
    )
    return _detail(request, campaign_id)


@router.post(
    "/{int:campaign_id}/close",
    response=CampaignDetailOut,
    operation_id="campaigns_close",
    summary="Close a campaign: its tally becomes final",
)
def campaigns_close(request: HttpRequest, campaign_id: Id, payload: CloseIn):
    _require(request, MANAGE)
    services.campaign_close(actor=request.auth, campaign_id=campaign_id, **payload.model_dump())
    return _detail(request, campaign_id)


@router.post(
    "/{int:campaign_id}/participants",
    response=CampaignDetailOut,
    operation_id="campaigns_participants_add",
    summary="A department officer of the town joins the campaign",
)
def campaigns_participants_add(request: HttpRequest, campaign_id: Id, payload: ParticipantIn):
    _require(request, MANAGE)
    services.participant_add(actor=request.auth, campaign_id=campaign_id, **payload.model_dump())
    return _detail(request, campaign_id)


@router.post(
    "/{int:campaign_id}/participants/remove",
    response=CampaignDetailOut,
    operation_id="campaigns_participants_remove",
    summary="A department officer leaves the campaign",
)
def campaigns_participants_remove(
    request: HttpRequest, campaign_id: Id, payload: ParticipantRemoveIn
):
    _require(request, MANAGE)
    services.participant_remove(
        actor=request.auth, campaign_id=campaign_id, user_id=payload.user_id
    )
    return _detail(request, campaign_id)


@router.get(
    "/{int:campaign_id}/inspections",
    response=list[CampaignInspectionOut],
    operation_id="campaigns_inspections_list",
    summary="The campaign's inspections: unit, date, category and hazard counts",
)
def campaigns_inspections_list(request: HttpRequest, campaign_id: Id):
    _require(request)
    campaign = services.campaign_get_for(request.auth, campaign_id, action=VIEW)
    return [_link(link) for link in campaign_inspections(campaign)]


@router.post(
    "/{int:campaign_id}/inspections",
    response={201: CampaignInspectionOut},
    operation_id="campaigns_inspections_link",
    summary="Count an inspection of the town and period in the campaign",
)
def campaigns_inspections_link(request: HttpRequest, campaign_id: Id, payload: LinkIn):
    _require(request, TAKE_PART)
    link = services.inspection_link(
        actor=request.auth,
        campaign_id=campaign_id,
        inspection_id=payload.inspection_id,
        category=payload.category,
    )
    return Status(201, _link(campaign_inspections(link.campaign).get(pk=link.pk)))


@router.post(
    "/{int:campaign_id}/inspections/unlink",
    response={204: None},
    operation_id="campaigns_inspections_unlink",
    summary="Stop counting an inspection in the campaign",
)
def campaigns_inspections_unlink(request: HttpRequest, campaign_id: Id, payload: UnlinkIn):
    _require(request, TAKE_PART)
    services.inspection_unlink(
        actor=request.auth, campaign_id=campaign_id, inspection_id=payload.inspection_id
    )
    return Status(204, None)


@router.post(
    "/{int:campaign_id}/inspections/start",
    response={201: CampaignInspectionOut},
    operation_id="campaigns_inspections_start",
    summary="Start a joint-enforcement inspection linked to the campaign",
)
def campaigns_inspections_start(request: HttpRequest, campaign_id: Id, payload: CampaignStartIn):
    """Answer it with the inspections operations (``/api/v1/inspections/{id}``)."""
    _require(request, TAKE_PART)
    link = services.campaign_inspection_start(
        actor=request.auth,
        campaign_id=campaign_id,
        unit_id=payload.unit_id,
        checklist_id=payload.checklist_id,
        category=payload.category,
        client_key=str(payload.client_key) if payload.client_key else None,
        place=payload.place,
        officers=payload.officer_ids,
    )
    return Status(201, _link(campaign_inspections(link.campaign).get(pk=link.pk)))


@router.get(
    "/{int:campaign_id}/tally",
    response=TallyOut,
    operation_id="campaigns_tally",
    summary="The tally per category and the report sentence",
)
def campaigns_tally(request: HttpRequest, campaign_id: Id):
    _require(request)
    campaign = services.campaign_get_for(request.auth, campaign_id, action=VIEW)
    tally = campaign_tally(campaign)
    return {
        "rows": [r.as_dict() for r in tally.rows],
        "total": tally.total.as_dict(),
        "sentence": tally.sentence,
    }
