"""A generated town with known enforcement cases, payments, campaigns and plan tasks, and the
figures of the sections ``cases``, ``penalties``, ``campaigns`` and ``plan`` counted independently
in plain Python over the objects made.

Rows are written directly (``bulk_create`` and ``update``) with their dates set explicitly: the
statistics read what the records say happened when, which the services would stamp with "now".
The moments all lie before ``NOW`` (15 July 2026, 09:00 Beijing time).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from anjian.campaigns.choices import CampaignCategory, CampaignKind
from anjian.campaigns.models import Campaign, CampaignInspection
from anjian.enforcement.models import Case, CaseEvent, CasePayment, LegalProvision
from anjian.hazards.models import Hazard
from anjian.inspections.models import ChecklistItem, Inspection, InspectionResult
from anjian.inspections.tests.factories import make_checklist
from anjian.plans.models import InspectionPlan, InspectionTask
from anjian.stats.figures import TOTAL
from anjian.stats.periods import Period
from anjian.stats.tests.town import TZ, at
from anjian.units.models import Unit, UnitKind

LAST_DAY = datetime.date(2026, 7, 14)  # nothing happens after it (NOW is the 15th, 09:00)
FIRST_DAY = datetime.date(2025, 10, 1)
CATEGORIES = list(CampaignCategory.values)
KINDS = list(CampaignKind.values)


def midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=TZ)


@dataclass
class EnforcementTown:
    units: list[Unit]
    cases: list[Case]
    payments: list[CasePayment]
    withdrawn_at: dict[int, datetime.datetime]  # case id → moment of the withdrawal
    case_hazards: dict[int, list[int]]  # case id → hazard ids
    campaigns: list[Campaign]
    links: list[CampaignInspection]
    inspections: dict[int, Inspection]  # the campaigns' and the tasks' inspections, by id
    results: list[InspectionResult]
    hazards: dict[int, Hazard]  # the hazards of the campaigns' inspections, by id
    tasks: list[InspectionTask]
    extra: dict[str, Any] = field(default_factory=dict)


def _day(rnd: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rnd.randint(0, max(0, (last - first).days)))


def _moment(rnd: random.Random, day: datetime.date) -> datetime.datetime:
    return midnight(day) + datetime.timedelta(minutes=rnd.randint(0, 24 * 60 - 1))


def provision_for_tests() -> LegalProvision:
    provision, _ = LegalProvision.objects.get_or_create(
        law="统计测试条例",
        article="第一条",
        defaults={"violation": "测试", "penalty_text": "罚款", "fine_max_organisation": 100000},
    )
    return provision


def build_enforcement(
    world, *, cases: int = 40, campaigns: int = 6, tasks: int = 60, seed: int = 11
) -> EnforcementTown:
    rnd = random.Random(seed)
    checklist = make_checklist()
    items = list(ChecklistItem.objects.filter(section__version=checklist).order_by("pk"))
    extra_a = Unit.objects.create(
        name=f"上沙五金厂{seed}", kind=UnitKind.ENTERPRISE, region=world.village_a2,
        committee=world.committee_a_industry,
    )  # fmt: skip
    extra_b = Unit.objects.create(
        name=f"大庄饭店{seed}", kind=UnitKind.SMALL_VENUE, region=world.village_b1
    )
    units = [world.unit_a, world.unit_a2, world.unit_b, extra_a, extra_b]
    by_town: dict[int, list[Unit]] = {}
    for u in units:
        by_town.setdefault(u.region.parent_id, []).append(u)
    towns = [world.town_a, world.town_b]

    def inspection(unit, started, *, status="finished", kind="town_inspection", finished=None):
        return Inspection(
            unit=unit, checklist=checklist, kind=kind, status=status, lead=world.town_office_a,
            started_at=started,
            finished_at=(finished or started + datetime.timedelta(hours=2))
            if status == "finished" else None,
        )  # fmt: skip

    def hazard(unit, found, *, status="found", closed=None):
        return Hazard(
            unit=unit, location="现场", description="统计测试隐患", hazard_type="unsafe_condition",
            category="electrical", level="general", source="town_inspection", found_at=found,
            deadline=found.date() + datetime.timedelta(days=15), status=status, closed_at=closed,
        )  # fmt: skip

    # --- Cases -------------------------------------------------------------------------------
    provision = provision_for_tests()
    origin_inspections = Inspection.objects.bulk_create(
        [inspection(units[i % len(units)], _moment(rnd, _day(rnd, FIRST_DAY, LAST_DAY)))
         for i in range(6)]
    )  # fmt: skip
    origin_hazards = Hazard.objects.bulk_create(
        [hazard(units[i % len(units)], _moment(rnd, _day(rnd, FIRST_DAY, LAST_DAY)))
         for i in range(6)]
    )  # fmt: skip
    rows: list[Case] = []
    plans: list[dict[str, Any]] = []
    for i in range(cases):
        unit = units[i % len(units)]
        created = _day(rnd, FIRST_DAY, LAST_DAY)
        c = Case(
            town_id=unit.region.parent_id, unit=unit, party_name=unit.name, cause="未整改",
            facts="逾期未整改", provision=provision, stage="opened",
        )  # fmt: skip
        plan: dict[str, Any] = {"hazard": None, "withdraw": None, "payments": []}
        if rnd.random() < 0.45:
            c.inspection = origin_inspections[rnd.randrange(len(origin_inspections))]
        if rnd.random() < 0.45:
            plan["hazard"] = origin_hazards[rnd.randrange(len(origin_hazards))]
        if rnd.random() < 0.9:  # approved (立案); else still a proposal
            c.opened_on = created
            c.stage = "investigating"
            fate = rnd.random()
            if fate < 0.5:
                decided = created + datetime.timedelta(days=rnd.randint(0, 60))
                if decided <= LAST_DAY:
                    c.stage, c.decided_on = "decided", decided
                    c.decided_fine = Decimal(rnd.choice([0, 2000, 5000, 12000, 30000]))
                    c.served_on = decided
                    c.payment_due = decided + datetime.timedelta(days=15)
                    paid_total = Decimal(0)
                    day = decided
                    for _n in range(rnd.choice([0, 1, 1, 2, 3])):
                        day = day + datetime.timedelta(days=rnd.randint(1, 40))
                        if day > LAST_DAY or c.decided_fine == 0:
                            break
                        amount = (c.decided_fine * Decimal(rnd.choice([25, 50, 60, 100]))) / 100
                        if rnd.random() < 0.3:
                            amount += Decimal(rnd.randint(1, 900))  # a late fee on top
                        plan["payments"].append((day, amount.quantize(Decimal("0.01"))))
                        paid_total += amount
                    if paid_total >= c.decided_fine and plan["payments"]:
                        c.stage, c.executed_on = "executed", plan["payments"][-1][0]
                        closed = c.executed_on + datetime.timedelta(days=rnd.randint(0, 30))
                        if closed <= LAST_DAY and rnd.random() < 0.7:
                            c.stage, c.closed_on = "closed", closed
            elif fate < 0.65:
                moved = created + datetime.timedelta(days=rnd.randint(0, 50))
                if moved <= LAST_DAY:
                    c.stage, c.transferred_on, c.transferred_to = (
                        "transferred",
                        moved,
                        "区应急管理局",
                    )
            elif fate < 0.8:
                gone = created + datetime.timedelta(days=rnd.randint(0, 40))
                if gone <= LAST_DAY:
                    c.stage, c.withdrawn_reason = "withdrawn", "证据不足"
                    plan["withdraw"] = _moment(rnd, gone)
        rows.append(c)
        plans.append(plan)
    # The edge: opened on the last day of March, decided on 1 April, paid in part on 2 April and
    # the rest with a late fee in May; closed in June.
    edge = Case(
        town_id=world.town_a.pk, unit=world.unit_a, party_name=world.unit_a.name, cause="边界",
        facts="三月底立案，四月决定", provision=provision, stage="closed",
        opened_on=datetime.date(2026, 3, 31), decided_on=datetime.date(2026, 4, 1),
        decided_fine=Decimal("10000.00"), served_on=datetime.date(2026, 4, 1),
        payment_due=datetime.date(2026, 4, 16), executed_on=datetime.date(2026, 5, 20),
        closed_on=datetime.date(2026, 6, 3), inspection=origin_inspections[0],
    )  # fmt: skip
    rows.append(edge)
    plans.append(
        {
            "hazard": origin_hazards[0],
            "withdraw": None,
            "payments": [
                (datetime.date(2026, 4, 2), Decimal("4000.00")),
                (datetime.date(2026, 5, 20), Decimal("6900.00")),  # 6000 fine + 900 late fee
            ],
        }
    )
    made = Case.objects.bulk_create(rows)
    payments: list[CasePayment] = []
    case_hazards: dict[int, list[int]] = {}
    withdrawn_at: dict[int, datetime.datetime] = {}
    through = Case.hazards.through
    links_m2m = []
    for c, plan in zip(made, plans, strict=True):
        for n, (day, amount) in enumerate(plan["payments"]):
            payments.append(
                CasePayment(case=c, amount=amount, paid_on=day, receipt_number=f"R{c.pk}-{n}")
            )
        if plan["hazard"] is not None:
            links_m2m.append(through(case_id=c.pk, hazard_id=plan["hazard"].pk))
            case_hazards[c.pk] = [plan["hazard"].pk]
        if plan["withdraw"] is not None:
            withdrawn_at[c.pk] = plan["withdraw"]
    payments = CasePayment.objects.bulk_create(payments)
    through.objects.bulk_create(links_m2m)
    # A timeline as the services write it; the withdrawal's moment is set afterwards
    # (``at`` is stamped on creation).
    for case_id, moment in withdrawn_at.items():
        event = CaseEvent.objects.create(
            case_id=case_id, action="withdraw", from_stage="investigating", to_stage="withdrawn"
        )
        CaseEvent.objects.filter(pk=event.pk).update(at=moment)
    for case_id in list(withdrawn_at)[:2]:  # other steps of the timeline do not withdraw
        CaseEvent.objects.create(case_id=case_id, action="approve", to_stage="investigating")

    # --- Campaigns -----------------------------------------------------------------------------
    camps: list[Campaign] = []
    for i in range(campaigns):
        town = towns[i % 2]
        start = _day(rnd, datetime.date(2025, 11, 1), datetime.date(2026, 6, 30))
        end = start + datetime.timedelta(days=rnd.randint(5, 120))
        camps.append(
            Campaign(
                region=town, name=f"专项行动{seed}-{i}", kind=KINDS[i % 2], start_date=start,
                end_date=end, categories=rnd.sample(CATEGORIES, 3),
            )
        )  # fmt: skip
    # The edge: a joint action across the end of March.
    camps.append(
        Campaign(
            region=world.town_a, name=f"三四月联合执法{seed}", kind="joint_enforcement",
            start_date=datetime.date(2026, 3, 20), end_date=datetime.date(2026, 4, 10),
            categories=["street_shop", "small_venue", "reservoir"],
        )
    )  # fmt: skip
    camps = Campaign.objects.bulk_create(camps)
    visits: list[Inspection] = []
    link_plan: list[tuple[Campaign, str]] = []
    for camp in camps[:-1]:  # the edge has its two visits only
        for _n in range(rnd.randint(2, 6)):
            day = _day(rnd, camp.start_date, min(camp.end_date, LAST_DAY))
            status = rnd.choices(["finished", "in_progress", "cancelled"], [7, 2, 1])[0]
            kind = "joint_enforcement" if rnd.random() < 0.7 else "town_inspection"
            unit = rnd.choice(by_town[camp.region_id])
            visits.append(inspection(unit, _moment(rnd, day), status=status, kind=kind))
            category = rnd.choice(camp.categories) if rnd.random() < 0.9 else "fire_key"
            link_plan.append((camp, category))
    # The edge's two visits: the evening of 31 March (local time) and 1 April.
    for moment in (at(2026, 3, 31, 23, 40), at(2026, 4, 1, 0, 20)):
        visits.append(inspection(world.unit_a2, moment, kind="joint_enforcement"))
        link_plan.append((camps[-1], "small_venue"))
    visits = Inspection.objects.bulk_create(visits)
    links = [
        CampaignInspection(campaign=camp, inspection=v, category=category)
        for v, (camp, category) in zip(visits, link_plan, strict=True)
    ]
    # One inspection counts in two campaigns of its town (in a category each).
    pairs = {(link.campaign_id, link.inspection_id) for link in links}
    for v, (camp, _category) in zip(visits, link_plan, strict=True):
        other = next((c for c in camps if c.region_id == camp.region_id and c.pk != camp.pk), None)
        if other is not None and (other.pk, v.pk) not in pairs:
            links.append(CampaignInspection(campaign=other, inspection=v, category="gas"))
            break
    links = CampaignInspection.objects.bulk_create(links)
    found_rows, result_plan = [], []
    for v in visits:
        for j in range(rnd.choice([0, 1, 1, 2, 3])):
            fate = rnd.random()
            closed = None
            status = "rectifying"
            if fate < 0.45:
                closed = v.started_at + datetime.timedelta(days=rnd.randint(0, 50), hours=3)
                status = "closed"
                if closed >= at(2026, 7, 15):
                    closed, status = None, "submitted"
            elif fate < 0.55:
                status = "cancelled"
            found_rows.append(hazard(v.unit, v.started_at, status=status, closed=closed))
            result_plan.append((v, items[j]))
    found = Hazard.objects.bulk_create(found_rows)
    results = InspectionResult.objects.bulk_create(
        [
            InspectionResult(inspection=v, item=item, result="fail", hazard=h)
            for h, (v, item) in zip(found, result_plan, strict=True)
        ]
    )

    # --- The plan ----------------------------------------------------------------------------
    plan_rows = [  # one plan per town and year: a second build adds to the same plans
        InspectionPlan.objects.get_or_create(
            town=town, year=year, defaults={"status": "published"}
        )[0]
        for town, year in ((world.town_a, 2026), (world.town_b, 2026), (world.town_a, 2025))
    ]
    task_specs = []
    task_visits: list[Inspection | None] = []
    for i in range(tasks):
        plan = plan_rows[i % len(plan_rows)]
        month = rnd.randint(1, 12) if plan.year == 2026 else rnd.randint(10, 12)
        due = datetime.date(plan.year, month, 28)
        unit = rnd.choice(by_town[plan.town_id])
        visit = None
        fate = rnd.random()
        if fate < 0.6:
            start = due - datetime.timedelta(days=rnd.randint(-20, 25))
            if start <= LAST_DAY:
                finished = _moment(rnd, start) + datetime.timedelta(hours=1)
                status = rnd.choices(["finished", "in_progress", "cancelled"], [8, 1, 1])[0]
                if status == "finished" and finished >= at(2026, 7, 15):
                    status = "in_progress"
                visit = inspection(unit, finished - datetime.timedelta(hours=1), status=status,
                                   finished=finished)  # fmt: skip
        task_specs.append((plan, unit, month, due))
        task_visits.append(visit)
    # The edge: due on 31 March, done on 2 April.
    task_specs.append((plan_rows[0], world.unit_a, 3, datetime.date(2026, 3, 31)))
    task_visits.append(inspection(world.unit_a, at(2026, 4, 2, 9), finished=at(2026, 4, 2, 11)))
    made_visits = Inspection.objects.bulk_create([v for v in task_visits if v is not None])
    it = iter(made_visits)
    task_rows = []
    for (plan, unit, month, due), visit in zip(task_specs, task_visits, strict=True):
        task_rows.append(
            InspectionTask(
                plan=plan, unit=unit, month=month, due_date=due,
                inspection=next(it) if visit is not None else None,
            )
        )  # fmt: skip
    task_rows = InspectionTask.objects.bulk_create(task_rows)

    for u in units:
        u.refresh_from_db()
    inspections = {v.pk: v for v in [*visits, *made_visits]}
    return EnforcementTown(
        units=units,
        cases=made,
        payments=payments,
        withdrawn_at=withdrawn_at,
        case_hazards=case_hazards,
        campaigns=camps,
        links=links,
        inspections=inspections,
        results=results,
        hazards={h.pk: h for h in found},
        tasks=task_rows,
        extra={"edge_case": made[-1], "edge_campaign": camps[-1]},
    )


# --- Counting independently ---------------------------------------------------------------------


def _in_days(day: datetime.date | None, period: Period) -> bool:
    return day is not None and period.start <= day < period.end


def _in(moment: datetime.datetime | None, period: Period) -> bool:
    return moment is not None and period.start_dt <= moment < period.end_dt


def _before_end(day: datetime.date | None, as_of: datetime.datetime) -> bool:
    """A day is before "the end" when it has begun by then."""
    return day is not None and midnight(day) < as_of


def expected_enforcement(
    et: EnforcementTown,
    period: Period,
    as_of: datetime.datetime,
    *,
    towns,
    case_ok: Callable | None,
    campaign_ok: Callable | None,
    task_ok: Callable | None,
    narrowed_to: Callable | None = None,
) -> dict[str, dict[str, Any]]:
    """Every figure of the sections cases, penalties, campaigns and plan, per town id and in
    total. A ``*_ok`` of ``None`` means the role does not reach that section. ``narrowed_to(unit)``
    names a village or sector chosen on the page (a town's campaigns then count when they checked
    one of its units in the period)."""
    units = {u.pk: u for u in et.units}
    inside = (lambda unit_id: narrowed_to(units[unit_id])) if narrowed_to else (lambda _id: True)
    keys = [str(t.pk) for t in towns]
    out: dict[str, dict[str, Any]] = {}

    def put(key: str, per_town: dict[str, Any], zero: Any = 0) -> None:
        values = {k: per_town.get(k, zero) for k in keys}
        values[TOTAL] = sum(values.values(), zero)
        out[key] = values

    def count(objects, pred, town_of) -> dict[str, int]:
        result: dict[str, int] = {}
        for obj in objects:
            if pred(obj):
                result[str(town_of(obj))] = result.get(str(town_of(obj)), 0) + 1
        return result

    def money(key: str, per_town: dict[str, Decimal]) -> None:
        put(key, per_town, Decimal(0))
        out[key] = {k: f"{v:.2f}" for k, v in out[key].items()}

    if case_ok is not None:
        cases = [c for c in et.cases if case_ok(c) and inside(c.unit_id)]
        town = lambda c: c.town_id  # noqa: E731

        def opened(c):
            return _in_days(c.opened_on, period)

        def open_at_end(c):
            withdrawn = et.withdrawn_at.get(c.pk)
            return (
                _before_end(c.opened_on, as_of)
                and not _before_end(c.closed_on, as_of)
                and not _before_end(c.transferred_on, as_of)
                and not (withdrawn is not None and withdrawn < as_of)
            )

        put("cases.opened", count(cases, opened, town))
        put(
            "cases.opened.from_inspection",
            count(cases, lambda c: opened(c) and c.inspection_id is not None, town),
        )
        put(
            "cases.opened.from_hazard",
            count(cases, lambda c: opened(c) and bool(et.case_hazards.get(c.pk)), town),
        )
        put("cases.decided", count(cases, lambda c: _in_days(c.decided_on, period), town))
        put("cases.closed", count(cases, lambda c: _in_days(c.closed_on, period), town))
        put("cases.transferred", count(cases, lambda c: _in_days(c.transferred_on, period), town))
        put("cases.open_at_end", count(cases, open_at_end, town))

        out["penalties.decisions"] = dict(out["cases.decided"])
        imposed: dict[str, Decimal] = {}
        paid: dict[str, Decimal] = {}
        to_fine: dict[str, Decimal] = {}
        late: dict[str, Decimal] = {}
        for c in cases:
            k = str(c.town_id)
            if _in_days(c.decided_on, period):
                imposed[k] = imposed.get(k, Decimal(0)) + (c.decided_fine or Decimal(0))
            owed = c.decided_fine or Decimal(0)  # payments go to the fine first
            mine = sorted((p for p in et.payments if p.case_id == c.pk),
                          key=lambda p: (p.paid_on, p.pk))  # fmt: skip
            for p in mine:
                principal = min(p.amount, owed)
                owed -= principal
                if _in_days(p.paid_on, period):
                    paid[k] = paid.get(k, Decimal(0)) + p.amount
                    to_fine[k] = to_fine.get(k, Decimal(0)) + principal
                    late[k] = late.get(k, Decimal(0)) + (p.amount - principal)
        money("penalties.fines_imposed", imposed)
        money("penalties.collected", paid)
        money("penalties.fines_collected", to_fine)
        money("penalties.late_fees_collected", late)

    if campaign_ok is not None:
        camps = [c for c in et.campaigns if campaign_ok(c)]
        ok_ids = {c.pk for c in camps}
        town_of = {c.pk: c.region_id for c in camps}
        links = [
            link for link in et.links
            if link.campaign_id in ok_ids
            and et.inspections[link.inspection_id].status != "cancelled"
            and _in(et.inspections[link.inspection_id].started_at, period)
            and inside(et.inspections[link.inspection_id].unit_id)
        ]  # fmt: skip
        running = [c for c in camps if c.start_date < period.end and c.end_date >= period.start]
        if narrowed_to is not None:
            checked = {link.campaign_id for link in links}
            running = [c for c in running if c.pk in checked]
        put("campaigns.running", count(running, lambda c: True, lambda c: c.region_id))
        for kind in KINDS:
            put(f"campaigns.running.{kind}",
                count(running, lambda c, k=kind: c.kind == k, lambda c: c.region_id))  # fmt: skip
        hazards_of: dict[int, list[Hazard]] = {}
        for r in et.results:
            h = et.hazards[r.hazard_id]
            if h.status != "cancelled":
                hazards_of.setdefault(r.inspection_id, []).append(h)

        def tally(selected) -> dict[str, dict[str, int]]:
            sets: dict[str, dict[str, set]] = {}
            for link in selected:
                k = str(town_of[link.campaign_id])
                s = sets.setdefault(k, {m: set() for m in ("units", "visits", "found", "fixed")})
                v = et.inspections[link.inspection_id]
                s["units"].add(v.unit_id)
                s["visits"].add(v.pk)
                for h in hazards_of.get(v.pk, []):
                    s["found"].add(h.pk)
                    if h.closed_at is not None and h.closed_at < as_of:
                        s["fixed"].add(h.pk)
            return {
                "units": {k: len(s["units"]) for k, s in sets.items()},
                "visits": {k: len(s["visits"]) for k, s in sets.items()},
                "hazards_found": {k: len(s["found"]) for k, s in sets.items()},
                "hazards_rectified": {k: len(s["fixed"]) for k, s in sets.items()},
            }

        joint: dict[str, set] = {}
        for link in links:
            v = et.inspections[link.inspection_id]
            if v.kind == "joint_enforcement":
                joint.setdefault(str(town_of[link.campaign_id]), set()).add(v.pk)
        put("campaigns.joint_inspections", {k: len(s) for k, s in joint.items()})
        overall = tally(links)
        for m, values in overall.items():
            put(f"campaigns.{m}", values)
        for category in CATEGORIES:
            per = tally([link for link in links if link.category == category])
            for m, values in per.items():
                put(f"campaigns.category.{category}.{m}", values)

    if task_ok is not None:
        tasks = [t for t in et.tasks if task_ok(t) and inside(t.unit_id)]
        unit_town = {u.pk: u.region.parent_id for u in et.units}
        town = lambda t: unit_town[t.unit_id]  # noqa: E731

        def done(t):
            v = et.inspections.get(t.inspection_id) if t.inspection_id else None
            return v is not None and v.status == "finished" and v.finished_at < as_of

        def late(t):  # the due day has passed entirely by the end
            return midnight(t.due_date + datetime.timedelta(days=1)) <= as_of and not done(t)

        due = lambda t: _in_days(t.due_date, period)  # noqa: E731
        put("plan.planned", count(tasks, due, town))
        put("plan.done", count(tasks, lambda t: due(t) and done(t), town))
        put("plan.late", count(tasks, late, town))
        out["plan.rate"] = {
            area: (round(100 * out["plan.done"][area] / n, 1) if n else None)
            for area, n in out["plan.planned"].items()
        }
    return out
