"""Experts on contract over the API (``/api/v1/experts``): service firms, engineers and the
assignment of engineers to units, with the same scoping and services as the pages."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anjian.accounts.models import User
from anjian.core.api_types import Id, Offset
from anjian.core.pagination import api_page
from anjian.core.scoping import get_scope
from anjian.units import experts
from anjian.units.experts import MANAGE_EXPERTS, REQUEST_CHANGE, VIEW_EXPERTS
from anjian.units.models import (
    AssignmentStatus,
    Category,
    Engineer,
    ExpertAssignment,
    ServiceFirm,
)

router = Router(tags=["experts"])

MAX_LIMIT = 200


def _require(request, action: str, message: str) -> None:
    if not get_scope(request.auth).can(action):
        raise PermissionDenied(message)


def _require_view(request) -> None:
    _require(request, VIEW_EXPERTS, _("Your roles do not include the experts on contract."))


def _require_manage(request) -> None:
    _require(request, MANAGE_EXPERTS, _("Your roles do not include managing service firms."))


# --- Schemas -------------------------------------------------------------------------------------


class FirmOut(Schema):
    id: int
    name: str
    credit_code: str
    region_id: int = Field(description="The town that contracts the firm")
    region_name: str
    contact_name: str
    contact_phone: str
    contract_from: datetime.date | None
    contract_to: datetime.date | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_region_name(obj: ServiceFirm) -> str:
        return obj.region.name


class FirmPageOut(Schema):
    items: list[FirmOut]
    count: int


class FirmIn(Schema):
    region_id: Id = Field(description="The town (region id)")
    name: str = Field(min_length=1, max_length=200)
    credit_code: str = Field("", max_length=30)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    contract_from: datetime.date | None = None
    contract_to: datetime.date | None = None


class FirmPatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    credit_code: str | None = Field(None, max_length=30)
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=20)
    contract_from: datetime.date | None = None
    contract_to: datetime.date | None = None


class FirmFilterIn(Schema):
    q: str | None = Field(None, description="Part of the name, credit code or contact")
    region: Id | None = Field(None, description="Only the firms of this town (region id)")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class EngineerOut(Schema):
    id: int
    firm_id: int
    firm_name: str
    name: str
    mobile: str
    certificate_no: str
    speciality_ids: list[Id] = Field(description="Unit categories the engineer specialises in")
    user_id: int | None = Field(description="The linked user account (role: expert)")
    is_active: bool

    @staticmethod
    def resolve_firm_name(obj: Engineer) -> str:
        return obj.firm.name

    @staticmethod
    def resolve_speciality_ids(obj: Engineer) -> list[int]:
        return sorted(c.pk for c in obj.specialities.all())


class EngineerPageOut(Schema):
    items: list[EngineerOut]
    count: int


class EngineerIn(Schema):
    firm_id: Id
    name: str = Field(min_length=1, max_length=50)
    mobile: str = Field("", max_length=20)
    certificate_no: str = Field("", max_length=60)
    speciality_ids: list[Id] = Field(default_factory=list)
    user_id: Id | None = None
    is_active: bool = True


class EngineerPatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=50)
    mobile: str | None = Field(None, max_length=20)
    certificate_no: str | None = Field(None, max_length=60)
    speciality_ids: list[Id] | None = None
    user_id: Id | None = None
    is_active: bool | None = None


class EngineerFilterIn(Schema):
    q: str | None = Field(None, description="Part of the name, mobile, certificate or firm")
    firm: Id | None = Field(None, description="Only the engineers of this firm")
    active: bool | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class AssignmentOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    engineer_id: int
    engineer_name: str
    firm_name: str
    status: AssignmentStatus
    status_label: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    reason: str
    requested_by_id: int | None
    requested_by_name: str | None
    decided_by_id: int | None
    decided_by_name: str | None
    decided_at: datetime.datetime | None
    decision_note: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_unit_name(obj: ExpertAssignment) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_engineer_name(obj: ExpertAssignment) -> str:
        return obj.engineer.name

    @staticmethod
    def resolve_firm_name(obj: ExpertAssignment) -> str:
        return obj.engineer.firm.name

    @staticmethod
    def resolve_status_label(obj: ExpertAssignment) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_requested_by_name(obj: ExpertAssignment) -> str | None:
        return str(obj.requested_by) if obj.requested_by_id else None

    @staticmethod
    def resolve_decided_by_name(obj: ExpertAssignment) -> str | None:
        return str(obj.decided_by) if obj.decided_by_id else None


class AssignmentPageOut(Schema):
    items: list[AssignmentOut]
    count: int


class AssignmentFilterIn(Schema):
    unit: Id | None = Field(None, description="Only the assignments of this unit (unit id)")
    engineer: Id | None = Field(None, description="Only the assignments of this engineer")
    status: AssignmentStatus | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class AssignmentIn(Schema):
    unit_id: Id
    engineer_id: Id
    reason: str = Field(
        "", max_length=2000, description="Required unless the office assigns a first engineer"
    )


class ExpertDecisionIn(Schema):
    note: str = Field("", max_length=2000, description="Required to reject")


# --- Firms ---------------------------------------------------------------------------------------


@router.get(
    "/firms", response=FirmPageOut, operation_id="experts_firms_list", summary="List service firms"
)
def experts_firms_list(request, filters: Query[FirmFilterIn]):
    """Service firms of the towns you may see."""
    _require_view(request)
    qs = experts.firm_list_for(request.auth)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(
            Q(name__icontains=q) | Q(credit_code__icontains=q) | Q(contact_name__icontains=q)
        )
    if filters.region is not None:
        qs = qs.filter(region_id=filters.region)
    return api_page(qs, offset=filters.offset, limit=filters.limit)


@router.get(
    "/firms/{int:firm_id}",
    response=FirmOut,
    operation_id="experts_firms_get",
    summary="One service firm",
)
def experts_firms_get(request, firm_id: Id):
    _require_view(request)
    return experts.firm_get_for(request.auth, firm_id)


@router.post(
    "/firms",
    response={201: FirmOut},
    operation_id="experts_firms_create",
    summary="Register a service firm",
)
def experts_firms_create(request, payload: FirmIn):
    _require_manage(request)
    region = experts.towns_for(request.auth).filter(pk=payload.region_id).first()
    if region is None:
        raise ValidationError({"region_id": _("You may only register firms for your own town.")})
    data = payload.model_dump(exclude={"region_id"})
    return Status(201, experts.firm_create(actor=request.auth, region=region, **data))


@router.patch(
    "/firms/{int:firm_id}",
    response=FirmOut,
    operation_id="experts_firms_update",
    summary="Change a service firm",
)
def experts_firms_update(request, firm_id: Id, payload: FirmPatchIn):
    _require_view(request)
    experts.firm_get_for(request.auth, firm_id)  # 404 outside the scope
    _require_manage(request)
    return experts.firm_update(
        actor=request.auth, firm_id=firm_id, **payload.model_dump(exclude_unset=True)
    )


# --- Engineers -----------------------------------------------------------------------------------


def _specialities(ids: list[int]) -> list[Category]:
    found = list(Category.objects.filter(pk__in=ids, is_active=True))
    if len(found) != len(set(ids)):
        raise ValidationError({"speciality_ids": _("One of the specialities does not exist.")})
    return found


def _account(request, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = User.objects.for_action(request.auth, "accounts.manage_users").filter(pk=user_id).first()
    if user is None:
        raise ValidationError({"user_id": _("Choose an account of your own town.")})
    return user


@router.get(
    "/engineers",
    response=EngineerPageOut,
    operation_id="experts_engineers_list",
    summary="List engineers",
)
def experts_engineers_list(request, filters: Query[EngineerFilterIn]):
    """Engineers of the service firms you may see."""
    _require_view(request)
    qs = experts.engineer_list_for(request.auth).prefetch_related("specialities")
    if filters.q:
        qs = qs.filter(experts.engineer_filter_q(filters.q.strip()))
    if filters.firm is not None:
        qs = qs.filter(firm_id=filters.firm)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return api_page(qs, offset=filters.offset, limit=filters.limit)


@router.get(
    "/engineers/{int:engineer_id}",
    response=EngineerOut,
    operation_id="experts_engineers_get",
    summary="One engineer",
)
def experts_engineers_get(request, engineer_id: Id):
    _require_view(request)
    return experts.engineer_get_for(request.auth, engineer_id)


@router.post(
    "/engineers",
    response={201: EngineerOut},
    operation_id="experts_engineers_create",
    summary="Add an engineer to a firm",
)
def experts_engineers_create(request, payload: EngineerIn):
    _require_manage(request)
    firm = experts.firm_list_for(request.auth, action=MANAGE_EXPERTS).filter(pk=payload.firm_id)
    if not firm.exists():
        raise ValidationError({"firm_id": _("Choose a service firm of your own town.")})
    engineer = experts.engineer_create(
        actor=request.auth,
        firm=firm.get(),
        name=payload.name,
        mobile=payload.mobile,
        certificate_no=payload.certificate_no,
        specialities=_specialities(payload.speciality_ids),
        user=_account(request, payload.user_id),
        is_active=payload.is_active,
    )
    return Status(201, engineer)


@router.patch(
    "/engineers/{int:engineer_id}",
    response=EngineerOut,
    operation_id="experts_engineers_update",
    summary="Change an engineer",
)
def experts_engineers_update(request, engineer_id: Id, payload: EngineerPatchIn):
    _require_view(request)
    experts.engineer_get_for(request.auth, engineer_id)  # 404 outside the scope
    _require_manage(request)
    data = payload.model_dump(exclude_unset=True)
    kwargs: dict = {}
    if "speciality_ids" in data:
        kwargs["specialities"] = _specialities(data.pop("speciality_ids") or [])
    if "user_id" in data:
        kwargs["user"] = _account(request, data.pop("user_id"))
    if data.get("is_active") is None:
        data.pop("is_active", None)
    kwargs.update({k: v for k, v in data.items() if v is not None})
    return experts.engineer_update(actor=request.auth, engineer_id=engineer_id, **kwargs)


# --- Assignments ---------------------------------------------------------------------------------


@router.get(
    "/assignments",
    response=AssignmentPageOut,
    operation_id="experts_assignments_list",
    summary="Assignments of engineers to units (history included)",
)
def experts_assignments_list(request, filters: Query[AssignmentFilterIn]):
    """The assignments of the units you may see, newest first; ``unit=`` gives one unit's history."""
    _require(request, "units.view", _("Your roles do not include the supervised units."))
    qs = experts.assignment_list_for(request.auth).order_by("-created_at", "-pk")
    if filters.unit is not None:
        qs = qs.filter(unit_id=filters.unit)
    if filters.engineer is not None:
        qs = qs.filter(engineer_id=filters.engineer)
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    return api_page(qs, offset=filters.offset, limit=filters.limit)


