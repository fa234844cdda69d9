"""Seed the table of provisions with the penalties domain §2.4 names (facts stated there only;
"verify" notes are kept in the note)."""

from decimal import Decimal

from django.db import migrations

SAFETY_LAW = "中华人民共和国安全生产法（2021）"
ORDER_16 = "安全生产事故隐患排查治理暂行规定（原国家安全监管总局令第16号）"

ORDER_16_ART_26 = {
    "第二十六条第（一）项": "未建立安全生产事故隐患排查治理等各项制度",
    "第二十六条第（二）项": "未按规定上报事故隐患排查治理统计分析表",
    "第二十六条第（三）项": "未制定事故隐患治理方案",
    "第二十六条第（四）项": "重大事故隐患不报或者未及时报告",
    "第二十六条第（五）项": "未对事故隐患进行排查治理擅自生产经营",
    "第二十六条第（六）项": "整改不合格或者未经安全监管监察部门审查同意擅自恢复生产经营",
}

PROVISIONS = [
    {
        "law": SAFETY_LAW,
        "article": "第九十七条第（五）项",
        "violation": "未如实记录安全生产教育和培训情况，或者事故隐患排查治理情况未如实记录或者未向从业人员通报",
        "penalty_text": "责令限期改正，处十万元以下的罚款；逾期未改正的，责令停产停业整顿，"
        "并处十万元以上二十万元以下的罚款，对其直接负责的主管人员和其他直接责任人员处二万元以上五万元以下的罚款",
        "fine_max_organisation": Decimal("100000"),
        "fine_min_individual": Decimal("20000"),
        "fine_max_individual": Decimal("50000"),
        "suspension": True,
        "note": "第（五）项的措辞待核实（domain §2.4）。逾期未改正的，单位罚款为十万元以上二十万元以下。",
    },
    {
        "law": SAFETY_LAW,
        "article": "第一百零一条第（三）项",
        "violation": "进行爆破、吊装、动火、临时用电以及国务院应急管理部门会同国务院有关部门规定的其他危险作业，未安排专门人员进行现场安全管理",
        "penalty_text": "责令限期改正，处十万元以下的罚款；逾期未改正的，责令停产停业整顿，"
        "并处十万元以上二十万元以下的罚款，对其直接负责的主管人员和其他直接责任人员处二万元以上五万元以下的罚款",
        "fine_max_organisation": Decimal("100000"),
        "fine_min_individual": Decimal("20000"),
        "fine_max_individual": Decimal("50000"),
        "suspension": True,
        "note": "措辞待核实（domain §2.4）。",
    },
    {
        "law": SAFETY_LAW,
        "article": "第一百零一条第（四）项",
        "violation": "未建立安全风险分级管控制度或者未按照安全风险分级采取相应管控措施",
        "penalty_text": "责令限期改正，处十万元以下的罚款；逾期未改正的，责令停产停业整顿，"
        "并处十万元以上二十万元以下的罚款，对其直接负责的主管人员和其他直接责任人员处二万元以上五万元以下的罚款",
        "fine_max_organisation": Decimal("100000"),
        "fine_min_individual": Decimal("20000"),
        "fine_max_individual": Decimal("50000"),
        "suspension": True,
        "note": "措辞待核实（domain §2.4）。",
    },
    {
        "law": SAFETY_LAW,
        "article": "第一百零一条第（五）项",
        "violation": "未建立事故隐患排查治理制度，或者重大事故隐患排查治理情况未按照规定报告",
        "penalty_text": "责令限期改正，处十万元以下的罚款；逾期未改正的，责令停产停业整顿，"
        "并处十万元以上二十万元以下的罚款，对其直接负责的主管人员和其他直接责任人员处二万元以上五万元以下的罚款",
        "fine_max_organisation": Decimal("100000"),
        "fine_min_individual": Decimal("20000"),
        "fine_max_individual": Decimal("50000"),
        "suspension": True,
        "note": "措辞待核实（domain §2.4）。",
    },
    {
        "law": SAFETY_LAW,
        "article": "第一百零二条",
        "violation": "未采取措施消除事故隐患",
        "penalty_text": "责令立即消除或者限期消除，处五万元以下的罚款",
        "fine_max_organisation": Decimal("50000"),
    },
    {
        "law": SAFETY_LAW,
        "article": "第一百零二条（拒不执行）",
        "violation": "未采取措施消除事故隐患，经责令消除后拒不执行",
        "penalty_text": "责令停产停业整顿，对其直接负责的主管人员和其他直接责任人员处五万元以上十万元以下的罚款",
        "fine_min_individual": Decimal("50000"),
        "fine_max_individual": Decimal("100000"),
        "suspension": True,
    },
    {
        "law": SAFETY_LAW,
        "article": "第一百一十二条",
        "violation": "被责令改正且受到罚款处罚，拒不改正",
        "penalty_text": "自作出责令改正之日的次日起，按照原处罚数额按日连续处罚",
        "note": "按日连续处罚，数额为原处罚数额：本表不设幅度，按原案件罚款计算。",
    },
    *[
        {
            "law": ORDER_16,
            "article": article,
            "violation": violation,
            "penalty_text": "给予警告，并处三万元以下的罚款",
            "fine_max_organisation": Decimal("30000"),
            "warning": True,
            "note": (
                "某省裁量基准：未整改的二万元至三万元；整改不彻底的一万元至二万元；"
                "未经审查同意擅自恢复生产经营的一万元以下。"
                if article.endswith("（六）项")
                else ""
            ),
        }
        for article, violation in ORDER_16_ART_26.items()
    ],
]


def seed(apps, schema_editor):
    LegalProvision = apps.get_model("enforcement", "LegalProvision")
    for row in PROVISIONS:
        LegalProvision.objects.get_or_create(law=row["law"], article=row["article"], defaults=row)


def unseed(apps, schema_editor):
    LegalProvision = apps.get_model("enforcement", "LegalProvision")
    for row in PROVISIONS:
        LegalProvision.objects.filter(
            law=row["law"], article=row["article"], cases__isnull=True
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0003_cases")]

    operations = [migrations.RunPython(seed, unseed)]
