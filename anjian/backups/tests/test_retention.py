"""The retention rule, where its periods turn: month and year ends in Beijing time, ISO weeks
across a year end, 29 February, a machine switched off for months."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from anjian.backups.models import Backup
from anjian.backups.retention import backup_prune, retention_keep

BJ = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=2, mm=10) -> datetime.datetime:
    return datetime.datetime(y, m, d, hh, mm, tzinfo=BJ)


def nightly(start: datetime.date, end: datetime.date) -> list[datetime.datetime]:
    days = (end - start).days + 1
    return [at(*(start + datetime.timedelta(days=i)).timetuple()[:3]) for i in range(days)]


def test_a_year_end_keeps_7_days_5_iso_weeks_and_the_months():
    moments = nightly(datetime.date(2026, 11, 1), datetime.date(2027, 1, 5))
    keep = retention_keep(moments, at(2027, 1, 5, 3))
    days = {at(2026, 12, 30), at(2026, 12, 31)} | {at(2027, 1, d) for d in range(1, 6)}
    # ISO weeks: 2027-W01 (from Mon 4 Jan), 2026-W53 (28 Dec - 3 Jan), W52, W51, W50.
    weeks = {at(2027, 1, 5), at(2027, 1, 3), at(2026, 12, 27), at(2026, 12, 20), at(2026, 12, 13)}
    months = {at(2027, 1, 5), at(2026, 12, 31), at(2026, 11, 30)}
    assert keep == days | weeks | months


def test_29_february_is_the_last_of_its_month():
    moments = nightly(datetime.date(2028, 2, 20), datetime.date(2028, 3, 3))
    keep = retention_keep(moments, at(2028, 3, 3, 3), daily=2, weekly=1, monthly=2)
    assert keep == {at(2028, 3, 3), at(2028, 3, 2), at(2028, 2, 29)}


def test_a_month_ends_at_midnight_in_beijing_not_in_utc():
    # 1 February 00:30 in Beijing is still 31 January in UTC: it is February's backup.
    feb_first = at(2027, 2, 1, 0, 30)
    jan_last = at(2027, 1, 31, 23, 30)
    moments = [feb_first, jan_last, at(2027, 1, 30, 23, 30)]
    keep = retention_keep(moments, at(2027, 2, 1, 1), daily=1, weekly=1, monthly=2)
    assert keep == {feb_first, jan_last}


def test_a_machine_switched_off_for_months_keeps_its_last_backups():
    moments = nightly(datetime.date(2027, 1, 1), datetime.date(2027, 1, 20))
    keep = retention_keep(moments, at(2027, 6, 1))
    assert {at(2027, 1, d) for d in range(14, 21)} <= keep
    assert len(keep) == 7 + 2  # the 7 newest days, and W01/W02 newest (W03 is among the days)


def test_a_backup_dated_after_now_is_kept():
    future = at(2027, 3, 1)
    assert future in retention_keep([future, at(2027, 1, 1)], at(2027, 2, 1), daily=1)


@pytest.mark.django_db
def test_prune_deletes_the_archives_the_rule_drops_and_marks_their_rows(tmp_path):
    moments = nightly(datetime.date(2027, 1, 1), datetime.date(2027, 1, 10))
    for moment in moments:
        path = tmp_path / f"anjian-{moment:%Y%m%d-%H%M%S}.tar"
        path.write_bytes(b"x")
        Backup.objects.create(name=path.name, path=str(path), engine="sqlite", created_at=moment)
    (tmp_path / "notes.txt").write_text("not an archive")
    deleted = backup_prune(directories=[tmp_path], now=at(2027, 1, 10, 3))
    left = sorted(p.name for p in tmp_path.iterdir())
    assert "notes.txt" in left
    assert len(left) == 1 + len(moments) - len(deleted)
    assert set(
        Backup.objects.filter(pruned_at__isnull=False).values_list("path", flat=True)
    ) == set(deleted)
    assert deleted  # 10 nightly archives, 7 days: W01's newest (3 Jan) stays, 1 and 2 Jan go
    assert {p.rsplit("/", 1)[1][7:15] for p in deleted} == {"20270101", "20270102"}
