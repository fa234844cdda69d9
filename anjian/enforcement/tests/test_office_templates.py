"""An office replaces the built-in layout of a document type with its own Word template
(docxtpl): checked when uploaded, used when the document is issued, audited."""

from __future__ import annotations

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anjian.audit.models import AuditEntry
from anjian.enforcement import documents
from anjian.enforcement.models import OfficeTemplate
from anjian.enforcement.tests.test_documents import certify, finished_inspection, text_of

pytestmark = pytest.mark.django_db


def word_template(*lines: str) -> bytes:
    doc = docx.Document()
    for line in lines:
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


GOOD = word_template(
    "{{ authority[0] }}　本镇格式",
    "{{ title }}　{{ number }}",
    "{{ unit.name }}：",
    "{% for item in items %}{{ item.number }}、{{ item.text }}（{{ item.deadline }}）；{% endfor %}",
    "执法人员：{% for o in officers %}{{ o.name }}（{{ o.certificate }}）{% endfor %}",
    "{{ date }}",
)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_office_template_is_used_for_the_order_with_its_values(world, client, login):
    certify(world.inspector_a, world.town_office_a)
    inspection = finished_inspection(world)
    login("town_office_a")
    url = reverse("enforcement_settings:template_list")
    response = client.post(
        url, {"doc_type": "rectification_order", "file": upload("本镇指令书.docx", GOOD)}
    )
    assert response.status_code == 302
    assert OfficeTemplate.objects.get().name == "本镇指令书.docx"
    assert AuditEntry.objects.filter(action="office_template.uploaded").count() == 1
    assert "本镇指令书.docx" in client.get(url).content.decode()

    order = documents.rectification_order_issue(
        actor=world.inspector_a, inspection_id=inspection.pk
    )

    text = text_of(order)
    assert "本镇格式" in text and order.label in text and world.unit_a.name in text
    assert "1、配电箱完好，线路无裸露" in text and "2、安全出口和疏散通道畅通" in text
    assert world.inspector_a.enforcement_certificate.number in text
    record = documents.site_record_issue(actor=world.inspector_a, inspection_id=inspection.pk)
    assert "本镇格式" not in text_of(record)  # other types keep the built-in layout


@pytest.mark.parametrize(
    "data, words",
    [
        (word_template("{{ number "), ""),
        (word_template("{{ no_such_value }}"), "no_such_value"),
        (b"not a word file", "Word"),
    ],
)
def test_a_template_that_does_not_fill_in_is_refused_with_the_reason(
    world, client, login, data, words
):
    login("town_office_a")
    response = client.post(
        reverse("enforcement_settings:template_list"),
        {"doc_type": "site_record", "file": upload("坏模板.docx", data)},
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert errors and words in errors
    assert not OfficeTemplate.objects.exists()


def test_the_api_lists_uploads_and_removes_templates(world, client, login):
    login("town_office_a")
    base = "/api/v1/enforcement-settings/office-templates"
    listed = client.get(base).json()
    assert "number" in listed["variables"] and all(i["id"] is None for i in listed["items"])
    created = client.post(base, {"doc_type": "recheck_opinion", "file": upload("a.docx", GOOD)})
    assert created.status_code == 201, created.content
    bad = client.post(base, {"doc_type": "site_record", "file": upload("b.docx", b"xx")})
    assert bad.status_code == 422
    login("town_office_b")
    assert client.delete(f"{base}/{created.json()['id']}").status_code == 404
    login("enterprise_a")
    assert client.get(base).status_code == 403
    login("town_office_a")
    assert client.delete(f"{base}/{created.json()['id']}").status_code == 204
    assert not OfficeTemplate.objects.exists()
    assert AuditEntry.objects.filter(action="office_template.deleted").count() == 1
