"""Demo data of the hazard loop (隐患闭环) in 场口镇: about forty hazards of the last twelve months,
in every state and situation a town safety office meets, built through the real services
(``hazard_create``, ``hazard_transition``) by the demo users who would really act.

Every state occurs: found and awaiting an order; under rectification (due soon, not yet due,
overdue by a few days, overdue by more than seven working days, failed at re-check, with an
extension awaiting a decision and one granted, self-checked by the enterprise); submitted and
awaiting re-check (once after a failure); closed after re-check, rectified on the spot (re-checked
or not); cancelled as a duplicate and as entered in error. Three major hazards: one struck off in
the spring, one with its plan approved, production suspended, listed by the town, the assessment
passed and resumption applied for, and one reported yesterday. The demo enterprise
(``ck_enterprise``) has sent its monthly self-inspection reports (月报) for the five months
before this one: a month in which one of its hazards was found or closed lists them (the major
hazard in the month it was found), the others are signed statements that no hazard was found; the public has sent two tip-offs (举报): one
awaiting triage, one accepted by the office as a hazard under rectification.

Demo history is backdated. The services refuse a deadline in the past and stamp every row with
the present time, so each hazard is built as if it had been found *today*: its deadlines are
given as days after it was found and passed to the services as ``today + days``. Afterwards the
business dates of that hazard are moved back by the same number of days with queryset
``update()`` (deadlines, the dates in its timeline's data, extension and plan dates), and each
timestamp is set to the day of the step that wrote it (timeline, reports, re-checks, extensions,
plans, assessments, resumptions, photos). The audit trail is left alone: it truthfully records
that the demo loader wrote these rows on the day it ran.

Idempotent: a hazard is identified by its unit and its description, a monthly report by its
unit and month, a tip-off by its town and description; a second run finds each one and creates
nothing. Call after ``anjian.demo.loader.load_demo`` has made the units and users.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from anjian.accounts.models import User
from anjian.hazards.choices import MonthlyReportKind
from anjian.hazards.models import (
    ExtensionRequest,
    GovernancePlan,
    Hazard,
    HazardEvent,
    HazardPhoto,
    MajorAssessment,
    MonthlyReport,
    RectificationReport,
    ResumptionApplication,
    TipOff,
)
from anjian.hazards.reports import (
    month_start,
    monthly_report_submit,
    next_month,
    previous_month,
)
from anjian.hazards.services import hazard_create, hazard_transition
from anjian.hazards.tipoffs import tipoff_accept, tipoff_submit
from anjian.inspections.legal_bases import HAZCHEM_REGULATIONS, SAFETY_LAW
from anjian.regions.models import Region
from anjian.units.models import Unit

TOWN_CENTRE = (29.93, 119.86)
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
ON_BEHALF = "企业报送书面整改报告及照片，由镇安监办代为录入。"
DATE_KEYS_IN_EVENTS = ("deadline", "previous_deadline", "requested_deadline")


@dataclass(frozen=True)
class Step:
    """One action on a demo hazard, ``day`` days after it was found. In ``data``, a key ending
    in ``_day`` is a date given as days after the hazard was found (``deadline_day=10``)."""

    day: int
    actor: str
    action: str
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    photos: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoHazard:
    """A hazard as found: where, what, by whom, ``days_ago`` days ago; optionally ordered at once
    with a deadline ``deadline_day`` days after it was found; then its ``steps``."""

    key: str
    unit: int  # the number NNN of the demo unit "…（演示NNN）"
    days_ago: int
    actor: str
    source: str
    category: str
    hazard_type: str
    location: str
    description: str
    requirement: str = ""
    level: str = "general"
    legal_basis: str = ""
    responsible_person: str = ""
    deadline_day: int | None = None
    photos: tuple[str, ...] = ("整改前",)
    steps: tuple[Step, ...] = ()


def _submit(day: int, actor: str, what: str, label: str = "整改后", **data) -> Step:
    """A rectification report; the after-photo is paired with the first photo as found."""
    note = ON_BEHALF if actor in ("ck_office", "ck_inspector") else ""
    return Step(day, actor, "submit", note, {"description": what, **data}, photos=(label,))


def _pass(day: int, actor: str = "ck_inspector", note: str = "现场复查，整改到位，同意销号。"):
    return Step(day, actor, "pass", note)


def _fail(day: int, note: str, deadline_day: int, actor: str = "ck_inspector") -> Step:
    return Step(day, actor, "fail", note, {"deadline_day": deadline_day})


M = "major"
INSPECTION, SELF, EXPERT, PATROL, JOINT = (
    "town_inspection",
    "self_check",
    "expert_check",
    "village_patrol",
    "joint_enforcement",
)
CONDITION, ACT, MANAGEMENT = "unsafe_condition", "unsafe_act", "management"

HAZARDS: tuple[DemoHazard, ...] = (
    # --- Struck off over the last twelve months ---------------------------------------------------
    DemoHazard(
        "spray-booth-exhaust",
        51,
        340,
        "ck_inspector",
        INSPECTION,
        "haz_chem",
        CONDITION,
        "喷涂车间喷漆房",
        "喷漆房排风系统风机损坏停用，室内漆雾弥漫、溶剂气味明显，未设置可燃气体报警装置。",
        "修复排风系统，加装可燃气体报警装置并与排风机联锁。",
        responsible_person="张国庆",
        deadline_day=15,
        steps=(
            _submit(12, "ck_office", "更换防爆排风机，加装可燃气体报警器2台并联锁。"),
            _pass(14),
        ),
    ),
    DemoHazard(
        "shot-blast-dust",
        54,
        310,
        "ck_inspector",
        INSPECTION,
        "dust",
        MANAGEMENT,
        "抛丸打磨工段",
        "抛丸打磨工位除尘器积尘未及时清理，设备顶部、地面积尘厚度超过1毫米，未建立粉尘清扫制度和记录。",
        "立即全面清扫积尘，建立并落实每班粉尘清扫制度，做好清扫记录。",
        responsible_person="刘春生",
        deadline_day=7,
        steps=(
            _submit(6, "ck_office", "已组织全面清扫，制定粉尘清扫制度。"),
            _fail(8, "除尘管道内仍有积尘，清扫记录只有两天，制度未落实到班组。", 15),
            _submit(14, "ck_office", "清理除尘管道，清扫记录按班填写并由车间主任签字。"),
            _pass(15),
        ),
    ),
    DemoHazard(
        "workshop-2-switchboard",
        3,
        290,
        "ck_inspector",
        INSPECTION,
        "electrical",
        CONDITION,
        "二号车间配电箱",
        "二号车间配电箱箱门缺失，接线端子裸露，箱前堆放纸箱等可燃物。",
        "恢复箱门并上锁，清理配电箱前1米范围内杂物，张贴“当心触电”警示标识。",
        responsible_person="何志明",
        deadline_day=5,
        steps=(
            _submit(3, "ck_enterprise", "配电箱已加装箱门并上锁，箱前杂物已清理，警示标识已张贴。"),
            _pass(5),
        ),
    ),
    DemoHazard(
        "pharmacy-extinguishers",
        75,
        280,
        "ck_inspector",
        INSPECTION,
        "fire",
        CONDITION,
        "店堂收银台旁",
        "店内2具4kg干粉灭火器压力指针位于红区，已超过维修期限，员工不会使用。",
        "更换合格灭火器，组织店员学习灭火器使用方法。",
        responsible_person="江海燕",
        deadline_day=3,
        steps=(_submit(2, "ck_office", "已更换4kg干粉灭火器2具，店员已培训。"), _pass(3)),
    ),
    DemoHazard(
        "hardware-shop-sleeping",
        72,
        260,
        "ck_inspector",
        INSPECTION,
        "fire",
        CONDITION,
        "店铺二层仓库",
        "店铺仓库内设置住人床铺，存在“三合一”现象，仅有一个出口。",
        "立即拆除住人床铺，实现住宿与经营、仓储场所分离。",
        deadline_day=10,
        steps=(_submit(8, "ck_office", "住人床铺已拆除，员工已另租宿舍。"), _pass(10)),
    ),
    DemoHazard(
        "noodle-shop-lpg",
        138,
        240,
        "ck_inspector",
        INSPECTION,
        "gas",
        CONDITION,
        "后厨灶台",
        "厨房液化气钢瓶与灶具间距不足，连接软管老化龟裂，未安装可燃气体报警装置。",
        "钢瓶与灶具保持安全距离，更换金属波纹管，安装可燃气体报警及切断装置。",
        deadline_day=7,
        steps=(_submit(5, "ck_office", "已更换金属波纹管，安装燃气报警切断装置。"), _pass(7)),
    ),
    DemoHazard(
        "warehouse-gas-detection",
        2,
        270,
        "ck_inspector",
        INSPECTION,
        "haz_chem",
        CONDITION,
        "甲类仓库",
        "甲类仓库可燃气体检测报警装置失效，防爆电气设备防爆面锈蚀，接线盒缺少紧固螺栓。",
        "更换可燃气体检测报警装置，检修防爆电气设备，委托有资质单位检测。",
        level=M,
        legal_basis=SAFETY_LAW.at("第三十六条"),  # detectors and Ex equipment not kept in order
        responsible_person="赵建国",
        photos=("整改前", "防爆面锈蚀"),
        steps=(
            Step(
                0,
                "ck_inspector",
                "set_interim_measures",
                data={
                    "withdrawal": True,
                    "warning_signs": True,
                    "interim_note": "甲类仓库暂停出入库作业，设置警戒区。",
                },
            ),
            Step(
                2,
                "ck_inspector",
                "submit_plan",
                "企业报送治理方案，由镇安监办代为录入。",
                {
                    "goals": "40日内完成检测报警装置更换和防爆电气检修，消除重大事故隐患。",
                    "methods": "委托有资质单位设计，更换检测报警控制器及探头8个，检修防爆电气。",
                    "funds_materials": "企业自筹，报警控制器1台、探头8个、防爆接线盒12个。",
                    "funds_amount": "86000",
                    "organisation": "总经理赵建国负总责，设备部具体实施，安全员监督。",
                    "time_limit_day": 40,
                    "time_requirements": "第10日前完成设计，第30日前安装调试，第40日前评估。",
                    "safety_measures": "施工期间停止出入库，动火作业办理许可，配备应急物资。",
                },
            ),
            Step(4, "ck_office", "approve_plan", "方案可行，同意实施。"),
            Step(4, "ck_office", "order", data={"deadline_day": 40}),
            Step(
                36,
                "ck_office",
                "record_assessment",
                data={
                    "assessor": "富春安全技术服务有限公司（演示）",
                    "conclusion": "passed",
                    "summary": "检测报警装置经检测合格并联网，防爆电气设备检修完毕，隐患已消除。",
                },
            ),
            _submit(37, "ck_inspector", "检测报警装置已更换并检测合格，防爆电气检修完毕。"),
            _pass(40, "ck_office", "评估结论为隐患已消除，同意销号。"),
        ),
    ),
    DemoHazard(
        "road-works-edge",
        222,
        220,
        "ck_inspector",
        INSPECTION,
        "height",
        CONDITION,
        "K2+300段管道基坑",
        "管道基坑临边未设置防护栏杆，夜间无警示灯，基坑深约2.5米。",
        "设置1.2米高防护栏杆并挂密目网，设置夜间警示灯。",
        deadline_day=3,
        steps=(_submit(2, "ck_office", "临边防护栏杆及警示灯已设置。"), _pass(3)),
    ),
    DemoHazard(
        "msds-cards",
        12,
        200,
        "ck_expert",
        EXPERT,
        "haz_chem",
        MANAGEMENT,
        "危化品仓库",
        "危化品仓库未张贴安全周知卡，现场未配备化学品安全技术说明书（MSDS）。",
        "张贴安全周知卡，配齐化学品安全技术说明书并组织员工学习。",
        deadline_day=10,
        steps=(
            _submit(8, "ck_office", "安全周知卡已张贴，MSDS已配齐并培训。"),
            _pass(10, "ck_expert", "复查合格。"),
        ),
    ),
    DemoHazard(
        "forklift-licence",
        57,
        180,
        "ck_inspector",
        INSPECTION,
        "special_equipment",
        ACT,
        "成品仓库装卸区",
        "叉车驾驶员未取得特种设备作业人员证，现场无证驾驶叉车装卸货物。",
        "立即停止无证驾驶，安排驾驶员参加培训取证，取证前由持证人员操作。",
        deadline_day=15,
        steps=(
            _submit(14, "ck_office", "驾驶员已参加培训取得N1叉车证，复印件已报送。"),
            _pass(15),
        ),
    ),
    DemoHazard(
        "spray-booth-lights",
        66,
        150,
        "ck_inspector",
        INSPECTION,
        "electrical",
        CONDITION,
        "喷漆房",
        "喷漆房内使用非防爆照明灯具和普通排风扇。",
        "更换为防爆灯具和防爆风机。",
        deadline_day=10,
        steps=(_submit(9, "ck_office", "已更换防爆灯具6套、防爆风机2台。"), _pass(10)),
    ),
    DemoHazard(
        "workshop-power-strips",
        141,
        120,
        "ck_inspector",
        INSPECTION,
        "electrical",
        CONDITION,
        "加工作坊操作间",
        "作坊内电线私拉乱接，多个插线板串接使用，插线板放置在木屑堆旁。",
        steps=(
            Step(
                0,
                "ck_inspector",
                "rectify_on_spot",
                data={"description": "现场拆除串接插线板，改用固定插座，清理木屑。"},
                photos=("现场整改",),
            ),
            Step(2, "ck_office", "spot_confirm", "复核照片，整改到位。"),
        ),
    ),
    DemoHazard(
        "stacking-height",
        20,
        100,
        "ck_inspector",
        INSPECTION,
        "fire",
        CONDITION,
        "纸箱成品仓库",
        "成品纸箱堆垛过高，距顶部照明灯具不足0.5米，堆垛间无防火间距。",
        "降低堆垛高度，堆垛与灯具距离不小于0.5米，留出主通道。",
        deadline_day=5,
        steps=(_submit(4, "ck_office", "堆垛已降低并留出通道。"), _pass(5)),
    ),
    DemoHazard(
        "melting-ppe",
        36,
        80,
        "ck_inspector",
        INSPECTION,
        "ppe",
        ACT,
        "熔炼车间",
        "熔炼炉作业人员未穿戴防护面罩和隔热服，炉前冷却水管无压力监测。",
        "配发并督促穿戴劳动防护用品，加装冷却水压力表及低压报警。",
        deadline_day=10,
        steps=(_submit(9, "ck_office", "已配发防护面罩和隔热服，加装压力表及报警。"), _pass(10)),
    ),
    DemoHazard(
        "cold-store-door",
        63,
        60,
        "ck_inspector",
        INSPECTION,
        "emergency",
        CONDITION,
        "1号冷库",
        "冷库库门未设置内部开门装置，库内无报警按钮，照明灯具不防潮。",
        "加装库门内开装置和库内报警按钮，更换防潮灯具。",
        deadline_day=15,
        steps=(_submit(13, "ck_office", "内开装置、报警按钮及防潮灯具已安装。"), _pass(15)),
    ),
    DemoHazard(
        "kitchen-flue",
        180,
        45,
        "ck_inspector",
        INSPECTION,
        "fire",
        MANAGEMENT,
        "后厨排油烟罩",
        "后厨排油烟管道长期未清洗，油垢积聚，无清洗记录。",
        "委托专业单位清洗排油烟管道，此后每季度清洗一次并留存记录。",
        deadline_day=7,
        steps=(_submit(6, "ck_office", "已委托清洗并留存清洗记录。"), _pass(7)),
    ),
    DemoHazard(
        "confined-space-signs",
        10,
        35,
        "ck_expert",
        EXPERT,
        "confined_space",
        MANAGEMENT,
        "厂区污水池、化粪池",
        "污水池、化粪池等有限空间未设置安全警示标识，未建立有限空间台账和作业审批制度。",
        "设置有限空间警示标识，建立台账和作业审批制度，配备气体检测仪。",
        deadline_day=10,
        steps=(
            _submit(9, "ck_office", "警示标识已设置，台账和审批制度已建立，配备四合一气体检测仪。"),
            _pass(10, "ck_expert", "复查合格。"),
        ),
    ),
    DemoHazard(
        "barber-exit",
        98,
        12,
        "ck_village",
        PATROL,
        "fire",
        CONDITION,
        "店铺后门",
        "理发店后门安全出口被杂物和洗发水纸箱堵塞。",
        steps=(
            Step(
                0,
                "ck_village",
                "rectify_on_spot",
                data={"description": "店主现场清理杂物，后门恢复畅通。"},
                photos=("现场清理",),
            ),
        ),
    ),
    # --- Cancelled ---------------------------------------------------------------------------------
    DemoHazard(
        "closed-hardware-shop",
        120,
        70,
        "ck_inspector",
        INSPECTION,
        "fire",
        CONDITION,
        "店铺仓库",
        "仓库内灭火器数量不足，货物占用疏散通道。",
        "增配灭火器，清理疏散通道。",
        deadline_day=7,
        steps=(
            Step(5, "ck_office", "cancel", "经核实该店已停业注销，不再列入监管，本条隐患作废。"),
        ),
    ),
    # --- Under rectification ----------------------------------------------------------------------
    DemoHazard(
        "foundry-sand-dust",
        59,
        40,
        "ck_inspector",
        INSPECTION,
        "dust",
        MANAGEMENT,
        "砂处理工段",
        "铸造车间砂处理工段除尘系统停运，地面及设备积尘严重，未落实定期清扫制度。",
        "恢复除尘系统运行，全面清扫积尘，落实每班清扫制度。",
        responsible_person="孙卫东",
        deadline_day=15,
        photos=("整改前", "积尘"),
    ),
    DemoHazard(
        "foundry-dust-duplicate",
        59,
        26,
        "ck_committee",
        JOINT,
        "dust",
        CONDITION,
        "砂处理车间",
        "联合检查发现砂处理车间除尘器不运行，积尘较多。",
        steps=(
            Step(
                1,
                "ck_office",
                "cancel",
                "与此前镇安监员检查发现的隐患重复，按原隐患督促整改。",
                {"duplicate_of_key": "foundry-sand-dust"},
            ),
        ),
    ),
    DemoHazard(
        "moulding-exit-blocked",
        7,
        20,
        "ck_inspector",
        INSPECTION,
        "fire",
        CONDITION,
        "注塑车间东侧安全出口",
        "注塑车间安全出口被原料袋堆放堵塞，疏散指示标志损坏不亮。",
        "清理安全出口，修复疏散指示标志。",
        deadline_day=15,
    ),
    DemoHazard(
        "diner-extinguishers",
        144,
        10,
        "ck_inspector",
        INSPECTION,
        "fire",
        CONDITION,
        "店堂及后厨",
        "店内灭火器已过期未年检，配置数量不足（营业面积约120平方米仅1具）。",
        "按规范配置4kg干粉灭火器不少于2具，过期灭火器送检或更换。",
        deadline_day=8,
    ),
    DemoHazard(
        "spray-station-exhaust",
        17,
        6,
        "ck_inspector",
        INSPECTION,
        "haz_chem",
        CONDITION,
        "喷涂工位",
        "喷涂工位排风机损坏停用，车间内溶剂气味明显，喷涂作业人员未佩戴防毒面具。",
        "修复排风机，作业人员佩戴防毒面具，排风恢复前停止喷涂作业。",
        deadline_day=8,
    ),
    DemoHazard(
        "press-two-hand-control",
        52,
        4,
        "ck_inspector",
        INSPECTION,
        "machinery",
        CONDITION,
        "冲压车间3号冲床",
        "3号冲床双手操作按钮被短接为单手操作，防护光幕失效。",
        "立即恢复双手操作按钮，修复光幕，修复前停止使用该冲床。",
        deadline_day=5,
    ),
    DemoHazard(
        "pond-spillway",
        240,
        3,
        "ck_inspector",
        INSPECTION,
        "site",
        CONDITION,
        "山塘溢洪道",
        "山塘溢洪道被树枝杂物堵塞，塘边未设置安全警示牌。",
        "汛前清理溢洪道，设置“水深危险 禁止游泳”警示牌。",
        deadline_day=6,
    ),
    DemoHazard(
        "crane-wire-rope",
        33,
        5,
        "ck_office",
        INSPECTION,
        "special_equipment",
        CONDITION,
        "机加工车间5吨桥式起重机",
        "桥式起重机钢丝绳断丝超标，起重机定期检验已过期2个月。",
        "更换钢丝绳，申报特种设备定期检验，检验合格前停止使用。",
        deadline_day=20,
    ),
    DemoHazard(
        "rack-anchoring",
        3,
        8,
        "ck_enterprise",
        SELF,
        "building",
        CONDITION,
        "原材料仓库货架区",
        "企业自查：仓库货架未与地面固定，部分货架立柱受叉车撞击变形。",
        "更换变形立柱，货架与地面锚固，加装立柱防撞护角。",
        responsible_person="何志明",
        deadline_day=15,
    ),
    DemoHazard(
        "dryer-interlock",
        9,
        14,
        "ck_expert",
        EXPERT,
        "machinery",
        CONDITION,
        "印刷车间烘干房",
        "烘干房温度控制失灵，未设置超温报警及联锁切断装置。",
        "修复温控系统，加装超温报警并与加热电源联锁。",
        deadline_day=10,
        steps=(
            _submit(9, "ck_office", "温控器已更换，超温报警已安装。"),
            _fail(11, "超温报警未与加热电源联锁，未达到整改要求。", 20, actor="ck_expert"),
        ),
    ),
    DemoHazard(
        "grinder-guard",
        3,
        12,
        "ck_inspector",
        INSPECTION,
        "machinery",
        CONDITION,
        "机加工车间砂轮机",
        "砂轮机防护罩缺失，托架与砂轮间隙大于3毫米。",
        "安装防护罩，调整托架间隙不大于3毫米。",
        responsible_person="何志明",
        deadline_day=14,
        steps=(
            Step(
                10,
                "ck_enterprise",
                "request_extension",
                "原厂防护罩需订购，到货周期约两周，申请延期至到货安装后。期间该砂轮机已停用并挂牌。",
                {"requested_deadline_day": 30},
            ),
        ),
    ),
    DemoHazard(
        "woodwork-explosion-vent",
        55,
        30,
        "ck_inspector",
        INSPECTION,
        "dust",
        CONDITION,
        "木工车间布袋除尘器",
        "木工车间布袋除尘器未设置泄爆口，灰斗积尘未及时清理。",
        "加装泄爆片，清理灰斗积尘，建立清灰记录。",
        deadline_day=20,
        steps=(
            Step(
                17,
                "ck_inspector",
                "request_extension",
                "企业书面申请：泄爆片需厂家定制，附供货说明，申请延期。",
                {"requested_deadline_day": 45},
            ),
            Step(18, "ck_office", "approve_extension", "同意延期，定制期间每日清灰并留存记录。"),
        ),
    ),
    DemoHazard(
        "tank-farm-bund",
        1,
        50,
        "ck_office",
        INSPECTION,
        "haz_chem",
        CONDITION,
        "储罐区",
        "储罐区防火堤局部破损，雨水排放阀处于常开状态。",
        "修复防火堤，雨水排放阀平时关闭并挂牌管理。",
        responsible_person="赵建国",
        deadline_day=70,
    ),
    DemoHazard(
        "ebike-charging",
        106,
        9,
        "ck_village",
        PATROL,
        "electrical",
        ACT,
        "店铺门口人行道",
        "店门口电动自行车集中充电，充电线从二楼窗口私拉下来。",
        "拆除私拉电线，引导到村集中充电点充电。",
        steps=(Step(1, "ck_inspector", "order", data={"deadline_day": 10}),),
    ),
    DemoHazard(
        "methanol-tank",
        3,
        40,
        "ck_inspector",
        INSPECTION,
        "haz_chem",
        CONDITION,
        "甲醇中间储罐区",
        "车间内甲醇中间储罐无防火堤，储罐区与焊接工位防火间距不足8米。",
        "储罐移至室外并设置防火堤，与明火作业区保持规范防火间距。",
        level=M,
        legal_basis=SAFETY_LAW.at("第三十九条"),  # methanol stored without reliable measures
        responsible_person="何志明",
        photos=("整改前", "焊接工位"),
        steps=(
            Step(
                0,
                "ck_inspector",
                "set_interim_measures",
                data={
                    "suspension": True,
                    "warning_signs": True,
                    "interim_note": "停止焊接及机加工作业，储罐区设警戒区，专人值守。",
                },
            ),
            Step(
                1, "ck_leader", "list_for_supervision", "镇政府挂牌督办，限期治理，每周报告进展。"
            ),
            Step(
                3,
                "ck_enterprise",
                "submit_plan",
                data={
                    "goals": "50日内将甲醇储罐迁至室外罐区并建设防火堤，消除重大事故隐患。",
                    "methods": "委托设计单位出具方案，新建室外罐区及防火堤，迁移储罐及管线。",
                    "funds_materials": "企业自筹，防火堤土建、管线及阀门、防爆电气。",
                    "funds_amount": "150000",
                    "organisation": "总经理负总责，设备科组织实施，安全员全程监督。",
                    "time_limit_day": 50,
                    "time_requirements": "第15日完成设计，第40日完成迁移，第45日前评估。",
                    "safety_measures": "施工期间全厂停产，动火办理许可，现场配备灭火器材。",
                },
            ),
            Step(5, "ck_office", "approve_plan", "同意该治理方案，按期实施。"),
            Step(5, "ck_office", "order", data={"deadline_day": 50}),
            Step(
                33,
                "ck_expert",
                "record_assessment",
                data={
                    "assessor": "富春安全技术服务有限公司 沈注安",
                    "conclusion": "passed",
                    "summary": "储罐已迁至室外罐区，防火堤及防火间距符合要求，隐患已消除。",
                },
            ),
            Step(35, "ck_enterprise", "apply_resumption", "治理完成并经评估合格，申请恢复生产。"),
        ),
    ),
    # --- Submitted, awaiting re-check -------------------------------------------------------------
    DemoHazard(
        "solvent-storage",
        3,
        9,
        "ck_inspector",
        INSPECTION,
        "haz_chem",
        CONDITION,
        "机加工车间通道",
        "油漆、稀释剂堆放在车间通道旁，未设专用危化品储存柜。",
        "设置防爆危化品储存柜，按最小量存放。",
        responsible_person="何志明",
        deadline_day=10,
        steps=(
            _submit(
                8,
                "ck_enterprise",
                "已购置防爆储存柜，油漆和稀释剂入柜存放，通道已清理。",
                cost="2800",
            ),
        ),
    ),
    DemoHazard(
        "gas-cylinders",
        43,
        15,
        "ck_inspector",
        INSPECTION,
        "gas",
        CONDITION,
        "焊接工位",
        "氧气瓶与乙炔瓶混放，间距不足5米，气瓶未设防倾倒链条。",
        "分开存放，保持5米以上间距，设置防倾倒链条。",
        deadline_day=7,
        steps=(_submit(6, "ck_office", "气瓶已分区存放并加装防倾倒链条。"),),
    ),
    DemoHazard(
        "pouring-aisle",
        64,
        25,
        "ck_inspector",
        INSPECTION,
        "site",
        CONDITION,
        "浇注区",
        "浇注区安全通道被砂箱占用，行车吊运区域下方有人员穿行。",
        "清理安全通道，划定吊运警戒区，吊运时禁止人员穿行。",
        deadline_day=10,
        steps=(
            _submit(9, "ck_office", "砂箱已清理。"),
            _fail(11, "吊运警戒区未划定，作业时仍有人员穿行。", 20),
            _submit(19, "ck_office", "已划定黄色警戒线并设置警示牌，吊运时安排专人监护。"),
        ),
    ),
    DemoHazard(
        "hf-double-lock",
        5,
        7,
        "ck_expert",
        EXPERT,
        "haz_chem",
        MANAGEMENT,
        "质检实验室",
        "实验室氢氟酸等剧毒化学品未执行双人双锁管理，领用无登记。",
        "落实双人收发、双人保管、双锁管理，建立领用登记台账。",
        deadline_day=7,
        steps=(_submit(6, "ck_office", "已配备双锁保险柜，建立领用台账。"),),
    ),
    # --- Found, awaiting an order -----------------------------------------------------------------
    DemoHazard(
        "basement-lpg",
        156,
        2,
        "ck_village",
        PATROL,
        "gas",
        CONDITION,
        "面馆地下室",
        "村安全员巡查发现液化气钢瓶存放在地下室，通风不良。",
    ),
    DemoHazard(
        "pharmacy-exit",
        81,
        1,
        "ck_committee",
        JOINT,
        "fire",
        CONDITION,
        "店铺卷帘门",
        "店铺卷帘门内侧堆放货物，营业期间仅开启单扇门。",
    ),
    DemoHazard(
        "dormitory-charging",
        3,
        1,
        "ck_enterprise",
        SELF,
        "electrical",
        ACT,
        "员工宿舍",
        "企业自查：员工宿舍内私拉电线给电动车电池充电。",
        responsible_person="何志明",
    ),
    DemoHazard(
        "oxidiser-mixed-storage",
        1,
        1,
        "ck_inspector",
        INSPECTION,
        "haz_chem",
        CONDITION,
        "甲类仓库2号库",
        "甲类仓库内氧化剂与易燃液体同库混存，未设防火分隔，库内部分防爆灯具损坏。",
        "立即分库存放，修复防爆灯具，编制治理方案。",
        level=M,
        legal_basis=HAZCHEM_REGULATIONS.at("第二十四条"),  # incompatible goods stored together
        responsible_person="赵建国",
        photos=("整改前", "混存"),
    ),
    DemoHazard(
        "site-switchboard",
        228,
        0,
        "ck_inspector",
        INSPECTION,
        "electrical",
        CONDITION,
        "施工现场临时配电箱",
        "施工现场临时配电箱未设置漏电保护器，电缆拖地敷设。",
    ),
)

# The demo enterprise's monthly reports: months before this one, what it reported.
ENTERPRISE_UNIT = 3
MAJOR_REPORT_KEY = "methanol-tank"  # the enterprise's major hazard, listed in its month's report
MAJOR_REPORT_NOTE = "重大事故隐患已制定治理方案，停产整改中。"
HAZARDS_REPORT_NOTE = "本月检查及自查发现的隐患已登记，正在按期整改。"
NONE_FOUND_NOTES = {
    # calendar month: (self-checks done, note) of a statement that no hazard was found
    1: (5, "含元旦、春节前安全检查。"),
    2: (5, "春节停产前及复工前开展安全检查，未发现隐患。"),
    6: (4, "开展“安全生产月”活动，未发现隐患。"),
    7: (4, "高温季节重点检查了配电设施和消防器材。"),
    8: (4, "高温季节重点检查了配电设施和消防器材。"),
    9: (5, "含中秋、国庆节前安全检查。"),
    10: (5, "含国庆节前安全检查。"),
}
NONE_FOUND_DEFAULT = (4, "本月开展班组日查、车间周查和公司月查，未发现隐患。")
MONTHLY_REPORT_MONTHS = 5  # the enterprise has reported for the five months before this one
CLOSING_ACTIONS = ("pass", "approve_closure", "rectify_on_spot")
REOPENING_ACTIONS = ("reopen", "spot_reject")


@dataclass(frozen=True)
class DemoMonthlyReport:
    month: datetime.date
    kind: str
    hazard_keys: tuple[str, ...]
    checks_done: int
    note: str


SIGNED_BY = "何志明"


@dataclass(frozen=True)
class DemoTipOff:
    """A tip-off from the public ``days_ago`` days ago; accepted as a hazard at ``unit`` (with a
    deadline ``deadline_day`` days after it came in) when ``unit`` is given."""

    days_ago: int
    place: str
    description: str
    contact_name: str = ""
    contact_phone: str = ""
    unit: int | None = None
    hazard: dict[str, Any] = field(default_factory=dict)
    deadline_day: int | None = None
    accepted_day: int = 0


TIP_OFFS = (
    DemoTipOff(
        2,
        "场口镇王家宕村村口往东第二家加工作坊",
        "晚上经常看到作坊里有人电焊，旁边堆着很多木板和油漆桶，也没看到灭火器，担心着火。",
        contact_name="王先生",
    ),
    DemoTipOff(
        6,
        "场口镇大路村杭州华越机械有限公司后门",
        "厂区后门的消防通道被货车和铁架子堵住好几天了，消防车根本开不进去。",
        contact_phone="13800571234",
        unit=43,
        hazard={
            "hazard_type": CONDITION,
            "category": "fire",
            "location": "厂区后门消防车通道",
            "requirement": "立即清理消防车通道，划设禁止占用标线。",
        },
        deadline_day=9,
        accepted_day=1,
    ),
)


# --- Photos ---------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _font(size: int):
    for path in CJK_FONTS:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size, index=2)  # index 2: Simplified Chinese
            except OSError:
                continue
    return None


def demo_photo_bytes(title: str, caption: str, *, taken: datetime.datetime, after: bool) -> bytes:
    """A small JPEG that looks like a site photo card: a coloured scene, the place and what it
    shows, marked as a demo, with the EXIF time it was "taken" and a GPS point in the town."""
    width, height = 480, 360
    base = (74, 128, 86) if after else (120, 100, 90)
    img = Image.new("RGB", (width, height), base)
    draw = ImageDraw.Draw(img)
    for y in range(0, height, 6):  # a little shading so that it is not a flat square
        shade = int(30 * y / height)
        draw.line([(0, y), (width, y)], fill=tuple(max(0, c - shade) for c in base), width=6)
    draw.rectangle([40, 90, width - 40, height - 70], outline=(240, 240, 240), width=3)
    draw.rectangle([0, height - 54, width, height], fill=(20, 20, 20))
    font, small = _font(26), _font(18)
    if font is not None:
        draw.text((24, 20), title[:16], fill=(255, 255, 255), font=font)
        draw.text((60, 110), caption[:14], fill=(255, 230, 120), font=font)
        draw.text((16, height - 44), f"演示照片 · {taken:%Y-%m-%d %H:%M}", fill="white", font=small)
    else:  # no CJK font: a plain label
        draw.text((24, 20), "DEMO", fill="white")
        draw.text((16, height - 44), f"{taken:%Y-%m-%d %H:%M}", fill="white")
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = timezone.localtime(taken).strftime("%Y:%m:%d %H:%M:%S")
    gps = exif.get_ifd(0x8825)
    lat, lng = TOWN_CENTRE
    gps[1], gps[2], gps[3], gps[4] = "N", _dms(lat), "E", _dms(lng)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=80, exif=exif.tobytes())
    return out.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    d = int(value)
    m = int((value - d) * 60)
    return (d, m, round(((value - d) * 60 - m) * 60, 2))


def _uploads(spec: DemoHazard, labels, taken: datetime.datetime, *, after=False):
    return [
        SimpleUploadedFile(
            f"demo-{spec.key}-{i}.jpg",
            demo_photo_bytes(spec.location, label, taken=taken, after=after),
            content_type="image/jpeg",
        )
        for i, label in enumerate(labels)
    ]


# --- Building one hazard --------------------------------------------------------------------------


def _found_at(index: int, days_ago: int, now: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(now) - datetime.timedelta(days=days_ago)
    moment = local.replace(hour=8 + index % 8, minute=(index * 13) % 60, second=0, microsecond=0)
    return min(moment, now - datetime.timedelta(minutes=30))


def _step_data(step: Step, today: datetime.date, keys: dict[str, int]) -> dict[str, Any]:
    """The step's data with day numbers turned into dates (counted from today: see the module
    docstring) and demo keys into hazard ids."""
    data: dict[str, Any] = {}
    for key, value in step.data.items():
        if key.endswith("_day"):
            data[key.removesuffix("_day")] = today + datetime.timedelta(days=value)
        elif key == "duplicate_of_key":
            data["duplicate_of"] = keys[value]
        else:
            data[key] = value
    return data


def _build(spec: DemoHazard, index: int, users: dict[str, User], unit: Unit, keys, now) -> Hazard:
    today = timezone.localdate(now)
    found_at = _found_at(index, spec.days_ago, now)
    hazard = hazard_create(
        actor=users[spec.actor],
        unit_id=unit.pk,
        photos=_uploads(spec, spec.photos, found_at),
        deadline=today + datetime.timedelta(days=spec.deadline_day)
        if spec.deadline_day is not None
        else None,
        location=spec.location,
        description=spec.description,
        hazard_type=spec.hazard_type,
        category=spec.category,
        level=spec.level,
        legal_basis=spec.legal_basis,
        source=spec.source,
        found_at=found_at,
        requirement=spec.requirement,
        responsible_person=spec.responsible_person,
    )
    step_of_event = dict.fromkeys(hazard.events.values_list("pk", flat=True), 0)
    for step in spec.steps:
        if step.day > spec.days_ago:
            raise ValueError(f"demo hazard {spec.key}: a step after today")
        photos = []
        if step.photos:
            taken = min(found_at + datetime.timedelta(days=step.day, hours=1), now)
            photos = _uploads(spec, step.photos, taken, after=True)
        data = _step_data(step, today, keys)
        if step.action == "submit":
            first = hazard.photos.filter(kind="before").order_by("pk").first()
            data["pairs"] = {0: first.pk} if first and photos else {}
        hazard.refresh_from_db()
        hazard = hazard_transition(
            actor=users[step.actor],
            hazard_id=hazard.pk,
            action=step.action,
            expected_version=hazard.version,
            note=step.note,
            data=data,
            photos=photos,
        )
        for pk in hazard.events.exclude(pk__in=step_of_event).values_list("pk", flat=True):
            step_of_event[pk] = step.day
    _backdate(hazard, spec.days_ago, step_of_event, now)
    return hazard


# --- Moving the history back (see the module docstring) ---------------------------------------------


def _shift_dates(mapping: dict[str, Any], keys, days: int) -> dict[str, Any]:
    moved = dict(mapping)
    for key in keys:
        if moved.get(key):
            moved[key] = (
                datetime.date.fromisoformat(moved[key]) - datetime.timedelta(days=days)
            ).isoformat()
    return moved


def _backdate(hazard: Hazard, days: int, step_of_event: dict[int, int], now) -> None:
    """Give the hazard's rows the dates of its story: every date written from ``today`` moves
    back ``days`` days; every timestamp becomes the day of the step that wrote it."""
    shift = datetime.timedelta(days=days)
    found = hazard.found_at
    values: dict[str, Any] = {"created_at": found}
    for field_name in ("deadline", "original_deadline"):
        if getattr(hazard, field_name):
            values[field_name] = getattr(hazard, field_name) - shift
    last = found
    events = list(hazard.events.order_by("pk"))
    for seq, event in enumerate(events):
        at = min(found + datetime.timedelta(days=step_of_event[event.pk], minutes=20 * seq), now)
        last = max(last, at)
        data = _shift_dates(event.data, DATE_KEYS_IN_EVENTS, days)
        HazardEvent.objects.filter(pk=event.pk).update(at=at, data=data)
        _backdate_event_rows(hazard, event, at, values)
    values["updated_at"] = last
    Hazard.objects.filter(pk=hazard.pk).update(**values)
    for request in hazard.extensions.all():
        ExtensionRequest.objects.filter(pk=request.pk).update(
            requested_deadline=request.requested_deadline - shift,
            previous_deadline=request.previous_deadline - shift,
            granted_deadline=request.granted_deadline - shift if request.granted_deadline else None,
        )
    for plan in hazard.plans.all():
        GovernancePlan.objects.filter(pk=plan.pk).update(time_limit=plan.time_limit - shift)
    for assessment in hazard.assessments.all():
        MajorAssessment.objects.filter(pk=assessment.pk).update(
            assessed_on=timezone.localdate(assessment.recorded_at)
        )


def _backdate_event_rows(hazard: Hazard, event: HazardEvent, at, values: dict[str, Any]) -> None:
    """The timestamps of the rows one timeline event wrote, and the hazard's own."""
    action = event.type.removeprefix("hazard.")
    data = event.data
    if data.get("photos"):
        HazardPhoto.objects.filter(pk__in=data["photos"]).update(uploaded_at=at)
    if event.to_status and event.to_status != event.from_status:
        values["status_changed_at"] = at
    if action == "order":
        values["ordered_at"] = at
    elif action in ("pass", "approve_closure", "rectify_on_spot"):
        values["closed_at"] = at
    elif action == "list_for_supervision":
        values["listed_at"] = at
    reports = RectificationReport.objects.filter(pk=data.get("report"))
    if action in ("submit", "rectify_on_spot"):
        reports.update(submitted_at=at)
    elif action in ("pass", "fail", "approve_closure"):
        reports.update(rechecked_at=at)
    requests = ExtensionRequest.objects.filter(pk=data.get("request"))
    if action == "request_extension":
        requests.update(requested_at=at)
    elif action in ("approve_extension", "reject_extension"):
        requests.update(decided_at=at)
    plans = GovernancePlan.objects.filter(pk=data.get("plan"))
    if action == "submit_plan":
        plans.update(submitted_at=at)
    elif action in ("approve_plan", "reject_plan"):
        plans.update(decided_at=at)
    if action == "record_assessment":
        MajorAssessment.objects.filter(pk=data.get("assessment")).update(recorded_at=at)
    applications = ResumptionApplication.objects.filter(pk=data.get("application"))
    if action == "apply_resumption":
        applications.update(applied_at=at)
    elif action in ("approve_resumption", "reject_resumption"):
        applications.update(decided_at=at)


