"""A user's scope: which regions, units, committees and users each action reaches.

Computed once per user object from the active role assignments (NetBox caches permissions on the
user the same way) and consumed by ``anjian.core.scoping.ScopedQuerySet``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from anjian.accounts.permissions import MATRIX, roles_for
from anjian.accounts.roles import Role

# Actions every logged-in user may do to what is their own (their tokens, their password).
SELF_ACTIONS = frozenset({"accounts.own"})
# Actions that reach, besides what the user's roles cover, the rows the user owns (the jobs they
# started): every logged-in user may use them, at least on their own rows.
OWNER_ACTIONS = frozenset({"jobs.view"})


@dataclass(frozen=True)
class Grant:
    role: str
    region_path: str | None = None
    unit_id: int | None = None
    committee_id: int | None = None
    committee_region_path: str | None = None


@dataclass
class Scope:
    user_id: int | None
    is_superuser: bool = False
    grants: tuple[Grant, ...] = ()
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def key(self) -> tuple:
        """Everything the scope is made of, hashable: two users with equal keys get the same
        filters from ``visible_to`` and ``for_action`` (``anjian.core.compiled`` keys on it)."""
        return (self.user_id, self.is_superuser, self.grants)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    def _grants_for(self, action: str) -> list[Grant]:
        allowed = roles_for(action)
        return [g for g in self.grants if g.role in allowed]

    def can(self, action: str) -> bool:
        """Whether the user may do ``action`` to anything at all (for menus and buttons)."""
        if action in SELF_ACTIONS or action in OWNER_ACTIONS:
            return self.user_id is not None
        return self.is_superuser or bool(self._grants_for(action))

    def paths_for(self, action: str) -> set[str]:
        if action in SELF_ACTIONS:
            return set()
        return {g.region_path for g in self._grants_for(action) if g.region_path}

    def units_for(self, action: str) -> set[int]:
        if action in SELF_ACTIONS:
            return set()
        return {g.unit_id for g in self._grants_for(action) if g.unit_id}

    def committees_for(self, action: str) -> set[int]:
        if action in SELF_ACTIONS:
            return set()
        return {g.committee_id for g in self._grants_for(action) if g.committee_id}

    def users_for(self, action: str) -> set[int]:
        if (action in SELF_ACTIONS or action in OWNER_ACTIONS) and self.user_id is not None:
            return {self.user_id}
        return set()


ANONYMOUS = Scope(user_id=None)


# The columns of an active role assignment a scope is made of, in ``Grant``'s order; read as
# plain values (no model instances), from the assignments or through a join (the API token).
GRANT_COLUMNS = ("role", "region__path", "unit_id", "committee_id", "committee__region__path")


def scope_from_grants(user, rows) -> Scope:
    """The scope of ``user`` from rows of ``GRANT_COLUMNS`` (a row of ``None`` is no grant: what an
    outer join gives for a user without active assignments); kept on the user object."""
    grants = tuple(Grant(*row) for row in rows if row[0] is not None)
    scope = Scope(user_id=user.pk, is_superuser=user.is_superuser, grants=grants)
    user._anjian_scope = scope
    return scope


def get_user_scope(user) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_anjian_scope", None)
    if cached is not None:
        return cached
    from anjian.accounts.models import RoleAssignment

    rows = (
        RoleAssignment.objects.filter(user=user, is_active=True)
        .order_by("pk")
        .values_list(*GRANT_COLUMNS)
    )
    return scope_from_grants(user, rows)


def forget_scope(user) -> None:
    """Drop the cached scope after the user's assignments changed."""
    if hasattr(user, "_anjian_scope"):
        del user._anjian_scope


__all__ = [
    "GRANT_COLUMNS",
    "MATRIX",
    "OWNER_ACTIONS",
    "SELF_ACTIONS",
    "Grant",
    "Role",
    "Scope",
    "forget_scope",
    "get_user_scope",
    "scope_from_grants",
]
