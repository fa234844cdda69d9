"""The scheduler: enqueues each periodic job when its slot is due.

``manage.py run_scheduler`` ticks every ``settings.ANJIAN_SCHEDULER_TICK_SECONDS``;
``run_scheduler --once`` runs a single tick (tests, or cron/systemd timers instead of the loop).
The worker (``manage.py db_worker``) then runs what was enqueued.

How a tick works: for each job of ``PERIODIC`` it computes the latest slot that is due (e.g.
today 02:30 for "daily at 02:30" when it is 09:00) and inserts ``ScheduledRun(job_name, slot)``.
The row has a unique constraint, so inserting it is the lock: if it already exists (this
scheduler ran earlier, or another scheduler is running at the same time) the insert fails and the
job is skipped. The insert and the enqueue happen in one transaction, so a slot is never marked
without its task. Only the *latest* slot is considered: after a downtime a missed job runs once,
not once per missed slot. On the very first tick a job runs for its latest slot right away.

Adding a periodic job (later issues: deadline reminders, overdue escalation, permit expiry):

1. write an idempotent ``@task`` that takes no arguments in ``anjian/<app>/tasks.py`` and calls a
   service;
2. add a line to ``PERIODIC`` below, e.g.::

       PeriodicJob("hazard_reminders", "anjian.hazards.tasks.hazard_reminders_task",
                   daily("07:00")),

   with ``daily("HH:MM")`` (local time, ``TIME_ZONE``), ``hourly(minute=5)`` or
   ``every_minutes(15)``. Names are stable keys of ``ScheduledRun``: never rename one lightly.
3. the test ``test_every_periodic_job_names_a_task`` checks that the path imports to a task.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("anjian.scheduler")


class Schedule:
    """When a job is due: ``latest_slot(now)`` is the most recent slot at or before ``now``."""

    def latest_slot(self, now: datetime.datetime) -> datetime.datetime:  # pragma: no cover
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class Daily(Schedule):
    hour: int
    minute: int = 0

    def latest_slot(self, now: datetime.datetime) -> datetime.datetime:
        local = timezone.localtime(now)
        slot = datetime.datetime.combine(
            local.date(), datetime.time(self.hour, self.minute), tzinfo=local.tzinfo
        )
        if slot > local:
            slot = datetime.datetime.combine(
                local.date() - datetime.timedelta(days=1),
                datetime.time(self.hour, self.minute),
                tzinfo=local.tzinfo,
            )
        return slot.astimezone(datetime.UTC)

    def describe(self) -> str:
        return f"daily at {self.hour:02d}:{self.minute:02d}"


@dataclass(frozen=True)
class Hourly(Schedule):
    minute: int = 0

    def latest_slot(self, now: datetime.datetime) -> datetime.datetime:
        now = now.astimezone(datetime.UTC)
        slot = now.replace(minute=self.minute, second=0, microsecond=0)
        if slot > now:
            slot -= datetime.timedelta(hours=1)
        return slot

    def describe(self) -> str:
        return f"hourly at minute {self.minute}"


@dataclass(frozen=True)
class EveryMinutes(Schedule):
    minutes: int

    def latest_slot(self, now: datetime.datetime) -> datetime.datetime:
        step = self.minutes * 60
        seconds = int(now.timestamp()) // step * step
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)

    def describe(self) -> str:
        return f"every {self.minutes} minutes"


def daily(at: str) -> Daily:
    """``daily("02:30")``: every day at that local time."""
    hour, minute = (int(part) for part in at.split(":"))
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"not a time of day: {at!r}")
    return Daily(hour, minute)


def hourly(minute: int = 0) -> Hourly:
    if not 0 <= minute < 60:
        raise ValueError(f"not a minute: {minute!r}")
    return Hourly(minute)


def every_minutes(n: int) -> EveryMinutes:
    if not 1 <= n <= 24 * 60:
        raise ValueError(f"not a number of minutes in a day: {n!r}")
    return EveryMinutes(n)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task_path: str
    every: Schedule

    def task(self):
        return import_string(self.task_path)


PERIODIC: list[PeriodicJob] = [
    PeriodicJob("audit_verify", "anjian.core.tasks.audit_verify_task", daily("02:30")),
    PeriodicJob(
        "purge_expired_tokens", "anjian.core.tasks.purge_expired_tokens_task", daily("03:00")
    ),
    PeriodicJob("clear_sessions", "anjian.core.tasks.clear_sessions_task", daily("03:10")),
    PeriodicJob("prune_task_results", "anjian.core.tasks.prune_task_results_task", daily("03:20")),
    PeriodicJob(
        "document_expiry_reminders",
        "anjian.units.tasks.document_expiry_reminders_task",
        daily("07:30"),
    ),
    PeriodicJob("hazard_reminders", "anjian.hazards.tasks.hazard_reminders_task", daily("07:30")),
    PeriodicJob(
        "hazard_monthly_reports",
        "anjian.hazards.report_tasks.monthly_report_reminders_task",
        daily("08:00"),
    ),
    PeriodicJob("unit_regrade", "anjian.units.tasks.unit_regrade_task", daily("04:00")),
    PeriodicJob("nightly_backup", "anjian.backups.tasks.backup_task", daily("02:10")),
]


@dataclass(frozen=True)
class TickResult:
    enqueued: list[str]
    skipped: list[str]
    failed: list[str]


def tick(
    now: datetime.datetime | None = None, jobs: Iterable[PeriodicJob] | None = None
) -> TickResult:
    """Enqueue every job whose latest slot has not been enqueued yet. Safe to run concurrently."""
    from anjian.core.models import ScheduledRun

    now = now or timezone.now()
    enqueued: list[str] = []
    skipped: list[str] = []
    failed: list[str] = []
    for job in PERIODIC if jobs is None else jobs:
        slot = job.every.latest_slot(now)
        if ScheduledRun.objects.filter(job_name=job.name, slot=slot).exists():
            skipped.append(job.name)
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job_name=job.name, slot=slot)
                result = job.task().enqueue()
                run.task_result_id = str(result.id)[:64]
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            # Another scheduler inserted this slot between our check and our insert.
            skipped.append(job.name)
            continue
        except Exception:
            # A job that cannot be enqueued (a wrong task path) must not stop the others; its
            # slot was rolled back, so the next tick tries again.
            logger.exception("could not enqueue %s for slot %s", job.name, slot.isoformat())
            failed.append(job.name)
            continue
        logger.info("enqueued %s for slot %s (task %s)", job.name, slot.isoformat(), result.id)
        enqueued.append(job.name)
    return TickResult(enqueued=enqueued, skipped=skipped, failed=failed)
