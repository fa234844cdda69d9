"""The checklist templates shipped with anjian (``domain.md`` §7, Order 10 items from §2.7).

Each template is written as data: sections, and per item its wording, legal basis, the hazard level
and category a failure suggests and, for the situations that the industry-and-trade major-hazard
criteria (应急管理部令第10号, 2023) name, the clause. ``shipped_checklists_load`` creates the missing
ones with a published version 1; it is safe to call again (the data migration and the demo both do).
Every legal basis is a law's short title and an article (``legal_bases.Law.at``), the duty the item
checks (for example 《安全生产法》第三十六条 for a distribution box's door: safety equipment kept in
order, not 第二十七条, which is the principal's own knowledge); each names a row of the table of
provisions (``legal_bases.provision_key``; a test checks them all). An item that Order 10 names as a
major hazard cites the Order 10 article whose subject it is where no duty article is certain.

Whom a template suits (``templates.template_suits``): ``category_codes`` are the unit categories it
is made for (a unit with one of them), ``unit_kinds`` the kinds of unit it suits whatever their
categories. A specialised enterprise checklist (dust, ammonia, molten metal…) names categories
only, so a machinery firm is not offered the ammonia checklist; the general one names the kind
``enterprise`` and suits any enterprise.
"""

from __future__ import annotations

from typing import Any

from anjian.inspections.legal_bases import (
    CONSTRUCTION_REGULATIONS,
    DAM_REGULATIONS,
    FIRE_LAW,
    FLOOD_LAW,
    HAZCHEM_REGULATIONS,
    ORDER_10,
    RENTAL_MEASURES,
    SAFETY_LAW,
    SPECIAL_EQUIPMENT_LAW,
    provision_key,
)

ORDER10 = "工贸重大隐患判定标准"
GENERAL_CODE = "general"


def item(
    text: str,
    basis: str,
    category: str,
    *,
    major: str = "",
    level: str = "general",
    guidance: str = "",
) -> dict[str, Any]:
    """One item; ``major`` is the Order 10 clause (``第十一条第（十）项``), which makes it major.
    ``basis`` must name a provision of the table (``legal_bases``)."""
    if provision_key(basis) is None:
        raise ValueError(f"a shipped item's basis names a law and an article: {basis!r}")
    return {
        "text": text,
        "legal_basis": basis,
        "hazard_category": category,
        "hazard_level": "major" if major else level,
        "is_major_criterion": bool(major),
        "criterion_ref": f"{ORDER10} {major}" if major else "",
        "guidance": guidance,
    }


def _management(extra: list[dict[str, Any]] | None = None) -> tuple[str, list[dict[str, Any]]]:
    """The management items every enterprise template starts with."""
    return (
        "安全管理",
        [
            item(
                "建立全员安全生产责任制，逐级签订安全生产责任书",
                SAFETY_LAW.at("第二十二条"),
                "management",
                guidance="查阅责任制文件和责任书，抽问一线员工的岗位职责",
            ),
            item(
                "按规定设置安全生产管理机构或配备专（兼）职安全生产管理人员",
                SAFETY_LAW.at("第二十四条"),
                "management",
            ),
            item(
                "主要负责人和安全生产管理人员具备相应的安全生产知识和管理能力",
                SAFETY_LAW.at("第二十七条"),
                "training",
                guidance="查看培训合格证明或考核记录",
            ),
            *(extra or []),
        ],
    )


