"""Everything that changes users, their log-ins, roles, second factors and tokens.

Each function audits itself, inside its own transaction (style.md §5).
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import FilteredRelation, Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from anjian.accounts import lockout
from anjian.accounts.models import ApiToken, RoleAssignment, User, hash_token
from anjian.accounts.roles import COMMITTEE_ROLES, REGION_ROLES, UNIT_ROLES, Role
from anjian.accounts.scope import (
    GRANT_COLUMNS,
    forget_scope,
    get_user_scope,
    scope_from_grants,
)
from anjian.audit.services import audit_record, snapshot
from anjian.core.prepared import fetch_prepared
from anjian.core.validators import validate_mobile

MANAGE_USERS = "accounts.manage_users"


class LoginRefused(Exception):
    """Log-in refused; ``message`` says why in the user's language."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class TokenRejected(LoginRefused):
    pass


# --- Log-in -------------------------------------------------------------------------------------


def _lock_message(until: datetime.datetime) -> str:
    """The one answer to a locked (account, address) pair and to a throttled address: the same
    for an account that exists and one that does not."""
    return _(
        "Too many failed log-ins from this address. Log-in is blocked until %(time)s; the town "
        "office can unlock your account sooner."
    ) % {"time": timezone.localtime(until).strftime("%H:%M")}


def _refuse_locked(request: HttpRequest, login: str, *, reason: str) -> LoginRefused:
    """Refuse a locked pair or a throttled address (audited): the same answer for every
    account, known or not."""
    known = User.objects.get_by_login(login)
    audit_record(
        actor=None,
        action="auth.login_refused_locked",
        obj=known,
        target_repr=None if known else login[:100],
        changes={"reason": reason},
    )
    until = lockout.locked_until(request, None if reason == "address" else login)
    return LoginRefused("locked", _lock_message(until))


def _audit_failure(login: str, *, step: str, locked: bool) -> None:
    """One failed log-in step, counted by axes; ``auth.locked`` when it reached the limit."""
    known = User.objects.get_by_login(login)
    audit_record(
        actor=None,
        action="auth.locked" if locked else "auth.login_failed",
        obj=known,
        target_repr=None if known else login[:100],
        changes={"step": step} if known else {"step": step, "reason": "unknown"},
    )


def _login_request(request: HttpRequest | None) -> HttpRequest:
    """Scripts and tests may check credentials without a request: they count under no address."""
    return request if request is not None else HttpRequest()


def login_check_credentials(
    *, login: str, password: str, request: HttpRequest | None = None
) -> User:
    """The user with these credentials, or ``LoginRefused``. Through ``authenticate`` so that
    django-axes counts the failures per (account, address) and refuses a pair after
    ``ANJIAN_LOGIN_MAX_FAILURES`` for ``ANJIAN_LOGIN_LOCK_MINUTES``; an address that failed
    ``ANJIAN_LOGIN_ADDRESS_MAX_FAILURES`` times over all accounts is refused before any password
    is checked (``accounts.lockout``). Unknown and locked accounts get the same answers. Audited."""
    request = _login_request(request)
    login = (login or "").strip()
    if lockout.address_throttled(request):
        raise _refuse_locked(request, login, reason="address")
    user = authenticate(request, username=login, password=password)
    locked = bool(getattr(request, "axes_locked_out", False))
    if user is None:
        if locked and getattr(request, "axes_failures_since_start", None) is None:
            raise _refuse_locked(request, login, reason="pair")  # refused before any check
        _audit_failure(login, step="password", locked=locked)
        if locked:
            raise LoginRefused("locked", _lock_message(lockout.locked_until(request, login)))
        raise LoginRefused("invalid_credentials", _("Wrong user name or password."))
    if not user.is_active:
        audit_record(actor=None, action="auth.login_refused_inactive", obj=user)
        raise LoginRefused("inactive", _("This account has been deactivated. Ask the town office."))
    return user


