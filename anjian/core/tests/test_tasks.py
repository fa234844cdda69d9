"""Core's periodic tasks: audit verification, token purge, session clean-up, result pruning."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db.models import F
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from anjian.accounts.models import ApiToken
from anjian.accounts.services import api_token_issue
from anjian.audit.models import AuditChainHead, AuditEntry
from anjian.core.models import ScheduledRun
from anjian.core.tasks import (
    audit_verify_task,
    clear_sessions_task,
    prune_task_results_task,
    purge_expired_tokens_task,
)

pytestmark = pytest.mark.django_db


def test_audit_verification_of_an_intact_chain_records_nothing(world):
    result = audit_verify_task.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["ok"] is True
    assert result.return_value["checked"] == AuditEntry.objects.count()
    assert not AuditEntry.objects.filter(action="audit.chain_broken").exists()


def test_a_broken_audit_chain_is_logged_as_an_error_and_recorded(world, caplog):
    # Someone removed entries behind the application's back: the head no longer matches.
    AuditChainHead.objects.filter(pk=1).update(entries=F("entries") + 1)
    with caplog.at_level(logging.ERROR, logger="anjian.tasks"):
        result = audit_verify_task.enqueue()
    assert result.return_value["ok"] is False
    assert any("audit chain broken" in r.message for r in caplog.records)
    entry = AuditEntry.objects.get(action="audit.chain_broken")
    assert entry.changes["problem"]
    assert entry.actor is None


def test_tokens_expired_more_than_90_days_ago_are_deleted_and_audited(world):
    user = world.enterprise_a
    old = api_token_issue(user=user, name="old").token
    recent = api_token_issue(user=user, name="recent").token
    live = api_token_issue(user=user, name="live").token
    now = timezone.now()
    ApiToken.objects.filter(pk=old.pk).update(expires_at=now - datetime.timedelta(days=91))
    ApiToken.objects.filter(pk=recent.pk).update(expires_at=now - datetime.timedelta(days=89))
    result = purge_expired_tokens_task.enqueue()
    assert result.return_value == {"deleted": 1}
    assert set(ApiToken.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
    entry = AuditEntry.objects.get(action="api_token.purged")
    assert entry.changes["tokens"][0]["id"] == old.pk
    # Running it again deletes nothing and records nothing more.
    assert purge_expired_tokens_task.enqueue().return_value == {"deleted": 0}
    assert AuditEntry.objects.filter(action="api_token.purged").count() == 1


def test_expired_sessions_are_cleared():
    expired = SessionStore()
    expired["x"] = 1
    expired.set_expiry(-10)
    expired.create()
    alive = SessionStore()
    alive["x"] = 1
    alive.create()
    clear_sessions_task.enqueue()
    assert list(Session.objects.values_list("session_key", flat=True)) == [alive.session_key]


def _task_result(status: str, finished_days_ago: int | None) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="anjian.core.tasks.clear_sessions_task",
        backend_name="default",
        run_after=now,
        finished_at=None
        if finished_days_ago is None
        else now - datetime.timedelta(days=finished_days_ago),
    )


def test_old_finished_task_results_are_pruned_and_the_rest_kept():
    old_ok = _task_result(TaskResultStatus.SUCCESSFUL, 31)
    old_failed = _task_result(TaskResultStatus.FAILED, 40)
    recent = _task_result(TaskResultStatus.SUCCESSFUL, 5)
    waiting = _task_result(TaskResultStatus.READY, None)
    ScheduledRun.objects.create(job_name="x", slot=timezone.now() - datetime.timedelta(days=100))
    ScheduledRun.objects.create(job_name="x", slot=timezone.now() - datetime.timedelta(days=1))
    result = prune_task_results_task.enqueue()
    assert result.return_value == {"task_results": 2, "scheduled_runs": 1}
    remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, waiting.pk}
    assert old_ok.pk not in remaining and old_failed.pk not in remaining
