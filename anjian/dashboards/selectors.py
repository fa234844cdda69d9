"""The situation at a glance (形势一览): every figure and chart of the dashboard, for the scope of the
user who asks.

``dashboard_compute(user, now=…)`` returns a ``Dashboard``: figures (one value per town the user may
see and their total), the office's work queues, the charts' data, the longest-overdue hazards and
the units that missed last month's report. Every read goes through the model's own
``for_action(user, …)``, so the role variants are the same selectors over different scopes: a
committee member sees their sector, a village officer their village, an expert the contracted units,
an enterprise its own unit, a district user each of its towns and their sum. A section shows only
when the user's roles hold the action it is read with.

Definitions are those of the statistics table (``anjian.stats.figures``), which computes the
rectification rates, inspection visits, units supervised, the plan's and the cases' figures here
(its sections read by key, for this month and this year):

- open hazards: status found, under rectification or submitted (``HazardQuerySet.open``);
- overdue: ``HazardQuerySet.overdue(today)`` — open, not awaiting a re-check, deadline passed;
- major: open major hazards;
- rectification rate (this month, this year): the statistics' rate A, closed in the period ÷ found
  in the period (``None`` when nothing was found);
- inspections against the plan: the statistics' ``plan.done`` of ``plan.planned`` this year (tasks
  due this year, done when their inspection finished) and ``plan.late`` (due before today, not
  done); the chart by month counts the same tasks by their month;
- cases open: the statistics' ``cases.open_at_end`` (approved, not closed, transferred or
  withdrawn); cases opened this year: ``cases.opened`` (approved this year);
- permits in force: no permit module records them yet, so the figure says so (``None``);
- trend: per month of the last twelve, hazards found (``found_at``), closed (``closed_at``), and
  finished inspection visits (``started_at``); cancelled hazards are never counted;
- breakdowns: the open hazards by village, sector committee, category, source and finder.

The work is a fixed number of queries whatever the data size (about thirty: two statistics
computations, one grouped aggregate per figure family, one per breakdown, one for the map).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anjian.core.choices import choice_label
from anjian.core.scoping import get_scope
from anjian.dashboards.results import (
    COUNT,
    FRACTION,
    MISSING,
    PERCENT,
    SERIES_COLOURS,
    UNGRADED,
    Area,
    Chart,
    Dashboard,
    Figure,
    MissedReports,
    OverdueHazard,
    Point,
    Series,
    grade_colour,
    grade_label,
)
from anjian.hazards.choices import (
    OPEN_STATUSES,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
    TipOffStatus,
)
from anjian.hazards.home import hazard_figures
from anjian.hazards.models import Hazard, TipOff, overdue_q
from anjian.hazards.reports import month_param, monthly_missing, previous_month
from anjian.inspections.choices import InspectionStatus
from anjian.inspections.models import Inspection
from anjian.plans.models import InspectionTask
from anjian.plans.selectors import DONE_Q
from anjian.stats.figures import SUPERVISED_STATUSES, TOTAL, figures_compute
from anjian.stats.periods import Period, PeriodKind, period_make
from anjian.units.models import GRADE_ORDER, Unit

HAZARDS = "hazards.view"
INSPECTIONS = "inspections.view"
UNITS = "units.view"
PLANS = "plans.view"
FOLLOW = "hazards.follow_reports"
TRIAGE = "hazards.triage_tip_offs"
DECIDE_EXTENSION = "hazards.decide_extension"

TREND_MONTHS = 12
TOP_OVERDUE = 10
MISSED_NAMES = 10
MAX_MAP_POINTS = 3000


# --- Helpers ------------------------------------------------------------------------------------


def _url(name: str, *args, **params) -> str:
    """The list behind a figure: the page ``name`` with its filters."""
    base = reverse(name, args=args)
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{base}?{urlencode(query)}" if query else base


@dataclass
class _Ctx:
    user: Any
    now: datetime.datetime
    today: datetime.date
    areas: list[Area]

    def can(self, action: str) -> bool:
        return get_scope(self.user).can(action)

    def by_area(self, rows: list[dict[str, Any]], metrics: list[str]) -> dict[str, dict[str, Any]]:
        """Rows grouped by ``area`` → ``{metric: {area key: n, total: n}}`` (0 where absent)."""
        keys = [a.key for a in self.areas]
        out: dict[str, dict[str, Any]] = {m: dict.fromkeys(keys, 0) for m in metrics}
        for row in rows:
            key = str(row["area"])
            for m in metrics:
                out[m][key] = out[m].get(key, 0) + (row[m] or 0)
        for m in metrics:
            out[m][TOTAL] = sum(out[m].values())
        return out


def _months(today: datetime.date, count: int = TREND_MONTHS) -> list[Period]:
    first = today.replace(day=1)
    months = []
    for back in range(count - 1, -1, -1):
        year, month = first.year, first.month - back
        while month <= 0:
            year, month = year - 1, month + 12
        months.append(period_make(PeriodKind.MONTH, year=year, month=month))
    return months


def _month_name(period: Period) -> str:
    return f"{period.year}-{period.month:02d}"


# --- Figures ------------------------------------------------------------------------------------


def _hazard_figures(ctx: _Ctx) -> list[Figure]:
    qs = Hazard.objects.for_action(ctx.user, HAZARDS)
    open_q = Q(status__in=OPEN_STATUSES)
    overdue = overdue_q(ctx.today)
    metrics = {
        "open": Count("pk", filter=open_q),
        "overdue": Count("pk", filter=overdue),
        "major": Count("pk", filter=open_q & Q(level=HazardLevel.MAJOR)),
    }
    rows = list(
        qs.order_by().values(area=F("unit__region__parent_id")).annotate(**metrics).order_by()
    )
    by = ctx.by_area(rows, list(metrics))
    hazard_list = "hazards:hazard_list"
    return [
        Figure("hazards.open", _("Open hazards"), by["open"],
               link=_url(hazard_list, queue="open"), testid="open"),
        Figure("hazards.overdue", _("Overdue hazards"), by["overdue"],
               link=_url(hazard_list, queue="overdue"), testid="overdue"),
        Figure("hazards.major", _("Major hazards, open"), by["major"],
               link=_url(hazard_list, queue="major"), testid="major"),
    ]  # fmt: skip


def _stats_figures(ctx: _Ctx) -> list[Figure]:
    """The rectification rates of this month and this year, inspection visits and units
    supervised: the statistics table's own figures (``figures_compute``), read by key."""
    month = period_make(PeriodKind.MONTH, year=ctx.today.year, month=ctx.today.month)
    year = period_make(PeriodKind.YEAR, year=ctx.today.year)
    this_month = figures_compute(ctx.user, month, now=ctx.now).figures()
    this_year = figures_compute(ctx.user, year, now=ctx.now).figures()
    out: list[Figure] = []
    stats = "stats:statistics"
    if "hazards.rate_a" in this_year:
        for key, label, figs, period in (
            ("rate.month", _("Rectification rate this month"), this_month, month),
            ("rate.year", _("Rectification rate this year"), this_year, year),
        ):
            found, closed = figs["hazards.found"], figs["hazards.closed"]
            out.append(
                Figure(
                    key, label, figs["hazards.rate_a"], kind=PERCENT,
                    link=_url(stats, **period.params()),
                    note=_("%(closed)s closed of %(found)s found")
                    % {"closed": closed[TOTAL], "found": found[TOTAL]},
                    testid=key.replace(".", "-"),
                )
            )  # fmt: skip
    if "inspections.visits" in this_year:
        out.append(
            Figure(
                "inspections.year",
                _("Inspection visits this year"),
                this_year["inspections.visits"],
                link=_url(
                    "inspections:inspection_list",
                    status=InspectionStatus.FINISHED,
                    date_from=year.start.isoformat(),
                    date_to=year.last_day.isoformat(),
                ),
                testid="inspections-year",
            )
        )
    if "units.supervised" in this_year:
        out.append(
            Figure(
                "units.supervised",
                _("Units supervised (operating or suspended)"),
                this_year["units.supervised"],
                link=_url("units:unit_list"),
                testid="units",
            )
        )
    return [*out, *_plan_and_case_figures(ctx, this_year)]


