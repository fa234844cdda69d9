"""The reports (``anjian.reports``) in the access walk: an analysis meeting in every town, recorded
by the town's office; the summary, its Word file, and the meetings and their pack by the API."""

from __future__ import annotations

import datetime
from typing import Any

from anjian.reports.models import AnalysisMeeting
from anjian.reports.services import meeting_create
from anjian.stats.periods import PeriodKind, period_make

FUNCTION_VIEW_OBJECTS: dict[str, tuple[type, str]] = {
    "reports:meeting_detail": (AnalysisMeeting, "reports.view"),
    "reports:meeting_pack": (AnalysisMeeting, "reports.view"),
    "reports:meeting_docx": (AnalysisMeeting, "reports.view"),
}
PATH_PARAMS: dict[str, tuple[type, str]] = {
    "meeting_id": (AnalysisMeeting, "reports.view"),
}
LIST_OPERATIONS: dict[str, tuple[type, str]] = {
    "reports_meetings_list": (AnalysisMeeting, "reports.view"),
}
ACTION_OPERATIONS: dict[str, tuple[str, Any]] = {
    "reports_summary": ("reports.view", None),
    "reports_summary_docx": ("reports.view", None),
    "reports_meetings_create": (
        "reports.manage_meetings",
        {"held_on": "2026-07-10", "kind": "year", "year": 2026},
    ),
}


def walk_objects(*, world, recorders, towns, outside_officer) -> None:
    """A meeting on the first half of 2026 in every town, recorded by the town's office."""
    offices = {unit.region.parent_id: office for unit, office in recorders.items()}
    quarter = period_make(PeriodKind.QUARTER, year=2026, quarter=2)
    for town in towns:
        office = offices.get(town.pk)
        if office is not None and not AnalysisMeeting.objects.filter(region=town).exists():
            meeting_create(
                actor=office,
                held_on=datetime.date(2026, 7, 10),
                period=quarter,
                region_id=town.pk,
                title=f"{town.name}二季度安全形势分析会",
            )
