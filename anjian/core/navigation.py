"""The navigation: each entry names the action a role needs to see it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from anjian.core.scoping import get_scope


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    action: str | None  # None: every logged-in user
    icon: str = ""


NAV: tuple[NavItem, ...] = (
    NavItem(_("Home"), "core:home", None),
    NavItem(_("Units"), "units:unit_list", "units.view"),
    NavItem(_("Committees"), "teams:committee_list", "teams.view"),
    NavItem(_("Regions"), "regions:region_list", "regions.view"),
    NavItem(_("Users"), "accounts:user_list", "accounts.view_users"),
    NavItem(_("Working-day calendar"), "core:calendar", "calendar.manage"),
    NavItem(_("Audit record"), "audit:entry_list", "audit.view"),
)


def menu_for(user) -> list[dict]:
    scope = get_scope(user)
    items = []
    for item in NAV:
        if item.action is not None and not scope.can(item.action):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "url_name": item.url_name})
    return items
