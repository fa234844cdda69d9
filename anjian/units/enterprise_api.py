"""一企一码 and enterprise accounts over the API (mounted at /api/v1/units), with the pages'
scoping: invitations, activation (public), the enterprise's own edits, change requests and their
decision, the QR code, the town's public page settings and the public facts behind a code."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from anjian.core.api_types import DbInt, Id, Offset
from anjian.core.pagination import api_page
from anjian.core.scoping import get_scope
from anjian.units import enterprise
from anjian.units import public as qr
from anjian.units.enterprise import DECIDE, EDIT_OWN
from anjian.units.models import (
    ChangeStatus,
    Invitation,
    PersonRole,
    Unit,
    UnitChangeRequest,
)

router = Router(tags=["units: QR codes and enterprise accounts"])

MAX_LIMIT = 200


# --- Schemas -------------------------------------------------------------------------------------


class InvitationOut(Schema):
    id: int
    unit_id: int
    person_role: PersonRole
    name: str
    mobile: str
    status: str = Field(description="pending, accepted, revoked, locked or expired")
    status_label: str
    expires_at: datetime.datetime
    accepted_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    failed_attempts: int
    user_id: int | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_status(obj: Invitation) -> str:
        return enterprise.invitation_status(obj)

    @staticmethod
    def resolve_status_label(obj: Invitation) -> str:
        return enterprise.invitation_status_label(enterprise.invitation_status(obj))


class InvitationIn(Schema):
    # Checked by the service after the unit's scope, so that an outsider always gets 404.
    person_role: PersonRole | None = Field(None, description="principal or safety_officer")
    name: str = ""
    mobile: str = ""


class InvitationCreatedOut(Schema):
    invitation: InvitationOut
    code: str = Field(description="The activation code: shown once, stored only hashed")
    activation_url: str
    sms_sent: bool


class RevokeIn(Schema):
    reason: str = ""


class ActivateIn(Schema):
    mobile: str
    code: str = Field(description="The 8-digit activation code")
    password: str = Field(
        description="The new password, or the current one when the mobile already has an account"
    )


class ActivatedOut(Schema):
    user_id: int
    username: str
    unit_id: int


class OwnFactsOut(Schema):
    unit_id: int
    version: int
    address: str
    employees: int | None
    latitude: Decimal | None
    longitude: Decimal | None
    principal_mobile: str
    safety_officer_name: str
    safety_officer_mobile: str
    name: str
    credit_code: str
    principal_name: str
    legal_representative: str


class OwnUpdateIn(Schema):
    expected_version: DbInt | None = Field(None, description="The unit's version you edited")
    address: str | None = None
    employees: DbInt | None = Field(None, ge=0)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    principal_mobile: str | None = None
    safety_officer_name: str | None = None
    safety_officer_mobile: str | None = None
    name: str | None = Field(None, description="Key fact: goes to the office for approval")
    credit_code: str | None = Field(None, description="Key fact: goes to the office for approval")
    principal_name: str | None = Field(None, description="Key fact: goes to the office")
    legal_representative: str | None = Field(None, description="Key fact: goes to the office")


class ChangeRequestOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    changes: dict[str, list[Any]] = Field(description="{field: [current, proposed]}")
    status: ChangeStatus
    status_label: str
    requested_by_id: int | None
    decided_by_id: int | None
    decided_at: datetime.datetime | None
    decision_note: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_unit_name(obj: UnitChangeRequest) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_status_label(obj: UnitChangeRequest) -> str:
        return str(obj.get_status_display())


class OwnUpdateOut(Schema):
    facts: OwnFactsOut
    applied: list[str] = Field(description="Facts changed at once")
    change_request: ChangeRequestOut | None = Field(
        description="The proposal of key facts sent to the office, if any"
    )


class ChangeRequestPageOut(Schema):
    items: list[ChangeRequestOut]
    count: int


class ChangeRequestFilterIn(Schema):
    status: ChangeStatus | None = Field(None, description="Default: all")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class DecisionIn(Schema):
    note: str = ""


class PublicProfileOut(Schema):
    region_id: int
    region_name: str
    show_grade: bool
    show_safety_officer_phone: bool
    show_kind: bool
    show_address: bool


class PublicProfileIn(Schema):
    show_grade: bool | None = None
    show_safety_officer_phone: bool | None = None
    show_kind: bool | None = None
    show_address: bool | None = None


class PublicFactsOut(Schema):
    """Only what the town publishes; never the credit code, people's names or documents."""

    name: str
    town_name: str
    grade: str | None
    grade_colour: str | None
    grade_label: str | None
    safety_officer_phone: str | None
    kind_label: str | None
    address: str | None