def _plan_tasks(ctx: _Ctx):
    """This year's tasks, as the plan pages and the statistics count them (draft and published
    plans)."""
    return InspectionTask.objects.for_action(ctx.user, PLANS).filter(plan__year=ctx.today.year)


def _plan_and_case_figures(ctx: _Ctx, this_year: dict[str, dict[str, Any]]) -> list[Figure]:
    """Inspections against the plan and the cases: the statistics' sections ``plan`` and
    ``cases`` for this year (present when the user's roles reach them)."""
    out: list[Figure] = []
    tasks = "plans:task_list"
    year = ctx.today.year
    if "plan.planned" in this_year:
        out += [
            Figure("plan.done", _("Planned inspections done this year"), this_year["plan.done"],
                   kind=FRACTION, of=this_year["plan.planned"],
                   link=_url(tasks, year=year, state="done"), testid="plan-done"),
            Figure("plan.late", _("Planned inspections late"), this_year["plan.late"],
                   link=_url(tasks, state="late"), testid="plan-late"),
        ]  # fmt: skip
    if "cases.open_at_end" in this_year:
        cases = _url("cases:case_list")
        out += [
            Figure("cases.open", _("Cases open"), this_year["cases.open_at_end"], link=cases,
                   testid="cases-open"),
            Figure("cases.year", _("Cases opened this year"), this_year["cases.opened"],
                   link=cases, testid="cases-year"),
        ]  # fmt: skip
    return out


