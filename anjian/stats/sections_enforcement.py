"""Sections of the statistics beyond units, inspections and hazards: enforcement cases (立案查处),
penalties imposed and collected, campaigns (专项整治、联合执法) with their per-category tally, and the
annual inspection plan's progress.

Registered in the engine's registry (``anjian.stats.figures.register_section``) when the engine is
imported. Each section reads its model through ``for_action`` with the section's action, narrowed
by ``ctx.narrow``, and is a fixed number of grouped aggregate queries whatever the data size:
cases and penalties share one query over cases, campaigns take three (the campaigns, the tally per
town and category, the tally per town), the plan one.

Row keys are stable and prefixed with the section key (other documents read them by key).
Definitions (also in ``docs/statistics.md``); "the period" is ``[start, end)`` in local days, and
"the end" is the period's end, or now for a period that has not ended (``Period.as_of``):

- cases opened (立案) in the period: ``opened_on`` (the day the opening was approved, 批准立案) in
  the period; a proposal still awaiting approval is not a case yet. Of which from an inspection
  (the case names one) and from a hazard (the case names at least one); a case may be both.
- decided, closed (结案), transferred (移送) in the period: ``decided_on``, ``closed_on``,
  ``transferred_on`` in the period.
- open at the end: opened before the end and neither closed nor transferred before the end, nor
  withdrawn (the timeline's withdrawal) before it. An executed case awaiting closure is open.
- penalty decisions: cases with ``decided_on`` in the period; fines imposed: the sum of their
  ``decided_fine``.
- fines and late fees collected: payments with ``paid_on`` in the period. Payments go to the fine
  first (``case_services.late_fee``), so what a case's payments of the period brought to the fine
  is ``min(fine, paid before the end) − min(fine, paid before the start)``; the rest is late fee.
- campaigns under way: campaigns whose dates ``[start_date, end_date]`` overlap the period (as
  the campaign list's year filter); narrowed to a village or a sector, those of them that checked
  one of its units in the period.
- the campaign tally: inspections counted in a campaign (linked, not cancelled) and started in the
  period, by the category they count in: distinct units, visits (distinct inspections), hazards
  recorded from them (cancelled ones excepted) and those of them closed before the end. Joint
  inspections: those of them of kind joint enforcement (联合执法).
- plan: tasks due in the period, of which done (the task's inspection finished before the end),
  and tasks late at the end (due before the end's day, not done by the end), as the plan pages
  count them (tasks of draft and published plans).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anjian.campaigns.choices import CampaignCategory, CampaignKind
from anjian.campaigns.models import Campaign, CampaignInspection
from anjian.enforcement.models import Case, CaseEvent, CasePayment
from anjian.hazards.choices import HazardStatus
from anjian.inspections.choices import InspectionKind, InspectionStatus
from anjian.plans.models import InspectionTask
from anjian.regions.models import RegionLevel
from anjian.stats.figures import (
    MONEY,
    PERCENT,
    Context,
    Figure,
    _money,
    _rate,
    register_section,
)
from anjian.stats.periods import PeriodKind

CASES = "enforcement.view_cases"
CAMPAIGNS = "campaigns.view"
PLANS = "plans.view"
CATEGORIES = list(CampaignCategory.values)
TALLY = ("units", "visits", "hazards_found", "hazards_rectified")
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY_FIELD)


def _day_after_end(ctx: Context) -> datetime.date:
    """The first day that is not before "the end": a date field is "before the end" when it is
    earlier than this (the period's end, or tomorrow for a running period)."""
    last_moment = timezone.localtime(ctx.as_of - datetime.timedelta(microseconds=1))
    return last_moment.date() + datetime.timedelta(days=1)


def _days(field_name: str, start: datetime.date, end: datetime.date) -> Q:
    return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


# --- Cases and penalties: one query -------------------------------------------------------------


def _paid_before(day: datetime.date):
    """The sum of a case's payments dated before ``day`` (0 without any)."""
    paid = (
        CasePayment.objects.filter(case_id=OuterRef("pk"), paid_on__lt=day)
        .order_by()
        .values("case_id")
        .annotate(total=Sum("amount"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(paid, output_field=MONEY_FIELD), ZERO, output_field=MONEY_FIELD)


def _cases(ctx: Context) -> dict[str, dict[str, Any]]:
    if "cases" in ctx.cache:
        return ctx.cache["cases"]
    start, end = ctx.period.start, ctx.period.end
    cutoff = _day_after_end(ctx)
    qs = ctx.narrow(Case.objects.for_action(ctx.user, CASES), unit="unit__", town="town_id")
    opened = _days("opened_on", start, end)
    decided = _days("decided_on", start, end)
    from_hazard = Exists(Case.hazards.through.objects.filter(case_id=OuterRef("pk")))
    withdrawn = Exists(
        CaseEvent.objects.filter(case_id=OuterRef("pk"), action="withdraw", at__lt=ctx.as_of)
    )
    open_at_end = (
        Q(opened_on__lt=cutoff)
        & (Q(closed_on__isnull=True) | Q(closed_on__gte=cutoff))
        & (Q(transferred_on__isnull=True) | Q(transferred_on__gte=cutoff))
        & ~Q(withdrawn)
    )
    fine = Coalesce(F("decided_fine"), ZERO, output_field=MONEY_FIELD)
    paid_start, paid_end = _paid_before(start), _paid_before(end)
    to_fine = ExpressionWrapper(
        Least(fine, paid_end) - Least(fine, paid_start), output_field=MONEY_FIELD
    )
    paid = ExpressionWrapper(paid_end - paid_start, output_field=MONEY_FIELD)
    metrics: dict[str, Any] = {
        "opened": Count("pk", filter=opened),
        "opened_inspection": Count("pk", filter=opened & Q(inspection_id__isnull=False)),
        "opened_hazard": Count("pk", filter=opened & Q(from_hazard)),
        "decided": Count("pk", filter=decided),
        "closed": Count("pk", filter=_days("closed_on", start, end)),
        "transferred": Count("pk", filter=_days("transferred_on", start, end)),
        "open_at_end": Count("pk", filter=open_at_end),
        "fines_imposed": Sum("decided_fine", filter=decided),
        # Payments are recorded on decided cases only: the others need no payment subqueries.
        "paid": Sum(paid, filter=Q(decided_on__isnull=False)),
        "to_fine": Sum(to_fine, filter=Q(decided_on__isnull=False)),
    }
    rows = list(qs.order_by().values(area_town=F("town_id")).annotate(**metrics).order_by())
    out = ctx.by_town(rows, list(metrics))
    late = {}
    for key in out["paid"]:
        late[key] = _money(Decimal(out["paid"][key] or 0) - Decimal(out["to_fine"][key] or 0))
    out["late_fees"] = late
    for name in ("fines_imposed", "paid", "to_fine"):
        out[name] = {k: _money(v) for k, v in out[name].items()}
    ctx.cache["cases"] = out
    return out


def _case_link(ctx: Context, stage_date: str) -> str:
    """The case list of the cases whose ``<stage_date>_on`` falls in the period (the list cannot
    name a village or a sector: no link then)."""
    params = {
        f"{stage_date}_from": ctx.period.start.isoformat(),
        f"{stage_date}_before": ctx.period.end.isoformat(),
    }
    return ctx.link("cases:case_list", params, narrowed=False)


@register_section("cases", gettext_lazy("Enforcement cases (立案查处)"), action=CASES, order=60)
def cases_section(ctx: Context) -> list[Figure]:
    c = _cases(ctx)
    return [
        Figure("cases.opened", _("Cases opened (立案) in the period"), values=c["opened"],
               link=_case_link(ctx, "opened")),
        Figure("cases.opened.from_inspection", _("of which from an inspection"),
               values=c["opened_inspection"]),
        Figure("cases.opened.from_hazard", _("of which from a hazard"),
               values=c["opened_hazard"]),
        Figure("cases.decided", _("Penalty decisions made in the period"), values=c["decided"],
               link=_case_link(ctx, "decided")),
        Figure("cases.closed", _("Cases closed (结案) in the period"), values=c["closed"],
               link=_case_link(ctx, "closed")),
        Figure("cases.transferred", _("Cases transferred (移送) in the period"),
               values=c["transferred"], link=_case_link(ctx, "transferred")),
        Figure("cases.open_at_end", _("Cases open at the end of the period"),
               values=c["open_at_end"]),
    ]  # fmt: skip


@register_section(
    "penalties", gettext_lazy("Penalties imposed and collected"), action=CASES, order=70
)
def penalties_section(ctx: Context) -> list[Figure]:
    c = _cases(ctx)
    return [
        Figure("penalties.decisions", _("Penalty decisions"), values=c["decided"]),
        Figure("penalties.fines_imposed", _("Fines imposed by the decisions (yuan)"),
               kind=MONEY, values=c["fines_imposed"]),
        Figure("penalties.collected", _("Paid in the period (yuan)"), kind=MONEY,
               values=c["paid"]),
        Figure("penalties.fines_collected", _("of which fines (yuan)"), kind=MONEY,
               values=c["to_fine"], sub=True),
        Figure("penalties.late_fees_collected", _("of which late fees (加处罚款, yuan)"),
               kind=MONEY, values=c["late_fees"], sub=True),
    ]  # fmt: skip


# --- Campaigns: three queries -------------------------------------------------------------------


def _campaigns(ctx: Context) -> dict[str, dict[str, Any]]:
    if "campaigns" in ctx.cache:
        return ctx.cache["campaigns"]
    start, end = ctx.period.start, ctx.period.end
    campaigns = Campaign.objects.for_action(ctx.user, CAMPAIGNS)
    links = (
        CampaignInspection.objects.filter(campaign__in=campaigns.values("pk"))
        .exclude(inspection__status=InspectionStatus.CANCELLED)
        .filter(
            inspection__started_at__gte=ctx.period.start_dt,
            inspection__started_at__lt=ctx.period.end_dt,
        )
    )
    links = ctx.narrow(links, unit="inspection__unit__", town="campaign__region_id")
    running = campaigns.filter(start_date__lt=end, end_date__gte=start)
    if ctx.region is not None and ctx.region.level == RegionLevel.TOWN:
        running = running.filter(region_id=ctx.region.pk)
    elif ctx.region is not None or ctx.committee is not None:
        # A village or a sector: the campaigns that checked one of its units in the period.
        running = running.filter(pk__in=links.values("campaign_id"))
    kinds = {
        "running": Count("pk"),
        **{f"kind_{k}": Count("pk", filter=Q(kind=k)) for k in CampaignKind.values},
    }
    rows = list(running.order_by().values(area_town=F("region_id")).annotate(**kinds).order_by())
    out = ctx.by_town(rows, list(kinds))

    hazard = "inspection__results__hazard"
    counted = Q(**{f"{hazard}__isnull": False}) & ~Q(
        **{f"{hazard}__status": HazardStatus.CANCELLED}
    )
    tally: dict[str, Any] = {
        "units": Count("inspection__unit_id", distinct=True),
        "visits": Count("inspection_id", distinct=True),
        "hazards_found": Count(f"{hazard}__id", filter=counted, distinct=True),
        "hazards_rectified": Count(
            f"{hazard}__id",
            filter=counted & Q(**{f"{hazard}__closed_at__lt": ctx.as_of}),
            distinct=True,
        ),
    }
    overall = {
        **tally,
        "joint": Count(
            "inspection_id",
            filter=Q(inspection__kind=InspectionKind.JOINT_ENFORCEMENT),
            distinct=True,
        ),
    }
    rows = list(
        links.order_by().values(area_town=F("campaign__region_id")).annotate(**overall).order_by()
    )
    out.update(ctx.by_town(rows, list(overall)))
    per_category = []
    metrics = [f"{c}.{m}" for c in CATEGORIES for m in TALLY]
    for row in (
        links.order_by()
        .values("category", area_town=F("campaign__region_id"))
        .annotate(**tally)
        .order_by()
    ):
        if row["category"] not in CATEGORIES:
            continue
        flat: dict[str, Any] = dict.fromkeys(metrics, 0)
        flat["area_town"] = row["area_town"]
        for m in TALLY:
            flat[f"{row['category']}.{m}"] = row[m]
        per_category.append(flat)
    out.update(ctx.by_town(per_category, metrics))
    ctx.cache["campaigns"] = out
    return out


def _campaign_link(ctx: Context, kind: str = "") -> str:
    """The campaign list filters by the year a campaign overlaps: the list behind a year's
    figure (not for a narrower area, which the list cannot name)."""
    if ctx.period.kind != PeriodKind.YEAR:
        return ""
    return ctx.link(
        "campaigns:campaign_list", {"year": ctx.period.year, "kind": kind}, narrowed=False
    )


@register_section(
    "campaigns", gettext_lazy("Campaigns and joint enforcement (专项整治、联合执法)"),
    action=CAMPAIGNS, order=80,
)  # fmt: skip
def campaigns_section(ctx: Context) -> list[Figure]:
    c = _campaigns(ctx)
    rows = [
        Figure("campaigns.running", _("Campaigns under way in the period"), values=c["running"],
               link=_campaign_link(ctx)),
    ]  # fmt: skip
    for kind, label in CampaignKind.choices:
        rows.append(
            Figure(
                f"campaigns.running.{kind}",
                _("of which: %(kind)s") % {"kind": label},
                values=c[f"kind_{kind}"],
                link=_campaign_link(ctx, kind),
            )
        )
    rows += [
        Figure("campaigns.joint_inspections", _("Joint inspections (联合执法) in the period"),
               values=c["joint"]),
        Figure("campaigns.units", _("Units checked in campaigns"), values=c["units"]),
        Figure("campaigns.visits", _("Inspection visits counted in campaigns"),
               values=c["visits"]),
        Figure("campaigns.hazards_found", _("Hazards found by campaign inspections"),
               values=c["hazards_found"]),
        Figure("campaigns.hazards_rectified", _("of which rectified by the end of the period"),
               values=c["hazards_rectified"], sub=True),
    ]  # fmt: skip
    names = {
        "units": _("%(category)s: units checked"),
        "visits": _("%(category)s: inspection visits"),
        "hazards_found": _("%(category)s: hazards found"),
        "hazards_rectified": _("%(category)s: hazards rectified"),
    }
    for category, label in CampaignCategory.choices:
        for m in TALLY:
            rows.append(
                Figure(
                    f"campaigns.category.{category}.{m}",
                    names[m] % {"category": label},
                    values=c[f"{category}.{m}"],
                )
            )
    return rows


# --- The annual plan: one query -----------------------------------------------------------------


def _plan(ctx: Context) -> dict[str, dict[str, Any]]:
    if "plan" in ctx.cache:
        return ctx.cache["plan"]
    as_of_day = timezone.localtime(ctx.as_of).date()
    qs = ctx.narrow(InspectionTask.objects.for_action(ctx.user, PLANS), unit="unit__")
    due = _days("due_date", ctx.period.start, ctx.period.end)
    done = Q(inspection__status=InspectionStatus.FINISHED, inspection__finished_at__lt=ctx.as_of)
    not_done = (
        Q(inspection__isnull=True)
        | ~Q(inspection__status=InspectionStatus.FINISHED)
        | Q(inspection__finished_at__isnull=True)
        | Q(inspection__finished_at__gte=ctx.as_of)
    )
    metrics: dict[str, Any] = {
        "planned": Count("pk", filter=due),
        "done": Count("pk", filter=due & done),
        "late": Count("pk", filter=Q(due_date__lt=as_of_day) & not_done),
    }
    rows = list(
        qs.order_by().values(area_town=F("unit__region__parent_id")).annotate(**metrics).order_by()
    )
    ctx.cache["plan"] = ctx.by_town(rows, list(metrics))
    return ctx.cache["plan"]


def _task_link(ctx: Context, state: str = "") -> str:
    """The task list names a plan's year and a month (a task is due in its month), and the done
    and late tasks as they are now: the list behind the figure for a month or a year, and for
    done or late only while the period runs (late: every late task, as the figure counts)."""
    if state:
        now = timezone.now()
        if not ctx.period.start_dt <= now < ctx.period.end_dt:
            return ""
    params: dict[str, Any] = {"state": state}
    if state != "late":
        if ctx.period.kind not in (PeriodKind.MONTH, PeriodKind.YEAR):
            return ""
        params["year"] = ctx.period.year
        if ctx.period.kind == PeriodKind.MONTH:
            params["month"] = ctx.period.month
    return ctx.link("plans:task_list", params, narrowed=False)


@register_section("plan", gettext_lazy("Annual inspection plan"), action=PLANS, order=90)
def plan_section(ctx: Context) -> list[Figure]:
    p = _plan(ctx)
    return [
        Figure("plan.planned", _("Planned inspection tasks due in the period"),
               values=p["planned"], link=_task_link(ctx)),
        Figure("plan.done", _("of which done by the end of the period"), values=p["done"],
               sub=True, link=_task_link(ctx, "done")),
        Figure("plan.late", _("Tasks late at the end of the period (due before it, not done)"),
               values=p["late"], link=_task_link(ctx, "late")),
        Figure("plan.rate", _("Completion rate: done ÷ due in the period"), kind=PERCENT,
               values=_rate(p["done"], p["planned"])),
    ]  # fmt: skip


__all__ = ["campaigns_section", "cases_section", "penalties_section", "plan_section"]