class QrOut(Schema):
    unit_id: int
    url: str = Field(description="The address the QR code encodes")


# --- Helpers -------------------------------------------------------------------------------------


def _own_facts_out(unit: Unit) -> dict[str, Any]:
    return enterprise.own_facts(unit) | {"unit_id": unit.pk, "version": unit.version}


def _profile_out(profile) -> dict[str, Any]:
    return {
        "region_id": profile.region_id,
        "region_name": profile.region.name,
        **{flag: getattr(profile, flag) for flag in qr.PUBLISHED_FLAGS},
    }


# --- Invitations ---------------------------------------------------------------------------------


@router.get(
    "/{int:unit_id}/invitations",
    response=list[InvitationOut],
    operation_id="units_invitations_list",
    summary="Invitations of a unit",
)
def units_invitations_list(request, unit_id: Id):
    return list(enterprise.invitation_list_for(request.auth, unit_id))


@router.post(
    "/{int:unit_id}/invitations",
    response={201: InvitationCreatedOut},
    operation_id="units_invitations_create",
    summary="Invite a unit's principal or safety officer",
)
def units_invitations_create(request, unit_id: Id, payload: InvitationIn):
    """The answer carries the activation code once; pass it on (SMS is not wired yet)."""
    issued = enterprise.invitation_create(
        actor=request.auth,
        unit_id=unit_id,
        person_role=payload.person_role,
        name=payload.name,
        mobile=payload.mobile,
    )
    return Status(
        201,
        {
            "invitation": issued.invitation,
            "code": issued.code,
            "activation_url": issued.link,
            "sms_sent": issued.sms_sent,
        },
    )


@router.post(
    "/invitations/{int:invitation_id}/revoke",
    response=InvitationOut,
    operation_id="units_invitations_revoke",
    summary="Revoke an invitation",
)
def units_invitations_revoke(request, invitation_id: Id, payload: RevokeIn):
    return enterprise.invitation_revoke(
        actor=request.auth, invitation_id=invitation_id, reason=payload.reason
    )


@router.post(
    "/activate",
    auth=None,
    response={201: ActivatedOut},
    operation_id="units_activate",
    summary="Activate an enterprise account (no log-in)",
)
def units_activate(request, payload: ActivateIn):
    """Mobile number + activation code + password: the account is created (or the unit added to
    the existing account of that mobile). Five wrong codes lock the invitation."""
    user = enterprise.invitation_activate(
        mobile=payload.mobile, code=payload.code, password=payload.password
    )
    unit_id = (
        Invitation.objects.filter(user=user, accepted_at__isnull=False)
        .order_by("-accepted_at")
        .values_list("unit_id", flat=True)
        .first()
    )
    return Status(201, {"user_id": user.pk, "username": user.username, "unit_id": unit_id})


# --- The enterprise's own unit -------------------------------------------------------------------


@router.get(
    "/{int:unit_id}/own",
    response=OwnFactsOut,
    operation_id="units_own_get",
    summary="The facts of one's own unit",
)
def units_own_get(request, unit_id: Id):
    return _own_facts_out(enterprise.unit_for(request.auth, unit_id, EDIT_OWN))


@router.patch(
    "/{int:unit_id}/own",
    response=OwnUpdateOut,
    operation_id="units_own_update",
    summary="Change one's own unit",
)
def units_own_update(request, unit_id: Id, payload: OwnUpdateIn):
    """Ordinary facts change at once; key facts (name, credit code, principal, legal
    representative) become a change request that the office approves or rejects."""
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("expected_version", None)
    result = enterprise.unit_own_update(
        actor=request.auth, unit_id=unit_id, expected_version=version, **data
    )
    unit = enterprise.unit_for(request.auth, unit_id, EDIT_OWN)
    return {
        "facts": _own_facts_out(unit),
        "applied": result.applied,
        "change_request": result.change_request,
    }


# --- Change requests -----------------------------------------------------------------------------


@router.get(
    "/{int:unit_id}/change-requests",
    response=list[ChangeRequestOut],
    operation_id="units_change_requests_of_unit",
    summary="Change requests of one unit",
)
def units_change_requests_of_unit(request, unit_id: Id):
    qs = enterprise.change_requests_of_unit(request.auth, unit_id)
    return list(qs.select_related("unit").order_by("-created_at", "-pk")[:MAX_LIMIT])