# --- Which record gets which date (pure: checked for every day of a year without a database) -----


def demo_found_date(spec: DemoHazard, today: datetime.date) -> datetime.date:
    """The local day the demo hazard was found when the demo is loaded on ``today``."""
    return today - datetime.timedelta(days=spec.days_ago)


def demo_closed_date(spec: DemoHazard, today: datetime.date) -> datetime.date | None:
    """The day the demo hazard was closed (struck off), if its story ends closed."""
    closed = None
    for step in spec.steps:
        if step.action in CLOSING_ACTIONS:
            closed = step.day
        elif step.action in REOPENING_ACTIONS:
            closed = None
    return None if closed is None else demo_found_date(spec, today) + datetime.timedelta(closed)


def demo_is_cancelled(spec: DemoHazard) -> bool:
    return any(step.action == "cancel" for step in spec.steps)


def _in_month(day: datetime.date | None, month: datetime.date) -> bool:
    return day is not None and month_start(day) == month


def monthly_report_plan(today: datetime.date) -> list[DemoMonthlyReport]:
    """The demo enterprise's reports of the months before ``today``'s month: a month in which
    one of its demo hazards was found or closed lists those hazards (what the service accepts:
    ``monthly_report_candidates``); any other month is a signed statement that none was found."""
    specs = [s for s in HAZARDS if s.unit == ENTERPRISE_UNIT and not demo_is_cancelled(s)]
    plan = []
    month = month_start(today)
    for _i in range(MONTHLY_REPORT_MONTHS):
        month = previous_month(month)
        keys = tuple(
            s.key
            for s in specs
            if _in_month(demo_found_date(s, today), month)
            or _in_month(demo_closed_date(s, today), month)
        )
        if keys:
            note = MAJOR_REPORT_NOTE if MAJOR_REPORT_KEY in keys else HAZARDS_REPORT_NOTE
            plan.append(DemoMonthlyReport(month, MonthlyReportKind.HAZARDS, keys, 4, note))
        else:
            checks, note = NONE_FOUND_NOTES.get(month.month, NONE_FOUND_DEFAULT)
            plan.append(DemoMonthlyReport(month, MonthlyReportKind.NONE_FOUND, (), checks, note))
    return plan


