"""The error pages of the shell: Chinese, and the 403 page says why."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_unknown_page_shows_the_chinese_404_page(client, world):
    client.force_login(world.town_office_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="error-404"' in html
    assert "页面不存在" in html
    assert "返回首页" in html


def test_object_outside_the_scope_gets_the_same_404_page(client, world):
    client.force_login(world.enterprise_a)
    response = client.get(reverse("units:unit_detail", args=[world.unit_b.pk]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert "常安丙丁化工有限公司" not in html


def test_403_page_tells_the_reason(client, world):
    client.force_login(world.enterprise_a)
    response = client.get(reverse("audit:entry_list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="error-403"' in html
    assert "无权访问" in html
    with translation.override("zh-hans"):
        reason = translation.gettext("Your roles do not include this page.")
    assert f'data-testid="error-reason">{reason}<' in html


def test_500_page_renders_without_any_context():
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出现了错误" in html
    assert "错误已记录" in html


def test_a_stale_form_gets_a_chinese_page_saying_what_to_do(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"login": "enterprise_a", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "表单已失效" in html
    assert "刷新页面" in html
