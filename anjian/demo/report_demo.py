"""The demo town's analysis meetings (安全形势分析会): one for each of the last two quarters whose
meeting has been held by the day the demo is loaded, so that the later meeting's pack shows what
changed since the meeting before. Each quarter's meeting is held on the 10th of the month after
it. Idempotent (by town and day)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from anjian.accounts.models import User
from anjian.regions.models import Region
from anjian.reports.models import AnalysisMeeting
from anjian.reports.services import meeting_create
from anjian.stats.periods import PeriodKind, period_make

MEETING_DAY = 10  # of the first month after the quarter
QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
QUARTER_NOTES = {
    1: "通报一季度隐患排查整改情况，部署春季安全生产大检查。",
    2: "通报二季度隐患排查整改情况，部署汛期安全工作。",
    3: "通报三季度检查与执法情况，部署秋冬季火灾防控。",
    4: "通报四季度及全年安全生产情况，部署岁末年初安全防范工作。",
}


@dataclass(frozen=True)
class DemoMeeting:
    held_on: datetime.date
    year: int
    quarter: int
    title: str
    notes: str


def _meeting_of(year: int, quarter: int) -> DemoMeeting:
    month_after = 3 * quarter + 1
    held_on = datetime.date(year + month_after // 13, (month_after - 1) % 12 + 1, MEETING_DAY)
    return DemoMeeting(
        held_on,
        year,
        quarter,
        f"{year}年{QUARTER_NAMES[quarter]}季度安全生产形势分析会",
        QUARTER_NOTES[quarter],
    )


def demo_meetings(today: datetime.date) -> list[DemoMeeting]:
    """The meetings of the last two quarters whose meeting day is before ``today`` (pure), the
    earlier first."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    meetings: list[DemoMeeting] = []
    while len(meetings) < 2:
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        meeting = _meeting_of(year, quarter)
        if meeting.held_on < today:
            meetings.insert(0, meeting)
    return meetings


def load_demo_meetings(report, *, town_code: str) -> None:
    office = User.objects.get(username="ck_office")
    town = Region.objects.get(code=town_code)
    for meeting in demo_meetings(timezone.localdate()):
        if AnalysisMeeting.objects.filter(region=town, held_on=meeting.held_on).exists():
            continue
        meeting_create(
            actor=office,
            held_on=meeting.held_on,
            period=period_make(PeriodKind.QUARTER, year=meeting.year, quarter=meeting.quarter),
            region_id=town.pk,
            title=meeting.title,
            notes=meeting.notes,
        )
        report.add("analysis meetings")
