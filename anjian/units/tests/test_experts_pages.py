"""The pages and the API of the experts on contract, for each persona."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from anjian.accounts.roles import Role
from anjian.accounts.services import api_token_issue, role_assign, user_create
from anjian.units import experts
from anjian.units.models import Engineer, ExpertAssignment, ServiceFirm
from anjian.units.tests.test_experts import make_firms

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms(world):
    return make_firms(world)


@pytest.fixture
def colleague(world, password):
    user = user_create(
        actor=None, username="office2", name="同事", password=password, must_change_password=False
    )
    role_assign(actor=None, user=user, role=Role.TOWN_OFFICE, region=world.town_a)
    return user


def api(client, user, method: str, path: str, body=None):
    token = api_token_issue(user=user, name="t").raw
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = "/api/v1/experts" + path
    if method == "get":
        return client.get(url, **headers)
    return getattr(client, method)(
        url, json.dumps(body or {}), content_type="application/json", **headers
    )


# --- Pages ---------------------------------------------------------------------------------------


def test_the_office_lists_searches_and_exports_its_firms(client, login, firms):
    login("town_office_a")
    response = client.get(reverse("units:firm_list"))
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [firms.firm_a]
    assert "常安安服" not in response.content.decode()
    assert not client.get(reverse("units:firm_list"), {"q": "不存在"}).context["object_list"]
    export = client.get(reverse("units:firm_list"), {"export": "xlsx"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    engineers = client.get(reverse("units:engineer_list"), {"firm": firms.firm_a.pk})
    assert {e.name for e in engineers.context["object_list"]} == {"沈注安", "钱安平", "陆思远"}
    assert client.get(reverse("units:engineer_list"), {"export": "xlsx"}).status_code == 200


def test_roles_without_the_experts_pages_get_403(client, login, firms):
    for persona in ("enterprise_a", "expert_a", "village_officer_a"):
        login(persona)
        assert client.get(reverse("units:firm_list")).status_code == 403
        assert client.get(reverse("units:engineer_list")).status_code == 403
    login("inspector_a")
    assert client.get(reverse("units:firm_list")).status_code == 200
    assert client.get(reverse("units:firm_create")).status_code == 403


def test_firms_and_engineers_of_another_town_are_404(client, login, firms):
    login("town_office_b")
    assert client.get(reverse("units:firm_detail", args=[firms.firm_a.pk])).status_code == 404
    assert client.get(reverse("units:firm_edit", args=[firms.firm_a.pk])).status_code == 404
    assert client.get(reverse("units:engineer_detail", args=[firms.qian.pk])).status_code == 404
    response = client.post(reverse("units:engineer_edit", args=[firms.qian.pk]), {"name": "改"})
    assert response.status_code == 404
    assert Engineer.objects.get(pk=firms.qian.pk).name == "钱安平"


def test_the_office_creates_and_edits_a_firm_and_an_engineer(client, login, world):
    login("town_office_a")
    response = client.post(
        reverse("units:firm_create"),
        {"region": world.town_a.pk, "name": "新安服", "contract_from": "2026-01-01"},
    )
    firm = ServiceFirm.objects.get(name="新安服")
    assert response.status_code == 302 and response["Location"].endswith(f"/{firm.pk}/")
    bad = client.post(reverse("units:firm_create"), {"region": world.town_a.pk, "name": "新安服"})
    assert bad.status_code == 200 and "新安服" in bad.content.decode()
    assert bad.context["form"].errors["name"]
    response = client.post(
        reverse("units:firm_edit", args=[firm.pk]), {"name": "新安服公司", "contact_name": "赵"}
    )
    assert response.status_code == 302
    firm.refresh_from_db()
    assert (firm.name, firm.contact_name) == ("新安服公司", "赵")
    response = client.post(
        reverse("units:engineer_create"),
        {"firm": firm.pk, "name": "孙工", "mobile": "139-0000-1111", "is_active": "on"},
    )
    engineer = Engineer.objects.get(name="孙工")
    assert response.status_code == 302 and engineer.mobile == "13900001111"
    bad = client.post(
        reverse("units:engineer_edit", args=[engineer.pk]), {"name": "孙工", "mobile": "12345"}
    )
    assert bad.context["form"].errors["mobile"]
    detail = client.get(reverse("units:engineer_detail", args=[engineer.pk]))
    assert detail.status_code == 200 and "孙工" in detail.content.decode()
    assert client.get(reverse("units:firm_detail", args=[firm.pk])).status_code == 200


def test_assign_request_and_approve_through_the_unit_page(client, login, world, firms, colleague):
    unit = world.unit_a
    login("town_office_a")
    page = client.get(reverse("units:unit_experts", args=[unit.pk]))
    assert page.status_code == 200 and page.context["tab"]["can_assign"]
    response = client.post(
        reverse("units:unit_expert_assign", args=[unit.pk]), {"engineer": firms.qian.pk}
    )
    assert response.status_code == 302
    login("inspector_a")
    refused = client.post(
        reverse("units:unit_expert_assign", args=[unit.pk]), {"engineer": firms.lu.pk}
    )
    assert refused.status_code == 400
    assert refused.context["tab"]["form"].errors["reason"]
    client.post(
        reverse("units:unit_expert_assign", args=[unit.pk]),
        {"engineer": firms.lu.pk, "reason": "钱工调往外镇"},
    )
    pending = ExpertAssignment.objects.get(unit=unit, status="pending")
    login("inspector_a")
    url = reverse("units:expert_assignment_approve", args=[pending.pk])
    assert client.post(url).status_code == 403
    client.force_login(colleague)
    page = client.get(reverse("units:unit_experts", args=[unit.pk]))
    assert page.context["tab"]["can_decide"]
    assert "钱工调往外镇" in page.content.decode()
    assert client.post(url, {"note": "同意"}).status_code == 302
    assert experts.active_engineer_ids_for_units([unit.pk]) == {unit.pk: firms.lu.pk}
    history = client.get(reverse("units:unit_experts", args=[unit.pk])).content.decode()
    assert "钱安平" in history and "陆思远" in history
    engineer_page = client.get(reverse("units:engineer_detail", args=[firms.qian.pk]))
    assert unit.name in engineer_page.content.decode()


def test_the_requester_cannot_approve_on_the_page(client, login, world, firms):
    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a, engineer=firms.qian)
    pending = experts.expert_assign(
        actor=world.town_office_a, unit=world.unit_a, engineer=firms.lu, reason="调整"
    )
    login("town_office_a")
    page = client.get(reverse("units:unit_experts", args=[world.unit_a.pk]))
    assert page.context["tab"]["own_pending"]
    response = client.post(reverse("units:expert_assignment_approve", args=[pending.pk]))
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"
    # Rejecting needs a note; the office may withdraw its own request with one.
    client.post(reverse("units:expert_assignment_reject", args=[pending.pk]), {"note": ""})
    pending.refresh_from_db()
    assert pending.status == "pending"
    client.post(reverse("units:expert_assignment_reject", args=[pending.pk]), {"note": "撤回"})
    pending.refresh_from_db()
    assert pending.status == "rejected"


def test_an_enterprise_user_sees_only_its_own_units_engineer(client, login, world, firms):
    a = experts.expert_assign(actor=world.town_office_a, unit=world.unit_a, engineer=firms.qian)
    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a2, engineer=firms.lu)
    login("enterprise_a")
    page = client.get(reverse("units:unit_experts", args=[world.unit_a.pk]))
    assert page.status_code == 200 and "钱安平" in page.content.decode()
    assert not page.context["tab"]["can_request"] and not page.context["tab"]["can_assign"]
    assert client.get(reverse("units:unit_experts", args=[world.unit_a2.pk])).status_code == 404
    listed = client.get(reverse("units:expert_assignment_list"))
    assert list(listed.context["object_list"]) == [a]
    post = client.post(
        reverse("units:unit_expert_assign", args=[world.unit_a.pk]),
        {"engineer": firms.lu.pk, "reason": "想换"},
    )
    assert post.status_code == 403


def test_the_expert_may_ask_to_hand_over_its_unit(client, login, world, firms):
    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a, engineer=firms.shen)
    login("expert_a")
    page = client.get(reverse("units:unit_experts", args=[world.unit_a.pk]))
    assert page.context["tab"]["can_request"]
    client.post(
        reverse("units:unit_expert_assign", args=[world.unit_a.pk]),
        {"engineer": firms.qian.pk, "reason": "交接"},
    )
    assert ExpertAssignment.objects.filter(unit=world.unit_a, status="pending").exists()
    assert client.get(reverse("units:unit_experts", args=[world.unit_a2.pk])).status_code == 404


# --- API -----------------------------------------------------------------------------------------


def test_api_firms_and_engineers_by_persona(client, world, firms):
    body = api(client, world.town_office_a, "get", "/firms").json()
    assert [row["name"] for row in body["items"]] == ["富春安服"]
    assert api(client, world.district_officer, "get", "/firms").json()["count"] == 2
    assert api(client, world.enterprise_a, "get", "/firms").status_code == 403
    assert api(client, world.town_office_b, "get", f"/firms/{firms.firm_a.pk}").status_code == 404
    created = api(
        client, world.town_office_a, "post", "/firms", {"region_id": world.town_a.pk, "name": "甲"}
    )
    assert created.status_code == 201
    firm_id = created.json()["id"]
    wrong_town = api(
        client, world.town_office_a, "post", "/firms", {"region_id": world.town_b.pk, "name": "乙"}
    )
    assert wrong_town.status_code == 422
    assert (
        api(client, world.inspector_a, "post", "/firms", {"region_id": 1, "name": "x"}).status_code
        == 403
    )
    patched = api(client, world.town_office_a, "patch", f"/firms/{firm_id}", {"contact_name": "赵"})
    assert patched.json()["contact_name"] == "赵"
    assert (
        api(client, world.inspector_a, "patch", f"/firms/{firm_id}", {"name": "x"}).status_code
        == 403
    )
    engineer = api(
        client, world.town_office_a, "post", "/engineers", {"firm_id": firm_id, "name": "孙工"}
    )
    assert engineer.status_code == 201
    engineer_id = engineer.json()["id"]
    assert (
        api(
            client, world.town_office_b, "patch", f"/engineers/{engineer_id}", {"name": "x"}
        ).status_code
        == 404
    )
    patched = api(
        client,
        world.town_office_a,
        "patch",
        f"/engineers/{engineer_id}",
        {"user_id": world.village_officer_a.pk, "is_active": False},
    )
    assert (
        patched.json()["user_id"] == world.village_officer_a.pk
        and patched.json()["is_active"] is False
    )
    listed = api(client, world.town_office_b, "get", "/engineers").json()
    assert [row["name"] for row in listed["items"]] == ["吴工"]
    assert api(client, world.town_office_a, "get", f"/engineers/{firms.qian.pk}").status_code == 200


def test_api_assign_change_approve_and_reject(client, world, firms, colleague):
    unit = world.unit_a
    first = api(
        client,
        world.town_office_a,
        "post",
        "/assignments",
        {"unit_id": unit.pk, "engineer_id": firms.qian.pk},
    )
    assert first.status_code == 201 and first.json()["status"] == "active"
    no_reason = api(
        client,
        world.inspector_a,
        "post",
        "/assignments",
        {"unit_id": unit.pk, "engineer_id": firms.lu.pk},
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["details"][0]["field"] == "reason"
    change = api(
        client,
        world.inspector_a,
        "post",
        "/assignments",
        {"unit_id": unit.pk, "engineer_id": firms.lu.pk, "reason": "调整"},
    )
    assert change.status_code == 201 and change.json()["status"] == "pending"
    pending_id = change.json()["id"]
    path = f"/assignments/{pending_id}/approve"
    assert api(client, world.inspector_a, "post", path).status_code == 403
    assert api(client, world.town_office_b, "post", path).status_code == 404
    approved = api(client, colleague, "post", path, {"note": "同意"})
    assert approved.status_code == 200 and approved.json()["status"] == "active"
    again = api(client, world.town_office_a, "post", path)
    assert again.status_code == 409
    history = api(client, world.town_office_a, "get", f"/assignments?unit={unit.pk}").json()
    assert [row["status"] for row in history["items"]] == ["active", "ended"]
    second = api(
        client,
        world.town_office_a,
        "post",
        "/assignments",
        {"unit_id": unit.pk, "engineer_id": firms.qian.pk, "reason": "换回"},
    ).json()
    own = api(client, world.town_office_a, "post", f"/assignments/{second['id']}/approve")
    assert own.status_code == 403
    rejected = api(
        client, colleague, "post", f"/assignments/{second['id']}/reject", {"note": "不换"}
    )
    assert rejected.json()["status"] == "rejected"
    other_town = api(
        client,
        world.town_office_a,
        "post",
        "/assignments",
        {"unit_id": unit.pk, "engineer_id": firms.other_town.pk, "reason": "x"},
    )
    assert other_town.status_code == 422


def test_api_an_enterprise_user_never_sees_another_units_assignments(client, world, firms):
    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a, engineer=firms.qian)
    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a2, engineer=firms.lu)
    experts.expert_assign(actor=world.town_office_b, unit=world.unit_b, engineer=firms.other_town)
    own = api(client, world.enterprise_a, "get", "/assignments").json()
    assert {row["unit_id"] for row in own["items"]} == {world.unit_a.pk}
    other = api(client, world.enterprise_a, "get", f"/assignments?unit={world.unit_a2.pk}").json()
    assert other == {"items": [], "count": 0}
    refused = api(
        client,
        world.enterprise_a,
        "post",
        "/assignments",
        {"unit_id": world.unit_a.pk, "engineer_id": firms.lu.pk, "reason": "x"},
    )
    assert refused.status_code == 403
    b_rows = api(client, world.town_office_b, "get", "/assignments").json()["items"]
    assert {row["unit_id"] for row in b_rows} == {world.unit_b.pk}


def test_the_tab_partial_renders_for_the_unit_page_without_forms(rf, world, firms):
    from django.template.loader import render_to_string

    experts.expert_assign(actor=world.town_office_a, unit=world.unit_a, engineer=firms.qian)
    experts.expert_assign(
        actor=world.inspector_a, unit=world.unit_a, engineer=firms.lu, reason="调整"
    )
    request = rf.get("/")
    request.user = world.town_office_a
    tab = experts.unit_experts_tab(world.town_office_a, world.unit_a)
    html = render_to_string("units/_experts_tab.html", {"tab": tab}, request=request)
    assert "钱安平" in html and "调整" in html
    assert reverse("units:unit_experts", args=[world.unit_a.pk]) in html
