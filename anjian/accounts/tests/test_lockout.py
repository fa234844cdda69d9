"""Log-in throttling (django-axes, ``accounts.lockout``): per (account, address) pair, per address
over all accounts, the same answers for unknown and locked accounts, unlocking by the office."""

from __future__ import annotations

import json
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from anjian.accounts.tests.helpers import audited

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


def post_login(client, login, password, address=ATTACKER, **headers):
    return client.post(
        reverse("accounts:login"),
        {"login": login, "password": password},
        REMOTE_ADDR=address,
        headers=headers,
    )


def issue(client, login, password, address=ATTACKER):
    return client.post(
        "/api/v1/auth/token",
        data=json.dumps({"username": login, "password": password}),
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def form_error(response) -> str:
    """The message of the log-in form (without the CSRF token and the like)."""
    html = response.content.decode()
    found = re.search(r'<div class="alert alert-danger[^"]*"[^>]*>(.*?)</div>', html, re.S)
    assert found, html[:2000]
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def logged_in(client) -> str | None:
    return client.session.get("_auth_user_id")


def fail(client, login, times, address=ATTACKER):
    for _attempt in range(times):
        response = post_login(client, login, "wrong-password-1", address)
    return response


def test_unknown_and_locked_accounts_get_the_same_answer(client, world, settings):
    limit = settings.ANJIAN_LOGIN_MAX_FAILURES
    with time_machine.travel(timezone.now(), tick=False):
        # Before the limit: the same message for a real and an unknown account.
        real = post_login(client, "inspector_a", "wrong-password-1", "192.0.2.1")
        unknown = post_login(client, "no-such-person", "wrong-password-1", "192.0.2.2")
        assert (real.status_code, form_error(real)) == (unknown.status_code, form_error(unknown))

        # At and after the limit: both are "locked", with the same words and status.
        real = fail(client, "inspector_a", limit, "192.0.2.1")
        unknown = fail(client, "no-such-person", limit, "192.0.2.2")
        assert "锁定" in form_error(real)
        assert (real.status_code, form_error(real)) == (unknown.status_code, form_error(unknown))
        real = post_login(client, "inspector_a", "wrong-password-1", "192.0.2.1")
        unknown = post_login(client, "no-such-person", "wrong-password-1", "192.0.2.2")
        assert (real.status_code, form_error(real)) == (unknown.status_code, form_error(unknown))

        # The API answers alike too.
        real, unknown = (
            issue(client, "inspector_a", "x", "192.0.2.1"),
            issue(client, "no-such-person", "x", "192.0.2.2"),
        )
        assert real.status_code == unknown.status_code
        assert real.json()["error"]["code"] == unknown.json()["error"]["code"] == "locked"
        assert real.json()["error"]["message"] == unknown.json()["error"]["message"]


def test_a_victims_account_stays_usable_by_its_owner_from_another_address(
    client, world, password, settings
):
    fail(client, "inspector_a", settings.ANJIAN_LOGIN_MAX_FAILURES * 3)
    response = post_login(client, "inspector_a", password, ATTACKER)
    assert logged_in(client) is None
    assert "锁定" in form_error(response)

    response = post_login(client, "inspector_a", password, OWNER)
    assert response.status_code == 302
    assert logged_in(client) == str(world.inspector_a.pk)
    client.logout()
    assert issue(client, "inspector_a", password, OWNER).status_code == 200


def test_user_name_and_mobile_number_share_one_count(client, world, password, settings):
    limit = settings.ANJIAN_LOGIN_MAX_FAILURES
    fail(client, "inspector_a", limit - 1)
    fail(client, "139 0000 0001", 1)  # inspector_a's mobile number
    response = post_login(client, "inspector_a", password)
    assert "锁定" in form_error(response)


def test_password_spraying_from_one_address_is_throttled(client, world, password, settings):
    settings.ANJIAN_LOGIN_ADDRESS_MAX_FAILURES = 6
    names = [
        "inspector_a",
        "leader_a",
        "village_officer_a",
        "town_office_b",
        "no-one-1",
        "no-one-2",
    ]
    for name in names:  # one guess per account: no account reaches its own limit
        response = post_login(client, name, "Summer2026!")
        assert "用户名或密码错误" in form_error(response)

    # The address is refused now, even with a right password, before any password is checked.
    response = post_login(client, "department_a", password)
    assert logged_in(client) is None
    assert "锁定" in form_error(response)
    assert issue(client, "department_a", password).json()["error"]["code"] == "locked"
    assert audited("auth.login_refused_locked", changes__reason="address") is not None

    # Another address is not affected.
    response = post_login(client, "department_a", password, OWNER)
    assert response.status_code == 302


def test_a_forged_forwarded_for_header_is_ignored_without_a_proxy(
    client, world, password, settings
):
    limit = settings.ANJIAN_LOGIN_MAX_FAILURES
    for attempt in range(limit):
        post_login(client, "inspector_a", "wrong-1", ATTACKER, x_forwarded_for=f"10.0.0.{attempt}")
    response = post_login(client, "inspector_a", password, ATTACKER, x_forwarded_for="10.9.9.9")
    assert "锁定" in form_error(response)


def test_behind_a_proxy_the_address_comes_from_the_proxys_own_entry(
    client, world, password, settings
):
    settings.ANJIAN_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    limit = settings.ANJIAN_LOGIN_MAX_FAILURES
    for _attempt in range(limit):
        # The client's own "1.2.3.4" entry is ignored: the proxy appended the real address.
        post_login(client, "inspector_a", "wrong-1", proxy, x_forwarded_for=f"1.2.3.4, {ATTACKER}")
    response = post_login(client, "inspector_a", password, proxy, x_forwarded_for=ATTACKER)
    assert "锁定" in form_error(response)
    response = post_login(client, "inspector_a", password, proxy, x_forwarded_for=OWNER)
    assert response.status_code == 302


def test_ipv6_addresses_of_one_line_count_as_one_address(client, world, password, settings):
    limit = settings.ANJIAN_LOGIN_MAX_FAILURES
    for attempt in range(limit):
        post_login(client, "inspector_a", "wrong-1", f"2001:db8:1:2::{attempt + 1:x}")
    response = post_login(client, "inspector_a", password, "2001:db8:1:2:ffff::9")
    assert "锁定" in form_error(response)
    response = post_login(client, "inspector_a", password, "2001:db8:1:3::1")
    assert response.status_code == 302


def test_the_town_office_unlocks_an_account_on_the_users_page(
    client, world, password, settings, login
):
    fail(client, "inspector_a", settings.ANJIAN_LOGIN_MAX_FAILURES)
    office = login("town_office_a")
    page = client.get(reverse("accounts:user_detail", args=[world.inspector_a.pk]))
    assert 'data-testid="login-locks"' in page.content.decode()
    assert ATTACKER in page.content.decode()
    response = client.post(
        reverse("accounts:user_unlock", args=[world.inspector_a.pk]), {"reason": "本人来电"}
    )
    assert response.status_code == 302
    entry = audited("user.unlocked", actor=office, target_id=str(world.inspector_a.pk))
    assert entry is not None
    assert entry.changes["locked_addresses"] == [ATTACKER]
    assert entry.reason == "本人来电"
    client.logout()

    response = post_login(client, "inspector_a", password, ATTACKER)
    assert response.status_code == 302


def test_the_town_office_unlocks_an_account_through_the_api(client, world, password, settings):
    from anjian.accounts.services import api_token_issue

    fail(client, "inspector_a", settings.ANJIAN_LOGIN_MAX_FAILURES)
    raw = api_token_issue(user=world.town_office_a, name="t").raw
    response = client.post(
        f"/api/v1/auth/users/{world.inspector_a.pk}/unlock",
        data=json.dumps({"reason": "本人来电"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200, response.content
    assert audited("user.unlocked", actor=world.town_office_a) is not None
    assert issue(client, "inspector_a", password, ATTACKER).status_code == 200


def test_another_towns_office_cannot_unlock(client, world, settings, login):
    fail(client, "inspector_a", settings.ANJIAN_LOGIN_MAX_FAILURES)
    login("town_office_b")
    response = client.post(reverse("accounts:user_unlock", args=[world.inspector_a.pk]))
    assert response.status_code == 404
    assert audited("user.unlocked") is None


def test_a_token_issued_clears_the_failures_of_that_address(client, world, password, settings):
    fail(client, "inspector_a", settings.ANJIAN_LOGIN_MAX_FAILURES - 1)
    assert issue(client, "inspector_a", password).status_code == 200
    fail(client, "inspector_a", settings.ANJIAN_LOGIN_MAX_FAILURES - 1)
    response = post_login(client, "inspector_a", password)
    assert response.status_code == 302


def test_the_admin_log_in_is_counted_too(client, world, settings):
    for _attempt in range(settings.ANJIAN_LOGIN_MAX_FAILURES):
        client.post(
            "/admin/login/",
            {"username": "inspector_a", "password": "wrong-1"},
            REMOTE_ADDR=ATTACKER,
        )
    response = post_login(client, "inspector_a", "wrong-1")
    assert "锁定" in form_error(response)
