"""Deadlines given in working days (限期 N 个工作日) across public holidays and their make-up
working days (调休上班), through the services that record and re-order a hazard.

The dates come from the State Council's published 2026 calendar as the ``chinese_calendar``
package has it (checked first, so that a wrong premise fails loudly):

- Spring Festival: days off 2026-02-15 (Sun) to 2026-02-23 (Mon); make-up working days
  Saturday 2026-02-14 and Saturday 2026-02-28.
- Mid-autumn and National Day: days off 2026-09-25 to 09-27 and 2026-10-01 to 10-07; make-up
  working days Sunday 2026-09-20 and Saturday 2026-10-10.
"""

from __future__ import annotations

import datetime
import zoneinfo

import chinese_calendar
import pytest
import time_machine

from anjian.core.calendar import SOURCE_OFFICE, calendar_source, calendar_year_save
from anjian.hazards.choices import DeadlineMode, HazardStatus
from anjian.hazards.selectors import hazard_overdue
from anjian.hazards.services import hazard_create
from anjian.hazards.tests.factories import HAZARD_DEFAULTS, act, photo

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = datetime.date


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(day: datetime.date):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=SHANGHAI), tick=False
    )


def record(actor, unit, working_days: int):
    return hazard_create(
        actor=actor, unit_id=unit.pk, photos=[photo()], working_days=working_days, **HAZARD_DEFAULTS
    )


def test_the_premises_are_the_published_2026_calendar():
    assert all(chinese_calendar.is_holiday(D(2026, 2, d)) for d in range(15, 24))
    assert chinese_calendar.is_workday(D(2026, 2, 14))  # Saturday
    assert chinese_calendar.is_workday(D(2026, 2, 28))  # Saturday
    assert all(chinese_calendar.is_holiday(D(2026, 10, d)) for d in range(1, 8))
    assert chinese_calendar.is_workday(D(2026, 9, 20))  # Sunday
    assert chinese_calendar.is_workday(D(2026, 10, 10))  # Saturday
    assert D(2026, 9, 20).weekday() == 6 and D(2026, 10, 10).weekday() == 5


def test_five_working_days_from_the_eve_of_spring_festival(world):
    # Friday 13 Feb: Sat 14 (make-up) is the 1st, the festival is off, Tue 24 to Fri 27 the rest.
    with at(D(2026, 2, 13)):
        hazard = record(world.inspector_a, world.unit_a, 5)
    assert hazard.status == HazardStatus.RECTIFYING
    assert hazard.deadline == D(2026, 2, 27)
    assert hazard.deadline_mode == DeadlineMode.WORKING_DAYS
    assert hazard.deadline_working_days == 5
    assert hazard.events.get(type="hazard.order").data["warnings"] == []


def test_the_make_up_saturday_before_spring_festival_is_a_working_day(world):
    with at(D(2026, 2, 13)):
        assert record(world.inspector_a, world.unit_a, 1).deadline == D(2026, 2, 14)
        assert record(world.inspector_a, world.unit_a, 2).deadline == D(2026, 2, 24)


def test_three_working_days_from_the_eve_of_national_day_end_on_the_make_up_saturday(world):
    # Wed 30 Sep: 1–7 Oct off, Thu 8 and Fri 9, then Saturday 10 Oct (make-up) is the 3rd.
    with at(D(2026, 9, 30)):
        hazard = record(world.inspector_a, world.unit_a, 3)
    assert hazard.deadline == D(2026, 10, 10)


def test_a_make_up_sunday_counts_as_a_working_day(world):
    with at(D(2026, 9, 18)):  # a Friday: the next working day is Sunday 20 Sep
        assert record(world.inspector_a, world.unit_a, 1).deadline == D(2026, 9, 20)
        # The Mid-autumn Festival (Fri 25 to Sun 27) is off: Mon 21–Thu 24, then Mon 28.
        assert record(world.inspector_a, world.unit_a, 6).deadline == D(2026, 9, 28)


def test_a_failed_recheck_gives_a_new_deadline_in_working_days_over_the_holiday(world):
    with at(D(2026, 9, 21)):
        hazard = record(world.inspector_a, world.unit_a, 5)
        act(world.enterprise_a, hazard, "submit", photos=[photo()], description="已加装防护门")
    with at(D(2026, 9, 30)):
        hazard = act(world.inspector_a, hazard, "fail", note="线路仍裸露", working_days=3)
    assert hazard.status == HazardStatus.RECTIFYING
    assert hazard.deadline == D(2026, 10, 10)
    assert hazard.deadline_working_days == 3
    # Mon 21 + 5: Tue 22 to Thu 24, the Mid-autumn Festival off, Mon 28 and Tue 29.
    assert hazard.original_deadline == D(2026, 9, 29)


def test_days_overdue_do_not_count_the_holiday(world):
    with at(D(2026, 9, 28)):
        hazard = record(world.inspector_a, world.unit_a, 2)
    assert hazard.deadline == D(2026, 9, 30)
    overdue = hazard_overdue(hazard, today=D(2026, 10, 9))
    assert overdue.is_overdue
    assert overdue.days == 9  # calendar days
    assert overdue.working_days == 2  # Thu 8 and Fri 9 Oct


def test_a_year_entered_by_the_office_overrides_the_published_calendar(world):
    # Suppose the town observes a shorter National Day break and no make-up days.
    calendar_year_save(
        actor=world.town_office_a,
        year=2026,
        days=[
            {"date": D(2026, 1, 1), "kind": "holiday", "name": "元旦"},
            *({"date": D(2026, 10, d), "kind": "holiday", "name": "国庆节"} for d in (1, 2, 3)),
        ],
    )
    assert calendar_source(2026) == SOURCE_OFFICE
    with at(D(2026, 9, 30)):
        # Thu 1 to Sat 3 off, Sun 4 a plain Sunday: Mon 5, Tue 6, Wed 7.
        assert record(world.inspector_a, world.unit_a, 3).deadline == D(2026, 10, 7)
    with at(D(2026, 9, 18)):
        # Sunday 20 Sep is no longer a make-up working day.
        assert record(world.inspector_a, world.unit_a, 1).deadline == D(2026, 9, 21)


def test_a_year_nobody_entered_counts_weekends_only_and_says_so(world):
    # 2027 is not in the package (published up to 2026) and not entered by the office.
    assert max(chinese_calendar.constants.holidays).year == 2026
    assert calendar_source(2027) == "weekends_only"
    with at(D(2026, 12, 30)):
        hazard = record(world.inspector_a, world.unit_a, 5)
    # Thu 31 Dec, then Fri 1 Jan 2027 (not known as a holiday), Mon 4, Tue 5, Wed 6.
    assert hazard.deadline == D(2027, 1, 6)
    warnings = hazard.events.get(type="hazard.order").data["warnings"]
    assert len(warnings) == 1 and "2027" in warnings[0]
