"""Writes to notifications: ``notify`` (the one way to send a message to a person) and marking
messages read. Other apps call ``notify``; nothing else creates Notification rows.

Notifications are the person's own messages, not facts of the town: creating and reading them is
not audited (the action that caused a message is audited by its own service).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from anjian.notifications.models import Notification

logger = logging.getLogger("anjian.notifications")


def notify(
    *,
    recipient,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
    email: bool = False,
) -> Notification | None:
    """Put one message in ``recipient``'s inbox; return it, or None when it was already sent.

    ``dedupe_key`` (e.g. ``"unit_document.expiry:12:2026-05-01:30"``) makes a caller safe to run
    twice: a second message with the same key to the same person is not created. With ``email``
    the message is also e-mailed after the transaction commits, if the person has an address.
    """
    if recipient is None or not getattr(recipient, "is_active", False):
        return None
    if (
        dedupe_key
        and Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).exists()
    ):
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind[:60],
                title=title[:200],
                body=body,
                link=link[:300],
                dedupe_key=dedupe_key[:200],
            )
    except IntegrityError:  # a concurrent run created the same keyed message first
        return None
    if email and recipient.email:
        notification_id = notification.pk
        transaction.on_commit(lambda: notification_send_email(notification_id=notification_id))
    return notification


def notification_send_email(*, notification_id: int) -> bool:
    """E-mail one notification (once: ``emailed_at`` is set by compare-and-set first)."""
    notification = (
        Notification.objects.select_related("recipient")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None or not notification.recipient.email:
        return False
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if claimed != 1:
        return False
    text = notification.body
    if notification.link:
        base = settings.SITE_URL.rstrip("/")
        text = f"{text}\n\n{base}{notification.link}" if text else f"{base}{notification.link}"
    try:
        send_mail(
            subject=notification.title,
            message=text,
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
    except Exception:  # the inbox has the message; a mail server problem must not break the job
        logger.exception("could not e-mail notification %s", notification_id)
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        return False
    return True


def _own(actor, notification_id: int) -> Notification:
    notification = (
        Notification.objects.for_action(actor, "accounts.own").filter(pk=notification_id).first()
    )
    if notification is None:
        raise Http404
    return notification


def notification_mark_read(*, actor, notification_id: int) -> Notification:
    """Mark one of the actor's own messages read (another person's message is 404)."""
    notification = _own(actor, notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notification_mark_all_read(*, actor) -> int:
    """Mark all of the actor's unread messages read; return how many were unread."""
    return (
        Notification.objects.for_action(actor, "accounts.own")
        .unread()
        .update(read_at=timezone.now())
    )
