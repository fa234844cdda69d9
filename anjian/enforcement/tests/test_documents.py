"""The Word documents of an inspection: what they print, who may issue and see them."""

from __future__ import annotations

import datetime
import io

import docx
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from anjian.enforcement import documents
from anjian.enforcement.models import (
    AuthorityMode,
    DocumentCounter,
    DocumentType,
    EnforcementSettings,
    IssuedDocument,
    OfficerCertificate,
)
from anjian.hazards.tests.factories import act, photo
from anjian.inspections import services as inspections
from anjian.inspections.tests.factories import answer_all, finish, make_checklist

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FAILED = ("配电箱完好，线路无裸露", "安全出口和疏散通道畅通")


def text_of(document: IssuedDocument) -> str:
    with document.file.open("rb") as handle:
        word = docx.Document(io.BytesIO(handle.read()))
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def certify(*people):
    for n, person in enumerate(people, 1):
        OfficerCertificate.objects.update_or_create(
            user=person, defaults={"number": f"3301{person.pk:04d}{n}"}
        )


def finished_inspection(world, *, officers=None, failed=FAILED):
    inspection = inspections.inspection_start(
        actor=world.inspector_a,
        unit_id=world.unit_a.pk,
        checklist_id=make_checklist().pk,
        place="一号车间",
        officers=[world.town_office_a.pk] if officers is None else officers,
    )
    answer_all(world.inspector_a, inspection, "pass", **dict.fromkeys(failed, "fail"))
    return finish(world.inspector_a, inspection, working_days=5)


@pytest.fixture
def inspection(world):
    certify(world.inspector_a, world.town_office_a)
    world.unit_a.legal_representative = "王法人"
    world.unit_a.address = "场口镇工业园1号"
    world.unit_a.principal_mobile = "13800000001"
    world.unit_a.save()
    return finished_inspection(world)


def number_of(person) -> str:
    return person.enforcement_certificate.number


@pytest.mark.django_db
def test_the_site_record_prints_unit_items_officers_and_number(world, inspection):
    record = documents.site_record_issue(actor=world.inspector_a, inspection_id=inspection.pk)
    text = text_of(record)
    assert record.label == f"场口安监检记〔{record.year}〕1号"
    assert record.label in text and "现场检查记录" in text
    for expected in (world.unit_a.name, "场口镇工业园1号", "王法人", "13800000001", "一号车间"):
        assert expected in text
    for item in FAILED:
        assert item in text
    assert "安全生产责任制" not in text  # passed items are not findings
    for person in (world.inspector_a, world.town_office_a):
        assert number_of(person) in text
    hazard = inspection.results.exclude(hazard=None).first().hazard
    assert f"{hazard.deadline.year}年{hazard.deadline.month}月{hazard.deadline.day}日" in text
    assert len(record.sha256) == 64
    assert set(record.officers.all()) == {world.inspector_a, world.town_office_a}


@pytest.mark.django_db
def test_issuing_again_returns_the_same_document(world, inspection):
    first = documents.site_record_issue(actor=world.inspector_a, inspection_id=inspection.pk)
    again = documents.site_record_issue(actor=world.town_office_a, inspection_id=inspection.pk)
    assert again.pk == first.pk
    assert IssuedDocument.objects.filter(doc_type=DocumentType.SITE_RECORD).count() == 1


@pytest.mark.django_db
def test_one_order_covers_every_hazard_with_its_deadline(world, inspection):
    order = documents.rectification_order_issue(
        actor=world.inspector_a, inspection_id=inspection.pk
    )
    hazards = list(order.hazards.all())
    assert len(hazards) == 2
    text = text_of(order)
    assert "责令限期整改指令书" in text and order.label in text
    for hazard in hazards:
        assert hazard.description.split("\n")[0] in text
        assert f"{hazard.deadline.year}年{hazard.deadline.month}月{hazard.deadline.day}日" in text
    assert "六十日内" in text and "六个月内" in text
    assert number_of(world.town_office_a) in text


@pytest.mark.django_db
def test_fewer_than_two_certified_officers_is_refused_and_takes_no_number(world):
    certify(world.inspector_a)  # the office clerk has no certificate on file
    inspection = finished_inspection(world)
    with pytest.raises(ValidationError) as exc:
        documents.site_record_issue(actor=world.inspector_a, inspection_id=inspection.pk)
    assert "officers" in exc.value.message_dict
    assert not IssuedDocument.objects.exists()
    assert not DocumentCounter.objects.filter(last_number__gt=0).exists()
    certify(world.town_office_a)
    record = documents.site_record_issue(actor=world.inspector_a, inspection_id=inspection.pk)
    assert record.number == 1


@pytest.mark.django_db
def test_an_expired_certificate_does_not_count(world, inspection):
    cert = world.town_office_a.enforcement_certificate
    cert.valid_until = datetime.date(2000, 1, 1)
    cert.save()
    with pytest.raises(ValidationError):
        documents.rectification_order_issue(actor=world.inspector_a, inspection_id=inspection.pk)


@pytest.mark.django_db
def test_entrusted_enforcement_prints_the_bureau_and_the_town_entrusted(world, inspection):
    EnforcementSettings.objects.create(
        town=world.town_a,
        authority_name="富阳区应急管理局",
        mode=AuthorityMode.ENTRUSTED,
        town_body_name="场口镇人民政府",
        reconsideration_body="富阳区人民政府",
        court="富阳区人民法院",
    )
    order = documents.rectification_order_issue(
        actor=world.inspector_a, inspection_id=inspection.pk
    )
    text = text_of(order)
    assert "富阳区应急管理局" in text
    assert "场口镇人民政府（受委托）" in text
    assert "六十日内向富阳区人民政府申请行政复议" in text
    assert "六个月内依法向富阳区人民法院提起行政诉讼" in text


