"""The inbox: one's own messages only, unread count in the navigation, mark read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.notifications.models import Notification
from anjian.notifications.services import notify

pytestmark = pytest.mark.django_db


def message(user, title="证照即将到期", **kwargs) -> Notification:
    return notify(recipient=user, kind="test", title=title, **kwargs)


def test_the_inbox_shows_only_ones_own_messages(world, client, login):
    message(world.enterprise_a, "给甲的消息")
    message(world.enterprise_b, "给丙的消息")
    login("enterprise_a")
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    assert [n.title for n in response.context["notifications"]] == ["给甲的消息"]
    assert "给丙的消息" not in response.content.decode()


def test_the_navigation_shows_the_unread_count(world, client, login):
    message(world.enterprise_a, "一")
    message(world.enterprise_a, "二")
    login("enterprise_a")
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert 'data-testid="nav-unread">2<' in html
    login("enterprise_b")
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert 'data-testid="nav-unread"' not in html


def test_mark_one_read_and_follow_its_link(world, client, login):
    own = message(world.enterprise_a, link=reverse("units:unit_detail", args=[world.unit_a.pk]))
    login("enterprise_a")
    response = client.post(reverse("notifications:notification_read", args=[own.pk]), {"go": "1"})
    assert response.status_code == 302
    assert response["Location"] == own.link
    own.refresh_from_db()
    assert own.read_at is not None
    unread = client.get(reverse("notifications:inbox"), {"unread": "1"})
    assert list(unread.context["notifications"]) == []


def test_an_external_link_is_not_followed(world, client, login):
    own = message(world.enterprise_a, link="https://evil.example.com/")
    login("enterprise_a")
    response = client.post(reverse("notifications:notification_read", args=[own.pk]), {"go": "1"})
    assert response["Location"] == reverse("notifications:inbox")


def test_someone_elses_message_is_404(world, client, login):
    other = message(world.enterprise_b)
    login("enterprise_a")
    response = client.post(reverse("notifications:notification_read", args=[other.pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read_touches_only_ones_own(world, client, login):
    message(world.enterprise_a, "一")
    message(world.enterprise_a, "二")
    other = message(world.enterprise_b)
    login("enterprise_a")
    response = client.post(reverse("notifications:notification_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=world.enterprise_a, read_at=None).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert "login" in response["Location"]
