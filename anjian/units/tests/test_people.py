"""People of a unit: principal, safety officers (with mobiles), certified workers."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditEntry
from anjian.units.documents import person_create, person_delete, person_update
from anjian.units.models import PersonRole, UnitPerson

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, name='test').raw}"}


def officer(world, **fields) -> UnitPerson:
    fields.setdefault("name", "钱安全")
    fields.setdefault("mobile", "13905710001")
    return person_create(
        actor=world.enterprise_a,
        unit_id=world.unit_a.pk,
        role=PersonRole.SAFETY_OFFICER,
        **fields,
    )


def test_a_safety_officer_needs_a_valid_mobile(world):
    with pytest.raises(ValidationError) as exc:
        officer(world, mobile="")
    assert "mobile" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        officer(world, mobile="12345")
    assert "12345" in exc.value.message_dict["mobile"][0]
    person = officer(world, mobile="+86 139-0571-0002")
    assert person.mobile == "13905710002"
    assert AuditEntry.objects.filter(
        action="unit_person.created", target_id=str(person.pk)
    ).exists()


def test_a_certified_worker_needs_certificate_type_and_number(world):
    with pytest.raises(ValidationError) as exc:
        person_create(
            actor=world.expert_a,
            unit_id=world.unit_a.pk,
            role=PersonRole.CERTIFIED_WORKER,
            name="孙电工",
        )
    assert {"certificate_type", "certificate_no"} <= set(exc.value.message_dict)
    worker = person_create(
        actor=world.expert_a,
        unit_id=world.unit_a.pk,
        role=PersonRole.CERTIFIED_WORKER,
        name="孙电工",
        certificate_type="电工作业",
        certificate_no="T330111199001011234",
        certificate_valid_to=datetime.date(2028, 6, 30),
    )
    assert worker.certificate_valid_to == datetime.date(2028, 6, 30)


def test_update_and_remove_are_audited(world):
    person = officer(world)
    person_update(actor=world.town_office_a, person_id=person.pk, changes={"name": "钱新"})
    person.refresh_from_db()
    assert person.name == "钱新"
    person_delete(actor=world.town_office_a, person_id=person.pk, reason="离职")
    assert not UnitPerson.objects.filter(pk=person.pk).exists()
    assert AuditEntry.objects.get(action="unit_person.deleted").reason == "离职"
    assert AuditEntry.objects.filter(action="unit_person.updated").count() == 1


def test_people_of_another_unit_are_out_of_reach(world):
    person = person_create(
        actor=world.town_office_b,
        unit_id=world.unit_b.pk,
        role=PersonRole.PRINCIPAL,
        name="丙老板",
    )
    with pytest.raises(Http404):
        person_update(actor=world.enterprise_a, person_id=person.pk, changes={"name": "x"})
    with pytest.raises(Http404):
        person_delete(actor=world.town_office_a, person_id=person.pk)
    with pytest.raises(Http404):
        person_create(actor=world.enterprise_a, unit_id=world.unit_b.pk, role="principal", name="x")


def test_add_edit_remove_by_page(world, client, login):
    login("enterprise_a")
    response = client.post(
        reverse("units:person_create", args=[world.unit_a.pk]),
        {"role": "safety_officer", "name": "周安全", "mobile": "1390571000"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["mobile"]
    response = client.post(
        reverse("units:person_create", args=[world.unit_a.pk]),
        {"role": "safety_officer", "name": "周安全", "mobile": "13905710003"},
    )
    assert response.status_code == 302
    person = UnitPerson.objects.get(name="周安全")
    response = client.post(
        reverse("units:person_edit", args=[person.pk]),
        {"role": "principal", "name": "周总", "mobile": "13905710003"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.role, person.name) == ("principal", "周总")
    assert client.get(reverse("units:person_delete", args=[person.pk])).status_code == 200
    response = client.post(reverse("units:person_delete", args=[person.pk]), {"reason": ""})
    assert response.status_code == 302
    assert not UnitPerson.objects.filter(pk=person.pk).exists()


def test_pages_of_another_units_people_are_404(world, client, login):
    person = person_create(
        actor=None, unit_id=world.unit_b.pk, role=PersonRole.PRINCIPAL, name="丙老板"
    )
    login("enterprise_a")
    assert client.get(reverse("units:person_edit", args=[person.pk])).status_code == 404
    assert client.post(reverse("units:person_delete", args=[person.pk])).status_code == 404
    assert client.get(reverse("units:person_create", args=[world.unit_b.pk])).status_code == 404
    assert UnitPerson.objects.filter(pk=person.pk).exists()


def test_api_people_create_list_get_patch_delete(world, client):
    headers = bearer(world.expert_a)
    base = f"/api/v1/units/{world.unit_a.pk}/people"
    created = client.post(
        base,
        {"role": "safety_officer", "name": "吴安全", "mobile": "13905710004"},
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201, created.content
    person_id = created.json()["id"]
    assert [p["id"] for p in client.get(base, **headers).json()] == [person_id]
    assert client.get(f"/api/v1/units/people/{person_id}", **headers).json()["name"] == "吴安全"
    patched = client.patch(
        f"/api/v1/units/people/{person_id}",
        {"mobile": "bad"},
        content_type="application/json",
        **headers,
    )
    assert patched.status_code == 422
    assert patched.json()["error"]["details"][0]["field"] == "mobile"
    patched = client.patch(
        f"/api/v1/units/people/{person_id}",
        {"name": "吴主任"},
        content_type="application/json",
        **headers,
    )
    assert patched.json()["name"] == "吴主任"
    assert client.delete(f"/api/v1/units/people/{person_id}", **headers).status_code == 204
    assert not UnitPerson.objects.filter(pk=person_id).exists()


def test_api_people_of_another_unit_are_404(world, client):
    person = person_create(
        actor=None, unit_id=world.unit_b.pk, role=PersonRole.PRINCIPAL, name="丙老板"
    )
    headers = bearer(world.enterprise_a)
    assert client.get(f"/api/v1/units/{world.unit_b.pk}/people", **headers).status_code == 404
    assert client.get(f"/api/v1/units/people/{person.pk}", **headers).status_code == 404
    assert client.delete(f"/api/v1/units/people/{person.pk}", **headers).status_code == 404
    response = client.post(
        f"/api/v1/units/{world.unit_b.pk}/people",
        {"role": "contact", "name": "x"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 404
    assert UnitPerson.objects.filter(unit=world.unit_b).count() == 1
