"""Demo data of the experts on contract (包干制): one fictional service firm of 场口镇 with three
engineers, the demo expert ``ck_expert`` in charge of the twelve enterprises the loader gives him,
a second engineer with six more, one change awaiting the office and one rejected in the history.

Idempotent: everything is looked up by its natural key first; a second run creates nothing.
Call after ``anjian.demo.loader.load_demo`` has made the town, its units and its users.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from anjian.accounts.models import User
from anjian.regions.models import Region
from anjian.units import experts
from anjian.units.models import Engineer, ExpertAssignment, ServiceFirm, Unit

FIRM_NAME = "富春安全技术服务有限公司"
# name, mobile, certificate, demo user linked to the account (or None), enterprise numbers
ENGINEERS = [
    ("沈注安", "13957100006", "注安师 2019-330100-0317", "ck_expert", range(3, 15)),
    ("钱安平", "13957100106", "注安师 2020-330100-0542", None, range(15, 21)),
    ("陆思远", "13957100107", "注安师 2021-330100-0788", None, range(0)),
]
PENDING_REASON = "沈注安本季度包干企业较多，申请将该企业调整给钱安平包干，便于季度帮查按期完成。"
REJECTED_REASON = "本人下月起参加区应急管理局专项督查，申请将该企业移交陆思远。"
REJECTED_NOTE = (
    "该企业涉及危化品使用，年度检查前不宜更换包干工程师，专项督查期间由公司另行安排协助。"
)


def _demo_unit(town: Region, number: int) -> Unit | None:
    return Unit.objects.filter(
        region__parent=town, kind="enterprise", name__endswith=f"（演示{number:03d}）"
    ).first()


@transaction.atomic
def load_demo_experts(report) -> None:
    from anjian.demo import town as demo_town

    town = Region.objects.filter(code=demo_town.TOWN_CODE).first()
    if town is None:
        return
    firm = ServiceFirm.objects.filter(region=town, name=FIRM_NAME).first()
    if firm is None:
        firm = experts.firm_create(
            actor=None,
            region=town,
            name=FIRM_NAME,
            credit_code=demo_town.demo_credit_code(950),
            contact_name="富春服务部",
            contact_phone="0571-63000000",
            # two years, the last of them the year the demo is loaded in
            contract_from=datetime.date(timezone.localdate().year - 1, 1, 1),
            contract_to=datetime.date(timezone.localdate().year, 12, 31),
        )
        report.add("service firms")
    engineers: list[Engineer] = []
    for name, mobile, certificate, username, numbers in ENGINEERS:
        engineer = Engineer.objects.filter(firm=firm, name=name).first()
        if engineer is None:
            engineer = experts.engineer_create(
                actor=None, firm=firm, name=name, mobile=mobile, certificate_no=certificate
            )
            report.add("engineers")
        for number in numbers:
            unit = _demo_unit(town, number)
            if unit is None or ExpertAssignment.objects.filter(unit=unit).exists():
                continue
            experts.expert_assign(actor=None, unit=unit, engineer=engineer)
            report.add("expert assignments")
        account = User.objects.filter(username=username).first() if username else None
        if account is not None and engineer.user_id is None:
            experts.engineer_update(actor=None, engineer_id=engineer.pk, user=account)
        engineers.append(engineer)
    shen, qian, lu = (Engineer.objects.select_related("user").get(pk=e.pk) for e in engineers)
    office = User.objects.filter(username="ck_office").first()
    inspector = User.objects.filter(username="ck_inspector").first()
    # A change awaiting the office: the inspector proposes 钱安平 for enterprise 014.
    unit = _demo_unit(town, 14)
    if unit is not None and not ExpertAssignment.objects.filter(unit=unit, engineer=qian).exists():
        experts.expert_assign(actor=inspector, unit=unit, engineer=qian, reason=PENDING_REASON)
        report.add("expert assignments")
    # A hand-over the expert asked for, rejected by the office (kept in the history).
    unit = _demo_unit(town, 13)
    if unit is not None and not ExpertAssignment.objects.filter(unit=unit, engineer=lu).exists():
        requester = shen.user if shen.user_id else inspector
        request = experts.expert_assign(
            actor=requester, unit=unit, engineer=lu, reason=REJECTED_REASON
        )
        experts.expert_assignment_reject(actor=office, assignment_id=request.pk, note=REJECTED_NOTE)
        report.add("expert assignments")
