"""The services of enforcement cases (立案查处): the only writers of a case and its stage.

Every change runs in one transaction, re-reads the case through ``for_action`` (404 outside the
actor's scope), compares and sets ``version`` (a concurrent change raises ``StaleObject``), writes
one ``CaseEvent`` of the timeline and one audit record. The stage moves only along
``case_workflow.TRANSITIONS``; each move that has a document issues it (numbered per town, type and
year) in the same transaction.

Money rules (domain §§2.4, 4.5, 6.4): a fine lies in the provision's range for the kind of party;
a fine above the range's maximum or above the town's entrusted cap is refused with the offer to
transfer (移送) the case to the district bureau; the party pays within 15 days of the service of
the decision; from the day after, a late fee of 3 % of the unpaid fine per day accrues, never more
than the fine; the case is executed once fine and late fee are paid.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.audit.services import audit_record
from anjian.core.exceptions import ActionNotPermitted, InvalidTransition, StaleObject
from anjian.enforcement.case_choices import CaseStage, PartyType, ProvisionKind
from anjian.enforcement.case_money import CENT, case_money, case_payments, late_fee
from anjian.enforcement.case_workflow import (
    APPROVE,
    DECISION_DAYS,
    EXTENDED_DECISION_DAYS,
    HANDLE,
    PAYMENT_DAYS,
    STATEMENT_DAYS,
    TRANSITIONS,
    VIEW,
    CaseTransition,
    transitions_from,
)
from anjian.enforcement.models import (
    Case,
    CaseEvent,
    CasePayment,
    EnforcementSettings,
    LegalProvision,
)


def case_may_open_from(user, *, inspection=None) -> bool:
    """Whether the inspection record or the hazard page offers ``user`` to open a case (立案):
    the role handles cases; an inspection once its record is finished."""
    from anjian.core.scoping import get_scope
    from anjian.inspections.choices import InspectionStatus

    if not get_scope(user).can(HANDLE):
        return False
    return inspection is None or inspection.status == InspectionStatus.FINISHED


def provision_for_basis(basis: str, queryset=None):
    """The ``LegalProvision`` row a checklist item's legal basis cites, or None ((law, article) is
    unique; ``inspections.legal_bases.provision_key``)."""
    from anjian.inspections.legal_bases import provision_key

    key = provision_key(basis)
    if key is None:
        return None
    if queryset is None:
        queryset = LegalProvision.objects.all()
    return queryset.filter(law=key[0], article=key[1]).first()


MANAGE_PROVISIONS = "enforcement.manage_provisions"
VIEW_PROVISIONS = "enforcement.view_provisions"
DEFAULT_BUREAU = "区应急管理局"


class TransferOffered(ValidationError):
    """The fine is above what the town may impose: the case should be transferred (移送)."""

    transfer_offered = True


# --- Reading ----------------------------------------------------------------------------------------


def case_get_for(user, case_id: int, *, action: str = VIEW) -> Case:
    case = (
        Case.objects.for_action(user, action)
        .select_related("unit__region", "town", "provision", "inspection")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    return case


def may(user, permission: str, case: Case) -> bool:
    return Case.objects.for_action(user, permission).filter(pk=case.pk).exists()


def money(value: Any, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("Give the amount in yuan.")}) from exc
    if amount < 0:
        raise ValidationError({field: _("An amount cannot be negative.")})
    return amount


def town_cap(case: Case) -> Decimal | None:
    settings = EnforcementSettings.objects.filter(town_id=case.town_id).first()
    return settings.penalty_cap if settings else None


def bureau_name(case: Case) -> str:
    settings = EnforcementSettings.objects.filter(town_id=case.town_id).first()
    return (settings.authority_name if settings else "") or DEFAULT_BUREAU


def penalty_check(case: Case, amount: Decimal, *, field: str) -> None:
    """Refuse a fine outside the provision's range for the party; above the range's maximum or
    the town's cap, refuse with the offer of a transfer (``TransferOffered``)."""
    low, high = case.provision.fine_range(case.party_type)
    if high is None:
        if amount > 0:
            raise ValidationError(
                {
                    field: _(
                        "The provision sets no fine for this kind of party: give 0 (a warning "
                        "only) or choose another provision."
                    )
                }
            )
        return
    if low is not None and amount < low:
        raise ValidationError(
            {
                field: _("The fine is below the provision's smallest fine of %(low)s yuan.")
                % {"low": low}
            }
        )
    if amount > high:
        raise TransferOffered(
            {
                field: _(
                    "The fine is above the provision's largest fine of %(high)s yuan: the town "
                    "may not impose it. Transfer the case to the district bureau."
                )
                % {"high": high}
            }
        )
    cap = town_cap(case)
    if cap is not None and amount > cap:
        raise TransferOffered(
            {
                field: _(
                    "The fine is above the %(cap)s yuan the town may impose: transfer the case "
                    "to the district bureau."
                )
                % {"cap": cap}
            }
        )