@pytest.mark.django_db
def test_own_power_prints_the_town_body_only(world, inspection):
    EnforcementSettings.objects.create(
        town=world.town_a,
        authority_name="富阳区应急管理局",
        mode=AuthorityMode.OWN,
        town_body_name="场口镇人民政府",
    )
    text = text_of(
        documents.site_record_issue(actor=world.inspector_a, inspection_id=inspection.pk)
    )
    assert "场口镇人民政府" in text
    assert "富阳区应急管理局" not in text and "受委托" not in text


@pytest.mark.django_db
def test_an_unfinished_inspection_gets_no_document(world):
    certify(world.inspector_a, world.town_office_a)
    inspection = inspections.inspection_start(
        actor=world.inspector_a,
        unit_id=world.unit_a.pk,
        checklist_id=make_checklist().pk,
        officers=[world.town_office_a.pk],
    )
    with pytest.raises(ValidationError):
        documents.site_record_issue(actor=world.inspector_a, inspection_id=inspection.pk)


@pytest.mark.django_db
def test_the_recheck_opinion_lists_each_hazards_outcome(world, inspection):
    order = documents.rectification_order_issue(
        actor=world.inspector_a, inspection_id=inspection.pk
    )
    with pytest.raises(ValidationError):  # nothing re-checked yet
        documents.recheck_opinion_issue(actor=world.inspector_a, order_id=order.pk)
    done, pending = order.hazards.order_by("pk")
    act(world.enterprise_a, done, "submit", photos=[photo()], description="已整改")
    act(world.inspector_a, done, "pass")
    act(world.enterprise_a, pending, "submit", photos=[photo()], description="已整改")
    act(world.inspector_a, pending, "fail", note="通道仍堆放杂物", working_days=3)
    opinion = documents.recheck_opinion_issue(actor=world.inspector_a, order_id=order.pk)
    text = text_of(opinion)
    assert "整改复查意见书" in text and opinion.label in text and order.label in text
    assert "已整改完毕，予以销号" in text
    assert "未整改完毕" in text and "通道仍堆放杂物" in text
    assert documents.recheck_opinion_issue(actor=world.inspector_a, order_id=order.pk) == opinion


# --- Pages and downloads ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_unit_downloads_its_documents_others_get_404(world, client, login, inspection):
    record = documents.site_record_issue(actor=world.inspector_a, inspection_id=inspection.pk)
    url = reverse("enforcement:document_download", args=[record.pk])
    login("enterprise_a")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    word = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    assert any(
        world.unit_a.name in cell.text for t in word.tables for r in t.rows for cell in r.cells
    )
    assert record.label in client.get(reverse("enforcement:document_list")).content.decode()
    for outsider in ("enterprise_a2", "town_office_b"):
        login(outsider)
        assert client.get(url).status_code == 404
        listing = client.get(reverse("enforcement:document_list")).content.decode()
        assert record.label not in listing


@pytest.mark.django_db
def test_the_inspection_page_issues_documents(world, client, login, inspection):
    detail = reverse("inspections:inspection_detail", args=[inspection.pk])
    record_url = reverse("enforcement:site_record_issue", args=[inspection.pk])
    login("inspector_a")
    assert record_url in client.get(detail).content.decode()
    response = client.post(reverse("enforcement:order_issue", args=[inspection.pk]))
    assert response.status_code == 302
    order = IssuedDocument.objects.get(doc_type=DocumentType.RECTIFICATION_ORDER)
    assert order.label in client.get(detail).content.decode()
    login("enterprise_a")  # sees the documents, not the buttons, and may not issue
    page = client.get(detail).content.decode()
    assert order.label in page and record_url not in page
    assert client.post(record_url).status_code in (403, 404)
    assert not IssuedDocument.objects.filter(doc_type=DocumentType.SITE_RECORD).exists()


@pytest.mark.django_db
def test_a_refusal_is_shown_on_the_inspection_page(world, client, login):
    certify(world.inspector_a)
    inspection = finished_inspection(world)
    login("inspector_a")
    response = client.post(
        reverse("enforcement:site_record_issue", args=[inspection.pk]), follow=True
    )
    assert response.status_code == 200
    assert not IssuedDocument.objects.exists()
    assert list(response.context["messages"])


@pytest.mark.django_db
def test_the_list_exports_to_excel(world, client, login, inspection):
    documents.site_record_issue(actor=world.inspector_a, inspection_id=inspection.pk)
    login("town_office_a")
    response = client.get(reverse("enforcement:document_list") + "?export=xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]


# --- API -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_issues_lists_and_downloads(world, client, login, inspection):
    login("inspector_a")
    response = client.post(f"/api/v1/documents/inspections/{inspection.pk}/site-record")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["label"].startswith("场口安监检记")
    order = client.post(f"/api/v1/documents/inspections/{inspection.pk}/order")
    assert order.status_code == 201 and len(order.json()["hazard_ids"]) == 2
    recheck = client.post(f"/api/v1/documents/{order.json()['id']}/recheck-opinion")
    assert recheck.status_code == 422  # nothing re-checked yet
    assert recheck.json()["error"]["details"][0]["field"] == "order"
    login("enterprise_a")
    assert client.get("/api/v1/documents/").json()["count"] == 2
    file = client.get(f"/api/v1/documents/{data['id']}/file")
    assert file.status_code == 200 and file["Content-Type"] == DOCX
    login("enterprise_a2")
    assert client.get("/api/v1/documents/").json()["count"] == 0
    assert client.get(f"/api/v1/documents/{data['id']}").status_code == 404
    assert client.get(f"/api/v1/documents/{data['id']}/file").status_code == 404
