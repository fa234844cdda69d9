"""Enterprise accounts: invitations, activation, the enterprise's own edits and the changes of key
facts it proposes to the office.

- The office invites a unit's principal or safety officer (``invitation_create``): the person gets
  a one-time 8-digit activation code, stored only as a keyed hash of mobile + code, valid for
  ``INVITATION_DAYS`` days. SMS is not wired yet: ``send_activation_sms`` is the one place to add a
  gateway; until then the office passes the code (or the activation link) on.
- The person activates with mobile + code and sets a password (``invitation_activate``): a user
  whose user name is the mobile number, with an ``enterprise`` role on that unit. A person who
  already has an account with that mobile confirms it with the current password and gets the role
  added. ``MAX_WRONG_CODES`` wrong codes lock the invitation; the office then invites again.
- The enterprise edits its own unit (``unit_own_update``): ordinary facts change at once through the
  register's ``unit_update``; key facts (name, credit code, principal, legal representative) become
  a ``UnitChangeRequest`` that the office approves (the change is applied) or rejects with a note.

Every step is audited; the office is notified of a proposal and the requester of the decision.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from anjian.accounts.models import RoleAssignment, User
from anjian.accounts.roles import Role
from anjian.accounts.services import role_assign, user_create
from anjian.audit.services import audit_record, snapshot
from anjian.core.exceptions import DomainError, InvalidTransition
from anjian.core.scoping import get_scope
from anjian.core.validators import validate_credit_code, validate_mobile
from anjian.notifications.services import notify
from anjian.units import documents, services
from anjian.units.models import (
    ChangeStatus,
    Invitation,
    PersonRole,
    Unit,
    UnitChangeRequest,
    UnitPerson,
)

logger = logging.getLogger("anjian.units.enterprise")

INVITE = "units.invite"
EDIT_OWN = "units.edit_own"
DECIDE = "units.decide_changes"

INVITATION_DAYS = 7
MAX_WRONG_CODES = 5
CODE_DIGITS = 8
INVITABLE_ROLES = (PersonRole.PRINCIPAL, PersonRole.SAFETY_OFFICER)

# What the enterprise may change itself, at once.
ORDINARY_FIELDS = ("address", "employees", "latitude", "longitude", "principal_mobile")
# The safety officer's name and phone live on the unit's people (``UnitPerson``).
SAFETY_OFFICER_FIELDS = ("safety_officer_name", "safety_officer_mobile")
# What identifies the unit: changed only when the office confirms.
KEY_FIELDS = ("name", "credit_code", "principal_name", "legal_representative")
OWN_FIELDS = ORDINARY_FIELDS + SAFETY_OFFICER_FIELDS + KEY_FIELDS


class ActivationRefused(DomainError):
    """The activation code was not accepted; ``message`` says why in the user's language."""

    status = 422
    code = "activation_refused"


# --- Invitations ---------------------------------------------------------------------------------


def code_hash(mobile: str, code: str) -> str:
    """A keyed hash of mobile + code: the code itself is never stored."""
    return salted_hmac(
        "anjian.units.invitation", f"{mobile}:{code}", algorithm="sha256"
    ).hexdigest()


def activation_link(mobile: str, code: str) -> str:
    """The absolute address of the activation page with mobile and code filled in."""
    query = urlencode({"mobile": mobile, "code": code})
    return f"{settings.SITE_URL.rstrip('/')}{reverse('units:activate')}?{query}"


def send_activation_sms(*, mobile: str, code: str, unit_name: str, link: str) -> bool:
    """Send the activation code by SMS. Not wired yet: logs (without the code) and returns False.

    This is the single place to add an SMS gateway (Aliyun, Tencent Cloud…) later.
    """
    logger.info("activation SMS not sent (no gateway configured) to %s for %s", mobile, unit_name)
    return False


def invitation_status(invitation: Invitation, now: datetime.datetime | None = None) -> str:
    """accepted, revoked, locked, expired or pending (derived, never stored)."""
    now = now or timezone.now()
    if invitation.accepted_at:
        return "accepted"
    if invitation.revoked_at:
        return "revoked"
    if invitation.failed_attempts >= MAX_WRONG_CODES:
        return "locked"
    if invitation.expires_at <= now:
        return "expired"
    return "pending"