# --- The loader -----------------------------------------------------------------------------------


def _demo_unit(town: Region, number: int) -> Unit | None:
    return Unit.objects.filter(region__parent=town, name__endswith=f"（演示{number:03d}）").first()


def _monthly_reports(report, town: Region, users: dict[str, User], keys: dict[str, int], now):
    """The demo enterprise's reports of the last months, each sent on the 3rd of the next."""
    user, unit = users.get("ck_enterprise"), _demo_unit(town, ENTERPRISE_UNIT)
    if user is None or unit is None:
        return
    for planned in monthly_report_plan(timezone.localdate(now)):
        month_reported = planned.month
        if MonthlyReport.objects.filter(unit=unit, month=month_reported).exists():
            continue
        monthly = monthly_report_submit(
            actor=user,
            unit_id=unit.pk,
            month=month_reported,
            kind=planned.kind,
            hazard_ids=[keys[k] for k in planned.hazard_keys if k in keys],
            checks_done=planned.checks_done,
            note=planned.note,
            signed_name=SIGNED_BY,
        )
        sent = timezone.make_aware(
            datetime.datetime.combine(next_month(month_reported).replace(day=3), datetime.time(9))
        )
        sent = min(sent, now)
        MonthlyReport.objects.filter(pk=monthly.pk).update(
            submitted_at=sent, created_at=sent, updated_at=sent
        )
        report.add("monthly reports")