GENERAL = {
    "code": GENERAL_CODE,
    "name": "通用检查表（工业企业/小微企业）",
    "description": "适用于一般工业企业、小微企业和劳动密集型企业的日常检查；其他检查表没有覆盖的单位也可使用。",
    "unit_kinds": ["enterprise"],
    "category_codes": ["small-micro", "labour-intensive"],
    "sections": [
        _management(
            [
                item(
                    "建立并落实隐患排查治理制度，如实记录隐患排查治理情况并向从业人员通报",
                    SAFETY_LAW.at("第四十一条"),
                    "management",
                    guidance="查看隐患排查台账和整改记录",
                ),
                item(
                    "对承包单位、承租单位的安全生产工作统一协调、管理，并定期进行安全检查",
                    SAFETY_LAW.at("第四十九条"),
                    "management",
                    major="第三条第（一）项",
                ),
                item(
                    "依法投保安全生产责任保险（高危行业领域）并在有效期内",
                    SAFETY_LAW.at("第五十一条"),
                    "management",
                ),
            ]
        ),
        (
            "教育培训",
            [
                item(
                    "新员工进行厂（公司）、车间、班组三级安全教育，培训档案完整",
                    SAFETY_LAW.at("第二十八条"),
                    "training",
                    guidance="抽查培训档案：时间、内容、参加人员、考核结果",
                ),
                item(
                    "电工、焊工等特种作业人员经专门培训并取得相应资格后上岗",
                    SAFETY_LAW.at("第三十条"),
                    "training",
                    major="第三条第（二）项",
                    guidance="现场核对作业人员与特种作业操作证",
                ),
                item(
                    "叉车、起重机械等特种设备作业人员持证上岗",
                    SPECIAL_EQUIPMENT_LAW.at("第十四条"),
                    "special_equipment",
                ),
            ],
        ),
        (
            "作业场所与设备",
            [
                item(
                    "生产、经营、储存场所不与员工宿舍设在同一座建筑物内，且保持安全距离",
                    SAFETY_LAW.at("第四十二条"),
                    "building",
                ),
                item(
                    "皮带、齿轮、转轴、冲压等危险部位设置防护罩、急停或联锁装置",
                    SAFETY_LAW.at("第三十六条"),
                    "machinery",
                ),
                item(
                    "有较大危险因素的场所和设备设施设置明显的安全警示标志",
                    SAFETY_LAW.at("第三十五条"),
                    "site",
                ),
                item(
                    "锅炉、压力容器、电梯、起重机械、叉车等特种设备登记并在检验有效期内",
                    SPECIAL_EQUIPMENT_LAW.at("第四十条"),
                    "special_equipment",
                    guidance="超出安监办职责的问题移送市场监管部门",
                ),
                item(
                    "配电箱（柜）完好、关闭并有标识，无私拉乱接电线，按规定设置漏电保护",
                    SAFETY_LAW.at("第三十六条"),
                    "electrical",
                ),
                item(
                    "按岗位为从业人员配备符合标准的劳动防护用品，并督促正确佩戴",
                    SAFETY_LAW.at("第四十五条"),
                    "ppe",
                ),
                item(
                    "动火、高处、临时用电、吊装等危险作业履行审批手续，并安排专人现场管理",
                    SAFETY_LAW.at("第四十三条"),
                    "height",
                ),
            ],
        ),
        (
            "消防与应急",
            [
                item(
                    "灭火器、消火栓等消防器材配置齐全、完好有效并定期检查",
                    FIRE_LAW.at("第十六条"),
                    "fire",
                ),
                item(
                    "安全出口、疏散通道畅通，无占用、堵塞、封闭或锁闭",
                    SAFETY_LAW.at("第四十二条"),
                    "fire",
                ),
                item(
                    "未使用易燃可燃材料为芯材的彩钢夹芯板搭建厂房、仓库或宿舍",
                    FIRE_LAW.at("第二十六条"),
                    "fire",
                ),
                item(
                    "制定生产安全事故应急救援预案并定期组织演练，有演练记录",
                    SAFETY_LAW.at("第八十一条"),
                    "emergency",
                ),
            ],
        ),
    ],
}

HAZCHEM = {
    "code": "haz-chem-use",
    "name": "危险化学品使用单位检查表",
    "description": "适用于使用、储存危险化学品的工贸企业（油漆、稀释剂、液化气、酸碱等）。",
    "unit_kinds": [],
    "category_codes": ["haz-chem-use", "haz-chem-storage", "flammable"],
    "sections": [
        _management(
            [
                item(
                    "建立危险化学品管理制度和岗位安全操作规程，并对作业人员培训",
                    SAFETY_LAW.at("第三十九条"),
                    "haz_chem",
                ),
                item(
                    "建立危险化学品购买、领用、使用台账，账物相符",
                    SAFETY_LAW.at("第三十九条"),
                    "haz_chem",
                ),
            ]
        ),
        (
            "储存",
            [
                item(
                    "危险化学品储存在专用仓库或专用储存室，远离火源、热源",
                    HAZCHEM_REGULATIONS.at("第二十四条"),
                    "haz_chem",
                ),
                item(
                    "禁忌物料分区、分类存放，保持安全间距",
                    HAZCHEM_REGULATIONS.at("第二十四条"),
                    "haz_chem",
                ),
                item(
                    "作业现场危险化学品存放量不超过一天（一个班次）的使用量",
                    SAFETY_LAW.at("第三十九条"),
                    "haz_chem",
                ),
                item(
                    "储存场所电气设备符合防爆要求，设置防静电接地",
                    SAFETY_LAW.at("第三十六条"),
                    "electrical",
                ),
                item(
                    "储存场所设置可燃（有毒）气体检测报警装置和机械通风设施",
                    SAFETY_LAW.at("第三十六条"),
                    "haz_chem",
                ),
                item(
                    "库房设置明显的安全警示标志和危险化学品安全周知卡",
                    SAFETY_LAW.at("第三十五条"),
                    "site",
                ),
            ],
        ),
        (
            "使用与应急",
            [
                item(
                    "危险化学品包装完好，有中文化学品安全技术说明书和安全标签",
                    SAFETY_LAW.at("第三十九条"),
                    "haz_chem",
                ),
                item(
                    "使用易燃易爆化学品的场所使用防爆工具，严禁明火和吸烟",
                    FIRE_LAW.at("第二十一条"),
                    "fire",
                ),
                item(
                    "腐蚀性、毒性物料使用场所设置洗眼器、喷淋装置",
                    SAFETY_LAW.at("第三十六条"),
                    "ppe",
                ),
                item(
                    "为作业人员配备防毒面具、防护手套、防护眼镜等防护用品",
                    SAFETY_LAW.at("第四十五条"),
                    "ppe",
                ),
                item(
                    "配备泄漏应急处置器材（吸附棉、沙土、收集桶等），制定专项应急预案",
                    SAFETY_LAW.at("第八十一条"),
                    "emergency",
                ),
                item(
                    "废弃危险化学品及包装物按规定收集、存放和处置",
                    SAFETY_LAW.at("第三十九条"),
                    "haz_chem",
                ),
            ],
        ),
    ],
}

