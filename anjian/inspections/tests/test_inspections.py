"""Inspecting on a phone: starting (idempotent), answering item by item, finishing (failed items
become hazards), the lock, the scope, and the pages."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from anjian.core.exceptions import InvalidTransition, StaleObject
from anjian.hazards.models import Hazard
from anjian.hazards.tests.factories import photo
from anjian.inspections import services
from anjian.inspections.models import Inspection, InspectionResult
from anjian.inspections.tests.factories import (
    answer_all,
    finish,
    items_of,
    make_checklist,
    png_data_url,
    publish_next,
)

pytestmark = pytest.mark.django_db

MAJOR_TEXT = "粉尘涉爆场所未使用非防爆电气设备"
ELECTRICAL_TEXT = "配电箱完好，线路无裸露"
MANAGEMENT_TEXT = "建立安全生产责任制"


@pytest.fixture
def checklist(world):
    return make_checklist()


def start(world, checklist, persona="inspector_a", unit=None, **kwargs):
    return services.inspection_start(
        actor=world.users[persona],
        unit_id=(unit or world.unit_a).pk,
        checklist_id=checklist.pk,
        **kwargs,
    )


def item(inspection, text):
    return next(i for i in items_of(inspection) if i.text == text)


# --- Starting ---------------------------------------------------------------------------------


def test_start_makes_one_unanswered_result_per_item(world, checklist):
    inspection = start(world, checklist, place="一号车间")
    assert inspection.status == "in_progress" and inspection.kind == "town_inspection"
    assert inspection.results.count() == 5
    assert set(inspection.results.values_list("result", flat=True)) == {"unchecked"}
    assert list(inspection.officers.all()) == [world.inspector_a]


def test_a_retried_start_with_the_same_key_returns_the_same_inspection(world, checklist):
    key = uuid.uuid4()
    first = start(world, checklist, client_key=key)
    again = start(world, checklist, client_key=str(key))
    assert again.pk == first.pk
    assert Inspection.objects.count() == 1
    assert InspectionResult.objects.count() == 5


def test_kind_defaults_by_role(world, checklist):
    assert start(world, checklist, persona="expert_a").kind == "expert_check"
    assert start(world, checklist, persona="village_officer_a").kind == "village_patrol"
    assert start(world, checklist, persona="town_office_a").kind == "town_inspection"


def test_scope_of_starting(world, checklist):
    with pytest.raises(Http404):  # the expert's contracted unit is unit_a only
        start(world, checklist, persona="expert_a", unit=world.unit_a2)
    with pytest.raises(Http404):
        start(world, checklist, persona="town_office_b")
    with pytest.raises(Http404):  # an enterprise does not inspect
        start(world, checklist, persona="enterprise_a")


def test_start_needs_a_published_checklist(world, checklist):
    checklist.status = "retired"
    checklist.save()
    with pytest.raises(ValidationError) as exc:
        start(world, checklist)
    assert "checklist" in exc.value.message_dict


# --- Answering ----------------------------------------------------------------------------------


def test_autosave_records_the_answer_and_the_same_answer_twice_is_harmless(world, checklist):
    inspection = start(world, checklist)
    target = item(inspection, ELECTRICAL_TEXT)
    kwargs = {
        "actor": world.inspector_a,
        "inspection_id": inspection.pk,
        "item_id": target.pk,
        "result": "fail",
        "note": "二号车间配电箱门缺失",
    }
    services.result_record(**kwargs, photos=[photo("a.jpg")])
    inspection.refresh_from_db()
    version = inspection.version
    row = services.result_record(**kwargs, photos=[photo("a.jpg")])  # a retry
    inspection.refresh_from_db()
    assert inspection.version == version
    assert row.result == "fail" and row.note == "二号车间配电箱门缺失"
    assert row.photos.count() == 1
    assert row.answered_by == world.inspector_a


def test_answer_must_be_known(world, checklist):
    inspection = start(world, checklist)
    with pytest.raises(ValidationError):
        services.result_record(
            actor=world.inspector_a,
            inspection_id=inspection.pk,
            item_id=item(inspection, ELECTRICAL_TEXT).pk,
            result="maybe",
        )


def test_enterprise_sees_its_inspection_but_cannot_answer(world, checklist):
    inspection = start(world, checklist)
    assert Inspection.objects.visible_to(world.enterprise_a).filter(pk=inspection.pk).exists()
    assert not Inspection.objects.visible_to(world.enterprise_a2).filter(pk=inspection.pk).exists()
    with pytest.raises(Http404):
        services.result_record(
            actor=world.enterprise_a,
            inspection_id=inspection.pk,
            item_id=item(inspection, ELECTRICAL_TEXT).pk,
            result="pass",
        )


# --- Finishing ----------------------------------------------------------------------------------


def test_finish_turns_failed_items_into_hazards(world, checklist):
    inspection = start(world, checklist, place="二号车间")
    services.result_record(
        actor=world.inspector_a,
        inspection_id=inspection.pk,
        item_id=item(inspection, ELECTRICAL_TEXT).pk,
        result="fail",
        note="箱门缺失",
        photos=[photo("door.jpg")],
    )
    answer_all_rest(world, inspection, {MAJOR_TEXT: "fail", MANAGEMENT_TEXT: "fail"})
    finished = finish(world.inspector_a, inspection)
    assert finished.status == "finished" and finished.finished_at is not None
    assert finished.is_locked
    assert Hazard.objects.count() == 3

    electrical = InspectionResult.objects.get(inspection=inspection, item__text=ELECTRICAL_TEXT)
    hazard = electrical.hazard
    assert hazard.unit == world.unit_a
    assert hazard.location == "二号车间"
    assert hazard.description == f"{ELECTRICAL_TEXT}\n箱门缺失"
    assert hazard.category == "electrical" and hazard.level == "general"
    assert hazard.legal_basis == "GB 50054"
    assert hazard.source == "town_inspection"
    assert hazard.hazard_type == "unsafe_condition"
    assert hazard.requirement == "按检查表要求整改：" + ELECTRICAL_TEXT
    assert hazard.status == "rectifying" and hazard.deadline is not None
    assert hazard.deadline > timezone.localdate()
    before = hazard.photos.get(kind="before")
    assert before.sha256 == electrical.photos.get().sha256

    major = InspectionResult.objects.get(inspection=inspection, item__text=MAJOR_TEXT).hazard
    assert major.level == "major" and major.deadline is None and major.status == "found"
    management = InspectionResult.objects.get(
        inspection=inspection, item__text=MANAGEMENT_TEXT
    ).hazard
    assert management.hazard_type == "management" and management.category == "management"
    assert management.legal_basis == "《安全生产法》第二十二条"


def answer_all_rest(world, inspection, overrides):
    for it in items_of(inspection):
        row = InspectionResult.objects.get(inspection=inspection, item=it)
        if row.result == "unchecked":
            services.result_record(
                actor=world.inspector_a,
                inspection_id=inspection.pk,
                item_id=it.pk,
                result=overrides.get(it.text, "pass"),
            )


def test_finish_with_a_given_deadline(world, checklist):
    inspection = start(world, checklist)
    answer_all(world.inspector_a, inspection, **{ELECTRICAL_TEXT: "fail"})
    due = timezone.localdate() + datetime.timedelta(days=20)
    finish(world.inspector_a, inspection, deadline=due)
    assert Hazard.objects.get().deadline == due


def test_a_village_officer_records_hazards_without_a_deadline(world, checklist):
    inspection = start(world, checklist, persona="village_officer_a")
    answer_all(world.village_officer_a, inspection, **{ELECTRICAL_TEXT: "fail"})
    finish(world.village_officer_a, inspection)
    hazard = Hazard.objects.get()
    assert hazard.deadline is None and hazard.status == "found"
    assert hazard.source == "village_patrol"


def test_finish_refused_with_unanswered_items_named(world, checklist):
    inspection = start(world, checklist)
    services.result_record(
        actor=world.inspector_a,
        inspection_id=inspection.pk,
        item_id=item(inspection, ELECTRICAL_TEXT).pk,
        result="fail",
    )
    with pytest.raises(ValidationError) as exc:
        finish(world.inspector_a, inspection)
    message = exc.value.message_dict["results"][0]
    assert MANAGEMENT_TEXT in message and ELECTRICAL_TEXT not in message
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"
    assert not Hazard.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unit_signature", ""),
        ("inspector_signature", "data:image/jpeg;base64,/9j/4AAQ"),
        ("unit_signature", "data:image/png;base64,bm90IGEgcG5n"),
        ("unit_signature", "data:image/png;base64,###"),
        ("inspector_signature", png_data_url(extra_bytes=310 * 1024)),
        ("unit_signatory", ""),
    ],
)
def test_finish_refused_without_good_signatures(world, checklist, field, value):
    inspection = start(world, checklist)
    answer_all(world.inspector_a, inspection, **{ELECTRICAL_TEXT: "fail"})
    with pytest.raises(ValidationError) as exc:
        finish(world.inspector_a, inspection, **{field: value})
    assert field in exc.value.message_dict
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"
    assert not Hazard.objects.exists()


def test_a_refused_hazard_finishes_nothing(world, checklist):
    inspection = start(world, checklist)
    answer_all(world.inspector_a, inspection, **{ELECTRICAL_TEXT: "fail", MANAGEMENT_TEXT: "fail"})
    past = timezone.localdate() - datetime.timedelta(days=3)
    with pytest.raises(ValidationError):
        finish(world.inspector_a, inspection, deadline=past)
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"
    assert not Hazard.objects.exists()
    assert not InspectionResult.objects.filter(hazard__isnull=False).exists()


def test_a_finished_inspection_refuses_new_answers(world, checklist):
    inspection = start(world, checklist)
    answer_all(world.inspector_a, inspection)
    finish(world.inspector_a, inspection)
    with pytest.raises(InvalidTransition) as exc:
        services.result_record(
            actor=world.inspector_a,
            inspection_id=inspection.pk,
            item_id=item(inspection, ELECTRICAL_TEXT).pk,
            result="fail",
        )
    assert "锁定" in exc.value.message or "locked" in exc.value.message  # zh once compiled
    with pytest.raises(InvalidTransition):
        finish(world.inspector_a, inspection)


def test_stale_expected_version(world, checklist):
    inspection = start(world, checklist)
    seen = inspection.version
    answer_all(world.inspector_a, inspection)
    with pytest.raises(StaleObject):
        services.inspection_update(
            actor=world.inspector_a,
            inspection_id=inspection.pk,
            expected_version=seen,
            summary="总体良好",
        )
    with pytest.raises(StaleObject):
        services.inspection_finish(
            actor=world.inspector_a,
            inspection_id=inspection.pk,
            expected_version=seen,
            unit_signatory="李厂长",
            unit_signature=png_data_url(),
            inspector_signature=png_data_url(),
        )


def test_update_and_cancel(world, checklist):
    inspection = start(world, checklist)
    updated = services.inspection_update(
        actor=world.inspector_a,
        inspection_id=inspection.pk,
        expected_version=inspection.version,
        attendees="李厂长、王安全员",
        summary="总体良好",
        officers=[world.town_office_a.pk],
    )
    assert updated.attendees == "李厂长、王安全员"
    assert set(updated.officers.all()) == {world.inspector_a, world.town_office_a}
    with pytest.raises(ValidationError):  # another town's officer may not inspect here
        services.inspection_update(
            actor=world.inspector_a,
            inspection_id=inspection.pk,
            expected_version=updated.version,
            officers=[world.town_office_b.pk],
        )
    from anjian.core.exceptions import ActionNotPermitted

    with pytest.raises(ActionNotPermitted):  # neither the lead nor the office
        services.inspection_cancel(
            actor=world.expert_a,
            inspection_id=inspection.pk,
            expected_version=updated.version,
            reason="误建",
        )
    cancelled = services.inspection_cancel(
        actor=world.town_office_a,
        inspection_id=inspection.pk,
        expected_version=updated.version,
        reason="误建",
    )
    assert cancelled.status == "cancelled"


def test_the_record_keeps_the_text_of_its_checklist_version(world, checklist, client, login):
    inspection = start(world, checklist)
    answer_all(world.inspector_a, inspection)
    finish(world.inspector_a, inspection)
    v2 = publish_next(checklist, changes={ELECTRICAL_TEXT: "配电箱、开关箱完好并上锁"})
    assert v2.number == 2
    login("inspector_a")
    page = client.get(reverse("inspections:inspection_detail", args=[inspection.pk]))
    text = page.content.decode()
    assert ELECTRICAL_TEXT in text and "配电箱、开关箱完好并上锁" not in text


# --- Pages --------------------------------------------------------------------------------------


def test_unit_page_tab_offers_the_start_to_inspectors_only(world, checklist, client, login):
    start(world, checklist)
    url = reverse("units:unit_detail", args=[world.unit_a.pk])
    login("inspector_a")
    page = client.get(url).content.decode()
    assert 'data-testid="unit-inspection-start"' in page
    assert 'data-testid="unit-inspection-row"' in page
    client.logout()
    login("enterprise_a")
    page = client.get(url).content.decode()
    assert 'data-testid="unit-inspection-row"' in page
    assert 'data-testid="unit-inspection-start"' not in page


def test_start_page_twice_with_the_same_key_makes_one_inspection(world, checklist, client, login):
    login("inspector_a")
    url = reverse("inspections:inspection_start", args=[world.unit_a.pk])
    page = client.get(url)
    assert page.status_code == 200 and checklist.template.name in page.content.decode()
    data = {
        "checklist": checklist.pk,
        "kind": "town_inspection",
        "place": "",
        "client_key": str(uuid.uuid4()),
    }
    first = client.post(url, data)
    again = client.post(url, data)
    inspection = Inspection.objects.get()
    assert first.url == again.url == reverse("inspections:inspection_inspect", args=[inspection.pk])


def test_scope_of_the_pages(world, checklist, client, login):
    inspection = start(world, checklist)
    login("enterprise_a")
    assert (
        client.get(reverse("inspections:inspection_detail", args=[inspection.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("inspections:inspection_inspect", args=[inspection.pk])).status_code
        == 403
    )
    assert (
        client.get(reverse("inspections:inspection_start", args=[world.unit_a.pk])).status_code
        == 403
    )
    client.logout()
    login("expert_a")
    assert (
        client.get(reverse("inspections:inspection_start", args=[world.unit_a.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("inspections:inspection_start", args=[world.unit_a2.pk])).status_code
        == 404
    )
    client.logout()
    login("town_office_b")
    assert (
        client.get(reverse("inspections:inspection_detail", args=[inspection.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("inspections:inspection_inspect", args=[inspection.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("inspections:inspection_start", args=[world.unit_a.pk])).status_code
        == 404
    )


def test_the_checklist_page_saves_each_answer_and_then_finishes(world, checklist, client, login):
    inspection = start(world, checklist)
    login("inspector_a")
    page = client.get(reverse("inspections:inspection_inspect", args=[inspection.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('data-testid="answer-fail"') == 5
    assert 'capture="environment"' in text and "inspections/inspect.js" in text
    for it in items_of(inspection):
        result = "fail" if it.text == ELECTRICAL_TEXT else "pass"
        data = {"result": result, "note": "门缺失" if result == "fail" else ""}
        if result == "fail":
            data["photos"] = photo("door.jpg")
        response = client.post(
            reverse("inspections:result_save", args=[inspection.pk, it.pk]),
            data,
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 200, response.content
    body = response.json()
    assert body["answered"] == 5
    # After a reload the answers are there (they are the server's).
    text = client.get(
        reverse("inspections:inspection_inspect", args=[inspection.pk])
    ).content.decode()
    assert text.count('data-result="pass"') == 4 and text.count('data-result="fail"') == 1
    finish_url = reverse("inspections:inspection_finish", args=[inspection.pk])
    page = client.get(finish_url).content.decode()
    assert 'data-testid="finish-hazard"' in page and ELECTRICAL_TEXT in page
    inspection.refresh_from_db()
    response = client.post(
        finish_url,
        {
            "place": "二号车间",
            "attendees": "李厂长",
            "summary": "总体较好",
            "unit_signatory": "李厂长",
            "unit_signature": png_data_url(),
            "inspector_signature": png_data_url(),
            "working_days": "",
            "deadline": "",
            "expected_version": inspection.version,
            "confirm": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    inspection.refresh_from_db()
    assert inspection.status == "finished" and inspection.attendees == "李厂长"
    hazard = Hazard.objects.get()
    assert hazard.location == "二号车间"
    record = client.get(
        reverse("inspections:inspection_detail", args=[inspection.pk])
    ).content.decode()
    assert reverse("hazards:hazard_detail", args=[hazard.pk]) in record
    assert 'data-testid="signature-unit"' in record
    photo_id = hazard.inspection_result.photos.get().pk
    assert client.get(reverse("inspections:photo_image", args=[photo_id])).status_code == 200
    # a locked record refuses new answers and sends the checklist page to the record
    response = client.post(
        reverse("inspections:result_save", args=[inspection.pk, items_of(inspection)[0].pk]),
        {"result": "fail"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 409 and response.json()["locked"]
    assert (
        client.get(reverse("inspections:inspection_inspect", args=[inspection.pk])).status_code
        == 302
    )
    client.logout()
    login("town_office_b")
    assert client.get(reverse("inspections:photo_image", args=[photo_id])).status_code == 404


def test_finish_page_names_the_missing_signature(world, checklist, client, login):
    inspection = answer_all(world.inspector_a, start(world, checklist))
    login("inspector_a")
    response = client.post(
        reverse("inspections:inspection_finish", args=[inspection.pk]),
        {
            "unit_signatory": "李厂长",
            "unit_signature": "",
            "inspector_signature": png_data_url(),
            "expected_version": inspection.version,
            "confirm": "on",
        },
    )
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"


def test_list_page_queries_do_not_grow_with_inspections(
    world, checklist, client, login, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login("town_office_a")
    url = reverse("inspections:inspection_list")
    start(world, checklist)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(6):
        start(world, checklist)
    start(world, checklist, unit=world.unit_a2)
    with django_assert_max_num_queries(len(few)):
        page = client.get(url)
    assert page.content.decode().count('data-testid="inspection-row"') == 8
    export = client.get(url + "?export=xlsx")
    assert export.status_code == 200
    client.logout()
    login("enterprise_a2")
    assert client.get(url).content.decode().count('data-testid="inspection-row"') == 1
