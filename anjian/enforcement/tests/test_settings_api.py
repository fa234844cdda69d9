"""The API twins of the enforcement settings pages."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from anjian.audit.models import AuditEntry
from anjian.enforcement import settings_services as services
from anjian.enforcement.models import DocumentCounter, NumberingRule, OfficerCertificate
from anjian.enforcement.services import document_issue

pytestmark = pytest.mark.django_db
BASE = "/api/v1/enforcement-settings"


def call(client, method: str, path: str, body=None):
    kwargs = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(BASE + path, **kwargs)


def test_settings_get_and_update(world, client, login):
    login("town_office_a")
    got = call(client, "get", "/settings")
    assert got.status_code == 200
    assert got.json()["town_id"] == world.town_a.pk and got.json()["printed"] == ["场口镇人民政府"]
    refused = call(client, "put", "/settings", {"mode": "entrusted"})
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "authority_name"
    done = call(
        client,
        "put",
        "/settings",
        {"mode": "entrusted", "authority_name": "富阳区应急管理局", "penalty_cap": "50000"},
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["printed"] == ["富阳区应急管理局", "场口镇人民政府（受委托）"]
    assert {row["mode"] for row in body["printed_by_mode"]} == {"entrusted", "delegated", "own"}
    assert AuditEntry.objects.filter(action="enforcement_settings.updated").count() == 1
    # another town: 404; another role: 403
    assert call(client, "get", f"/settings?town_id={world.town_b.pk}").status_code == 404
    client.logout()
    login("inspector_a")
    assert call(client, "get", "/settings").status_code == 403
    assert call(client, "put", "/settings", {"court": "法院"}).status_code == 403


def test_certificates_create_list_update_delete(world, client, login):
    other = services.certificate_create(
        actor=world.town_office_b, user_id=world.town_office_b.pk, number="B-1"
    )
    login("town_office_a")
    created = call(
        client,
        "post",
        "/certificates",
        {"user_id": world.inspector_a.pk, "number": "A-1", "valid_until": "2020-01-01"},
    )
    assert created.status_code == 201, created.content
    cert = created.json()
    assert cert["status"] == "expired" and cert["may_sign"] is False
    outsider = call(
        client, "post", "/certificates", {"user_id": world.enterprise_a.pk, "number": "E"}
    )
    assert outsider.status_code == 422
    listed = call(client, "get", "/certificates").json()
    assert [row["id"] for row in listed["items"]] == [cert["id"]]
    assert call(client, "get", "/certificates?status=valid").json()["count"] == 0
    staff = call(client, "get", "/staff").json()["items"]
    names = {row["username"] for row in staff}
    assert "inspector_a" in names and "town_office_b" not in names and "enterprise_a" not in names
    missing = call(client, "get", "/staff?status=missing").json()["items"]
    assert "inspector_a" not in {row["username"] for row in missing}
    updated = call(client, "put", f"/certificates/{cert['id']}", {"valid_until": "2099-01-01"})
    assert updated.status_code == 200 and updated.json()["may_sign"] is True
    assert updated.json()["number"] == "A-1"
    assert call(client, "put", f"/certificates/{other.pk}", {"number": "X"}).status_code == 404
    assert call(client, "delete", f"/certificates/{other.pk}").status_code == 404
    assert call(client, "delete", f"/certificates/{cert['id']}").status_code == 204
    assert list(OfficerCertificate.objects.values_list("number", flat=True)) == ["B-1"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"officer_certificate.created", "officer_certificate.updated"} <= actions
    assert "officer_certificate.deleted" in actions


def test_numbering_rules_list_set_preview_update_reset(world, client, login):
    year = timezone.localdate().year
    document_issue(actor=None, town=world.town_a, doc_type="site_record")
    other = services.numbering_rule_set(
        actor=world.town_office_b, doc_type="site_record", pattern="常安{year}-{number}"
    )
    login("town_office_a")
    rules = call(client, "get", "/numbering-rules").json()["items"]
    site = next(r for r in rules if r["doc_type"] == "site_record")
    assert site["is_default"] and site["id"] is None
    assert site["next_number"] == f"场口安监检记〔{year}〕2号" and site["last_number"] == 1
    preview = call(
        client, "get", "/numbering-rules/preview?doc_type=site_record&pattern={year}-{number}"
    )
    assert preview.status_code == 200 and preview.json()["next_number"] == f"{year}-2"
    assert DocumentCounter.objects.get(town=world.town_a).last_number == 1
    bad = call(client, "get", "/numbering-rules/preview?doc_type=site_record&pattern={town}{kind}")
    assert bad.status_code == 422 and "{kind}" in bad.json()["error"]["message"]
    refused = call(
        client, "put", "/numbering-rules", {"doc_type": "site_record", "pattern": "{kind}{year}"}
    )
    assert refused.status_code == 422
    saved = call(
        client,
        "put",
        "/numbering-rules",
        {"doc_type": "site_record", "pattern": "场口{code}{year}-{number}"},
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["next_number"] == f"场口检记{year}-2"
    rule_id = saved.json()["id"]
    changed = call(client, "put", f"/numbering-rules/{rule_id}", {"pattern": "{year}/{number}"})
    assert changed.status_code == 200 and changed.json()["next_number"] == f"{year}/2"
    assert (
        call(
            client, "put", f"/numbering-rules/{other.pk}", {"pattern": "{year}{number}"}
        ).status_code
        == 404
    )
    assert call(client, "delete", f"/numbering-rules/{other.pk}").status_code == 404
    assert call(client, "delete", f"/numbering-rules/{rule_id}").status_code == 204
    assert list(NumberingRule.objects.values_list("town_id", flat=True)) == [world.town_b.pk]
    client.logout()
    login("leader_a")
    assert call(client, "get", "/numbering-rules").status_code == 403
