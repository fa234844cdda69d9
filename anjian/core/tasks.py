"""Core's periodic tasks (Django's Tasks API, the django-tasks backport).

The scheduler (``anjian.core.scheduler.PERIODIC``) enqueues them; ``manage.py db_worker`` runs
them. Each takes primitives only, is idempotent (running it twice does no harm) and returns a
small JSON-able summary that the task result keeps.
"""

from __future__ import annotations

import datetime
import logging
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from anjian.core.context import request_context

logger = logging.getLogger("anjian.tasks")

TOKEN_RETENTION_DAYS = 90
TASK_RESULT_RETENTION_DAYS = 30
SCHEDULED_RUN_RETENTION_DAYS = 90


@task()
def audit_verify_task() -> dict:
    """Walk the audit chain; a broken chain is logged as an error and recorded in the audit."""
    from anjian.audit.services import audit_record, audit_verify_chain

    with request_context(source="task"):
        report = audit_verify_chain()
        if report.ok:
            logger.info("audit chain verified: %s entries", report.checked)
            return {"ok": True, "checked": report.checked}
        logger.error(
            "audit chain broken at entry %s: %s (%s entries checked)",
            report.broken_entry_id,
            report.problem,
            report.checked,
        )
        audit_record(
            actor=None,
            action="audit.chain_broken",
            target_repr=f"#{report.broken_entry_id}",
            changes={
                "broken_entry_id": report.broken_entry_id,
                "problem": report.problem,
                "checked": report.checked,
            },
        )
        return {"ok": False, "checked": report.checked, "broken_entry_id": report.broken_entry_id}


@task()
def purge_expired_tokens_task() -> dict:
    """Delete API tokens that expired (or were revoked) more than 90 days ago. Audited."""
    from anjian.accounts.models import ApiToken
    from anjian.audit.services import audit_record

    cutoff = timezone.now() - datetime.timedelta(days=TOKEN_RETENTION_DAYS)
    with request_context(source="task"), transaction.atomic():
        old = ApiToken.objects.filter(Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff))
        rows = list(old.values_list("pk", "user_id", "key_hint"))
        if not rows:
            return {"deleted": 0}
        ApiToken.objects.filter(pk__in=[pk for pk, _user, _hint in rows]).delete()
        audit_record(
            actor=None,
            action="api_token.purged",
            target_repr=f"{len(rows)} API tokens",
            changes={"tokens": [{"id": pk, "user_id": u, "hint": h} for pk, u, h in rows]},
            reason=f"expired or revoked more than {TOKEN_RETENTION_DAYS} days ago",
        )
    return {"deleted": len(rows)}


@task()
def clear_sessions_task() -> dict:
    """Remove expired sessions (Django's ``clearsessions``)."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    return {"ok": True}


@task()
def prune_task_results_task() -> dict:
    """Delete finished task results older than 30 days and old scheduler slots."""
    from django_tasks_db.models import DBTaskResult

    from anjian.core.models import ScheduledRun

    now = timezone.now()
    cutoff = now - datetime.timedelta(days=TASK_RESULT_RETENTION_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    runs, _ = ScheduledRun.objects.filter(
        slot__lt=now - datetime.timedelta(days=SCHEDULED_RUN_RETENTION_DAYS)
    ).delete()
    return {"task_results": deleted, "scheduled_runs": runs}
