"""The working-day calendar: published holidays, the office's own years, the weekend fallback."""

from __future__ import annotations

import datetime

import pytest
from chinese_calendar.constants import holidays as published_holidays
from chinese_calendar.constants import workdays as published_workdays
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from anjian.audit.models import AuditEntry
from anjian.core import calendar as cal
from anjian.core.calendar import (
    CalendarEntry,
    add_working_days,
    calendar_source,
    calendar_warning,
    calendar_year_remove,
    calendar_year_save,
    is_working_day,
    parse_calendar_text,
    working_days_between,
)

D = datetime.date

# The holidays of 2027 as an office might enter them (New Year only is enough for the tests).
OFFICE_2027 = "2027-01-01~2027-01-03 元旦\n2027-02-06~2027-02-13 春节\n2027-02-20 上班 春节调休\n"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_package_data_matches_the_2026_announcement():
    spring = [D(2026, 2, d) for d in range(15, 24)]
    national = [D(2026, 10, d) for d in range(1, 8)]
    assert all(d in published_holidays for d in spring + national)
    assert D(2026, 2, 14) in published_workdays and D(2026, 2, 14).weekday() == 5
    assert D(2026, 2, 28) in published_workdays and D(2026, 2, 28).weekday() == 5
    assert D(2026, 9, 20) in published_workdays and D(2026, 9, 20).weekday() == 6
    assert D(2026, 10, 10) in published_workdays and D(2026, 10, 10).weekday() == 5


@pytest.mark.django_db
def test_published_holidays_and_make_up_days_decide_working_days():
    assert calendar_source(2026) == "published"
    assert not is_working_day(D(2026, 2, 16))  # Monday in the Spring Festival
    assert not is_working_day(D(2026, 2, 15))  # Sunday in the Spring Festival
    assert is_working_day(D(2026, 2, 14))  # Saturday, make-up working day
    assert is_working_day(D(2026, 9, 20))  # Sunday, make-up working day
    assert not is_working_day(D(2026, 3, 7))  # an ordinary Saturday
    assert is_working_day(D(2026, 3, 9))  # an ordinary Monday


@pytest.mark.django_db
def test_a_deadline_across_the_spring_festival_skips_the_holiday_and_counts_the_make_up_saturday():
    assert add_working_days(D(2026, 2, 13), 1).date == D(2026, 2, 14)  # Fri → make-up Sat
    result = add_working_days(D(2026, 2, 13), 2)
    assert result.date == D(2026, 2, 24)  # Sat 14th, then the holiday Feb 15–23, then Tue 24th
    assert result.warnings == []
    assert add_working_days(D(2026, 2, 26), 2).date == D(2026, 2, 28)  # Fri 27, make-up Sat 28


@pytest.mark.django_db
def test_a_deadline_across_national_day_counts_the_make_up_days():
    assert add_working_days(D(2026, 9, 18), 1).date == D(2026, 9, 20)  # make-up Sunday
    assert add_working_days(D(2026, 9, 30), 1).date == D(2026, 10, 8)  # after Oct 1–7
    assert add_working_days(D(2026, 9, 30), 3).date == D(2026, 10, 10)  # Thu 8, Fri 9, Sat 10


@pytest.mark.django_db
def test_zero_working_days_means_the_start_date_or_the_next_working_day():
    assert add_working_days(D(2026, 2, 24), 0).date == D(2026, 2, 24)
    assert add_working_days(D(2026, 2, 15), 0).date == D(2026, 2, 24)
    with pytest.raises(ValueError):
        add_working_days(D(2026, 2, 15), -1)


@pytest.mark.django_db
def test_working_days_between_counts_the_days_after_the_first_date():
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2  # Sat 14 and Tue 24
    assert working_days_between(D(2026, 2, 24), D(2026, 2, 13)) == -2
    assert working_days_between(D(2026, 2, 24), D(2026, 2, 24)) == 0
    assert working_days_between(D(2026, 10, 1), D(2026, 10, 10)) == 3


def _counted_day_by_day(a: datetime.date, b: datetime.date) -> int:
    """The definition, walked a day at a time: working days d with a < d <= b."""
    sign, (a, b) = (1, (a, b)) if a <= b else (-1, (b, a))
    days = (b - a).days
    return sign * sum(is_working_day(a + datetime.timedelta(days=i)) for i in range(1, days + 1))


@pytest.mark.django_db
def test_working_days_between_agrees_with_counting_day_by_day_across_years(world):
    """Counted from each year's running totals: right across the Spring Festival, National Day,
    the turn of a year, an office-entered year (2027) and a year nobody entered (2028)."""
    calendar_year_save(
        actor=world.town_office_a, year=2027, days=parse_calendar_text(2027, OFFICE_2027)
    )
    dates = [
        D(2025, 12, 31), D(2026, 1, 1), D(2026, 2, 13), D(2026, 2, 14), D(2026, 2, 24),
        D(2026, 9, 30), D(2026, 10, 8), D(2026, 12, 31), D(2027, 1, 1), D(2027, 2, 19),
        D(2027, 2, 20), D(2027, 12, 31), D(2028, 2, 29), D(2028, 12, 31),
    ]  # fmt: skip
    for a in dates:
        for b in dates:
            assert working_days_between(a, b) == _counted_day_by_day(a, b), (a, b)
    assert working_days_between(D(2027, 2, 19), D(2027, 2, 22)) == 2  # Sat 20 (make-up), Mon 22


