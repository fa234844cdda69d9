"""The hazard closed loop (隐患闭环) on a phone, in a real Chromium.

The inspector records a hazard at a unit with a photo and a deadline; the enterprise submits its
rectification with an after-photo paired with the photo as found; the inspector's re-check fails
it with a reason and a new deadline; the enterprise submits again; the inspector passes it and the
page shows it struck off (已销号). Each person uses their own browser, at 375 px. Screenshots of
the key steps are saved to ``test-artifacts/screenshots/hazard-loop-*.png``.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from anjian.core.testing.world import PASSWORD
from anjian.hazards.models import Hazard

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def jpeg(label: str, colour: tuple[int, int, int]) -> dict:
    """A small JPEG as Playwright uploads it: a coloured card with a label."""
    img = Image.new("RGB", (320, 240), colour)
    ImageDraw.Draw(img).text((16, 16), label, fill="white")
    out = io.BytesIO()
    img.save(out, format="JPEG")
    return {"name": f"{label}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


class Person:
    """One person's own phone browser: logged in through the real log-in form."""

    def __init__(self, new_context, live_server, username: str):
        self.page: Page = new_context().new_page()
        self.page.set_viewport_size(PHONE)
        self.live_server = live_server
        self.errors: list[str] = []
        self.page.on(
            "console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None
        )
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", lambda dialog: dialog.accept())  # "are you sure?" on a failure
        self.page.goto(f"{live_server.url}{reverse('accounts:login')}")
        form = self.page.get_by_test_id("login-form")
        form.locator("input[autocomplete=username]").fill(username)
        form.locator("input[type=password]").fill(PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        expect(self.page).to_have_url(f"{live_server.url}{reverse('core:home')}")

    def open(self, hazard_id: int) -> None:
        self.page.goto(
            f"{self.live_server.url}{reverse('hazards:hazard_detail', args=[hazard_id])}"
        )

    def act(self, action: str) -> None:
        """Tap an action button of the hazard page; its form opens."""
        self.page.get_by_test_id(f"action-{action}").click()
        expect(self.page.get_by_test_id("action-form")).to_have_attribute("data-action", action)

    def send(self, hazard_id: int) -> None:
        self.page.get_by_test_id("action-submit").click()
        detail = reverse("hazards:hazard_detail", args=[hazard_id])
        expect(self.page).to_have_url(f"{self.live_server.url}{detail}")

    def shot(self, screenshots_dir, name: str) -> None:
        assert self.page.evaluate(NO_OVERFLOW), f"{name}: the page scrolls sideways at 375 px"
        self.page.screenshot(path=screenshots_dir / f"hazard-loop-{name}.png", full_page=True)


def test_a_hazard_goes_round_the_loop_on_a_phone(new_context, live_server, world, screenshots_dir):
    today = timezone.localdate()
    first_deadline = today + datetime.timedelta(days=7)
    second_deadline = today + datetime.timedelta(days=10)

    # The inspector records the hazard at the unit, with a photo and a deadline.
    inspector = Person(new_context, live_server, "inspector_a")
    page = inspector.page
    page.goto(f"{live_server.url}{reverse('hazards:hazard_create')}?unit={world.unit_a.pk}")
    form = page.get_by_test_id("hazard-form")
    expect(form.locator("#id_unit")).to_have_value(str(world.unit_a.pk))
    form.locator("#id_location").fill("二号车间配电箱")
    form.locator("#id_description").fill("配电箱箱门缺失，接线端子裸露，箱前堆放纸箱")
    form.locator("#id_photos").set_input_files([jpeg("before", (160, 60, 50))])
    form.locator("#id_hazard_type").select_option("unsafe_condition")
    form.locator("#id_category").select_option("electrical")
    form.locator("#id_requirement").fill("恢复箱门并上锁，清理箱前杂物")
    form.locator("#id_responsible_person").fill("王安全")
    form.locator("#id_deadline").fill(first_deadline.isoformat())
    inspector.shot(screenshots_dir, "1-record-form")
    page.get_by_test_id("hazard-save").click()
    expect(page).to_have_url(f"{live_server.url}/hazards/{Hazard.objects.get().pk}/")
    hazard = Hazard.objects.get()
    assert hazard.unit == world.unit_a
    assert hazard.status == "rectifying" and hazard.deadline == first_deadline
    expect(page.get_by_test_id("hazard-deadline")).to_contain_text(first_deadline.isoformat())
    expect(page.get_by_test_id("photo-pair")).to_have_count(1)
    inspector.shot(screenshots_dir, "2-recorded")

    # The enterprise opens it and submits its rectification, the after-photo paired.
    enterprise = Person(new_context, live_server, "enterprise_a")
    enterprise.open(hazard.pk)
    expect(enterprise.page.get_by_test_id("hazard-facts")).to_contain_text("配电箱箱门缺失")
    enterprise.act("submit")
    before = hazard.photos.get(kind="before")
    form = enterprise.page.get_by_test_id("action-form")
    expect(form.locator("#id_pair_0")).to_have_value(str(before.pk))
    form.locator("#id_after_0").set_input_files([jpeg("after", (60, 140, 80))])
    form.locator("#id_description").fill("已加装箱门并上锁，箱前纸箱已清理")
    form.locator("#id_cost").fill("350")
    enterprise.shot(screenshots_dir, "3-submit-form")
    enterprise.send(hazard.pk)
    hazard.refresh_from_db()
    assert hazard.status == "submitted"
    after = hazard.photos.get(kind="after")
    assert after.pairs_with == before
    pair = enterprise.page.get_by_test_id("photo-pair")
    expect(pair.locator("img")).to_have_count(2)
    expect(enterprise.page.get_by_test_id("report-1")).to_contain_text("已加装箱门并上锁")
    enterprise.shot(screenshots_dir, "4-submitted")

    # The inspector re-checks: not good enough, with a reason and a new deadline.
    inspector.open(hazard.pk)
    inspector.act("fail")
    form = page.get_by_test_id("action-form")
    form.locator("#id_deadline").fill(second_deadline.isoformat())
    form.locator("#id_note").fill("箱门未装锁，仍可随意打开")
    inspector.send(hazard.pk)
    hazard.refresh_from_db()
    assert hazard.status == "rectifying"
    assert (hazard.deadline, hazard.original_deadline) == (second_deadline, first_deadline)
    expect(page.get_by_test_id("hazard-deadline")).to_contain_text(second_deadline.isoformat())
    expect(page.get_by_test_id("original-deadline")).to_contain_text(first_deadline.isoformat())
    expect(page.get_by_test_id("report-1")).to_contain_text("箱门未装锁")
    inspector.shot(screenshots_dir, "5-failed")

    # The enterprise submits again.
    enterprise.open(hazard.pk)
    enterprise.act("submit")
    form = enterprise.page.get_by_test_id("action-form")
    form.locator("#id_after_0").set_input_files([jpeg("after-2", (40, 120, 160))])
    form.locator("#id_description").fill("已加装挂锁，钥匙由电工保管")
    enterprise.send(hazard.pk)
    expect(enterprise.page.get_by_test_id("report-2")).to_contain_text("已加装挂锁")

    # The inspector passes it: struck off.
    inspector.open(hazard.pk)
    inspector.act("pass")
    page.get_by_test_id("action-form").locator("#id_note").fill("复查合格")
    inspector.send(hazard.pk)
    hazard.refresh_from_db()
    assert hazard.status == "closed" and hazard.closed_by == world.inspector_a
    expect(page.get_by_test_id("badge-status")).to_have_text("已销号")
    expect(page.get_by_test_id("hazard-actions").locator("[data-testid^=action-]")).to_have_count(0)
    events = page.get_by_test_id("event")
    expect(events).to_have_count(6)
    inspector.shot(screenshots_dir, "6-closed")

    assert inspector.errors == [] and enterprise.errors == []