def invitation_status_label(status: str) -> str:
    labels = {
        "accepted": _("Activated"),
        "revoked": _("Revoked"),
        "locked": _("Locked after wrong codes"),
        "expired": _("Expired"),
        "pending": _("Waiting for activation"),
    }
    return str(labels[status])


@dataclass
class IssuedInvitation:
    """A new invitation and, once only, its code and activation link to pass on."""

    invitation: Invitation
    code: str
    link: str
    sms_sent: bool = False


def unit_for(actor, unit_id: int, action: str) -> Unit:
    """The unit if ``actor`` may do ``action`` to it: 403 if the role lacks the action entirely,
    404 if the unit is outside the actor's scope."""
    if not get_scope(actor).can(action):
        raise PermissionDenied(_("Your roles do not include this action."))
    unit = (
        Unit.objects.for_action(actor, action)
        .select_related("region__parent")
        .filter(pk=unit_id)
        .first()
    )
    if unit is None:
        raise Http404
    return unit


def invitation_list_for(actor, unit_id: int):
    unit = unit_for(actor, unit_id, INVITE)
    return (
        Invitation.objects.for_action(actor, INVITE)
        .filter(unit=unit)
        .select_related("invited_by", "user")
    )


def _revoke(*, actor, invitation: Invitation, reason: str) -> bool:
    now = timezone.now()
    done = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    if done:
        invitation.revoked_at = now
        audit_record(
            actor=actor,
            action="invitation.revoked",
            obj=invitation,
            changes={"revoked_at": [None, now]},
            reason=reason,
            region_id=invitation.unit.region_id,
        )
    return bool(done)


@transaction.atomic
def invitation_create(
    *, actor, unit_id: int, person_role: str, name: str, mobile: str
) -> IssuedInvitation:
    """Invite a unit's principal or safety officer. An earlier invitation of the same mobile to
    the same unit that is still waiting is revoked (the new code replaces it). Audited."""
    unit = unit_for(actor, unit_id, INVITE)
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter the name of the person to invite.")
    elif len(name) > 50:
        errors["name"] = _("The name is longer than 50 characters.")
    if person_role not in INVITABLE_ROLES:
        errors["person_role"] = _("Invite the unit's principal or its safety officer.")
    try:
        mobile = validate_mobile(mobile or "")
    except ValidationError as exc:
        errors["mobile"] = _("Mobile number: %(error)s") % {"error": exc.messages[0]}
    if not errors:
        holder = User.objects.get_by_login(mobile)
        if (
            holder is not None
            and RoleAssignment.objects.filter(
                user=holder, role=Role.ENTERPRISE, unit=unit, is_active=True
            ).exists()
        ):
            errors["mobile"] = _(
                "The holder of %(mobile)s already has an account for this unit: they can log in."
            ) % {"mobile": mobile}
    if errors:
        raise ValidationError(errors)
    for earlier in Invitation.objects.filter(
        unit=unit, mobile=mobile, accepted_at__isnull=True, revoked_at__isnull=True
    ):
        earlier.unit = unit
        _revoke(actor=actor, invitation=earlier, reason=_("Replaced by a new invitation."))
    while True:
        code = "".join(secrets.choice("0123456789") for _i in range(CODE_DIGITS))
        hashed = code_hash(mobile, code)
        if not Invitation.objects.filter(code_hash=hashed).exists():
            break
    invitation = Invitation(
        unit=unit,
        person_role=person_role,
        name=name,
        mobile=mobile,
        code_hash=hashed,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
        invited_by=actor,
    )
    invitation.full_clean()
    invitation.save()
    after = snapshot(invitation)
    after.pop("code_hash", None)
    audit_record(actor=actor, action="invitation.created", obj=invitation, after=after)
    link = activation_link(mobile, code)
    issued = IssuedInvitation(invitation=invitation, code=code, link=link)
    transaction.on_commit(
        lambda: send_activation_sms(mobile=mobile, code=code, unit_name=unit.name, link=link)
    )
    return issued


