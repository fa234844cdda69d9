"""Where a hazard found by an inspection is: the item's location when the inspector gave one; the
finish page asks for it per failed item, pre-filled with the unit's address as a suggestion. The
finish page names unanswered items before anyone signs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.hazards.models import Hazard
from anjian.inspections import services
from anjian.inspections.tests.factories import (
    answer_all,
    finish,
    items_of,
    make_checklist,
    png_data_url,
)

pytestmark = pytest.mark.django_db

FAILED = "配电箱完好，线路无裸露"


@pytest.fixture
def inspection(world):
    world.unit_a.address = "工业园区8号"
    world.unit_a.save(update_fields=["address"])
    return services.inspection_start(
        actor=world.inspector_a, unit_id=world.unit_a.pk, checklist_id=make_checklist().pk
    )


def failed_item(inspection):
    return next(i for i in items_of(inspection) if i.text == FAILED)


def test_the_hazard_takes_the_location_the_inspector_gave_for_the_item(world, inspection):
    answer_all(world.inspector_a, inspection, **{FAILED: "fail"})
    services.result_record(
        actor=world.inspector_a,
        inspection_id=inspection.pk,
        item_id=failed_item(inspection).pk,
        result="fail",
        location="二号车间东侧配电箱",
    )
    finish(world.inspector_a, inspection)
    assert Hazard.objects.get().location == "二号车间东侧配电箱"


def test_an_answer_sent_without_a_location_keeps_the_one_given(world, inspection):
    item_id = failed_item(inspection).pk
    for location in ("仓库门口", None):
        row = services.result_record(
            actor=world.inspector_a,
            inspection_id=inspection.pk,
            item_id=item_id,
            result="fail",
            note="门缺失",
            location=location,
        )
    assert row.location == "仓库门口"


def test_the_phone_page_saves_the_location_with_the_answer(world, inspection, client, login):
    login("inspector_a")
    item_id = failed_item(inspection).pk
    response = client.post(
        reverse("inspections:result_save", args=[inspection.pk, item_id]),
        {"result": "fail", "note": "", "location": "三楼楼梯间"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200 and response.json()["location"] == "三楼楼梯间"
    page = client.get(reverse("inspections:inspection_inspect", args=[inspection.pk]))
    assert 'value="三楼楼梯间"' in page.content.decode()


def test_the_finish_page_asks_where_each_hazard_is_suggesting_the_address(
    world, inspection, client, login
):
    answer_all(world.inspector_a, inspection, **{FAILED: "fail"})
    item_id = failed_item(inspection).pk
    login("inspector_a")
    url = reverse("inspections:inspection_finish", args=[inspection.pk])
    form = client.get(url).context["form"]
    assert form[f"h{item_id}_location"].value() == "工业园区8号"
    inspection.refresh_from_db()
    base = {
        "unit_signatory": "李厂长",
        "unit_signature": png_data_url(),
        "inspector_signature": png_data_url(),
        "expected_version": inspection.version,
        "confirm": "on",
    }
    emptied = client.post(url, {**base, f"h{item_id}_location": ""})
    assert emptied.status_code == 200
    assert emptied.context["form"].errors[f"h{item_id}_location"]
    assert not Hazard.objects.exists()
    done = client.post(url, {**base, f"h{item_id}_location": "一号车间北墙配电箱"})
    assert done.status_code == 302, done.content.decode()[:2000]
    assert Hazard.objects.get().location == "一号车间北墙配电箱"


def test_the_finish_page_names_unanswered_items_before_the_signatures(
    world, inspection, client, login
):
    first = items_of(inspection)[0]
    services.result_record(
        actor=world.inspector_a, inspection_id=inspection.pk, item_id=first.pk, result="pass"
    )
    login("inspector_a")
    page = client.get(reverse("inspections:inspection_finish", args=[inspection.pk]))
    html = page.content.decode()
    assert html.count('data-testid="finish-unanswered-item"') == len(items_of(inspection)) - 1
    assert 'data-testid="pad-unit"' not in html and 'data-testid="finish-submit"' not in html
    answer_all(world.inspector_a, inspection)
    html = client.get(reverse("inspections:inspection_finish", args=[inspection.pk])).content
    assert b'data-testid="finish-unanswered"' not in html and b'data-testid="pad-unit"' in html
