"""Inspecting on a phone, in a real Chromium at 375 px.

The inspector opens unit_a's page, starts an inspection with a checklist made for the test,
answers some items, fails one with a note and a photo, reloads the page mid-way and finds the
answers still there, answers the rest, signs both pads, finishes, and finds the new hazard in the
hazard loop. Screenshots go to ``test-artifacts/screenshots/inspection-*.png``. The pages may show
English until the catalogs are compiled, so the test reads data-testid markers and the database.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from anjian.core.testing.world import PASSWORD
from anjian.hazards.models import Hazard
from anjian.inspections.models import Inspection, InspectionResult
from anjian.inspections.tests.factories import make_checklist

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
FAILED_TEXT = "配电箱完好，线路无裸露"


def jpeg(label: str) -> dict:
    img = Image.new("RGB", (320, 240), (170, 60, 40))
    ImageDraw.Draw(img).text((16, 16), label, fill="white")
    out = io.BytesIO()
    img.save(out, format="JPEG")
    return {"name": f"{label}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    form = page.get_by_test_id("login-form")
    form.locator("input[autocomplete=username]").fill(username)
    form.locator("input[type=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('core:home')}")


def sign(page: Page, testid: str) -> None:
    box = page.get_by_test_id(testid).bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 22, y + (18 if step % 2 else -18), steps=2)
    page.mouse.up()
    expect(page.get_by_test_id(testid)).to_have_attribute("data-signed", "true")


def test_an_inspection_on_a_phone_becomes_hazards(new_context, live_server, world, screenshots_dir):
    checklist = make_checklist("手机检查用表")
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def shot(name: str) -> None:
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > window.innerWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className)"
        )
        assert page.evaluate(NO_OVERFLOW), f"{name}: the page scrolls sideways at 375 px: {wide}"
        page.screenshot(path=screenshots_dir / f"inspection-{name}.png", full_page=True)

    log_in(page, live_server, "inspector_a")

    # From the unit page's "inspections" tab to the start form.
    page.goto(f"{live_server.url}{reverse('units:unit_detail', args=[world.unit_a.pk])}")
    page.locator("#tab-inspections").click()
    page.get_by_test_id("unit-inspection-start").click()
    page.get_by_test_id(f"checklist-{checklist.pk}").check()
    shot("1-start")
    page.get_by_test_id("inspection-start-submit").click()
    expect(page.get_by_test_id("inspect-page")).to_be_visible()
    inspection = Inspection.objects.get()
    assert inspection.checklist == checklist and inspection.unit == world.unit_a

    def card(number: int):
        return page.get_by_test_id(f"item-{number}")

    def saved(number: int):
        expect(card(number).get_by_test_id("item-state")).to_have_attribute("data-state", "saved")

    # Items 1 and 2 pass; item 3 fails with a note and a photo.
    card(1).get_by_test_id("answer-pass").click()
    saved(1)
    card(2).get_by_test_id("answer-na").click()
    saved(2)
    assert card(3).get_by_test_id("item-text").inner_text() == FAILED_TEXT
    card(3).get_by_test_id("answer-fail").click()
    saved(3)
    card(3).get_by_test_id("item-note").fill("二号车间配电箱门缺失，端子裸露")
    card(3).get_by_test_id("item-note").blur()
    card(3).get_by_test_id("item-photo").set_input_files([jpeg("door")])
    expect(card(3).get_by_test_id("result-photo")).to_have_count(1)
    saved(3)
    expect(page.get_by_test_id("answered-count")).to_have_text("3")
    shot("2-answering")

    # A reload mid-way: the answers are the server's and are still there.
    page.reload()
    expect(card(1)).to_have_attribute("data-result", "pass")
    expect(card(2)).to_have_attribute("data-result", "na")
    expect(card(3)).to_have_attribute("data-result", "fail")
    expect(card(3).get_by_test_id("item-note")).to_have_value("二号车间配电箱门缺失，端子裸露")
    expect(card(3).get_by_test_id("result-photo")).to_have_count(1)
    expect(card(3).get_by_test_id("answer-fail")).to_have_attribute("aria-pressed", "true")

    # Offline for one answer: kept on the phone, sent when the connection returns.
    page.context.set_offline(True)
    card(4).get_by_test_id("answer-pass").click()
    expect(card(4).get_by_test_id("item-state")).to_have_attribute("data-state", "pending")
    assert page.evaluate(f"localStorage.getItem('anjian-inspection-{inspection.pk}')")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    saved(4)
    card(5).get_by_test_id("answer-pass").click()
    saved(5)
    expect(page.get_by_test_id("answered-count")).to_have_text("5")
    assert page.evaluate(f"localStorage.getItem('anjian-inspection-{inspection.pk}')") is None
    assert set(
        InspectionResult.objects.filter(inspection=inspection).values_list("result", flat=True)
    ) == {"pass", "na", "fail"}

    # Finish: attendees, both signatures, confirmation.
    page.get_by_test_id("inspect-finish-bottom").click()
    expect(page.get_by_test_id("finish-hazard")).to_have_count(1)
    page.locator("#id_attendees").fill("李厂长、王安全员")
    page.locator("#id_unit_signatory").fill("李厂长")
    page.get_by_test_id("pad-unit").scroll_into_view_if_needed()
    sign(page, "pad-unit")
    page.get_by_test_id("pad-inspector").scroll_into_view_if_needed()
    sign(page, "pad-inspector")
    page.locator("#id_confirm").check()
    shot("3-finish")
    page.get_by_test_id("finish-submit").click()
    detail = reverse("inspections:inspection_detail", args=[inspection.pk])
    expect(page).to_have_url(f"{live_server.url}{detail}")
    inspection.refresh_from_db()
    assert inspection.status == "finished" and inspection.unit_signatory == "李厂长"
    assert inspection.unit_signature.startswith("data:image/png;base64,")
    expect(page.get_by_test_id("signature-unit")).to_be_visible()
    shot("4-record")

    # The new hazard, in the hazard loop.
    hazard = Hazard.objects.get()
    assert hazard.unit == world.unit_a and hazard.description.startswith(FAILED_TEXT)
    assert hazard.photos.filter(kind="before").count() == 1
    assert hazard.inspection_result.inspection == inspection
    page.get_by_test_id("record-hazard").click()
    expect(page).to_have_url(
        f"{live_server.url}{reverse('hazards:hazard_detail', args=[hazard.pk])}"
    )
    expect(page.get_by_test_id("hazard-facts")).to_contain_text("二号车间配电箱门缺失")
    page.goto(f"{live_server.url}{reverse('hazards:hazard_list')}")
    expect(page.get_by_test_id("hazard-code")).to_have_text(hazard.code)
    shot("5-hazard-list")
    # The one answer sent while offline logs its failed request; nothing else may fail.
    assert [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e] == []
