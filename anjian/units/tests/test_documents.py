"""The unit's file (一企一档): documents, their scans, their status, and who may touch them."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse

from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditEntry
from anjian.demo.document_demo import demo_pdf
from anjian.units.documents import (
    DocumentStatus,
    document_create,
    document_delete,
    document_status,
    document_update,
    unit_file_for,
)
from anjian.units.models import DocumentType, UnitDocument

pytestmark = pytest.mark.django_db

PDF = demo_pdf("a scanned licence")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(content: bytes = PDF, name: str = "licence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_document(world, *, unit=None, actor=None, **fields) -> UnitDocument:
    unit = unit or world.unit_a
    fields.setdefault("doc_type", DocumentType.SAFETY_EVALUATION)
    return document_create(
        actor=actor or world.town_office_a, unit_id=unit.pk, file=upload(), **fields
    )


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, name='test').raw}"}


# --- Files: content, size, hash -------------------------------------------------------------------


def test_a_text_file_named_pdf_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        document_create(
            actor=world.enterprise_a,
            unit_id=world.unit_a.pk,
            doc_type=DocumentType.INSURANCE,
            file=upload(b"just some text, not a PDF", "policy.pdf"),
        )
    assert "PDF" in exc.value.message_dict["file"][0]
    assert not UnitDocument.objects.exists()


def test_pdf_jpeg_and_png_are_recognised_by_content_not_name(world):
    for content, name in ((PDF, "scan.txt"), (JPEG, "scan.pdf"), (PNG, "scan")):
        doc = document_create(
            actor=world.enterprise_a,
            unit_id=world.unit_a.pk,
            doc_type=DocumentType.OTHER,
            file=upload(content, name),
        )
        assert doc.file.name.startswith(f"units/{world.unit_a.pk}/documents/")
    extensions = sorted(d.file.name.rsplit(".", 1)[1] for d in UnitDocument.objects.all())
    assert extensions == ["jpg", "pdf", "png"]


def test_a_file_over_20_mb_is_refused(world):
    big = upload(b"%PDF-" + b"0" * (20 * 1024 * 1024), "big.pdf")
    with pytest.raises(ValidationError) as exc:
        document_create(
            actor=world.enterprise_a,
            unit_id=world.unit_a.pk,
            doc_type=DocumentType.OTHER,
            file=big,
        )
    assert "20 MB" in exc.value.message_dict["file"][0]


def test_the_sha256_of_the_scan_is_stored(world):
    doc = make_document(world)
    assert doc.sha256 == hashlib.sha256(PDF).hexdigest()
    with doc.file.open("rb") as handle:
        assert handle.read() == PDF


def test_create_is_audited(world):
    doc = make_document(world, actor=world.enterprise_a, number="AP-1")
    entry = AuditEntry.objects.get(action="unit_document.created", target_id=str(doc.pk))
    assert entry.actor == world.enterprise_a
    assert entry.region_id == world.unit_a.region_id


def test_replacing_the_file_changes_the_hash_and_is_audited(world):
    doc = make_document(world)
    document_update(
        actor=world.expert_a, document_id=doc.pk, changes={}, file=upload(PNG, "new.png")
    )
    doc.refresh_from_db()
    assert doc.sha256 == hashlib.sha256(PNG).hexdigest()
    assert doc.file.name.endswith(".png")
    assert AuditEntry.objects.filter(
        action="unit_document.file_replaced", target_id=str(doc.pk)
    ).exists()


def test_valid_to_before_valid_from_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        make_document(
            world, valid_from=datetime.date(2026, 5, 1), valid_to=datetime.date(2026, 4, 1)
        )
    assert "valid_to" in exc.value.message_dict


def test_the_holder_must_belong_to_the_unit(world):
    from anjian.units.documents import person_create

    other = person_create(
        actor=world.town_office_b,
        unit_id=world.unit_b.pk,
        role="certified_worker",
        name="赵六",
        certificate_type="焊接与热切割作业",
        certificate_no="T1",
    )
    with pytest.raises(ValidationError) as exc:
        make_document(world, doc_type=DocumentType.SPECIAL_OPERATION, person_id=other.pk)
    assert "person" in exc.value.message_dict


def test_delete_needs_a_reason_and_is_audited_with_it(world):
    doc = make_document(world)
    with pytest.raises(ValidationError):
        document_delete(actor=world.enterprise_a, document_id=doc.pk, reason=" ")
    document_delete(actor=world.enterprise_a, document_id=doc.pk, reason="证照已注销")
    assert not UnitDocument.objects.filter(pk=doc.pk).exists()
    entry = AuditEntry.objects.get(action="unit_document.deleted", target_id=str(doc.pk))
    assert entry.reason == "证照已注销"


# --- Status: derived from valid_to ------------------------------------------------------------


def test_status_is_derived_from_valid_to():
    today = datetime.date(2026, 3, 1)
    assert document_status(None, today) == DocumentStatus.NO_EXPIRY
    assert document_status(datetime.date(2026, 2, 28), today) == DocumentStatus.EXPIRED
    assert document_status(today, today) == DocumentStatus.EXPIRING
    assert document_status(datetime.date(2026, 4, 30), today) == DocumentStatus.EXPIRING
    assert document_status(datetime.date(2026, 5, 1), today) == DocumentStatus.VALID


def test_the_list_filters_by_status(world, client, login):
    today = datetime.date.today()
    make_document(world, title="已过期评价", valid_to=today - datetime.timedelta(days=3))
    make_document(world, title="将到期保险", valid_to=today + datetime.timedelta(days=20))
    make_document(world, title="长期有效", valid_to=today + datetime.timedelta(days=400))
    make_document(world, title="营业执照", doc_type=DocumentType.BUSINESS_LICENCE)
    login("town_office_a")
    url = reverse("units:document_list")
    for status, title in (
        ("expired", "已过期评价"),
        ("expiring", "将到期保险"),
        ("valid", "长期有效"),
        ("no_expiry", "营业执照"),
    ):
        response = client.get(url, {"status": status})
        assert response.status_code == 200
        titles = [d.title for d in response.context["documents"]]
        assert titles == [title], status


def test_the_list_exports_to_excel(world, client, login):
    make_document(world, title="评价报告")
    login("town_office_a")
    response = client.get(reverse("units:document_list"), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )


# --- The unit page partials ------------------------------------------------------------------


def test_unit_file_for_takes_a_fixed_number_of_queries(world, django_assert_num_queries):
    user = world.enterprise_a
    from anjian.accounts.scope import get_user_scope

    get_user_scope(user)  # the scope is computed once per request, before the tabs
    make_document(world)
    with django_assert_num_queries(3):
        small = unit_file_for(user, world.unit_a)
    for n in range(10):
        make_document(world, number=f"N{n}", valid_to=datetime.date(2020, 1, 1))
    with django_assert_num_queries(3):
        big = unit_file_for(user, world.unit_a)
    assert len(small["documents"]) == 1
    assert len(big["documents"]) == 11
    assert big["document_counts"]["expired"] == 10
    assert big["can_manage_file"] is True


def test_the_tabs_show_badges_and_hide_buttons_in_print(world, rf):
    today = datetime.date.today()
    make_document(world, title="将到期", valid_to=today + datetime.timedelta(days=10))
    context = {"unit": world.unit_a, **unit_file_for(world.enterprise_a, world.unit_a)}
    html = render_to_string("units/_documents_tab.html", context)
    assert 'data-testid="status-expiring"' in html
    assert "d-print-none" in html
    assert reverse("units:document_create", args=[world.unit_a.pk]) in html
    html = render_to_string("units/_people_tab.html", context)
    assert 'data-testid="person-add"' in html


def test_read_only_roles_see_the_tab_without_buttons(world):
    make_document(world)
    context = {"unit": world.unit_a, **unit_file_for(world.leader_a, world.unit_a)}
    assert context["can_manage_file"] is False
    html = render_to_string("units/_documents_tab.html", context)
    assert 'data-testid="document-row"' in html
    assert 'data-testid="document-add"' not in html


# --- Who may do what: pages ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["town_office_a", "inspector_a", "expert_a", "enterprise_a"])
def test_upload_by_page_for_each_role_that_keeps_the_file(world, client, login, persona):
    login(persona)
    response = client.post(
        reverse("units:document_create", args=[world.unit_a.pk]),
        {"doc_type": "insurance", "number": "PICC-1", "valid_to": "2027-01-31", "file": upload()},
    )
    assert response.status_code == 302, response.content
    doc = UnitDocument.objects.get(number="PICC-1")
    assert doc.uploaded_by == world.users[persona]
    assert doc.sha256 == hashlib.sha256(PDF).hexdigest()


def test_upload_of_a_fake_pdf_by_page_shows_the_error(world, client, login):
    login("enterprise_a")
    response = client.post(
        reverse("units:document_create", args=[world.unit_a.pk]),
        {"doc_type": "insurance", "file": upload(b"hello", "fake.pdf")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not UnitDocument.objects.exists()


def test_enterprise_a_cannot_reach_unit_b_documents_by_page(world, client, login):
    doc_b = make_document(world, unit=world.unit_b, actor=world.town_office_b)
    login("enterprise_a")
    assert client.get(reverse("units:document_detail", args=[doc_b.pk])).status_code == 404
    assert client.get(reverse("units:document_file", args=[doc_b.pk])).status_code == 404
    assert client.get(reverse("units:document_edit", args=[doc_b.pk])).status_code == 404
    response = client.post(reverse("units:document_delete", args=[doc_b.pk]), {"reason": "越权"})
    assert response.status_code == 404
    response = client.post(
        reverse("units:document_create", args=[world.unit_b.pk]),
        {"doc_type": "insurance", "file": upload()},
    )
    assert response.status_code == 404
    listed = client.get(reverse("units:document_list"), {"unit": world.unit_b.pk})
    assert list(listed.context["documents"]) == []
    assert UnitDocument.objects.filter(unit=world.unit_b).count() == 1


def test_enterprise_a2_cannot_download_unit_a_scans(world, client, login):
    doc = make_document(world)
    login("enterprise_a2")
    assert client.get(reverse("units:document_file", args=[doc.pk])).status_code == 404


def test_the_scan_is_not_served_under_media(world, client, login):
    doc = make_document(world)
    login("town_office_a")
    assert client.get(f"/media/{doc.file.name}").status_code == 404
    response = client.get(reverse("units:document_file", args=[doc.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert AuditEntry.objects.filter(
        action="unit_document.downloaded", target_id=str(doc.pk)
    ).exists()


def test_roles_without_the_file_action_get_403_for_upload(world, client, login):
    login("leader_a")
    response = client.get(reverse("units:document_create", args=[world.unit_a.pk]))
    assert response.status_code == 403


def test_the_leader_may_read_documents_of_the_town(world, client, login):
    doc = make_document(world)
    login("leader_a")
    assert client.get(reverse("units:document_detail", args=[doc.pk])).status_code == 200
    assert client.get(reverse("units:document_file", args=[doc.pk])).status_code == 200


def test_edit_and_delete_by_page(world, client, login):
    doc = make_document(world, title="旧标题")
    login("inspector_a")
    response = client.post(
        reverse("units:document_edit", args=[doc.pk]),
        {"doc_type": doc.doc_type, "title": "新标题", "valid_to": "2030-01-01"},
    )
    assert response.status_code == 302
    doc.refresh_from_db()
    assert (doc.title, doc.valid_to) == ("新标题", datetime.date(2030, 1, 1))
    confirm = client.get(reverse("units:document_delete", args=[doc.pk]))
    assert confirm.status_code == 200
    response = client.post(reverse("units:document_delete", args=[doc.pk]), {"reason": ""})
    assert response.status_code == 200
    assert UnitDocument.objects.filter(pk=doc.pk).exists()
    response = client.post(reverse("units:document_delete", args=[doc.pk]), {"reason": "重复上传"})
    assert response.status_code == 302
    assert not UnitDocument.objects.filter(pk=doc.pk).exists()


def test_services_refuse_out_of_scope_actors(world):
    doc_b = make_document(world, unit=world.unit_b, actor=world.town_office_b)
    with pytest.raises(Http404):
        make_document(world, unit=world.unit_b, actor=world.enterprise_a)
    with pytest.raises(Http404):
        document_update(actor=world.expert_a, document_id=doc_b.pk, changes={"title": "x"})
    with pytest.raises(Http404):
        document_delete(actor=world.town_office_a, document_id=doc_b.pk, reason="x")


# --- API ---------------------------------------------------------------------------------------


def test_api_upload_list_get_patch_replace_download_delete(world, client):
    headers = bearer(world.enterprise_a)
    base = f"/api/v1/units/{world.unit_a.pk}/documents"
    response = client.post(
        base,
        {
            "doc_type": "safety_evaluation",
            "number": "AP-9",
            "valid_to": "2026-12-31",
            "file": upload(),
        },
        **headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    doc_id = body["id"]
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["allowed_actions"] == ["change", "delete"]
    assert body["file_url"] == f"/api/v1/units/documents/{doc_id}/file"

    listed = client.get(base, **headers).json()
    assert [d["id"] for d in listed] == [doc_id]
    assert client.get(f"/api/v1/units/documents/{doc_id}", **headers).json()["number"] == "AP-9"

    patched = client.patch(
        f"/api/v1/units/documents/{doc_id}",
        {"valid_to": None, "title": "评价报告"},
        content_type="application/json",
        **headers,
    ).json()
    assert (patched["valid_to"], patched["status"], patched["title"]) == (
        None,
        "no_expiry",
        "评价报告",
    )

    replaced = client.post(
        f"/api/v1/units/documents/{doc_id}/file", {"file": upload(PNG, "p.png")}, **headers
    ).json()
    assert replaced["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert replaced["content_type"] == "image/png"

    download = client.get(f"/api/v1/units/documents/{doc_id}/file", **headers)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG

    refused = client.post(
        f"/api/v1/units/documents/{doc_id}/delete",
        {"reason": ""},
        content_type="application/json",
        **headers,
    )
    assert refused.status_code == 422
    deleted = client.post(
        f"/api/v1/units/documents/{doc_id}/delete",
        {"reason": "已换证"},
        content_type="application/json",
        **headers,
    )
    assert deleted.status_code == 204
    assert not UnitDocument.objects.filter(pk=doc_id).exists()


def test_api_upload_of_a_fake_pdf_is_422_in_chinese(world, client):
    response = client.post(
        f"/api/v1/units/{world.unit_a.pk}/documents",
        {"doc_type": "insurance", "file": upload(b"plain text", "x.pdf")},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **bearer(world.enterprise_a),
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "file"


def test_api_search_by_status_across_units(world, client):
    today = datetime.date.today()
    make_document(world, valid_to=today + datetime.timedelta(days=5))
    make_document(world, unit=world.unit_a2, valid_to=today + datetime.timedelta(days=500))
    make_document(world, unit=world.unit_b, actor=world.town_office_b, valid_to=today)
    body = client.get(
        "/api/v1/units/documents", {"status": "expiring"}, **bearer(world.town_office_a)
    ).json()
    assert body["count"] == 1
    assert body["items"][0]["unit_id"] == world.unit_a.pk


def test_enterprise_a_cannot_reach_unit_b_documents_by_api(world, client):
    doc_b = make_document(world, unit=world.unit_b, actor=world.town_office_b)
    headers = bearer(world.enterprise_a)
    assert client.get(f"/api/v1/units/{world.unit_b.pk}/documents", **headers).status_code == 404
    assert client.get(f"/api/v1/units/documents/{doc_b.pk}", **headers).status_code == 404
    assert client.get(f"/api/v1/units/documents/{doc_b.pk}/file", **headers).status_code == 404
    response = client.post(
        f"/api/v1/units/{world.unit_b.pk}/documents",
        {"doc_type": "insurance", "file": upload()},
        **headers,
    )
    assert response.status_code == 404
    response = client.patch(
        f"/api/v1/units/documents/{doc_b.pk}",
        {"title": "x"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
    response = client.post(
        f"/api/v1/units/documents/{doc_b.pk}/delete",
        {"reason": "x"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
    search = client.get("/api/v1/units/documents", **headers).json()
    assert search["count"] == 0
    assert UnitDocument.objects.filter(unit=world.unit_b).count() == 1


def test_api_read_only_role_gets_403_on_upload(world, client):
    response = client.post(
        f"/api/v1/units/{world.unit_a.pk}/documents",
        {"doc_type": "insurance", "file": upload()},
        **bearer(world.leader_a),
    )
    assert response.status_code == 403


def test_the_unit_page_includes_the_documents_tab(world, client, login):
    make_document(world, title="安全评价报告")
    login("enterprise_a")
    response = client.get(reverse("units:unit_detail", args=[world.unit_a.pk]))
    assert response.status_code == 200
    assert 'data-testid="unit-documents"' in response.content.decode()
