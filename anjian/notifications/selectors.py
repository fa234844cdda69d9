"""Reads of notifications: a person sees only their own (``accounts.own``)."""

from __future__ import annotations

from anjian.notifications.models import Notification, NotificationQuerySet


def notification_list_for(user, *, unread_only: bool = False) -> NotificationQuerySet:
    qs = Notification.objects.for_action(user, "accounts.own")
    return qs.unread() if unread_only else qs


def notification_unread_count(user) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.for_action(user, "accounts.own").unread().count()
