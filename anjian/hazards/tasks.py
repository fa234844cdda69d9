"""Periodic tasks of the hazard loop (enqueued by ``anjian.core.scheduler.PERIODIC``)."""

from __future__ import annotations

import logging

from django_tasks import task

from anjian.core.context import request_context

logger = logging.getLogger("anjian.tasks")


@task()
def hazard_reminders_task() -> dict:
    """Daily: deadline reminders to the units (3 working days before, on the day), the overdue
    notice to the office and the expert, the escalation to the leaders after 7 working days; one
    digest per person. Idempotent: running it twice a day sends nothing the second time."""
    from anjian.hazards.escalation import hazard_send_reminders

    with request_context(source="task"):
        result = hazard_send_reminders()
    logger.info("hazard reminders: %s", result)
    return result