@router.get(
    "/change-requests",
    response=ChangeRequestPageOut,
    operation_id="units_change_requests_list",
    summary="Change requests to decide",
)
def units_change_requests_list(request, filters: Query[ChangeRequestFilterIn]):
    if not get_scope(request.auth).can(DECIDE):
        raise PermissionDenied(_("Your roles do not include deciding change requests."))
    qs = UnitChangeRequest.objects.for_action(request.auth, DECIDE).select_related("unit")
    if filters.status:
        qs = qs.filter(status=filters.status)
    qs = qs.order_by("-created_at", "-pk")
    return api_page(qs, offset=filters.offset, limit=filters.limit)


@router.get(
    "/change-requests/{int:request_id}",
    response=ChangeRequestOut,
    operation_id="units_change_requests_get",
    summary="One change request",
)
def units_change_requests_get(request, request_id: Id):
    return enterprise.change_request_get_for(request.auth, request_id)


@router.post(
    "/change-requests/{int:request_id}/approve",
    response=ChangeRequestOut,
    operation_id="units_change_requests_approve",
    summary="Approve and apply a change request",
)
def units_change_requests_approve(request, request_id: Id, payload: DecisionIn):
    return enterprise.change_request_approve(
        actor=request.auth, request_id=request_id, note=payload.note
    )


@router.post(
    "/change-requests/{int:request_id}/reject",
    response=ChangeRequestOut,
    operation_id="units_change_requests_reject",
    summary="Reject a change request (with a note)",
)
def units_change_requests_reject(request, request_id: Id, payload: DecisionIn):
    return enterprise.change_request_reject(
        actor=request.auth, request_id=request_id, note=payload.note
    )


# --- QR codes ------------------------------------------------------------------------------------


def _visible_unit(request, unit_id: int) -> Unit:
    return enterprise.unit_for(request.auth, unit_id, "units.view")


@router.get(
    "/{int:unit_id}/qr.svg",
    response={200: None},
    operation_id="units_qr_svg",
    summary="The unit's QR code as an SVG file",
)
def units_qr_svg(request, unit_id: Id):
    unit = _visible_unit(request, unit_id)
    response = HttpResponse(qr.qr_svg_document(unit), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="unit-{unit.pk}-qr.svg"'
    return response


@router.get(
    "/{int:unit_id}/qr",
    response=QrOut,
    operation_id="units_qr_get",
    summary="The address the unit's QR code encodes",
)
def units_qr_get(request, unit_id: Id):
    unit = _visible_unit(request, unit_id)
    return {"unit_id": unit.pk, "url": qr.qr_url(unit)}


@router.post(
    "/{int:unit_id}/qr/reissue",
    response=QrOut,
    operation_id="units_qr_reissue",
    summary="Issue a new QR code (old stickers stop working)",
)
def units_qr_reissue(request, unit_id: Id):
    unit = qr.unit_qr_reissue(actor=request.auth, unit_id=unit_id)
    return {"unit_id": unit.pk, "url": qr.qr_url(unit)}


# --- The public page -----------------------------------------------------------------------------


@router.get(
    "/public-profiles/{int:region_id}",
    response=PublicProfileOut,
    operation_id="units_public_profile_get",
    summary="What a town publishes behind its QR codes",
)
def units_public_profile_get(request, region_id: Id):
    if not get_scope(request.auth).can(qr.MANAGE_PUBLIC_PAGE):
        raise PermissionDenied(_("Your roles do not include the public page settings."))
    town = qr.public_page_towns(request.auth).filter(pk=region_id).first()
    if town is None:
        raise Http404
    profile = qr.public_profile_for(town)
    return _profile_out(profile)


@router.put(
    "/public-profiles/{int:region_id}",
    response=PublicProfileOut,
    operation_id="units_public_profile_put",
    summary="Choose what a town publishes behind its QR codes",
)
def units_public_profile_put(request, region_id: Id, payload: PublicProfileIn):
    profile = qr.public_profile_update(
        actor=request.auth, region_id=region_id, **payload.model_dump(exclude_unset=True)
    )
    return _profile_out(profile)


@router.get(
    "/public/{token}",
    auth=None,
    response=PublicFactsOut,
    operation_id="units_public_get",
    summary="The public facts behind a QR code (no log-in)",
)
def units_public_get(request, token: str):
    unit = qr.unit_by_token(token)
    if unit is None:
        raise Http404
    return qr.public_facts(unit)