def _permits_figure(ctx: _Ctx) -> Figure:
    return Figure(
        "permits.in_force",
        _("Work permits in force"),
        {a.key: None for a in [*ctx.areas, Area(TOTAL, "")]},
        kind=MISSING,
        note=_("No module records work permits yet."),
        testid="permits",
    )


def _queues(ctx: _Ctx) -> list[Figure]:
    """The office's work queues: counts that open the lists where the work is done."""
    out: list[Figure] = []
    total_only = [a.key for a in ctx.areas]

    def values(n: int) -> dict[str, Any]:
        # The queues are the office's own, not compared by town: the total alone is meaningful.
        return {**dict.fromkeys(total_only, None), TOTAL: n}

    wanted = ("recheck", "extensions")
    counts = hazard_figures(ctx.user, Q(), wanted)
    hazard_list = "hazards:hazard_list"
    out.append(Figure("queue.recheck", _("Awaiting my re-check"), values(counts["recheck"]),
                      link=_url(hazard_list, queue="recheck"), testid="queue-recheck"))  # fmt: skip
    out.append(
        Figure(
            "queue.extensions",
            _("Extension requests to decide"),
            values(counts["extensions"]),
            link=_url(hazard_list, queue="extensions"),
            testid="queue-extensions",
        )
    )
    if ctx.can(TRIAGE):
        new = TipOff.objects.for_action(ctx.user, TRIAGE).filter(status=TipOffStatus.NEW).count()
        out.append(
            Figure(
                "queue.tip_offs",
                _("Tip-offs to triage"),
                values(new),
                link=_url("hazards:tipoff_list", status=TipOffStatus.NEW),
                testid="queue-tip-offs",
            )
        )
    return out


# --- Charts -------------------------------------------------------------------------------------


