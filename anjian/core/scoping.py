"""The one scoping mechanism: every queryset that reaches a user passes through
``Model.objects.visible_to(user)`` or ``.for_action(user, action)``.

``core`` imports no app, so the function that computes a user's scope is registered by
``anjian.accounts`` at start-up (``register_scope_resolver``). A scope answers three questions for an
action: which region subtrees (materialised paths), which units, which committees.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Protocol

from django.db import models
from django.db.models import Q

import anjian.core.lookups  # noqa: F401 - registers the ``under`` lookup


class ScopeLike(Protocol):
    is_superuser: bool
    key: Hashable

    def paths_for(self, action: str) -> set[str]: ...
    def units_for(self, action: str) -> set[int]: ...
    def committees_for(self, action: str) -> set[int]: ...
    def users_for(self, action: str) -> set[int]: ...


_resolver: Callable[[Any], ScopeLike] | None = None


def register_scope_resolver(resolver: Callable[[Any], ScopeLike]) -> None:
    global _resolver
    _resolver = resolver


def get_scope(user: Any) -> ScopeLike:
    if _resolver is None:  # pragma: no cover - accounts is always installed
        raise RuntimeError("no scope resolver registered")
    return _resolver(user)


def scope_key(user: Any) -> Hashable:
    """What ``for_action`` and ``visible_to`` build their filters from for ``user``: equal keys,
    equal querysets (``None``: no one, they see nothing)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return get_scope(user).key


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to restrict itself to what a user may see or do.

    Subclasses (or the model's manager) name the lookups that lead from a row to its region path,
    its unit, its committee and its owning user; ``None`` means the row has no such link.
    """

    scope_path: str | tuple[str, ...] | None = "region__path"
    # How a row's path is matched to a scope's prefix: ``under`` where the column has an index with
    # the pattern operators (``anjian.core.lookups``), ``startswith`` elsewhere.
    scope_path_lookup: str = "startswith"
    scope_unit: str | None = None
    scope_committee: str | None = None
    scope_user: str | None = None
    # The action ``visible_to`` asks for; by default "<app_label>.view".
    view_action: str | None = None

    def qualify(self, action: str) -> str:
        """``"view"`` on a unit becomes ``"units.view"``; a qualified key is kept as it is."""
        if "." in action:
            return action
        if action == "view" and self.view_action:
            return self.view_action
        return f"{self.model._meta.app_label}.{action}"

    def for_action(self, user: Any, action: str = "view") -> ScopedQuerySet:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        scope = get_scope(user)
        action = self.qualify(action)
        if scope.is_superuser:
            return self
        q = Q()
        if self.scope_path:
            lookups = (self.scope_path,) if isinstance(self.scope_path, str) else self.scope_path
            for prefix in sorted(scope.paths_for(action)):
                for lookup in lookups:
                    q |= Q(**{f"{lookup}__{self.scope_path_lookup}": prefix})
        if self.scope_unit and (ids := scope.units_for(action)):
            q |= Q(**{f"{self.scope_unit}__in": sorted(ids)})
        if self.scope_committee and (ids := scope.committees_for(action)):
            q |= Q(**{f"{self.scope_committee}__in": sorted(ids)})
        if self.scope_user and (ids := scope.users_for(action)):
            q |= Q(**{f"{self.scope_user}__in": sorted(ids)})
        return self.filter(q) if q else self.none()

    def visible_to(self, user: Any) -> ScopedQuerySet:
        return self.for_action(user, "view")


def scoped_manager(
    *,
    path: str | tuple[str, ...] | None = "region__path",
    unit: str | None = None,
    committee: str | None = None,
    user: str | None = None,
    base: type[ScopedQuerySet] = ScopedQuerySet,
) -> models.Manager:
    """A manager whose queryset scopes through the given lookups."""
    qs_class = type(
        f"Scoped{base.__name__}",
        (base,),
        {"scope_path": path, "scope_unit": unit, "scope_committee": committee, "scope_user": user},
    )
    return models.Manager.from_queryset(qs_class)()
