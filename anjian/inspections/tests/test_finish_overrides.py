"""Choices per failed item when an inspection is finished: the level, a deadline of its own, the
rectification requirement, or "rectified on the spot" — on the page, through the API and in the
service; without choices the hazards are made as before."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditEntry
from anjian.hazards.models import Hazard
from anjian.hazards.tests.factories import photo
from anjian.inspections import services
from anjian.inspections.models import InspectionResult
from anjian.inspections.tests.factories import (
    answer_all,
    finish,
    items_of,
    make_checklist,
    png_data_url,
)

pytestmark = pytest.mark.django_db

MAJOR_TEXT = "粉尘涉爆场所未使用非防爆电气设备"
ELECTRICAL_TEXT = "配电箱完好，线路无裸露"
FIRE_TEXT = "安全出口和疏散通道畅通"


@pytest.fixture
def inspection(world):
    """An inspection of unit A by inspector A where three items failed (one a major criterion);
    the electrical item has two photos: the box as found, then after it was fixed."""
    inspection = services.inspection_start(
        actor=world.inspector_a, unit_id=world.unit_a.pk, checklist_id=make_checklist().pk
    )
    answer_all(
        world.inspector_a,
        inspection,
        "pass",
        **{MAJOR_TEXT: "fail", ELECTRICAL_TEXT: "fail", FIRE_TEXT: "fail"},
    )
    services.result_record(
        actor=world.inspector_a,
        inspection_id=inspection.pk,
        item_id=item(inspection, ELECTRICAL_TEXT).pk,
        result="fail",
        note="箱门缺失",
        photos=[photo("found.jpg", color=(200, 0, 0)), photo("fixed.jpg", color=(0, 200, 0))],
    )
    inspection.refresh_from_db()
    return inspection


def item(inspection, text):
    return next(i for i in items_of(inspection) if i.text == text)


def hazard_of(inspection, text) -> Hazard:
    return InspectionResult.objects.get(inspection=inspection, item__text=text).hazard


def photos_of(inspection, text):
    return list(
        InspectionResult.objects.get(inspection=inspection, item__text=text).photos.order_by("pk")
    )


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_without_choices_the_hazards_are_as_before(world, inspection):
    finish(world.inspector_a, inspection)
    electrical = hazard_of(inspection, ELECTRICAL_TEXT)
    assert electrical.level == "general" and electrical.status == "rectifying"
    assert electrical.deadline is not None and electrical.deadline_mode == "working_days"
    assert electrical.deadline_working_days == 7
    assert electrical.requirement == "按检查表要求整改：" + ELECTRICAL_TEXT
    assert electrical.photos.filter(kind="before").count() == 2
    major = hazard_of(inspection, MAJOR_TEXT)
    assert major.level == "major" and major.deadline is None and major.status == "found"


def test_the_hazards_carry_the_choices(world, inspection):
    due = in_days(30)
    finish(
        world.inspector_a,
        inspection,
        hazard_overrides={
            item(inspection, FIRE_TEXT).pk: {
                "level": "major",
                "deadline": due,
                "requirement": "立即清理疏散通道堆放物",
            },
            str(item(inspection, MAJOR_TEXT).pk): {"level": "general", "working_days": 3},
        },
    )
    fire = hazard_of(inspection, FIRE_TEXT)
    assert fire.level == "major" and fire.deadline == due and fire.status == "rectifying"
    assert fire.requirement == "立即清理疏散通道堆放物"
    downgraded = hazard_of(inspection, MAJOR_TEXT)
    assert downgraded.level == "general" and downgraded.deadline_working_days == 3
    # the item without choices keeps the defaults
    assert hazard_of(inspection, ELECTRICAL_TEXT).deadline_working_days == 7
    entry = AuditEntry.objects.filter(action="inspection.finished").latest("pk")
    assert str(item(inspection, FIRE_TEXT).pk) in entry.changes["hazard_choices"][1]


def test_rectified_on_the_spot_is_recorded_and_closed(world, inspection):
    found, fixed = photos_of(inspection, ELECTRICAL_TEXT)
    finish(
        world.inspector_a,
        inspection,
        hazard_overrides={
            item(inspection, ELECTRICAL_TEXT).pk: {
                "rectified_on_spot": True,
                "on_spot_description": "当场装上箱门",
                "on_spot_photo_ids": [fixed.pk],
            }
        },
    )
    hazard = hazard_of(inspection, ELECTRICAL_TEXT)
    assert hazard.status == "closed" and hazard.closed_on_spot and hazard.deadline is None
    assert [p.sha256 for p in hazard.photos.filter(kind="before")] == [found.sha256]
    assert [p.sha256 for p in hazard.photos.filter(kind="after")] == [fixed.sha256]
    report = hazard.reports.get()
    assert report.on_spot and report.description == "当场装上箱门"


@pytest.mark.parametrize(
    ("choice", "field", "words"),
    [
        ({"deadline": -1}, "deadline", "cannot be in the past"),
        ({"deadline": 5, "working_days": 3}, "working_days", "not both"),
        ({"working_days": 500}, "working_days", "between 1 and 365"),
        ({"level": "huge"}, "level", "ordinary or major"),
        (
            {"rectified_on_spot": True, "on_spot_photo_ids": "fixed"},
            "on_spot_description",
            "Describe",
        ),
        ({"rectified_on_spot": True, "on_spot_description": "修好"}, "on_spot_photo_ids", "photo"),
        (
            {
                "rectified_on_spot": True,
                "on_spot_description": "修好",
                "deadline": 5,
                "on_spot_photo_ids": "fixed",
            },
            "deadline",
            "needs no deadline",
        ),
        ({"colour": "red"}, "item", "Unknown choice"),
    ],
)
def test_choices_are_validated_and_nothing_is_finished(world, inspection, choice, field, words):
    item_id = item(inspection, ELECTRICAL_TEXT).pk
    _found, fixed = photos_of(inspection, ELECTRICAL_TEXT)
    data = dict(choice)
    for key in ("deadline",):
        if isinstance(data.get(key), int):
            data[key] = in_days(data[key])
    if data.get("on_spot_photo_ids") == "fixed":
        data["on_spot_photo_ids"] = [fixed.pk]
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        finish(world.inspector_a, inspection, hazard_overrides={item_id: data})
    messages = exc.value.message_dict[f"hazards.{item_id}.{field}"]
    assert any(words in m for m in messages), messages
    assert "配电箱" in messages[0]  # the message names the item
    inspection.refresh_from_db()
    assert inspection.status == "in_progress" and not Hazard.objects.exists()


def test_a_major_hazard_is_not_rectified_on_the_spot(world, inspection):
    item_id = item(inspection, MAJOR_TEXT).pk
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        finish(
            world.inspector_a,
            inspection,
            hazard_overrides={item_id: {"rectified_on_spot": True, "on_spot_description": "x"}},
        )
    assert "governance plan" in exc.value.message_dict[f"hazards.{item_id}.rectified_on_spot"][0]


def test_photos_of_another_item_and_passed_items_are_refused(world, inspection):
    passed = next(
        i for i in items_of(inspection) if i.text not in (MAJOR_TEXT, ELECTRICAL_TEXT, FIRE_TEXT)
    )
    _found, fixed = photos_of(inspection, ELECTRICAL_TEXT)
    fire_id = item(inspection, FIRE_TEXT).pk
    with pytest.raises(ValidationError) as exc:
        finish(
            world.inspector_a,
            inspection,
            hazard_overrides={
                passed.pk: {"level": "major"},
                fire_id: {
                    "rectified_on_spot": True,
                    "on_spot_description": "清理",
                    "on_spot_photo_ids": [fixed.pk],
                },
            },
        )
    assert f"hazards.{passed.pk}.item" in exc.value.message_dict
    assert f"hazards.{fire_id}.on_spot_photo_ids" in exc.value.message_dict


def test_a_village_officer_gives_no_deadline(world):
    inspection = services.inspection_start(
        actor=world.village_officer_a, unit_id=world.unit_a.pk, checklist_id=make_checklist().pk
    )
    answer_all(world.village_officer_a, inspection, "pass", **{FIRE_TEXT: "fail"})
    item_id = item(inspection, FIRE_TEXT).pk
    with pytest.raises(ValidationError) as exc:
        finish(world.village_officer_a, inspection, hazard_overrides={item_id: {"working_days": 3}})
    assert f"hazards.{item_id}.deadline" in exc.value.message_dict
    finish(world.village_officer_a, inspection, hazard_overrides={item_id: {"level": "major"}})
    assert Hazard.objects.get().level == "major"


# --- The page -------------------------------------------------------------------------------------


def test_the_finish_page_offers_and_applies_the_choices(world, inspection, client, login):
    login("inspector_a")
    url = reverse("inspections:inspection_finish", args=[inspection.pk])
    page = client.get(url).content.decode()
    assert page.count('data-testid="finish-choice"') == 3
    fire_id = item(inspection, FIRE_TEXT).pk
    electrical_id = item(inspection, ELECTRICAL_TEXT).pk
    _found, fixed = photos_of(inspection, ELECTRICAL_TEXT)
    base = {
        "unit_signatory": "李厂长",
        "unit_signature": png_data_url(),
        "inspector_signature": png_data_url(),
        "expected_version": inspection.version,
        "confirm": "on",
    }
    past = client.post(url, {**base, f"h{fire_id}_deadline": in_days(-2).isoformat()})
    assert past.status_code == 200
    assert past.context["form"].errors[f"h{fire_id}_deadline"]
    assert not Hazard.objects.exists()
    response = client.post(
        url,
        {
            **base,
            f"h{fire_id}_level": "general",
            f"h{fire_id}_deadline": in_days(10).isoformat(),
            f"h{fire_id}_requirement": "清理通道",
            f"h{electrical_id}_on_spot": "on",
            f"h{electrical_id}_on_spot_description": "当场装上箱门",
            f"h{electrical_id}_on_spot_photos": [fixed.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    fire = hazard_of(inspection, FIRE_TEXT)
    assert fire.deadline == in_days(10) and fire.requirement == "清理通道"
    assert hazard_of(inspection, ELECTRICAL_TEXT).closed_on_spot
    major = hazard_of(inspection, MAJOR_TEXT)
    assert major.level == "major" and major.deadline is None


# --- The API --------------------------------------------------------------------------------------


def test_the_finish_api_takes_the_choices(world, inspection, client):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=world.inspector_a, name='t').raw}"}
    fire_id = item(inspection, FIRE_TEXT).pk
    electrical_id = item(inspection, ELECTRICAL_TEXT).pk
    _found, fixed = photos_of(inspection, ELECTRICAL_TEXT)
    body = {
        "expected_version": inspection.version,
        "unit_signatory": "李厂长",
        "unit_signature": png_data_url(),
        "inspector_signature": png_data_url(),
        "hazards": [{"item_id": fire_id, "deadline": in_days(-1).isoformat()}],
    }
    url = f"/api/v1/inspections/{inspection.pk}/finish"
    refused = client.post(url, json.dumps(body), content_type="application/json", **auth)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == f"hazards.{fire_id}.deadline"
    body["hazards"] = [
        {"item_id": fire_id, "level": "general", "working_days": 4, "requirement": "清理通道"},
        {
            "item_id": electrical_id,
            "rectified_on_spot": True,
            "on_spot_description": "当场装上箱门",
            "on_spot_photo_ids": [fixed.pk],
        },
    ]
    done = client.post(url, json.dumps(body), content_type="application/json", **auth)
    assert done.status_code == 200, done.content
    fire = hazard_of(inspection, FIRE_TEXT)
    assert fire.deadline_working_days == 4 and fire.requirement == "清理通道"
    assert hazard_of(inspection, ELECTRICAL_TEXT).status == "closed"
