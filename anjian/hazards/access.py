"""Who may reach a hazard, and with which of their roles: the scope helpers every part of the hazard
loop uses (services, effects, selectors, notifications)."""

from __future__ import annotations

from django.http import Http404

from anjian.accounts.permissions import roles_for
from anjian.accounts.scope import get_user_scope
from anjian.hazards.models import Hazard

VIEW = "hazards.view"
RECORD = "hazards.record"


def hazard_get_for(user, hazard_id: int, *, action: str = VIEW) -> Hazard:
    """The hazard if ``user`` may do ``action`` to it; 404 otherwise (existence is not revealed)."""
    hazard = (
        Hazard.objects.for_action(user, action)
        .select_related("unit__region__parent", "sub_grade", "found_by", "reported_by")
        .filter(pk=hazard_id)
        .first()
    )
    if hazard is None:
        raise Http404
    return hazard


def roles_granting(user, permission: str, hazard: Hazard) -> frozenset[str]:
    """The actor's roles whose assignment grants ``permission`` on this hazard's unit."""
    return roles_granting_unit(user, permission, hazard.unit)


def roles_granting_unit(user, permission: str, unit) -> frozenset[str]:
    """The actor's roles whose assignment grants ``permission`` at ``unit``."""
    scope = get_user_scope(user)
    if scope.is_superuser:
        return frozenset({"superuser"})
    allowed = roles_for(permission)
    path = unit.region.path if unit.region_id else ""
    granted = set()
    for g in scope.grants:
        if g.role not in allowed:
            continue
        if (
            (g.region_path and path.startswith(g.region_path))
            or (g.unit_id and g.unit_id == unit.pk)
            or (g.committee_id and g.committee_id == unit.committee_id)
        ):
            granted.add(g.role)
    return frozenset(granted)
