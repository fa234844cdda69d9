"""The unread count for the badge in the navigation (one COUNT query, only when rendered)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notifications_unread": 0}
    from anjian.notifications.selectors import notification_unread_count

    return {"notifications_unread": SimpleLazyObject(lambda: notification_unread_count(user))}