def _tip_offs(report, town: Region, users: dict[str, User], now) -> None:
    """Two tip-offs from the public; the second accepted as a hazard (demo history backdated as
    the hazards are: see the module docstring)."""
    office = users.get("ck_office")
    today = timezone.localdate(now)
    for index, spec in enumerate(TIP_OFFS):
        if TipOff.objects.filter(town=town, description=spec.description).exists():
            continue
        received = _found_at(index + 3, spec.days_ago, now)
        photo = SimpleUploadedFile(
            f"tipoff-{index}.jpg",
            demo_photo_bytes(spec.place[-12:], "群众举报", taken=received, after=False),
            content_type="image/jpeg",
        )
        tipoff = tipoff_submit(
            town_id=town.pk,
            place=spec.place,
            description=spec.description,
            photos=[photo],
            contact_name=spec.contact_name,
            contact_phone=spec.contact_phone,
            client_hash=f"demo-tip-off-{index}",
        )
        TipOff.objects.filter(pk=tipoff.pk).update(created_at=received, updated_at=received)
        report.add("tip-offs")
        unit = _demo_unit(town, spec.unit) if spec.unit else None
        if unit is None or office is None:
            continue
        tipoff.refresh_from_db()
        deadline = today + datetime.timedelta(days=spec.deadline_day or 0)
        tipoff_accept(
            actor=office,
            tipoff_id=tipoff.pk,
            expected_version=tipoff.version,
            unit_id=unit.pk,
            level="general",
            deadline=deadline if spec.deadline_day else None,
            **spec.hazard,
        )
        accepted_at = min(received + datetime.timedelta(days=spec.accepted_day), now)
        TipOff.objects.filter(pk=tipoff.pk).update(triaged_at=accepted_at, updated_at=accepted_at)
        hazard = Hazard.objects.get(tip_off=tipoff)
        events = hazard.events.values_list("pk", flat=True)
        _backdate(hazard, spec.days_ago, dict.fromkeys(events, spec.accepted_day), now)
        report.add("hazards")


@transaction.atomic
def load_demo_hazards(report) -> None:
    """The demo hazards of 场口镇 (see the module docstring); a second run creates nothing."""
    from anjian.demo import town as demo_town

    town = Region.objects.filter(code=demo_town.TOWN_CODE).first()
    if town is None:
        return
    usernames = {spec.actor for spec in HAZARDS} | {s.actor for h in HAZARDS for s in h.steps}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    if len(users) < len(usernames):
        return  # the demo users were not made: nothing to act with
    now = timezone.now()
    keys: dict[str, int] = {}
    for index, spec in enumerate(HAZARDS):
        unit = _demo_unit(town, spec.unit)
        if unit is None:
            continue
        existing = Hazard.objects.filter(unit=unit, description=spec.description).first()
        if existing is None:
            existing = _build(spec, index, users, unit, keys, now)
            report.add("hazards")
        keys[spec.key] = existing.pk
    _monthly_reports(report, town, users, keys, now)
    _tip_offs(report, town, users, now)