def totp_device_for(user: User) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if they protect their log-in with one."""
    if user is None or not user.pk:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def login_check_otp(*, user: User, code: str, request: HttpRequest | None = None) -> TOTPDevice:
    """The second log-in step: the device that accepts ``code``, or ``LoginRefused``.
    A wrong code counts as a failed log-in of the account from this address (lock included).
    Audited."""
    request = _login_request(request)
    user.refresh_from_db(fields=["is_active"])
    if lockout.address_throttled(request):
        raise _refuse_locked(request, user.username, reason="address")
    if lockout.pair_locked(request, user.username):
        raise _refuse_locked(request, user.username, reason="pair")
    if not user.is_active:
        raise LoginRefused("inactive", _("This account has been deactivated. Ask the town office."))
    code = "".join((code or "").split())
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise LoginRefused("otp_not_enrolled", _("No two-factor device is set up."))
        allowed, _info = device.verify_is_allowed()
        verified = allowed and code.isdigit() and len(code) == 6 and device.verify_token(code)
        if not verified and allowed and not (code.isdigit() and len(code) == 6):
            device.throttle_increment(commit=True)
    if verified:
        return device
    locked = lockout.record_failure(request, user.username)
    _audit_failure(user.username, step="otp", locked=locked)
    if locked:
        raise LoginRefused("locked", _lock_message(lockout.locked_until(request, user.username)))
    if not allowed:
        raise LoginRefused(
            "otp_throttled",
            _("Too many wrong codes in a row. Wait a few seconds, then enter the current code."),
        )
    raise LoginRefused(
        "otp_invalid", _("The 6-digit code is wrong or has expired. Enter the current code.")
    )


def login_record_success(
    *, user: User, method: str = "password", request: HttpRequest | None = None
) -> None:
    """A completed log-in. With ``request`` (the API, which calls no ``auth_login``), the failures
    django-axes counted for this account from this address are cleared, as the page's
    ``auth_login`` clears them through Django's ``user_logged_in`` signal."""
    if request is not None:
        lockout.record_success(request, user)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    audit_record(actor=user, action="auth.login", obj=user, changes={"method": method})


def logout_record(*, user: User) -> None:
    audit_record(actor=user, action="auth.logout", obj=user)


# --- Passwords ----------------------------------------------------------------------------------


@transaction.atomic
def user_change_password(
    *, actor: User, user: User, new_password: str, old_password: str | None = None
) -> User:
    """Set a new password (checked by the password validators) and clear
    ``must_change_password``. With ``old_password`` (the API), the current password must be right
    and the new one must differ from it. Audited.

    Every API token of the user is revoked with it: a token stands for the password that issued
    it, as a session does (Django ends the other sessions by the password's hash; the page and the
    API keep only the caller's own session)."""
    if old_password is not None:
        if not user.check_password(old_password):
            raise ValidationError({"old_password": _("The current password is wrong.")})
        if new_password == old_password:
            raise ValidationError(
                {"new_password": _("The new password must differ from the current one.")}
            )
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="user.password_changed",
        obj=user,
        changes={"api_tokens_revoked": revoked} if revoked else None,
    )
    return user


# --- Two-factor (TOTP) --------------------------------------------------------------------------


