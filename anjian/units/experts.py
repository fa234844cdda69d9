"""Experts on contract (包干制): service firms, their engineers, and each unit's assigned engineer.

Reads (selectors) go through ``for_action``; writes (services) take ``actor=`` (``None`` is the
system: the demo loader), run in one transaction, audit themselves and move an assignment's
``status`` only by compare-and-set (``UPDATE … WHERE status=…``), so no decision is ever lost.

The rules of an assignment (``ExpertAssignment``):

- The town office assigns the first engineer of a unit directly: the assignment is active at once.
- Any other assignment is a *change*: it needs a reason and waits (``pending``) for the office's
  approval. The town office and inspectors may ask for one, and an engineer may ask to hand over
  one of their units. One pending change per unit (a database constraint backs this).
- The office approves (the old assignment ends, the new one is active) or rejects with a note. The
  person who asked may not approve their own request.
- The ``expert`` role assignments of an engineer's user account cover exactly the units where the
  engineer is active (``expert_roles_sync``), so that the engineer's scope follows the decisions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import RoleAssignment, User
from anjian.accounts.roles import Role
from anjian.accounts.services import role_assign, role_revoke
from anjian.audit.services import audit_record, diff, snapshot
from anjian.core.exceptions import ActionNotPermitted, InvalidTransition, StaleObject
from anjian.core.scoping import get_scope
from anjian.core.validators import validate_credit_code, validate_mobile
from anjian.regions.models import Region, RegionLevel
from anjian.units.models import (
    AssignmentStatus,
    Category,
    Engineer,
    ExpertAssignment,
    ServiceFirm,
    Unit,
)

VIEW_EXPERTS = "units.view_experts"
MANAGE_EXPERTS = "units.manage_experts"
REQUEST_CHANGE = "units.request_expert_change"

S = AssignmentStatus

# --- Selectors -----------------------------------------------------------------------------------


def firm_list_for(user, *, action: str = VIEW_EXPERTS) -> QuerySet[ServiceFirm]:
    return ServiceFirm.objects.for_action(user, action).select_related("region")


def firm_get_for(user, pk: int, *, action: str = VIEW_EXPERTS) -> ServiceFirm:
    firm = firm_list_for(user, action=action).filter(pk=pk).first()
    if firm is None:
        raise Http404
    return firm


def engineer_list_for(user, *, action: str = VIEW_EXPERTS) -> QuerySet[Engineer]:
    return Engineer.objects.for_action(user, action).select_related("firm__region", "user")


def engineer_get_for(user, pk: int, *, action: str = VIEW_EXPERTS) -> Engineer:
    engineer = engineer_list_for(user, action=action).filter(pk=pk).first()
    if engineer is None:
        raise Http404
    return engineer


def assignment_list_for(user, *, action: str = "units.view") -> QuerySet[ExpertAssignment]:
    """Assignments of the units ``user`` may see (an enterprise user: their own unit only)."""
    return ExpertAssignment.objects.for_action(user, action).select_related(
        "unit__region", "engineer__firm", "requested_by", "decided_by"
    )


def assignment_get_for(user, pk: int, *, action: str = "units.view") -> ExpertAssignment:
    assignment = assignment_list_for(user, action=action).filter(pk=pk).first()
    if assignment is None:
        raise Http404
    return assignment


def unit_get_for(user, pk: int, *, action: str = "units.view") -> Unit:
    unit = Unit.objects.for_action(user, action).select_related("region__parent").filter(pk=pk)
    found = unit.first()
    if found is None:
        raise Http404
    return found


def active_assignments_for_units(unit_ids: Iterable[int]) -> dict[int, ExpertAssignment]:
    """``{unit_id: active assignment}`` for the given units (which the caller has scoped)."""
    rows = ExpertAssignment.objects.filter(
        unit_id__in=list(unit_ids), status=S.ACTIVE
    ).select_related("engineer__firm")
    return {a.unit_id: a for a in rows}


def active_engineer_ids_for_units(unit_ids: Iterable[int]) -> dict[int, int]:
    """``{unit_id: engineer_id}`` of the units that have an engineer in force (one query)."""
    rows = ExpertAssignment.objects.filter(unit_id__in=list(unit_ids), status=S.ACTIVE)
    return dict(rows.values_list("unit_id", "engineer_id"))


def units_with_active_engineer(engineer_id: int) -> QuerySet[ExpertAssignment]:
    """A filter for unit lists: ``Unit.objects…filter(pk__in=units_with_active_engineer(id))``."""
    return ExpertAssignment.objects.filter(engineer_id=engineer_id, status=S.ACTIVE).values(
        "unit_id"
    )


def engineers_for_unit(unit: Unit) -> QuerySet[Engineer]:
    """The engineers who may take over ``unit``: active, of a firm of the unit's town."""
    return (
        Engineer.objects.filter(is_active=True, firm__region_id=unit.region.parent_id)
        .select_related("firm")
        .order_by("firm__name", "name")
    )


