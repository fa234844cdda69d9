"""The inspections over the API: the same rules as the pages."""

from __future__ import annotations

import uuid

import pytest

from anjian.accounts.services import api_token_issue
from anjian.hazards.models import Hazard
from anjian.hazards.tests.factories import photo
from anjian.inspections.models import Inspection
from anjian.inspections.tests.factories import items_of, make_checklist, png_data_url

pytestmark = pytest.mark.django_db

BASE = "/api/v1/inspections"
ELECTRICAL_TEXT = "配电箱完好，线路无裸露"
MAJOR_TEXT = "粉尘涉爆场所未使用非防爆电气设备"


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, name='test').raw}"}


@pytest.fixture
def checklist(world):
    return make_checklist()


def start(client, world, checklist, persona="inspector_a", unit=None, key=None):
    return client.post(
        BASE,
        {
            "unit_id": (unit or world.unit_a).pk,
            "checklist_id": checklist.pk,
            "client_key": str(key or uuid.uuid4()),
        },
        content_type="application/json",
        **bearer(world.users[persona]),
    )


def test_start_is_idempotent_on_client_key(world, client, checklist):
    key = uuid.uuid4()
    first = start(client, world, checklist, key=key)
    again = start(client, world, checklist, key=key)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert Inspection.objects.count() == 1
    body = first.json()
    assert body["kind"] == "town_inspection" and body["counts"]["unchecked"] == 5
    assert [s["title"] for s in body["sections"]] == ["一、安全管理", "二、现场安全"]


def test_scope(world, client, checklist):
    assert start(client, world, checklist, persona="enterprise_a").status_code == 403
    assert (
        start(client, world, checklist, persona="expert_a", unit=world.unit_a2).status_code == 404
    )
    assert start(client, world, checklist, persona="town_office_b").status_code == 404
    inspection_id = start(client, world, checklist).json()["id"]
    assert client.get(f"{BASE}/{inspection_id}", **bearer(world.enterprise_a)).status_code == 200
    assert client.get(f"{BASE}/{inspection_id}", **bearer(world.town_office_b)).status_code == 404
    listed = client.get(BASE, **bearer(world.enterprise_a2)).json()
    assert listed == {"items": [], "count": 0}
    assert client.get(BASE, **bearer(world.enterprise_a)).json()["count"] == 1


def test_answer_then_finish_makes_hazards(world, client, checklist):
    auth = bearer(world.inspector_a)
    inspection_id = start(client, world, checklist).json()["id"]
    inspection = Inspection.objects.get(pk=inspection_id)
    for it in items_of(inspection):
        data = {"result": "pass"}
        if it.text == ELECTRICAL_TEXT:
            data = {"result": "fail", "note": "箱门缺失", "photos": photo("door.jpg")}
        elif it.text == MAJOR_TEXT:
            data = {"result": "fail"}
        response = client.post(f"{BASE}/{inspection_id}/results/{it.pk}", data, **auth)
        assert response.status_code == 200, response.content
    body = client.get(f"{BASE}/{inspection_id}", **auth).json()
    assert body["counts"] == {"pass": 3, "fail": 2, "na": 0, "unchecked": 0}
    photo_url = next(
        r["photos"][0]["url"] for s in body["sections"] for r in s["results"] if r["photos"]
    )
    assert client.get(photo_url, **auth).status_code == 200
    assert client.get(photo_url, **bearer(world.town_office_b)).status_code == 404

    stale = client.post(
        f"{BASE}/{inspection_id}/finish",
        {
            "expected_version": 1,
            "unit_signatory": "李厂长",
            "unit_signature": png_data_url(),
            "inspector_signature": png_data_url(),
        },
        content_type="application/json",
        **auth,
    )
    assert stale.status_code == 409
    bad = client.post(
        f"{BASE}/{inspection_id}/finish",
        {
            "expected_version": body["version"],
            "unit_signatory": "李厂长",
            "unit_signature": "data:image/png;base64,bm90IGEgcG5n",
            "inspector_signature": png_data_url(),
        },
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422
    done = client.post(
        f"{BASE}/{inspection_id}/finish",
        {
            "expected_version": body["version"],
            "unit_signatory": "李厂长",
            "unit_signature": png_data_url(),
            "inspector_signature": png_data_url(),
            "working_days": 5,
        },
        content_type="application/json",
        **auth,
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "finished"
    assert len(done.json()["hazard_ids"]) == 2
    ordinary = Hazard.objects.get(level="general")
    major = Hazard.objects.get(level="major")
    assert ordinary.deadline is not None and major.deadline is None
    assert ordinary.photos.count() == 1
    locked = client.post(
        f"{BASE}/{inspection_id}/results/{items_of(inspection)[0].pk}", {"result": "fail"}, **auth
    )
    assert locked.status_code == 409


def test_update_and_cancel(world, client, checklist):
    auth = bearer(world.inspector_a)
    body = start(client, world, checklist).json()
    updated = client.patch(
        f"{BASE}/{body['id']}",
        {"expected_version": body["version"], "summary": "总体较好", "attendees": "李厂长"},
        content_type="application/json",
        **auth,
    )
    assert updated.status_code == 200 and updated.json()["summary"] == "总体较好"
    stale = client.patch(
        f"{BASE}/{body['id']}",
        {"expected_version": body["version"], "summary": "旧"},
        content_type="application/json",
        **auth,
    )
    assert stale.status_code == 409
    cancelled = client.post(
        f"{BASE}/{body['id']}/cancel",
        {"expected_version": updated.json()["version"], "reason": "误建"},
        content_type="application/json",
        **auth,
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
