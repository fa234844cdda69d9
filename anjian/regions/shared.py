"""Tables shared by every town, and each town's own rows in them (issue 16 §3).

The legal provisions with their fine ranges, the hazard sub-grades and the unit categories are
tables every town reads. A row without a town (``town`` null) is shared: only the district (a
role assigned at the district) or an administrator changes it. A town adds its own rows, which
only that town changes (not another town, not the district). Services ask ``shared_row_refusal``
before they change a row and ``owner_town_for`` when they add one; lists read
``shared_or_own_q``.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext as _

from anjian.accounts.roles import Role
from anjian.core.scoping import get_scope
from anjian.regions.models import Region, RegionLevel


def _enclosing(path: str) -> set[str]:
    parts = [p for p in (path or "").split("/") if p]
    return {"/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)}


def is_district_keeper(user, action: str) -> bool:
    """An administrator, or a person granted ``action`` by a role assigned at the district."""
    scope = get_scope(user)
    if scope.is_superuser:
        return True
    return any(g.role == Role.DISTRICT for g in scope._grants_for(action))


def shared_row_refusal(user, action: str, town_id: int | None, town_path: str = "") -> str:
    """Why ``user`` may not change a row owned by ``town_id`` (None: shared); "" if they may."""
    scope = get_scope(user)
    if scope.is_superuser:
        return ""
    if town_id is None:
        if is_district_keeper(user, action):
            return ""
        return _(
            "This row is shared by every town: only the district or an administrator changes "
            "it. Add your town's own row instead."
        )
    grants = scope._grants_for(action)
    if any(g.role != Role.DISTRICT and g.region_path == town_path for g in grants):
        return ""
    return _("This row belongs to another town: only that town changes it.")


def owner_town_for(user, action: str) -> Region | None:
    """The town a new row of ``user`` belongs to: none (shared) for the district or an
    administrator, else the town of the person's assignment."""
    if is_district_keeper(user, action):
        return None
    paths = sorted(
        g.region_path
        for g in get_scope(user)._grants_for(action)
        if g.region_path and g.role != Role.DISTRICT
    )
    town = (
        Region.objects.filter(level=RegionLevel.TOWN, path__in=_enclosing(paths[0])).first()
        if paths
        else None
    )
    if town is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only a town's office or the district adds rows here."))
    return town


def shared_or_own_q(user, action: str, field: str = "town") -> Q:
    """The shared rows and those of the towns ``user`` works in (a district: its towns)."""
    scope = get_scope(user)
    q = Q(**{f"{field}__isnull": True})
    if scope.is_superuser:
        return Q()
    paths = {g.region_path for g in scope._grants_for(action) if g.region_path}
    paths |= {g.committee_region_path for g in scope.grants if g.committee_region_path}
    if units := scope.units_for(action):  # an enterprise's or an expert's units: their towns
        unit_model = apps.get_model("units", "Unit")
        paths |= set(unit_model.objects.filter(pk__in=units).values_list("region__path", flat=True))
    enclosing = set().union(*(_enclosing(p) for p in paths)) if paths else set()
    for path in paths:
        q |= Q(**{f"{field}__path__startswith": path})
    if enclosing:
        q |= Q(**{f"{field}__path__in": sorted(enclosing)})
    return q
