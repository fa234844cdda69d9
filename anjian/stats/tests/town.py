"""A generated town with known contents, and the figures counted independently in plain Python.

The rows are written directly (``bulk_create``): the statistics read what the records say —
found, closed, listed at given moments of the past — which the services would stamp with "now".
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from anjian.enforcement.models import DocumentType, IssuedDocument
from anjian.hazards.models import Hazard, RectificationReport
from anjian.inspections.models import Inspection
from anjian.inspections.tests.factories import make_checklist
from anjian.stats.figures import TOTAL
from anjian.stats.periods import Period
from anjian.units.models import Unit, UnitKind, UnitStatus

TZ = timezone.get_default_timezone()
KINDS = ["town_inspection", "expert_check", "village_patrol", "joint_enforcement"]
DOC_TYPES = list(DocumentType.values)


def at(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(y, m, d, hour, minute, tzinfo=TZ)


@dataclass
class Town:
    units: list[Unit]
    hazards: list[Hazard]
    reports: list[RectificationReport]
    inspections: list[Inspection]
    documents: list[IssuedDocument]
    towns: dict[int, Any] = field(default_factory=dict)


def build_town(world, *, hazards: int = 60, seed: int = 6) -> Town:
    rnd = random.Random(seed)
    extra = [
        Unit.objects.create(
            name="东梓关停产厂",
            kind=UnitKind.ENTERPRISE,
            region=world.village_a1,
            committee=world.committee_a_industry,
            status=UnitStatus.SUSPENDED,
        ),
        Unit.objects.create(
            name="上沙已关闭店", kind=UnitKind.SMALL_VENUE, region=world.village_a2,
            status=UnitStatus.CLOSED,
        ),
        Unit.objects.create(name="大庄仓库", kind=UnitKind.ENTERPRISE, region=world.village_b1),
    ]  # fmt: skip
    units = [world.unit_a, world.unit_a2, world.unit_b, *extra]
    start = at(2025, 11, 1)
    span = (at(2026, 7, 10) - start).total_seconds()
    rows = []
    for i in range(hazards):
        unit = units[i % len(units)]
        found = start + datetime.timedelta(seconds=rnd.random() * span)
        level = "major" if rnd.random() < 0.2 else "general"
        deadline = (found + datetime.timedelta(days=rnd.randint(3, 60))).astimezone(TZ).date()
        fate = rnd.random()
        closed = None
        status = rnd.choice(["found", "rectifying", "submitted"])
        if fate < 0.55:
            closed = found + datetime.timedelta(days=rnd.randint(0, 90), hours=rnd.randint(0, 23))
            if closed > at(2026, 7, 14):
                closed = None
            else:
                status = "closed"
        elif fate < 0.62:
            status = "cancelled"
        listed = None
        if level == "major" and rnd.random() < 0.6:
            listed = found + datetime.timedelta(days=rnd.randint(1, 20))
        rows.append(
            Hazard(
                unit=unit,
                location=f"位置{i}",
                description=f"隐患{i}",
                hazard_type="unsafe_condition",
                category="electrical",
                level=level,
                source="town_inspection",
                found_at=found,
                deadline=deadline,
                status=status,
                closed_at=closed,
                funds=Decimal(rnd.randint(0, 5000)) / 4 if rnd.random() < 0.7 else None,
                listing_level="town" if listed else "",
                listed_at=listed,
            )
        )
    # Near the edges: found on the last evening of March (local time), closed in April.
    rows.append(
        Hazard(
            unit=world.unit_a, location="边界", description="三月底发现，四月销号",
            hazard_type="unsafe_condition", category="fire", level="general",
            source="town_inspection", found_at=at(2026, 3, 31, 23, 30),
            deadline=datetime.date(2026, 4, 10), status="closed", closed_at=at(2026, 4, 1, 0, 10),
            funds=Decimal("1200.50"),
        )
    )  # fmt: skip
    made = Hazard.objects.bulk_create(rows)
    reports = []
    for h in made:
        if h.status == "submitted":
            reports.append(
                RectificationReport(
                    hazard=h, round=1, description="已整改",
                    submitted_at=h.found_at + datetime.timedelta(days=rnd.randint(1, 30)),
                )
            )  # fmt: skip
    reports = RectificationReport.objects.bulk_create(reports)
    checklist = make_checklist()
    visits = []
    for i in range(max(12, hazards // 3)):
        unit = units[(i * 7) % len(units)]
        started = start + datetime.timedelta(seconds=rnd.random() * span)
        finished = rnd.random() < 0.85
        visits.append(
            Inspection(
                unit=unit,
                checklist=checklist,
                kind=KINDS[i % len(KINDS)],
                status="finished" if finished else "in_progress",
                lead=world.town_office_a,
                started_at=started,
                finished_at=started + datetime.timedelta(hours=2) if finished else None,
            )
        )
    inspections = Inspection.objects.bulk_create(visits)
    documents = []
    first_number = IssuedDocument.objects.count() + 1
    for i in range(max(8, hazards // 5)):
        unit = units[(i * 3) % len(units)]
        issued = start + datetime.timedelta(seconds=rnd.random() * span)
        doc = IssuedDocument.objects.create(
            town=unit.region.parent,
            doc_type=DOC_TYPES[i % len(DOC_TYPES)],
            year=issued.year,
            number=first_number + i,
            label=f"测试〔{issued.year}〕{first_number + i}号",
            unit=unit,
        )
        IssuedDocument.objects.filter(pk=doc.pk).update(issued_at=issued)
        doc.issued_at = issued
        documents.append(doc)
    for u in units:
        u.refresh_from_db()
    return Town(units, made, reports, inspections, documents)


# --- Counting independently ---------------------------------------------------------------------


def _in(moment, period: Period) -> bool:
    return moment is not None and period.start_dt <= moment < period.end_dt


def expected_figures(
    town: Town, period: Period, as_of: datetime.datetime, *, unit_ok, towns, docs_ok=None
) -> dict[str, dict[str, Any]]:
    """Every figure, per town id (as a string) and in total, counted over the objects in
    Python. ``unit_ok(unit)`` says whether a unit is in the user's scope."""
    as_of_day = as_of.astimezone(TZ).date()
    keys = [str(t.pk) for t in towns]
    out: dict[str, dict[str, Any]] = {}

    def put(key: str, per_town: dict[str, Any]) -> None:
        values = {k: per_town.get(k, 0) for k in keys}
        values[TOTAL] = sum(values.values(), type(next(iter(values.values()), 0))())
        out[key] = values

    def count(objects, pred, town_of) -> dict[str, int]:
        result: dict[str, int] = {}
        for obj in objects:
            if pred(obj):
                k = str(town_of(obj))
                result[k] = result.get(k, 0) + 1
        return result

    units = [u for u in town.units if unit_ok(u)]
    unit_town = lambda u: u.region.parent_id  # noqa: E731
    put(
        "units.supervised",
        count(units, lambda u: u.status in ("operating", "suspended"), unit_town),
    )
    put("units.operating", count(units, lambda u: u.status == "operating", unit_town))
    put("units.suspended", count(units, lambda u: u.status == "suspended", unit_town))
    visits = [
        v for v in town.inspections
        if unit_ok(v.unit) and v.status == "finished" and _in(v.started_at, period)
    ]  # fmt: skip
    inspected: dict[str, set] = {}
    for v in visits:
        inspected.setdefault(str(unit_town(v.unit)), set()).add(v.unit_id)
    put("units.inspected", {k: len(s) for k, s in inspected.items()})
    put("inspections.visits", count(visits, lambda v: True, lambda v: unit_town(v.unit)))
    for kind in KINDS:
        put(f"inspections.kind.{kind}",
            count(visits, lambda v, k=kind: v.kind == k, lambda v: unit_town(v.unit)))  # fmt: skip

    pending: dict[int, list] = {}
    for r in town.reports:
        pending.setdefault(r.hazard_id, []).append(r)

    def awaiting(h) -> bool:
        return any(
            r.submitted_at < as_of
            and ((r.outcome == "pending" and r.rechecked_at is None)
                 or (r.rechecked_at is not None and r.rechecked_at >= as_of))
            for r in pending.get(h.pk, [])
        )  # fmt: skip

    hz = [h for h in town.hazards if unit_ok(h.unit) and h.status != "cancelled"]
    h_town = lambda h: h.unit.region.parent_id  # noqa: E731

    def found(h):
        return _in(h.found_at, period)

    def closed(h):
        return _in(h.closed_at, period)

    def open_end(h):
        return h.found_at < as_of and (h.closed_at is None or h.closed_at >= as_of)

    def overdue(h):
        return open_end(h) and h.deadline is not None and h.deadline < as_of_day and not awaiting(h)

    def lvl(pred, level):
        return lambda h: pred(h) and h.level == level

    for name, pred in (("found", found), ("closed", closed), ("overdue", overdue)):
        put(f"hazards.{name}", count(hz, pred, h_town))
        put(f"hazards.{name}.general", count(hz, lvl(pred, "general"), h_town))
        put(f"hazards.{name}.major", count(hz, lvl(pred, "major"), h_town))
    put("hazards.found_closed",
        count(hz, lambda h: found(h) and h.closed_at is not None and h.closed_at < period.end_dt,
              h_town))  # fmt: skip
    put("hazards.open_at_end", count(hz, open_end, h_town))
    for key, a, b in (("hazards.rate_a", "hazards.closed", "hazards.found"),
                      ("hazards.rate_b", "hazards.found_closed", "hazards.found")):  # fmt: skip
        out[key] = {
            area: (round(100 * out[a][area] / n, 1) if n else None) for area, n in out[b].items()
        }
    funds: dict[str, Decimal] = {}
    for h in hz:
        if closed(h):
            k = str(h_town(h))
            funds[k] = funds.get(k, Decimal(0)) + (h.funds or Decimal(0))
    money = {k: funds.get(k, Decimal(0)) for k in keys}
    money[TOTAL] = sum(money.values(), Decimal(0))
    out["hazards.funds"] = {k: f"{v:.2f}" for k, v in money.items()}
    put("major.found", count(hz, lvl(found, "major"), h_town))
    put(
        "major.listed", count(hz, lambda h: h.level == "major" and _in(h.listed_at, period), h_town)
    )
    put("major.closed", count(hz, lvl(closed, "major"), h_town))
    put("major.open_at_end", count(hz, lvl(open_end, "major"), h_town))

    if docs_ok is not None:
        docs = [d for d in town.documents if docs_ok(d) and _in(d.issued_at, period)]
        put("documents.all", count(docs, lambda d: True, lambda d: d.town_id))
        for doc_type in DOC_TYPES:
            put(f"documents.type.{doc_type}",
                count(docs, lambda d, t=doc_type: d.doc_type == t, lambda d: d.town_id))  # fmt: skip
    return out
