"""Everything that changes users, their log-ins, roles and tokens. Each function audits itself."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.accounts.models import ApiToken, RoleAssignment, User, hash_token
from anjian.accounts.scope import forget_scope
from anjian.audit.services import audit_record, snapshot


class LoginRefused(Exception):
    """Log-in refused; ``message`` says why in the user's language."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class TokenRejected(LoginRefused):
    pass


def _lock_message(user: User) -> str:
    local = timezone.localtime(user.locked_until)
    return _("Too many failed log-ins. The account is locked until %(time)s.") % {
        "time": local.strftime("%H:%M")
    }


def login_check_credentials(*, login: str, password: str) -> User:
    """The user with these credentials, or ``LoginRefused``. Counts failures and locks the account
    after ``ANJIAN_LOGIN_MAX_FAILURES`` in a row for ``ANJIAN_LOGIN_LOCK_MINUTES``. Audited."""
    user = User.objects.get_by_login(login)
    now = timezone.now()
    if user is None:
        audit_record(actor=None, action="auth.login_failed", target_repr=login[:100], changes={"reason": "unknown"})
        raise LoginRefused("invalid_credentials", _("Wrong user name or password."))
    if user.is_locked(now):
        audit_record(actor=None, action="auth.login_refused_locked", obj=user)
        raise LoginRefused("locked", _lock_message(user))
    if not user.check_password(password):
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
            user.refresh_from_db(fields=["failed_logins"])
            locked = user.failed_logins >= settings.ANJIAN_LOGIN_MAX_FAILURES
            if locked:
                user.locked_until = now + datetime.timedelta(minutes=settings.ANJIAN_LOGIN_LOCK_MINUTES)
                user.failed_logins = 0
                user.save(update_fields=["locked_until", "failed_logins"])
            audit_record(
                actor=None,
                action="auth.locked" if locked else "auth.login_failed",
                obj=user,
                changes={"failed_logins": user.failed_logins},
            )
        if locked:
            raise LoginRefused("locked", _lock_message(user))
        raise LoginRefused("invalid_credentials", _("Wrong user name or password."))
    if not user.is_active:
        audit_record(actor=None, action="auth.login_refused_inactive", obj=user)
        raise LoginRefused("inactive", _("This account has been deactivated. Ask the town office."))
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        user.failed_logins, user.locked_until = 0, None
    return user


def login_record_success(*, user: User, method: str = "password") -> None:
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    audit_record(actor=user, action="auth.login", obj=user, changes={"method": method})


def logout_record(*, user: User) -> None:
    audit_record(actor=user, action="auth.logout", obj=user)


@transaction.atomic
def user_change_password(*, actor: User, user: User, new_password: str) -> User:
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=actor, action="user.password_changed", obj=user)
    return user


@transaction.atomic
def user_create(
    *, actor: User | None, username: str, name: str, password: str, mobile: str | None = None, email: str = "",
    must_change_password: bool = True,
) -> User:
    user = User(username=username, name=name, mobile=mobile or None, email=email, must_change_password=must_change_password)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(actor=actor, action="user.created", obj=user, after=snapshot(user))
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool, reason: str = "") -> User:
    before = snapshot(user, ["is_active"])
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(
        actor=actor, action="user.activated" if active else "user.deactivated", obj=user,
        before=before, after=snapshot(user, ["is_active"]), reason=reason,
    )
    return user


@transaction.atomic
def role_assign(*, actor: User | None, user: User, role: str, region=None, unit=None, committee=None, title: str = "") -> RoleAssignment:
    assignment = RoleAssignment(user=user, role=role, region=region, unit=unit, committee=committee, title=title)
    assignment.full_clean()
    assignment.save()
    forget_scope(user)
    region_id = region.pk if region else (unit.region_id if unit else (committee.region_id if committee else None))
    audit_record(actor=actor, action="role.assigned", obj=assignment, after=snapshot(assignment), region_id=region_id)
    return assignment


@transaction.atomic
def role_revoke(*, actor: User, assignment: RoleAssignment, reason: str = "") -> RoleAssignment:
    before = snapshot(assignment, ["is_active"])
    assignment.is_active = False
    assignment.save(update_fields=["is_active"])
    forget_scope(assignment.user)
    audit_record(actor=actor, action="role.revoked", obj=assignment, before=before,
                 after=snapshot(assignment, ["is_active"]), reason=reason, region_id=assignment.region_id)
    return assignment


@dataclass
class IssuedToken:
    token: ApiToken
    raw: str


@transaction.atomic
def api_token_issue(*, user: User, name: str = "", days: int | None = None) -> IssuedToken:
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        key_hash=hash_token(raw),
        key_hint=raw[:10],
        expires_at=timezone.now() + datetime.timedelta(days=days or settings.ANJIAN_API_TOKEN_DAYS),
    )
    audit_record(actor=user, action="api_token.issued", obj=token, changes={"expires_at": token.expires_at})
    return IssuedToken(token, raw)


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoked", obj=token)
    return token


def api_token_authenticate(raw: str) -> User:
    """The user a bearer token stands for, or ``TokenRejected`` with the reason."""
    raw = (raw or "").strip()
    if not raw:
        raise TokenRejected("token_missing", _("No token was sent."))
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None:
        raise TokenRejected("token_invalid", _("The token is not valid."))
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRejected("token_revoked", _("The token has been revoked."))
    if token.is_expired(now):
        raise TokenRejected("token_expired", _("The token has expired. Request a new one."))
    if not token.user.is_active:
        raise TokenRejected("user_inactive", _("This account has been deactivated. Ask the town office."))
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