FIREWORKS = {
    "code": "fireworks-retail",
    "name": "烟花爆竹零售店检查表",
    "description": "适用于烟花爆竹零售经营点（含春节期间临时零售点）。",
    "unit_kinds": ["fireworks_shop"],
    "category_codes": ["fireworks"],
    "sections": [
        (
            "许可与人员",
            [
                item(
                    "持有有效的烟花爆竹经营（零售）许可证，并在醒目位置悬挂",
                    SAFETY_LAW.at("第三十九条"),
                    "management",
                ),
                item(
                    "经营场所、经营品种和限量与许可证载明的一致",
                    SAFETY_LAW.at("第三十九条"),
                    "management",
                ),
                item(
                    "主要负责人和从业人员经安全知识培训",
                    SAFETY_LAW.at("第二十八条"),
                    "training",
                ),
                item(
                    "从规定的批发企业进货，有进货台账和购销凭证",
                    SAFETY_LAW.at("第三十九条"),
                    "management",
                ),
            ],
        ),
        (
            "场所与储存",
            [
                item(
                    "零售点与居民居住场所设置有效隔离，不设在地下室或人员密集场所内",
                    FIRE_LAW.at("第十九条"),
                    "building",
                    level="major",
                ),
                item(
                    "店内存放量不超过许可限量，不在店外或居住场所另设储存点",
                    SAFETY_LAW.at("第三十九条"),
                    "haz_chem",
                    level="major",
                ),
                item(
                    "不销售非法生产、超标或礼花弹等专业燃放类产品",
                    SAFETY_LAW.at("第三十九条"),
                    "haz_chem",
                    level="major",
                ),
                item(
                    "产品码放整齐稳固，与照明灯具、电源开关保持安全距离",
                    SAFETY_LAW.at("第三十九条"),
                    "site",
                ),
                item(
                    "店内无明火，不使用电炉、取暖器等电热器具，电气线路穿管保护",
                    FIRE_LAW.at("第二十一条"),
                    "electrical",
                ),
            ],
        ),
        (
            "消防与标志",
            [
                item(
                    "配备符合要求的灭火器和消防水桶，完好有效",
                    FIRE_LAW.at("第十六条"),
                    "fire",
                ),
                item(
                    "设置“严禁烟火”等安全警示标志，张贴安全燃放常识",
                    SAFETY_LAW.at("第三十五条"),
                    "site",
                ),
                item(
                    "出入口畅通，不在店门口或通道堆放产品和杂物",
                    FIRE_LAW.at("第二十八条"),
                    "fire",
                ),
                item(
                    "不向未成年人销售烟花爆竹",
                    SAFETY_LAW.at("第三十九条"),
                    "management",
                ),
            ],
        ),
    ],
}

CONFINED = {
    "code": "confined-space",
    "name": "有限空间作业检查表",
    "description": "适用于存在污水井、化粪池、地下室、沼气池、发酵罐、反应釜等有限空间的单位（三场所三企业）。",
    "unit_kinds": [],
    "category_codes": ["confined-space"],
    "sections": [
        (
            "辨识与台账",
            [
                item(
                    "对有限空间进行辨识，建立有限空间安全管理台账",
                    ORDER_10.at("第十三条"),
                    "confined_space",
                    major="第十三条第（一）项",
                    guidance="台账应载明名称、位置、可能存在的有害因素、作业风险",
                ),
                item(
                    "在有限空间入口设置明显的安全警示标志和告知牌",
                    ORDER_10.at("第十三条"),
                    "confined_space",
                    major="第十三条第（一）项",
                    guidance="现场查看污水井、化粪池、地下池等入口",
                ),
                item(
                    "建立有限空间作业安全管理制度和安全操作规程",
                    SAFETY_LAW.at("第二十一条"),
                    "management",
                ),
                item(
                    "对有限空间作业负责人、监护人员、作业人员进行专项安全培训",
                    SAFETY_LAW.at("第二十八条"),
                    "training",
                ),
            ],
        ),
        (
            "作业过程",
            [
                item(
                    "有限空间作业前履行作业审批手续",
                    ORDER_10.at("第十三条"),
                    "confined_space",
                    major="第十三条第（二）项",
                    guidance="查看作业审批单",
                ),
                item(
                    "严格执行“先通风、再检测、后作业”，检测结果合格后方可作业",
                    ORDER_10.at("第十三条"),
                    "confined_space",
                    major="第十三条第（二）项",
                ),
                item(
                    "作业现场设置专人监护，监护人员全程在岗",
                    ORDER_10.at("第十三条"),
                    "confined_space",
                    major="第十三条第（二）项",
                ),
                item(
                    "作业过程中持续或定时检测氧气、硫化氢、一氧化碳等气体浓度并记录",
                    SAFETY_LAW.at("第四十三条"),
                    "confined_space",
                ),
                item(
                    "对可能危及作业安全的设备设施、物料采取隔离、上锁挂牌措施",
                    SAFETY_LAW.at("第四十三条"),
                    "confined_space",
                ),
                item(
                    "发包有限空间作业的，与承包单位签订安全管理协议并进行监督",
                    SAFETY_LAW.at("第四十九条"),
                    "management",
                ),
            ],
        ),
        (
            "装备与应急",
            [
                item(
                    "配备气体检测报警仪、通风设备、呼吸防护用品、安全带（绳）等",
                    SAFETY_LAW.at("第四十五条"),
                    "ppe",
                ),
                item(
                    "制定有限空间作业专项应急预案或现场处置方案，每年至少演练一次",
                    SAFETY_LAW.at("第八十一条"),
                    "emergency",
                ),
                item(
                    "配备应急救援装备，严禁盲目施救",
                    SAFETY_LAW.at("第八十一条"),
                    "emergency",
                ),
            ],
        ),
    ],
}

