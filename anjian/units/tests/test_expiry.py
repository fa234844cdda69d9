"""Expiry reminders: 60, 30, 7 days before and on the day, to the unit and its expert, once."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from anjian.accounts.services import role_assign, user_create
from anjian.core.scheduler import PERIODIC
from anjian.demo.document_demo import demo_pdf
from anjian.notifications.models import Notification
from anjian.units.documents import (
    document_create,
    document_send_expiry_reminders,
    document_update,
    due_threshold,
)
from anjian.units.models import DocumentType, ExpiryReminder, UnitStatus
from anjian.units.tasks import document_expiry_reminders_task

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
EXPIRES = datetime.date(2026, 5, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(day: datetime.date, hour: int = 7):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour, 30), tzinfo=SHANGHAI), tick=False
    )


def days_before(n: int) -> datetime.date:
    return EXPIRES - datetime.timedelta(days=n)


@pytest.fixture
def document(world):
    with at(datetime.date(2026, 1, 5)):
        return document_create(
            actor=world.enterprise_a,
            unit_id=world.unit_a.pk,
            doc_type=DocumentType.SAFETY_EVALUATION,
            number="AP-2023-001",
            valid_to=EXPIRES,
            file=SimpleUploadedFile("a.pdf", demo_pdf("x")),
        )


def recipients(**filters) -> list[str]:
    return sorted(
        Notification.objects.filter(kind="unit_document.expiry", **filters).values_list(
            "recipient__username", flat=True
        )
    )


def test_the_due_threshold_is_the_most_recent_one_reached():
    assert due_threshold(EXPIRES, days_before(61)) is None
    assert due_threshold(EXPIRES, days_before(60)) == 60
    assert due_threshold(EXPIRES, days_before(31)) == 60
    assert due_threshold(EXPIRES, days_before(30)) == 30
    assert due_threshold(EXPIRES, days_before(8)) == 30
    assert due_threshold(EXPIRES, days_before(7)) == 7
    assert due_threshold(EXPIRES, days_before(1)) == 7
    assert due_threshold(EXPIRES, EXPIRES) == 0
    assert due_threshold(EXPIRES, EXPIRES + datetime.timedelta(days=7)) == 0
    assert due_threshold(EXPIRES, EXPIRES + datetime.timedelta(days=8)) is None


def test_each_threshold_is_sent_once_to_the_unit_and_its_expert(world, document):
    for threshold in (60, 30, 7, 0):
        day = days_before(threshold)
        for hour in (7, 19):  # the task runs twice that day
            with at(day, hour):
                document_send_expiry_reminders()
        with at(day + datetime.timedelta(days=1)):  # and again the next day
            document_send_expiry_reminders()
    assert sorted(ExpiryReminder.objects.values_list("days_before", flat=True)) == [0, 7, 30, 60]
    # enterprise_a and expert_a hold roles on unit A; enterprise_a2 and enterprise_b do not.
    assert recipients() == ["enterprise_a"] * 4 + ["expert_a"] * 4
    titles = list(
        Notification.objects.filter(recipient=world.enterprise_a)
        .order_by("created_at", "pk")
        .values_list("title", flat=True)
    )
    assert len(set(titles)) == 4
    assert all(world.unit_a.name in t for t in titles)


def test_running_the_task_twice_sends_nothing_new(world, document):
    with at(days_before(30)):
        first = document_expiry_reminders_task.enqueue().return_value
        second = document_expiry_reminders_task.enqueue().return_value
    assert first == {"documents": 1, "notifications": 2}
    assert second == {"documents": 0, "notifications": 0}
    assert Notification.objects.count() == 2


def test_a_missed_stretch_sends_only_the_most_recent_threshold(world, document):
    # The job did not run from 60 days before until 5 days before: only "7 days" is sent.
    with at(days_before(5)):
        document_send_expiry_reminders()
        document_send_expiry_reminders()
    assert list(ExpiryReminder.objects.values_list("days_before", flat=True)) == [7]
    assert recipients() == ["enterprise_a", "expert_a"]
    # Down again over the day of expiry: two days late, "expired" goes out once.
    with at(EXPIRES + datetime.timedelta(days=2)):
        document_send_expiry_reminders()
    with at(EXPIRES + datetime.timedelta(days=3)):
        document_send_expiry_reminders()
    assert sorted(ExpiryReminder.objects.values_list("days_before", flat=True)) == [0, 7]
    assert len(recipients()) == 4


def test_long_expired_documents_are_not_reminded(world, document):
    with at(EXPIRES + datetime.timedelta(days=30)):
        assert document_send_expiry_reminders() == {"documents": 0, "notifications": 0}


def test_a_renewed_document_is_reminded_again_for_its_new_date(world, document):
    with at(days_before(30)):
        document_send_expiry_reminders()
        document_update(
            actor=world.enterprise_a,
            document_id=document.pk,
            changes={"valid_to": datetime.date(2026, 5, 20)},
        )
        document_send_expiry_reminders()
    assert ExpiryReminder.objects.count() == 2
    assert len(recipients()) == 4


def test_closed_units_and_inactive_roles_get_nothing(world, document):
    world.unit_a.status = UnitStatus.CLOSED
    world.unit_a.save(update_fields=["status"])
    with at(days_before(30)):
        assert document_send_expiry_reminders()["documents"] == 0
    world.unit_a.status = UnitStatus.OPERATING
    world.unit_a.save(update_fields=["status"])
    world.expert_a.role_assignments.update(is_active=False)
    with at(days_before(30)):
        document_send_expiry_reminders()
    assert recipients() == ["enterprise_a"]


def test_users_with_an_email_address_also_get_an_email(
    world, document, django_capture_on_commit_callbacks
):
    world.enterprise_a.email = "safety@example.com"
    world.enterprise_a.save(update_fields=["email"])
    with at(days_before(7)), django_capture_on_commit_callbacks(execute=True):
        document_send_expiry_reminders()
    assert [m.to for m in mail.outbox] == [["safety@example.com"]]
    assert world.unit_a.name in mail.outbox[0].subject
    emailed = Notification.objects.get(recipient=world.enterprise_a)
    assert emailed.emailed_at is not None
    assert Notification.objects.get(recipient=world.expert_a).emailed_at is None


def test_a_second_enterprise_user_of_the_unit_is_reminded_too(world, document):
    user = user_create(
        actor=None, username="ent_a_second", name="第二安全员", password="Anjian#2026x"
    )
    role_assign(actor=None, user=user, role="enterprise", unit=world.unit_a)
    with at(days_before(60)):
        document_send_expiry_reminders()
    assert recipients() == ["ent_a_second", "enterprise_a", "expert_a"]


def test_the_reminder_task_is_scheduled_daily():
    job = next(j for j in PERIODIC if j.name == "document_expiry_reminders")
    assert job.task() is document_expiry_reminders_task
    assert job.every.describe().startswith("daily")
