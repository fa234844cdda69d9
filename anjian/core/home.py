"""The home page: a greeting and, for each of the user's roles, that role's work areas.

The home page composes what the apps already know (the user's role assignments, the units and
regions the user may see); the work areas of modules that do not exist yet are empty states saying
what will appear there. This is the one page of ``core`` that reads other apps, so their imports
stay inside the functions (``core`` imports no app at module level).

Queries are bounded: one for the assignments, then a fixed few per role (the hazard figures in
one aggregate, the plan's tasks in one, the units and villages counts), whatever the data size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from anjian.core.navigation import url_or_none
from anjian.core.scoping import get_scope
from anjian.core.views import login_only

# How many names a card lists before it says "and N more".
MAX_NAMES = 12


@dataclass
class Card:
    """One work area of a role: a real figure or list where one exists, else an empty state."""

    title: str | Promise
    value: int | None = None
    names: list[str] = field(default_factory=list)
    more: int = 0
    url: str | None = None
    empty: str | Promise = ""
    testid: str = ""


@dataclass
class RoleSection:
    role: str
    title: str | Promise
    scope_label: str | Promise
    scope_names: list[str]
    cards: list[Card]


@dataclass
class _Assignments:
    """A user's active assignments of one role, with the objects they are scoped to."""

    role: str
    regions: list[Any] = field(default_factory=list)
    units: list[Any] = field(default_factory=list)
    committees: list[Any] = field(default_factory=list)

    def q_units(self) -> Q:
        """Units within this role's own scope (intersected with ``visible_to`` by the caller)."""
        q = Q(pk__in=[])
        for region in self.regions:
            q |= Q(region__path__startswith=region.path)
        if self.units:
            q |= Q(pk__in=[u.pk for u in self.units])
        if self.committees:
            q |= Q(committee_id__in=[c.pk for c in self.committees])
        return q

    def q_regions(self) -> Q:
        q = Q(pk__in=[])
        for region in self.regions:
            q |= Q(path__startswith=region.path)
        return q


def _names(qs, limit: int = MAX_NAMES) -> tuple[list[str], int]:
    """The first ``limit`` names of ``qs`` and how many more there are, in one query."""
    names = list(qs.values_list("name", flat=True)[: limit + 1])
    if len(names) <= limit:
        return names, 0
    return names[:limit], qs.count() - limit


def _units_card(user, a: _Assignments, title: str | Promise, empty: str | Promise) -> Card:
    from anjian.units.models import Unit

    count = Unit.objects.visible_to(user).filter(a.q_units()).count()
    url = url_or_none("units:unit_list") if get_scope(user).can("units.view") else None
    return Card(title=title, value=count, url=url, empty=empty if not count else "", testid="units")


def _villages_card(user, a: _Assignments) -> Card:
    from anjian.regions.models import Region

    count = Region.objects.visible_to(user).villages().filter(a.q_regions()).count()
    return Card(
        title=_("Villages and communities"),
        value=count,
        url=url_or_none("regions:region_list"),
        empty="" if count else _("The town's villages and communities will appear here."),
        testid="villages",
    )


# --- One builder per role: the role's work areas, in the order a user of that role needs them ---


def _hazard_cards(user, a: _Assignments) -> list[Card]:
    from anjian.hazards.home import hazard_cards

    return hazard_cards(user, a.role, a.q_units(), Card)


def _plan_card(user, a: _Assignments) -> Card:
    from anjian.plans.home import town_plan_card

    return town_plan_card(user, a.q_units(), Card)


def _my_tasks_card(user, a: _Assignments) -> Card:
    from anjian.plans.home import my_tasks_card

    return my_tasks_card(user, a.q_units(), Card)


def _dashboard_cards(user) -> list[Card]:
    """The link to the dashboard (形势一览) of leaders, the office and the district."""
    from anjian.dashboards.home import dashboard_card

    card = dashboard_card(user, Card)
    return [card] if card is not None else []


def _town_office(user, a: _Assignments) -> list[Card]:
    return [
        *_dashboard_cards(user),
        *_hazard_cards(user, a),
        _plan_card(user, a),
        _units_card(
            user, a, _("Supervised units"), _("The town's supervised units will appear here.")
        ),
        _villages_card(user, a),
    ]


def _inspector(user, a: _Assignments) -> list[Card]:
    return [
        *_hazard_cards(user, a),
        _my_tasks_card(user, a),
        _units_card(
            user, a, _("Supervised units"), _("The town's supervised units will appear here.")
        ),
    ]


def _leader(user, a: _Assignments) -> list[Card]:
    return [
        *_dashboard_cards(user),
        *_hazard_cards(user, a),
        _units_card(
            user, a, _("Supervised units"), _("The town's supervised units will appear here.")
        ),
    ]


def _committee_member(user, a: _Assignments) -> list[Card]:
    return [
        *_hazard_cards(user, a),
        Card(
            title=_("Sector work"),
            empty=_(
                "Your committee's sector inspections, sector statistics and your duty list "
                "will appear here"
            ),
            testid="sector",
        ),
        _units_card(
            user,
            a,
            _("Units of the sector"),
            _("The units of your committee's sector will appear here."),
        ),
    ]


def _village_officer(user, a: _Assignments) -> list[Card]:
    return [
        *_hazard_cards(user, a),
        _my_tasks_card(user, a),
        Card(
            title=_("Patrols"),
            empty=_("Your monthly score will appear here"),
            testid="patrols",
        ),
        _units_card(
            user,
            a,
            _("Units in the village"),
            _("The supervised units of your village will appear here."),
        ),
    ]


