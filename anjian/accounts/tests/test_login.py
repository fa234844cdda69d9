"""Log-in and log-out through the pages."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from anjian.accounts.services import user_set_active
from anjian.accounts.tests.helpers import audited

pytestmark = pytest.mark.django_db

LOGIN = "accounts:login"


def post_login(client, login, password, **extra):
    return client.post(reverse(LOGIN), {"login": login, "password": password, **extra})


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_login_page_is_chinese_and_public(client):
    response = client.get(reverse(LOGIN))
    assert response.status_code == 200
    html = response.content.decode()
    assert "登录" in html
    assert "用户名或手机号" in html


def test_login_by_user_name(client, world, password):
    response = post_login(client, "inspector_a", password)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert logged_in_as(client) == str(world.inspector_a.pk)


@pytest.mark.parametrize(
    "typed", ["13900000001", "139 0000 0001", "+86 139-0000-0001", "+8613900000001"]
)
def test_login_by_mobile_number_in_any_usual_spelling(client, world, password, typed):
    response = post_login(client, typed, password)
    assert response.status_code == 302
    assert logged_in_as(client) == str(world.inspector_a.pk)


def test_wrong_password_is_refused_with_a_chinese_message(client, world):
    response = post_login(client, "inspector_a", "not-the-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert logged_in_as(client) is None
    entry = audited("auth.login_failed", target_id=str(world.inspector_a.pk))
    assert entry is not None


def test_unknown_user_gets_the_same_message_and_is_audited(client, world):
    response = post_login(client, "nobody", "whatever-123")
    assert "用户名或密码错误" in response.content.decode()
    assert audited("auth.login_failed", target_repr="nobody") is not None


def test_lock_out_after_five_failures_and_unlock_after_the_period(
    client, world, password, settings
):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for _attempt in range(settings.ANJIAN_LOGIN_MAX_FAILURES - 1):
            response = post_login(client, "inspector_a", "wrong-password")
            assert "用户名或密码错误" in response.content.decode()
        response = post_login(client, "inspector_a", "wrong-password")
        html = response.content.decode()
        unlock = timezone.localtime(
            start + datetime.timedelta(minutes=settings.ANJIAN_LOGIN_LOCK_MINUTES)
        )
        assert "锁定" in html
        assert unlock.strftime("%H:%M") in html
        assert audited("auth.locked", target_id=str(world.inspector_a.pk)) is not None

        # Even the right password is refused while locked.
        response = post_login(client, "inspector_a", password)
        assert "锁定" in response.content.decode()
        assert logged_in_as(client) is None
        refused = audited("auth.login_refused_locked", target_id=str(world.inspector_a.pk))
        assert refused is not None

        traveller.shift(datetime.timedelta(minutes=settings.ANJIAN_LOGIN_LOCK_MINUTES, seconds=1))
        response = post_login(client, "inspector_a", password)
        assert response.status_code == 302
        assert logged_in_as(client) == str(world.inspector_a.pk)
    # The log-in cleared the failures of this account from this address.
    assert not AccessAttempt.objects.filter(username="inspector_a").exists()


def test_deactivated_user_is_refused(client, world, password):
    user_set_active(actor=world.town_office_a, user=world.inspector_a, active=False, reason="调离")
    response = post_login(client, "inspector_a", password)
    assert "已停用" in response.content.decode()
    assert logged_in_as(client) is None
    assert audited("auth.login_refused_inactive", target_id=str(world.inspector_a.pk))


def test_successful_login_is_audited(client, world, password):
    post_login(client, "leader_a", password)
    entry = audited("auth.login", actor=world.leader_a)
    assert entry is not None
    assert entry.changes == {"method": "password"}
    world.leader_a.refresh_from_db()
    assert world.leader_a.last_login is not None


def test_safe_next_is_honoured_and_foreign_next_ignored(client, world, password):
    response = post_login(client, "leader_a", password, next="/accounts/profile/")
    assert response["Location"] == "/accounts/profile/"
    client.logout()
    response = post_login(client, "leader_a", password, next="https://evil.example.com/")
    assert response["Location"] == reverse("core:home")


def test_login_form_keeps_next_from_the_query_string(client, world):
    response = client.get(reverse(LOGIN) + "?next=/accounts/profile/")
    assert 'name="next" value="/accounts/profile/"' in response.content.decode()


def test_logout_needs_post_and_is_audited(client, world, login):
    login("leader_a")
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse(LOGIN)
    assert logged_in_as(client) is None
    assert audited("auth.logout", actor=world.leader_a) is not None
