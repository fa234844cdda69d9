"""The four cases of the demo town (场口镇 report: "立案查处企业4起"), made through the real services
at units that have hazards or inspections in the demo, at different stages:

1. refused rectification (Safety Law Art 102): decided, the fine awaiting payment;
2. the Order 16 statistics table not submitted (Art 26 item 2): the party notified;
3. rectification failed after an inspection (Order 16 Art 26 item 6): fine paid, closed;
4. a major hazard not reported (Safety Law Art 101 item 5), the fine proposed above the town's
   entrusted cap: transferred (移送) to the district bureau.

Idempotent: a case is found again by its town and cause of action.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from anjian.accounts.models import User
from anjian.demo.clock import as_of, working_moment
from anjian.enforcement import case_services as services
from anjian.enforcement.case_choices import CaseStage
from anjian.enforcement.models import (
    AuthorityMode,
    Case,
    EnforcementSettings,
    LegalProvision,
    OfficerCertificate,
)
from anjian.enforcement.settings_services import (
    certificate_create,
    enforcement_settings_update,
    settings_of,
    staff_of,
)
from anjian.regions.models import Region

SAFETY_LAW = "安全生产法"
ORDER_16 = "第16号"
# 建德市 2025 (domain §4.5): towns fine enterprises under clauses whose maximum is at most 50,000.
DEMO_CAP = Decimal("50000")


@dataclass(frozen=True)
class DemoCase:
    cause: str
    law: str
    article: str
    facts: str
    fine: Decimal
    stage: str
    days_back: int  # the case was opened this many days before the demo's day
    from_inspection: bool = False


CASES = (
    DemoCase(
        "拒不整改事故隐患",
        SAFETY_LAW,
        "第一百零二条",
        "经责令限期整改，你单位逾期未采取措施消除配电箱线路裸露等事故隐患，复查仍未整改。",
        Decimal("20000"),
        CaseStage.DECIDED,
        45,
    ),
    DemoCase(
        "未按规定上报事故隐患排查治理统计分析表",
        ORDER_16,
        "第二十六条第（二）项",
        "你单位未按规定于季度结束后上报事故隐患排查治理统计分析表，经督促仍未报送。",
        Decimal("10000"),
        CaseStage.NOTIFIED,
        10,
    ),
    DemoCase(
        "事故隐患整改不合格",
        ORDER_16,
        "第二十六条第（六）项",
        "现场检查发现的配电箱箱门缺失、灭火器过期等隐患，经复查整改不合格。",
        Decimal("20000"),
        CaseStage.CLOSED,
        40,  # the inspection whose rectification failed was 60 days back (inspection_demo)
        from_inspection=True,
    ),
    DemoCase(
        "重大事故隐患未按规定报告",
        SAFETY_LAW,
        "第一百零一条第（五）项",
        "你单位存在重大事故隐患，未按照规定向负有安全生产监督管理职责的部门报告。",
        Decimal("80000"),
        CaseStage.TRANSFERRED,
        15,
    ),
)


def _act(actor, case: Case, action: str, note: str = "", **data) -> Case:
    case.refresh_from_db()
    return services.case_act(
        actor=actor,
        case_id=case.pk,
        action=action,
        expected_version=case.version,
        note=note,
        data=data,
    )


def _units_with_hazards(town: Region, used: set[int]) -> list[int]:
    from anjian.hazards.models import Hazard

    ids = (
        Hazard.objects.filter(unit__region__parent=town, unit__kind="enterprise")
        .exclude(unit_id__in=used)
        .order_by("unit_id")
        .values_list("unit_id", flat=True)
        .distinct()
    )
    return list(ids)


def _findings_inspection(town: Region):
    from anjian.demo.inspection_demo import NAMESPACE
    from anjian.inspections.models import Inspection

    return Inspection.objects.filter(
        client_key=uuid.uuid5(NAMESPACE, "findings"), unit__region__parent=town
    ).first()


# The days after the opening on which each later step was taken (a working day each: the leader
# approves the next day, the notice goes out two days later, the party answers within its days…).
STEP_DAYS = {
    "approve": 1,
    "notify": 3,
    "record_statement": 8,
    "decide": 12,
    "payment": 20,
    "close": 22,
    "transfer": 4,
}


def _on(spec: DemoCase, step: str) -> datetime.datetime:
    return working_moment(max(spec.days_back - STEP_DAYS[step], 0))


def _run(spec: DemoCase, case: Case, users: dict[str, User], number: int) -> Case:
    """The case's later steps, each as of its own day (the documents carry those days)."""
    handler, leader = users["ck_inspector"], users["ck_leader"]
    with as_of(_on(spec, "approve")):
        case = _act(leader, case, "approve")
    if spec.stage == CaseStage.TRANSFERRED:
        with as_of(_on(spec, "transfer")):
            try:
                _act(handler, case, "notify", proposed_fine=spec.fine)
            except services.TransferOffered as offer:
                reason = "；".join(offer.messages)
            else:  # pragma: no cover - the demo's cap makes the transfer necessary
                return case
            return _act(handler, case, "transfer", reason)
    with as_of(_on(spec, "notify")):
        case = _act(handler, case, "notify", proposed_fine=spec.fine)
    if spec.stage == CaseStage.NOTIFIED:
        return case
    with as_of(_on(spec, "record_statement")):
        case = _act(
            handler,
            case,
            "record_statement",
            statement="当事人对违法事实无异议，放弃听证，请求从轻。",
        )
    with as_of(_on(spec, "decide")):
        case = _act(leader, case, "decide", decided_fine=spec.fine)
    if spec.stage == CaseStage.DECIDED:
        return case
    with as_of(_on(spec, "payment")):
        services.payment_record(
            actor=handler,
            case_id=case.pk,
            amount=case.decided_fine,
            paid_on=timezone.localdate(),
            receipt_number=f"FY{timezone.localdate().year}-{number:04d}",
        )
    with as_of(_on(spec, "close")):
        return _act(leader, case, "close")