DUST = {
    "code": "combustible-dust",
    "name": "粉尘涉爆企业检查表",
    "description": "适用于存在铝镁、木质、粮食、塑料等可燃性粉尘的企业（三场所三企业）。",
    "unit_kinds": [],
    "category_codes": ["combustible-dust", "bamboo-wood"],
    "sections": [
        _management(
            [
                item(
                    "建立粉尘防爆安全管理制度，辨识粉尘爆炸危险场所并设置警示标志",
                    SAFETY_LAW.at("第四十一条"),
                    "dust",
                ),
                item(
                    "对粉尘作业岗位人员进行粉尘防爆专项培训",
                    SAFETY_LAW.at("第二十八条"),
                    "training",
                ),
            ]
        ),
        (
            "建筑与布局",
            [
                item(
                    "粉尘爆炸危险场所未设置在非框架结构的多层建筑物内，场所内未设员工宿舍、会议室、办公室、休息室等",
                    ORDER_10.at("第十一条"),
                    "dust",
                    major="第十一条第（一）项",
                ),
            ],
        ),
        (
            "除尘系统",
            [
                item(
                    "不同类别的可燃性粉尘、粉尘与可燃气体不共用一套除尘系统；不同建（构）筑物、防火分区不共用一套除尘系统",
                    ORDER_10.at("第十一条"),
                    "dust",
                    major="第十一条第（二）项",
                ),
                item(
                    "干式除尘系统采取泄爆、惰化、抑爆等至少一种爆炸防控措施",
                    ORDER_10.at("第十一条"),
                    "dust",
                    major="第十一条第（三）项",
                ),
                item(
                    "铝镁等金属粉尘除尘系统不采用正压吹送，或采取火花探测消除等防范点燃源措施",
                    ORDER_10.at("第十一条"),
                    "dust",
                    major="第十一条第（四）项",
                ),
                item(
                    "除尘系统未采用重力沉降室除尘，未采用干式巷道式构筑物作为除尘风道",
                    ORDER_10.at("第十一条"),
                    "dust",
                    major="第十一条第（五）项",
                ),
                item(
                    "铝镁等金属粉尘、木质粉尘的干式除尘系统设置锁气卸灰装置",
                    ORDER_10.at("第十一条"),
                    "dust",
                    major="第十一条第（六）项",
                ),
                item(
                    "除尘器、收尘仓等20区粉尘爆炸危险场所的电气设备符合防爆要求",
                    ORDER_10.at("第十一条"),
                    "electrical",
                    major="第十一条第（七）项",
                ),
            ],
        ),
        (
            "点燃源与清理",
            [
                item(
                    "粉碎、研磨、造粒等设备前设置铁、石等杂物去除装置；木制品加工砂光机风管设置火花探测消除装置",
                    ORDER_10.at("第十一条"),
                    "dust",
                    major="第十一条第（八）项",
                ),
                item(
                    "遇湿自燃金属粉尘收集、堆放、储存场所采取通风等防止氢气积聚措施，并防水防潮",
                    ORDER_10.at("第十一条"),
                    "dust",
                    major="第十一条第（九）项",
                ),
                item(
                    "落实粉尘清理制度，作业现场无严重积尘（积尘厚度达到1毫米时应停产清理）",
                    ORDER_10.at("第十一条"),
                    "dust",
                    major="第十一条第（十）项",
                    guidance="查看清扫记录，现场查看设备、地面、梁柱积尘",
                ),
                item(
                    "粉尘爆炸危险场所设备设施采取防静电接地措施",
                    SAFETY_LAW.at("第三十六条"),
                    "electrical",
                ),
                item(
                    "粉尘爆炸危险场所严禁明火，动火作业履行审批并停产清理",
                    SAFETY_LAW.at("第四十三条"),
                    "fire",
                ),
            ],
        ),
    ],
}

SPRAY = {
    "code": "spray-coating",
    "name": "喷涂作业检查表",
    "description": "适用于喷漆（非水性）、喷塑等涂装作业企业（三场所三企业）。",
    "unit_kinds": [],
    "category_codes": ["spray-coating", "spray-painting", "powder-coating"],
    "sections": [
        (
            "场所与布局",
            [
                item(
                    "喷漆室（房）、调漆间独立设置，与其他作业区、办公和生活区有效分隔",
                    SAFETY_LAW.at("第二十条"),
                    "building",
                ),
                item(
                    "涂装调漆间和喷漆室规范设置可燃气体报警装置和防爆电气设备设施",
                    ORDER_10.at("第七条"),
                    "electrical",
                    major="第七条（机械）",
                ),
                item(
                    "喷漆室设置机械通风和漆雾净化装置，运行正常",
                    SAFETY_LAW.at("第三十六条"),
                    "site",
                ),
                item(
                    "喷涂场所设备设施、管道采取防静电接地措施",
                    SAFETY_LAW.at("第三十六条"),
                    "electrical",
                ),
            ],
        ),
        (
            "物料管理",
            [
                item(
                    "油漆、稀释剂等存放于专用储存间，作业现场存量不超过一个班次的用量",
                    SAFETY_LAW.at("第三十九条"),
                    "haz_chem",
                ),
                item(
                    "废漆渣、沾有油漆的废抹布等及时清理，存放于带盖金属容器",
                    SAFETY_LAW.at("第三十九条"),
                    "fire",
                ),
                item(
                    "使用易燃易爆稀释剂清洗设备时，采取措施及时清除地沟、地坑内积聚的可燃气体",
                    SAFETY_LAW.at("第三十九条"),
                    "haz_chem",
                ),
                item(
                    "喷塑粉末回收系统采取防爆措施，落实粉尘清理",
                    SAFETY_LAW.at("第三十六条"),
                    "dust",
                ),
            ],
        ),
        (
            "防护与应急",
            [
                item(
                    "喷涂作业人员佩戴防毒口罩（面具）、防护服等劳动防护用品",
                    SAFETY_LAW.at("第四十五条"),
                    "ppe",
                ),
                item(
                    "喷涂场所严禁明火，设置“严禁烟火”警示标志",
                    SAFETY_LAW.at("第三十五条"),
                    "fire",
                ),
                item(
                    "配备适用于油漆火灾的灭火器材，完好有效",
                    FIRE_LAW.at("第十六条"),
                    "fire",
                ),
                item(
                    "开展职业病危害因素告知和检测，作业人员进行职业健康检查",
                    SAFETY_LAW.at("第四十四条"),
                    "ppe",
                ),
            ],
        ),
    ],
}

