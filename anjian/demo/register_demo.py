"""The demo town's register facts (一企一档): categories matching the 2018 town report, sizes,
employees, industries, legal representatives and principals with mobiles, GPS points around
场口镇, suggested grades and the office's grades (a few overridden with a reason).

``load_demo_register(report)`` runs after ``anjian.demo.loader`` has created the units (their
names end with "（演示NNN）", NNN the order of ``anjian.demo.town.UNIT_GROUPS``). Idempotent:
every value is drawn from a generator seeded by the unit's number, compared with what is stored,
and written through ``unit_update`` only when it differs; a second run changes nothing.
"""

from __future__ import annotations

import random
import re
from decimal import Decimal
from typing import Any

from anjian.regions.models import Region
from anjian.units import grading
from anjian.units.models import Category, Grade, Standardisation, Unit, UnitSize
from anjian.units.services import industry_table, unit_refresh_register, unit_update

TOWN_CODE = "330111112000"  # 场口镇
CENTRE = (Decimal("29.930000"), Decimal("119.860000"))
SEQ_RE = re.compile(r"（演示(\d{3})）$")

SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程"
GIVEN = [
    "建国", "海军", "晓燕", "志明", "丽华", "国平", "伟", "敏", "强", "军", "洪波", "春生",
    "秀英", "金龙", "文斌", "立新", "美玲", "永康", "海燕", "少华", "卫东", "玉兰", "国庆", "红梅",
]  # fmt: skip

# Industry by the word of the unit's name (anjian.demo.town.UNIT_GROUPS).
INDUSTRY_BY_WORD = {
    "化工仓储": "G5943",
    "危险品仓储": "G5943",
    "机械": "C3484",
    "轻工": "C2929",
    "电子": "C3982",
    "铜业": "C3251",
    "塑料": "C2929",
    "纺织": "C1713",
    "印刷": "C2319",
    "包装": "C2231",
    "五金": "C3399",
    "新材料": "C2614",
    "喷涂": "C3360",
    "金属制品": "C3399",
    "冷链食品": "C1361",
    "铸造": "C3391",
    "木业": "C2110",
    "烟花爆竹专营店": "F5299",
    "超市": "F5212",
    "五金店": "F5271",
    "服装店": "F5211",
    "理发店": "F5211",
    "药店": "F5211",
    "电器店": "F5211",
    "小吃店": "H6220",
    "面馆": "H6220",
    "农家乐": "H6210",
    "仓杂店": "F5211",
    "加工作坊": "C1431",
    "快餐店": "H6220",
    "安置房工程": "E4710",
    "道路改造工程": "E4813",
    "厂房新建工程": "E4790",
    "山塘": "N7620",
    "水库": "N7620",
}
# 三场所三企业 tags by the word of the name; every fourth such unit also works in confined spaces.
THREE_PLACES_BY_WORD = {
    "喷涂": ["spray-coating"],
    "金属制品": ["combustible-dust"],
    "冷链食品": ["ammonia-refrigeration"],
    "铸造": ["metal-smelting"],
    "木业": ["combustible-dust"],
}
# The office grades a few units otherwise than the rules, with its reason: (group, index).
OVERRIDES = {
    ("haz_use", 0): (Grade.RED, "近一年两次检查发现危化品超量储存，经安委办研究提级管理。"),
    ("three_places", 1): (Grade.RED, "粉尘涉爆除尘系统改造尚未完成，整改期间提级管理。"),
    ("small_venue", 2): (Grade.ORANGE, "节假日客流大，厨房使用液化气，提级管理。"),
    ("reservoir", 0): (Grade.ORANGE, "汛期重点山塘，下游有村民居住，提级管理。"),
    ("haz_use", 47): (Grade.YELLOW, "已完成危化品替代（水性涂料），用量极少，经现场核实降级。"),
}


def _groups() -> dict[int, tuple[str, int, str]]:
    """Unit number → (group, index within the group, name word), as the demo loader counts."""
    from anjian.demo import town

    result: dict[int, tuple[str, int, str]] = {}
    seq = 0
    for group, _kind, count, words, _committee in town.UNIT_GROUPS:
        for i in range(count):
            seq += 1
            result[seq] = (group, i, words[i % len(words)])
    return result


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _size_and_employees(group: str, i: int, rng: random.Random) -> tuple[str, int]:
    if group in {"haz_storage", "haz_use", "three_places"}:
        roll = rng.random()
        if roll < 0.08:
            return UnitSize.ABOVE_100M, rng.randint(300, 480)
        if roll < 0.35:
            return UnitSize.ABOVE, rng.randint(80, 260)
        if roll < 0.75:
            return UnitSize.BELOW, rng.randint(20, 90)
        return UnitSize.SMALL_MICRO, rng.randint(5, 30)
    if group == "construction":
        return UnitSize.BELOW, rng.randint(30, 120)
    if group == "reservoir":
        return "", 0
    return UnitSize.INDIVIDUAL, rng.randint(1, 8)