# --- Deadlines and money ------------------------------------------------------------------------


def overdue_reason(case: Case, today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    before = case.stage in (CaseStage.INVESTIGATING, CaseStage.NOTIFIED)
    if before and case.decision_due and case.decision_due < today:
        return _("The decision is overdue (due %(date)s).") % {"date": case.decision_due}
    if case.stage == CaseStage.DECIDED and case.payment_due and case.payment_due < today:
        return _("The payment is overdue (due %(date)s).") % {"date": case.payment_due}
    return ""


def overdue_filter(qs, today: datetime.date | None = None):
    from django.db.models import Q

    today = today or timezone.localdate()
    return qs.filter(
        Q(stage__in=(CaseStage.INVESTIGATING, CaseStage.NOTIFIED), decision_due__lt=today)
        | Q(stage=CaseStage.DECIDED, payment_due__lt=today)
    )


# --- Opening ------------------------------------------------------------------------------------


def _event(case: Case, *, action: str, actor, from_stage="", to_stage="", note="", data=None):
    return CaseEvent.objects.create(
        case=case,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note or "",
        data=data or {},
    )


def case_snapshot(case: Case) -> dict[str, Any]:
    return {
        "stage": case.stage,
        "number": case.number,
        "cause": case.cause,
        "provision": case.provision_id,
        "party_type": case.party_type,
        "party_name": case.party_name,
        "proposed_fine": str(case.proposed_fine) if case.proposed_fine is not None else None,
        "decided_fine": str(case.decided_fine) if case.decided_fine is not None else None,
        "decision_due": str(case.decision_due) if case.decision_due else None,
        "payment_due": str(case.payment_due) if case.payment_due else None,
        "transferred_to": case.transferred_to,
    }


def _certified(users) -> list:
    from anjian.enforcement.documents import certified_officers

    return [p for p, _n in certified_officers(users)]


@transaction.atomic
def case_open(
    *,
    actor,
    unit_id: int,
    cause: str,
    facts: str,
    provision_id: int,
    party_type: str = PartyType.ORGANISATION,
    party_name: str = "",
    inspection_id: int | None = None,
    hazard_ids: Sequence[int] = (),
    officer_ids: Sequence[int] = (),
    proposed_fine: Any = None,
) -> Case:
    """Propose a case against a unit (立案, awaiting approval), from an inspection and/or hazards.
    At least two officers with valid law-enforcement certificates handle it."""
    from anjian.accounts.models import User
    from anjian.core.scoping import get_scope
    from anjian.hazards.models import Hazard
    from anjian.inspections.models import Inspection
    from anjian.units.models import Unit

    if not get_scope(actor).can(HANDLE):
        raise PermissionDenied
    unit = (
        Unit.objects.for_action(actor, HANDLE).select_related("region").filter(pk=unit_id).first()
    )
    if unit is None:
        raise Http404
    errors: dict[str, str] = {}
    cause, facts = (cause or "").strip(), (facts or "").strip()
    if not cause:
        errors["cause"] = _("Give the cause of action (案由).")
    if not facts:
        errors["facts"] = _("Describe the facts of the case.")
    if party_type not in PartyType.values:
        errors["party_type"] = _("Choose the kind of party.")
    party_name = (party_name or "").strip()
    if party_type == PartyType.INDIVIDUAL and not party_name:
        errors["party_name"] = _("Give the name of the person the case is against.")
    provision = (  # a shared provision or one of the opener's town (regions.shared)
        LegalProvision.objects.filter(
            pk=provision_id, is_active=True, kind=ProvisionKind.PENALTY
        )  # a duty article sets no penalty: a case cannot rest on it
        .filter(_shared_or_own_q(actor, VIEW_PROVISIONS))
        .first()
    )
    if provision is None:
        errors["provision_id"] = _("Choose a provision of the table in use.")
    inspection = None
    if inspection_id:
        inspection = (
            Inspection.objects.for_action(actor, HANDLE).filter(pk=inspection_id, unit=unit).first()
        )
        if inspection is None:
            errors["inspection_id"] = _("The inspection is not one of this unit's.")
    hazards = list(
        Hazard.objects.for_action(actor, HANDLE).filter(pk__in=list(hazard_ids), unit=unit)
    )
    if len(hazards) != len(set(hazard_ids)):
        errors["hazard_ids"] = _("A hazard is not one of this unit's.")
    wanted = list(dict.fromkeys([*officer_ids] or [actor.pk]))
    if inspection is not None and not officer_ids:
        wanted = list(dict.fromkeys([actor.pk, *inspection.officers.values_list("pk", flat=True)]))
    officers = _certified(User.objects.filter(pk__in=wanted, is_active=True).order_by("pk"))
    if len(officers) < 2:
        errors["officer_ids"] = _(
            "At least two case officers, each with a valid law-enforcement certificate."
        )
    if errors:
        raise ValidationError(errors)
    town = unit.region.parent
    case = Case(
        town=town,
        unit=unit,
        party_type=party_type,
        party_name=party_name or unit.name,
        inspection=inspection,
        cause=cause,
        facts=facts,
        provision=provision,
        opened_by=actor,
        proposed_fine=money(proposed_fine, "proposed_fine"),
    )
    case.save()
    case.officers.set(officers)
    if hazards:
        case.hazards.set(hazards)
    _event(case, action="open", actor=actor, to_stage=case.stage)
    audit_record(
        actor=actor, action="case.opened", obj=case, region_id=town.pk, after=case_snapshot(case)
    )
    return case


# --- Moves --------------------------------------------------------------------------------------


def guard_errors(case: Case, t: CaseTransition, today: datetime.date) -> dict[str, str]:
    """Rules that depend on the case (not on what is typed)."""
    if t.action == "extend" and case.extended_on is not None:
        return {"action": _("The decision deadline has already been extended.")}
    if t.action == "execute" and case_money(case, today)["owed"] > 0:
        return {"action": _("Fine and late fee are not paid in full yet.")}
    return {}


def case_actions_for(user, case: Case) -> list[CaseTransition]:
    """The buttons ``user`` sees on ``case``."""
    today = timezone.localdate()
    return [
        t
        for t in transitions_from(case.stage)
        if may(user, t.permission, case) and not guard_errors(case, t, today)
    ]


def _date(value: Any, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError({field: _("Give the date as YYYY-MM-DD.")}) from exc


def _effects(case: Case, t: CaseTransition, *, actor, data: Mapping[str, Any], today) -> dict:
    """The fields the move sets (validated)."""
    note = data.get("note", "")
    if t.action == "approve":
        return {
            "approved_by": actor,
            "opened_on": today,
            "decision_due": today + datetime.timedelta(days=DECISION_DAYS),
        }
    if t.action == "notify":
        fine = money(data.get("proposed_fine", case.proposed_fine), "proposed_fine")
        if fine is None:
            raise ValidationError({"proposed_fine": _("Give the proposed fine (0 for a warning).")})
        penalty_check(case, fine, field="proposed_fine")
        return {
            "proposed_fine": fine,
            "notified_on": today,
            "statement_due": today + datetime.timedelta(days=STATEMENT_DAYS),
        }
    if t.action == "record_statement":
        statement = (data.get("statement") or "").strip()
        if not statement:
            raise ValidationError({"statement": _("Write down what the party said.")})
        return {"statement": statement, "hearing_requested": bool(data.get("hearing_requested"))}
    if t.action == "extend":
        return {
            "decision_due": case.opened_on + datetime.timedelta(days=EXTENDED_DECISION_DAYS),
            "extended_by": actor,
            "extended_on": today,
        }
    if t.action == "decide":
        fine = money(data.get("decided_fine", case.proposed_fine), "decided_fine")
        if fine is None:
            raise ValidationError({"decided_fine": _("Give the fine decided (0 for a warning).")})
        waived = bool(data.get("statement_waived"))
        if case.statement_due and today <= case.statement_due and not (waived or case.statement):
            raise ValidationError(
                {
                    "statement_waived": _(
                        "The party may still make a statement or ask for a hearing until "
                        "%(date)s: decide after that, or record the statement or the waiver."
                    )
                    % {"date": case.statement_due}
                }
            )
        penalty_check(case, fine, field="decided_fine")
        served = _date(data.get("served_on"), "served_on") or today
        if served < today:
            raise ValidationError(
                {"served_on": _("The decision cannot be served before it is made.")}
            )
        return {
            "decided_fine": fine,
            "decided_by": actor,
            "decided_on": today,
            "served_on": served,
            "payment_due": served + datetime.timedelta(days=PAYMENT_DAYS),
        }
    if t.action == "execute":
        return {"executed_on": today}
    if t.action == "close":
        return {"closed_by": actor, "closed_on": today}
    if t.action == "transfer":
        to = (data.get("transferred_to") or "").strip() or bureau_name(case)
        return {"transferred_to": to, "transferred_on": today, "transfer_reason": note}
    if t.action == "withdraw":
        return {"withdrawn_reason": note}
    return {}


@transaction.atomic
def _case_for_action(actor, case_id: int, action: str) -> tuple[Case, CaseTransition]:
    """The case and the transition of ``action``, refused when the action is unknown or not the
    actor's to take."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise InvalidTransition("?", action, _("Unknown action “%(action)s”.") % {"action": action})
    case = case_get_for(actor, case_id)
    if not may(actor, t.permission, case):
        raise ActionNotPermitted()
    return case, t


def case_act(
    *,
    actor,
    case_id: int,
    action: str,
    expected_version: int,
    note: str = "",
    data: Mapping[str, Any] | None = None,
) -> Case:
    """Make ``action`` happen to the case, or refuse it and change nothing."""
    case, t = _case_for_action(actor, case_id, action)
    if case.version != expected_version:
        raise StaleObject()
    return _move(case, t, actor=actor, note=note, data=data)


def case_act_preview(
    *, actor, case_id: int, action: str, note: str = "", data: Mapping[str, Any] | None = None
):
    """The document ``action`` would issue, as it would print (``documents.Preview``): nothing is
    written and no number is taken. ``None`` when the move issues no document. The move's own
    refusals (stage, guards, the values given) are raised as ``case_act`` would."""
    import copy

    case, t = _case_for_action(actor, case_id, action)
    if not t.document:
        return None
    _check_stage(case, t)
    today = timezone.localdate()
    data = dict(data or {})
    data["note"] = (note or data.get("note") or "").strip()
    if errors := guard_errors(case, t, today):
        raise ValidationError(errors)
    draft = copy.copy(case)
    for field, value in _effects(case, t, actor=actor, data=data, today=today).items():
        setattr(draft, field, value)
    draft.stage = t.target_for(case.stage)
    from anjian.enforcement.case_documents import case_document_preview

    return case_document_preview(case=draft, doc_type=t.document)


def _check_stage(case: Case, t: CaseTransition) -> None:
    if case.stage not in t.sources:
        raise InvalidTransition(
            case.get_stage_display(),
            str(t.label),
            _("“%(action)s” is not possible while the case is “%(stage)s”.")
            % {"action": t.label, "stage": case.get_stage_display()},
        )


def _move(case: Case, t: CaseTransition, *, actor, note: str = "", data=None) -> Case:
    _check_stage(case, t)
    today = timezone.localdate()
    data = dict(data or {})
    data["note"] = note = (note or data.get("note") or "").strip()
    if t.note_required and not note:
        raise ValidationError({"note": _("Give the reason.")})
    errors = guard_errors(case, t, today)
    if errors:
        raise ValidationError(errors)
    before = case_snapshot(case)
    values = _effects(case, t, actor=actor, data=data, today=today)
    target = t.target_for(case.stage)
    n = Case.objects.filter(pk=case.pk, stage=case.stage, version=case.version).update(
        **values, stage=target, version=F("version") + 1
    )
    if n != 1:
        raise StaleObject()
    case.refresh_from_db()
    event_data: dict[str, Any] = {}
    if t.document:
        from anjian.enforcement.case_documents import case_document_issue

        document = case_document_issue(actor=actor, case=case, doc_type=t.document)
        event_data["document"] = document.label
        if t.action == "approve":
            Case.objects.filter(pk=case.pk).update(number=document.label)
            case.number = document.label
    for key in ("proposed_fine", "decided_fine", "transferred_to", "served_on"):
        if key in values:
            event_data[key] = str(values[key])
    _event(
        case,
        action=t.action,
        actor=actor,
        from_stage=before["stage"],
        to_stage=case.stage,
        note=note,
        data=event_data,
    )
    audit_record(
        actor=actor,
        action=f"case.{t.action}",
        obj=case,
        region_id=case.town_id,
        before=before,
        after=case_snapshot(case),
        reason=note,
    )
    return case


# --- Payments -----------------------------------------------------------------------------------


@transaction.atomic
def payment_record(
    *,
    actor,
    case_id: int,
    amount: Any,
    paid_on: Any,
    receipt_number: str,
    expected_version: int | None = None,
) -> CasePayment:
    """Record a payment of a decided case; once fine and late fee are paid, the case is executed."""
    case = case_get_for(actor, case_id)
    if not may(actor, HANDLE, case):
        raise ActionNotPermitted()
    case = Case.objects.select_for_update().select_related("provision").get(pk=case.pk)
    if expected_version is not None and case.version != expected_version:
        raise StaleObject()
    if case.stage != CaseStage.DECIDED:
        raise InvalidTransition(
            case.get_stage_display(),
            "pay",
            _("Payments are recorded for a decided case only."),
        )
    value = money(amount, "amount")
    if not value:
        raise ValidationError({"amount": _("Give the amount paid.")})
    day = _date(paid_on, "paid_on")
    if day is None:
        raise ValidationError({"paid_on": _("Give the day of the payment.")})
    if day > timezone.localdate():
        raise ValidationError({"paid_on": _("A payment cannot be dated in the future.")})
    if case.decided_on and day < case.decided_on:
        raise ValidationError({"paid_on": _("A payment cannot be made before the decision.")})
    receipt = (receipt_number or "").strip()
    if not receipt:
        raise ValidationError({"receipt_number": _("Give the receipt number.")})
    try:
        with transaction.atomic():
            payment = CasePayment.objects.create(
                case=case, amount=value, paid_on=day, receipt_number=receipt, recorded_by=actor
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"receipt_number": _("This receipt is already recorded for the case.")}
        ) from exc
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
    case.refresh_from_db()
    last = max(d for d, _a in case_payments(case))
    figures = case_money(case, last)
    _event(
        case,
        action="payment",
        actor=actor,
        from_stage=case.stage,
        to_stage=case.stage,
        data={"amount": str(value), "paid_on": str(day), "receipt": receipt},
    )
    audit_record(
        actor=actor,
        action="case.payment_recorded",
        obj=case,
        region_id=case.town_id,
        changes={"amount": str(value), "paid_on": str(day), "receipt": receipt},
    )
    if figures["owed"] <= 0:
        case = _move(case, TRANSITIONS["execute"], actor=actor, note=_("Paid in full."))
        Case.objects.filter(pk=case.pk).update(executed_on=last)
    return payment


# --- The table of provisions ----------------------------------------------------------------------

PROVISION_FIELDS = (
    "law",
    "article",
    "violation",
    "penalty_text",
    "fine_min_organisation",
    "fine_max_organisation",
    "fine_min_individual",
    "fine_max_individual",
    "warning",
    "suspension",
    "note",
    "is_active",
    "kind",
)
MONEY_FIELDS = PROVISION_FIELDS[4:8]


def _provision_values(fields: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in PROVISION_FIELDS:
        if key not in fields:
            continue
        value = fields[key]
        if key in MONEY_FIELDS:
            value = money(value, key)
        elif key in ("warning", "suspension", "is_active"):
            value = bool(value)
        elif key == "kind":
            value = value or ProvisionKind.PENALTY
            if value not in ProvisionKind.values:
                raise ValidationError({"kind": _("Choose the kind of provision.")})
        else:
            value = (value or "").strip()
        values[key] = value
    if not partial:
        for key in ("law", "article", "violation", "penalty_text"):
            if not values.get(key):
                raise ValidationError({key: _("This field is required.")})
    return values


def _check_ranges(provision: LegalProvision) -> None:
    for low, high in (
        (provision.fine_min_organisation, provision.fine_max_organisation),
        (provision.fine_min_individual, provision.fine_max_individual),
    ):
        if low is not None and high is None:
            raise ValidationError({"fine_max_organisation": _("Give the largest fine too.")})
        if low is not None and high is not None and low > high:
            raise ValidationError(
                {"fine_min_organisation": _("The smallest fine is above the largest.")}
            )
    for key in ("law", "article", "violation", "penalty_text"):
        if not getattr(provision, key):
            raise ValidationError({key: _("This field is required.")})
    if provision.kind == ProvisionKind.DUTY and provision.pk and provision.cases.exists():
        raise ValidationError(
            {"kind": _("Cases rest on this provision: it stays a penalty provision.")}
        )


def _require_manager(actor) -> None:
    from anjian.core.scoping import get_scope

    if not get_scope(actor).can(MANAGE_PROVISIONS):
        raise PermissionDenied


def _shared_or_own_q(actor, action: str):
    from django.db.models import Q

    from anjian.regions.shared import shared_or_own_q

    return shared_or_own_q(actor, action) if actor is not None else Q()


def provision_change_refusal(actor, provision: LegalProvision) -> str:
    """Why ``actor`` may not change ``provision`` ("" if they may): a shared row is the
    district's, a town's own row that town's (``regions.shared``)."""
    from anjian.regions.shared import shared_row_refusal

    town = provision.town
    return shared_row_refusal(
        actor, MANAGE_PROVISIONS, provision.town_id, town.path if town is not None else ""
    )


@transaction.atomic
def provision_create(*, actor, **fields: Any) -> LegalProvision:
    """Add a provision: shared when the district adds it, the town's own when a town does."""
    from anjian.regions.shared import owner_town_for

    _require_manager(actor)
    provision = LegalProvision(**_provision_values(fields, partial=False))
    provision.town = owner_town_for(actor, MANAGE_PROVISIONS)
    _check_ranges(provision)
    if LegalProvision.objects.filter(law=provision.law, article=provision.article).exists():
        raise ValidationError({"article": _("This provision is already in the table.")})
    provision.save()
    audit_record(
        actor=actor,
        action="provision.created",
        obj=provision,
        region_id=provision.town_id,
        changes={"town": str(provision.town or "")},
    )
    return provision


@transaction.atomic
def provision_update(
    *, actor, provision_id: int, expected_version: int, **fields: Any
) -> LegalProvision:
    """Change a provision (a case keeps pointing to it; retire one with ``is_active``)."""
    provision = (
        LegalProvision.objects.for_action(actor, VIEW_PROVISIONS).filter(pk=provision_id).first()
    )
    if provision is None:
        raise Http404
    _require_manager(actor)
    if refusal := provision_change_refusal(actor, provision):
        raise ActionNotPermitted(refusal)
    if provision.version != expected_version:
        raise StaleObject()
    before = {k: str(getattr(provision, k)) for k in PROVISION_FIELDS}
    values = _provision_values(fields, partial=True)
    for key, value in values.items():
        setattr(provision, key, value)
    _check_ranges(provision)
    clash = LegalProvision.objects.filter(law=provision.law, article=provision.article).exclude(
        pk=provision.pk
    )
    if clash.exists():
        raise ValidationError({"article": _("This provision is already in the table.")})
    n = LegalProvision.objects.filter(pk=provision.pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if n != 1:
        raise StaleObject()
    provision.refresh_from_db()
    audit_record(
        actor=actor,
        action="provision.updated",
        obj=provision,
        region_id=provision.town_id,
        before=before,
        after={k: str(getattr(provision, k)) for k in PROVISION_FIELDS},
    )
    return provision


__all__ = [
    "APPROVE",
    "HANDLE",
    "TransferOffered",
    "case_act",
    "case_act_preview",
    "case_actions_for",
    "case_get_for",
    "case_money",
    "case_open",
    "late_fee",
    "payment_record",
    "provision_change_refusal",
    "provision_create",
    "provision_update",
]
