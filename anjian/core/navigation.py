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
from django.utils.translation import pgettext_lazy

from anjian.core.scoping import get_scope


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    action: str | None  # None: every logged-in user
    # The URL namespace whose pages highlight this entry (detail pages of the module); "" for none.
    section: str = ""
    # The drop-down the entry sits in (a key of ``GROUPS``); "" for an entry of the bar itself.
    group: str = ""


# The drop-downs of the bar, in the order of their first entry. A group the user has one entry of
# shows that entry on the bar instead of a drop-down.
# Their English names are short (context "menu"; the Chinese keeps its full names), so that the bar
# with every drop-down fits on one line at 1280 px in English too.
GROUPS: dict[str, str | Promise] = {
    "units": pgettext_lazy("menu", "Units"),
    "hazards": pgettext_lazy("menu", "Hazards"),
    "inspections": pgettext_lazy("menu", "Inspection"),
    "reports": pgettext_lazy("menu", "Reports"),
    "organisation": pgettext_lazy("menu", "Organisation"),
    "system": pgettext_lazy("menu", "System"),
}


NAV: tuple[NavItem, ...] = (
    NavItem(_("Home"), "core:home", None),
    NavItem(_("Situation"), "dashboards:dashboard", "dashboards.view", section="dashboards"),
    NavItem(_("My unit"), "units:my_unit", "units.edit_own"),
    NavItem(_("Units"), "units:unit_list", "units.view", section="units", group="units"),
    NavItem(_("Documents"), "units:document_list", "units.view", group="units"),
    NavItem(_("Contracted experts"), "units:firm_list", "units.view_experts", group="units"),
    NavItem(
        _("Hazards"), "hazards:hazard_list", "hazards.view", section="hazards", group="hazards"
    ),
    NavItem(
        _("Monthly reports"), "hazards:monthly_reports", "hazards.report_monthly", group="hazards"
    ),
    NavItem(
        _("Monthly reports of the units"),
        "hazards:monthly_overview",
        "hazards.follow_reports",
        group="hazards",
    ),
    NavItem(
        _("Public tip-offs"), "hazards:tipoff_list", "hazards.triage_tip_offs", group="hazards"
    ),
    NavItem(
        _("Inspections"),
        "inspections:inspection_list",
        "inspections.view",
        section="inspections",
        group="inspections",
    ),
    NavItem(
        _("Inspection plan"), "plans:plan_list", "plans.view", section="plans", group="inspections"
    ),
    NavItem(
        _("Checklists"),
        "inspections:checklist_list",
        "inspections.view_templates",
        group="inspections",
    ),
    NavItem(
        _("Campaigns"),
        "campaigns:campaign_list",
        "campaigns.view",
        section="campaigns",
        group="inspections",
    ),
    NavItem(
        _("Enforcement cases"), "cases:case_list", "enforcement.view_cases", group="inspections"
    ),
    NavItem(
        _("Enforcement settings"),
        "enforcement_settings:settings",
        "enforcement.manage_settings",
        group="inspections",
    ),
    NavItem(_("Statistics"), "stats:statistics", "stats.view", section="stats", group="reports"),
    NavItem(
        _("Summaries and meetings"),
        "reports:report_home",
        "reports.view",
        section="reports",
        group="reports",
    ),
    NavItem(
        _("Data exchange"),
        "exchange:exchange_home",
        "exchange.export",
        section="exchange",
        group="reports",
    ),
    NavItem(
        _("Committees"), "teams:committee_list", "teams.view", section="teams", group="organisation"
    ),
    NavItem(
        _("Regions"), "regions:region_list", "regions.view", section="regions", group="organisation"
    ),
    NavItem(_("Users"), "accounts:user_list", "accounts.view_users", group="organisation"),
    NavItem(_("Working-day calendar"), "core:calendar", "calendar.manage", group="system"),
    NavItem(_("Background jobs"), "core:job_list", "jobs.view", group="system"),
    NavItem(_("Audit record"), "audit:entry_list", "audit.view", section="audit", group="system"),
    NavItem(_("Backups"), "backups:backup_list", "backups.view", section="backups", group="system"),
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
            {
                "label": item.label,
                "url": url,
                "url_name": item.url_name,
                "section": item.section,
                "group": item.group,
            }
        )
    return items


def menu_groups(items: list[dict], view_name: str = "", namespace: str = "") -> list[dict]:
    """The bar: ``menu_for``'s entries gathered into their drop-downs (in the order of each group's
    first entry); a group with a single entry is that entry on the bar. Each entry and drop-down
    says whether the current page (``view_name``, ``namespace``) is one of its own."""
    bar: list[dict] = []
    by_group: dict[str, dict] = {}
    for item in items:
        active = view_name == item["url_name"] or bool(
            item["section"] and namespace == item["section"]
        )
        entry = {**item, "active": active, "current": view_name == item["url_name"]}
        key = entry["group"]
        if not key:
            bar.append({"key": "", "label": entry["label"], "entries": [entry], "active": active})
            continue
        if key not in by_group:
            by_group[key] = {"key": key, "label": GROUPS[key], "entries": [], "active": False}
            bar.append(by_group[key])
        by_group[key]["entries"].append(entry)
        by_group[key]["active"] |= active
    for group in bar:
        if len(group["entries"]) == 1:  # a drop-down of one: the entry itself on the bar
            group.update(key="", label=group["entries"][0]["label"])
    return bar
