"""The nightly backup (``PERIODIC`` in ``anjian.core.scheduler``) and the one started from the
system page or the API. Idempotent in the sense that matters: running it twice writes two
archives and the retention rule removes the surplus."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django_tasks import task

from anjian.core.context import request_context

logger = logging.getLogger("anjian.backups")


@task()
def backup_task(actor_id: int | None = None) -> dict:
    """Write a backup; a failure is recorded (the system page shows it) and reported, not raised,
    so that the worker's result says what went wrong in the office's words."""
    from anjian.accounts.models import User
    from anjian.backups.services import backup_create

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    with request_context(source="task"):
        try:
            backup = backup_create(actor=actor)
        except ValidationError as exc:
            logger.error("backup failed: %s", "; ".join(exc.messages))
            return {"ok": False, "message": "; ".join(exc.messages)}
    logger.info("backup written: %s (%s bytes)", backup.path, backup.size)
    return {"ok": True, "backup_id": backup.pk, "size": backup.size}