@transaction.atomic
def invitation_revoke(*, actor, invitation_id: int, reason: str = "") -> Invitation:
    """Withdraw an invitation that has not been used. Audited."""
    if not get_scope(actor).can(INVITE):
        raise PermissionDenied(_("Your roles do not include inviting enterprise users."))
    invitation = (
        Invitation.objects.for_action(actor, INVITE)
        .select_related("unit")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise Http404
    status = invitation_status(invitation)
    if status in {"accepted", "revoked"}:
        raise InvalidTransition(
            invitation_status_label(status),
            "revoke",
            _("This invitation has already been used or revoked."),
        )
    if not _revoke(actor=actor, invitation=invitation, reason=(reason or "").strip()):
        raise InvalidTransition(
            status, "revoke", _("This invitation was used or revoked just now.")
        )
    return invitation


# --- Activation ----------------------------------------------------------------------------------


def _locked_message() -> str:
    return _(
        "Too many wrong codes: this invitation is locked. Ask the town safety office to invite "
        "you again."
    )


def _count_wrong_code(*, mobile: str, invitation: Invitation | None = None) -> bool:
    """Count a wrong code against the invitation (or every waiting invitation of the mobile);
    return whether one of them is now locked. Committed even though the caller then refuses."""
    now = timezone.now()
    with transaction.atomic():
        if invitation is not None:
            waiting = Invitation.objects.filter(pk=invitation.pk)
        else:
            waiting = Invitation.objects.filter(
                mobile=mobile,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=now,
                failed_attempts__lt=MAX_WRONG_CODES,
            )
        ids = list(waiting.values_list("pk", flat=True))
        Invitation.objects.filter(pk__in=ids).update(failed_attempts=F("failed_attempts") + 1)
        locked = Invitation.objects.filter(
            pk__in=ids, failed_attempts__gte=MAX_WRONG_CODES
        ).select_related("unit")
        for row in Invitation.objects.filter(pk__in=ids).select_related("unit"):
            audit_record(
                actor=None,
                action="invitation.locked"
                if row.failed_attempts >= MAX_WRONG_CODES
                else "invitation.wrong_code",
                obj=row,
                changes={"failed_attempts": row.failed_attempts},
                region_id=row.unit.region_id,
            )
        if not ids:
            audit_record(
                actor=None,
                action="invitation.wrong_code",
                target_repr=mobile,
                changes={"reason": "no waiting invitation"},
            )
        return locked.exists()


def _refuse(invitation: Invitation, action: str, message: str) -> ActivationRefused:
    audit_record(
        actor=None,
        action=action,
        obj=invitation,
        region_id=invitation.unit.region_id,
    )
    return ActivationRefused(message)


def invitation_activate(*, mobile: str, code: str, password: str) -> User:
    """Accept an invitation: the holder of the mobile number and the code gets an account (user
    name = mobile) with the ``enterprise`` role on the invited unit, or the role is added to the
    account they already have (confirmed with its current password). Audited."""
    try:
        mobile = validate_mobile(mobile or "")
    except ValidationError as exc:
        raise ValidationError({"mobile": exc.messages[0]}) from exc
    code = "".join((code or "").split())
    if not (code.isdigit() and len(code) == CODE_DIGITS):
        raise ValidationError(
            {"code": _("The activation code is the %(n)s digits you were given.") % {"n": 8}}
        )
    invitation = (
        Invitation.objects.select_related("unit").filter(code_hash=code_hash(mobile, code)).first()
    )
    if invitation is None:
        if _count_wrong_code(mobile=mobile):
            raise ActivationRefused(_locked_message())
        raise ActivationRefused(
            _("The mobile number or the activation code is wrong. Check both and try again.")
        )
    status = invitation_status(invitation)
    if status == "accepted":
        raise _refuse(
            invitation,
            "invitation.reused",
            _("This code has already been used. Log in with your mobile number and password."),
        )
    if status == "revoked":
        raise _refuse(
            invitation,
            "invitation.refused_revoked",
            _("This invitation has been withdrawn. Ask the town safety office for a new one."),
        )
    if status == "locked":
        raise _refuse(invitation, "invitation.refused_locked", _locked_message())
    if status == "expired":
        raise _refuse(
            invitation,
            "invitation.refused_expired",
            _(
                "This activation code expired on %(date)s. Ask the town safety office to invite "
                "you again."
            )
            % {"date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d")},
        )
    existing = User.objects.get_by_login(mobile)
    if existing is not None:
        if not existing.is_active:
            raise _refuse(
                invitation,
                "invitation.refused_inactive",
                _("The account of this mobile number is deactivated. Ask the town office."),
            )
        if not existing.check_password(password or ""):
            if _count_wrong_code(mobile=mobile, invitation=invitation):
                raise ActivationRefused(_locked_message())
            raise ValidationError(
                {
                    "password": _(
                        "You already have an account with this mobile number: enter its current "
                        "password to add this unit to it."
                    )
                }
            )
    else:
        probe = User(username=mobile, name=invitation.name, mobile=mobile)
        try:
            password_validation.validate_password(password or "", probe)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    return _accept(invitation=invitation, existing=existing, mobile=mobile, password=password)


