"""The scheduler enqueues each periodic job once per slot, however often and however many tick."""

from __future__ import annotations

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.models import QuerySet
from django_tasks import task
from django_tasks.base import Task

from anjian.core.models import ScheduledRun
from anjian.core.scheduler import PERIODIC, PeriodicJob, daily, every_minutes, hourly, tick

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALLS: list[str] = []


@task()
def count_task() -> None:
    CALLS.append("ran")


DAILY = PeriodicJob("test_daily", "anjian.core.tests.test_scheduler.count_task", daily("03:00"))


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


@pytest.mark.django_db
def test_a_daily_job_runs_once_a_day_however_often_the_scheduler_ticks():
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False) as traveller:
        for _ in range(5):
            tick(jobs=[DAILY])
        assert CALLS == ["ran"]  # today 03:00 was due
        for hour in (12, 18, 23):
            traveller.move_to(at(2026, 3, 10, hour, 59))
            tick(jobs=[DAILY])
        traveller.move_to(at(2026, 3, 11, 2, 59))
        tick(jobs=[DAILY])
        assert CALLS == ["ran"]
        traveller.move_to(at(2026, 3, 11, 3, 0))
        tick(jobs=[DAILY])
        tick(jobs=[DAILY])
        assert CALLS == ["ran", "ran"]
    slots = sorted(ScheduledRun.objects.values_list("slot", flat=True))
    assert slots == [at(2026, 3, 10, 3, 0), at(2026, 3, 11, 3, 0)]


@pytest.mark.django_db
def test_a_restarted_scheduler_does_not_run_a_slot_again():
    with time_machine.travel(at(2026, 3, 10, 3, 5), tick=False):
        assert tick(jobs=[DAILY]).enqueued == ["test_daily"]
        # The process restarts: nothing in memory survives, the ScheduledRun row does.
        assert tick(jobs=[DAILY]).skipped == ["test_daily"]
    assert CALLS == ["ran"]


@pytest.mark.django_db
def test_missed_slots_after_downtime_run_once_not_once_per_slot():
    with time_machine.travel(at(2026, 3, 10, 3, 5), tick=False) as traveller:
        tick(jobs=[DAILY])
        traveller.move_to(at(2026, 3, 15, 10, 0))  # down for five days
        tick(jobs=[DAILY])
        tick(jobs=[DAILY])
    assert CALLS == ["ran", "ran"]
    assert ScheduledRun.objects.filter(job_name="test_daily").count() == 2
    assert ScheduledRun.objects.filter(slot=at(2026, 3, 15, 3, 0)).exists()


@pytest.mark.django_db
def test_two_schedulers_racing_for_the_same_slot_enqueue_it_once(monkeypatch):
    """Both schedulers pass the "already done?" check before either inserts; the unique
    constraint on (job_name, slot) lets exactly one of them enqueue."""
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        first = tick(jobs=[DAILY])
        second = tick(jobs=[DAILY])
    assert first.enqueued == ["test_daily"]
    assert second.skipped == ["test_daily"] and second.enqueued == []
    assert CALLS == ["ran"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_schedulers_enqueue_a_slot_once_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(tick(now=at(2026, 3, 10, 9, 0), jobs=[DAILY]))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(len(r.enqueued) for r in results) == [0, 1]
    assert CALLS == ["ran"]
    assert ScheduledRun.objects.count() == 1


@pytest.mark.django_db
def test_a_job_that_cannot_be_enqueued_does_not_stop_the_others_and_is_tried_again():
    broken = PeriodicJob("broken", "anjian.core.tests.test_scheduler.no_such_task", daily("03:00"))
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        result = tick(jobs=[broken, DAILY])
    assert result.failed == ["broken"]
    assert result.enqueued == ["test_daily"]
    assert not ScheduledRun.objects.filter(job_name="broken").exists()


def test_slots_of_hourly_and_every_n_minutes_jobs():
    now = at(2026, 3, 10, 9, 47, 30)
    assert hourly(minute=5).latest_slot(now) == at(2026, 3, 10, 9, 5)
    assert hourly(minute=50).latest_slot(now) == at(2026, 3, 10, 8, 50)
    assert every_minutes(15).latest_slot(now) == at(2026, 3, 10, 9, 45)
    assert daily("09:48").latest_slot(now) == at(2026, 3, 9, 9, 48)
    assert daily("09:47").latest_slot(now) == at(2026, 3, 10, 9, 47)
    with pytest.raises(ValueError):
        daily("25:00")


def test_every_periodic_job_names_a_task():
    names = [job.name for job in PERIODIC]
    assert len(names) == len(set(names))
    for job in PERIODIC:
        assert isinstance(job.task(), Task), job.task_path


@pytest.mark.django_db
def test_run_scheduler_once_enqueues_every_due_job_once(capsys):
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        call_command("run_scheduler", "--once")
        call_command("run_scheduler", "--once")
    assert set(ScheduledRun.objects.values_list("job_name", flat=True)) == {
        j.name for j in PERIODIC
    }
    assert ScheduledRun.objects.count() == len(PERIODIC)
    assert all(run.task_result_id for run in ScheduledRun.objects.all())
    out = capsys.readouterr().out
    assert "enqueued: audit_verify" in out