def totp_allowed(user: User) -> bool:
    """Two-factor log-in is offered to staff roles (every role but enterprise users)."""
    return get_user_scope(user).can("accounts.two_factor")


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device the user is enrolling (made once, kept until confirmed)."""
    if not totp_allowed(user):
        raise PermissionDenied(_("Two-factor log-in is offered to staff accounts only."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, user: User, code: str) -> TOTPDevice:
    """Confirm the device being enrolled with a code from the app. Audited."""
    if not totp_allowed(user):
        raise PermissionDenied(_("Two-factor log-in is offered to staff accounts only."))
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("pk")
        .first()
    )
    if device is None:
        raise ValidationError(
            {"code": _("Start the set-up again: no device is waiting for confirmation.")}
        )
    code = "".join((code or "").split())
    if not (code.isdigit() and len(code) == 6) or not device.verify_token(code):
        raise ValidationError(
            {"code": _("The 6-digit code is wrong or has expired. Enter the current code.")}
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    audit_record(actor=user, action="auth.totp_enrolled", obj=user, changes={"device": device.pk})
    return device


@transaction.atomic
def totp_disable(*, user: User, password: str) -> None:
    """Switch two-factor log-in off; the password confirms it is really the user. Audited."""
    if not user.check_password(password or ""):
        raise ValidationError({"password": _("The password is wrong.")})
    deleted, _details = TOTPDevice.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=user, action="auth.totp_disabled", obj=user)


# --- Users and roles ----------------------------------------------------------------------------


def clean_mobile_number(mobile: str | None) -> str | None:
    """``+86 138 0000 1234`` becomes ``13800001234``; empty becomes ``None``; anything else is a
    ValidationError on the ``mobile`` field."""
    if not mobile or not str(mobile).strip():
        return None
    try:
        return validate_mobile(mobile)
    except ValidationError as exc:
        raise ValidationError(
            {
                "mobile": _(
                    "The mobile number “%(value)s” is not valid: enter 11 digits starting with "
                    "13–19."
                )
                % {"value": mobile}
            },
            code="invalid_mobile",
        ) from exc


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    name: str,
    password: str,
    mobile: str | None = None,
    email: str = "",
    must_change_password: bool = True,
) -> User:
    user = User(
        username=(username or "").strip(),
        name=(name or "").strip(),
        mobile=clean_mobile_number(mobile),
        email=email or "",
        must_change_password=must_change_password,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(actor=actor, action="user.created", obj=user, after=snapshot(user))
    return user


def _region_of_target(*, region=None, unit=None, committee=None):
    if region is not None:
        return region
    if unit is not None:
        return unit.region
    if committee is not None:
        return committee.region
    return None


def check_role_scope(*, role: str, region=None, unit=None, committee=None) -> None:
    """The scope must match the role: a region for officials, a unit for enterprise users and
    experts, a committee for committee members."""
    try:
        role_label = Role(role).label
    except ValueError as exc:
        raise ValidationError({"role": _("Choose a role from the list.")}) from exc
    if role in REGION_ROLES and (region is None or unit is not None or committee is not None):
        raise ValidationError(
            {"region": _("The role “%(role)s” needs a region.") % {"role": role_label}}
        )
    if role in UNIT_ROLES and (unit is None or region is not None or committee is not None):
        raise ValidationError(
            {"unit": _("The role “%(role)s” needs a supervised unit.") % {"role": role_label}}
        )
    if role in COMMITTEE_ROLES and (committee is None or region is not None or unit is not None):
        raise ValidationError(
            {"committee": _("The role “%(role)s” needs a committee.") % {"role": role_label}}
        )


def check_scope_within_actor(*, actor: User, region=None, unit=None, committee=None) -> None:
    """The region, unit or committee must lie inside one of the regions where ``actor`` manages
    users (a town office of 场口镇 cannot hand out roles in 常安镇)."""
    scope = get_user_scope(actor)
    if scope.is_superuser:
        return
    target = _region_of_target(region=region, unit=unit, committee=committee)
    paths = scope.paths_for(MANAGE_USERS)
    if target is None or not any(target.path.startswith(p) for p in paths):
        field = "region" if region is not None else ("unit" if unit is not None else "committee")
        raise ValidationError(
            {field: _("You may only assign roles within your own town or district.")}
        )


def _ensure_manages(actor: User | None, user: User) -> None:
    """Outside the actor's reach the user does not exist (404)."""
    if actor is None:
        return
    if not get_user_scope(actor).can(MANAGE_USERS):
        raise PermissionDenied(_("Your roles do not include managing users."))
    if not User.objects.for_action(actor, MANAGE_USERS).filter(pk=user.pk).exists():
        raise Http404


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool, reason: str = "") -> User:
    _ensure_manages(actor, user)
    reason = (reason or "").strip()
    if not active and actor is not None and actor.pk == user.pk:
        raise ValidationError({"reason": _("You cannot deactivate your own account.")})
    if not active and actor is not None and not reason:
        raise ValidationError({"reason": _("Give the reason for deactivating this account.")})
    before = snapshot(user, ["is_active"])
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    audit_record(
        actor=actor,
        action="user.activated" if active else "user.deactivated",
        obj=user,
        before=before,
        after=snapshot(user, ["is_active"]),
        reason=reason,
    )
    return user


