"""The system page of backups and its API twins: who sees them, the warnings (no good backup in
two days, the disk nearly full), starting a backup now. No archive is written here: the task's
enqueue is replaced (the round trips write real ones)."""

from __future__ import annotations

import datetime
from collections import namedtuple

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditEntry
from anjian.backups import services, tasks
from anjian.backups.models import Backup, BackupStatus

pytestmark = pytest.mark.django_db
Usage = namedtuple("Usage", "total used free")


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, name='test').raw}"}


def good_backup(days_ago: float) -> Backup:
    created = timezone.now() - datetime.timedelta(days=days_ago)
    return Backup.objects.create(
        name=f"anjian-{created:%Y%m%d-%H%M%S}.tar",
        path="/nowhere",
        size=12_345_678,
        engine="sqlite",
        status=BackupStatus.OK,
        check_passed=True,
        created_at=created,
        finished_at=created + datetime.timedelta(seconds=3),
    )


@pytest.fixture
def queued(monkeypatch):
    """Record what would be enqueued instead of writing an archive."""
    calls: list[dict] = []

    class Result:
        id = "task-1"

    def enqueue(**kwargs):
        calls.append(kwargs)
        return Result()

    monkeypatch.setattr(tasks, "backup_task", namedtuple("FakeTask", "enqueue")(enqueue))
    return calls


def test_the_office_sees_the_page_with_a_stale_backup_warning(world, client):
    good_backup(days_ago=3)
    client.force_login(world.users["town_office_a"])
    page = client.get(reverse("backups:backup_list"))
    assert page.status_code == 200
    assert len(page.context["backups"]) == 1
    assert page.context["status"].warnings  # older than two days
    assert b'data-testid="backup-warning"' in page.content
    assert b'data-testid="backup-run"' in page.content


def test_a_recent_good_backup_gives_no_warning_unless_the_disk_is_nearly_full(
    world, client, monkeypatch
):
    good_backup(days_ago=0.5)
    assert services.backup_status().warnings == []
    monkeypatch.setattr(services.shutil, "disk_usage", lambda _p: Usage(100, 95, 5))
    assert len(services.backup_status().warnings) == 1


def test_no_backup_at_all_is_a_warning(world):
    assert len(services.backup_status().warnings) == 1


@pytest.mark.parametrize("persona", ["enterprise_a", "inspector_a", "leader_a", "expert_a"])
def test_other_roles_get_403_on_the_page_and_the_api(world, client, persona, queued):
    user = world.users[persona]
    client.force_login(user)
    assert client.get(reverse("backups:backup_list")).status_code == 403
    assert client.post(reverse("backups:backup_run")).status_code == 403
    headers = bearer(user)
    assert client.get("/api/v1/backups", **headers).status_code == 403
    assert client.get("/api/v1/backups/status", **headers).status_code == 403
    assert client.post("/api/v1/backups", **headers).status_code == 403
    assert queued == []


def test_back_up_now_from_the_page_enqueues_and_audits(world, client, queued):
    user = world.users["town_office_a"]
    client.force_login(user)
    response = client.post(reverse("backups:backup_run"))
    assert response.status_code == 302
    assert queued == [{"actor_id": user.pk}]
    assert AuditEntry.objects.filter(action="backup.requested", actor=user).exists()


def test_the_api_lists_reports_status_and_starts_a_backup(world, client, queued):
    good_backup(days_ago=0.2)
    headers = bearer(world.users["district_officer"])
    listed = client.get("/api/v1/backups", **headers).json()
    assert listed["count"] == 1 and listed["items"][0]["check_passed"] is True
    status = client.get("/api/v1/backups/status", **headers).json()
    assert status["last_good"]["size"] == 12_345_678
    assert status["warnings"] == [] or all("disk" in w or "磁盘" in w for w in status["warnings"])
    started = client.post("/api/v1/backups", **headers)
    assert started.status_code == 202
    assert started.json() == {"task_id": "task-1"}
    assert len(queued) == 1


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="fails only where the copy cannot be made"
)
def test_a_failed_backup_is_recorded_shown_and_the_command_exits_1(world, client):
    """The test database lives in memory inside the test's transaction, where SQLite cannot copy
    it: the failure is what an operator would see (a row with the reason, a warning, exit 1)."""
    with pytest.raises(CommandError) as failed:
        call_command("backup")
    assert failed.value.returncode == 1
    assert tasks.backup_task.call()["ok"] is False
    rows = list(Backup.objects.all())
    assert [b.status for b in rows] == [BackupStatus.FAILED] * 2 and rows[0].message
    assert AuditEntry.objects.filter(action="backup.failed").count() == 2
    client.force_login(world.users["district_officer"])
    page = client.get(reverse("backups:backup_list"))
    assert rows[0].message in page.content.decode()
    assert page.context["status"].warnings
