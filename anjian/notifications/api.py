"""Notifications over the API, mounted at ``/api/v1/notifications``: one's own messages only."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from anjian.core.api_types import Id, Offset
from anjian.notifications import services
from anjian.notifications.selectors import notification_list_for, notification_unread_count

router = Router(tags=["notifications"])

MAX_LIMIT = 200


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="What the message is about, e.g. unit_document.expiry")
    title: str
    body: str
    link: str = Field(description="The page the message is about (a path on this site), or empty")
    created_at: datetime.datetime
    read_at: datetime.datetime | None
    is_read: bool

    @staticmethod
    def resolve_is_read(obj) -> bool:
        return obj.read_at is not None


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    count: int = Field(description="How many messages match the filter")
    unread: int = Field(description="How many of the caller's messages are unread")


class NotificationFilterIn(Schema):
    unread: bool = Field(False, description="Only unread messages")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: Offset = 0


class ReadAllOut(Schema):
    marked: int = Field(description="How many messages were unread and are now read")
    unread: int


@router.get(
    "",
    response=NotificationPageOut,
    operation_id="notifications_list",
    summary="The caller's own messages, newest first",
)
def notifications_list(request: HttpRequest, filters: Query[NotificationFilterIn]):
    qs = notification_list_for(request.auth, unread_only=filters.unread)
    return {
        "items": list(qs[filters.offset : filters.offset + filters.limit]),
        "count": qs.count(),
        "unread": notification_unread_count(request.auth),
    }


@router.post(
    "/read-all",
    response=ReadAllOut,
    operation_id="notifications_read_all",
    summary="Mark all of the caller's messages read",
)
def notifications_read_all(request: HttpRequest):
    marked = services.notification_mark_all_read(actor=request.auth)
    return {"marked": marked, "unread": notification_unread_count(request.auth)}


@router.post(
    "/{int:notification_id}/read",
    response=NotificationOut,
    operation_id="notifications_read",
    summary="Mark one of the caller's messages read",
)
def notifications_read(request: HttpRequest, notification_id: Id):
    """Another person's message is 404, as if it did not exist."""
    return services.notification_mark_read(actor=request.auth, notification_id=notification_id)