AMMONIA = {
    "code": "ammonia-refrigeration",
    "name": "涉氨制冷企业检查表",
    "description": "适用于使用液氨制冷的冷库、食品加工等企业（三场所三企业）。",
    "unit_kinds": [],
    "category_codes": ["ammonia-refrigeration"],
    "sections": [
        _management(
            [
                item(
                    "制冷工等特种作业人员持证上岗",
                    SAFETY_LAW.at("第三十条"),
                    "training",
                    major="第三条第（二）项",
                ),
            ]
        ),
        (
            "工艺与布局",
            [
                item(
                    "包装、分割、产品整理场所的空调系统未采用氨直接蒸发制冷",
                    ORDER_10.at("第十二条"),
                    "haz_chem",
                    major="第十二条第（一）项",
                ),
                item(
                    "快速冻结装置设置在单独的作业间内",
                    ORDER_10.at("第十二条"),
                    "haz_chem",
                    major="第十二条第（二）项",
                ),
                item(
                    "快速冻结装置作业间内作业人员不超过9人",
                    ORDER_10.at("第十二条"),
                    "haz_chem",
                    major="第十二条第（二）项",
                    guidance="现场清点作业人数，查看排班表",
                ),
                item(
                    "氨制冷机房与其他场所分隔，设置事故排风装置",
                    SAFETY_LAW.at("第三十六条"),
                    "site",
                ),
            ],
        ),
        (
            "设备与检测报警",
            [
                item(
                    "氨制冷机房和设备间设置氨气浓度检测报警装置，并与事故排风联锁",
                    SAFETY_LAW.at("第三十六条"),
                    "haz_chem",
                ),
                item(
                    "氨制冷机房电气设备符合防爆要求",
                    SAFETY_LAW.at("第三十六条"),
                    "electrical",
                ),
                item(
                    "储氨器、压力容器、压力管道、安全阀等按期检验",
                    SPECIAL_EQUIPMENT_LAW.at("第四十条"),
                    "special_equipment",
                ),
                item(
                    "氨管道标识介质名称和流向，阀门无泄漏",
                    SAFETY_LAW.at("第三十五条"),
                    "haz_chem",
                ),
            ],
        ),
        (
            "应急",
            [
                item(
                    "配备正压式空气呼吸器、防化服、过滤式防毒面具等应急器材",
                    SAFETY_LAW.at("第四十五条"),
                    "emergency",
                ),
                item(
                    "设置洗眼器、喷淋装置，制定氨泄漏专项应急预案并演练",
                    SAFETY_LAW.at("第八十一条"),
                    "emergency",
                ),
            ],
        ),
    ],
}

MOLTEN = {
    "code": "molten-metal",
    "name": "高温熔融金属作业检查表",
    "description": "适用于金属冶炼、铸造等存在高温熔融金属的企业（三场所三企业）。",
    "unit_kinds": [],
    "category_codes": ["metal-smelting"],
    "sections": [
        _management(
            [
                item(
                    "辨识高温熔融金属作业的重大危险因素，制定管控措施",
                    SAFETY_LAW.at("第四十一条"),
                    "management",
                ),
                item(
                    "金属冶炼企业主要负责人、安全生产管理人员经考核合格",
                    SAFETY_LAW.at("第二十七条"),
                    "training",
                    major="第三条第（三）项",
                ),
            ]
        ),
        (
            "场所布局",
            [
                item(
                    "会议室、休息室、更衣室、交接班室等人员聚集场所未设在熔炼炉、熔融金属吊运和浇注影响范围内",
                    ORDER_10.at("第七条"),
                    "building",
                    major="第七条（机械）",
                ),
                item(
                    "熔炼、浇注区域地面干燥，无积水，设置防止熔融金属与水接触的措施",
                    SAFETY_LAW.at("第四十一条"),
                    "site",
                ),
                item(
                    "熔融金属作业区域设置安全警示标志和警戒区",
                    SAFETY_LAW.at("第三十五条"),
                    "site",
                ),
            ],
        ),
        (
            "设备设施",
            [
                item(
                    "吊运熔融金属的起重机符合冶金铸造起重机要求，驱动装置设置两套制动器",
                    ORDER_10.at("第七条"),
                    "special_equipment",
                    major="第七条（机械）",
                ),
                item(
                    "熔炼炉、保温炉设置紧急排放和应急储存设施",
                    ORDER_10.at("第七条"),
                    "machinery",
                    major="第七条（机械）",
                ),
                item(
                    "熔炼炉冷却水系统设置出水温度、进出水流量差监测报警装置",
                    ORDER_10.at("第七条"),
                    "machinery",
                    major="第七条（机械）",
                ),
                item(
                    "浇包、吊具、钢丝绳等定期检查，无裂纹、变形",
                    SAFETY_LAW.at("第三十六条"),
                    "special_equipment",
                ),
                item(
                    "炉料、模具、工具使用前进行干燥预热，严禁潮湿物料入炉",
                    SAFETY_LAW.at("第四十一条"),
                    "machinery",
                ),
            ],
        ),
        (
            "防护与应急",
            [
                item(
                    "作业人员穿戴隔热服、防护面罩、防护鞋等防护用品",
                    SAFETY_LAW.at("第四十五条"),
                    "ppe",
                ),
                item(
                    "制定熔融金属喷溅、泄漏专项应急预案并演练",
                    SAFETY_LAW.at("第八十一条"),
                    "emergency",
                ),
            ],
        ),
    ],
}

