"""Which record of the demo gets which date, checked for every day of a year without a database:
loaded on any of these days, the demo's dates keep the rules the services check (a monthly report
lists only hazards found or closed in its month, a statement that none was found is not made for
a month with a self-found hazard, no deadline before the step that sets it, nothing in the future),
and what the demo promises (a year of history, the reports of the months before, two meetings) is
there. Loading the full demo on a spread of these days is ``test_load_demo_dates.py``."""

from __future__ import annotations

import datetime

import pytest

from anjian.demo.hazard_demo import (
    ENTERPRISE_UNIT,
    HAZARDS,
    MAJOR_REPORT_KEY,
    MONTHLY_REPORT_MONTHS,
    SELF,
    demo_closed_date,
    demo_found_date,
    demo_is_cancelled,
    monthly_report_plan,
)
from anjian.demo.plan_demo import (
    LATE_TASKS,
    TaskFacts,
    demo_done_day,
    demo_late_tasks,
    demo_plan_year,
)
from anjian.demo.report_demo import demo_meetings
from anjian.hazards.choices import MonthlyReportKind
from anjian.plans.generation import due_dates


def _days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(n) for n in range((last - first).days + 1)]


# A whole year (its month starts and ends, the Spring Festival and National Day among them), a
# 29 February, the turns of the year and the day this was found broken (2026-12-07).
EVERY_DAY = [
    *_days(datetime.date(2027, 1, 1), datetime.date(2027, 12, 31)),
    datetime.date(2028, 2, 29),
    datetime.date(2026, 12, 7),
    datetime.date(2026, 12, 31),
    datetime.date(2028, 1, 1),
]


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def test_the_days_cover_a_year_and_a_leap_day():
    assert len(EVERY_DAY) == 369
    assert datetime.date(2028, 2, 29) in EVERY_DAY


def test_every_demo_hazard_has_its_story_in_the_past_and_deadlines_after_their_steps():
    for spec in HAZARDS:
        assert 0 <= spec.days_ago <= 365, spec.key
        assert spec.deadline_day is None or spec.deadline_day >= 0, spec.key
        days = [step.day for step in spec.steps]
        assert days == sorted(days), spec.key
        for step in spec.steps:
            assert 0 <= step.day <= spec.days_ago, spec.key
            for key, value in step.data.items():
                if key.endswith("_day") and key != "duplicate_of_key":
                    assert value >= step.day, (spec.key, key)


@pytest.mark.parametrize("today", EVERY_DAY, ids=str)
def test_loaded_on_any_day_the_demo_dates_keep_the_services_rules(today):
    found = {spec.key: demo_found_date(spec, today) for spec in HAZARDS}
    # Nothing in the future; the history spreads over the last twelve months.
    assert max(found.values()) <= today
    assert min(found.values()) > today - datetime.timedelta(days=366)
    assert len({_month(day) for day in found.values()}) >= 10
    for spec in HAZARDS:
        closed = demo_closed_date(spec, today)
        assert closed is None or found[spec.key] <= closed <= today, spec.key

    # The enterprise's reports: the months before this one, each listing what the service takes.
    plan = monthly_report_plan(today)
    months = [p.month for p in plan]
    assert len(plan) == MONTHLY_REPORT_MONTHS
    assert months == sorted(months, reverse=True) and months[0] < _month(today)
    assert (months[0] + datetime.timedelta(days=31)).replace(day=1) == _month(today)
    assert {p.kind for p in plan} == {MonthlyReportKind.HAZARDS, MonthlyReportKind.NONE_FOUND}
    specs = {spec.key: spec for spec in HAZARDS}
    for planned in plan:
        in_month = {
            spec.key
            for spec in HAZARDS
            if spec.unit == ENTERPRISE_UNIT
            and not demo_is_cancelled(spec)
            and (
                _month(found[spec.key]) == planned.month
                or (
                    (closed := demo_closed_date(spec, today)) is not None
                    and _month(closed) == planned.month
                )
            )
        }
        assert set(planned.hazard_keys) == in_month
        assert (planned.kind == MonthlyReportKind.HAZARDS) == bool(planned.hazard_keys)
        assert planned.checks_done > 0
        for key in planned.hazard_keys:
            assert specs[key].unit == ENTERPRISE_UNIT and not demo_is_cancelled(specs[key])
        if planned.kind == MonthlyReportKind.NONE_FOUND:
            self_found = [
                s.key
                for s in HAZARDS
                if s.unit == ENTERPRISE_UNIT
                and s.source == SELF
                and not demo_is_cancelled(s)
                and _month(found[s.key]) == planned.month
            ]
            assert not self_found
    # The major hazard is reported in the month it was found.
    major_month = _month(found[MAJOR_REPORT_KEY])
    assert any(
        p.month == major_month and MAJOR_REPORT_KEY in p.hazard_keys for p in plan
    ) or major_month == _month(today)

    # Two meetings of consecutive quarters, both held, each after its quarter ended.
    earlier, later = demo_meetings(today)
    assert earlier.held_on < later.held_on < today
    assert (later.year * 4 + later.quarter) - (earlier.year * 4 + earlier.quarter) == 1
    for meeting in (earlier, later):
        quarter_end = datetime.date(
            meeting.year + meeting.quarter // 4, 3 * meeting.quarter % 12 + 1, 1
        )
        assert quarter_end <= meeting.held_on
    assert today - later.held_on <= datetime.timedelta(days=92)

    assert demo_plan_year(today) == today.year


class _Weekends:
    """Working days without the office's calendar (the shape ``due_dates`` needs)."""

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() < 5


@pytest.mark.parametrize("today", EVERY_DAY, ids=str)
def test_loaded_on_any_day_the_plan_is_done_up_to_today_but_a_few_late(today):
    due = due_dates(today.year, _Weekends())
    kinds = ("town_inspection", "village_patrol", "expert_check")
    tasks = [
        TaskFacts(pk=month * 100 + n, month=month, due_date=due[month], kind=kinds[n % 3])
        for month in range(1, 13)
        for n in range(30)
    ]
    late = demo_late_tasks(tasks, today)
    done = {}
    for task in tasks:
        day = demo_done_day(task, today.year, today)
        if day is not None:
            done[task.pk] = day
            assert day.month == task.month and day <= task.due_date and day < today
    past = [t for t in tasks if t.due_date < today]
    assert all(t.pk in done for t in past)  # the back-fill does every past task but the late
    assert len(late) == (LATE_TASKS if past else 0)
    assert all(t.due_date < today and t.kind == "town_inspection" for t in tasks if t.pk in late)
    this_month = [t for t in tasks if t.month == today.month and t.due_date >= today]
    assert len([t for t in this_month if t.pk in done]) <= len(this_month) / 2 + 1
