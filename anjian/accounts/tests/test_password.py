"""Password change, including the forced change of the initial password."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.accounts.models import User
from anjian.accounts.tests.helpers import audited

pytestmark = pytest.mark.django_db

NEW = "Changkou!Safe2026"


def change(client, old, new1, new2=None, url=None):
    return client.post(
        url or reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def test_a_new_user_is_sent_to_change_the_initial_password(client, world, login):
    user = login("inspector_a")
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change") + "?required=1"
    page = client.get(response["Location"]).content.decode()
    assert "初始密码" in page


def test_changing_the_password_clears_the_flag_and_keeps_the_session(
    client, world, login, password
):
    user = login("inspector_a")
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    response = change(client, password, NEW)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.check_password(NEW)
    assert client.get(reverse("core:home")).status_code == 200  # still logged in, not redirected
    assert audited("user.password_changed", actor=user) is not None


def test_wrong_current_password_is_refused(client, world, login):
    user = login("inspector_a")
    response = change(client, "not-my-password", NEW)
    assert response.status_code == 200
    assert "当前密码不正确" in response.content.decode()
    user.refresh_from_db()
    assert not user.check_password(NEW)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short1A", "密码长度太短"),
        ("12345678901", "密码只包含数字"),
        ("password123", "这个密码太常见了"),
    ],
)
def test_django_password_validators_speak_chinese(client, world, login, password, new, message):
    login("inspector_a")
    response = change(client, password, new)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_two_new_passwords_must_match(client, world, login, password):
    login("inspector_a")
    response = change(client, password, NEW, NEW + "x")
    assert "两次输入的新密码不一致" in response.content.decode()


def test_password_change_needs_login(client, world):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_password_change_on_the_page_revokes_the_api_tokens(client, world, login, password):
    """Issue 16 §3: the tokens end with the other sessions; another person's tokens stay."""
    from anjian.accounts.models import ApiToken
    from anjian.accounts.services import api_token_issue

    user = world.inspector_a
    raw = api_token_issue(user=user, name="手机").raw
    others = api_token_issue(user=world.leader_a, name="手机").raw
    me = "/api/v1/auth/me"
    assert client.get(me, headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    login("inspector_a")
    response = change(client, password, NEW)
    assert response.status_code == 302
    anonymous = client.__class__()
    refused = anonymous.get(me, headers={"Authorization": f"Bearer {raw}"})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "token_revoked"
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert anonymous.get(me, headers={"Authorization": f"Bearer {others}"}).status_code == 200