def load_demo_cases(report) -> None:
    from anjian.demo import town as demo_town
    from anjian.hazards.models import Hazard

    town = Region.objects.filter(code=demo_town.TOWN_CODE).first()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=("ck_inspector", "ck_office", "ck_leader"))
    }
    if town is None or len(users) < 3:
        return
    EnforcementSettings.objects.filter(town=town, penalty_cap__isnull=True).update(
        penalty_cap=DEMO_CAP
    )
    used = set(Case.objects.filter(town=town).values_list("unit_id", flat=True))
    # In the order they were opened, so that each document's number follows its date.
    for number, spec in enumerate(sorted(CASES, key=lambda c: -c.days_back), 1):
        if Case.objects.filter(town=town, cause=spec.cause).exists():
            continue
        provision = LegalProvision.objects.filter(
            law__contains=spec.law, article=spec.article, kind="penalty"
        ).first()
        inspection = _findings_inspection(town) if spec.from_inspection else None
        if inspection is not None and inspection.unit_id not in used:
            unit_id = inspection.unit_id
        else:
            inspection = None
            candidates = _units_with_hazards(town, used)
            if not candidates or provision is None:
                continue
            unit_id = candidates[0]
        opened = working_moment(spec.days_back)
        if inspection is not None and inspection.finished_at and opened < inspection.finished_at:
            opened = min(inspection.finished_at + datetime.timedelta(hours=2), timezone.now())
        hazards = list(
            Hazard.objects.filter(unit_id=unit_id, found_at__lt=opened)
            .order_by("found_at", "pk")
            .values_list("pk", flat=True)[:3]
        )
        with as_of(opened):
            case = services.case_open(
                actor=users["ck_inspector"],
                unit_id=unit_id,
                cause=spec.cause,
                facts=spec.facts,
                provision_id=provision.pk,
                inspection_id=inspection.pk if inspection else None,
                hazard_ids=hazards,
                officer_ids=[users["ck_inspector"].pk, users["ck_office"].pk],
                proposed_fine=spec.fine,
            )
        used.add(unit_id)
        _run(spec, case, users, number)
        report.add("enforcement cases")


__all__ = ["load_demo_cases"]


# --- The town's enforcement settings (was in enforcement/settings_services.py) --------------------

DEMO_PENALTY_CAP = Decimal("50000")  # 建德 2025: ≤50k CNY for enterprises on entrustment


def load_demo_enforcement_settings(report) -> None:
    """场口镇's enforcement settings through the services: the entrusted fine cap, and the
    certificates of its inspectors (the office and the lead inspector have theirs from the
    inspections demo). Idempotent: what is there already is left as it is."""
    from anjian.demo import town as demo_town

    town = Region.objects.filter(code=demo_town.TOWN_CODE).first()
    office = get_user_model().objects.filter(username="ck_office").first()
    if town is None or office is None:
        return
    current = settings_of(town)
    if current.pk is None or current.penalty_cap is None:
        fields: dict[str, Any] = {"penalty_cap": DEMO_PENALTY_CAP}
        if current.pk is None:
            fields.update(
                mode=AuthorityMode.ENTRUSTED,
                authority_name="杭州市富阳区应急管理局",
                town_body_name="富阳区场口镇人民政府",
                reconsideration_body="杭州市富阳区人民政府",
                court="杭州市富阳区人民法院",
            )
        enforcement_settings_update(actor=office, town_id=town.pk, **fields)
        report.add("enforcement settings")
    staff = (
        staff_of(office, town)
        .filter(role_assignments__role="inspector", enforcement_certificate__isnull=True)
        .distinct()
        .order_by("username")
    )
    for index, person in enumerate(staff, start=11):
        number = f"3301112026{index:03d}"
        if OfficerCertificate.objects.filter(number=number).exists():
            continue
        certificate_create(
            actor=office,
            user_id=person.pk,
            number=number,
            valid_until=datetime.date(timezone.localdate().year + 3, 12, 31),
        )
        report.add("officer certificates")
