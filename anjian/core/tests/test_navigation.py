"""The navigation shows each role the modules it may use, and only those."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from anjian.accounts.permissions import MATRIX
from anjian.core.navigation import GROUPS, NAV, menu_for, menu_groups
from anjian.core.testing.world import PERSONAS


def test_every_navigation_action_is_in_the_permission_matrix():
    for item in NAV:
        assert item.action is None or item.action in MATRIX, item


def test_navigation_entries_are_unique():
    names = [item.url_name for item in NAV]
    assert len(names) == len(set(names))


def test_anonymous_visitor_has_no_menu():
    assert menu_for(AnonymousUser()) == []


# What each role finds in its menu, in order (a reviewed table: change it with the MATRIX).
ALL = [
    "core:home",
    "dashboards:dashboard",
    "units:unit_list",
    "units:document_list",
    "units:firm_list",
    "hazards:hazard_list",
    "hazards:monthly_overview",
    "hazards:tipoff_list",
    "inspections:inspection_list",
    "plans:plan_list",
    "inspections:checklist_list",
    "campaigns:campaign_list",
    "cases:case_list",
    "enforcement_settings:settings",
    "stats:statistics",
    "reports:report_home",
    "exchange:exchange_home",
    "teams:committee_list",
    "regions:region_list",
    "accounts:user_list",
    "core:calendar",
    "core:job_list",
    "audit:entry_list",
    "backups:backup_list",
]
TOWN_STAFF = [
    "core:home",
    "dashboards:dashboard",
    "units:unit_list",
    "units:document_list",
    "units:firm_list",
    "hazards:hazard_list",
    "hazards:monthly_overview",
    "inspections:inspection_list",
    "plans:plan_list",
    "inspections:checklist_list",
    "campaigns:campaign_list",
    "cases:case_list",
    "stats:statistics",
    "reports:report_home",
    "teams:committee_list",
    "regions:region_list",
    "core:job_list",
]
EXPECTED_MENU: dict[str, list[str]] = {
    "town_office": ALL,
    "district": [
        name for name in ALL if name not in ("hazards:tipoff_list", "enforcement_settings:settings")
    ],
    "inspector": TOWN_STAFF,
    "leader": TOWN_STAFF,
    "village_officer": [
        "core:home",
        "dashboards:dashboard",
        "units:unit_list",
        "units:document_list",
        "hazards:hazard_list",
        "inspections:inspection_list",
        "plans:plan_list",
        "inspections:checklist_list",
        "stats:statistics",
        "teams:committee_list",
        "regions:region_list",
        "core:job_list",
    ],
    "committee_member": [
        "core:home",
        "dashboards:dashboard",
        "units:unit_list",
        "units:document_list",
        "hazards:hazard_list",
        "inspections:inspection_list",
        "plans:plan_list",
        "inspections:checklist_list",
        "stats:statistics",
        "reports:report_home",
        "teams:committee_list",
        "core:job_list",
    ],
    "expert": [
        "core:home",
        "dashboards:dashboard",
        "units:unit_list",
        "units:document_list",
        "hazards:hazard_list",
        "inspections:inspection_list",
        "plans:plan_list",
        "inspections:checklist_list",
        "stats:statistics",
        "core:job_list",
    ],
    "enterprise": [
        "core:home",
        "dashboards:dashboard",
        "units:my_unit",
        "units:unit_list",
        "units:document_list",
        "hazards:hazard_list",
        "hazards:monthly_reports",
        "inspections:inspection_list",
        "cases:case_list",
        "stats:statistics",
        "core:job_list",
    ],
    "department": [
        "core:home",
        "campaigns:campaign_list",
        "regions:region_list",
        "core:job_list",
    ],
}


def test_the_menu_table_covers_every_role():
    assert set(EXPECTED_MENU) == {role.value for role, _scope in PERSONAS.values()}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_each_persona_sees_exactly_the_modules_its_role_allows(world, persona):
    role = PERSONAS[persona][0].value
    assert [entry["url_name"] for entry in menu_for(world.users[persona])] == EXPECTED_MENU[role]


@pytest.mark.django_db
def test_modules_not_built_yet_are_left_out(world, monkeypatch):
    from anjian.core import navigation

    missing = navigation.NavItem("Not built", "nowhere:nothing", None)
    monkeypatch.setattr(navigation, "NAV", (*navigation.NAV, missing))
    assert "nowhere:nothing" not in [e["url_name"] for e in menu_for(world.town_office_a)]


@pytest.mark.django_db
def test_town_office_menu_has_the_audit_record_and_the_enterprise_menu_does_not(client, world):
    client.force_login(world.town_office_a)
    office = client.get(reverse("core:home")).content.decode()
    assert "审计记录" in office
    assert "监管对象" in office

    client.force_login(world.enterprise_a)
    enterprise = client.get(reverse("core:home")).content.decode()
    nav = enterprise.split('data-testid="main-nav"', 1)[1].split('data-testid="user-nav"', 1)[0]
    assert "审计记录" not in nav
    assert "用户" not in nav
    assert "首页" in nav


@pytest.mark.django_db
def test_current_page_is_marked_in_the_menu(client, world):
    client.force_login(world.town_office_a)
    html = client.get(reverse("core:home")).content.decode()
    home = re.escape(reverse("core:home"))
    assert re.search(rf'aria-current="page"\s+href="{home}"', html)


@pytest.mark.django_db
def test_the_bar_gathers_the_modules_into_a_few_drop_downs(world):
    items = menu_for(world.town_office_a)
    bar = menu_groups(items, "cases:case_list", "cases")
    assert [group["key"] for group in bar] == [
        "", "", "units", "hazards", "inspections", "reports", "organisation", "system",
    ]  # fmt: skip
    # Every entry is in exactly one place, in the menu's order within its drop-down.
    placed = [e["url_name"] for g in bar for e in g["entries"]]
    assert sorted(placed) == sorted(e["url_name"] for e in items)
    order = [e["url_name"] for e in items]
    for group in bar:
        names = [e["url_name"] for e in group["entries"]]
        assert names == sorted(names, key=order.index)
    units = next(g for g in bar if g["key"] == "units")
    assert [str(e["label"]) for e in units["entries"]] == ["监管对象", "一企一档", "包干专家"]
    # The current page marks its entry and its drop-down, nothing else.
    inspections = next(g for g in bar if g["key"] == "inspections")
    assert inspections["active"] and str(inspections["label"]) == "检查与执法"
    current = [e["url_name"] for g in bar for e in g["entries"] if e["current"]]
    assert current == ["cases:case_list"]
    assert [g["key"] for g in bar if g["active"]] == ["inspections"]


def test_a_drop_down_with_one_entry_is_that_entry_on_the_bar():
    def entry(name: str, group: str) -> dict:
        return {"label": name, "url": f"/{name}/", "url_name": f"x:{name}", "section": "",
                "group": group}  # fmt: skip

    bar = menu_groups([entry("home", ""), entry("units", "units"), entry("hazards", "hazards"),
                       entry("reports", "hazards")])  # fmt: skip
    assert [(g["key"], g["label"]) for g in bar] == [
        ("", "home"), ("", "units"), ("hazards", GROUPS["hazards"]),
    ]  # fmt: skip
    assert [e["label"] for e in bar[2]["entries"]] == ["hazards", "reports"]


@pytest.mark.django_db
def test_the_page_draws_the_drop_downs_with_their_entries(client, world):
    client.force_login(world.town_office_a)
    html = client.get(reverse("cases:case_list")).content.decode()
    nav = html.split('data-testid="main-nav"', 1)[1].split('data-testid="user-nav"', 1)[0]
    assert nav.count('data-bs-toggle="dropdown"') == 6
    group = nav.split('data-testid="nav-group-inspections"', 1)[1].split("</li>\n          \n", 1)[
        0
    ]
    assert "检查与执法" in group and "立案查处" in group
    assert 'class="nav-link dropdown-toggle active"' in group
    assert re.search(r'class="dropdown-item active"[^>]*\s+aria-current="page"', group)