def _expert(user, a: _Assignments) -> list[Card]:
    from anjian.units.models import Unit

    names, more = _names(Unit.objects.visible_to(user).filter(a.q_units()))
    return [
        Card(
            title=_("Contracted units"),
            value=len(names) + more,
            names=names,
            more=more,
            url=url_or_none("units:unit_list"),
            empty="" if names else _("The units assigned to you will appear here."),
            testid="contracted-units",
        ),
        _my_tasks_card(user, a),
        *_hazard_cards(user, a),
        Card(
            title=_("Assisted inspections and unit files"),
            empty=_(
                "Assisted inspections, each unit's file and the quarterly analysis meetings "
                "will appear here"
            ),
            testid="assisted",
        ),
    ]


def _enterprise(user, a: _Assignments) -> list[Card]:
    from anjian.units.models import Unit

    qs = Unit.objects.visible_to(user).filter(a.q_units())
    units = list(qs[: MAX_NAMES + 1])
    more = qs.count() - MAX_NAMES if len(units) > MAX_NAMES else 0
    return [
        Card(
            title=_("Our unit"),
            names=[f"{u.name}（{u.address}）" if u.address else u.name for u in units[:MAX_NAMES]],
            more=more,
            url=url_or_none("units:unit_detail", units[0].pk) if len(units) == 1 else None,
            empty="" if units else _("Your unit's file will appear here."),
            testid="own-unit",
        ),
        *_hazard_cards(user, a),
        Card(
            title=_("Our unit's safety work"),
            empty=_("Your unit's monthly reports and work permits will appear here"),
            testid="unit-work",
        ),
    ]


def _department(user, a: _Assignments) -> list[Card]:
    from anjian.campaigns.models import Campaign

    names, more = _names(Campaign.objects.visible_to(user).order_by("-start_date", "-pk"))
    return [
        Card(
            title=_("Joint campaigns"),
            value=len(names) + more,
            names=names,
            more=more,
            url=url_or_none("campaigns:campaign_list"),
            empty="" if names else _("The campaigns you take part in will appear here."),
            testid="campaigns",
        ),
    ]


def _district(user, a: _Assignments) -> list[Card]:
    from anjian.regions.models import Region

    names, more = _names(Region.objects.visible_to(user).towns().filter(a.q_regions()))
    return [
        Card(
            title=_("Towns of the district"),
            value=len(names) + more,
            names=names,
            more=more,
            url=url_or_none("regions:region_list"),
            empty="" if names else _("The towns of your district will appear here."),
            testid="towns",
        ),
        *_dashboard_cards(user),
        *_hazard_cards(user, a),
        Card(
            title=_("District overview"),
            empty=_(
                "Town-by-town statistics, cross-town comparisons and major hazards will appear here"
            ),
            testid="overview",
        ),
        _units_card(
            user,
            a,
            _("Supervised units"),
            _("The supervised units of the district will appear here."),
        ),
    ]


BUILDERS: dict[str, Callable[[Any, _Assignments], list[Card]]] = {
    "town_office": _town_office,
    "inspector": _inspector,
    "leader": _leader,
    "committee_member": _committee_member,
    "village_officer": _village_officer,
    "expert": _expert,
    "enterprise": _enterprise,
    "department": _department,
    "district": _district,
}

# What the names under a section's title are.
SCOPE_LABELS: dict[str, str | Promise] = {
    "town_office": _("Town"),
    "inspector": _("Town"),
    "leader": _("Town"),
    "committee_member": _("Committee"),
    "village_officer": _("Village or community"),
    "expert": _("Contracted units"),
    "enterprise": _("Unit"),
    "department": _("Area"),
    "district": _("District"),
}


def _assignments_by_role(user) -> list[_Assignments]:
    """The user's own active assignments, grouped by role in the order of ``Role`` (one query)."""
    from anjian.accounts.models import RoleAssignment
    from anjian.accounts.roles import Role

    # The user's own assignments: what the scope itself is computed from (accounts.scope).
    rows = (
        RoleAssignment.objects.filter(user_id=user.pk, is_active=True)
        .select_related("region", "unit", "committee")
        .order_by("pk")
    )
    groups: dict[str, _Assignments] = {}
    for ra in rows:
        group = groups.setdefault(ra.role, _Assignments(role=ra.role))
        if ra.region_id:
            group.regions.append(ra.region)
        if ra.unit_id:
            group.units.append(ra.unit)
        if ra.committee_id:
            group.committees.append(ra.committee)
    return [groups[role.value] for role in Role if role.value in groups]


def home_sections(user) -> list[RoleSection]:
    from anjian.accounts.roles import Role

    sections = []
    for a in _assignments_by_role(user):
        builder = BUILDERS.get(a.role)
        if builder is None:  # pragma: no cover - every Role has a builder (tested)
            continue
        scope_objects = [*a.regions, *a.units, *a.committees]
        sections.append(
            RoleSection(
                role=a.role,
                title=Role(a.role).label,
                scope_label=SCOPE_LABELS[a.role],
                scope_names=[obj.name for obj in scope_objects],
                cards=builder(user, a),
            )
        )
    return sections


@login_only
def home(request):
    return render(request, "core/home.html", {"sections": home_sections(request.user)})
