"""The officers of an inspection are chosen on the web: on the start and finish forms (the
town's officers with a valid certificate, the inspector pre-selected), and on the finished
inspection's page until a document is issued for it; the API does the same."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from anjian.audit.models import AuditEntry
from anjian.enforcement import documents
from anjian.enforcement.models import IssuedDocument, OfficerCertificate
from anjian.inspections import services
from anjian.inspections.models import Inspection
from anjian.inspections.tests.factories import answer_all, finish, make_checklist

pytestmark = pytest.mark.django_db
FAILED = "配电箱完好，线路无裸露"


def certify(person, *, valid_until=None):
    OfficerCertificate.objects.update_or_create(
        user=person, defaults={"number": f"3301{person.pk:05d}", "valid_until": valid_until}
    )


def start(world, officers=()):
    return services.inspection_start(
        actor=world.inspector_a,
        unit_id=world.unit_a.pk,
        checklist_id=make_checklist().pk,
        officers=officers,
    )


def finished(world, officers=()):
    inspection = start(world, officers)
    answer_all(world.inspector_a, inspection, "pass", **{FAILED: "fail"})
    return finish(world.inspector_a, inspection, working_days=5)


def officer_ids(inspection) -> set[int]:
    return set(Inspection.objects.get(pk=inspection.pk).officers.values_list("pk", flat=True))


def test_the_start_form_offers_the_certified_officers_with_the_inspector_chosen(
    world, client, login
):
    certify(world.inspector_a)
    certify(world.town_office_a)
    certify(world.town_office_b)  # another town: may not inspect this unit
    certify(world.leader_a, valid_until=datetime.date(2000, 1, 1))  # expired
    version = make_checklist()
    login("inspector_a")
    url = reverse("inspections:inspection_start", args=[world.unit_a.pk])
    page = client.get(url).content.decode()
    assert f'data-testid="officer-{world.town_office_a.pk}"' in page
    assert f'data-testid="officer-{world.town_office_b.pk}"' not in page
    assert f'data-testid="officer-{world.leader_a.pk}"' not in page
    form = client.get(url).context["form"]
    assert form["officers"].value() == [world.inspector_a.pk]  # pre-selected
    key = form["client_key"].value()

    client.post(
        url,
        {
            "checklist": version.pk,
            "kind": "town_inspection",
            "client_key": key,
            "officers": [world.inspector_a.pk, world.town_office_a.pk],
        },
    )

    inspection = Inspection.objects.get(client_key=key)
    assert officer_ids(inspection) == {world.inspector_a.pk, world.town_office_a.pk}


def test_the_finish_form_sets_the_officers(world, client, login):
    certify(world.inspector_a)
    certify(world.town_office_a)
    inspection = start(world)
    answer_all(world.inspector_a, inspection, "pass")
    login("inspector_a")
    url = reverse("inspections:inspection_finish", args=[inspection.pk])
    assert f'data-testid="officer-{world.town_office_a.pk}"' in client.get(url).content.decode()
    from anjian.inspections.tests.factories import png_data_url

    inspection.refresh_from_db()
    response = client.post(
        url,
        {
            "unit_signatory": "李厂长",
            "unit_signature": png_data_url(),
            "inspector_signature": png_data_url(),
            "expected_version": inspection.version,
            "confirm": "on",
            "officers": [world.town_office_a.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    inspection.refresh_from_db()
    assert inspection.status == "finished"
    assert officer_ids(inspection) == {world.inspector_a.pk, world.town_office_a.pk}


def test_a_finished_inspection_gets_its_second_officer_until_a_document_is_issued(
    world, client, login
):
    certify(world.inspector_a)
    certify(world.town_office_a)
    inspection = finished(world)
    login("inspector_a")
    detail = reverse("inspections:inspection_detail", args=[inspection.pk])
    edit = reverse("inspections:inspection_officers", args=[inspection.pk])
    assert edit in client.get(detail).content.decode()
    page = client.get(edit)
    version = page.context["form"]["expected_version"].value()

    saved = client.post(edit, {"officers": [world.town_office_a.pk], "expected_version": version})

    assert saved.status_code == 302
    assert officer_ids(inspection) == {world.inspector_a.pk, world.town_office_a.pk}
    entry = AuditEntry.objects.filter(action="inspection.officers_changed").get()
    assert str(world.town_office_a.pk) in str(entry.changes)
    order = documents.rectification_order_issue(
        actor=world.inspector_a, inspection_id=inspection.pk
    )
    assert set(order.officers.values_list("pk", flat=True)) == officer_ids(inspection)

    assert edit not in client.get(detail).content.decode()
    locked = client.get(edit).content.decode()
    assert 'data-testid="officers-locked"' in locked
    inspection.refresh_from_db()
    client.post(edit, {"officers": [], "expected_version": inspection.version})
    assert officer_ids(inspection) == {world.inspector_a.pk, world.town_office_a.pk}


def test_the_api_sets_the_officers_of_a_finished_inspection_and_refuses_after_issuing(
    world, client, login
):
    certify(world.inspector_a)
    certify(world.town_office_a)
    inspection = finished(world)
    login("inspector_a")
    url = f"/api/v1/inspections/{inspection.pk}/officers"
    got = client.get(url).json()
    assert [c["id"] for c in got["choices"]] == [world.inspector_a.pk, world.town_office_a.pk]
    assert got["may_change"] is True

    put = client.put(
        url, {"officer_ids": [world.town_office_a.pk]}, content_type="application/json"
    )

    assert put.status_code == 200, put.content
    assert {o["id"] for o in put.json()["officers"]} == {
        world.inspector_a.pk,
        world.town_office_a.pk,
    }
    client.post(f"/api/v1/documents/inspections/{inspection.pk}/order")
    assert IssuedDocument.objects.exists()
    refused = client.put(url, {"officer_ids": []}, content_type="application/json")
    assert refused.status_code == 409
    assert "文书" in refused.content.decode() or "document" in refused.content.decode()
    stale = client.put(
        url, {"officer_ids": [], "expected_version": 0}, content_type="application/json"
    )
    assert stale.status_code == 409
    login("enterprise_a")
    assert client.put(url, {"officer_ids": []}, content_type="application/json").status_code in (
        403,
        404,
    )