def towns_for(user, *, action: str = MANAGE_EXPERTS) -> QuerySet[Region]:
    return Region.objects.for_action(user, action).filter(level=RegionLevel.TOWN)


def _can_on_unit(user, unit: Unit, action: str) -> bool:
    if user is None:
        return True
    if not get_scope(user).can(action):
        return False
    return Unit.objects.for_action(user, action).filter(pk=unit.pk).exists()


def unit_experts_tab(user, unit: Unit) -> dict:
    """Everything the unit page's "expert" tab (``units/_experts_tab.html``) shows: the engineer
    in force, the pending change, the whole history, and what ``user`` may do about it."""
    history = list(
        ExpertAssignment.objects.filter(unit=unit).select_related(
            "engineer__firm", "requested_by", "decided_by"
        )
    )
    active = next((a for a in history if a.status == S.ACTIVE), None)
    pending = next((a for a in history if a.status == S.PENDING), None)
    can_manage = _can_on_unit(user, unit, MANAGE_EXPERTS)
    can_request = _can_on_unit(user, unit, REQUEST_CHANGE)
    return {
        "unit": unit,
        "active": active,
        "pending": pending,
        "history": history,
        "can_assign": can_manage and active is None and pending is None,
        "can_request": can_request and pending is None and (active is not None or not can_manage),
        "can_decide": can_manage and pending is not None,
        "own_pending": pending is not None
        and user is not None
        and pending.requested_by_id == getattr(user, "pk", None),
    }


# --- Notifications (a small helper; the inbox belongs to the notifications app) ------------------


def _notify(recipients: Iterable[User], *, kind: str, title: str, body: str, link: str, key: str):
    """One in-app message per recipient; ``key`` makes a repeated call create nothing new."""
    from anjian.notifications.models import Notification

    rows = [
        Notification(
            recipient=user, kind=kind, title=title[:200], body=body, link=link, dedupe_key=key
        )
        for user in {u.pk: u for u in recipients if u is not None}.values()
    ]
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)


def office_users_of(unit: Unit) -> QuerySet[User]:
    """Active town-office users whose region contains the unit (its town, or a region above)."""
    ancestors = [p for p in _path_prefixes(unit.region.path)]
    return User.objects.filter(
        is_active=True,
        role_assignments__is_active=True,
        role_assignments__role=Role.TOWN_OFFICE,
        role_assignments__region__path__in=ancestors,
    ).distinct()