FIRE_KEY = {
    "code": "fire-key-unit",
    "name": "消防安全重点单位检查表",
    "description": "适用于消防安全重点单位和人员密集场所（商场、宾馆、学校、医院、劳动密集型企业等）。",
    "unit_kinds": ["crowded_venue"],
    "category_codes": ["fire-key-unit", "crowded-place", "labour-intensive"],
    "sections": [
        (
            "消防安全管理",
            [
                item(
                    "确定消防安全责任人、管理人，落实消防安全责任制",
                    FIRE_LAW.at("第十六条"),
                    "management",
                ),
                item(
                    "建立消防档案，每日开展防火巡查并记录",
                    FIRE_LAW.at("第十七条"),
                    "fire",
                ),
                item(
                    "员工经消防安全培训，会报警、会使用灭火器和消火栓、会组织疏散",
                    FIRE_LAW.at("第十七条"),
                    "training",
                    guidance="现场抽问员工“一懂三会”",
                ),
                item(
                    "制定灭火和应急疏散预案，至少每半年组织一次演练",
                    FIRE_LAW.at("第十六条"),
                    "emergency",
                ),
                item(
                    "消防控制室值班人员持证上岗，实行24小时值班",
                    FIRE_LAW.at("第二十一条"),
                    "fire",
                ),
            ],
        ),
        (
            "疏散设施",
            [
                item(
                    "安全出口、疏散通道畅通，无锁闭、封堵、占用",
                    FIRE_LAW.at("第二十八条"),
                    "fire",
                    level="major",
                ),
                item(
                    "应急照明、疏散指示标志完好有效",
                    FIRE_LAW.at("第十六条"),
                    "fire",
                ),
                item(
                    "人员密集场所外墙门窗未设置影响逃生和灭火救援的障碍物",
                    FIRE_LAW.at("第二十八条"),
                    "fire",
                ),
            ],
        ),
        (
            "消防设施与用火用电",
            [
                item(
                    "自动喷水灭火、火灾自动报警等消防设施保持正常运行，每年检测",
                    FIRE_LAW.at("第十六条"),
                    "fire",
                ),
                item(
                    "灭火器、室内消火栓配置齐全、完好有效",
                    FIRE_LAW.at("第十六条"),
                    "fire",
                ),
                item(
                    "消防车通道畅通，未被占用",
                    FIRE_LAW.at("第二十八条"),
                    "fire",
                ),
                item(
                    "电气线路敷设规范，无私拉乱接，未使用大功率违章电器",
                    FIRE_LAW.at("第二十七条"),
                    "electrical",
                ),
                item(
                    "电动自行车未在建筑内公共门厅、疏散通道、楼梯间停放或充电",
                    FIRE_LAW.at("第二十八条"),
                    "fire",
                ),
                item(
                    "室内装修未使用易燃可燃材料，未擅自改变防火分区",
                    FIRE_LAW.at("第二十六条"),
                    "building",
                ),
            ],
        ),
    ],
}