@transaction.atomic
def user_unlock(*, actor: User | None, user: User, reason: str = "") -> User:
    """Lift the log-in locks of ``user``'s account from every address (the failures django-axes
    counted), so that the owner can log in at once. Audited, with the addresses that were
    locked."""
    _ensure_manages(actor, user)
    addresses = [row["ip_address"] for row in lockout.locks_of(user)]
    forgotten = lockout.unlock(user)
    audit_record(
        actor=actor,
        action="user.unlocked",
        obj=user,
        changes={"locked_addresses": addresses, "attempts_forgotten": forgotten},
        reason=(reason or "").strip(),
    )
    return user


@transaction.atomic
def role_assign(
    *,
    actor: User | None,
    user: User,
    role: str,
    region=None,
    unit=None,
    committee=None,
    title: str = "",
) -> RoleAssignment:
    """Give ``user`` a role within a scope. With an ``actor`` (not the system), the scope must lie
    inside the actor's own region for managing users."""
    check_role_scope(role=role, region=region, unit=unit, committee=committee)
    if actor is not None:
        if not get_user_scope(actor).can(MANAGE_USERS):
            raise PermissionDenied(_("Your roles do not include managing users."))
        check_scope_within_actor(actor=actor, region=region, unit=unit, committee=committee)
    assignment = RoleAssignment(
        user=user, role=role, region=region, unit=unit, committee=committee, title=title or ""
    )
    duplicate = RoleAssignment.objects.filter(
        user=user, role=role, region=region, unit=unit, committee=committee
    ).first()
    if duplicate is not None:
        if duplicate.is_active:
            raise ValidationError({"role": _("The user already holds this role in this scope.")})
        before = snapshot(duplicate, ["is_active", "title"])
        duplicate.is_active, duplicate.title = True, title or duplicate.title
        duplicate.save(update_fields=["is_active", "title"])
        assignment = duplicate
        after = snapshot(duplicate, ["is_active", "title"])
    else:
        assignment.full_clean()
        assignment.save()
        before, after = None, snapshot(assignment)
    forget_scope(user)
    target = _region_of_target(region=region, unit=unit, committee=committee)
    audit_record(
        actor=actor,
        action="role.assigned",
        obj=assignment,
        before=before,
        after=after,
        region_id=target.pk if target is not None else None,
    )
    return assignment


@transaction.atomic
def user_create_with_role(
    *,
    actor: User,
    username: str,
    name: str,
    password: str,
    role: str,
    region=None,
    unit=None,
    committee=None,
    title: str = "",
    mobile: str | None = None,
    email: str = "",
) -> User:
    """A town office creates a person with an initial password and one role in its town.
    The person must change the password at the first log-in."""
    if not get_user_scope(actor).can(MANAGE_USERS):
        raise PermissionDenied(_("Your roles do not include managing users."))
    check_role_scope(role=role, region=region, unit=unit, committee=committee)
    check_scope_within_actor(actor=actor, region=region, unit=unit, committee=committee)
    probe = User(username=username, name=name, mobile=clean_mobile_number(mobile))
    try:
        password_validation.validate_password(password, probe)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user = user_create(
        actor=actor,
        username=username,
        name=name,
        password=password,
        mobile=mobile,
        email=email,
        must_change_password=True,
    )
    role_assign(
        actor=actor,
        user=user,
        role=role,
        region=region,
        unit=unit,
        committee=committee,
        title=title,
    )
    return user


