"""The demo town's analysis meetings (安全形势分析会): the second and third quarters of 2026, so that
the third quarter's pack shows what changed since the meeting before. Idempotent (by town and day)."""

from __future__ import annotations

import datetime

from anjian.accounts.models import User
from anjian.regions.models import Region
from anjian.reports.models import AnalysisMeeting
from anjian.reports.services import meeting_create
from anjian.stats.periods import PeriodKind, period_make

MEETINGS = (
    (
        datetime.date(2026, 7, 10),
        2,
        "二季度安全生产形势分析会",
        "通报二季度隐患排查整改情况，部署汛期安全工作。",
    ),
    (
        datetime.date(2026, 10, 12),
        3,
        "三季度安全生产形势分析会",
        "通报三季度检查与执法情况，部署秋冬季火灾防控。",
    ),
)


def load_demo_meetings(report, *, town_code: str) -> None:
    office = User.objects.get(username="ck_office")
    town = Region.objects.get(code=town_code)
    for held_on, quarter, title, notes in MEETINGS:
        if AnalysisMeeting.objects.filter(region=town, held_on=held_on).exists():
            continue
        meeting_create(
            actor=office,
            held_on=held_on,
            period=period_make(PeriodKind.QUARTER, year=2026, quarter=quarter),
            region_id=town.pk,
            title=title,
            notes=notes,
        )
        report.add("analysis meetings")