CONSTRUCTION = {
    "code": "construction-site",
    "name": "建筑施工工地检查表",
    "description": "适用于镇村建设项目、农村自建房等施工工地的属地巡查。",
    "unit_kinds": ["construction"],
    "category_codes": [],
    "sections": [
        (
            "施工管理",
            [
                item(
                    "施工单位具备相应资质，项目负责人、专职安全员到岗履职",
                    SAFETY_LAW.at("第二十四条"),
                    "management",
                ),
                item(
                    "危险性较大的分部分项工程编制专项施工方案并按方案施工",
                    CONSTRUCTION_REGULATIONS.at("第二十六条"),
                    "management",
                    level="major",
                ),
                item(
                    "施工人员进场进行安全教育和安全技术交底",
                    SAFETY_LAW.at("第二十八条"),
                    "training",
                ),
                item(
                    "建筑电工、架子工、起重司机等特种作业人员持证上岗",
                    SAFETY_LAW.at("第三十条"),
                    "training",
                ),
            ],
        ),
        (
            "现场防护",
            [
                item(
                    "临边、洞口设置防护栏杆或盖板，高处作业人员系挂安全带",
                    SAFETY_LAW.at("第三十六条"),
                    "height",
                ),
                item(
                    "进入施工现场人员正确佩戴安全帽",
                    SAFETY_LAW.at("第四十五条"),
                    "ppe",
                ),
                item(
                    "脚手架搭设规范，立杆基础牢固，按规定设置连墙件和剪刀撑",
                    SAFETY_LAW.at("第二十条"),
                    "height",
                ),
                item(
                    "基坑开挖按规定放坡或支护，坑边不超载堆放",
                    SAFETY_LAW.at("第二十条"),
                    "site",
                ),
                item(
                    "施工现场设置围挡和安全警示标志",
                    SAFETY_LAW.at("第三十五条"),
                    "site",
                ),
            ],
        ),
        (
            "机械与用电",
            [
                item(
                    "塔吊、施工升降机等起重机械经检验合格并办理使用登记",
                    SPECIAL_EQUIPMENT_LAW.at("第三十三条"),
                    "special_equipment",
                ),
                item(
                    "施工临时用电采用TN-S系统，实行“一机一闸一漏保”",
                    SAFETY_LAW.at("第三十六条"),
                    "electrical",
                ),
                item(
                    "动火作业办理审批，配备灭火器材并有专人监护",
                    SAFETY_LAW.at("第四十三条"),
                    "fire",
                ),
            ],
        ),
        (
            "生活区与消防",
            [
                item(
                    "施工现场办公区、生活区与作业区分开设置，宿舍未设在在建工程内",
                    CONSTRUCTION_REGULATIONS.at("第二十九条"),
                    "building",
                ),
                item(
                    "临时用房、宿舍彩钢板芯材为不燃材料，配置灭火器",
                    FIRE_LAW.at("第二十六条"),
                    "fire",
                ),
            ],
        ),
    ],
}

STREET_SHOP = {
    "code": "street-shop",
    "name": "临街商铺及小餐饮检查表",
    "description": "适用于临街商铺、小餐饮、小作坊、小商店等“九小场所”。",
    "unit_kinds": ["street_shop", "small_venue"],
    "category_codes": ["gas"],
    "sections": [
        (
            "燃气使用",
            [
                item(
                    "使用合格的液化石油气钢瓶，钢瓶在检验期内，从正规供气点购气",
                    FIRE_LAW.at("第二十七条"),
                    "gas",
                ),
                item(
                    "液化气钢瓶与灶具分隔，不在地下室、半地下室使用液化石油气",
                    FIRE_LAW.at("第二十七条"),
                    "gas",
                    level="major",
                ),
                item(
                    "使用燃气的场所安装可燃气体报警装置，燃气软管未老化且长度符合要求",
                    SAFETY_LAW.at("第三十六条"),
                    "gas",
                ),
                item(
                    "厨房排油烟管道定期清洗，有清洗记录",
                    FIRE_LAW.at("第十六条"),
                    "fire",
                ),
            ],
        ),
        (
            "用电与消防",
            [
                item(
                    "电气线路穿管保护，无私拉乱接、超负荷用电",
                    FIRE_LAW.at("第二十七条"),
                    "electrical",
                ),
                item(
                    "配置灭火器（餐饮场所配灭火毯），员工会使用",
                    FIRE_LAW.at("第十六条"),
                    "fire",
                ),
                item(
                    "安全出口、疏散通道畅通，门窗无影响逃生的防盗网",
                    FIRE_LAW.at("第二十八条"),
                    "fire",
                ),
                item(
                    "电动自行车未在店内停放、充电",
                    FIRE_LAW.at("第十六条"),
                    "fire",
                ),
                item(
                    "店内未设置住人场所；确需住人的，采取防火分隔并设独立疏散通道",
                    FIRE_LAW.at("第十九条"),
                    "fire",
                    level="major",
                ),
            ],
        ),
        (
            "经营管理",
            [
                item(
                    "店铺招牌、广告牌、遮阳棚等设施牢固，无坠落风险",
                    SAFETY_LAW.at("第四十一条"),
                    "building",
                ),
                item(
                    "未超出门店占道经营、堆放货物",
                    SAFETY_LAW.at("第四十二条"),
                    "site",
                ),
                item(
                    "未违规储存、销售汽油等易燃易爆物品",
                    SAFETY_LAW.at("第三十九条"),
                    "haz_chem",
                ),
            ],
        ),
    ],
}