@transaction.atomic
def _accept(*, invitation: Invitation, existing: User | None, mobile: str, password: str) -> User:
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        failed_attempts__lt=MAX_WRONG_CODES,
        expires_at__gt=now,
    ).update(accepted_at=now)
    if claimed != 1:
        raise ActivationRefused(
            _("This code has already been used. Log in with your mobile number and password.")
        )
    user = existing or user_create(
        actor=None,
        username=mobile,
        name=invitation.name,
        password=password,
        mobile=mobile,
        must_change_password=False,
    )
    unit = invitation.unit
    holds = RoleAssignment.objects.filter(
        user=user, role=Role.ENTERPRISE, unit=unit, is_active=True
    ).exists()
    if not holds:
        role_assign(
            actor=None,
            user=user,
            role=Role.ENTERPRISE,
            unit=unit,
            title=str(PersonRole(invitation.person_role).label),
        )
    Invitation.objects.filter(pk=invitation.pk).update(user=user)
    linked = UnitPerson.objects.filter(
        unit=unit, role=invitation.person_role, mobile=mobile, user__isnull=True
    ).update(user=user)
    invitation.accepted_at, invitation.user = now, user
    audit_record(
        actor=user,
        action="invitation.accepted",
        obj=invitation,
        changes={
            "accepted_at": [None, now],
            "user": [None, user.pk],
            "new_account": existing is None,
            "people_linked": linked,
        },
        region_id=unit.region_id,
    )
    return user


# --- The enterprise's own unit ---------------------------------------------------------------------


def own_units_for(actor):
    """The units whose facts ``actor`` may edit as their enterprise."""
    return Unit.objects.for_action(actor, EDIT_OWN).select_related("region__parent")


def safety_officer_of(unit: Unit) -> UnitPerson | None:
    return (
        UnitPerson.objects.filter(unit=unit, role=PersonRole.SAFETY_OFFICER).order_by("pk").first()
    )


def own_facts(unit: Unit) -> dict[str, Any]:
    """The facts the enterprise sees on its edit page, as they are now."""
    officer = safety_officer_of(unit)
    facts: dict[str, Any] = {f: getattr(unit, f) for f in ORDINARY_FIELDS + KEY_FIELDS}
    facts["safety_officer_name"] = officer.name if officer else ""
    facts["safety_officer_mobile"] = officer.mobile if officer else ""
    return facts


def pending_change_request(unit: Unit) -> UnitChangeRequest | None:
    return (
        UnitChangeRequest.objects.filter(unit=unit, status=ChangeStatus.PENDING)
        .order_by("-created_at")
        .first()
    )


@dataclass
class OwnEditResult:
    """What ``unit_own_update`` did: the facts applied at once and the proposal for the office."""

    unit: Unit
    applied: list[str] = field(default_factory=list)
    change_request: UnitChangeRequest | None = None


def _same(old: Any, new: Any) -> bool:
    """Whether a submitted value equals the stored one (30.1 equals 30.100000; "" equals None)."""
    if old in (None, "") and new in (None, ""):
        return True
    if isinstance(old, Decimal | int) or isinstance(new, Decimal | int):
        try:
            return Decimal(str(old).strip()) == Decimal(str(new).strip())
        except (InvalidOperation, ValueError):
            return False
    return str(old).strip() == str(new).strip()


def _office_users(unit: Unit) -> list[User]:
    """The town office staff whose region contains the unit: they decide its change requests."""
    path = unit.region.path
    rows = RoleAssignment.objects.filter(
        role=Role.TOWN_OFFICE, is_active=True, user__is_active=True, region__isnull=False
    ).select_related("user", "region")
    users = {ra.user_id: ra.user for ra in rows if path.startswith(ra.region.path)}
    return list(users.values())


