"""Every capability of the account pages is in the API too: changing one's password, adding and
revoking roles, switching two-factor log-in off. Same services, same scope, Chinese messages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from anjian.accounts.models import RoleAssignment, User
from anjian.accounts.roles import Role
from anjian.accounts.services import api_token_issue, user_create_with_role
from anjian.accounts.tests.helpers import audited, enrol_totp

pytestmark = pytest.mark.django_db

BASE = "/api/v1/auth"
NEW_PASSWORD = "Changed#Pass2026"


def post_json(client, path, body, **headers):
    return client.post(
        BASE + path, data=json.dumps(body), content_type="application/json", headers=headers
    )


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token_issue(user=user, name='test').raw}"}


def error(response) -> dict:
    return response.json()["error"]


@pytest.fixture
def newcomer(world):
    """A person the town office has just created: they must change the initial password."""
    return user_create_with_role(
        actor=world.town_office_a,
        username="zhaoliu",
        name="赵六",
        password="Initial#Pass2026",
        role=Role.INSPECTOR,
        region=world.town_a,
    )


# --- POST /password -----------------------------------------------------------------------------


def test_a_newcomer_with_a_session_changes_the_initial_password_then_gets_a_token(client, newcomer):
    client.force_login(newcomer)
    refused = post_json(client, "/token", {"username": "zhaoliu", "password": "Initial#Pass2026"})
    assert error(refused)["code"] == "password_change_required"
    response = post_json(
        client,
        "/password",
        {"old_password": "Initial#Pass2026", "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 200, response.content
    assert response.json()["user"]["must_change_password"] is False
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD) and not newcomer.must_change_password
    assert audited("user.password_changed", actor=newcomer) is not None
    # The session that changed the password stays logged in.
    assert client.get(BASE + "/me").status_code == 200
    issued = post_json(Client(), "/token", {"username": "zhaoliu", "password": NEW_PASSWORD})
    assert issued.status_code == 200, issued.content


def test_a_wrong_current_password_is_refused_in_chinese(client, world, password):
    response = post_json(
        client,
        "/password",
        {"old_password": "wrong", "new_password": NEW_PASSWORD},
        **bearer(world.inspector_a),
    )
    assert response.status_code == 422
    assert error(response)["details"][0]["field"] == "old_password"
    assert error(response)["message"] == "当前密码不正确。"
    world.inspector_a.refresh_from_db()
    assert world.inspector_a.check_password(password)
    assert audited("user.password_changed") is None


def test_a_weak_new_password_is_refused_with_the_validators_messages_in_chinese(
    client, world, password
):
    response = post_json(
        client,
        "/password",
        {"old_password": password, "new_password": "12345"},
        **bearer(world.inspector_a),
    )
    assert response.status_code == 422
    details = error(response)["details"]
    assert {d["field"] for d in details} == {"new_password"}
    messages = " ".join(d["message"] for d in details)
    assert "太短" in messages and "数字" in messages, messages
    world.inspector_a.refresh_from_db()
    assert world.inspector_a.check_password(password)


def test_the_new_password_must_differ_from_the_current_one(client, world, password):
    response = post_json(
        client,
        "/password",
        {"old_password": password, "new_password": password},
        **bearer(world.inspector_a),
    )
    assert response.status_code == 422
    assert error(response)["details"][0]["field"] == "new_password"
    assert "不能与当前密码相同" in error(response)["message"]


def test_a_password_change_by_token_revokes_every_token_the_one_used_too(client, world, password):
    """Issue 16 §3: a token stands for the password that issued it. The phone that changed the
    password logs in again with the new one."""
    headers = bearer(world.leader_a)
    other = bearer(world.leader_a)
    response = post_json(
        client, "/password", {"old_password": password, "new_password": NEW_PASSWORD}, **headers
    )
    assert response.status_code == 200
    for sent in (headers, other):
        refused = client.get(BASE + "/me", headers=sent)
        assert refused.status_code == 401
        assert error(refused)["code"] == "token_revoked"
    assert audited("user.password_changed", actor=world.leader_a).changes == {
        "api_tokens_revoked": 2
    }
    issued = post_json(Client(), "/token", {"username": "leader_a", "password": NEW_PASSWORD})
    assert issued.status_code == 200


def test_a_password_change_needs_a_log_in_and_the_csrf_token_with_a_session(client, world):
    body = {"old_password": "x", "new_password": NEW_PASSWORD}
    assert post_json(client, "/password", body).status_code == 401
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.inspector_a)
    response = post_json(strict, "/password", body)
    assert response.status_code == 403
    assert "CSRF" in error(response)["message"]


# --- POST /users/{id}/roles and /roles/{id}/revoke ----------------------------------------------


def test_the_town_office_gives_a_person_another_role(client, world):
    person = world.inspector_a
    response = post_json(
        client,
        f"/users/{person.pk}/roles",
        {"role": "committee_member", "committee_id": world.committee_a_fire.pk, "title": "委员"},
        **bearer(world.town_office_a),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["role"] == Role.COMMITTEE_MEMBER
    assert body["committee_name"] == world.committee_a_fire.name
    assert body["is_active"] is True and body["title"] == "委员"
    assignment = RoleAssignment.objects.get(pk=body["id"])
    assert assignment.user == person
    assert audited("role.assigned", actor=world.town_office_a, target_id=str(assignment.pk))
    detail = client.get(f"{BASE}/users/{person.pk}", headers=bearer(world.town_office_a)).json()
    assert {r["role"] for r in detail["roles"]} == {Role.INSPECTOR, Role.COMMITTEE_MEMBER}


def test_the_same_role_twice_is_refused_in_chinese(client, world):
    response = post_json(
        client,
        f"/users/{world.inspector_a.pk}/roles",
        {"role": "inspector", "region_id": world.town_a.pk},
        **bearer(world.town_office_a),
    )
    assert response.status_code == 422
    assert error(response)["details"][0]["field"] == "role"
    assert "已" in error(response)["message"]


def test_a_role_needs_the_matching_scope(client, world):
    response = post_json(
        client,
        f"/users/{world.inspector_a.pk}/roles",
        {"role": "enterprise", "region_id": world.town_a.pk},
        **bearer(world.town_office_a),
    )
    assert response.status_code == 422
    assert error(response)["details"][0]["field"] == "unit"
    assert "监管对象" in error(response)["message"]


def test_a_scope_outside_the_town_is_422_in_chinese(client, world):
    for field, target in (
        ("region_id", world.town_b),
        ("unit_id", world.unit_b),
        ("committee_id", world.committee_b),
    ):
        role = {
            "region_id": "inspector",
            "unit_id": "enterprise",
            "committee_id": "committee_member",
        }
        response = post_json(
            client,
            f"/users/{world.inspector_a.pk}/roles",
            {"role": role[field], field: target.pk},
            **bearer(world.town_office_a),
        )
        assert response.status_code == 422, field
        assert error(response)["details"][0]["field"] == field
        assert "不在您所辖的镇街范围内" in error(response)["message"]
    assert RoleAssignment.objects.filter(user=world.inspector_a).count() == 1


def test_a_person_of_another_town_is_404_for_role_changes(client, world):
    headers = bearer(world.town_office_a)
    response = post_json(
        client,
        f"/users/{world.enterprise_b.pk}/roles",
        {"role": "inspector", "region_id": world.town_a.pk},
        **headers,
    )
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"
    role_b = world.enterprise_b.role_assignments.get()
    response = post_json(client, f"/roles/{role_b.pk}/revoke", {"reason": "x"}, **headers)
    assert response.status_code == 404
    role_b.refresh_from_db()
    assert role_b.is_active
    assert not RoleAssignment.objects.filter(user=world.enterprise_b, role="inspector").exists()


@pytest.mark.parametrize("persona", ["district_officer", "inspector_a", "enterprise_a"])
def test_roles_without_user_management_get_403(client, world, persona):
    headers = bearer(world.users[persona])
    response = post_json(
        client,
        f"/users/{world.enterprise_a.pk}/roles",
        {"role": "enterprise", "unit_id": world.unit_a2.pk},
        **headers,
    )
    assert response.status_code == 403
    assert error(response)["message"] == "您的角色不包括此操作。"
    role = world.enterprise_a.role_assignments.get()
    response = post_json(client, f"/roles/{role.pk}/revoke", {"reason": "x"}, **headers)
    assert response.status_code == 403
    assert RoleAssignment.objects.filter(user=world.enterprise_a, is_active=True).count() == 1


def test_the_town_office_revokes_a_role_with_a_reason(client, world):
    person = world.enterprise_a2
    role = person.role_assignments.get()
    response = post_json(
        client, f"/roles/{role.pk}/revoke", {"reason": "企业注销"}, **bearer(world.town_office_a)
    )
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    role.refresh_from_db()
    assert not role.is_active
    assert audited("role.revoked", actor=world.town_office_a).reason == "企业注销"
    # The person no longer has the role's powers; giving it back reactivates the same assignment.
    me = client.get(BASE + "/me", headers=bearer(User.objects.get(pk=person.pk))).json()
    assert me["user"]["roles"] == [] and "units.view" not in me["allowed_actions"]
    again = post_json(
        client,
        f"/users/{person.pk}/roles",
        {"role": "enterprise", "unit_id": world.unit_a2.pk},
        **bearer(world.town_office_a),
    )
    assert again.status_code == 201
    assert again.json()["id"] == role.pk and again.json()["is_active"] is True


# --- POST /two-factor/disable -------------------------------------------------------------------


def test_two_factor_log_in_is_switched_off_with_the_password(client, world, password):
    enrol_totp(world.town_office_a)
    headers = bearer(world.town_office_a)
    response = post_json(client, "/two-factor/disable", {"password": "wrong"}, **headers)
    assert response.status_code == 422
    assert error(response)["details"][0]["field"] == "password"
    assert "密码" in error(response)["message"]
    assert client.get(BASE + "/me", headers=headers).json()["two_factor"] is True
    response = post_json(client, "/two-factor/disable", {"password": password}, **headers)
    assert response.status_code == 200
    assert response.json()["two_factor"] is False
    assert audited("auth.totp_disabled", actor=world.town_office_a) is not None
