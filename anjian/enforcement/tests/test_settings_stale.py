"""Two people editing the same settings: the second save, based on what the first changed, is
refused (409 / a message on the page) and nothing of it is written."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from anjian.enforcement import settings_services as services
from anjian.enforcement.models import EnforcementSettings, NumberingRule, OfficerCertificate

pytestmark = pytest.mark.django_db
BASE = "/api/v1/enforcement-settings"


def put(client, path: str, body: dict):
    return client.put(BASE + path, data=json.dumps(body), content_type="application/json")


def test_a_settings_save_over_someone_elses_change_is_refused(world, client, login):
    login("town_office_a")
    first = client.get(BASE + "/settings").json()
    second = client.get(BASE + "/settings").json()
    assert first["tag"] == second["tag"]
    done = put(
        client,
        "/settings",
        {"mode": "own", "court": "富阳区人民法院", "expected_tag": first["tag"]},
    )
    assert done.status_code == 200 and done.json()["tag"] != first["tag"]
    stale = put(
        client,
        "/settings",
        {"mode": "own", "court": "杭州市中级人民法院", "expected_tag": second["tag"]},
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_object"
    assert EnforcementSettings.objects.get(town=world.town_a).court == "富阳区人民法院"


def test_the_settings_page_tells_the_second_editor_and_keeps_the_first_change(world, client, login):
    login("town_office_a")
    url = reverse("enforcement_settings:settings")
    page = client.get(url)
    based_on = page.context["form"].initial["based_on"]
    services.enforcement_settings_update(
        actor=world.town_office_a, town_id=world.town_a.pk, mode="own", court="富阳区人民法院"
    )
    response = client.post(
        url, {"mode": "delegated", "court": "别的法院", "based_on": based_on}, follow=True
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "form-errors" in response.content.decode()
    settings = EnforcementSettings.objects.get(town=world.town_a)
    assert settings.court == "富阳区人民法院" and settings.mode == "own"


def test_a_certificate_changed_meanwhile_is_not_overwritten(world, client, login):
    cert = services.certificate_create(
        actor=world.town_office_a, user_id=world.inspector_a.pk, number="A-1"
    )
    login("town_office_a")
    listed = client.get(BASE + "/certificates").json()["items"]
    tag = next(row["tag"] for row in listed if row["id"] == cert.pk)
    done = put(client, f"/certificates/{cert.pk}", {"number": "A-2", "expected_tag": tag})
    assert done.status_code == 200
    stale = put(client, f"/certificates/{cert.pk}", {"number": "A-3", "expected_tag": tag})
    assert stale.status_code == 409
    assert OfficerCertificate.objects.get(pk=cert.pk).number == "A-2"


def test_a_number_format_changed_meanwhile_is_not_overwritten(world, client, login):
    login("town_office_a")
    rows = client.get(BASE + "/numbering-rules").json()["items"]
    order = next(row for row in rows if row["doc_type"] == "rectification_order")
    body = {"doc_type": "rectification_order", "expected_tag": order["tag"]}
    done = put(client, "/numbering-rules", {**body, "pattern": "场口责改〔{year}〕{number}号"})
    assert done.status_code == 200
    stale = put(client, "/numbering-rules", {**body, "pattern": "场口整改〔{year}〕{number}号"})
    assert stale.status_code == 409
    rule = NumberingRule.objects.get(town=world.town_a, doc_type="rectification_order")
    assert rule.pattern == "场口责改〔{year}〕{number}号"