def _clean_key_changes(unit: Unit, proposed: dict[str, Any]) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    errors: dict[str, str] = {}
    for key, value in proposed.items():
        value = (value or "").strip() if isinstance(value, str) or value is None else value
        if _same(getattr(unit, key), value):
            continue  # unchanged (even if an old value would not pass today's checks)
        if key == "name" and not value:
            errors["name"] = _("The unit's name is empty.")
            continue
        if key == "credit_code" and value:
            try:
                value = validate_credit_code(value)
            except ValidationError as exc:
                errors["credit_code"] = exc.messages[0]
                continue
        if not _same(getattr(unit, key), value):
            changes[key] = [getattr(unit, key), value]
    if "credit_code" in changes and changes["credit_code"][1]:
        code = changes["credit_code"][1]
        if Unit.objects.filter(credit_code=code).exclude(pk=unit.pk).exists():
            errors["credit_code"] = _(
                "The credit code %(code)s is already registered for another unit."
            ) % {"code": code}
    if errors:
        raise ValidationError(errors)
    return changes


@transaction.atomic
def unit_own_update(
    *, actor, unit_id: int, expected_version: int | None = None, **data: Any
) -> OwnEditResult:
    """The enterprise changes its own unit. Ordinary facts (``ORDINARY_FIELDS`` and the safety
    officer) change at once; key facts (``KEY_FIELDS``) become a change request for the office.
    Only the fields given are considered; unchanged values are ignored."""
    unknown = set(data) - set(OWN_FIELDS)
    if unknown:
        raise ValidationError(
            {key: _("This fact cannot be changed here.") for key in sorted(unknown)}
        )
    unit = unit_for(actor, unit_id, EDIT_OWN)
    result = OwnEditResult(unit=unit)
    key_changes = _clean_key_changes(unit, {k: v for k, v in data.items() if k in KEY_FIELDS})
    if key_changes and pending_change_request(unit) is not None:
        raise ValidationError(
            {
                next(iter(key_changes)): _(
                    "A change of key facts is already waiting for the town office. Wait for its "
                    "decision before proposing another."
                )
            }
        )
    ordinary = {
        key: value
        for key, value in data.items()
        if key in ORDINARY_FIELDS and not _same(getattr(unit, key), value)
    }
    if ordinary:
        unit = services.unit_update(
            actor=actor,
            unit_id=unit.pk,
            expected_version=unit.version if expected_version is None else expected_version,
            permission=EDIT_OWN,
            **ordinary,
        )
        result.unit = unit
        result.applied.extend(sorted(ordinary))
    result.applied.extend(_update_safety_officer(actor=actor, unit=unit, data=data))
    if key_changes:
        result.change_request = _change_request_create(actor=actor, unit=unit, changes=key_changes)
    return result


def _update_safety_officer(*, actor, unit: Unit, data: dict[str, Any]) -> list[str]:
    given = {k: (data[k] or "").strip() for k in SAFETY_OFFICER_FIELDS if k in data}
    if not given:
        return []
    officer = safety_officer_of(unit)
    current = {
        "safety_officer_name": officer.name if officer else "",
        "safety_officer_mobile": officer.mobile if officer else "",
    }
    changed = [k for k, v in given.items() if not _same(current[k], v)]
    if not changed:
        return []
    wanted = current | given
    try:
        if officer is None:
            documents.person_create(
                actor=actor,
                unit_id=unit.pk,
                role=PersonRole.SAFETY_OFFICER,
                name=wanted["safety_officer_name"],
                mobile=wanted["safety_officer_mobile"],
            )
        else:
            documents.person_update(
                actor=actor,
                person_id=officer.pk,
                changes={
                    "name": wanted["safety_officer_name"],
                    "mobile": wanted["safety_officer_mobile"],
                },
            )
    except ValidationError as exc:
        raise ValidationError(
            {f"safety_officer_{k}": v for k, v in exc.message_dict.items()}
        ) from exc
    return sorted(changed)


def _change_request_create(*, actor, unit: Unit, changes: dict[str, list[Any]]):
    request = UnitChangeRequest(unit=unit, changes=changes, requested_by=actor)
    request.full_clean()
    request.save()
    audit_record(
        actor=actor,
        action="unit_change_request.created",
        obj=request,
        changes=changes,
        region_id=unit.region_id,
    )
    link = reverse("units:change_request_detail", args=[request.pk])
    for user in _office_users(unit):
        notify(
            recipient=user,
            kind="units.change_request",
            title=_("%(unit)s asks to change its key facts") % {"unit": unit.name},
            body=", ".join(str(Unit._meta.get_field(k).verbose_name) for k in changes),
            link=link,
            dedupe_key=f"unit_change_request:{request.pk}",
        )
    return request


