"""The accounts API, mounted at ``/api/v1/auth``: tokens, the current user, user management."""

import datetime

from django.contrib.auth import SESSION_KEY, update_session_auth_hash
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from anjian.accounts import selectors, services
from anjian.accounts.api_auth import ApiAuthError
from anjian.accounts.models import RoleAssignment
from anjian.accounts.roles import Role
from anjian.accounts.scope import get_user_scope
from anjian.core.api_types import Id
from anjian.core.pagination import PageNumber
from anjian.regions.models import Region
from anjian.teams.models import Committee
from anjian.units.models import Unit

router = Router(tags=["accounts"])

MANAGE_USERS = "accounts.manage_users"
VIEW_USERS = "accounts.view_users"


# --- Schemas ------------------------------------------------------------------------------------


class TokenIn(Schema):
    username: str = Field(..., description="User name or mobile number", max_length=50)
    password: str = Field(..., max_length=200)
    name: str = Field("", description="What the token is for", max_length=100)
    otp: str | None = Field(
        None, description="The 6-digit code, for accounts with two-factor log-in", max_length=10
    )


class TokenIssuedOut(Schema):
    token: str
    token_id: int
    expires_at: datetime.datetime


class TokenOut(Schema):
    id: int
    name: str
    key_hint: str
    created_at: datetime.datetime
    expires_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class RoleOut(Schema):
    id: int
    role: str
    role_label: str
    title: str
    is_active: bool
    region_id: int | None
    region_name: str | None
    unit_id: int | None
    unit_name: str | None
    committee_id: int | None
    committee_name: str | None

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_region_name(obj) -> str | None:
        return obj.region.name if obj.region_id else None

    @staticmethod
    def resolve_unit_name(obj) -> str | None:
        return obj.unit.name if obj.unit_id else None

    @staticmethod
    def resolve_committee_name(obj) -> str | None:
        return obj.committee.name if obj.committee_id else None


class UserOut(Schema):
    id: int
    username: str
    name: str
    mobile: str | None
    email: str
    is_active: bool
    must_change_password: bool
    last_login: datetime.datetime | None
    date_joined: datetime.datetime
    roles: list[RoleOut]

    @staticmethod
    def resolve_roles(obj) -> list:
        """The role assignments the caller may see (prefetched by the selector)."""
        return list(getattr(obj, "visible_roles", []))


class MeOut(Schema):
    user: UserOut
    allowed_actions: list[str]
    two_factor: bool


class UserCreateIn(Schema):
    username: str = Field(..., max_length=50)
    name: str = Field(..., max_length=50)
    password: str = Field(..., description="Initial password; changed at the first log-in")
    mobile: str | None = None
    email: str = ""
    role: Role
    region_id: Id | None = None
    unit_id: Id | None = None
    committee_id: Id | None = None
    title: str = Field("", max_length=100)


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


class PasswordChangeIn(Schema):
    old_password: str = Field(..., description="The current password", max_length=200)
    new_password: str = Field(
        ...,
        description="At least 8 characters, not only digits, not a common password",
        max_length=200,
    )


class PasswordConfirmIn(Schema):
    password: str = Field(..., description="The current password, to confirm", max_length=200)


class RoleAssignIn(Schema):
    role: Role
    region_id: Id | None = Field(
        None, description="For officials, inspectors, leaders, village officers and departments"
    )
    unit_id: Id | None = Field(None, description="For enterprise users and contracted experts")
    committee_id: Id | None = Field(None, description="For committee members")
    title: str = Field("", max_length=100)


# --- Helpers ----------------------------------------------------------------------------------


def _require(user, action: str) -> None:
    if not get_user_scope(user).can(action):
        raise PermissionDenied(_("Your roles do not include this operation."))


# --- Tokens and the current user ----------------------------------------------------------------


@router.post(
    "/token",
    auth=None,
    response=TokenIssuedOut,
    operation_id="auth_token_issue",
    summary="Log in: exchange a user name and password for a bearer token",
)
def token_issue(request: HttpRequest, payload: TokenIn):
    """Exchange a user name (or mobile number) and password for a bearer token.
    Accounts with two-factor log-in also send the current 6-digit code as ``otp``."""
    try:
        user = services.login_check_credentials(
            login=payload.username, password=payload.password, request=request
        )
        if services.totp_device_for(user) is not None:
            if not (payload.otp or "").strip():
                raise services.LoginRefused(
                    "otp_required",
                    _("This account uses two-factor log-in: send the 6-digit code as “otp”."),
                )
            services.login_check_otp(user=user, code=payload.otp or "", request=request)
        if user.must_change_password:
            raise services.LoginRefused(
                "password_change_required",
                _("Change the initial password on the log-in page first, then request a token."),
            )
    except services.LoginRefused as exc:
        raise ApiAuthError(exc.code, exc.message) from exc
    with transaction.atomic():
        issued = services.api_token_issue(user=user, name=payload.name or _("API"))
        services.login_record_success(user=user, method="api_token", request=request)
    return {
        "token": issued.raw,
        "token_id": issued.token.pk,
        "expires_at": issued.token.expires_at,
    }


