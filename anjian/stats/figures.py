"""The statistics engine: the figures a town reports upward, for any period and any scope.

``figures_compute(user, period, region=…, committee=…)`` returns a ``StatsResult``: sections of
rows (figures), each with one value per town the user may see and their total. Every figure is
read through the model's own ``for_action(user, …)`` — the scope of the list behind it — and an
optional narrower region (a town or village) or sector committee only ever narrows it further.

The work is a fixed number of aggregate queries whatever the data size: one per model (units,
inspections, hazards, documents), each a ``values(town)`` + conditional ``Count``/``Sum`` grouped
by town, so that a district user sees each of its towns and their sum; plus one for the towns.

Sections are a registry (``register_section``): a function of a ``Context`` returning its rows.
The sections of cases, penalties, campaigns and the annual plan live in ``sections_enforcement.py``
(imported by ``StatsConfig.ready``, so they register whenever the engine is used).

Definitions (also in ``docs/statistics.md``); "the period" is ``[start, end)`` in local days:

- hazards found: ``found_at`` in the period. Cancelled hazards (recorded in error, duplicates)
  are not counted in any figure.
- hazards rectified (closed) in the period: ``closed_at`` in the period, whenever found.
- found and closed: found in the period and closed before its end.
- open at the end: found before the end and not closed before the end. "The end" is the period's
  end, or now for a period that has not ended (``Period.as_of``).
- overdue at the end: open at the end, with a deadline before the end's date, and not awaiting a
  re-check at that moment (a rectification submitted and not yet judged is not the unit's delay,
  as ``HazardQuerySet.overdue`` says). For the current period this is the hazard list's "overdue".
- rectification rate A = closed in the period ÷ found in the period (as the town reports it; it
  may exceed 100 % when older hazards are closed); rate B = found and closed ÷ found in the period.
  Both are percentages with one decimal, ``None`` when nothing was found.
- major hazards listed: ``listed_at`` (挂牌督办) in the period.
- rectification funds: the sum of ``funds`` of the hazards closed in the period (yuan).
- units supervised: units of the register operating or suspended (the register as it stands when
  the figures are computed; closed and moved-away units are not counted).
- units inspected: distinct units with a finished inspection visit started in the period.
- inspection visits (家次): finished inspections started in the period, by kind.
- documents issued: numbered documents with ``issued_at`` in the period, by type.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.core.scoping import get_scope
from anjian.enforcement.models import DocumentType, IssuedDocument
from anjian.hazards.choices import HazardLevel, HazardStatus, ReportOutcome
from anjian.hazards.models import Hazard, RectificationReport
from anjian.inspections.choices import InspectionKind, InspectionStatus
from anjian.inspections.models import Inspection
from anjian.regions.models import Region, RegionLevel, parent_path
from anjian.stats.periods import Period, PeriodKind
from anjian.teams.models import Committee
from anjian.units.models import Unit, UnitStatus

TOTAL = "total"
COUNT = "count"
MONEY = "money"
PERCENT = "percent"
SUPERVISED_STATUSES = (UnitStatus.OPERATING, UnitStatus.SUSPENDED)


# --- The result ---------------------------------------------------------------------------------


@dataclass
class Figure:
    """One row: a figure with one value per area (town key or ``total``)."""

    key: str
    label: str
    kind: str = COUNT
    values: dict[str, Any] = field(default_factory=dict)
    link: str = ""  # the list behind the figure (its total), where such a list exists
    sub: bool = False  # a part of the row above ("of which …")

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "kind": self.kind,
            "values": dict(self.values),
            "link": self.link,
            "sub": self.sub or self.key.count(".") >= 2,
        }


@dataclass
class Section:
    key: str
    title: str
    rows: list[Figure]

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "rows": [r.as_dict() for r in self.rows]}


@dataclass
class Area:
    key: str
    name: str


@dataclass
class StatsResult:
    period: Period
    as_of: datetime.datetime
    scope_label: str
    region_id: int | None
    committee_id: int | None
    areas: list[Area]  # the towns; the total is ``TOTAL``
    sections: list[Section]
    generated_at: datetime.datetime

    @property
    def show_total(self) -> bool:
        return len(self.areas) > 1

    def figures(self) -> dict[str, dict[str, Any]]:
        """``{figure key: {area: value}}``: the numbers alone (what a stored run reproduces)."""
        return {row.key: dict(row.values) for s in self.sections for row in s.rows}

    def figures_hash(self) -> str:
        return figures_hash(self.figures())

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {
                **self.period.params(),
                "start": self.period.start.isoformat(),
                "end": self.period.last_day.isoformat(),
                "label": self.period.label,
            },
            "as_of": self.as_of.isoformat(),
            "scope": {
                "label": self.scope_label,
                "region_id": self.region_id,
                "committee_id": self.committee_id,
            },
            "areas": [{"key": a.key, "name": a.name} for a in self.areas]
            + [{"key": TOTAL, "name": _("Total")}],
            "sections": [s.as_dict() for s in self.sections],
            "generated_at": self.generated_at.isoformat(),
            "hash": self.figures_hash(),
        }


def figures_hash(figures: dict[str, dict[str, Any]]) -> str:
    canonical = json.dumps(figures, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- Scope: the towns, and a narrower region or committee ----------------------------------------


def _visible_units(user):
    return Unit.objects.visible_to(user)


def region_choices(user):
    """Towns and villages a user may narrow the figures to: those of the units they may see."""
    units = _visible_units(user)
    return Region.objects.filter(
        Q(pk__in=units.values("region_id")) | Q(pk__in=units.values("region__parent_id"))
    ).order_by("code")


def committee_choices(user):
    """Sector committees a user may narrow the figures to: those of the units they may see."""
    return Committee.objects.filter(pk__in=_visible_units(user).values("committee_id")).order_by(
        "region", "sort_order", "pk"
    )


def narrowing_for(user, region_id: int | None, committee_id: int | None):
    """The region and committee named by id, each checked against what ``user`` may see."""
    region = committee = None
    if region_id is not None:
        region = region_choices(user).filter(pk=region_id).select_related("parent").first()
        if region is None:
            raise ValidationError(
                {"region": [_("Choose a town or village among those you may see.")]}
            )
    if committee_id is not None:
        committee = committee_choices(user).filter(pk=committee_id).first()
        if committee is None:
            raise ValidationError(
                {"committee": [_("Choose a sector committee among those you may see.")]}
            )
    return region, committee


@dataclass
class Context:
    """What a section function gets: who asks, for which period, narrowed to what."""

    user: Any
    period: Period
    as_of: datetime.datetime
    region: Region | None
    committee: Committee | None
    towns: list[Region]  # every town the user may see (areas are these, or the narrowed one)
    cache: dict[str, Any] = field(default_factory=dict)

    def can(self, action: str) -> bool:
        return get_scope(self.user).can(action)

    def narrow(self, qs, *, unit: str, town: str | None = None, path: str | None = None):
        """Narrow ``qs`` (already scoped) to the chosen region and committee. ``unit`` is the
        lookup prefix leading to the unit (``""`` for units, ``"unit__"`` for hazards); ``path``
        names a copy of the unit's village path on the row itself (``region_path`` of hazards),
        which narrows to a region without joining the unit and the region."""
        if self.region is not None and path is not None:
            if self.region.level == RegionLevel.TOWN:
                qs = qs.filter(**{f"{path}__under": self.region.path})
            else:
                qs = qs.filter(**{path: self.region.path})
        elif self.region is not None:
            if self.region.level == RegionLevel.TOWN:
                lookup = town or f"{unit}region__parent_id"
                qs = qs.filter(**{lookup: self.region.pk})
            else:
                qs = qs.filter(**{f"{unit}region_id": self.region.pk})
        if self.committee is not None:
            qs = qs.filter(**{f"{unit}committee_id": self.committee.pk})
        return qs

    def list_filters(self) -> dict[str, Any] | None:
        """The filters of a unit or hazard list that name the same narrowing, or ``None`` when
        those lists cannot express it (a district user narrowed to one of its towns)."""
        if self.region is None and self.committee is None:
            return {}
        out: dict[str, Any] = {}
        if self.region is not None:
            if self.region.level == RegionLevel.VILLAGE:
                out["region"] = self.region.pk
            elif len(self.towns) > 1:
                return None
        if self.committee is not None:
            out["committee"] = self.committee.pk
        return out

    def link(self, url_name: str, params: dict[str, Any], *, narrowed: bool = True) -> str:
        """The list behind a figure; ``""`` where the list cannot name this scope."""
        extra = self.list_filters()
        if extra is None or (extra and not narrowed):
            return ""
        query = {k: v for k, v in {**params, **extra}.items() if v not in (None, "")}
        return f"{reverse(url_name)}?{urlencode(query)}"

    def by_town(self, rows: list[dict[str, Any]], metrics: list[str]) -> dict[str, dict[str, Any]]:
        """``[{"area_town": id, metric: n, …}]`` from a grouped query → ``{metric: {area: n}}`` with
        every area present (0 where the query had no row) and the total."""
        out: dict[str, dict[str, Any]] = {m: {} for m in metrics}
        keys = [str(t.pk) for t in self.area_towns()]
        for m in metrics:
            for key in keys:
                out[m][key] = 0
        for row in rows:
            key = str(row["area_town"])
            for m in metrics:
                value = row[m] or 0
                out[m][key] = out[m].get(key, 0) + value
        for m in metrics:
            out[m][TOTAL] = sum(out[m].values(), 0)
        return out

    def by_village_path(self, qs, metrics: dict[str, Any], path: str) -> list[dict[str, Any]]:
        """``qs.values(area_town=<the unit's town>).annotate(**metrics)`` for rows that carry
        their unit's village path (``path``): grouped by that column, then each village named by
        its town (the path's parent) for ``by_town`` to add up. No join of every row to its unit
        and village: at 20 towns and 1,000,000 hazards the hazards' figures take about half the
        time (bench/bench_stats.py)."""
        town_of = {t.path: t.pk for t in self.towns}
        rows = list(qs.order_by().values(path).annotate(**metrics).order_by())
        for row in rows:
            town = parent_path(row.pop(path))
            row["area_town"] = town_of.get(town, town)
        return rows

    def area_towns(self) -> list[Region]:
        if self.region is not None:
            town_id = self.region.pk if self.region.level == RegionLevel.TOWN else None
            town_id = town_id or self.region.parent_id
            return [t for t in self.towns if t.pk == town_id]
        if self.committee is not None:
            return [t for t in self.towns if t.pk == self.committee.region_id]
        return self.towns


# --- The registry of sections ----------------------------------------------------------------


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: Promise | str
    action: str  # the user must hold it for the section to show (its rows are read with it)
    build: Callable[[Context], list[Figure]]
    order: int


SECTIONS: dict[str, SectionSpec] = {}


def register_section(key: str, title, *, action: str, order: int):
    """Register a section: ``build(ctx) -> list[Figure]``, read with ``action``'s scope."""

    def decorator(build: Callable[[Context], list[Figure]]):
        SECTIONS[key] = SectionSpec(key, title, action, build, order)
        return build

    return decorator


# --- Shared aggregate queries (one per model; sections share them through ``ctx.cache``) -------


def _in_period(ctx: Context, field_name: str) -> Q:
    return Q(**{f"{field_name}__gte": ctx.period.start_dt, f"{field_name}__lt": ctx.period.end_dt})


def _units(ctx: Context) -> dict[str, dict[str, Any]]:
    if "units" not in ctx.cache:
        qs = ctx.narrow(Unit.objects.for_action(ctx.user, "units.view"), unit="")
        metrics = {
            "supervised": Count("pk", filter=Q(status__in=SUPERVISED_STATUSES)),
            "operating": Count("pk", filter=Q(status=UnitStatus.OPERATING)),
            "suspended": Count("pk", filter=Q(status=UnitStatus.SUSPENDED)),
        }
        rows = list(
            qs.order_by().values(area_town=F("region__parent_id")).annotate(**metrics).order_by()
        )
        ctx.cache["units"] = ctx.by_town(rows, list(metrics))
    return ctx.cache["units"]


def _inspections(ctx: Context) -> dict[str, dict[str, Any]]:
    if "inspections" not in ctx.cache:
        qs = ctx.narrow(Inspection.objects.for_action(ctx.user, "inspections.view"), unit="unit__")
        qs = qs.filter(_in_period(ctx, "started_at"), status=InspectionStatus.FINISHED)
        metrics: dict[str, Any] = {
            "visits": Count("pk"),
            "units": Count("unit_id", distinct=True),
        }
        for kind in InspectionKind.values:
            metrics[f"kind_{kind}"] = Count("pk", filter=Q(kind=kind))
        rows = list(
            qs.order_by()
            .values(area_town=F("unit__region__parent_id"))
            .annotate(**metrics)
            .order_by()
        )
        ctx.cache["inspections"] = ctx.by_town(rows, list(metrics))
    return ctx.cache["inspections"]


def _hazards(ctx: Context) -> dict[str, dict[str, Any]]:
    if "hazards" in ctx.cache:
        return ctx.cache["hazards"]
    start, end, as_of = ctx.period.start_dt, ctx.period.end_dt, ctx.as_of
    as_of_day = timezone.localtime(as_of).date()
    hazards = Hazard.objects.for_action(ctx.user, "hazards.view")
    qs = ctx.narrow(hazards, unit="unit__", path="region_path")
    # Every figure concerns hazards found before the end; cancelled ones are never counted.
    qs = qs.filter(found_at__lt=end).exclude(status=HazardStatus.CANCELLED)
    found = Q(found_at__gte=start)
    closed = Q(closed_at__gte=start, closed_at__lt=end)
    open_at_end = Q(found_at__lt=as_of) & (Q(closed_at__isnull=True) | Q(closed_at__gte=as_of))
    awaiting_recheck = Exists(
        RectificationReport.objects.filter(hazard=OuterRef("pk"), submitted_at__lt=as_of).filter(
            Q(outcome=ReportOutcome.PENDING, rechecked_at__isnull=True) | Q(rechecked_at__gte=as_of)
        )
    )
    overdue = open_at_end & Q(deadline__lt=as_of_day) & ~Q(awaiting_recheck)
    major = Q(level=HazardLevel.MAJOR)
    general = Q(level=HazardLevel.GENERAL)
    metrics: dict[str, Any] = {
        "found": Count("pk", filter=found),
        "found_general": Count("pk", filter=found & general),
        "found_major": Count("pk", filter=found & major),
        "closed": Count("pk", filter=closed),
        "closed_general": Count("pk", filter=closed & general),
        "closed_major": Count("pk", filter=closed & major),
        "found_closed": Count("pk", filter=found & Q(closed_at__lt=end)),
        "open_at_end": Count("pk", filter=open_at_end),
        "open_major_at_end": Count("pk", filter=open_at_end & major),
        "overdue": Count("pk", filter=overdue),
        "overdue_general": Count("pk", filter=overdue & general),
        "overdue_major": Count("pk", filter=overdue & major),
        "listed": Count("pk", filter=major & Q(listed_at__gte=start, listed_at__lt=end)),
        "funds": Sum("funds", filter=closed),
    }
    rows = ctx.by_village_path(qs, metrics, "region_path")
    out = ctx.by_town(rows, list(metrics))
    out["funds"] = {k: _money(v) for k, v in out["funds"].items()}
    ctx.cache["hazards"] = out
    return out


def _documents(ctx: Context) -> dict[str, dict[str, Any]]:
    if "documents" not in ctx.cache:
        qs = ctx.narrow(
            IssuedDocument.objects.for_action(ctx.user, "enforcement.view"),
            unit="unit__",
            town="town_id",
        )
        qs = qs.filter(_in_period(ctx, "issued_at"))
        metrics: dict[str, Any] = {"all": Count("pk")}
        for doc_type in DocumentType.values:
            metrics[f"type_{doc_type}"] = Count("pk", filter=Q(doc_type=doc_type))
        rows = list(qs.order_by().values(area_town=F("town_id")).annotate(**metrics).order_by())
        ctx.cache["documents"] = ctx.by_town(rows, list(metrics))
    return ctx.cache["documents"]


def _money(value: Any) -> str:
    return f"{Decimal(value or 0):.2f}"


def _rate(numerator: dict[str, int], denominator: dict[str, int]) -> dict[str, float | None]:
    return {
        key: (round(100 * numerator[key] / d, 1) if d else None) for key, d in denominator.items()
    }


# --- The sections ------------------------------------------------------------------------------


@register_section("units", gettext_lazy("Units and inspections"), action="units.view", order=10)
def units_section(ctx: Context) -> list[Figure]:
    units, visits = _units(ctx), _inspections(ctx)
    return [
        Figure("units.supervised", _("Units supervised (operating or suspended)"),
               values=units["supervised"]),
        Figure("units.operating", _("of which operating"), values=units["operating"], sub=True,
               link=ctx.link("units:unit_list", {"status": UnitStatus.OPERATING})),
        Figure("units.suspended", _("of which suspended"), values=units["suspended"], sub=True,
               link=ctx.link("units:unit_list", {"status": UnitStatus.SUSPENDED})),
        Figure("units.inspected", _("Units inspected in the period"), values=visits["units"]),
    ]  # fmt: skip


@register_section(
    "inspections", gettext_lazy("Inspection visits (家次)"), action="inspections.view", order=20
)
def inspections_section(ctx: Context) -> list[Figure]:
    visits = _inspections(ctx)
    dates = {
        "status": InspectionStatus.FINISHED,
        "date_from": ctx.period.start.isoformat(),
        "date_to": ctx.period.last_day.isoformat(),
    }
    rows = [
        Figure(
            "inspections.visits",
            _("Inspection visits, finished"),
            values=visits["visits"],
            link=ctx.link("inspections:inspection_list", dates, narrowed=False),
        )
    ]
    for kind, label in InspectionKind.choices:
        rows.append(
            Figure(
                f"inspections.kind.{kind}",
                _("of which: %(kind)s") % {"kind": label},
                values=visits[f"kind_{kind}"],
                link=ctx.link(
                    "inspections:inspection_list", {**dates, "kind": kind}, narrowed=False
                ),
            )
        )
    return rows


def _found_link(ctx: Context, level: str = "") -> str:
    return ctx.link(
        "hazards:hazard_list",
        {
            "queue": "all",
            "level": level,
            "found_from": ctx.period.start.isoformat(),
            "found_to": ctx.period.last_day.isoformat(),
        },
    )


def _overdue_link(ctx: Context, level: str = "") -> str:
    """The hazard list's overdue queue is "now": it is the list behind the figure only while the
    period runs."""
    now = timezone.now()
    if not ctx.period.start_dt <= now < ctx.period.end_dt:
        return ""
    return ctx.link("hazards:hazard_list", {"queue": "overdue", "level": level})


@register_section("hazards", gettext_lazy("Hazards"), action="hazards.view", order=30)
def hazards_section(ctx: Context) -> list[Figure]:
    h = _hazards(ctx)
    general, major = HazardLevel.GENERAL, HazardLevel.MAJOR
    return [
        Figure("hazards.found", _("Hazards found"), values=h["found"], link=_found_link(ctx)),
        Figure("hazards.found.general", _("of which ordinary"), values=h["found_general"],
               link=_found_link(ctx, general)),
        Figure("hazards.found.major", _("of which major"), values=h["found_major"],
               link=_found_link(ctx, major)),
        Figure("hazards.closed", _("Hazards rectified (closed) in the period"),
               values=h["closed"]),
        Figure("hazards.closed.general", _("of which ordinary"), values=h["closed_general"]),
        Figure("hazards.closed.major", _("of which major"), values=h["closed_major"]),
        Figure("hazards.found_closed", _("Found in the period and closed by its end"),
               values=h["found_closed"]),
        Figure("hazards.open_at_end", _("Open at the end of the period"),
               values=h["open_at_end"]),
        Figure("hazards.overdue", _("Overdue at the end of the period"), values=h["overdue"],
               link=_overdue_link(ctx)),
        Figure("hazards.overdue.general", _("of which ordinary"), values=h["overdue_general"],
               link=_overdue_link(ctx, general)),
        Figure("hazards.overdue.major", _("of which major"), values=h["overdue_major"],
               link=_overdue_link(ctx, major)),
        Figure("hazards.rate_a", _("Rectification rate A: closed ÷ found in the period"),
               kind=PERCENT, values=_rate(h["closed"], h["found"])),
        Figure("hazards.rate_b", _("Rectification rate B: of those found, closed by the end"),
               kind=PERCENT, values=_rate(h["found_closed"], h["found"])),
        Figure("hazards.funds", _("Rectification funds of hazards closed (yuan)"),
               kind=MONEY, values=h["funds"]),
    ]  # fmt: skip


@register_section("major", gettext_lazy("Major hazards"), action="hazards.view", order=40)
def major_section(ctx: Context) -> list[Figure]:
    h = _hazards(ctx)
    return [
        Figure("major.found", _("Major hazards found"), values=h["found_major"],
               link=_found_link(ctx, HazardLevel.MAJOR)),
        Figure("major.listed", _("Listed for supervision (挂牌督办) in the period"),
               values=h["listed"]),
        Figure("major.closed", _("Major hazards closed in the period"), values=h["closed_major"]),
        Figure("major.open_at_end", _("Major hazards open at the end of the period"),
               values=h["open_major_at_end"]),
    ]  # fmt: skip


@register_section(
    "documents", gettext_lazy("Enforcement documents issued"), action="enforcement.view", order=50
)
def documents_section(ctx: Context) -> list[Figure]:
    docs = _documents(ctx)
    year_only = ctx.period.kind == PeriodKind.YEAR

    def link(doc_type: str = "") -> str:
        if not year_only:
            return ""
        return ctx.link(
            "enforcement:document_list",
            {"doc_type": doc_type, "year": ctx.period.year},
            narrowed=False,
        )

    rows = [Figure("documents.all", _("Documents issued"), values=docs["all"], link=link())]
    for doc_type, label in DocumentType.choices:
        rows.append(
            Figure(
                f"documents.type.{doc_type}",
                _("of which: %(kind)s") % {"kind": label},
                values=docs[f"type_{doc_type}"],
                link=link(doc_type),
            )
        )
    return rows


# --- The engine ---------------------------------------------------------------------------------


def towns_for(user) -> list[Region]:
    """The towns of the units ``user`` may see (with their district, for the scope's name)."""
    return list(
        Region.objects.filter(
            level=RegionLevel.TOWN, pk__in=_visible_units(user).values("region__parent_id")
        )
        .select_related("parent")
        .order_by("code")
    )


def _scope_label(ctx: Context, areas: list[Region]) -> str:
    if ctx.committee is not None:
        return ctx.committee.name
    if ctx.region is not None:
        if ctx.region.level == RegionLevel.VILLAGE and ctx.region.parent is not None:
            return f"{ctx.region.parent.name}{ctx.region.name}"
        return ctx.region.name
    if len(areas) == 1:
        return areas[0].name
    parents = {t.parent_id for t in areas}
    if len(parents) == 1 and areas[0].parent is not None:
        return areas[0].parent.name
    return "、".join(t.name for t in areas)


def figures_compute(
    user,
    period: Period,
    *,
    region_id: int | None = None,
    committee_id: int | None = None,
    now: datetime.datetime | None = None,
) -> StatsResult:
    """Every section the user's roles reach, for ``period``, in a fixed number of queries."""
    now = now or timezone.now()
    region, committee = narrowing_for(user, region_id, committee_id)
    ctx = Context(
        user=user,
        period=period,
        as_of=period.as_of(now),
        region=region,
        committee=committee,
        towns=towns_for(user),
    )
    sections = [
        Section(spec.key, str(spec.title), spec.build(ctx))
        for spec in sorted(SECTIONS.values(), key=lambda s: s.order)
        if ctx.can(spec.action)
    ]
    areas = ctx.area_towns()
    return StatsResult(
        period=period,
        as_of=ctx.as_of,
        scope_label=_scope_label(ctx, areas),
        region_id=region.pk if region else None,
        committee_id=committee.pk if committee else None,
        areas=[Area(str(t.pk), t.name) for t in areas],
        sections=sections,
        generated_at=now,
    )