def _trend(ctx: _Ctx, can_hazards: bool, can_inspections: bool) -> Chart:
    months = _months(ctx.today)
    labels = [_month_name(p) for p in months]
    series: list[Series] = []
    if can_hazards:
        metrics: dict[str, Any] = {}
        for i, p in enumerate(months):
            metrics[f"found_{i}"] = Count(
                "pk", filter=Q(found_at__gte=p.start_dt, found_at__lt=p.end_dt)
            )
            metrics[f"closed_{i}"] = Count(
                "pk", filter=Q(closed_at__gte=p.start_dt, closed_at__lt=p.end_dt)
            )
        counts = (
            Hazard.objects.for_action(ctx.user, HAZARDS)
            .exclude(status=HazardStatus.CANCELLED)
            .filter(
                Q(found_at__gte=months[0].start_dt) | Q(closed_at__gte=months[0].start_dt),
            )
            .aggregate(**metrics)
        )
        hazard_list = "hazards:hazard_list"
        series.append(
            Series(
                "found", _("Hazards found"), SERIES_COLOURS[4],
                [counts[f"found_{i}"] or 0 for i in range(len(months))],
                links=[_url(hazard_list, queue="all", found_from=p.start.isoformat(),
                            found_to=p.last_day.isoformat()) for p in months],
            )
        )  # fmt: skip
        series.append(
            Series(
                "closed",
                _("Hazards closed"),
                SERIES_COLOURS[1],
                [counts[f"closed_{i}"] or 0 for i in range(len(months))],
                links=[""] * len(months),
            )
        )
    if can_inspections:
        metrics = {
            f"m_{i}": Count("pk", filter=Q(started_at__gte=p.start_dt, started_at__lt=p.end_dt))
            for i, p in enumerate(months)
        }
        counts = (
            Inspection.objects.for_action(ctx.user, INSPECTIONS)
            .filter(status=InspectionStatus.FINISHED, started_at__gte=months[0].start_dt)
            .aggregate(**metrics)
        )
        series.append(
            Series(
                "inspections", _("Inspection visits"), SERIES_COLOURS[0],
                [counts[f"m_{i}"] or 0 for i in range(len(months))],
                links=[_url("inspections:inspection_list", status=InspectionStatus.FINISHED,
                            date_from=p.start.isoformat(), date_to=p.last_day.isoformat())
                       for p in months],
            )
        )  # fmt: skip
    return Chart(
        "trend",
        _("Month by month, the last twelve months"),
        "line",
        _("Month"),
        labels,
        series,
    )


def _breakdown(
    ctx: _Ctx,
    key: str,
    title: str,
    category_title: str,
    group: tuple[str, ...],
    label,
    link,
) -> Chart:
    """The open hazards grouped by ``group`` (a horizontal bar per group, largest first)."""
    rows = list(
        Hazard.objects.for_action(ctx.user, HAZARDS)
        .filter(status__in=OPEN_STATUSES)
        .order_by()
        .values(*group)
        .annotate(n=Count("pk"))
        .order_by("-n", *group)
    )
    return Chart(
        key,
        title,
        "hbar",
        category_title,
        [label(r) for r in rows],
        [
            Series(
                "open",
                _("Open hazards"),
                SERIES_COLOURS[0],
                [r["n"] for r in rows],
                links=[link(r) for r in rows],
            )
        ],
    )


def _breakdowns(ctx: _Ctx) -> list[Chart]:
    hazard_list = "hazards:hazard_list"
    many_towns = len(ctx.areas) > 1
    nobody = _("Not recorded")

    def village(r) -> str:
        name = r["unit__region__name"] or ""
        return f"{r['unit__region__parent__name']}{name}" if many_towns else name

    def finder(r) -> str:
        return r["found_by__name"] or r["found_by__username"] or r["found_by_name"] or nobody

    return [
        _breakdown(
            ctx, "by_village", _("Open hazards by village or community"),
            _("Village or community"),
            ("unit__region_id", "unit__region__name", "unit__region__parent__name"),
            village, lambda r: _url(hazard_list, queue="open", region=r["unit__region_id"]),
        ),
        _breakdown(
            ctx, "by_committee", _("Open hazards by sector committee"), _("Sector committee"),
            ("unit__committee_id", "unit__committee__name"),
            lambda r: r["unit__committee__name"] or _("No sector committee"),
            lambda r: _url(hazard_list, queue="open", committee=r["unit__committee_id"])
            if r["unit__committee_id"] else "",
        ),
        _breakdown(
            ctx, "by_category", _("Open hazards by category"), _("Category"), ("category",),
            lambda r: choice_label(HazardCategory, r["category"]),
            lambda r: _url(hazard_list, queue="open", category=r["category"]),
        ),
        _breakdown(
            ctx, "by_source", _("Open hazards by source"), _("Source"), ("source",),
            lambda r: choice_label(HazardSource, r["source"]),
            lambda r: _url(hazard_list, queue="open", source=r["source"]),
        ),
        _breakdown(
            ctx, "by_finder", _("Open hazards by who found them"), _("Found by"),
            ("found_by_id", "found_by__name", "found_by__username", "found_by_name"),
            finder,
            lambda r: _url(hazard_list, queue="open", found_by=r["found_by_id"])
            if r["found_by_id"] else "",
        ),
    ]  # fmt: skip