@router.post(
    "/assignments",
    response={201: AssignmentOut},
    operation_id="experts_assignments_create",
    summary="Assign an engineer, or ask for a change of engineer",
)
def experts_assignments_create(request, payload: AssignmentIn):
    """The town office assigns a unit's first engineer directly (``active``). Any other request
    is a change: it needs a ``reason`` and waits (``pending``) for the office's approval."""
    _require(request, REQUEST_CHANGE, _("Your roles do not include assigning engineers."))
    unit = experts.unit_get_for(request.auth, payload.unit_id, action=REQUEST_CHANGE)
    engineer = (
        Engineer.objects.filter(pk=payload.engineer_id, firm__region_id=unit.region.parent_id)
        .select_related("firm", "user")
        .first()
    )
    if engineer is None:
        raise ValidationError(
            {"engineer_id": _("There is no such engineer among the firms of the unit's town.")}
        )
    assignment = experts.expert_assign(
        actor=request.auth, unit=unit, engineer=engineer, reason=payload.reason
    )
    return Status(201, experts.assignment_list_for(request.auth).get(pk=assignment.pk))


def _decision_target(request, assignment_id: int) -> None:
    """404 outside the scope, 403 for a role that may see but not decide."""
    _require(request, "units.view", _("Your roles do not include the supervised units."))
    experts.assignment_get_for(request.auth, assignment_id)
    _require(request, MANAGE_EXPERTS, _("Your roles do not include deciding on engineers."))
    experts.assignment_get_for(request.auth, assignment_id, action=MANAGE_EXPERTS)


@router.post(
    "/assignments/{int:assignment_id}/approve",
    response=AssignmentOut,
    operation_id="experts_assignments_approve",
    summary="Approve a change of engineer",
)
def experts_assignments_approve(request, assignment_id: Id, payload: ExpertDecisionIn):
    _decision_target(request, assignment_id)
    experts.expert_assignment_approve(
        actor=request.auth, assignment_id=assignment_id, note=payload.note
    )
    return experts.assignment_get_for(request.auth, assignment_id)


@router.post(
    "/assignments/{int:assignment_id}/reject",
    response=AssignmentOut,
    operation_id="experts_assignments_reject",
    summary="Reject a change of engineer",
)
def experts_assignments_reject(request, assignment_id: Id, payload: ExpertDecisionIn):
    _decision_target(request, assignment_id)
    experts.expert_assignment_reject(
        actor=request.auth, assignment_id=assignment_id, note=payload.note
    )
    return experts.assignment_get_for(request.auth, assignment_id)
