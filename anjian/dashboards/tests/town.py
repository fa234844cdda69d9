"""A generated town for the dashboard, with known contents: units with grades and coordinates in
both towns of the world, hazards in every state, village, committee, category, source and finder
(timestamps set, so that months and deadlines are known), inspections, a published plan with its
tasks, enforcement cases and last month's monthly reports.

The rows are written directly (``bulk_create``): the dashboard reads what the records say — found,
closed, due at given moments — which the services would stamp with "now". The figures the tests
compare with are counted over these objects in plain Python (``expected``).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from anjian.enforcement.case_choices import CaseStage
from anjian.enforcement.models import Case, LegalProvision
from anjian.hazards.choices import OPEN_STATUSES, HazardCategory, HazardSource
from anjian.hazards.models import Hazard, MonthlyReport, RectificationReport, TipOff
from anjian.inspections.models import Inspection
from anjian.inspections.tests.factories import make_checklist
from anjian.plans.models import InspectionPlan, InspectionTask
from anjian.units.models import Unit, UnitKind, UnitStatus

TZ = timezone.get_default_timezone()
CATEGORIES = [HazardCategory.FIRE, HazardCategory.ELECTRICAL, HazardCategory.GAS,
              HazardCategory.MACHINERY]  # fmt: skip
SOURCES = [HazardSource.TOWN_INSPECTION, HazardSource.SELF_CHECK, HazardSource.EXPERT_CHECK,
           HazardSource.VILLAGE_PATROL]  # fmt: skip
GRADES = ["red", "orange", "yellow", "blue", ""]


def at(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(y, m, d, hour, minute, tzinfo=TZ)


@dataclass
class Town:
    now: datetime.datetime
    units: list[Unit]
    hazards: list[Hazard]
    inspections: list[Inspection]
    tasks: list[InspectionTask]
    cases: list[Case]
    reports: list[MonthlyReport]


def _month_start(day: datetime.date, back: int = 0) -> datetime.date:
    year, month = day.year, day.month - back
    while month <= 0:
        year, month = year - 1, month + 12
    return datetime.date(year, month, 1)


def build_town(world, *, now: datetime.datetime, hazards: int = 60, seed: int = 6) -> Town:
    """The world's units plus a few more, all graded and placed, and ``hazards`` hazards spread
    over the fourteen months before ``now``."""
    rnd = random.Random(seed)
    today = timezone.localtime(now).date()
    extra = [
        Unit(name=f"东梓关{seed}号厂", kind=UnitKind.ENTERPRISE, region=world.village_a1,
             committee=world.committee_a_industry),
        Unit(name=f"上沙{seed}号店", kind=UnitKind.SMALL_VENUE, region=world.village_a2,
             committee=world.committee_a_fire),
        Unit(name=f"上沙{seed}号仓库", kind=UnitKind.ENTERPRISE, region=world.village_a2),
        Unit(name=f"东梓关{seed}号停产厂", kind=UnitKind.ENTERPRISE, region=world.village_a1,
             committee=world.committee_a_industry, status=UnitStatus.SUSPENDED),
        Unit(name=f"上沙{seed}号已关闭店", kind=UnitKind.SMALL_VENUE, region=world.village_a2,
             status=UnitStatus.CLOSED),
        Unit(name=f"大庄{seed}号厂", kind=UnitKind.ENTERPRISE, region=world.village_b1,
             committee=world.committee_b),
    ]  # fmt: skip
    Unit.objects.bulk_create(extra)
    units = list(
        Unit.objects.filter(
            region__in=[world.village_a1, world.village_a2, world.village_b1]
        ).select_related("region", "committee")
    )
    # Grades and coordinates (one unit left without coordinates: it is not on the map), and a
    # registration long ago (so that every enterprise owes last month's report).
    for i, unit in enumerate(units):
        unit.grade = GRADES[(i + seed) % len(GRADES)]
        if i % 5 != 4:
            unit.latitude = Decimal("29.950000") + Decimal(i) / 500
            unit.longitude = Decimal("119.850000") + Decimal(i * 3 % 7) / 300
        else:
            unit.latitude = unit.longitude = None
    Unit.objects.bulk_update(units, ["grade", "latitude", "longitude"])
    Unit.objects.filter(pk__in=[u.pk for u in units]).update(created_at=at(2024, 1, 1))
    finders = [world.inspector_a, world.expert_a, world.village_officer_a, None]
    start = now - datetime.timedelta(days=430)
    span = (now - start).total_seconds()
    rows = []
    for i in range(hazards):
        unit = units[i % len(units)]
        found = start + datetime.timedelta(seconds=rnd.random() * span)
        if i % 8 == 0:  # some in the running month, so that this month's rate is not empty
            first = _midnight(today.replace(day=1))
            found = first + (now - first) * rnd.random()
        level = "major" if rnd.random() < 0.2 else "general"
        deadline = (found + datetime.timedelta(days=rnd.randint(3, 90))).astimezone(TZ).date()
        status = rnd.choice(["found", "rectifying", "submitted"])
        closed = None
        fate = rnd.random()
        if fate < 0.5:
            closed = found + datetime.timedelta(days=rnd.randint(0, 60), hours=rnd.randint(0, 23))
            if closed < now:
                status = "closed"
            else:
                closed = None
        elif fate < 0.58:
            status = "cancelled"
        finder = finders[i % len(finders)]
        rows.append(
            Hazard(
                unit=unit,
                location=f"位置{i}",
                description=f"隐患{i}",
                hazard_type="unsafe_condition",
                category=CATEGORIES[rnd.randrange(len(CATEGORIES))],
                level=level,
                source=SOURCES[rnd.randrange(len(SOURCES))],
                found_by=finder,
                found_by_name="" if finder else "群众",
                found_at=found,
                deadline=deadline,
                status=status,
                closed_at=closed,
            )
        )
    made = Hazard.objects.bulk_create(rows)
    RectificationReport.objects.bulk_create(
        RectificationReport(hazard=h, round=1, description="已整改",
                            submitted_at=h.found_at + datetime.timedelta(days=1))
        for h in made if h.status == "submitted"
    )  # fmt: skip
    checklist = make_checklist()
    visits = []
    for i in range(max(12, hazards // 3)):
        unit = units[(i * 7) % len(units)]
        started = start + datetime.timedelta(seconds=rnd.random() * span)
        finished = rnd.random() < 0.8 and started < now - datetime.timedelta(hours=3)
        visits.append(
            Inspection(
                unit=unit, checklist=checklist, kind="town_inspection",
                status="finished" if finished else "in_progress", lead=world.town_office_a,
                started_at=started,
                finished_at=started + datetime.timedelta(hours=2) if finished else None,
            )
        )  # fmt: skip
    inspections = Inspection.objects.bulk_create(visits)
    # This year's plan in each town (published in town A, a draft in town B: both count): a
    # task per unit and month of three months, some done by a finished inspection, some late.
    tasks = []
    free = [v for v in inspections if v.status == "finished"]
    for town in (world.town_a, world.town_b):
        status = "published" if town == world.town_a else "draft"
        plan, _created = InspectionPlan.objects.get_or_create(
            town=town, year=today.year, defaults={"status": status}
        )
        for unit in [u for u in units if u.region.parent_id == town.pk]:
            for month in (1, 6, 11):
                if InspectionTask.objects.filter(plan=plan, unit=unit, month=month).exists():
                    continue
                done = free.pop() if free and rnd.random() < 0.5 else None
                if done is not None and done.unit_id != unit.pk:
                    Inspection.objects.filter(pk=done.pk).update(unit=unit)
                    done.unit = unit
                tasks.append(
                    InspectionTask(
                        plan=plan, unit=unit, month=month,
                        due_date=datetime.date(today.year, month, 20),
                        assignee=world.inspector_a, inspection=done,
                    )
                )  # fmt: skip
    tasks = InspectionTask.objects.bulk_create(tasks)
    # The seeded table of provisions is flushed in a browser test's database: make one there.
    provision = LegalProvision.objects.order_by("pk").first() or LegalProvision.objects.create(
        law="《中华人民共和国安全生产法》", article="第一百零二条", violation="未采取措施消除事故隐患",
        penalty_text="责令立即消除或者限期消除，处五万元以下的罚款",
        fine_min_organisation=Decimal(0), fine_max_organisation=Decimal(50000),
        fine_min_individual=Decimal(0), fine_max_individual=Decimal(0),
    )  # fmt: skip
    cases = []
    if provision is not None:
        # A proposal not yet approved (no opening day: not a case yet), cases under way, decided,
        # closed and transferred; opened within the last sixteen months.
        for i, unit in enumerate(units[: max(6, hazards // 12)]):
            opened = (now - datetime.timedelta(days=rnd.randint(0, 480))).astimezone(TZ).date()
            later = min(opened + datetime.timedelta(days=rnd.randint(5, 60)), today)
            fields: dict[str, Any] = {
                0: {"stage": CaseStage.OPENED},
                1: {"stage": CaseStage.INVESTIGATING, "opened_on": opened},
                2: {"stage": CaseStage.DECIDED, "opened_on": opened, "decided_on": later},
                3: {"stage": CaseStage.CLOSED, "opened_on": opened, "closed_on": later},
                4: {"stage": CaseStage.TRANSFERRED, "opened_on": opened, "transferred_on": later},
            }[i % 5]
            cases.append(
                Case.objects.create(
                    town=unit.region.parent, unit=unit, party_name=unit.name, cause="测试案由",
                    facts="测试事实", provision=provision, **fields,
                )
            )  # fmt: skip
    # Public tip-offs: some awaiting triage, one dismissed, in both towns.
    TipOff.objects.bulk_create(
        TipOff(town=town, place=f"{town.name}{i}号", description="有人违规动火", status=status)
        for town, i, status in ((world.town_a, 1, "new"), (world.town_a, 2, "new"),
                                (world.town_a, 3, "dismissed"), (world.town_b, 4, "new"))
    )  # fmt: skip
    # Last month's reports: about half of the enterprises sent theirs.
    last_month = _month_start(today, 1)
    reports = []
    for unit in units:
        sent = MonthlyReport.objects.filter(unit=unit, month=last_month).exists()
        if unit.kind == UnitKind.ENTERPRISE and rnd.random() < 0.5 and not sent:
            reports.append(
                MonthlyReport(unit=unit, month=last_month, kind="none_found",
                              signed_name="张三", submitted_at=now)
            )  # fmt: skip
    reports = MonthlyReport.objects.bulk_create(reports)
    units = list(Unit.objects.filter(pk__in=[u.pk for u in units]).select_related("region"))
    return Town(now, units, made, inspections, tasks, cases, reports)


# --- Counting independently ---------------------------------------------------------------------


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=TZ)


def _in(moment, start: datetime.datetime, end: datetime.datetime) -> bool:
    return moment is not None and start <= moment < end


def expected(world, town: Town, unit_ok, *, area) -> dict[str, Any]:
    """The dashboard's figures for a user whose scope holds the units ``unit_ok`` accepts, counted
    over the objects; ``area(unit)`` is the key the figure is compared at (a town id or total)."""
    now = town.now
    today = timezone.localtime(now).date()
    units = [u for u in Unit.objects.select_related("region") if unit_ok(u)]
    unit_ids = {u.pk for u in units}
    hazards = [h for h in Hazard.objects.select_related("unit__region") if h.unit_id in unit_ids]
    out: dict[str, Any] = {}

    def tally(objects, pred, key_of) -> dict[str, int]:
        result: dict[str, int] = {}
        for obj in objects:
            if pred(obj):
                k = key_of(obj)
                result[k] = result.get(k, 0) + 1
        return result

    h_area = lambda h: area(h.unit)  # noqa: E731
    open_ = [h for h in hazards if h.status in OPEN_STATUSES]
    out["hazards.open"] = tally(open_, lambda h: True, h_area)
    out["hazards.overdue"] = tally(
        hazards,
        lambda h: h.status in ("found", "rectifying") and h.deadline and h.deadline < today,
        h_area,
    )
    out["hazards.major"] = tally(open_, lambda h: h.level == "major", h_area)
    month_start = _midnight(today.replace(day=1))
    next_month = _midnight(_month_start(today.replace(day=28) + datetime.timedelta(days=7)))
    year_start = _midnight(datetime.date(today.year, 1, 1))
    year_end = _midnight(datetime.date(today.year + 1, 1, 1))
    live = [h for h in hazards if h.status != "cancelled"]
    for key, s, e in (("month", month_start, next_month), ("year", year_start, year_end)):
        out[f"found.{key}"] = tally(live, lambda h, s=s, e=e: _in(h.found_at, s, e), h_area)
        out[f"closed.{key}"] = tally(live, lambda h, s=s, e=e: _in(h.closed_at, s, e), h_area)
    visits = [
        v for v in Inspection.objects.select_related("unit__region")
        if v.unit_id in unit_ids and v.status == "finished"
    ]  # fmt: skip
    out["inspections.year"] = tally(
        visits, lambda v: _in(v.started_at, year_start, year_end), lambda v: area(v.unit)
    )
    out["units.supervised"] = tally(units, lambda u: u.status in ("operating", "suspended"), area)
    tasks = [
        t for t in InspectionTask.objects.select_related("unit__region", "inspection", "plan")
        if t.unit_id in unit_ids and t.plan.year == today.year
    ]  # fmt: skip

    def done(t) -> bool:
        i = t.inspection
        return i is not None and i.status == "finished" and i.finished_at < now

    out["plan.planned"] = tally(tasks, lambda t: True, lambda t: area(t.unit))
    out["plan.done"] = tally(tasks, done, lambda t: area(t.unit))
    out["plan.late"] = tally(
        tasks, lambda t: not done(t) and t.due_date < today, lambda t: area(t.unit)
    )
    cases = [c for c in Case.objects.select_related("unit__region") if c.unit_id in unit_ids]
    tomorrow = today + datetime.timedelta(days=1)

    def case_open(c) -> bool:
        return (
            c.opened_on is not None and c.opened_on < tomorrow
            and (c.closed_on is None or c.closed_on >= tomorrow)
            and (c.transferred_on is None or c.transferred_on >= tomorrow)
        )  # fmt: skip

    out["cases.open"] = tally(cases, case_open, lambda c: area(c.unit))
    out["cases.year"] = tally(
        cases, lambda c: c.opened_on is not None and c.opened_on.year == today.year,
        lambda c: area(c.unit),
    )  # fmt: skip
    # Breakdowns of the open hazards (totals only).
    out["by_village"] = tally(open_, lambda h: True, lambda h: h.unit.region_id)
    out["by_committee"] = tally(open_, lambda h: True, lambda h: h.unit.committee_id)
    out["by_category"] = tally(open_, lambda h: True, lambda h: h.category)
    out["by_source"] = tally(open_, lambda h: True, lambda h: h.source)
    out["by_finder"] = tally(open_, lambda h: True, lambda h: h.found_by_id)
    # The trend: the twelve months up to this one.
    months = [_month_start(today, back) for back in range(11, -1, -1)]
    bounds = [(_midnight(m), _midnight(_month_start(m.replace(day=28) + datetime.timedelta(days=7))))
              for m in months]  # fmt: skip
    out["trend.found"] = [sum(1 for h in live if _in(h.found_at, s, e)) for s, e in bounds]
    out["trend.closed"] = [sum(1 for h in live if _in(h.closed_at, s, e)) for s, e in bounds]
    out["trend.inspections"] = [sum(1 for v in visits if _in(v.started_at, s, e))
                                for s, e in bounds]  # fmt: skip
    # Units by grade, and the map (units with coordinates, with their open hazards).
    supervised = [u for u in units if u.status in ("operating", "suspended")]
    out["grades"] = tally(supervised, lambda u: True, lambda u: u.grade)
    out["map"] = {
        u.pk: sum(1 for h in open_ if h.unit_id == u.pk)
        for u in supervised
        if u.latitude is not None and u.longitude is not None
    }
    overdue = sorted(
        (h for h in hazards
         if h.status in ("found", "rectifying") and h.deadline and h.deadline < today),
        key=lambda h: (h.deadline, h.found_at, h.pk),
    )  # fmt: skip
    out["overdue_list"] = [h.pk for h in overdue[:10]]
    return out


def missed_reports(world, town: Town, unit_ok) -> set[int]:
    """Enterprise units operating in scope that owe last month's report and did not send it."""
    today = timezone.localtime(town.now).date()
    last_month = _month_start(today, 1)
    sent = set(MonthlyReport.objects.filter(month=last_month).values_list("unit_id", flat=True))
    return {
        u.pk
        for u in Unit.objects.select_related("region")
        if unit_ok(u) and u.kind == UnitKind.ENTERPRISE and u.status == UnitStatus.OPERATING
        and u.pk not in sent
    }  # fmt: skip
