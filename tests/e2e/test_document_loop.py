"""The whole loop of documents through the pages only (issue 16 §2), in a real Chromium.

An inspector on a 375 px phone starts a planned task, chooses the second officer, fails an item
with a photo, signs and finishes; the office previews and issues the 责令限期整改指令书; the
enterprise rectifies with an after photo; the inspector re-checks and closes; the office
previews and issues the 整改复查意见书. Each Word file is A4 (GB/T 9704 margins) with its number.
Only the set-up (two certificates, the year's plan) is made through the services.
"""

from __future__ import annotations

import io

import docx
import pytest
from django.urls import reverse
from django.utils import timezone
from docx.shared import Mm
from playwright.sync_api import expect

from anjian.enforcement.models import DocumentType, IssuedDocument, OfficerCertificate
from anjian.hazards.models import Hazard
from anjian.inspections.models import Inspection
from anjian.inspections.tests.factories import make_checklist
from anjian.plans import services as plans
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_hazard_loop import Person, jpeg
from tests.e2e.test_inspection_phone import sign

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FAILED_TEXT = "配电箱完好，线路无裸露"
TWIP = 635


def word_of(person: Person, document: IssuedDocument):
    url = f"{person.live_server.url}{reverse('enforcement:document_download', args=[document.pk])}"
    response = person.page.request.get(url)
    assert response.ok, response.status
    word = docx.Document(io.BytesIO(response.body()))
    section = word.sections[0]
    assert abs(section.page_width - Mm(210)) <= TWIP and abs(section.page_height - Mm(297)) <= TWIP
    assert abs(section.top_margin - Mm(37)) <= TWIP and abs(section.left_margin - Mm(28)) <= TWIP
    assert document.label in "\n".join(p.text for p in word.paragraphs)
    return word


def preview_and_confirm(office: Person, button: str, doc_type: str) -> IssuedDocument:
    page = office.page
    page.get_by_test_id(button).click()
    expect(page.get_by_test_id("a4-page")).to_be_visible()
    expect(page.get_by_test_id("watermark")).to_be_visible()
    expect(page.get_by_test_id("a4-page")).to_contain_text("__号")
    assert not IssuedDocument.objects.filter(doc_type=doc_type).exists()
    page.screenshot(path=SCREENSHOTS / f"documents-preview-{doc_type}.png", full_page=True)
    page.get_by_test_id("preview-confirm").click()
    document = IssuedDocument.objects.get(doc_type=doc_type)
    expect(page.get_by_test_id("inspection-documents")).to_contain_text(document.label)
    return document


def test_the_documents_go_round_the_loop_through_the_pages(
    new_context, live_server, world, screenshots_dir
):
    for n, person in enumerate((world.inspector_a, world.town_office_a), 1):
        OfficerCertificate.objects.create(user=person, number=f"33011100{n:02d}")
    checklist = make_checklist("闭环用表")
    year = timezone.localdate().year
    plan = plans.plan_generate(
        actor=world.town_office_a, town_id=world.town_a.pk, year=year, random_share=0, seed=1
    )
    plans.plan_publish(actor=world.town_office_a, plan_id=plan.pk)
    task = plan.tasks.filter(unit=world.unit_a, kind="town_inspection").order_by("month").first()

    # The inspector, on a phone: the planned task, the second officer, a failed item with a photo.
    inspector = Person(new_context, live_server, "inspector_a")
    page = inspector.page
    page.goto(f"{live_server.url}{reverse('plans:task_start', args=[task.pk])}")
    page.locator(f"input[name=checklist][value='{checklist.pk}']").check()
    expect(page.get_by_test_id(f"officer-{world.inspector_a.pk}")).to_be_checked()
    page.get_by_test_id(f"officer-{world.town_office_a.pk}").check()
    inspector.shot(screenshots_dir, "documents-1-task-start")
    page.get_by_test_id("task-start-submit").click()
    expect(page.get_by_test_id("inspect-page")).to_be_visible()
    inspection = Inspection.objects.get()
    assert set(inspection.officers.values_list("pk", flat=True)) == {
        world.inspector_a.pk,
        world.town_office_a.pk,
    }
    items = page.locator("[data-testid^=item-][data-result]")
    count = items.count()
    for number in range(1, count + 1):
        card = page.get_by_test_id(f"item-{number}")
        if card.get_by_test_id("item-text").inner_text() == FAILED_TEXT:
            card.get_by_test_id("answer-fail").click()
            card.get_by_test_id("item-photo").set_input_files([jpeg("door", (160, 60, 50))])
            expect(card.get_by_test_id("result-photo")).to_have_count(1)
        else:
            card.get_by_test_id("answer-pass").click()
        expect(card.get_by_test_id("item-state")).to_have_attribute("data-state", "saved")
    page.get_by_test_id("inspect-finish-bottom").click()
    expect(page.get_by_test_id(f"officer-{world.town_office_a.pk}")).to_be_checked()
    page.locator("#id_unit_signatory").fill("李厂长")
    page.get_by_test_id("pad-unit").scroll_into_view_if_needed()
    sign(page, "pad-unit")
    page.get_by_test_id("pad-inspector").scroll_into_view_if_needed()
    sign(page, "pad-inspector")
    page.locator("#id_confirm").check()
    page.get_by_test_id("finish-submit").click()
    detail = f"{live_server.url}{reverse('inspections:inspection_detail', args=[inspection.pk])}"
    expect(page).to_have_url(detail)
    hazard = Hazard.objects.get()
    assert hazard.status == "rectifying"

    # The office previews the order, then issues it.
    office = Person(new_context, live_server, "town_office_a")
    office.page.goto(detail)
    order = preview_and_confirm(office, "order-issue", DocumentType.RECTIFICATION_ORDER)
    office.shot(screenshots_dir, "documents-2-order-issued")
    word_of(office, order)
    assert set(order.officers.values_list("pk", flat=True)) == {
        world.inspector_a.pk,
        world.town_office_a.pk,
    }

    # The enterprise rectifies with an after photo; the inspector re-checks and closes.
    enterprise = Person(new_context, live_server, "enterprise_a")
    enterprise.open(hazard.pk)
    enterprise.act("submit")
    form = enterprise.page.get_by_test_id("action-form")
    form.locator("#id_after_0").set_input_files([jpeg("after", (60, 140, 80))])
    form.locator("#id_description").fill("已加装箱门并上锁")
    enterprise.send(hazard.pk)
    inspector.open(hazard.pk)
    inspector.act("pass")
    page.get_by_test_id("action-form").locator("#id_note").fill("复查合格")
    inspector.send(hazard.pk)
    hazard.refresh_from_db()
    assert hazard.status == "closed"

    # The office previews the re-check opinion, then issues it.
    office.page.goto(detail)
    opinion = preview_and_confirm(office, "recheck-issue", DocumentType.RECHECK_OPINION)
    word = word_of(office, opinion)
    assert "已整改完毕" in "\n".join(p.text for p in word.paragraphs)
    office.shot(screenshots_dir, "documents-3-opinion-issued")
    assert inspector.errors == [] and office.errors == [] and enterprise.errors == []
