"""Periodic task of the monthly reports (enqueued by ``anjian.core.scheduler.PERIODIC``).

Kept apart from ``tasks.py`` (the deadline reminders and escalation) so that each part of the
hazard loop owns its module.
"""

from __future__ import annotations

import logging

from django_tasks import task

from anjian.core.context import request_context

logger = logging.getLogger("anjian.tasks")


@task()
def monthly_report_reminders_task() -> dict:
    """Daily: on the 1st–5th of a month, remind the units that have not sent the previous month's
    self-inspection report. Idempotent: each unit is reminded once per month whatever the number
    of runs (the notifications' dedupe key)."""
    from anjian.hazards.reports import monthly_send_due_reminders

    with request_context(source="task"):
        result = monthly_send_due_reminders()
    logger.info("monthly report reminders: %s", result)
    return result
