"""Campaigns of the demo town 场口镇, made through the real services: the multi-department joint
enforcement of the 2018 report ("会同安全监管、公安、交通、城建、市场监管等部门实行联合执法…检查临街商铺、
小餐饮、作坊、仓杂店、在建工程、山塘水库") and a special rectification of hazardous chemicals and the
"三场所三企业". Each has a few finished joint inspections, so that its tally shows numbers; one
hazard found is rectified and struck off, the others are under rectification. The market
supervision officer ``ck_department`` joins the joint action.

Idempotent: campaigns are found by town and name, inspections by a fixed client key (a UUID
derived from their name); a second run changes nothing.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anjian.accounts.models import User
from anjian.campaigns.choices import CampaignCategory as C
from anjian.campaigns.choices import CampaignKind, Department
from anjian.campaigns.models import Campaign
from anjian.campaigns.services import (
    campaign_create,
    campaign_inspection_start,
    participant_add,
)
from anjian.demo.clock import WORK_HOUR, as_of, real_now, working_moment
from anjian.inspections.checklist_defaults import GENERAL_CODE
from anjian.inspections.choices import ItemResult, VersionStatus
from anjian.inspections.models import ChecklistVersion, Inspection
from anjian.inspections.services import inspection_finish, inspection_update, result_record
from anjian.regions.models import Region
from anjian.units.models import Unit, UnitKind

NAMESPACE = uuid.UUID("0b7e6a43-2f0c-4d5e-8f61-3c9a1d2e7b54")


@dataclass(frozen=True)
class DemoCampaign:
    key: str
    name: str
    kind: str
    departments: tuple[str, ...]
    categories: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class DemoVisit:
    key: str
    campaign: str
    unit_kind: str
    category: str
    place: str
    failure: str = ""  # the note of the one failed item, if any
    rectify: bool = False  # the hazard found is rectified and struck off
    category_code: str = ""  # for enterprises: a unit category the unit must carry
    days_back: int = 0  # when the visit was (its hazard and documents carry that day)


CAMPAIGNS = (
    DemoCampaign(
        "joint",
        "{year}年场口镇多部门安全生产联合执法行动",
        CampaignKind.JOINT_ENFORCEMENT,
        (Department.POLICE, Department.TRANSPORT, Department.CONSTRUCTION, Department.MARKET),
        (C.STREET_SHOP, C.SMALL_VENUE, C.CONSTRUCTION, C.RESERVOIR, C.GAS, C.HOUSING, C.FIREWORKS),
        "发挥“四个平台”作用，会同公安、交通、城建、市场监管等部门按照职能分工，对临街商铺、"
        "小餐饮、作坊、仓杂店、在建工程、燃气、危旧房、出租房、烟花爆竹零售店、山塘水库"
        "开展安全隐患排摸，落实“打非”工作，做到信息互通、行动统一。",
    ),
    DemoCampaign(
        "haz-chem",
        "{year}年危险化学品和“三场所三企业”专项整治",
        CampaignKind.SPECIAL_RECTIFICATION,
        (Department.FIRE, Department.MARKET),
        (C.HAZ_CHEM, C.MACHINING),
        "以危化品存储、使用企业和“三场所三企业”为重点，会同社会化服务专家开展全覆盖安全检查，"
        "实施分级管理。",
    ),
)

VISITS = (
    DemoVisit(
        "shop-1", "joint", UnitKind.STREET_SHOP, C.STREET_SHOP, "店面、仓储间", days_back=150
    ),
    DemoVisit(
        "shop-2",
        "joint",
        UnitKind.STREET_SHOP,
        C.STREET_SHOP,
        "店面、后仓",
        "电动自行车在店内充电",
        rectify=True,
        days_back=120,
    ),
    DemoVisit(
        "venue-1",
        "joint",
        UnitKind.SMALL_VENUE,
        C.SMALL_VENUE,
        "后厨",
        "液化气钢瓶未设置切断装置",
        days_back=20,
    ),
    DemoVisit("venue-2", "joint", UnitKind.SMALL_VENUE, C.SMALL_VENUE, "加工间", days_back=90),
    DemoVisit(
        "site-1",
        "joint",
        UnitKind.CONSTRUCTION,
        C.CONSTRUCTION,
        "施工现场",
        "临边防护栏杆缺失",
        days_back=6,
    ),
    DemoVisit(
        "reservoir-1", "joint", UnitKind.RESERVOIR, C.RESERVOIR, "坝体、溢洪道", days_back=60
    ),
    DemoVisit(
        "haz-1",
        "haz-chem",
        UnitKind.ENTERPRISE,
        C.HAZ_CHEM,
        "危化品仓库",
        "危化品仓库未张贴安全周知卡",
        category_code="haz-chem-use",
        days_back=35,
    ),
    DemoVisit(
        "haz-2",
        "haz-chem",
        UnitKind.ENTERPRISE,
        C.HAZ_CHEM,
        "生产车间、危化品暂存间",
        category_code="haz-chem-use",
        days_back=75,
    ),
)


def _photo(title: str, caption: str, *, after: bool) -> SimpleUploadedFile:
    from anjian.demo.hazard_demo import demo_photo_bytes

    return SimpleUploadedFile(
        f"campaign-{caption}.jpg",
        demo_photo_bytes(title, caption, taken=timezone.now(), after=after),
        content_type="image/jpeg",
    )


def _signature(text: str) -> str:
    from anjian.demo.inspection_demo import _signature_png

    return _signature_png(text)


def _campaigns(report, town: Region, office: User) -> dict[str, Campaign]:
    year = timezone.localdate().year
    found = {}
    for spec in CAMPAIGNS:
        name = spec.name.format(year=year)
        campaign = Campaign.objects.filter(region=town, name=name).first()
        if campaign is None:
            campaign = campaign_create(
                actor=office,
                region_id=town.pk,
                name=name,
                kind=spec.kind,
                start_date=datetime.date(year, 1, 1),
                end_date=datetime.date(year, 12, 31),
                lead_department=Department.EMERGENCY,
                departments=list(spec.departments),
                categories=list(spec.categories),
                description=spec.description,
            )
            report.add("campaigns")
        found[spec.key] = campaign
    return found


def _unit_for(town: Region, spec: DemoVisit, actor: User, taken: set[int]) -> Unit | None:
    """A unit of the kind with no hazard and no inspection yet (the demo's findings must not move
    a unit's suggested grade)."""
    units = (
        Unit.objects.for_action(actor, "inspections.inspect")
        .filter(region__parent=town, kind=spec.unit_kind, hazards__isnull=True)
        .exclude(pk__in=Inspection.objects.values("unit_id"))
        .exclude(pk__in=taken)
        .order_by("pk")
    )
    if spec.category_code:
        units = units.filter(categories__code=spec.category_code)
    return units.first()


def _visit(report, spec: DemoVisit, campaign: Campaign, unit: Unit, users, checklist) -> None:
    inspector, office = users["ck_inspector"], users["ck_office"]
    link = campaign_inspection_start(
        actor=inspector,
        campaign_id=campaign.pk,
        unit_id=unit.pk,
        checklist_id=checklist.pk,
        category=spec.category,
        client_key=str(uuid.uuid5(NAMESPACE, spec.key)),
        place=spec.place,
    )
    inspection = link.inspection
    results = list(inspection.results.order_by("item__section__order", "item__order", "pk"))
    for position, result in enumerate(results):
        failed = bool(spec.failure) and position == 1
        result_record(
            actor=inspector,
            inspection_id=inspection.pk,
            item_id=result.item_id,
            result=ItemResult.FAIL if failed else ItemResult.PASS,
            note=spec.failure if failed else "",
        )
    inspection.refresh_from_db()
    inspection = inspection_update(
        actor=inspector,
        inspection_id=inspection.pk,
        expected_version=inspection.version,
        attendees="经营者本人",
        summary="联合检查，发现问题已当场告知并责令限期整改。" if spec.failure else "未发现问题。",
    )
    inspection_finish(
        actor=inspector,
        inspection_id=inspection.pk,
        expected_version=inspection.version,
        unit_signatory="经营者",
        unit_signature=_signature("经营者"),
        inspector_signature=_signature(inspector.name or inspector.username),
        working_days=10,
    )
    report.add("campaign inspections")
    if spec.rectify:
        _rectify(report, inspection, office=office, inspector=inspector)


# The rectification of a visit's hazard: reported five days after the visit, re-checked two later.
RECTIFIED_AFTER_DAYS = 5
RECHECKED_AFTER_DAYS = 7


def _rectify(report, inspection: Inspection, *, office: User, inspector: User) -> None:
    """The hazard found is rectified (reported by the office for the shop) and struck off."""
    from anjian.hazards.models import Hazard
    from anjian.hazards.services import hazard_transition

    visited = timezone.now()  # the clock of the visit (``as_of``)
    for hazard in Hazard.objects.filter(inspection_result__inspection=inspection):
        with as_of(min(visited + datetime.timedelta(days=RECTIFIED_AFTER_DAYS), real_now())):
            hazard = hazard_transition(
                actor=office,
                hazard_id=hazard.pk,
                action="submit",
                expected_version=hazard.version,
                data={"description": "已拆除店内充电线路，设置室外集中充电点。"},
                photos=[_photo(inspection.unit.name, "整改后", after=True)],
            )
        with as_of(min(visited + datetime.timedelta(days=RECHECKED_AFTER_DAYS), real_now())):
            hazard_transition(
                actor=inspector,
                hazard_id=hazard.pk,
                action="pass",
                expected_version=hazard.version,
                note="现场复查，整改到位，同意销号。",
            )
        report.add("campaign hazards closed")


def load_demo_campaigns(report) -> None:
    from anjian.demo import town as demo_town

    town = Region.objects.filter(code=demo_town.TOWN_CODE).first()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["ck_office", "ck_inspector", "ck_department"])
    }
    checklist = (
        ChecklistVersion.objects.filter(
            template__code=GENERAL_CODE,
            template__region__isnull=True,
            status=VersionStatus.PUBLISHED,
        )
        .order_by("-number")
        .first()
    )
    if town is None or "ck_office" not in users or "ck_inspector" not in users:
        return
    campaigns = _campaigns(report, town, users["ck_office"])
    joint = campaigns["joint"]
    department = users.get("ck_department")
    if department is not None and not joint.participants.filter(user=department).exists():
        participant_add(
            actor=users["ck_office"],
            campaign_id=joint.pk,
            user_id=department.pk,
            department=Department.MARKET,
        )
        report.add("campaign participants")
    if checklist is None:
        return
    taken: set[int] = set()
    for spec in VISITS:
        key = uuid.uuid5(NAMESPACE, spec.key)
        if Inspection.objects.filter(client_key=key).exists():
            continue
        unit = _unit_for(town, spec, users["ck_inspector"], taken)
        if unit is None:
            continue
        taken.add(unit.pk)
        campaign = campaigns[spec.campaign]
        opened = timezone.make_aware(
            datetime.datetime.combine(campaign.start_date, datetime.time(WORK_HOUR))
        )
        with as_of(working_moment(spec.days_back, not_before=opened)):
            _visit(report, spec, campaign, unit, users, checklist)


__all__ = ["CAMPAIGNS", "VISITS", "load_demo_campaigns"]
