"""The profile page: own roles, own API tokens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.accounts.models import ApiToken
from anjian.accounts.services import api_token_issue
from anjian.accounts.tests.helpers import audited

pytestmark = pytest.mark.django_db


def test_profile_shows_name_mobile_and_roles_with_scope(client, world, login):
    login("committee_member_a")
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "committee_member_a" in html
    assert "13900000003" in html
    assert "专委会成员" in html
    assert world.committee_a_industry.name in html


def test_create_a_token_shows_it_once(client, world, login):
    user = login("inspector_a")
    response = client.post(reverse("accounts:token_create"), {"name": "数据交换"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    html = response.content.decode()
    assert 'data-testid="new-token"' in html
    raw = html.split('user-select-all">')[1].split("<")[0]
    assert raw.startswith("aj_")
    assert token.key_hint in raw
    assert audited("api_token.issued", actor=user) is not None
    again = client.get(reverse("accounts:profile")).content.decode()
    assert raw not in again
    assert "数据交换" in again


def test_a_token_needs_a_name(client, world, login):
    login("inspector_a")
    response = client.post(reverse("accounts:token_create"), {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_own_token_but_not_someone_elses(client, world, login):
    user = login("inspector_a")
    mine = api_token_issue(user=user, name="mine").token
    theirs = api_token_issue(user=world.leader_a, name="theirs").token
    assert client.post(reverse("accounts:token_revoke", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("accounts:token_revoke", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None
    assert theirs.revoked_at is None
    assert audited("api_token.revoked", actor=user) is not None
    html = client.get(reverse("accounts:profile")).content.decode()
    assert 'data-confirm="' in html or "已撤销" in html


def test_profile_needs_login(client, world):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
