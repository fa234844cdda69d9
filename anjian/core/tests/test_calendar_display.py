"""A calendar for shown figures (``WorkingCalendar.for_display``): it reuses the office's revisions
read in this process in the last five seconds, so an edit made in another process shows in the
lists' days overdue within five seconds, at once after an edit made here, and at once in every
deadline (counted on a calendar that always asks)."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from anjian.core import calendar as cal
from anjian.core.calendar import (
    DISPLAY_MAX_AGE,
    WorkingCalendar,
    calendar_year_save,
    parse_calendar_text,
)
from anjian.core.models import CalendarDay, CalendarYear

D = datetime.date
NEW_YEAR_2027 = D(2027, 1, 1)  # a Friday: a working day unless the office says it is a holiday

# Whatever a test leaves must be gone for the next: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(cal, "_clock", clock)
    return clock


def shown(day: datetime.date) -> tuple[bool, int]:
    """Whether ``day`` is a working day for a display calendar, and the queries it took."""
    with CaptureQueriesContext(connection) as queries:
        working = WorkingCalendar.for_display().is_working_day(day)
    return working, len(queries)


def enter_new_year(world) -> None:
    calendar_year_save(
        actor=world.town_office_a, year=2027, days=parse_calendar_text(2027, "2027-01-01 元旦\n")
    )


def edited_elsewhere() -> None:
    """What another process's save leaves in the database (this process is not told)."""
    year = CalendarYear.objects.get(year=2027)
    CalendarDay.objects.filter(calendar_year=year).delete()
    CalendarYear.objects.filter(pk=year.pk).update(revision=uuid.uuid4())


def test_a_display_asks_for_the_revisions_once_in_five_seconds(world, clock):
    assert shown(NEW_YEAR_2027) == (True, 1)
    clock.now += DISPLAY_MAX_AGE - 0.1
    assert shown(NEW_YEAR_2027) == (True, 0)
    clock.now += 0.1
    assert shown(NEW_YEAR_2027) == (True, 1)


def test_an_edit_here_shows_at_once(world, clock):
    assert shown(NEW_YEAR_2027)[0] is True
    enter_new_year(world)
    assert shown(NEW_YEAR_2027)[0] is False


def test_an_edit_elsewhere_shows_within_five_seconds_and_at_once_in_a_deadline(world, clock):
    enter_new_year(world)
    assert shown(NEW_YEAR_2027)[0] is False
    edited_elsewhere()
    assert shown(NEW_YEAR_2027)[0] is False  # the display may lag for five seconds at most
    # A deadline is counted on the calendar as it is: Thu 31 Dec + 1 working day is Fri 1 Jan now.
    assert WorkingCalendar().add_working_days(D(2026, 12, 31), 1).date == NEW_YEAR_2027
    # ... and that question refreshed what this process shows.
    assert shown(NEW_YEAR_2027) == (True, 0)


def test_the_display_catches_up_after_five_seconds(world, clock):
    enter_new_year(world)
    assert shown(NEW_YEAR_2027)[0] is False
    edited_elsewhere()
    clock.now += DISPLAY_MAX_AGE
    assert shown(NEW_YEAR_2027) == (True, 2)  # the revisions, then the year's new days


def test_what_a_transaction_reads_is_never_kept_for_the_others(world, clock):
    with transaction.atomic():
        enter_new_year(world)
        assert shown(NEW_YEAR_2027) == (False, 2)  # the revisions, then the year's days
        transaction.set_rollback(True)
    assert shown(NEW_YEAR_2027) == (True, 1)  # the rolled-back year was never shown to others