@pytest.mark.django_db
def test_a_december_deadline_into_an_unentered_year_falls_back_to_weekends_with_a_warning():
    assert calendar_source(2027) == "weekends_only"
    result = add_working_days(D(2026, 12, 24), 10)
    # Fri 25, Mon 28 – Thu 31 (5), then 2027 by weekends only: Fri Jan 1, Mon 4 – Thu 7
    assert result.date == D(2027, 1, 7)
    assert len(result.warnings) == 1
    assert "2027" in result.warnings[0]
    assert calendar_warning(2027) == result.warnings[0]
    assert calendar_warning(2026) is None
    assert is_working_day(D(2027, 1, 1))
    assert not is_working_day(D(2027, 1, 2))
    # Far-away years never raise either.
    assert add_working_days(D(2099, 12, 30), 5).warnings


@pytest.mark.django_db
def test_entering_2027_changes_the_same_deadline_and_removes_the_warning(world):
    before = add_working_days(D(2026, 12, 24), 10)
    calendar_year_save(
        actor=world.town_office_a, year=2027, days=parse_calendar_text(2027, OFFICE_2027)
    )
    after = add_working_days(D(2026, 12, 24), 10)
    assert calendar_source(2027) == "office"
    assert before.date == D(2027, 1, 7)
    assert after.date == D(2027, 1, 8)  # Jan 1 is now a holiday
    assert after.warnings == []
    assert is_working_day(D(2027, 2, 20))  # the make-up Saturday
    assert not is_working_day(D(2027, 2, 8))


@pytest.mark.django_db
def test_an_entered_year_overrides_the_published_data(world):
    calendar_year_save(
        actor=world.town_office_a, year=2026, days=[CalendarEntry(D(2026, 1, 1), "holiday", "元旦")]
    )
    assert calendar_source(2026) == "office"
    assert is_working_day(D(2026, 2, 16))  # no longer a holiday: the office's data is the truth
    assert not is_working_day(D(2026, 2, 14))  # no longer a make-up day
    calendar_year_remove(actor=world.town_office_a, year=2026, reason="entered by mistake")
    assert calendar_source(2026) == "published"
    assert not is_working_day(D(2026, 2, 16))
    removed = AuditEntry.objects.get(action="calendar.year_removed")
    assert removed.reason == "entered by mistake"


@pytest.mark.django_db
def test_saving_a_year_is_audited_with_the_days_before_and_after(world):
    office = world.town_office_a
    calendar_year_save(
        actor=office, year=2027, days=parse_calendar_text(2027, OFFICE_2027), note="国办发明电"
    )
    entry = AuditEntry.objects.get(action="calendar.year_entered")
    assert entry.actor == office
    assert entry.changes["days"][0] is None
    assert ["2027-02-20", "workday", "春节调休"] in entry.changes["days"][1]
    calendar_year_save(actor=office, year=2027, days=parse_calendar_text(2027, "2027-01-01 元旦"))
    replaced = AuditEntry.objects.get(action="calendar.year_replaced")
    assert len(replaced.changes["days"][0]) == 12
    assert replaced.changes["days"][1] == [["2027-01-01", "holiday", "元旦"]]
    assert not is_working_day(D(2027, 1, 1))
    assert is_working_day(D(2027, 2, 8))  # the Spring Festival is no longer entered


@pytest.mark.django_db
def test_only_the_office_may_enter_a_year(world):
    with pytest.raises(PermissionDenied):
        calendar_year_save(
            actor=world.enterprise_a, year=2027, days=parse_calendar_text(2027, OFFICE_2027)
        )
    assert calendar_source(2027) == "weekends_only"


def test_the_text_format_reads_periods_single_days_and_make_up_days():
    entries = parse_calendar_text(
        2027,
        "# 2027年\n2027-02-06~2027-02-13 春节\n\n2027/10/1 至 2027/10/7 国庆节\n"
        "2027-02-14 上班 春节调休\n2027年4月5日 清明节\n",
    )
    kinds = {e.date: (e.kind, e.name) for e in entries}
    assert kinds[D(2027, 2, 6)] == ("holiday", "春节")
    assert kinds[D(2027, 2, 13)] == ("holiday", "春节")
    assert kinds[D(2027, 10, 7)] == ("holiday", "国庆节")
    assert kinds[D(2027, 2, 14)] == ("workday", "春节调休")
    assert kinds[D(2027, 4, 5)] == ("holiday", "清明节")
    assert len(entries) == 8 + 7 + 1 + 1


def test_the_text_form_of_a_year_reads_back_to_the_same_days():
    entries = parse_calendar_text(2027, OFFICE_2027)
    text = cal.format_calendar_text(entries)
    assert "2027-02-06~2027-02-13 春节" in text
    assert "2027-02-20 上班 春节调休" in text
    assert parse_calendar_text(2027, text) == entries


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-12-31 元旦", "not in the year 2027"),
        ("2027-02-15 上班 调休", "must fall on a Saturday or a Sunday"),
        ("2027-03-06~2027-03-07 周末", "covers only a weekend"),
        ("春节 2027-02-06", "Line 1"),
        ("2027-02-30 春节", "does not exist"),
        ("2027-02-13~2027-02-06 春节", "ends (2027-02-06) before it starts"),
        ("2027-01-01 元旦\n2027-01-01 元旦", "listed more than once"),
        ("2027-02-20 上班 调休", "at least one public holiday"),
        ("2027-01-01~2027-03-01 长假", "more than 31 days"),
    ],
)
def test_invalid_lines_are_refused_with_a_message_naming_the_problem(text, message):
    with pytest.raises(ValidationError) as exc:
        parse_calendar_text(2027, text)
    assert any(message in m for m in exc.value.messages), exc.value.messages


def test_a_year_out_of_range_is_refused():
    with pytest.raises(ValidationError):
        parse_calendar_text(1999, "1999-10-01 国庆节")
