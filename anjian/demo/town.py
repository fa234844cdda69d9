"""The facts of the demo town, 场口镇, taken from its 2018 work-safety report
(``shared/reference/changkou-2018-report.txt``). Enterprise names are fictional; the counts are the
report's: 2 hazardous-chemical storage, 48 hazardous-chemical users, 19 三场所三企业, 1 fireworks shop,
60 street shops, 90 small eateries/workshops/stores, 15 construction projects, 8 ponds and reservoirs.
"""

from __future__ import annotations

from anjian.accounts.roles import Role
from anjian.core.validators import credit_code_check_char, org_code_check_char
from anjian.units.models import UnitKind

TOWN_CODE = "330111112000"  # 场口镇
OTHER_TOWN_CODE = "330111113000"  # 常安镇, so that cross-town scoping is real
DISTRICT_CODE = "330111000000"  # 富阳区

# "建立一个安委会，六大专委会" — the report's own names.
MAIN_COMMITTEE = ("场口镇安全生产委员会", "安委会")
SPECIALISED_COMMITTEES = [
    ("工业、商贸企业专委会", "工业商贸", "工业企业、商贸企业、危险化学品、烟花爆竹、三场所三企业"),
    ("建设工程、燃气和小城市培育拆建专委会", "建设燃气", "在建工程、燃气、拆建工地、危旧房"),
    ("道路交通专委会", "道路交通", "道路交通、客货运输"),
    ("消防专委会", "消防", '消防重点单位、人员密集场所、出租房、"三合一"场所'),
    ("农业农村专委会", "农业农村", "山塘水库、农业机械、农村自建房"),
    ("文教卫、民宗、运休和旅游专委会", "文教卫旅", "学校、医疗机构、宗教场所、体育休闲和旅游场所"),
]

DEMO_PASSWORD = "anjian2026"  # noqa: S105 - printed on purpose: the demo log-ins

# user name, name, mobile, role, scope key, title
DEMO_USERS = [
    ("ck_office", "王敏", "13957100001", Role.TOWN_OFFICE, "town", "场口镇安监办"),
    ("ck_inspector", "李强", "13957100002", Role.INSPECTOR, "town", "场口镇安监员（委托执法）"),
    ("ck_leader", "陈建华", "13957100003", Role.LEADER, "town", "分管安全生产副镇长"),
    (
        "ck_committee",
        "周立新",
        "13957100004",
        Role.COMMITTEE_MEMBER,
        "committee:工业商贸",
        "工业、商贸企业专委会成员",
    ),
    (
        "ck_village",
        "俞海军",
        "13957100005",
        Role.VILLAGE_OFFICER,
        "village:东梓关村",
        "东梓关村安全员",
    ),
    (
        "ck_expert",
        "沈注安",
        "13957100006",
        Role.EXPERT,
        "expert",
        "富春安全技术服务有限公司 注册安全工程师",
    ),
    ("ck_enterprise", "何志明", "13957100007", Role.ENTERPRISE, "enterprise", "企业安全员"),
    ("ck_department", "孙晓燕", "13957100008", Role.DEPARTMENT, "town", "场口市场监管所"),
    ("fy_district", "郑国平", "13957100009", Role.DISTRICT, "district", "富阳区应急管理局"),
    ("ca_office", "吴丽", "13957100010", Role.TOWN_OFFICE, "other_town", "常安镇安监办"),
]

# kind, how many, name pattern pieces (industry words), which committee short name
UNIT_GROUPS = [
    ("haz_storage", UnitKind.ENTERPRISE, 2, ["化工仓储", "危险品仓储"], "工业商贸"),
    (
        "haz_use",
        UnitKind.ENTERPRISE,
        48,
        ["机械", "轻工", "电子", "铜业", "塑料", "纺织", "印刷", "包装", "五金", "新材料"],
        "工业商贸",
    ),
    (
        "three_places",
        UnitKind.ENTERPRISE,
        19,
        ["喷涂", "金属制品", "冷链食品", "铸造", "木业"],
        "工业商贸",
    ),
    ("fireworks", UnitKind.FIREWORKS_SHOP, 1, ["烟花爆竹专营店"], "工业商贸"),
    (
        "street_shop",
        UnitKind.STREET_SHOP,
        60,
        ["超市", "五金店", "服装店", "理发店", "药店", "电器店"],
        "工业商贸",
    ),
    (
        "small_venue",
        UnitKind.SMALL_VENUE,
        90,
        ["小吃店", "面馆", "农家乐", "仓杂店", "加工作坊", "快餐店"],
        "消防",
    ),
    (
        "construction",
        UnitKind.CONSTRUCTION,
        15,
        ["安置房工程", "道路改造工程", "厂房新建工程"],
        "建设燃气",
    ),
    ("reservoir", UnitKind.RESERVOIR, 8, ["山塘", "水库"], "农业农村"),
]

NAME_STEMS = [
    "富春",
    "江南",
    "明远",
    "恒达",
    "瑞丰",
    "华越",
    "新源",
    "东梓",
    "鸿运",
    "金桥",
    "永盛",
    "宏图",
    "嘉和",
    "天成",
    "汇通",
    "清江",
    "中埠",
    "上沙",
    "安顶",
    "青江",
    "兴旺",
    "博远",
    "锦程",
    "泰和",
]


def demo_credit_code(seq: int) -> str:
    """A valid-format, clearly fictional credit code: 91 + 富阳区 330111 + organisation code DEMO…"""
    org8 = f"MA2D{seq:04d}"
    org9 = org8 + org_code_check_char(org8)
    first17 = "91330111" + org9
    return first17 + credit_code_check_char(first17)
