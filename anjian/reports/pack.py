"""The analysis-meeting pack (安全形势分析会材料) of a meeting: the situation in figures, what changed
since the town's previous meeting, the hard problems and the experts' findings.

Definitions (also in ``docs/reports.md``). "The moment of the pack" (``as_of``) is the end of the
meeting's day, or now when that day has not ended.

- The situation: ``figures_compute`` for the meeting's period, narrowed to its town.
- Since the last meeting: the previous meeting of the same town (held earlier; on the same day,
  recorded earlier); its period's figures against this one's, row by row, with the difference
  (percentage points for rates).
- Longest overdue: hazards open at the moment (found before it, not closed before it, not
  cancelled), with a deadline before its day and not awaiting a re-check at it; the ``OVERDUE_TOP``
  with the oldest deadlines, with their days overdue (calendar days from the deadline).
- Open major hazards: major hazards open at the moment, listed for supervision or not.
- Repeat offenders: units with at least ``REPEAT_MIN`` hazards found in the twelve months before
  the moment, or with a hazard found in those months in a category in which an earlier hazard of
  the same unit had already been closed (the problem came back after it was struck off).
- Experts' findings: hazards found in the period by contracted experts — the source "expert
  check", or a finder whose account is an engineer of a service firm — per unit.

Every read goes through ``Hazard.objects.for_action(user, "hazards.view")``; the work is a fixed
number of queries whatever the data size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from anjian.hazards.choices import HazardLevel, HazardSource, HazardStatus, ReportOutcome
from anjian.hazards.models import Hazard, RectificationReport
from anjian.hazards.selectors import twelve_months_before
from anjian.reports.models import AnalysisMeeting
from anjian.reports.summary import show_value, summary_figures
from anjian.stats.figures import MONEY, PERCENT, TOTAL, StatsResult

OVERDUE_TOP = 10
QUIET_ROWS = ("campaigns.category.",)
REPEAT_MIN = 3
LIST_CAP = 50


@dataclass
class Change:
    key: str
    section: str
    label: str
    kind: str
    before: Any
    now: Any
    difference: Any

    @property
    def before_text(self) -> str:
        return show_value(self.kind, self.before)

    @property
    def now_text(self) -> str:
        return show_value(self.kind, self.now)

    @property
    def difference_text(self) -> str:
        d = self.difference
        if d is None:
            return "—"
        if not d or d == "0.00":
            return "0"
        if self.kind == PERCENT:
            return f"{d:+.1f}"
        if self.kind == MONEY:
            return f"{Decimal(d):+,.2f}"
        return f"{d:+d}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "section": self.section,
            "label": self.label,
            "kind": self.kind,
            "before": self.before,
            "now": self.now,
            "difference": self.difference,
        }


def _nothing(value: Any) -> bool:
    return value in (None, 0, "0.00")


def _difference(kind: str, before: Any, now: Any) -> Any:
    if before is None or now is None:
        return None
    if kind == PERCENT:
        return round(float(now) - float(before), 1)
    if kind == MONEY:
        return f"{Decimal(now) - Decimal(before):.2f}"
    return now - before


def figures_changes(before: StatsResult, now: StatsResult) -> list[Change]:
    """Row by row (this period's rows, in order): the total before, now, and the difference."""
    earlier = {row.key: row.values.get(TOTAL) for s in before.sections for row in s.rows}
    out = []
    for section in now.sections:
        for row in section.rows:
            value = row.values.get(TOTAL)
            previous = earlier.get(row.key)
            out.append(
                Change(
                    key=row.key,
                    section=section.title,
                    label=row.label,
                    kind=row.kind,
                    before=previous,
                    now=value,
                    difference=_difference(row.kind, previous, value),
                )
            )
    return out


@dataclass
class HazardRow:
    id: int
    code: str
    unit_id: int
    unit_name: str
    description: str
    level: str
    found_on: datetime.date
    deadline: datetime.date | None
    days_overdue: int | None
    listed: bool
    listing_level: str

    def as_dict(self) -> dict[str, Any]:
        return {
            k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in vars(self).items()
        }


@dataclass
class RepeatRow:
    unit_id: int
    unit_name: str
    found: int  # in the twelve months
    refound: int  # of which in a category already closed at the unit before

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class ExpertRow:
    unit_id: int
    unit_name: str
    found: int
    major: int
    closed: int  # closed by the moment of the pack
    experts: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class Pack:
    meeting: AnalysisMeeting
    as_of: datetime.datetime
    result: StatsResult
    previous: AnalysisMeeting | None
    changes: list[Change]
    overdue: list[HazardRow]
    major_open: list[HazardRow]
    repeat: list[RepeatRow]
    experts: list[ExpertRow]

    @property
    def changes_shown(self) -> list[Change]:
        """The changes a reader looks at: rows with nothing in either period are left out."""
        return [c for c in self.changes if not (_nothing(c.before) and _nothing(c.now))]

    @property
    def sections_shown(self) -> list[tuple[str, list]]:
        """The figures, without the campaigns' per-category tally rows that are all 0 (the
        kinds of units no campaign checked)."""
        out = []
        for section in self.result.sections:
            rows = [
                row
                for row in section.rows
                if not (row.key.startswith(QUIET_ROWS) and _nothing(row.values.get(TOTAL)))
            ]
            out.append((section.title, rows))
        return out

    def as_dict(self) -> dict[str, Any]:
        m, p = self.meeting, self.previous
        return {
            "meeting": meeting_dict(m),
            "as_of": self.as_of.isoformat(),
            "figures": self.result.as_dict(),
            "previous_meeting": meeting_dict(p) if p else None,
            "changes": [c.as_dict() for c in self.changes],
            "longest_overdue": [h.as_dict() for h in self.overdue],
            "major_open": [h.as_dict() for h in self.major_open],
            "repeat_offenders": [r.as_dict() for r in self.repeat],
            "expert_findings": [e.as_dict() for e in self.experts],
        }


def meeting_dict(m: AnalysisMeeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "title": m.title,
        "region_id": m.region_id,
        "held_on": m.held_on.isoformat(),
        "period_kind": m.period_kind,
        "period_start": m.period_start.isoformat(),
        "period_end": m.period_end.isoformat(),
        "period_label": m.period.label,
        "notes": m.notes,
    }


def pack_as_of(meeting: AnalysisMeeting, now: datetime.datetime | None = None) -> datetime.datetime:
    now = now or timezone.now()
    day_end = timezone.make_aware(
        datetime.datetime.combine(meeting.held_on + datetime.timedelta(days=1), datetime.time.min)
    )
    return min(day_end, now)


def previous_meeting(user, meeting: AnalysisMeeting) -> AnalysisMeeting | None:
    return (
        AnalysisMeeting.objects.for_action(user, "reports.view")
        .filter(region_id=meeting.region_id)
        .filter(Q(held_on__lt=meeting.held_on) | Q(held_on=meeting.held_on, pk__lt=meeting.pk))
        .order_by("-held_on", "-pk")
        .first()
    )


def _town_figures(user, meeting: AnalysisMeeting, period, now) -> StatsResult:
    """The figures of the meeting's town (a district user's narrowed to it)."""
    try:
        return summary_figures(user, period, region_id=meeting.region_id, now=now)
    except ValidationError:  # no unit of the town is visible: the scope's own (empty) figures
        return summary_figures(user, period, now=now)


def _hazards(user, meeting: AnalysisMeeting):
    return (
        Hazard.objects.for_action(user, "hazards.view")
        .filter(unit__region__parent_id=meeting.region_id)
        .exclude(status=HazardStatus.CANCELLED)
    )


def _open_at(as_of: datetime.datetime) -> Q:
    return Q(found_at__lt=as_of) & (Q(closed_at__isnull=True) | Q(closed_at__gte=as_of))


def _row(h: Hazard, day: datetime.date, overdue: bool) -> HazardRow:
    return HazardRow(
        id=h.pk,
        code=h.code,
        unit_id=h.unit_id,
        unit_name=h.unit.name,
        description=h.description[:120],
        level=h.level,
        found_on=timezone.localtime(h.found_at).date(),
        deadline=h.deadline,
        days_overdue=(day - h.deadline).days if overdue and h.deadline else None,
        listed=h.listed_at is not None,
        listing_level=h.listing_level,
    )


def longest_overdue(user, meeting, as_of, *, top: int = OVERDUE_TOP) -> list[HazardRow]:
    day = timezone.localtime(as_of).date()
    awaiting = Exists(
        RectificationReport.objects.filter(hazard=OuterRef("pk"), submitted_at__lt=as_of).filter(
            Q(outcome=ReportOutcome.PENDING, rechecked_at__isnull=True) | Q(rechecked_at__gte=as_of)
        )
    )
    qs = (
        _hazards(user, meeting)
        .filter(_open_at(as_of), deadline__lt=day)
        .filter(~Q(awaiting))
        .select_related("unit")
        .order_by("deadline", "found_at", "pk")[:top]
    )
    return [_row(h, day, True) for h in qs]


def major_open(user, meeting, as_of) -> list[HazardRow]:
    day = timezone.localtime(as_of).date()
    qs = (
        _hazards(user, meeting)
        .filter(_open_at(as_of), level=HazardLevel.MAJOR)
        .select_related("unit")
        .order_by("found_at", "pk")[:LIST_CAP]
    )
    return [_row(h, day, bool(h.deadline and h.deadline < day)) for h in qs]


def repeat_offenders(user, meeting, as_of) -> list[RepeatRow]:
    since = timezone.make_aware(
        datetime.datetime.combine(
            twelve_months_before(timezone.localtime(as_of).date()), datetime.time.min
        )
    )
    closed_before = Exists(
        Hazard.objects.filter(
            unit_id=OuterRef("unit_id"),
            category=OuterRef("category"),
            status=HazardStatus.CLOSED,
            closed_at__lt=OuterRef("found_at"),
        ).exclude(pk=OuterRef("pk"))
    )
    rows = (
        _hazards(user, meeting)
        .filter(found_at__gte=since, found_at__lt=as_of)
        .annotate(refound_flag=closed_before)
        .order_by()
        .values("unit_id", unit_name=F("unit__name"))
        .annotate(found=Count("pk"), refound=Count("pk", filter=Q(refound_flag=True)))
        .filter(Q(found__gte=REPEAT_MIN) | Q(refound__gte=1))
        .order_by("-found", "-refound", "unit_name", "unit_id")[:LIST_CAP]
    )
    return [RepeatRow(r["unit_id"], r["unit_name"], r["found"], r["refound"]) for r in rows]


def expert_findings(user, meeting, period, as_of) -> list[ExpertRow]:
    by_expert = Q(source=HazardSource.EXPERT_CHECK) | Q(found_by__engineer__isnull=False)
    qs = _hazards(user, meeting).filter(
        by_expert, found_at__gte=period.start_dt, found_at__lt=period.end_dt
    )
    rows = (
        qs.order_by()
        .values("unit_id", unit_name=F("unit__name"))
        .annotate(
            found=Count("pk", distinct=True),
            major=Count("pk", filter=Q(level=HazardLevel.MAJOR), distinct=True),
            closed=Count("pk", filter=Q(closed_at__lt=as_of), distinct=True),
        )
        .order_by("-found", "unit_name", "unit_id")
    )
    out = {
        r["unit_id"]: ExpertRow(r["unit_id"], r["unit_name"], r["found"], r["major"], r["closed"])
        for r in rows
    }
    names = (
        qs.order_by().values_list("unit_id", "found_by__engineer__name", "found_by_name").distinct()
    )
    for unit_id, engineer, finder in names:
        name = engineer or finder
        if name and unit_id in out and name not in out[unit_id].experts:
            out[unit_id].experts.append(name)
    for row in out.values():
        row.experts.sort()
    return list(out.values())


def pack_compute(user, meeting: AnalysisMeeting, *, now: datetime.datetime | None = None) -> Pack:
    now = now or timezone.now()
    as_of = pack_as_of(meeting, now)
    period = meeting.period
    result = _town_figures(user, meeting, period, now)
    previous = previous_meeting(user, meeting)
    changes: list[Change] = []
    if previous is not None:
        before = _town_figures(user, meeting, previous.period, now)
        changes = figures_changes(before, result)
    return Pack(
        meeting=meeting,
        as_of=as_of,
        result=result,
        previous=previous,
        changes=changes,
        overdue=longest_overdue(user, meeting, as_of),
        major_open=major_open(user, meeting, as_of),
        repeat=repeat_offenders(user, meeting, as_of),
        experts=expert_findings(user, meeting, period, as_of),
    )