RENTAL = {
    "code": "rental-three-in-one",
    "name": "出租房及“三合一”场所检查表",
    "description": "适用于出租房屋、群租房和生产、储存、经营与住宿合用的“三合一”场所。",
    "unit_kinds": ["housing"],
    "category_codes": ["rental-housing", "three-in-one"],
    "sections": [
        (
            "房屋与分隔",
            [
                item(
                    "房屋结构无明显开裂、倾斜，危房未出租使用",
                    RENTAL_MEASURES.at("第六条"),
                    "building",
                    level="major",
                ),
                item(
                    "住宿与生产、储存、经营场所之间采用不燃烧体墙完全分隔",
                    FIRE_LAW.at("第十九条"),
                    "fire",
                    level="major",
                ),
                item(
                    "住宿部分设有独立的疏散楼梯或安全出口",
                    FIRE_LAW.at("第十九条"),
                    "fire",
                ),
                item(
                    "未采用易燃可燃材料分隔房间或搭建阁楼",
                    FIRE_LAW.at("第二十六条"),
                    "fire",
                ),
            ],
        ),
        (
            "疏散与消防设施",
            [
                item(
                    "疏散通道、楼梯畅通，窗户防盗网设置逃生口",
                    FIRE_LAW.at("第二十八条"),
                    "fire",
                ),
                item(
                    "每层配置灭火器，设置独立式感烟火灾探测报警器和应急照明",
                    FIRE_LAW.at("第十六条"),
                    "fire",
                ),
                item(
                    "电动自行车集中停放充电，不在楼道、楼梯间、室内停放充电",
                    FIRE_LAW.at("第二十八条"),
                    "fire",
                ),
            ],
        ),
        (
            "用电用气与管理",
            [
                item(
                    "电气线路穿管敷设，无私拉乱接，未使用大功率电器",
                    FIRE_LAW.at("第二十七条"),
                    "electrical",
                ),
                item(
                    "室内未使用、存放液化气钢瓶等易燃易爆危险品",
                    FIRE_LAW.at("第二十七条"),
                    "gas",
                ),
                item(
                    "房东与承租人签订治安消防安全责任书，落实出租房屋登记",
                    FIRE_LAW.at("第十八条"),
                    "management",
                ),
                item(
                    "居住人数与面积相适应，无群租过密住人",
                    RENTAL_MEASURES.at("第八条"),
                    "management",
                ),
            ],
        ),
    ],
}

RESERVOIR = {
    "code": "pond-reservoir",
    "name": "山塘水库检查表",
    "description": "适用于山塘、小型水库的汛前、汛期安全巡查。",
    "unit_kinds": ["reservoir"],
    "category_codes": [],
    "sections": [
        (
            "责任落实",
            [
                item(
                    "落实行政责任人、技术责任人和巡查责任人，并在醒目位置公示",
                    DAM_REGULATIONS.at("第四条"),
                    "management",
                ),
                item(
                    "巡查责任人按规定开展日常巡查，巡查记录完整",
                    DAM_REGULATIONS.at("第十九条"),
                    "management",
                ),
                item(
                    "制定防汛抢险应急预案，明确转移路线和人员",
                    SAFETY_LAW.at("第八十一条"),
                    "emergency",
                ),
            ],
        ),
        (
            "工程状况",
            [
                item(
                    "坝体无裂缝、滑坡、塌陷、渗漏等异常",
                    DAM_REGULATIONS.at("第十九条"),
                    "building",
                    level="major",
                ),
                item(
                    "溢洪道畅通，无堵塞、拦网、违章设障",
                    DAM_REGULATIONS.at("第二十条"),
                    "site",
                    level="major",
                ),
                item(
                    "放水设施启闭正常，闸门、启闭机完好",
                    DAM_REGULATIONS.at("第二十条"),
                    "machinery",
                ),
                item(
                    "按规定控制汛期水位，未超汛限水位蓄水",
                    FLOOD_LAW.at("第四十四条"),
                    "site",
                ),
            ],
        ),
        (
            "警示与应急",
            [
                item(
                    "设置“水深危险 禁止游泳”等安全警示标志和防护设施",
                    SAFETY_LAW.at("第三十五条"),
                    "site",
                ),
                item(
                    "配备救生圈、救生绳、竹竿等应急救援器材",
                    SAFETY_LAW.at("第八十一条"),
                    "emergency",
                ),
                item(
                    "具备水位观测和雨情、险情预警通信手段",
                    DAM_REGULATIONS.at("第十九条"),
                    "emergency",
                ),
            ],
        ),
    ],
}

SHIPPED_CHECKLISTS: list[dict[str, Any]] = [
    GENERAL,
    HAZCHEM,
    FIREWORKS,
    CONFINED,
    DUST,
    SPRAY,
    AMMONIA,
    MOLTEN,
    FIRE_KEY,
    CONSTRUCTION,
    STREET_SHOP,
    RENTAL,
    RESERVOIR,
]


def shipped_checklists_load(apps=None) -> int:
    """Create every shipped template that is missing, with version 1 published; return how many
    were created. Existing ones (and their frozen versions) are left as they are.

    ``apps`` is a migration's app registry (historical models); without it the real models are used.
    """
    from django.db import transaction
    from django.utils import timezone

    if apps is None:
        from django.apps import apps as apps_registry

        apps = apps_registry
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Version = apps.get_model("inspections", "ChecklistVersion")
    Section = apps.get_model("inspections", "ChecklistSection")
    Item = apps.get_model("inspections", "ChecklistItem")
    created = 0
    with transaction.atomic():
        existing = set(Template.objects.filter(region__isnull=True).values_list("code", flat=True))
        for order, spec in enumerate(SHIPPED_CHECKLISTS, start=1):
            if spec["code"] in existing:
                continue
            template = Template.objects.create(
                code=spec["code"],
                name=spec["name"],
                description=spec["description"],
                unit_kinds=list(spec["unit_kinds"]),
                category_codes=list(spec["category_codes"]),
                sort_order=order * 10,
            )
            version = Version.objects.create(
                template=template,
                number=1,
                status="published",
                note="系统自带",
                published_at=timezone.now(),
            )
            for s_order, (title, items) in enumerate(spec["sections"], start=1):
                section = Section.objects.create(version=version, title=title, order=s_order)
                Item.objects.bulk_create(
                    Item(section=section, order=i_order, **fields)
                    for i_order, fields in enumerate(items, start=1)
                )
            created += 1
    return created
