"""``notify``: the one way to send a message; de-duplicated by key; e-mail after commit."""

from __future__ import annotations

import pytest
from django.core import mail

from anjian.notifications.models import Notification
from anjian.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_the_same_dedupe_key_sends_once_per_person(world):
    first = notify(recipient=world.enterprise_a, kind="k", title="t", dedupe_key="doc:1:30")
    again = notify(recipient=world.enterprise_a, kind="k", title="t", dedupe_key="doc:1:30")
    other = notify(recipient=world.expert_a, kind="k", title="t", dedupe_key="doc:1:30")
    assert first is not None and again is None and other is not None
    assert Notification.objects.count() == 2


def test_messages_without_a_key_are_never_merged(world):
    notify(recipient=world.enterprise_a, kind="k", title="t")
    notify(recipient=world.enterprise_a, kind="k", title="t")
    assert Notification.objects.count() == 2


def test_inactive_people_get_nothing(world):
    world.enterprise_a.is_active = False
    world.enterprise_a.save(update_fields=["is_active"])
    assert notify(recipient=world.enterprise_a, kind="k", title="t") is None


def test_email_goes_out_after_commit_only_with_an_address(
    world, django_capture_on_commit_callbacks
):
    world.enterprise_a.email = "a@example.com"
    world.enterprise_a.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=world.enterprise_a, kind="k", title="标题", body="正文", email=True)
        notify(recipient=world.expert_a, kind="k", title="标题", email=True)
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@example.com"]
    assert mail.outbox[0].subject == "标题"
