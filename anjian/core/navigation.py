"""The navigation: the single list of modules, each naming the action a role needs to see it.

``NAV`` is the one place a module's menu entry is declared. An entry is shown to a user when one of
the user's roles grants its action (``accounts.permissions.MATRIX``, through the user's scope) and
its URL exists; entries of modules that are not built yet are skipped, so the menu grows as
modules land. The pages themselves still check the action (403) and the scope (404): hiding an
entry is a courtesy, not the protection.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from anjian.core.scoping import get_scope


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    action: str | None  # None: every logged-in user
    # The URL namespace whose pages highlight this entry (detail pages of the module); "" for none.
    section: str = ""


NAV: tuple[NavItem, ...] = (
    NavItem(_("Home"), "core:home", None),
    NavItem(_("Situation"), "dashboards:dashboard", "dashboards.view", section="dashboards"),
    NavItem(_("My unit"), "units:my_unit", "units.edit_own"),
    NavItem(_("Units"), "units:unit_list", "units.view", section="units"),
    NavItem(_("Hazards"), "hazards:hazard_list", "hazards.view", section="hazards"),
    NavItem(_("Monthly reports"), "hazards:monthly_reports", "hazards.report_monthly"),
    NavItem(
        _("Monthly reports of the units"), "hazards:monthly_overview", "hazards.follow_reports"
    ),
    NavItem(_("Public tip-offs"), "hazards:tipoff_list", "hazards.triage_tip_offs"),
    NavItem(
        _("Inspections"), "inspections:inspection_list", "inspections.view", section="inspections"
    ),
    NavItem(_("Inspection plan"), "plans:plan_list", "plans.view", section="plans"),
    NavItem(_("Checklists"), "inspections:checklist_list", "inspections.view_templates"),
    NavItem(_("Campaigns"), "campaigns:campaign_list", "campaigns.view", section="campaigns"),
    NavItem(_("Enforcement cases"), "cases:case_list", "enforcement.view_cases"),
    NavItem(
        _("Enforcement settings"), "enforcement_settings:settings", "enforcement.manage_settings"
    ),
    NavItem(_("Statistics"), "stats:statistics", "stats.view", section="stats"),
    NavItem(_("Summaries and meetings"), "reports:report_home", "reports.view", section="reports"),
    NavItem(_("Data exchange"), "exchange:exchange_home", "exchange.export", section="exchange"),
    NavItem(_("Documents"), "units:document_list", "units.view"),
    NavItem(_("Contracted experts"), "units:firm_list", "units.view_experts"),
    NavItem(_("Committees"), "teams:committee_list", "teams.view", section="teams"),
    NavItem(_("Regions"), "regions:region_list", "regions.view", section="regions"),
    NavItem(_("Users"), "accounts:user_list", "accounts.view_users"),
    NavItem(_("Working-day calendar"), "core:calendar", "calendar.manage"),
    NavItem(_("Background jobs"), "core:job_list", "jobs.view"),
    NavItem(_("Audit record"), "audit:entry_list", "audit.view", section="audit"),
)


def url_or_none(url_name: str, *args) -> str | None:
    """The URL of ``url_name``, or None while the module that serves it is not built."""
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return None


def menu_for(user) -> list[dict]:
    """The entries ``user`` may use, in NAV order: ``label``, ``url``, ``url_name``, ``section``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    scope = get_scope(user)
    items = []
    for item in NAV:
        url = url_or_none(item.url_name)
        if url is None:  # the module is not built yet
            continue
        if item.action is not None and not scope.can(item.action):
            continue
        items.append(
            {"label": item.label, "url": url, "url_name": item.url_name, "section": item.section}
        )
    return items