@router.get(
    "/tokens",
    response=list[TokenOut],
    operation_id="auth_tokens_list",
    summary="The caller's own API tokens",
)
def tokens_list(request: HttpRequest):
    """The caller's own tokens (the raw token is never shown again)."""
    return list(selectors.own_tokens(request.auth))


@router.delete(
    "/tokens/{token_id}",
    response={204: None},
    operation_id="auth_token_revoke",
    summary="Revoke one of the caller's own tokens",
)
def token_revoke(request: HttpRequest, token_id: Id):
    """Revoke one of the caller's own tokens. Someone else's token is 404."""
    token = selectors.own_token_get(request.auth, token_id)
    services.api_token_revoke(actor=request.auth, token=token)
    return Status(204, None)


@router.get(
    "/me",
    response=MeOut,
    operation_id="auth_me",
    summary="The caller, their roles and allowed actions",
)
def me(request: HttpRequest):
    """The caller, their roles with scopes and the actions these roles allow."""
    return _me_out(request.auth)


def _me_out(user) -> dict:
    user.visible_roles = list(selectors.own_roles(user))
    return {
        "user": user,
        "allowed_actions": selectors.allowed_actions(user),
        "two_factor": services.totp_device_for(user) is not None,
    }


@router.post(
    "/password",
    response=MeOut,
    operation_id="auth_password_change",
    summary="Change the caller's own password",
)
def password_change(request: HttpRequest, payload: PasswordChangeIn):
    """The current password, then the new one (checked by the same rules as the page). Clears
    "must change password", so a person logged in with a session can change the initial password
    here and then request a token. The caller's session stays logged in; every API token of the
    caller (the one sending this request too) is revoked, as the other sessions end."""
    user = request.auth
    try:
        services.user_change_password(
            actor=user,
            user=user,
            new_password=payload.new_password,
            old_password=payload.old_password,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({"new_password": exc.messages}) from exc
    if str(request.session.get(SESSION_KEY, "")) == str(user.pk):
        update_session_auth_hash(request, user)
    return _me_out(user)


@router.post(
    "/two-factor/disable",
    response=MeOut,
    operation_id="auth_two_factor_disable",
    summary="Switch the caller's two-factor log-in off",
)
def two_factor_disable(request: HttpRequest, payload: PasswordConfirmIn):
    """The password confirms it is really the caller. Setting two-factor log-in up (the QR code)
    is done on the profile page."""
    services.totp_disable(user=request.auth, password=payload.password)
    return _me_out(request.auth)


# --- Users --------------------------------------------------------------------------------------


@router.get(
    "/users",
    response=list[UserOut],
    operation_id="auth_users_list",
    summary="The people within the caller's scope",
)
@paginate(PageNumber, page_size=50)
def users_list(
    request: HttpRequest, q: str = "", role: Role | None = None, active: bool | None = None
):
    """The people within the caller's scope (town office: its town; district: the district)."""
    _require(request.auth, VIEW_USERS)
    qs = selectors.user_list_for(request.auth)
    if q.strip():
        term = q.strip()
        qs = qs.filter(
            Q(name__icontains=term) | Q(username__icontains=term) | Q(mobile__icontains=term)
        )
    if role is not None:
        qs = qs.filter(
            pk__in=RoleAssignment.objects.filter(role=role, is_active=True).values("user_id")
        )
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@router.get(
    "/users/{user_id}",
    response=UserOut,
    operation_id="auth_users_get",
    summary="One person and their roles",
)
def users_get(request: HttpRequest, user_id: Id):
    """One person within the caller's scope; 404 outside it."""
    _require(request.auth, VIEW_USERS)
    return selectors.user_get_for(request.auth, user_id)


def _scope_target(model, actor, pk: int | None, field: str, label: str):
    if pk is None:
        return None
    obj = model.objects.for_action(actor, MANAGE_USERS).filter(pk=pk).first()
    if obj is None:
        raise ValidationError(
            {field: _("%(label)s %(pk)s is not within your town.") % {"label": label, "pk": pk}}
        )
    return obj


@router.post(
    "/users",
    response={201: UserOut},
    operation_id="auth_users_create",
    summary="Create a person with one role (the town office)",
)
def users_create(request: HttpRequest, payload: UserCreateIn):
    """Create a person with an initial password and one role within the caller's town."""
    actor = request.auth
    _require(actor, MANAGE_USERS)
    region = _scope_target(Region, actor, payload.region_id, "region_id", _("Region"))
    unit = _scope_target(Unit, actor, payload.unit_id, "unit_id", _("Supervised unit"))
    committee = _scope_target(
        Committee, actor, payload.committee_id, "committee_id", _("Committee")
    )
    user = services.user_create_with_role(
        actor=actor,
        username=payload.username,
        name=payload.name,
        password=payload.password,
        mobile=payload.mobile,
        email=payload.email,
        role=payload.role.value,
        region=region,
        unit=unit,
        committee=committee,
        title=payload.title,
    )
    return Status(201, selectors.user_get_for(actor, user.pk))


@router.post(
    "/users/{user_id}/deactivate",
    response=UserOut,
    operation_id="auth_users_deactivate",
    summary="Deactivate a person (reason required)",
)
def users_deactivate(request: HttpRequest, user_id: Id, payload: ReasonIn):
    """Deactivate a person (reason required); their tokens are revoked."""
    actor = request.auth
    _require(actor, MANAGE_USERS)
    person = selectors.user_get_for(actor, user_id, action=MANAGE_USERS)
    services.user_set_active(actor=actor, user=person, active=False, reason=payload.reason)
    return selectors.user_get_for(actor, user_id)


@router.post(
    "/users/{user_id}/activate",
    response=UserOut,
    operation_id="auth_users_activate",
    summary="Reactivate a deactivated person",
)
def users_activate(request: HttpRequest, user_id: Id, payload: ReasonIn):
    """Reactivate a deactivated person."""
    actor = request.auth
    _require(actor, MANAGE_USERS)
    person = selectors.user_get_for(actor, user_id, action=MANAGE_USERS)
    services.user_set_active(actor=actor, user=person, active=True, reason=payload.reason)
    return selectors.user_get_for(actor, user_id)


@router.post(
    "/users/{user_id}/unlock",
    response=UserOut,
    operation_id="auth_users_unlock",
    summary="Lift the log-in locks of a person's account (audited)",
)
def users_unlock(request: HttpRequest, user_id: Id, payload: ReasonIn):
    """Forget the failed log-ins counted against the person's account from every address, so that
    the person can log in at once (instead of waiting out ``ANJIAN_LOGIN_LOCK_MINUTES``)."""
    actor = request.auth
    _require(actor, MANAGE_USERS)
    person = selectors.user_get_for(actor, user_id, action=MANAGE_USERS)
    services.user_unlock(actor=actor, user=person, reason=payload.reason)
    return selectors.user_get_for(actor, user_id)


# --- Role assignments ---------------------------------------------------------------------------


@router.post(
    "/users/{user_id}/roles",
    response={201: RoleOut},
    operation_id="auth_users_role_add",
    summary="Give a person another role within the caller's town",
)
def users_role_add(request: HttpRequest, user_id: Id, payload: RoleAssignIn):
    """A role and its scope: a region for officials, a unit for enterprise users and experts, a
    committee for committee members, each within the caller's town. A person outside the caller's
    scope is 404. Giving back a revoked role reactivates it."""
    actor = request.auth
    _require(actor, MANAGE_USERS)
    person = selectors.user_get_for(actor, user_id, action=MANAGE_USERS)
    region = _scope_target(Region, actor, payload.region_id, "region_id", _("Region"))
    unit = _scope_target(Unit, actor, payload.unit_id, "unit_id", _("Supervised unit"))
    committee = _scope_target(
        Committee, actor, payload.committee_id, "committee_id", _("Committee")
    )
    assignment = services.role_assign(
        actor=actor,
        user=person,
        role=payload.role.value,
        region=region,
        unit=unit,
        committee=committee,
        title=payload.title,
    )
    return Status(201, selectors.role_get_for(actor, assignment.pk))


@router.post(
    "/roles/{role_id}/revoke",
    response=RoleOut,
    operation_id="auth_role_revoke",
    summary="Revoke a role assignment (with a reason)",
)
def role_revoke(request: HttpRequest, role_id: Id, payload: ReasonIn):
    """The person keeps their account and their other roles. An assignment outside the caller's
    town is 404."""
    actor = request.auth
    _require(actor, MANAGE_USERS)
    assignment = selectors.role_get_for(actor, role_id)
    services.role_revoke(actor=actor, assignment=assignment, reason=payload.reason)
    return selectors.role_get_for(actor, role_id)
