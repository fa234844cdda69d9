"""Two-factor (TOTP) log-in for staff roles."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from anjian.accounts.tests.helpers import audited, current_code, enrol_totp

pytestmark = pytest.mark.django_db


def failures_counted(username: str) -> int:
    """The failed log-ins django-axes counts against the account (from any address)."""
    rows = AccessAttempt.objects.filter(username=username)
    return rows.aggregate(n=Sum("failures_since_start"))["n"] or 0


def test_staff_enrol_with_qr_code_and_a_real_code(client, world, login):
    user = login("inspector_a")
    with time_machine.travel(timezone.now(), tick=False):
        page = client.get(reverse("accounts:otp_setup"))
        assert page.status_code == 200
        html = page.content.decode()
        assert "<svg" in html  # the QR code, inline
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        assert 'data-testid="totp-secret"' in html

        wrong = client.post(reverse("accounts:otp_setup"), {"code": "000000"})
        assert "验证码错误" in wrong.content.decode()
        device.refresh_from_db()
        assert not device.confirmed

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=90), tick=False):
        response = client.post(reverse("accounts:otp_setup"), {"code": current_code(device)})
        assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert audited("auth.totp_enrolled", actor=user) is not None
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "已开启" in profile


def test_enterprise_users_do_not_get_two_factor(client, world, login):
    login("enterprise_a")
    assert client.get(reverse("accounts:otp_setup")).status_code == 403
    assert "两步验证" not in client.get(reverse("accounts:profile")).content.decode()


def test_two_step_login_with_a_real_code(client, world, password):
    device = enrol_totp(world.inspector_a)
    response = client.post(
        reverse("accounts:login"),
        {"login": "inspector_a", "password": password, "next": "/accounts/profile/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login_otp")
    assert "_auth_user_id" not in client.session  # not logged in after the password alone
    page = client.get(reverse("accounts:login_otp"))
    assert "6 位" in page.content.decode()

    response = client.post(reverse("accounts:login_otp"), {"code": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert client.session["_auth_user_id"] == str(world.inspector_a.pk)
    assert client.session.get("otp_device_id") == device.persistent_id
    entry = audited("auth.login", actor=world.inspector_a)
    assert entry.changes == {"method": "password+totp"}


def test_a_wrong_code_counts_as_a_failed_login(client, world, password, settings):
    enrol_totp(world.inspector_a)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client.post(reverse("accounts:login"), {"login": "inspector_a", "password": password})
        response = client.post(reverse("accounts:login_otp"), {"code": "123456"})
        assert "验证码错误" in response.content.decode()
        assert "_auth_user_id" not in client.session
        assert failures_counted("inspector_a") == 1
        assert (
            audited("auth.login_failed", target_id=str(world.inspector_a.pk)).changes["step"]
            == "otp"
        )
        for _attempt in range(settings.ANJIAN_LOGIN_MAX_FAILURES - 1):
            traveller.shift(datetime.timedelta(minutes=1))  # past django-otp's own throttle
            response = client.post(reverse("accounts:login_otp"), {"code": "123456"})
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:login")
        assert failures_counted("inspector_a") == settings.ANJIAN_LOGIN_MAX_FAILURES
        # Even the right password is refused now, from this address.
        response = client.post(
            reverse("accounts:login"), {"login": "inspector_a", "password": password}
        )
        assert "锁定" in response.content.decode()


def test_the_code_step_without_a_password_step_goes_back_to_login(client, world):
    response = client.get(reverse("accounts:login_otp"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


def test_disable_two_factor_needs_the_password(client, world, login, password):
    user = login("inspector_a")
    enrol_totp(user)
    response = client.post(reverse("accounts:otp_disable"), {"password": "wrong"})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=user).exists()
    response = client.post(reverse("accounts:otp_disable"), {"password": password})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert audited("auth.totp_disabled", actor=user) is not None