def _categories(group: str, i: int, word: str) -> list[str]:
    if group == "haz_storage":
        return ["haz-chem-storage"]
    if group == "haz_use":
        extra = {"纺织": ["textile-dyeing"], "印刷": ["ink-printing"]}.get(word, [])
        return ["haz-chem-use", *extra]
    if group == "three_places":
        tags = list(THREE_PLACES_BY_WORD[word])
        if i % 4 == 0:
            tags.append("confined-space")
        return tags
    if group == "fireworks":
        return ["fireworks", "fire-key-unit"]
    if group == "street_shop":
        return ["three-in-one"] if i % 15 == 7 else []
    if group == "small_venue":
        tags = []
        if word == "农家乐":
            tags = ["crowded-place", "fire-key-unit"] if i % 2 == 0 else ["crowded-place"]
        if i % 9 == 4:
            tags.append("three-in-one")
        return tags
    return []


def _plan(unit: Unit, seq: int, group: str, i: int, word: str, villages: dict[int, int]):
    """The register facts the demo wants for this unit (deterministic from ``seq``)."""
    rng = random.Random(f"register-{seq}")  # noqa: S311 - fixed demo data, not security
    size, employees = _size_and_employees(group, i, rng)
    code = INDUSTRY_BY_WORD.get(word, "")
    village_index = villages.get(unit.region_id, 0)
    lat = CENTRE[0] + Decimal(village_index % 4 - 1.5) * Decimal("0.012")
    lon = CENTRE[1] + Decimal(village_index // 4 - 1) * Decimal("0.015")
    lat += Decimal(rng.randint(-3000, 3000)) / Decimal(1_000_000)
    lon += Decimal(rng.randint(-4000, 4000)) / Decimal(1_000_000)
    is_enterprise = group in {"haz_storage", "haz_use", "three_places"}
    principal = _person(rng)
    plan: dict[str, Any] = {
        "legal_representative": principal if is_enterprise else "",
        "principal_name": principal,
        "principal_mobile": f"1705710{seq:04d}",
        "latitude": lat.quantize(Decimal("0.000001")),
        "longitude": lon.quantize(Decimal("0.000001")),
        "industry_code": code,
        "industry_name": industry_table().get(code, ""),
        "size": size,
        "employees": employees if group != "reservoir" else None,
        "standardisation": (
            (Standardisation.LEVEL3 if rng.random() < 0.4 else Standardisation.SMALL_MICRO)
            if is_enterprise
            else Standardisation.NONE
        ),
    }
    if is_enterprise and rng.random() < 0.5:
        plan["legal_representative"] = _person(rng)
    codes = _categories(group, i, word)
    return plan, codes


def load_demo_register(report) -> None:
    town = Region.objects.filter(code=TOWN_CODE).first()
    if town is None:
        return
    unit_refresh_register(unit_ids=Unit.objects.filter(name_pinyin="").values_list("pk", flat=True))
    categories = {c.code: c for c in Category.objects.all()}
    groups = _groups()
    villages = {
        pk: index
        for index, pk in enumerate(
            Region.objects.filter(parent=town).order_by("code").values_list("pk", flat=True)
        )
    }
    units = Unit.objects.filter(region__parent=town).prefetch_related("categories").order_by("pk")
    for unit in units:
        match = SEQ_RE.search(unit.name)
        if match is None or int(match.group(1)) not in groups:
            continue
        seq = int(match.group(1))
        group, i, word = groups[seq]
        plan, codes = _plan(unit, seq, group, i, word, villages)
        changes = {k: v for k, v in plan.items() if getattr(unit, k) != v}
        wanted = sorted(codes)
        if sorted(c.code for c in unit.categories.all()) != wanted:
            changes["categories"] = [categories[c] for c in codes if c in categories]
        floors = [categories[c].grade_floor for c in codes if c in categories]
        suggested = grading.suggest_grade(
            floors=floors, size=plan["size"], employees=plan["employees"]
        )
        grade, reason = OVERRIDES.get((group, i), (suggested, ""))
        if unit.grade != grade:
            changes["grade"] = str(grade)
        if unit.grade_reason != reason:
            changes["grade_reason"] = reason
        if not changes:
            continue
        unit_update(
            actor=None,
            unit_id=unit.pk,
            expected_version=unit.version,
            reason="演示数据：一企一档基本信息",
            **changes,
        )
        report.add("unit register facts")
