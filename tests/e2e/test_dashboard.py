"""The leader's dashboard (形势一览) in a real Chromium, at 1280 px and on a 375 px phone: the charts
are drawn, a tooltip appears on hover, a legend button hides a series, "show as table" shows the
numbers, a bar opens the list behind it. Screenshots: ``test-artifacts/dashboard-leader-<width>.png``.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from anjian.core.testing.world import PASSWORD
from anjian.dashboards.tests.town import build_town

from .conftest import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
ARTIFACTS = ROOT / "test-artifacts"
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    form = page.get_by_test_id("login-form")
    form.locator("input[autocomplete=username]").fill(username)
    form.locator("input[type=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('core:home')}")


def test_the_leader_sees_the_dashboard_at_1280_and_375_px(
    page: Page, live_server, world, console_errors
):
    build_town(world, now=timezone.now(), hazards=120)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "leader_a")

    # The home page links to the dashboard.
    page.get_by_test_id("card-dashboard").get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('dashboards:dashboard')}")
    expect(page.locator("h1")).to_have_text("形势一览")
    expect(page.get_by_test_id("figure-open").get_by_test_id("value")).to_have_text(
        re.compile(r"^\d+$")
    )
    expect(page.get_by_test_id("figure-permits")).to_contain_text("尚无记录")

    # Every chart is an SVG drawn on the server.
    for key in ("trend", "grades", "plan", "by_village", "by_category", "by_finder", "map"):
        expect(
            page.locator(f"[data-testid=chart-{key}] svg.chart-svg >> visible=true")
        ).to_be_visible()

    # A tooltip appears on hover over a bar.
    chart = page.get_by_test_id("chart-by_category")
    chart.locator(".chart-shape >> visible=true").first.hover()
    tooltip = chart.locator("[data-chart-tooltip]")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("：")

    # A legend button hides a series of the trend, and shows it again.
    trend = page.get_by_test_id("chart-trend")
    legend = trend.locator("[data-legend=closed]")
    legend.click()
    expect(legend).to_have_attribute("aria-pressed", "false")
    closed = trend.locator("polyline[data-series=closed] >> visible=true")
    expect(closed).to_have_count(0)
    legend.click()
    expect(closed).to_have_count(1)

    page.screenshot(path=ARTIFACTS / "dashboard-leader-1280.png", full_page=True)

    # "Show as table" swaps the chart for its numbers, and back.
    toggle = trend.locator("[data-chart-toggle]")
    toggle.click()
    table = trend.locator("[data-chart-table] table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(12)
    expect(trend.locator("svg.chart-svg >> visible=true")).to_have_count(0)
    toggle.click()
    expect(trend.locator("svg.chart-svg >> visible=true")).to_be_visible()

    # On a phone: nothing scrolls sideways; the charts are still drawn and readable as tables.
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("[data-testid=chart-trend] svg.chart-svg >> visible=true")).to_be_visible()
    assert page.evaluate(NO_OVERFLOW), "the dashboard scrolls sideways at 375 px"
    village = page.get_by_test_id("chart-by_village")
    village.locator("[data-chart-toggle]").click()
    expect(village.locator("[data-chart-table] table")).to_be_visible()
    village.locator("[data-chart-toggle]").click()
    page.screenshot(path=ARTIFACTS / "dashboard-leader-375.png", full_page=True)

    # A bar opens the list behind it: the open hazards of that village.
    village.locator("a.chart-link >> visible=true").first.click()
    expect(page).to_have_url(re.compile(r"/hazards/\?queue=open&region=\d+"))
    assert console_errors == []


def test_the_district_compares_its_towns(page: Page, live_server, world, console_errors):
    build_town(world, now=timezone.now(), hazards=80)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "district_officer")
    page.goto(f"{live_server.url}{reverse('dashboards:dashboard')}")
    towns = page.get_by_test_id("dashboard-towns")
    for name in (world.town_a.name, world.town_b.name, "合计"):
        expect(towns.locator("thead")).to_contain_text(name)
    expect(page.locator("[data-testid=chart-towns] svg.chart-svg >> visible=true")).to_be_visible()
    grades = page.get_by_test_id("chart-grades")
    expect(grades.locator("svg.chart-svg >> visible=true")).to_be_visible()
    expect(grades.locator("[data-legend]")).to_have_count(5)  # a layer per grade, stacked per town
    page.screenshot(path=ARTIFACTS / "dashboard-district-1280.png", full_page=True)
    assert console_errors == []
