"""Periodic tasks of the units app (enqueued by ``anjian.core.scheduler.PERIODIC``)."""

from __future__ import annotations

import logging

from django_tasks import task

from anjian.core.context import request_context

logger = logging.getLogger("anjian.tasks")


@task()
def document_expiry_reminders_task() -> dict:
    """Daily: remind units and their experts of documents expiring in 60/30/7 days or today.
    Idempotent: running it twice a day sends nothing the second time."""
    from anjian.units.documents import document_send_expiry_reminders

    with request_context(source="task"):
        result = document_send_expiry_reminders()
    logger.info("document expiry reminders: %s", result)
    return result


@task()
def unit_regrade_task() -> dict:
    """Nightly: recompute every unit's suggested grade, so that hazards leaving the twelve-month
    window stop raising it (a new hazard regrades its unit at once)."""
    from anjian.units.services import unit_refresh_register

    with request_context(source="task"):
        changed = unit_refresh_register()
    logger.info("unit regrade: %s units changed", changed)
    return {"changed": changed}