# --- The office decides --------------------------------------------------------------------------


def change_request_get_for(actor, request_id: int, *, action: str = DECIDE) -> UnitChangeRequest:
    if not get_scope(actor).can(action):
        raise PermissionDenied(_("Your roles do not include deciding change requests."))
    request = (
        UnitChangeRequest.objects.for_action(actor, action)
        .select_related("unit__region", "requested_by", "decided_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise Http404
    return request


def change_requests_of_unit(actor, unit_id: int):
    """A unit's change requests, for the office (``units.decide_changes``) or for the unit's own
    enterprise (``units.edit_own``)."""
    for action in (DECIDE, EDIT_OWN):
        if Unit.objects.for_action(actor, action).filter(pk=unit_id).exists():
            return UnitChangeRequest.objects.for_action(actor, action).filter(unit_id=unit_id)
    if not (get_scope(actor).can(DECIDE) or get_scope(actor).can(EDIT_OWN)):
        raise PermissionDenied(_("Your roles do not include change requests."))
    raise Http404


def _decide(*, actor, request_id: int, status: str, note: str) -> UnitChangeRequest:
    request = change_request_get_for(actor, request_id)
    if request.status != ChangeStatus.PENDING:
        raise InvalidTransition(
            str(request.get_status_display()),
            status,
            _("This change request has already been decided."),
        )
    now = timezone.now()
    done = UnitChangeRequest.objects.filter(pk=request.pk, status=ChangeStatus.PENDING).update(
        status=status, decided_by=actor, decided_at=now, decision_note=note
    )
    if done != 1:
        raise InvalidTransition(
            str(request.get_status_display()),
            status,
            _("This change request was decided by someone else just now. Reload the page."),
        )
    request.refresh_from_db()
    return request


@transaction.atomic
def change_request_approve(*, actor, request_id: int, note: str = "") -> UnitChangeRequest:
    """Apply the proposed key facts to the unit (through ``unit_update``, audited) and tell the
    requester."""
    request = _decide(
        actor=actor, request_id=request_id, status=ChangeStatus.APPROVED, note=(note or "").strip()
    )
    unit = request.unit
    values = {key: new for key, (_old, new) in request.changes.items() if key in KEY_FIELDS}
    services.unit_update(
        actor=actor,
        unit_id=unit.pk,
        expected_version=unit.version,
        reason=_("Change request %(id)s of the enterprise, approved.") % {"id": request.pk},
        permission=DECIDE,
        **values,
    )
    audit_record(
        actor=actor,
        action="unit_change_request.approved",
        obj=request,
        changes=request.changes,
        reason=request.decision_note,
        region_id=unit.region_id,
    )
    _tell_requester(request)
    return request


@transaction.atomic
def change_request_reject(*, actor, request_id: int, note: str) -> UnitChangeRequest:
    """Refuse the proposed change; the note (required) tells the enterprise why."""
    change_request_get_for(actor, request_id)  # outside the scope: 404 before anything else
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"note": _("Say why the change is rejected: the enterprise sees it.")}
        )
    request = _decide(actor=actor, request_id=request_id, status=ChangeStatus.REJECTED, note=note)
    audit_record(
        actor=actor,
        action="unit_change_request.rejected",
        obj=request,
        changes=request.changes,
        reason=note,
        region_id=request.unit.region_id,
    )
    _tell_requester(request)
    return request


def _tell_requester(request: UnitChangeRequest) -> None:
    if request.requested_by is None:
        return
    approved = request.status == ChangeStatus.APPROVED
    title = (
        _("Your change of %(unit)s was approved")
        if approved
        else _("Your change of %(unit)s was rejected")
    ) % {"unit": request.unit.name}
    notify(
        recipient=request.requested_by,
        kind="units.change_request_decided",
        title=title,
        body=request.decision_note,
        link=reverse("units:my_unit_edit", args=[request.unit_id]),
        dedupe_key=f"unit_change_request_decided:{request.pk}",
    )