@transaction.atomic
def role_revoke(*, actor: User, assignment: RoleAssignment, reason: str = "") -> RoleAssignment:
    if (
        actor is not None
        and not RoleAssignment.objects.for_action(actor, MANAGE_USERS)
        .filter(pk=assignment.pk)
        .exists()
    ):
        raise Http404
    before = snapshot(assignment, ["is_active"])
    assignment.is_active = False
    assignment.save(update_fields=["is_active"])
    forget_scope(assignment.user)
    target = _region_of_target(
        region=assignment.region, unit=assignment.unit, committee=assignment.committee
    )
    audit_record(
        actor=actor,
        action="role.revoked",
        obj=assignment,
        before=before,
        after=snapshot(assignment, ["is_active"]),
        reason=reason,
        region_id=target.pk if target is not None else None,
    )
    return assignment


# --- API tokens ---------------------------------------------------------------------------------


@dataclass
class IssuedToken:
    token: ApiToken
    raw: str


@transaction.atomic
def api_token_issue(*, user: User, name: str = "", days: int | None = None) -> IssuedToken:
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[:100],
        key_hash=hash_token(raw),
        key_hint=raw[:10],
        expires_at=timezone.now() + datetime.timedelta(days=days or settings.ANJIAN_API_TOKEN_DAYS),
    )
    audit_record(
        actor=user, action="api_token.issued", obj=token, changes={"expires_at": token.expires_at}
    )
    return IssuedToken(token, raw)


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if actor is not None and token.user_id != actor.pk and not actor.is_superuser:
        raise Http404
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoked", obj=token)
    return token


_TOKEN_COLUMNS = ("pk", "expires_at", "last_used_at", "revoked_at")
_USER_COLUMNS = tuple(f.attname for f in User._meta.concrete_fields)


@functools.cache
def _token_rows():
    """Tokens with their user and the user's active grants, one row per grant (``None`` grants
    for a user without any). Built once: ``values_list`` over 30 columns and five joins costs more
    to build than to run, and every API request runs it."""
    return (
        ApiToken.objects.annotate(
            active_role=FilteredRelation(
                "user__role_assignments",
                condition=Q(user__role_assignments__is_active=True),
            )
        )
        .order_by("active_role__pk")
        .values_list(
            *_TOKEN_COLUMNS,
            *(f"user__{name}" for name in _USER_COLUMNS),
            *(f"active_role__{name}" for name in GRANT_COLUMNS),
        )
    )


def _token_rows_of(key_hash: str):
    return _token_rows().filter(key_hash=key_hash)


def api_token_authenticate(raw: str) -> User:
    """The user a bearer token stands for, or ``TokenRejected`` with the reason.

    One query for the token, its user and the user's active role assignments (the scope every
    request needs next): one row per assignment, or one row of ``None`` grants without any. The
    query is prepared (``core.prepared``): PostgreSQL plans its joins once per connection."""
    raw = (raw or "").strip()
    if not raw:
        raise TokenRejected("token_missing", _("No token was sent."))
    rows = fetch_prepared("api_token", _token_rows_of, hash_token(raw))
    if not rows:
        raise TokenRejected("token_invalid", _("The token is not valid."))
    token_pk, expires_at, last_used_at, revoked_at = rows[0][: len(_TOKEN_COLUMNS)]
    user_end = len(_TOKEN_COLUMNS) + len(_USER_COLUMNS)
    user = User.from_db(ApiToken.objects.db, _USER_COLUMNS, rows[0][len(_TOKEN_COLUMNS) : user_end])
    now = timezone.now()
    if not user.is_active:
        raise TokenRejected(
            "user_inactive", _("This account has been deactivated. Ask the town office.")
        )
    if revoked_at is not None:
        raise TokenRejected("token_revoked", _("The token has been revoked."))
    if expires_at <= now:
        raise TokenRejected("token_expired", _("The token has expired. Request a new one."))
    if last_used_at is None or (now - last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token_pk).update(last_used_at=now)
    scope_from_grants(user, (row[user_end:] for row in rows))
    return user
