"""Reads about users, roles and tokens, always scoped (style.md §7)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
from django.http import Http404

from anjian.accounts.models import ApiToken, RoleAssignment, User
from anjian.accounts.permissions import MATRIX
from anjian.accounts.scope import get_user_scope
from anjian.audit.models import AuditEntry


def with_visible_roles(users, actor, action: str = "accounts.view_users"):
    """``users`` with ``visible_roles``: the role assignments ``actor`` may see, prefetched."""
    roles = (
        RoleAssignment.objects.for_action(actor, action)
        .select_related("region", "unit", "committee")
        .order_by("-is_active", "pk")
    )
    return users.prefetch_related(
        Prefetch("role_assignments", queryset=roles, to_attr="visible_roles")
    )


def user_list_for(actor, *, action: str = "accounts.view_users"):
    """The users ``actor`` may see, with the role assignments ``actor`` may see prefetched."""
    return with_visible_roles(User.objects.for_action(actor, action), actor, action).order_by(
        "username"
    )


def user_get_for(actor, pk, *, action: str = "accounts.view_users") -> User:
    """One user within ``actor``'s scope, or 404 (out of scope and missing look the same)."""
    user = user_list_for(actor, action=action).filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


def role_get_for(actor, pk, *, action: str = "accounts.manage_users") -> RoleAssignment:
    assignment = (
        RoleAssignment.objects.for_action(actor, action)
        .select_related("user", "region", "unit", "committee")
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def pending_login_user(pk) -> User | None:
    """The active user who passed the password step and now owes the second factor. Not a scoped
    read: nobody is logged in yet; the id comes from the server-side session only."""
    return User.objects.filter(pk=pk, is_active=True).first()


def own_roles(user):
    """The user's own active role assignments (for the profile page and ``/me``)."""
    return (
        RoleAssignment.objects.filter(user_id=user.pk, is_active=True)
        .select_related("region", "unit", "committee")
        .order_by("pk")
    )


def own_tokens(user):
    """The user's own API tokens, newest first."""
    return ApiToken.objects.for_action(user, "accounts.own").filter(user_id=user.pk)


def own_token_get(user, pk) -> ApiToken:
    token = own_tokens(user).filter(pk=pk).first()
    if token is None:
        raise Http404
    return token


def allowed_actions(user) -> list[str]:
    """The MATRIX keys the user may do somewhere (for menus, buttons and ``/me``)."""
    scope = get_user_scope(user)
    return sorted(action for action in MATRIX if scope.can(action))


def user_login_locks(user: User) -> list[dict]:
    """The addresses from which ``user``'s account is locked now (``ip_address``, ``failures``,
    ``last``, ``until``), newest first."""
    from anjian.accounts import lockout

    locks = lockout.locks_of(user)
    for row in locks:
        row["until"] = row["last"] + lockout.lock_period()
    return locks


def user_audit_entries(actor, user: User, *, limit: int = 20):
    """Recent audit entries about ``user`` and their role assignments, as far as ``actor`` may
    read the audit record (entries of another town stay hidden)."""
    if not get_user_scope(actor).can("audit.view"):
        return AuditEntry.objects.none()
    user_ct = ContentType.objects.get_for_model(User)
    role_ct = ContentType.objects.get_for_model(RoleAssignment)
    role_ids = [
        str(pk)
        for pk in RoleAssignment.objects.filter(user_id=user.pk).values_list("pk", flat=True)
    ]
    about = Q(target_type=user_ct, target_id=str(user.pk)) | Q(
        target_type=role_ct, target_id__in=role_ids
    )
    visible = AuditEntry.objects.for_action(actor, "audit.view")
    # Entries about a user carry the region of the user's first role; entries without a region
    # (log-ins of a user with no role yet) are shown only because the user is visible to the actor.
    unplaced = AuditEntry.objects.filter(about, region__isnull=True)
    return (visible.filter(about) | unplaced).select_related("actor").order_by("-pk")[:limit]
