"""Two people enter the holidays of the same year for the first time at the same moment
(PostgreSQL, real connections): there is no row to lock before the year exists, so the second
to reach the database replaces the first's entry, as if it had come a moment later."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from anjian.audit.models import AuditEntry
from anjian.core.calendar import CalendarEntry, calendar_year_save
from anjian.core.models import CalendarDay, CalendarYear
from anjian.core.testing.concurrency import run_at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def test_two_first_entries_of_a_year_at_once_make_one_entry(world):
    entries = {
        "first": [CalendarEntry(datetime.date(2031, 1, 1), "holiday", "元旦")],
        "second": [CalendarEntry(datetime.date(2031, 1, 2), "holiday", "元旦调休")],
    }
    race = run_at_once(
        {
            name: lambda actor=actor, name=name: calendar_year_save(
                actor=actor, year=2031, days=entries[name], note=name
            )
            for name, actor in [("first", world.town_office_a), ("second", world.town_office_b)]
        }
    )
    assert race.raised == {}, race.raised
    year = CalendarYear.objects.get(year=2031)
    actions = list(
        AuditEntry.objects.filter(target_repr="2031")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["calendar.year_entered", "calendar.year_replaced"]
    # The days are those of the entry saved last, and only those.
    days = list(CalendarDay.objects.filter(calendar_year=year).values_list("date", flat=True))
    assert days == [entries[year.note][0].date]