def _grades(ctx: _Ctx) -> Chart:
    rows = list(
        Unit.objects.for_action(ctx.user, UNITS)
        .filter(status__in=SUPERVISED_STATUSES)
        .order_by()
        .values("grade", area=F("region__parent_id"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    grades = [*[g.value for g in GRADE_ORDER], ""]
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        k = (str(r["area"]), r["grade"] or "")
        counts[k] = counts.get(k, 0) + r["n"]
    units = "units:unit_list"
    if len(ctx.areas) > 1:  # a district: one stacked bar per town, a layer per grade
        series = [
            Series(
                g or UNGRADED,
                grade_label(g),
                grade_colour(g),
                [counts.get((a.key, g), 0) for a in ctx.areas],
                links=[""] * len(ctx.areas),
            )
            for g in grades
        ]
        return Chart(
            "grades",
            _("Units by supervision grade"),
            "stacked",
            _("Town"),
            [a.name for a in ctx.areas],
            series,
        )
    totals = [sum(counts.get((a.key, g), 0) for a in ctx.areas) for g in grades]
    return Chart(
        "grades",
        _("Units by supervision grade"),
        "bar",
        _("Supervision grade"),
        [grade_label(g) for g in grades],
        [
            Series(
                "units",
                _("Units"),
                SERIES_COLOURS[0],
                totals,
                links=[_url(units, grade=g) if g else "" for g in grades],
                colours=[grade_colour(g) for g in grades],
            )
        ],
    )


def _towns(ctx: _Ctx, figures: list[Figure]) -> Chart:
    """A district compares its towns: open, overdue and major hazards per town."""
    colours = {"hazards.open": SERIES_COLOURS[0], "hazards.overdue": SERIES_COLOURS[2],
               "hazards.major": SERIES_COLOURS[4]}  # fmt: skip
    queues = {"hazards.open": "open", "hazards.overdue": "overdue", "hazards.major": "major"}
    wanted = [f for f in figures if f.key in colours]
    return Chart(
        "towns",
        _("Hazards by town"),
        "bar",
        _("Town"),
        [a.name for a in ctx.areas],
        [
            Series(
                f.key.split(".")[1],
                f.label,
                colours[f.key],
                [f.values.get(a.key, 0) for a in ctx.areas],
                links=[
                    _url("hazards:hazard_list", queue=queues[f.key], town=a.key) for a in ctx.areas
                ],
            )
            for f in wanted
        ],
    )


def _plan_months(ctx: _Ctx) -> Chart:
    rows = {
        r["month"]: r
        for r in _plan_tasks(ctx)
        .order_by()
        .values("month")
        .annotate(planned=Count("pk"), done=Count("pk", filter=DONE_Q))
        .order_by()
    }
    year = ctx.today.year
    months = list(range(1, 13))
    tasks = "plans:task_list"
    return Chart(
        "plan",
        _("Planned inspections by month, this year"),
        "bar",
        _("Month"),
        [f"{year}-{m:02d}" for m in months],
        [
            Series("planned", _("Tasks planned"), "#adb5bd",
                   [rows.get(m, {}).get("planned", 0) for m in months],
                   links=[_url(tasks, year=year, month=m) for m in months]),
            Series("done", _("Tasks done"), SERIES_COLOURS[1],
                   [rows.get(m, {}).get("done", 0) for m in months],
                   links=[_url(tasks, year=year, month=m, state="done") for m in months]),
        ],
    )  # fmt: skip


def _map(ctx: _Ctx) -> Chart:
    rows = list(
        Unit.objects.for_action(ctx.user, UNITS)
        .filter(status__in=SUPERVISED_STATUSES, latitude__isnull=False, longitude__isnull=False)
        .annotate(open=Count("hazards", filter=Q(hazards__status__in=OPEN_STATUSES)))
        .order_by("region__code", "name", "pk")
        .values("pk", "name", "grade", "latitude", "longitude", "region__name", "open")[
            :MAX_MAP_POINTS
        ]
    )
    points = [
        Point(
            key=str(r["pk"]),
            name=r["name"],
            x=float(r["longitude"]),
            y=float(r["latitude"]),
            series=r["grade"] or UNGRADED,
            colour=grade_colour(r["grade"] or ""),
            value=r["open"],
            place=r["region__name"] or "",
            link=_url("units:unit_detail", r["pk"]),
        )
        for r in rows
    ]
    grades = [*[g.value for g in GRADE_ORDER], UNGRADED]
    return Chart(
        "map",
        _("Map of units: grade colour and open hazards"),
        "map",
        _("Unit"),
        points=points,
        series=[
            Series(g, grade_label(g if g != UNGRADED else ""), grade_colour(g), [])
            for g in grades
            if any(p.series == g for p in points)
        ],
        note=_("Units without coordinates are not shown."),
    )


# --- Lists --------------------------------------------------------------------------------------


def _overdue_list(ctx: _Ctx) -> list[OverdueHazard]:
    rows = (
        Hazard.objects.for_action(ctx.user, HAZARDS)
        .overdue(ctx.today)
        .select_related("unit__region")
        .order_by("deadline", "found_at", "pk")[:TOP_OVERDUE]
    )
    return [
        OverdueHazard(
            id=h.pk,
            code=h.code,
            unit=h.unit.name,
            place=h.unit.region.name,
            level=h.level,
            level_label=choice_label(HazardLevel, h.level),
            deadline=h.deadline,
            days=(ctx.today - h.deadline).days,
            link=_url("hazards:hazard_detail", h.pk),
        )
        for h in rows
    ]


def _missed(ctx: _Ctx) -> MissedReports:
    month = previous_month(ctx.today)
    missing = monthly_missing(ctx.user, month)
    names = list(missing.values_list("name", flat=True)[:MISSED_NAMES])
    count = missing.count()
    return MissedReports(
        month=month_param(month),
        count=count,
        units=names,
        link=_url("hazards:monthly_overview", month=month_param(month)),
    )


# --- The dashboard ------------------------------------------------------------------------------


def _areas(user, now) -> tuple[list[Area], str]:
    """The towns the user may see (as the statistics name them) and the scope's name."""
    from anjian.stats.figures import towns_for

    towns = towns_for(user)
    if len(towns) == 1:
        label = towns[0].name
    elif towns and len({t.parent_id for t in towns}) == 1 and towns[0].parent is not None:
        label = towns[0].parent.name
    else:
        label = "、".join(t.name for t in towns)
    return [Area(str(t.pk), t.name) for t in towns], label


def dashboard_compute(user, *, now: datetime.datetime | None = None) -> Dashboard:
    """Every figure, chart and list of the dashboard the user's roles reach, in a fixed number of
    queries."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    areas, scope_label = _areas(user, now)
    ctx = _Ctx(user=user, now=now, today=today, areas=areas)
    can_hazards, can_inspections = ctx.can(HAZARDS), ctx.can(INSPECTIONS)
    figures: list[Figure] = []
    charts: dict[str, Chart] = {}
    if can_hazards:
        figures += _hazard_figures(ctx)
    figures += _stats_figures(ctx)
    figures.append(_permits_figure(ctx))
    queues = _queues(ctx) if ctx.can(DECIDE_EXTENSION) or ctx.can(TRIAGE) else []
    if can_hazards and len(areas) > 1:
        charts["towns"] = _towns(ctx, figures)
    if can_hazards or can_inspections:
        charts["trend"] = _trend(ctx, can_hazards, can_inspections)
    if ctx.can(UNITS):
        charts["grades"] = _grades(ctx)
    if ctx.can(PLANS):
        charts["plan"] = _plan_months(ctx)
    if can_hazards:
        for chart in _breakdowns(ctx):
            charts[chart.key] = chart
    if ctx.can(UNITS):
        charts["map"] = _map(ctx)
    return Dashboard(
        generated_at=now,
        today=today,
        scope_label=scope_label,
        areas=areas,
        figures=figures,
        queues=queues,
        charts=charts,
        overdue=_overdue_list(ctx) if can_hazards else None,
        missed=_missed(ctx) if ctx.can(FOLLOW) else None,
    )


CHART_KEYS = (
    "towns",
    "trend",
    "grades",
    "plan",
    "by_village",
    "by_committee",
    "by_category",
    "by_source",
    "by_finder",
    "map",
)


__all__ = [
    "COUNT",
    "FRACTION",
    "MISSING",
    "PERCENT",
    "Chart",
    "Dashboard",
    "Figure",
    "dashboard_compute",
]
