"""Small things a tester saw on a phone (375 px) and on a 1280 px desktop in English:

- the "not sent yet" notice never moves the answer buttons, and shows only for answers that could
  not be sent (not during a normal save);
- offline, the answered count counts the answers kept on the phone;
- the finish page names unanswered items before the signature pads;
- the hazard list gives the unit its full width on a phone;
- the main menu fits on one line at 1280 px in English.

Screenshots go to ``test-artifacts/screenshots/ux-*.png``.
"""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from anjian.hazards.tests.factories import make_hazard
from anjian.inspections import services
from anjian.inspections.tests.factories import make_checklist
from anjian.units.models import Unit
from tests.e2e.test_inspection_phone import PHONE, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def start_inspection(world):
    return services.inspection_start(
        actor=world.inspector_a, unit_id=world.unit_a.pk, checklist_id=make_checklist().pk
    )


def boxes(page: Page) -> list[dict]:
    """Where every answer button and the bottom buttons are on the page (page coordinates; the
    sticky bar's button moves with scrolling by design)."""
    return page.evaluate(
        "[...document.querySelectorAll('button[name=result], [data-testid=inspect-finish-bottom]')]"
        ".map(b => { const r = b.getBoundingClientRect();"
        " return [r.x, r.y + window.scrollY, r.width, r.height]; })"
    )


def test_offline_answers_count_and_the_notice_moves_no_button(
    new_context, live_server, world, screenshots_dir
):
    inspection = start_inspection(world)
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "inspector_a")
    page.goto(f"{live_server.url}{reverse('inspections:inspection_inspect', args=[inspection.pk])}")
    status = page.get_by_test_id("sync-status")
    count = page.get_by_test_id("answered-count")

    # Online, a slow save: "sending", but no "not sent yet" notice, and nothing moves.
    def slow(route):
        time.sleep(0.8)
        route.continue_()

    page.route("**/items/**", slow)
    before = boxes(page)
    page.get_by_test_id("item-1").get_by_test_id("answer-pass").click()
    expect(page.get_by_test_id("item-1").get_by_test_id("item-state")).to_have_attribute(
        "data-state", "sending"
    )
    expect(status).to_be_hidden()
    assert boxes(page) == before
    expect(page.get_by_test_id("item-1").get_by_test_id("item-state")).to_have_attribute(
        "data-state", "saved"
    )
    assert boxes(page) == before
    page.unroute("**/items/**")
    expect(count).to_have_text("1")

    # Offline: two more answers are kept on the phone and counted; the notice floats.
    page.context.set_offline(True)
    page.get_by_test_id("item-2").get_by_test_id("answer-pass").click()
    page.get_by_test_id("item-3").get_by_test_id("answer-na").click()
    expect(page.get_by_test_id("item-3").get_by_test_id("item-state")).to_have_attribute(
        "data-state", "pending"
    )
    expect(status).to_be_visible()
    expect(count).to_have_text("3")
    assert boxes(page) == before, "the notice moved the buttons"
    assert page.evaluate(NO_OVERFLOW)
    page.screenshot(path=screenshots_dir / "ux-1-offline.png")

    # Back online: sent, the notice goes.
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_test_id("item-3").get_by_test_id("item-state")).to_have_attribute(
        "data-state", "saved"
    )
    expect(status).to_be_hidden()
    expect(count).to_have_text("3")
    assert inspection.results.exclude(result="unchecked").count() == 3

    # The sign step names the two unanswered items before any signature pad.
    page.get_by_test_id("inspect-finish").click()
    expect(page.get_by_test_id("finish-unanswered-item")).to_have_count(2)
    expect(page.get_by_test_id("pad-unit")).to_have_count(0)
    expect(page.get_by_test_id("finish-submit")).to_have_count(0)
    assert page.evaluate(NO_OVERFLOW)
    page.screenshot(path=screenshots_dir / "ux-2-unanswered.png", full_page=True)


def test_the_phone_hazard_list_gives_the_unit_its_width(
    new_context, live_server, world, screenshots_dir
):
    Unit.objects.filter(pk=world.unit_a.pk).update(name="杭州富阳场口精密机械制造有限公司")
    world.unit_a.refresh_from_db()
    for _ in range(2):
        make_hazard(world.inspector_a, world.unit_a)
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "inspector_a")
    page.goto(f"{live_server.url}{reverse('hazards:hazard_list')}")
    unit = page.get_by_test_id("hazard-unit").first
    expect(unit).to_contain_text("杭州富阳场口精密机械制造有限公司")
    width = unit.bounding_box()["width"]
    assert width >= 300, f"the unit column is {width} px wide at 375 px"
    assert page.evaluate(NO_OVERFLOW)
    page.screenshot(path=screenshots_dir / "ux-3-hazard-list.png", full_page=True)


def test_the_english_menu_fits_on_one_line_at_1280(
    new_context, live_server, world, screenshots_dir
):
    page = new_context().new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "town_office_a")
    page.select_option("#language-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    nav = page.locator("nav.navbar")
    tops = page.evaluate(
        "[...document.querySelectorAll('nav.navbar .navbar-brand, nav.navbar .nav-item')]"
        ".map(e => Math.round(e.getBoundingClientRect().top))"
    )
    page.screenshot(path=screenshots_dir / "ux-4-menu-en-1280.png")
    assert len(set(tops)) == 1, f"the menu wraps: item tops {tops}"
    assert nav.bounding_box()["height"] < 70
    assert page.evaluate(
        "[...document.querySelectorAll('nav.navbar *')].every("
        "e => e.getBoundingClientRect().right <= window.innerWidth)"
    )
    assert page.evaluate(NO_OVERFLOW)