def _path_prefixes(path: str) -> list[str]:
    codes = [c for c in path.strip("/").split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def _unit_link(unit: Unit) -> str:
    return reverse("units:unit_experts", kwargs={"pk": unit.pk})


def _notify_requested(assignment: ExpertAssignment) -> None:
    unit = assignment.unit
    recipients = [u for u in office_users_of(unit) if u.pk != assignment.requested_by_id]
    _notify(
        recipients,
        kind="units.expert_change_requested",
        title=_("Change of engineer for %(unit)s awaits your approval") % {"unit": unit.name},
        body=_("Proposed engineer: %(engineer)s. Reason: %(reason)s")
        % {"engineer": assignment.engineer.name, "reason": assignment.reason},
        link=_unit_link(unit),
        key=f"expert_assignment:{assignment.pk}:requested",
    )


def _notify_decided(assignment: ExpertAssignment) -> None:
    if assignment.requested_by_id is None or assignment.requested_by_id == assignment.decided_by_id:
        return
    unit = assignment.unit
    if assignment.status == S.ACTIVE:
        title = _("Your change of engineer for %(unit)s was approved") % {"unit": unit.name}
    else:
        title = _("Your change of engineer for %(unit)s was rejected") % {"unit": unit.name}
    _notify(
        [assignment.requested_by],
        kind=f"units.expert_change_{assignment.status}",
        title=title,
        body=assignment.decision_note,
        link=_unit_link(unit),
        key=f"expert_assignment:{assignment.pk}:{assignment.status}",
    )


# --- Keeping the engineer's scope in step ---------------------------------------------------------


def expert_roles_sync(user: User | None, *, reason: str = "") -> None:
    """Make ``user``'s active ``expert`` role assignments cover exactly the units where the
    engineer linked to ``user`` is active (none when no engineer is linked). System actor."""
    if user is None:
        return
    wanted = set(
        ExpertAssignment.objects.filter(engineer__user=user, status=S.ACTIVE).values_list(
            "unit_id", flat=True
        )
    )
    held = {
        ra.unit_id: ra
        for ra in RoleAssignment.objects.filter(user=user, role=Role.EXPERT, is_active=True)
    }
    engineer = Engineer.objects.filter(user=user).select_related("firm").first()
    title = f"{engineer.firm.name} {engineer.name}"[:100] if engineer else ""
    for unit in Unit.objects.filter(pk__in=sorted(wanted - set(held))).order_by("pk"):
        role_assign(actor=None, user=user, role=Role.EXPERT, unit=unit, title=title)
    for unit_id in sorted(set(held) - wanted):
        role_revoke(
            actor=None,
            assignment=held[unit_id],
            reason=reason or _("The engineer is no longer assigned to this unit."),
        )


# --- Services: firms and engineers -----------------------------------------------------------------

FIRM_FIELDS = [
    "region",
    "name",
    "credit_code",
    "contact_name",
    "contact_phone",
    "contract_from",
    "contract_to",
]
ENGINEER_FIELDS = ["firm", "user", "name", "mobile", "certificate_no", "is_active"]


def _require(actor, action: str, message: str) -> None:
    if actor is not None and not get_scope(actor).can(action):
        raise PermissionDenied(message)


def _clean_firm(firm: ServiceFirm) -> None:
    errors: dict[str, str] = {}
    firm.name = (firm.name or "").strip()
    if not firm.name:
        errors["name"] = _("The firm's name is empty.")
    if firm.region.level != RegionLevel.TOWN:
        errors["region"] = _(
            "A service firm is contracted by a town; “%(name)s” is a %(level)s."
        ) % {
            "name": firm.region.name,
            "level": firm.region.get_level_display(),
        }
    if firm.credit_code:
        try:
            firm.credit_code = validate_credit_code(firm.credit_code)
        except ValidationError as exc:
            errors["credit_code"] = exc.messages[0]
    if firm.contract_from and firm.contract_to and firm.contract_to < firm.contract_from:
        errors["contract_to"] = _("The contract cannot end before it starts.")
    duplicate = ServiceFirm.objects.filter(region=firm.region, name=firm.name).exclude(pk=firm.pk)
    if firm.name and duplicate.exists():
        errors["name"] = _("The town already has a service firm named “%(name)s”.") % {
            "name": firm.name
        }
    if errors:
        raise ValidationError(errors)
    firm.full_clean()


@transaction.atomic
def firm_create(
    *,
    actor,
    region: Region,
    name: str,
    credit_code: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contract_from: datetime.date | None = None,
    contract_to: datetime.date | None = None,
) -> ServiceFirm:
    """Register a service firm contracted by a town (the office of that town)."""
    _require(actor, MANAGE_EXPERTS, _("Your roles do not include managing service firms."))
    if actor is not None and not towns_for(actor).filter(pk=region.pk).exists():
        raise ValidationError({"region": _("You may only register firms for your own town.")})
    firm = ServiceFirm(
        region=region,
        name=name,
        credit_code=(credit_code or "").strip(),
        contact_name=(contact_name or "").strip(),
        contact_phone=(contact_phone or "").strip(),
        contract_from=contract_from,
        contract_to=contract_to,
    )
    _clean_firm(firm)
    firm.save()
    audit_record(actor=actor, action="service_firm.created", obj=firm, after=snapshot(firm))
    return firm


@transaction.atomic
def firm_update(*, actor, firm_id: int, **fields) -> ServiceFirm:
    """Change a firm's facts; its town cannot change."""
    _require(actor, MANAGE_EXPERTS, _("Your roles do not include managing service firms."))
    firm = (
        firm_get_for(actor, firm_id, action=MANAGE_EXPERTS)
        if actor is not None
        else ServiceFirm.objects.get(pk=firm_id)
    )
    before = snapshot(firm)
    for key, value in fields.items():
        if key not in FIRM_FIELDS or key == "region":
            raise ValidationError({key: _("This field cannot be changed.")})
        setattr(firm, key, value.strip() if isinstance(value, str) else value)
    _clean_firm(firm)
    changes = diff(before, snapshot(firm))
    if changes:
        firm.save()
        audit_record(
            actor=actor,
            action="service_firm.updated",
            obj=firm,
            before=before,
            after=snapshot(firm),
        )
    return firm


def _clean_engineer(actor, engineer: Engineer) -> None:
    errors: dict[str, str] = {}
    engineer.name = (engineer.name or "").strip()
    if not engineer.name:
        errors["name"] = _("The engineer's name is empty.")
    if engineer.mobile:
        try:
            engineer.mobile = validate_mobile(engineer.mobile)
        except ValidationError as exc:
            errors["mobile"] = exc.messages[0]
    if engineer.user_id is not None:
        taken = Engineer.objects.filter(user_id=engineer.user_id).exclude(pk=engineer.pk)
        if taken.exists():
            errors["user"] = _("This account is already linked to another engineer.")
        elif actor is not None and not (
            User.objects.for_action(actor, "accounts.manage_users")
            .filter(pk=engineer.user_id)
            .exists()
        ):
            errors["user"] = _("Choose an account of your own town.")
    if errors:
        raise ValidationError(errors)
    engineer.full_clean()


@transaction.atomic
def engineer_create(
    *,
    actor,
    firm: ServiceFirm,
    name: str,
    mobile: str = "",
    certificate_no: str = "",
    specialities: Iterable[Category] = (),
    user: User | None = None,
    is_active: bool = True,
) -> Engineer:
    """Add an engineer to a firm; when linked to an account, the account's expert roles follow
    the engineer's active assignments."""
    _require(actor, MANAGE_EXPERTS, _("Your roles do not include managing service firms."))
    if (
        actor is not None
        and not firm_list_for(actor, action=MANAGE_EXPERTS).filter(pk=firm.pk).exists()
    ):
        raise Http404
    engineer = Engineer(
        firm=firm,
        name=name,
        mobile=(mobile or "").strip(),
        certificate_no=(certificate_no or "").strip(),
        user=user,
        is_active=is_active,
    )
    _clean_engineer(actor, engineer)
    engineer.save()
    engineer.specialities.set(list(specialities))
    after = snapshot(engineer)
    after["specialities"] = sorted(c.pk for c in engineer.specialities.all())
    audit_record(actor=actor, action="engineer.created", obj=engineer, after=after)
    expert_roles_sync(user)
    return engineer


@transaction.atomic
def engineer_update(
    *, actor, engineer_id: int, specialities: Iterable[Category] | None = None, **fields
) -> Engineer:
    """Change an engineer's facts (the firm stays). Linking or unlinking an account moves the
    expert roles with it."""
    _require(actor, MANAGE_EXPERTS, _("Your roles do not include managing service firms."))
    engineer = (
        engineer_get_for(actor, engineer_id, action=MANAGE_EXPERTS)
        if actor is not None
        else Engineer.objects.get(pk=engineer_id)
    )
    before = snapshot(engineer)
    before["specialities"] = sorted(c.pk for c in engineer.specialities.all())
    old_user = engineer.user
    for key, value in fields.items():
        if key not in ENGINEER_FIELDS or key == "firm":
            raise ValidationError({key: _("This field cannot be changed.")})
        setattr(engineer, key, value.strip() if isinstance(value, str) else value)
    _clean_engineer(actor, engineer)
    engineer.save()
    if specialities is not None:
        engineer.specialities.set(list(specialities))
    after = snapshot(engineer)
    after["specialities"] = sorted(c.pk for c in engineer.specialities.all())
    if diff(before, after):
        audit_record(
            actor=actor, action="engineer.updated", obj=engineer, before=before, after=after
        )
    if old_user is not None and old_user.pk != engineer.user_id:
        expert_roles_sync(old_user, reason=_("The account is no longer linked to the engineer."))
    expert_roles_sync(engineer.user)
    return engineer


# --- Services: assignments --------------------------------------------------------------------------


def _fresh_unit(unit: Unit) -> Unit:
    """The unit, re-read in this transaction."""
    return Unit.objects.select_related("region").get(pk=unit.pk)


@transaction.atomic
def expert_assign(*, actor, unit: Unit, engineer: Engineer, reason: str = "") -> ExpertAssignment:
    """Assign ``engineer`` to ``unit``.

    The office (``units.manage_experts``) assigns the first engineer directly (active at once).
    Otherwise this asks for a change (``units.request_expert_change``): a reason is required and
    the assignment waits for the office's approval.
    """
    _require(actor, REQUEST_CHANGE, _("Your roles do not include assigning engineers."))
    if actor is not None and not _can_on_unit(actor, unit, REQUEST_CHANGE):
        raise Http404
    unit = _fresh_unit(unit)
    reason = (reason or "").strip()
    current = ExpertAssignment.objects.filter(unit=unit, status__in=[S.ACTIVE, S.PENDING])
    active = next((a for a in current if a.status == S.ACTIVE), None)
    if any(a.status == S.PENDING for a in current):
        raise ValidationError(
            {"engineer": _("A change of engineer for this unit is already awaiting a decision.")}
        )
    errors: dict[str, str] = {}
    if engineer.firm.region_id != unit.region.parent_id:
        errors["engineer"] = _("“%(name)s” works for a firm of another town.") % {
            "name": engineer.name
        }
    elif not engineer.is_active:
        errors["engineer"] = _("“%(name)s” is no longer active.") % {"name": engineer.name}
    elif active is not None and active.engineer_id == engineer.pk:
        errors["engineer"] = _("“%(name)s” is already this unit's engineer.") % {
            "name": engineer.name
        }
    direct = active is None and _can_on_unit(actor, unit, MANAGE_EXPERTS)
    if not direct and not reason:
        errors["reason"] = _("Give the reason for changing the unit's engineer.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    assignment = ExpertAssignment(
        unit=unit,
        engineer=engineer,
        reason=reason,
        requested_by=actor if actor is not None and actor.pk else None,
    )
    if direct:
        assignment.status = S.ACTIVE
        assignment.starts_on = timezone.localdate(now)
        assignment.decided_by = assignment.requested_by
        assignment.decided_at = now
    assignment.full_clean(exclude=["status"])
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:  # somebody assigned or asked at the same moment
        raise StaleObject() from exc
    audit_record(
        actor=actor,
        action="expert_assignment.assigned" if direct else "expert_assignment.requested",
        obj=assignment,
        after=snapshot(assignment),
        reason=reason,
    )
    if direct:
        expert_roles_sync(engineer.user)
    else:
        _notify_requested(assignment)
    return assignment


def _pending_for_decision(actor, assignment_id: int) -> ExpertAssignment:
    _require(actor, MANAGE_EXPERTS, _("Your roles do not include deciding on engineers."))
    qs = (
        assignment_list_for(actor, action=MANAGE_EXPERTS)
        if actor is not None
        else ExpertAssignment.objects.select_related("unit__region", "engineer__firm")
    )
    assignment = qs.filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404
    if assignment.status != S.PENDING:
        raise InvalidTransition(
            assignment.get_status_display(),
            _("decide"),
            _("This change has already been decided (%(status)s).")
            % {"status": assignment.get_status_display()},
        )
    return assignment


@transaction.atomic
def expert_assignment_approve(*, actor, assignment_id: int, note: str = "") -> ExpertAssignment:
    """The office approves a pending change: the engineer in force (if any) ends today and the
    proposed one takes over. The person who asked may not approve it."""
    assignment = _pending_for_decision(actor, assignment_id)
    if actor is not None and assignment.requested_by_id == actor.pk:
        raise ActionNotPermitted(
            _("You asked for this change yourself: another member of the office must approve it.")
        )
    now = timezone.now()
    today = timezone.localdate(now)
    old = (
        ExpertAssignment.objects.filter(unit_id=assignment.unit_id, status=S.ACTIVE)
        .select_related("engineer__user")
        .first()
    )
    if old is not None:
        ended = ExpertAssignment.objects.filter(pk=old.pk, status=S.ACTIVE).update(
            status=S.ENDED, ends_on=today, updated_at=now
        )
        if ended != 1:
            raise StaleObject()
    decider = actor if actor is not None and actor.pk else None
    try:
        with transaction.atomic():
            moved = ExpertAssignment.objects.filter(pk=assignment.pk, status=S.PENDING).update(
                status=S.ACTIVE,
                starts_on=today,
                decided_by=decider,
                decided_at=now,
                decision_note=(note or "").strip(),
                updated_at=now,
            )
    except IntegrityError as exc:
        raise StaleObject() from exc
    if moved != 1:
        raise StaleObject()
    if old is not None:
        audit_record(
            actor=actor,
            action="expert_assignment.ended",
            obj=old,
            before={"status": S.ACTIVE, "ends_on": None},
            after={"status": S.ENDED, "ends_on": today},
            reason=assignment.reason,
        )
    assignment.refresh_from_db()
    audit_record(
        actor=actor,
        action="expert_assignment.approved",
        obj=assignment,
        before={"status": S.PENDING},
        after=snapshot(assignment, ["status", "starts_on", "decided_by", "decision_note"]),
        reason=assignment.decision_note,
    )
    if old is not None:
        expert_roles_sync(old.engineer.user)
    expert_roles_sync(assignment.engineer.user)
    _notify_decided(assignment)
    return assignment


@transaction.atomic
def expert_assignment_reject(*, actor, assignment_id: int, note: str) -> ExpertAssignment:
    """The office rejects a pending change, saying why; the engineer in force stays."""
    note = (note or "").strip()
    assignment = _pending_for_decision(actor, assignment_id)
    if not note:
        raise ValidationError({"note": _("Say why the change is rejected.")})
    now = timezone.now()
    decider = actor if actor is not None and actor.pk else None
    moved = ExpertAssignment.objects.filter(pk=assignment.pk, status=S.PENDING).update(
        status=S.REJECTED, decided_by=decider, decided_at=now, decision_note=note, updated_at=now
    )
    if moved != 1:
        raise StaleObject()
    assignment.refresh_from_db()
    audit_record(
        actor=actor,
        action="expert_assignment.rejected",
        obj=assignment,
        before={"status": S.PENDING},
        after=snapshot(assignment, ["status", "decided_by", "decision_note"]),
        reason=note,
    )
    _notify_decided(assignment)
    return assignment


def engineer_filter_q(value: str) -> Q:
    """Search of the engineer list: name, mobile, certificate or firm."""
    return (
        Q(name__icontains=value)
        | Q(mobile__icontains=value)
        | Q(certificate_no__icontains=value)
        | Q(firm__name__icontains=value)
    )
