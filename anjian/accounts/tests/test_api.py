"""The accounts API at /api/v1/auth: tokens, /me and user management."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anjian.accounts.models import ApiToken, RoleAssignment, User
from anjian.accounts.roles import Role
from anjian.accounts.services import (
    api_token_issue,
    role_assign,
    role_revoke,
    user_set_active,
)
from anjian.accounts.tests.helpers import audited, current_code, enrol_totp

pytestmark = pytest.mark.django_db

BASE = "/api/v1/auth"


def post_json(client, path, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(BASE + path, data=data, content_type="application/json", headers=headers)


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


def issue(client, username, password, **extra):
    return post_json(client, "/token", {"username": username, "password": password, **extra})


def token_for(user) -> str:
    return api_token_issue(user=user, name="test").raw


def error(response) -> dict:
    return response.json()["error"]


# --- POST /token --------------------------------------------------------------------------------


def test_token_issue_and_use(client, world, password):
    response = issue(client, "inspector_a", password, name="手机")
    assert response.status_code == 200
    body = response.json()
    assert body["token"].startswith("aj_")
    token = ApiToken.objects.get(pk=body["token_id"])
    assert token.user == world.inspector_a and token.name == "手机"
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - token.expires_at) < datetime.timedelta(seconds=1)
    me = client.get(BASE + "/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.json()["user"]["username"] == "inspector_a"
    assert audited("api_token.issued", actor=world.inspector_a) is not None
    assert audited("auth.login", actor=world.inspector_a).changes == {"method": "api_token"}


def test_token_issue_by_mobile_number(client, world, password):
    response = issue(client, "+86 139 0000 0001", password)
    assert response.status_code == 200
    assert ApiToken.objects.get(pk=response.json()["token_id"]).user == world.inspector_a


def test_token_issue_wrong_password_is_401_in_chinese(client, world):
    response = issue(client, "inspector_a", "wrong")
    assert response.status_code == 401
    assert error(response)["code"] == "invalid_credentials"
    assert "用户名或密码错误" in error(response)["message"]
    assert not ApiToken.objects.exists()
    assert audited("auth.login_failed", target_id=str(world.inspector_a.pk)) is not None


def test_token_issue_locked_account(client, world, password, settings):
    for _attempt in range(settings.ANJIAN_LOGIN_MAX_FAILURES):
        response = issue(client, "inspector_a", "wrong")
    assert error(response)["code"] == "locked"
    response = issue(client, "inspector_a", password)
    assert response.status_code == 401
    assert error(response)["code"] == "locked"
    assert "锁定" in error(response)["message"]
    assert not ApiToken.objects.exists()


def test_token_issue_for_a_deactivated_user(client, world, password):
    user_set_active(actor=None, user=world.inspector_a, active=False)
    response = issue(client, "inspector_a", password)
    assert response.status_code == 401
    assert error(response)["code"] == "inactive"


def test_token_issue_needs_the_code_for_two_factor_accounts(client, world, password):
    device = enrol_totp(world.inspector_a)
    response = issue(client, "inspector_a", password)
    assert response.status_code == 401
    assert error(response)["code"] == "otp_required"
    response = issue(client, "inspector_a", password, otp="000000")
    assert response.status_code == 401
    assert error(response)["code"] == "otp_invalid"
    assert not ApiToken.objects.exists()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2), tick=False):
        response = issue(client, "inspector_a", password, otp=current_code(device))
    assert response.status_code == 200


def test_token_issue_refused_until_the_initial_password_is_changed(client, world, password):
    User.objects.filter(pk=world.inspector_a.pk).update(must_change_password=True)
    response = issue(client, "inspector_a", password)
    assert response.status_code == 401
    assert error(response)["code"] == "password_change_required"


def test_malformed_json_is_400(client, world):
    response = post_json(client, "/token", '{"username": "inspector_a", "password": ')
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert error(response)["code"] == "malformed_json"
    assert not ApiToken.objects.exists()


def test_missing_fields_are_422(client, world):
    response = post_json(client, "/token", {"username": "inspector_a"})
    assert response.status_code == 422
    assert error(response)["code"] == "invalid"


# --- Using tokens -------------------------------------------------------------------------------


def test_missing_token_is_401(client, world):
    response = client.get(BASE + "/me")
    assert response.status_code == 401
    assert error(response)["code"] == "not_authenticated"
    assert "登录" in error(response)["message"]


def test_unknown_token_is_401(client, world):
    response = client.get(BASE + "/me", headers=bearer("aj_nonsense"))
    assert response.status_code == 401
    assert error(response)["code"] == "token_invalid"


def test_expired_token_is_401(client, world, settings):
    raw = token_for(world.inspector_a)
    later = timezone.now() + datetime.timedelta(days=settings.ANJIAN_API_TOKEN_DAYS, seconds=1)
    with time_machine.travel(later, tick=False):
        response = client.get(BASE + "/me", headers=bearer(raw))
    assert response.status_code == 401
    assert error(response)["code"] == "token_expired"
    assert "过期" in error(response)["message"]


def test_revoked_token_is_401(client, world):
    raw = token_for(world.inspector_a)
    token = ApiToken.objects.get(user=world.inspector_a)
    response = client.delete(f"{BASE}/tokens/{token.pk}", headers=bearer(raw))
    assert response.status_code == 204
    assert audited("api_token.revoked", actor=world.inspector_a) is not None
    response = client.get(BASE + "/me", headers=bearer(raw))
    assert response.status_code == 401
    assert error(response)["code"] == "token_revoked"


def test_token_of_a_deactivated_user_is_401(client, world):
    raw = token_for(world.inspector_a)
    user_set_active(actor=world.town_office_a, user=world.inspector_a, active=False, reason="离职")
    response = client.get(BASE + "/me", headers=bearer(raw))
    assert response.status_code == 401
    assert error(response)["code"] == "user_inactive"
    assert "停用" in error(response)["message"]


def test_a_role_withdrawn_is_refused_on_the_tokens_next_request(client, world):
    raw = token_for(world.inspector_a)
    assert client.get("/api/v1/hazards", headers=bearer(raw)).status_code == 200
    assignment = RoleAssignment.objects.get(user=world.inspector_a, is_active=True)
    role_revoke(actor=world.town_office_a, assignment=assignment, reason="调岗")
    response = client.get("/api/v1/hazards", headers=bearer(raw))
    assert response.status_code == 403
    assert "隐患" in response.json()["error"]["message"]
    me = client.get(BASE + "/me", headers=bearer(raw)).json()
    assert me["user"]["roles"] == []


def test_a_token_carries_every_active_role_of_its_user(client, world):
    role_assign(actor=None, user=world.inspector_a, role=Role.LEADER, region=world.town_a)
    withdrawn = role_assign(
        actor=None, user=world.inspector_a, role=Role.VILLAGE_OFFICER, region=world.village_a1
    )
    role_revoke(actor=None, assignment=withdrawn, reason="调岗")
    raw = token_for(world.inspector_a)
    me = client.get(BASE + "/me", headers=bearer(raw)).json()
    assert {r["role"] for r in me["user"]["roles"]} == {Role.INSPECTOR, Role.LEADER}
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/hazards", headers=bearer(raw))
    assert response.status_code == 200
    # The grants came with the token: no separate query of the role assignments.
    assert not [
        q for q in queries.captured_queries if ' FROM "accounts_roleassignment"' in q["sql"]
    ]


def test_tokens_list_shows_only_own_tokens(client, world):
    raw = token_for(world.inspector_a)
    token_for(world.leader_a)
    response = client.get(BASE + "/tokens", headers=bearer(raw))
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 1
    assert "key_hash" not in rows[0]


def test_revoking_someone_elses_token_is_404(client, world):
    raw = token_for(world.inspector_a)
    theirs = api_token_issue(user=world.leader_a).token
    response = client.delete(f"{BASE}/tokens/{theirs.pk}", headers=bearer(raw))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_me_lists_roles_with_scopes_and_allowed_actions(client, world):
    raw = token_for(world.town_office_a)
    body = client.get(BASE + "/me", headers=bearer(raw)).json()
    assert body["user"]["roles"][0]["role"] == Role.TOWN_OFFICE
    assert body["user"]["roles"][0]["region_name"] == "场口镇"
    assert "accounts.manage_users" in body["allowed_actions"]
    assert body["two_factor"] is False
    raw = token_for(world.enterprise_a)
    body = client.get(BASE + "/me", headers=bearer(raw)).json()
    assert body["user"]["roles"][0]["unit_name"] == world.unit_a.name
    assert "accounts.view_users" not in body["allowed_actions"]


def test_session_works_for_the_api_too(client, world, login):
    login("leader_a")
    response = client.get(BASE + "/me")
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "leader_a"


# --- Users --------------------------------------------------------------------------------------


def test_users_list_is_scoped(client, world):
    raw = token_for(world.town_office_a)
    response = client.get(BASE + "/users?page_size=100", headers=bearer(raw))
    assert response.status_code == 200
    names = {u["username"] for u in response.json()["items"]}
    assert {"inspector_a", "enterprise_a"} <= names
    assert "enterprise_b" not in names and "town_office_b" not in names
    response = client.get(BASE + "/users?role=enterprise", headers=bearer(raw))
    assert {u["username"] for u in response.json()["items"]} == {"enterprise_a", "enterprise_a2"}


def test_users_list_is_403_for_enterprise(client, world):
    raw = token_for(world.enterprise_a)
    response = client.get(BASE + "/users", headers=bearer(raw))
    assert response.status_code == 403
    assert error(response)["code"] == "forbidden"


def test_user_detail_is_404_outside_the_scope(client, world):
    raw = token_for(world.town_office_a)
    ok = client.get(f"{BASE}/users/{world.inspector_a.pk}", headers=bearer(raw))
    assert ok.status_code == 200
    assert ok.json()["roles"][0]["role"] == Role.INSPECTOR
    response = client.get(f"{BASE}/users/{world.enterprise_b.pk}", headers=bearer(raw))
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_users_create_with_a_role(client, world):
    raw = token_for(world.town_office_a)
    body = {
        "username": "wangwu",
        "name": "王五",
        "password": "Initial#Pass2026",
        "mobile": "13800005678",
        "role": "enterprise",
        "unit_id": world.unit_a.pk,
    }
    response = post_json(client, "/users", body, **bearer(raw))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["must_change_password"] is True
    assert data["roles"][0]["unit_id"] == world.unit_a.pk
    assert audited("user.created", actor=world.town_office_a) is not None


def test_users_create_outside_the_town_is_refused(client, world):
    raw = token_for(world.town_office_a)
    body = {
        "username": "wangwu",
        "name": "王五",
        "password": "Initial#Pass2026",
        "role": "enterprise",
        "unit_id": world.unit_b.pk,
    }
    response = post_json(client, "/users", body, **bearer(raw))
    assert response.status_code == 422
    assert error(response)["details"][0]["field"] == "unit_id"
    assert not User.objects.filter(username="wangwu").exists()


def test_users_create_needs_user_management(client, world):
    raw = token_for(world.district_officer)
    body = {
        "username": "wangwu",
        "name": "王五",
        "password": "Initial#Pass2026",
        "role": "inspector",
        "region_id": world.town_a.pk,
    }
    response = post_json(client, "/users", body, **bearer(raw))
    assert response.status_code == 403
    assert not User.objects.filter(username="wangwu").exists()


def test_users_create_with_a_bad_mobile_is_422_and_writes_nothing(client, world):
    raw = token_for(world.town_office_a)
    body = {
        "username": "wangwu",
        "name": "王五",
        "password": "Initial#Pass2026",
        "mobile": "123",
        "role": "inspector",
        "region_id": world.town_a.pk,
    }
    response = post_json(client, "/users", body, **bearer(raw))
    assert response.status_code == 422
    assert "手机号" in error(response)["message"]
    assert not User.objects.filter(username="wangwu").exists()
    assert not RoleAssignment.objects.filter(user__username="wangwu").exists()


def test_users_deactivate_and_activate(client, world):
    raw = token_for(world.town_office_a)
    url = f"{BASE}/users/{world.inspector_a.pk}"
    response = post_json(
        client, f"/users/{world.inspector_a.pk}/deactivate", {"reason": ""}, **bearer(raw)
    )
    assert response.status_code == 422
    response = post_json(
        client, f"/users/{world.inspector_a.pk}/deactivate", {"reason": "离职"}, **bearer(raw)
    )
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert audited("user.deactivated", actor=world.town_office_a).reason == "离职"
    response = post_json(client, f"/users/{world.inspector_a.pk}/activate", {}, **bearer(raw))
    assert response.status_code == 200
    assert response.json()["is_active"] is True
    assert client.get(url, headers=bearer(raw)).json()["is_active"] is True
    assert audited("user.activated", actor=world.town_office_a) is not None


def test_users_deactivate_in_another_town_is_404(client, world):
    raw = token_for(world.town_office_a)
    response = post_json(
        client, f"/users/{world.enterprise_b.pk}/deactivate", {"reason": "x"}, **bearer(raw)
    )
    assert response.status_code == 404
    response = post_json(client, f"/users/{world.enterprise_b.pk}/activate", {}, **bearer(raw))
    assert response.status_code == 404
    world.enterprise_b.refresh_from_db()
    assert world.enterprise_b.is_active
