"""Issuing a numbered document shows it first: the page and the API preview the document as it
will print, with "__" for its number, and take no number until the issue is confirmed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.enforcement.models import DocumentCounter, DocumentType, IssuedDocument
from anjian.enforcement.tests.test_documents import certify, finished_inspection
from anjian.hazards.tests.factories import act, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection(world):
    certify(world.inspector_a, world.town_office_a)
    return finished_inspection(world)


def test_the_order_button_shows_a_preview_and_only_the_confirmation_takes_a_number(
    world, client, login, inspection
):
    login("town_office_a")
    detail = client.get(reverse("inspections:inspection_detail", args=[inspection.pk]))
    url = reverse("enforcement:order_issue", args=[inspection.pk])
    assert f'href="{url}"' in detail.content.decode()  # a link to the preview, not a POST

    page = client.get(url)

    assert page.status_code == 200
    html = page.content.decode()
    year = inspection.finished_at.year
    assert f"场口安监责改〔{year}〕__号" in html
    assert "责令限期整改指令书" in html and world.unit_a.name in html
    assert "配电箱完好，线路无裸露" in html and "执法人员（签名）" in html
    assert 'data-testid="watermark"' in html and 'data-testid="preview-confirm"' in html
    assert not IssuedDocument.objects.exists() and not DocumentCounter.objects.exists()

    confirmed = client.post(url)

    assert confirmed.status_code == 302
    order = IssuedDocument.objects.get(doc_type=DocumentType.RECTIFICATION_ORDER)
    assert order.label == f"场口安监责改〔{year}〕1号"
    again = client.get(url).content.decode()  # issued: the preview links to the document
    assert order.label in again and 'data-testid="preview-confirm"' not in again


def test_the_preview_says_why_a_document_cannot_be_issued(world, client, login):
    certify(world.inspector_a)  # the second officer has no certificate
    inspection = finished_inspection(world)
    login("inspector_a")
    html = client.get(reverse("enforcement:order_issue", args=[inspection.pk])).content.decode()
    assert 'data-testid="preview-problems"' in html
    assert "至少" in html or "At least two" in html
    assert 'data-testid="preview-confirm"' not in html


def test_others_may_not_preview(world, client, login, inspection):
    url = reverse("enforcement:order_issue", args=[inspection.pk])
    login("enterprise_a")
    assert client.get(url).status_code in (403, 404)
    login("town_office_b")
    assert client.get(url).status_code in (403, 404)


def test_the_api_previews_before_it_issues(world, client, login, inspection):
    login("inspector_a")
    base = f"/api/v1/documents/inspections/{inspection.pk}"
    preview = client.get(f"{base}/order/preview")
    assert preview.status_code == 200, preview.content
    body = preview.json()
    year = inspection.finished_at.year
    assert body["label"] == f"场口安监责改〔{year}〕__号" and body["can_issue"] is True
    assert body["fields"]["unit"]["name"] == world.unit_a.name
    assert [i["text"] for i in body["fields"]["items"]] == [
        "配电箱完好，线路无裸露",
        "安全出口和疏散通道畅通",
    ]
    assert "a4-page" in body["html"] and any("执法人员（签名）" in t for t in body["text"])
    assert not IssuedDocument.objects.exists()
    record = client.get(f"{base}/site-record/preview").json()
    assert record["label"] == f"场口安监检记〔{year}〕__号"
    order = client.post(f"{base}/order").json()
    assert client.get(f"{base}/order/preview").json()["existing_id"] == order["id"]
    recheck = client.get(f"/api/v1/documents/{order['id']}/recheck-opinion/preview").json()
    assert recheck["can_issue"] is False and recheck["problems"]  # nothing re-checked yet
    done = IssuedDocument.objects.get(pk=order["id"]).hazards.order_by("pk").first()
    act(world.enterprise_a, done, "submit", photos=[photo()], description="已整改")
    act(world.inspector_a, done, "pass")
    recheck = client.get(f"/api/v1/documents/{order['id']}/recheck-opinion/preview").json()
    assert recheck["can_issue"] is True and recheck["label"].endswith("__号")
    assert not IssuedDocument.objects.filter(doc_type=DocumentType.RECHECK_OPINION).exists()
