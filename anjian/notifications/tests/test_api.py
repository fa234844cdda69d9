"""Notifications over the API: list, mark one read, mark all read; one's own only."""

from __future__ import annotations

import pytest

from anjian.accounts.services import api_token_issue
from anjian.notifications.models import Notification
from anjian.notifications.services import notify

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, name='test').raw}"}


def test_list_shows_own_messages_and_the_unread_count(world, client):
    notify(recipient=world.enterprise_a, kind="k", title="甲一")
    notify(recipient=world.enterprise_a, kind="k", title="甲二")
    notify(recipient=world.enterprise_b, kind="k", title="丙")
    body = client.get("/api/v1/notifications", **bearer(world.enterprise_a)).json()
    assert sorted(item["title"] for item in body["items"]) == ["甲一", "甲二"]
    assert (body["count"], body["unread"]) == (2, 2)
    assert body["items"][0]["is_read"] is False


def test_mark_one_read(world, client):
    own = notify(recipient=world.enterprise_a, kind="k", title="甲")
    headers = bearer(world.enterprise_a)
    response = client.post(f"/api/v1/notifications/{own.pk}/read", **headers)
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    body = client.get("/api/v1/notifications", {"unread": "true"}, **headers).json()
    assert (body["count"], body["unread"]) == (0, 0)


def test_someone_elses_message_is_404(world, client):
    other = notify(recipient=world.enterprise_b, kind="k", title="丙")
    response = client.post(f"/api/v1/notifications/{other.pk}/read", **bearer(world.enterprise_a))
    assert response.status_code == 404
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_mark_all_read(world, client):
    notify(recipient=world.enterprise_a, kind="k", title="一")
    notify(recipient=world.enterprise_a, kind="k", title="二")
    other = notify(recipient=world.enterprise_b, kind="k", title="丙")
    response = client.post("/api/v1/notifications/read-all", **bearer(world.enterprise_a))
    assert response.json() == {"marked": 2, "unread": 0}
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_anonymous_gets_401(client, world):
    assert client.get("/api/v1/notifications").status_code == 401
