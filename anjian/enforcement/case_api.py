"""Enforcement cases over the API (mounted at ``/api/v1/cases``): the twins of the pages. Reads go
through ``for_action`` (404 outside the scope), writes through ``case_services``; an enterprise sees
its own unit's cases only."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anjian.core.api_types import DbInt, Id, Offset, Year
from anjian.core.pagination import api_page
from anjian.core.scoping import get_scope
from anjian.enforcement import case_services as services
from anjian.enforcement.api import DocumentPreviewOut, preview_out
from anjian.enforcement.case_choices import CaseStage, PartyType, ProvisionKind
from anjian.enforcement.case_services import MANAGE_PROVISIONS, VIEW_PROVISIONS
from anjian.enforcement.case_workflow import HANDLE, VIEW
from anjian.enforcement.models import Case, CasePayment, LegalProvision

router = Router(tags=["enforcement cases"])

MAX_LIMIT = 200


def _require(request: HttpRequest, action: str) -> None:
    if not get_scope(request.auth).can(action):
        raise PermissionDenied(_("Your roles do not include this."))


# --- Schemas ------------------------------------------------------------------------------------


class ProvisionOut(Schema):
    id: int
    law: str
    article: str
    kind: ProvisionKind
    violation: str
    penalty_text: str
    fine_min_organisation: Decimal | None
    fine_max_organisation: Decimal | None
    fine_min_individual: Decimal | None
    fine_max_individual: Decimal | None
    warning: bool
    suspension: bool
    note: str
    is_active: bool
    version: int


class ProvisionPageOut(Schema):
    items: list[ProvisionOut]
    count: int


class ProvisionIn(Schema):
    law: str
    article: str
    kind: ProvisionKind = ProvisionKind.PENALTY
    violation: str
    penalty_text: str
    fine_min_organisation: Decimal | None = None
    fine_max_organisation: Decimal | None = None
    fine_min_individual: Decimal | None = None
    fine_max_individual: Decimal | None = None
    warning: bool = False
    suspension: bool = False
    note: str = ""
    is_active: bool = True


class ProvisionUpdateIn(Schema):
    expected_version: DbInt
    law: str | None = None
    article: str | None = None
    kind: ProvisionKind | None = None
    violation: str | None = None
    penalty_text: str | None = None
    fine_min_organisation: Decimal | None = None
    fine_max_organisation: Decimal | None = None
    fine_min_individual: Decimal | None = None
    fine_max_individual: Decimal | None = None
    warning: bool | None = None
    suspension: bool | None = None
    note: str | None = None
    is_active: bool | None = None


class CaseEventOut(Schema):
    action: str
    from_stage: str
    to_stage: str
    actor_id: int | None
    at: datetime.datetime
    note: str
    data: dict


class PaymentOut(Schema):
    id: int
    amount: Decimal
    paid_on: datetime.date
    receipt_number: str
    recorded_at: datetime.datetime


class CaseOut(Schema):
    id: int
    number: str
    town_id: int
    unit_id: int
    unit_name: str
    party_type: PartyType
    party_name: str
    inspection_id: int | None
    hazard_ids: list[Id]
    cause: str
    facts: str
    provision_id: int
    provision: str
    stage: CaseStage
    stage_label: str
    version: int
    officer_ids: list[Id]
    opened_on: datetime.date | None
    decision_due: datetime.date | None
    proposed_fine: Decimal | None
    notified_on: datetime.date | None
    statement_due: datetime.date | None
    statement: str
    hearing_requested: bool
    decided_fine: Decimal | None
    decided_on: datetime.date | None
    served_on: datetime.date | None
    payment_due: datetime.date | None
    executed_on: datetime.date | None
    closed_on: datetime.date | None
    transferred_to: str
    transferred_on: datetime.date | None
    transfer_reason: str
    withdrawn_reason: str
    overdue: str = Field(description="Why the case is overdue; empty when it is not")
    late_fee: Decimal = Field(description="The late fee due today")
    paid: Decimal
    owed: Decimal = Field(description="Fine and late fee still owed today")
    document_ids: list[Id]
    allowed_actions: list[str] = Field(description="What the caller may do now")

    @staticmethod
    def resolve_unit_name(obj: Case) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_hazard_ids(obj: Case) -> list[int]:
        return sorted(h.pk for h in obj.hazards.all())

    @staticmethod
    def resolve_provision(obj: Case) -> str:
        return str(obj.provision)

    @staticmethod
    def resolve_stage_label(obj: Case) -> str:
        return str(obj.get_stage_display())

    @staticmethod
    def resolve_officer_ids(obj: Case) -> list[int]:
        return sorted(u.pk for u in obj.officers.all())

    @staticmethod
    def resolve_overdue(obj: Case) -> str:
        return services.overdue_reason(obj)

    @staticmethod
    def resolve_late_fee(obj: Case) -> Decimal:
        return services.case_money(obj)["late_fee"]

    @staticmethod
    def resolve_paid(obj: Case) -> Decimal:
        return services.case_money(obj)["paid"]

    @staticmethod
    def resolve_owed(obj: Case) -> Decimal:
        return services.case_money(obj)["owed"]

    @staticmethod
    def resolve_document_ids(obj: Case) -> list[int]:
        return sorted(d.pk for d in obj.documents.all())

    @staticmethod
    def resolve_allowed_actions(obj: Case, context) -> list[str]:
        user = context["request"].auth
        actions = [t.action for t in services.case_actions_for(user, obj)]
        if obj.stage == CaseStage.DECIDED and services.may(user, HANDLE, obj):
            actions.append("pay")
        return actions


class CaseDetailOut(CaseOut):
    events: list[CaseEventOut]
    payments: list[PaymentOut]

    @staticmethod
    def resolve_events(obj: Case) -> list:
        return list(obj.events.all())

    @staticmethod
    def resolve_payments(obj: Case) -> list:
        return list(obj.payments.all())


class CasePageOut(Schema):
    items: list[CaseOut]
    count: int


class CaseFilterIn(Schema):
    q: str | None = Field(None, description="Part of the number, the party, the unit or the cause")
    stage: CaseStage | None = None
    year: Year | None = None
    unit_id: Id | None = None
    overdue: bool | None = None
    transferred: bool | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class CaseOpenIn(Schema):
    unit_id: Id
    cause: str
    facts: str
    provision_id: Id
    party_type: PartyType = PartyType.ORGANISATION
    party_name: str = ""
    inspection_id: Id | None = None
    hazard_ids: list[Id] = []
    officer_ids: list[Id] = Field([], description="At least two certified officers")
    proposed_fine: Decimal | None = None


class CaseActIn(Schema):
    action: str = Field(
        description="approve, notify, record_statement, extend, decide, execute, close, transfer, withdraw"
    )
    expected_version: DbInt
    note: str = ""
    proposed_fine: Decimal | None = None
    decided_fine: Decimal | None = None
    served_on: datetime.date | None = None
    statement_waived: bool = False
    statement: str | None = None
    hearing_requested: bool = False
    transferred_to: str | None = None


class PaymentIn(Schema):
    amount: Decimal
    paid_on: datetime.date
    receipt_number: str
    expected_version: DbInt | None = None


# --- Cases --------------------------------------------------------------------------------------


def _cases(user):
    return (
        Case.objects.for_action(user, VIEW)
        .select_related("unit", "provision")
        .prefetch_related("hazards", "officers", "documents", "payments")
    )


def _out(user, case_id: int) -> Case:
    case = _cases(user).filter(pk=case_id).first()
    if case is None:
        raise Http404
    return case


@router.get(
    "/", response=CasePageOut, operation_id="cases_list", summary="Enforcement cases (scoped)"
)
def cases_list(request: HttpRequest, filters: Query[CaseFilterIn]):
    _require(request, VIEW)
    qs = _cases(request.auth)
    if filters.q:
        q = filters.q
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(party_name__icontains=q)
            | Q(unit__name__icontains=q)
            | Q(cause__icontains=q)
        )
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.year:
        qs = qs.filter(created_at__year=filters.year)
    if filters.unit_id:
        qs = qs.filter(unit_id=filters.unit_id)
    if filters.overdue is not None:
        late = services.overdue_filter(qs)
        qs = late if filters.overdue else qs.exclude(pk__in=late.values("pk"))
    if filters.transferred is not None:
        qs = (
            qs.filter(stage=CaseStage.TRANSFERRED)
            if filters.transferred
            else qs.exclude(stage=CaseStage.TRANSFERRED)
        )
    return api_page(qs, offset=filters.offset, limit=filters.limit)


@router.get(
    "/{int:case_id}",
    response=CaseDetailOut,
    operation_id="cases_get",
    summary="One case with its timeline and payments",
)
def cases_get(request: HttpRequest, case_id: Id):
    _require(request, VIEW)
    return _out(request.auth, case_id)


@router.post(
    "/",
    response={201: CaseDetailOut},
    operation_id="cases_open",
    summary="Propose a case (立案) against a unit",
)
def cases_open(request: HttpRequest, payload: CaseOpenIn):
    """From an inspection and/or hazards; it awaits the approval to open."""
    _require(request, HANDLE)
    case = services.case_open(actor=request.auth, **payload.dict())
    return Status(201, _out(request.auth, case.pk))


@router.post(
    "/{int:case_id}/act",
    response=CaseDetailOut,
    operation_id="cases_act",
    summary="Take an action on a case",
)
def cases_act(request: HttpRequest, case_id: Id, payload: CaseActIn):
    """A fine above the provision's range or the town's cap is refused (400) with the offer to
    transfer the case; a stale ``expected_version`` answers 409."""
    _require(request, VIEW)
    data = payload.dict(exclude={"action", "expected_version", "note"})
    services.case_act(
        actor=request.auth,
        case_id=case_id,
        action=payload.action,
        expected_version=payload.expected_version,
        note=payload.note,
        data={k: v for k, v in data.items() if v is not None},
    )
    return _out(request.auth, case_id)


@router.post(
    "/{int:case_id}/act/preview",
    response=DocumentPreviewOut,
    operation_id="cases_act_preview",
    summary="Preview the document an action would issue, before its number is taken",
)
def cases_act_preview(request: HttpRequest, case_id: Id, payload: CaseActIn):
    """The same body as ``act``; nothing is written and no number is used. An action that issues
    no document answers 422."""
    _require(request, VIEW)
    data = payload.dict(exclude={"action", "expected_version", "note"})
    preview = services.case_act_preview(
        actor=request.auth,
        case_id=case_id,
        action=payload.action,
        note=payload.note,
        data={k: v for k, v in data.items() if v is not None},
    )
    if preview is None:
        raise ValidationError({"action": _("This action issues no document.")})
    return preview_out(preview)


@router.get(
    "/{int:case_id}/payments",
    response=list[PaymentOut],
    operation_id="cases_payments_list",
    summary="The payments of a case",
)
def cases_payments_list(request: HttpRequest, case_id: Id):
    _require(request, VIEW)
    case = services.case_get_for(request.auth, case_id)
    return list(CasePayment.objects.for_action(request.auth, VIEW).filter(case=case))


@router.post(
    "/{int:case_id}/payments",
    response={201: PaymentOut},
    operation_id="cases_payments_create",
    summary="Record a payment of the fine",
)
def cases_payments_create(request: HttpRequest, case_id: Id, payload: PaymentIn):
    """Once fine and late fee are paid, the case is executed."""
    _require(request, VIEW)
    payment = services.payment_record(actor=request.auth, case_id=case_id, **payload.dict())
    return Status(201, payment)


# --- Provisions ---------------------------------------------------------------------------------


@router.get(
    "/provisions",
    response=ProvisionPageOut,
    operation_id="cases_provisions_list",
    summary="The table of legal provisions",
)
def cases_provisions_list(
    request: HttpRequest,
    q: str | None = None,
    active: bool | None = None,
    kind: ProvisionKind | None = None,
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
    offset: Offset = 0,
):
    """``kind``: ``penalty`` (罚则, what a case chooses) or ``duty`` (义务条款, what checklist
    items cite)."""
    _require(request, VIEW_PROVISIONS)
    qs = LegalProvision.objects.for_action(request.auth, VIEW_PROVISIONS)
    if q:
        qs = qs.filter(Q(law__icontains=q) | Q(article__icontains=q) | Q(violation__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return api_page(qs, offset=offset, limit=limit)


def _provision(user, provision_id: int) -> LegalProvision:
    provision = (
        LegalProvision.objects.for_action(user, VIEW_PROVISIONS).filter(pk=provision_id).first()
    )
    if provision is None:
        raise Http404
    return provision


@router.get(
    "/provisions/{int:provision_id}",
    response=ProvisionOut,
    operation_id="cases_provisions_get",
    summary="One legal provision",
)
def cases_provisions_get(request: HttpRequest, provision_id: Id):
    _require(request, VIEW_PROVISIONS)
    return _provision(request.auth, provision_id)


@router.post(
    "/provisions",
    response={201: ProvisionOut},
    operation_id="cases_provisions_create",
    summary="Add a provision to the table",
)
def cases_provisions_create(request: HttpRequest, payload: ProvisionIn):
    _require(request, MANAGE_PROVISIONS)
    return Status(201, services.provision_create(actor=request.auth, **payload.dict()))


@router.patch(
    "/provisions/{int:provision_id}",
    response=ProvisionOut,
    operation_id="cases_provisions_update",
    summary="Change a provision",
)
def cases_provisions_update(request: HttpRequest, provision_id: Id, payload: ProvisionUpdateIn):
    """Only the fields given change; ``expected_version`` guards against a concurrent change."""
    _provision(request.auth, provision_id)
    _require(request, MANAGE_PROVISIONS)
    fields = payload.dict(exclude_unset=True)
    version = fields.pop("expected_version")
    return services.provision_update(
        actor=request.auth, provision_id=provision_id, expected_version=version, **fields
    )
